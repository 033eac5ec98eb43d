/**
 * The high-level consumer's fetching (0.8.2 `ConsumerFetcherManager`, `LeaderFinderThread`,
 * `ConsumerFetcherThread`).
 *
 * Owned partitions start without a known leader. The leader finder asks the brokers registered
 * in ZooKeeper (`zkRegisteredBrokers`; in 'coordinator' mode, `bootstrap.servers`) for metadata, hands each partition whose leader it learns to the fetcher thread
 * for that broker (one per broker, `num.consumer.fetchers` = 1), then sleeps
 * `refresh.leader.backoff.ms`. A fetcher sends FetchRequests (replicaId -1, `fetch.wait.max.ms`,
 * `fetch.min.bytes`, `fetch.message.max.bytes` per partition) from each partition's fetched
 * offset and puts every non-empty result in the owning thread's queue, blocking while it is full.
 * OffsetOutOfRange resets to the earliest or latest offset by `auto.offset.reset` (latest is the
 * high watermark for a consumer); any other error, or a broken connection, sends the partition
 * back to the leader finder. A leader change never triggers a rebalance in 0.8.
 */
import { EARLIEST_TIME, LATEST_TIME, type FetchResponse } from '../../protocol/api.ts';
import { ErrorCode, errorName } from '../../protocol/errors.ts';
import type { Deferred } from '../../protocol/runtime.ts';
import type { ZkClient } from '../../protocol/zk-client.ts';
import { ZkPaths } from '../../protocol/zk-paths.ts';
import { getChildrenParentMayNotExist, readDataMaybeNull } from '../../protocol/zk-utils.ts';
import { parseBrokerRegistration } from '../../protocol/zk-data.ts';
import { BrokerConnectionError } from '../errors.ts';
import { ConnectionPool, fetchTopicMetadata, type HostAndPort } from '../metadata.ts';
import type { BrokerConnection, Runtime } from '../runtime.ts';
import type { ConsumerConfig } from './config.ts';
import type { FetchedDataChunk, PartitionTopicInfo } from './stream.ts';

export class ConsumerFetcherManager {
  private partitions = new Map<string, PartitionTopicInfo>();
  private readonly noLeader = new Set<string>();
  private readonly fetchers = new Map<number, ConsumerFetcherThread>();
  private readonly pool: ConnectionPool;
  private finderWake: Deferred<void> | undefined;
  /** Bumped by every stop: old threads see they belong to a stopped generation. */
  private generation = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly config: ConsumerConfig,
    /** Where to ask for metadata. */
    private readonly registeredBrokers: () => Promise<HostAndPort[]>,
    private readonly consumerId: string,
  ) {
    this.pool = new ConnectionPool(runtime, config['socket.timeout.ms']);
  }

  /** `startConnections`: fetch these partitions, starting with finding their leaders. */
  startConnections(infos: readonly PartitionTopicInfo[]): void {
    this.partitions = new Map(infos.map((info) => [info.key, info]));
    for (const key of this.partitions.keys()) this.noLeader.add(key);
    const generation = this.generation;
    this.runtime.spawn(`${this.consumerId}-leader-finder-thread`, () => this.leaderFinder(generation));
  }

  /** `stopConnections`: every fetcher and the leader finder stop; nothing more is enqueued. */
  stopConnections(): void {
    this.generation++;
    this.finderWake?.resolve();
    for (const fetcher of this.fetchers.values()) fetcher.stop();
    this.fetchers.clear();
    this.partitions.clear();
    this.noLeader.clear();
    this.pool.closeAll();
  }

  /** Sends partitions back to the leader finder (`addPartitionsWithError`). */
  partitionsWithError(keys: readonly string[], fetcher: ConsumerFetcherThread): void {
    for (const key of keys) {
      fetcher.removePartition(key);
      if (this.partitions.has(key)) this.noLeader.add(key);
    }
    this.finderWake?.resolve();
  }

  private async leaderFinder(generation: number): Promise<void> {
    while (generation === this.generation) {
      if (this.noLeader.size === 0) {
        this.finderWake = this.runtime.deferred<void>('partitions without a leader');
        await this.finderWake.promise;
        this.finderWake = undefined;
        continue;
      }
      try {
        const brokers = await this.registeredBrokers();
        const topics = [...new Set([...this.noLeader].map((key) => this.partitions.get(key)?.topic).filter((t): t is string => t !== undefined))];
        if (brokers.length > 0 && topics.length > 0) {
          const response = await fetchTopicMetadata(this.runtime, brokers, topics, { clientId: this.config['client.id'], timeoutMs: this.config['socket.timeout.ms'] });
          if (generation !== this.generation) return;
          this.pool.learn(response.brokers);
          for (const topic of response.topics) {
            for (const p of topic.partitions) {
              const key = `${topic.topic}-${p.partition}`;
              if (!this.noLeader.has(key) || p.leader < 0) continue;
              const info = this.partitions.get(key);
              if (info === undefined) continue;
              this.noLeader.delete(key);
              this.fetcherFor(p.leader).addPartition(info);
            }
          }
        }
      } catch (error) {
        // Stopped meanwhile (a rebalance, or shutdown closing the ZooKeeper client under a read):
        // `ShutdownableThread.run` ends quietly on an error once the thread is no longer running.
        if (generation !== this.generation) return;
        if (!(error instanceof BrokerConnectionError) && !(error instanceof Error && error.name === 'MetadataFetchError')) throw error;
      }
      for (const [id, fetcher] of this.fetchers) {
        if (fetcher.idle) {
          fetcher.stop();
          this.fetchers.delete(id);
        }
      }
      await this.runtime.sleep(this.config['refresh.leader.backoff.ms']);
    }
  }

  private fetcherFor(brokerId: number): ConsumerFetcherThread {
    let fetcher = this.fetchers.get(brokerId);
    if (fetcher === undefined) {
      fetcher = new ConsumerFetcherThread(this.runtime, this.config, this, this.pool, brokerId, this.consumerId);
      this.fetchers.set(brokerId, fetcher);
    }
    return fetcher;
  }
}

/** `ZkUtils.getAllBrokersInCluster`: where the brokers registered in ZooKeeper listen. */
export async function zkRegisteredBrokers(zk: ZkClient): Promise<HostAndPort[]> {
  const ids = await getChildrenParentMayNotExist(zk, ZkPaths.brokerIds);
  const out: HostAndPort[] = [];
  for (const id of ids.sort((a, b) => Number(a) - Number(b))) {
    const data = await readDataMaybeNull(zk, `${ZkPaths.brokerIds}/${id}`);
    if (data === null) continue;
    const registration = parseBrokerRegistration(data.data);
    out.push({ host: registration.host, port: registration.port });
  }
  return out;
}

class ConsumerFetcherThread {
  private readonly partitions = new Map<string, PartitionTopicInfo>();
  private wake: Deferred<void> | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly config: ConsumerConfig,
    private readonly manager: ConsumerFetcherManager,
    private readonly pool: ConnectionPool,
    readonly brokerId: number,
    consumerId: string,
  ) {
    runtime.spawn(`ConsumerFetcherThread-${consumerId}-0-${brokerId}`, () => this.run());
  }

  get idle(): boolean {
    return this.partitions.size === 0;
  }

  addPartition(info: PartitionTopicInfo): void {
    this.partitions.set(info.key, info);
    this.wake?.resolve();
  }

  removePartition(key: string): void {
    this.partitions.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.wake?.resolve();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.partitions.size === 0) {
        this.wake = this.runtime.deferred<void>(`partitions to fetch from broker ${this.brokerId}`);
        await this.wake.promise;
        this.wake = undefined;
        continue;
      }
      const requested = [...this.partitions.values()].map((info) => ({ info, offset: info.fetchedOffset }));
      let response: FetchResponse;
      let connection: BrokerConnection | undefined;
      try {
        connection = await this.pool.get(this.brokerId);
        response = await connection.send(
          {
            api: 'Fetch',
            clientId: this.config['client.id'],
            correlationId: 0,
            replicaId: -1,
            maxWait: this.config['fetch.wait.max.ms'],
            minBytes: this.config['fetch.min.bytes'],
            partitions: requested.map(({ info, offset }) => ({ topic: info.topic, partition: info.partition, fetchOffset: offset, fetchSize: info.fetchSize })),
          },
          { timeoutMs: this.config['socket.timeout.ms'] + this.config['fetch.wait.max.ms'] },
        );
      } catch (error) {
        if (!(error instanceof BrokerConnectionError)) throw error;
        if (this.stopped) return;
        this.pool.close(this.brokerId);
        this.manager.partitionsWithError([...this.partitions.keys()], this);
        continue;
      }
      if (this.stopped) return;
      const failed: string[] = [];
      for (const data of response.partitions) {
        const key = `${data.topic}-${data.partition}`;
        const entry = requested.find((r) => r.info.key === key);
        // Only if the partition is still ours at the offset we asked for.
        if (entry === undefined || this.partitions.get(key) !== entry.info || entry.info.fetchedOffset !== entry.offset) continue;
        if (data.errorCode === ErrorCode.NoError) {
          if (!(await this.enqueue(entry.info, entry.offset, data))) return;
        } else if (data.errorCode === ErrorCode.OffsetOutOfRange) {
          await this.resetOffset(entry.info, connection!);
        } else {
          failed.push(key);
          if (this.runtime.recording) {
            this.runtime.record(
              'consumer.fetch-error',
              { broker: this.brokerId, partition: key, error: errorName(data.errorCode) },
              `The consumer's fetch of ${key} from broker ${this.brokerId} failed with ${errorName(data.errorCode)}; it looks for the leader again.`,
            );
          }
        }
      }
      if (failed.length > 0) this.manager.partitionsWithError(failed, this);
    }
  }

  /** `PartitionTopicInfo.enqueue`: false if the thread was stopped while waiting for room. */
  private async enqueue(info: PartitionTopicInfo, fetchOffset: number, data: FetchResponse['partitions'][number]): Promise<boolean> {
    const count = data.batches.reduce((n, b) => n + b.count, 0);
    const tooLarge = count === 0 && data.partialMessage;
    if (count === 0 && !tooLarge) return true;
    const chunk: FetchedDataChunk = { batches: data.batches, topicInfo: info, fetchOffset, tooLarge };
    while (!info.queue.offer(chunk)) {
      await info.queue.waitForRoom();
      if (this.stopped) return false;
    }
    if (count > 0) {
      const last = data.batches[data.batches.length - 1]!;
      info.fetchedOffset = last.baseOffset + last.count;
    }
    return true;
  }

  /** `ConsumerFetcherThread.handleOffsetOutOfRange`. */
  private async resetOffset(info: PartitionTopicInfo, connection: BrokerConnection): Promise<void> {
    const time = this.config['auto.offset.reset'] === 'smallest' ? EARLIEST_TIME : LATEST_TIME;
    try {
      const response = await connection.send(
        { api: 'Offsets', clientId: this.config['client.id'], correlationId: 0, replicaId: -1, partitions: [{ topic: info.topic, partition: info.partition, time, maxNumOffsets: 1 }] },
        { timeoutMs: this.config['socket.timeout.ms'] },
      );
      const answer = response.partitions[0];
      if (answer === undefined || answer.errorCode !== ErrorCode.NoError || this.stopped) {
        this.manager.partitionsWithError([info.key], this);
        return;
      }
      const offset = answer.offsets[0] ?? 0;
      const from = info.fetchedOffset;
      info.fetchedOffset = offset;
      info.consumedOffset = offset;
      if (this.runtime.recording) {
        this.runtime.record(
          'consumer.offset-reset',
          { partition: info.key, from, to: offset, reset: this.config['auto.offset.reset'] },
          `Offset ${from} of ${info.key} is out of range: auto.offset.reset=${this.config['auto.offset.reset']} moves the consumer to ${offset}${from >= 0 && offset > from ? ` (skipping ${offset - from} message(s))` : ''}.`,
        );
      }
    } catch (error) {
      if (!(error instanceof BrokerConnectionError)) throw error;
      this.manager.partitionsWithError([info.key], this);
    }
  }
}
