/**
 * Followers copying their leaders: `ReplicaFetcherManager`, `AbstractFetcherThread` and
 * `ReplicaFetcherThread` (0.8.2, one fetcher per source broker, `num.replica.fetchers` = 1).
 *
 * Modelled: fetch requests with `replicaId` = this broker, `replica.fetch.wait.max.ms`,
 * `replica.fetch.min.bytes`, `replica.fetch.max.bytes` per partition and the
 * `replica.socket.timeout.ms` socket timeout; appending the leader's batches with the leader's
 * offsets; the follower HW = min(its LEO, the leader's HW in the response); OffsetOutOfRange
 * handled as `handleOffsetOutOfRange`: truncate to the leader's LEO when ours is longer (0.8.2
 * halts the broker instead when unclean leader election is disabled) or restart at the leader's
 * log start when ours is shorter; other errors leave the partition in place to be retried.
 * Simplified: after an error the fetcher waits `replica.fetch.backoff.ms` before trying again;
 * 0.8.2 has no such back-off and spins until the controller moves the partition (KAFKA-1461).
 */
import { EARLIEST_TIME, LATEST_TIME, type FetchRequest, type FetchResponse } from '../protocol/api.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';
import type { Deferred } from '../protocol/runtime.ts';
import { causeMessage } from '../sim/errors.ts';
import type { BrokerContext } from './broker-context.ts';
import { BrokerChannel } from './broker-channel.ts';
import type { ReplicaManager } from './replica-manager.ts';

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly replicaManager: ReplicaManager,
  ) {}

  addFetcherForPartition(key: string, leaderId: number, fetchOffset: number): void {
    let fetcher = this.fetchers.get(leaderId);
    if (fetcher === undefined || fetcher.stopped) {
      fetcher = new ReplicaFetcher(this.ctx, this.replicaManager, leaderId);
      this.fetchers.set(leaderId, fetcher);
    }
    fetcher.addPartition(key, fetchOffset);
    const state = this.replicaManager.partitions.get(key);
    if (state !== undefined) state.fetchingFrom = leaderId;
  }

  removeFetcherForPartitions(keys: readonly string[]): void {
    for (const key of keys) {
      for (const fetcher of this.fetchers.values()) fetcher.removePartition(key);
      const state = this.replicaManager.partitions.get(key);
      if (state !== undefined) state.fetchingFrom = null;
    }
    // `shutdownIdleFetcherThreads`.
    for (const [leaderId, fetcher] of this.fetchers) {
      if (fetcher.idle) {
        fetcher.stop();
        this.fetchers.delete(leaderId);
      }
    }
  }

  shutdown(): void {
    for (const fetcher of this.fetchers.values()) fetcher.stop();
    this.fetchers.clear();
  }
}

class ReplicaFetcher {
  /** Partition → next offset to fetch. */
  private readonly partitions = new Map<string, number>();
  private readonly channel: BrokerChannel;
  private wakeUp: Deferred<void> | undefined;
  stopped = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly replicaManager: ReplicaManager,
    readonly leaderId: number,
  ) {
    this.channel = new BrokerChannel(ctx, leaderId, ctx.config['replica.socket.timeout.ms']);
    ctx.env.spawn(`broker-${ctx.brokerId}/fetcher-from-${leaderId}`, () => this.run());
  }

  get idle(): boolean {
    return this.partitions.size === 0;
  }

  addPartition(key: string, fetchOffset: number): void {
    this.partitions.set(key, fetchOffset);
    this.wakeUp?.resolve();
  }

  removePartition(key: string): void {
    this.partitions.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.channel.close();
    this.wakeUp?.resolve();
  }

  private async run(): Promise<void> {
    const config = this.ctx.config;
    while (!this.stopped) {
      if (this.partitions.size === 0) {
        this.wakeUp = this.ctx.env.deferred<void>(`partitions to fetch from broker ${this.leaderId}`);
        await this.wakeUp.promise;
        this.wakeUp = undefined;
        continue;
      }
      const requested = new Map(this.partitions);
      const request: FetchRequest = {
        api: 'Fetch',
        clientId: `ReplicaFetcherThread-0-${this.leaderId}`,
        correlationId: 0,
        replicaId: this.ctx.brokerId,
        maxWait: config['replica.fetch.wait.max.ms'],
        minBytes: config['replica.fetch.min.bytes'],
        partitions: [...requested].map(([key, fetchOffset]) => {
          const state = this.replicaManager.partitions.get(key)!;
          return { topic: state.topic, partition: state.partition, fetchOffset, fetchSize: config['replica.fetch.max.bytes'] };
        }),
      };
      let response: FetchResponse;
      try {
        response = await this.channel.request(request);
      } catch (error) {
        if (this.stopped) return;
        this.ctx.narrate(
          'replica.fetch.failed',
          { leader: this.leaderId, error: causeMessage(error) },
          `Broker ${this.ctx.brokerId} could not fetch from broker ${this.leaderId}: ${causeMessage(error)}.`,
        );
        await this.ctx.env.sleep(config['replica.fetch.backoff.ms']);
        continue;
      }
      if (this.stopped) return;
      let failed = false;
      for (const data of response.partitions) {
        const key = `${data.topic}-${data.partition}`;
        // Only if the partition is still ours at the offset we asked for.
        if (!this.partitions.has(key) || this.partitions.get(key) !== requested.get(key)) continue;
        if (data.errorCode === ErrorCode.NoError) {
          this.ctx.kernel.act('replica fetch', () => this.append(key, data.batches, data.highWatermark));
        } else if (data.errorCode === ErrorCode.OffsetOutOfRange) {
          await this.handleOffsetOutOfRange(key);
        } else {
          failed = true;
        }
      }
      if (failed) await this.ctx.env.sleep(config['replica.fetch.backoff.ms']);
    }
  }

  /** `ReplicaFetcherThread.processPartitionData`. */
  private append(key: string, batches: FetchResponse['partitions'][number]['batches'], leaderHighWatermark: number): void {
    const partitions = this.replicaManager.partitions;
    const state = partitions.get(key);
    if (state === undefined) return;
    const log = partitions.log(key);
    const before = log.logEndOffset;
    if (batches.length > 0) log.appendAsFollower(batches, this.ctx.kernel.nowMs);
    const highWatermark = Math.min(log.logEndOffset, leaderHighWatermark);
    state.highWatermark = highWatermark;
    partitions.syncLog(key);
    this.partitions.set(key, log.logEndOffset);
    if (log.logEndOffset > before) {
      this.ctx.narrate(
        'replica.fetched',
        { topic: state.topic, partition: state.partition, leader: this.leaderId, from: before, to: log.logEndOffset, highWatermark },
        `Broker ${this.ctx.brokerId} copied offsets ${before}–${log.logEndOffset - 1} of ${key} from broker ${this.leaderId} (its HW is now ${highWatermark}).`,
      );
    }
  }

  /** `ReplicaFetcherThread.handleOffsetOutOfRange` (0.8.2). */
  private async handleOffsetOutOfRange(key: string): Promise<void> {
    const state = this.replicaManager.partitions.get(key)!;
    const { topic, partition } = state;
    const leaderOffset = async (time: number): Promise<number | undefined> => {
      try {
        const response = await this.channel.request({
          api: 'Offsets',
          clientId: `ReplicaFetcherThread-0-${this.leaderId}`,
          correlationId: 0,
          replicaId: this.ctx.brokerId,
          partitions: [{ topic, partition, time, maxNumOffsets: 1 }],
        });
        const answer = response.partitions[0];
        return answer?.errorCode === ErrorCode.NoError ? answer.offsets[0] : undefined;
      } catch {
        return undefined;
      }
    };
    const leaderEnd = await leaderOffset(LATEST_TIME);
    if (leaderEnd === undefined || this.stopped || !this.partitions.has(key)) return;
    const log = this.replicaManager.partitions.log(key);
    if (leaderEnd < log.logEndOffset) {
      if (!this.ctx.topicConfig(topic)['unclean.leader.election.enable']) {
        this.ctx.halt(
          `Halting because log truncation is not allowed for topic ${topic}, current leader ${this.leaderId}'s latest offset ${leaderEnd} is less than replica ${this.ctx.brokerId}'s latest offset ${log.logEndOffset}`,
        );
        return;
      }
      this.ctx.kernel.act('truncate', () => {
        const before = log.logEndOffset;
        log.truncateTo(leaderEnd);
        // Kafka 0.8.2 (`LogManager.truncateTo`) leaves the replica's HW above its new LEO until the
        // next fetch sets it to min(LEO, leader HW) (`ReplicaFetcherThread.processPartitionData`);
        // kafkasim lowers it now, to the value a restart would compute (min(checkpoint, LEO)), so
        // that HW ≤ LEO holds at every step.
        const truncated = this.replicaManager.partitions.get(key);
        if (truncated !== undefined && truncated.highWatermark > leaderEnd) truncated.highWatermark = leaderEnd;
        this.replicaManager.partitions.syncLog(key);
        this.partitions.set(key, leaderEnd);
        this.ctx.narrate(
          'log.truncated',
          { topic, partition, from: before, to: leaderEnd, reason: 'offset-out-of-range' },
          `Broker ${this.ctx.brokerId}'s log of ${key} is ahead of leader ${this.leaderId} (${before} > ${leaderEnd}): it truncates to ${leaderEnd}. Only lengths are reconciled: divergent content below that is not detected.`,
        );
      });
      return;
    }
    const leaderStart = await leaderOffset(EARLIEST_TIME);
    if (leaderStart === undefined || this.stopped || !this.partitions.has(key)) return;
    this.ctx.kernel.act('truncate fully', () => {
      log.truncateFullyAndStartAt(leaderStart);
      this.replicaManager.partitions.syncLog(key);
      this.partitions.set(key, leaderStart);
      this.ctx.narrate(
        'log.truncated',
        { topic, partition, to: leaderStart, reason: 'behind-log-start' },
        `Broker ${this.ctx.brokerId} starts ${key} over at the leader's log start ${leaderStart} (${errorName(ErrorCode.OffsetOutOfRange)}).`,
      );
    });
  }
}
