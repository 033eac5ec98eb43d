/**
 * What the high-level consumer does the same way whichever side runs its group membership
 * (ZooKeeper in `connector.ts`, the broker's group coordinator in `coordinator-connector.ts`):
 * the consumer id, the streams of `createMessageStreams` (one chunk queue per thread, ids
 * `consumerId-0..n-1`), the owned partitions (`topicRegistry`) fed by the fetchers, dropping
 * everything queued when partitions are given up, the auto-commit scheduler
 * (`KafkaScheduler.schedule`, fixed rate) and commits that log rather than throw (`autoCommit`).
 */
import { BlockingQueue } from '../../protocol/concurrency.ts';
import type { GroupAssignment, PartitionOwnership } from '../assignors.ts';
import { ClosedError, ConfigError } from '../errors.ts';
import type { HostAndPort } from '../metadata.ts';
import type { Runtime } from '../runtime.ts';
import { resolveConsumerConfig, type ConsumerConfig, type ConsumerConfigInput } from './config.ts';
import { ConsumerFetcherManager } from './fetcher.ts';
import { KafkaStream, PartitionTopicInfo, SHUTDOWN, type FetchedDataChunk } from './stream.ts';
import { WakeableSleep } from './wakeable-sleep.ts';

type ChunkQueue = BlockingQueue<FetchedDataChunk | typeof SHUTDOWN>;

/** The public API of both modes. */
export interface ConsumerConnector {
  readonly config: ConsumerConfig;
  readonly consumerId: string;
  readonly group: string;
  /** Completed rebalances. */
  readonly rebalances: number;
  createMessageStreams(topicCountMap: Readonly<Record<string, number>>): Promise<Record<string, KafkaStream[]>>;
  commitOffsets(): Promise<void>;
  shutdown(): Promise<void>;
  owned(): Array<{ topic: string; partition: number; threadId: string; consumedOffset: number; fetchedOffset: number }>;
}

export abstract class ConnectorBase implements ConsumerConnector {
  readonly config: ConsumerConfig;
  readonly consumerId: string;
  protected readonly fetcher: ConsumerFetcherManager;
  protected subscription: Record<string, number> = {};
  /** Thread id → its queue and stream. */
  protected readonly threads = new Map<string, { queue: ChunkQueue; stream: KafkaStream; topic: string }>();
  /** `topicRegistry`: what this consumer owns now. */
  protected topicRegistry = new Map<string, PartitionTopicInfo>();
  /** Last committed offset per partition (`checkpointedZkOffsets`). */
  protected readonly checkpointed = new Map<string, number>();
  protected shuttingDown = false;
  protected started = false;
  /** The auto-commit scheduler's wait for the next commit, ended at shutdown (`stopAutoCommit`). */
  private readonly untilNextAutoCommit: WakeableSleep;
  /** Completed rebalances (for tests and lessons). */
  rebalances = 0;

  constructor(
    protected readonly runtime: Runtime,
    config: ConsumerConfigInput,
  ) {
    this.config = resolveConsumerConfig(config);
    const suffix = this.config['consumer.id'] ?? `${runtime.hostName}-${runtime.nowMs()}-${runtime.random.int(0, 0xffffffff).toString(16).padStart(8, '0')}`;
    this.consumerId = `${this.config['group.id']}_${suffix}`;
    this.fetcher = new ConsumerFetcherManager(runtime, this.config, () => this.brokers(), this.consumerId);
    this.untilNextAutoCommit = new WakeableSleep(runtime, `the next auto-commit of ${this.consumerId}`);
  }

  get group(): string {
    return this.config['group.id'];
  }

  abstract createMessageStreams(topicCountMap: Readonly<Record<string, number>>): Promise<Record<string, KafkaStream[]>>;
  abstract commitOffsets(): Promise<void>;
  abstract shutdown(): Promise<void>;
  /** Where the fetchers' leader finder asks for metadata. */
  protected abstract brokers(): Promise<HostAndPort[]>;

  /** Partitions this consumer owns now, with their positions. */
  owned(): Array<{ topic: string; partition: number; threadId: string; consumedOffset: number; fetchedOffset: number }> {
    return [...this.topicRegistry.values()]
      .map((info) => ({ topic: info.topic, partition: info.partition, threadId: info.threadId, consumedOffset: info.consumedOffset, fetchedOffset: info.fetchedOffset }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** The checks of `createMessageStreams` and its streams, by topic (string order). */
  protected createStreams(topicCountMap: Readonly<Record<string, number>>): Record<string, KafkaStream[]> {
    if (this.started) throw new ClosedError('createMessageStreams may be called once per connector (Kafka: "Each consumer connector can create message streams by topic count only once")');
    if (typeof topicCountMap !== 'object' || topicCountMap === null || Object.keys(topicCountMap).length === 0) {
      throw new ConfigError('topicCountMap', topicCountMap, 'an object { topic: number of streams } with at least one topic');
    }
    for (const [topic, count] of Object.entries(topicCountMap)) {
      if (!Number.isInteger(count) || count <= 0) throw new ConfigError(`topicCountMap.${topic}`, count, 'an integer ≥ 1 (the number of streams)');
    }
    // Only a valid call uses up the connector's one createMessageStreams.
    this.started = true;
    this.subscription = { ...topicCountMap };
    const result: Record<string, KafkaStream[]> = {};
    for (const [topic, count] of Object.entries(topicCountMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      result[topic] = [];
      for (let i = 0; i < count; i++) {
        const threadId = `${this.consumerId}-${i}`;
        const queue: ChunkQueue = new BlockingQueue(this.runtime, this.config['queued.max.message.chunks'], `the chunk queue of ${threadId}`);
        const stream = new KafkaStream(queue, threadId, this.config['consumer.timeout.ms']);
        this.threads.set(`${topic}/${threadId}`, { queue, stream, topic });
        result[topic]!.push(stream);
      }
    }
    return result;
  }

  /** The owned partitions for `decision`, starting at `offsets` (`topic-partition` → offset, -1 for none). */
  protected registryFor(decision: readonly PartitionOwnership[], offsets: ReadonlyMap<string, number>): Map<string, PartitionTopicInfo> {
    const registry = new Map<string, PartitionTopicInfo>();
    for (const p of decision) {
      const thread = this.threads.get(`${p.topic}/${p.owner}`)!;
      const offset = offsets.get(`${p.topic}-${p.partition}`)!;
      registry.set(`${p.topic}-${p.partition}`, new PartitionTopicInfo(p.topic, p.partition, thread.queue, offset, offset, this.config['fetch.message.max.bytes'], p.owner));
    }
    return registry;
  }

  /** Owns `registry` and starts fetching it. */
  protected startFetching(registry: Map<string, PartitionTopicInfo>): void {
    this.topicRegistry = registry;
    for (const [key, info] of registry) if (info.consumedOffset >= 0) this.checkpointed.set(key, info.consumedOffset);
    this.fetcher.startConnections([...registry.values()]);
  }

  /** Narrates the assignor's work, step by step. */
  protected recordAssignment(assignment: GroupAssignment, scope = ''): void {
    if (!this.runtime.recording) return;
    const steps = assignment.explanation.map((line) => (/[.:!?]$/.test(line) ? line : `${line}.`)).join(' ');
    this.record('consumer.assignment', { strategy: assignment.strategy, explanation: [...assignment.explanation] }, `${this.consumerId} computes the ${assignment.strategy} assignment${scope}: ${steps}`);
  }

  /** Narrates a completed rebalance. */
  protected recordRebalanced(decision: readonly PartitionOwnership[], offsets: ReadonlyMap<string, number>): void {
    this.record(
      'consumer.rebalance.completed',
      { owned: decision.map((p) => ({ topic: p.topic, partition: p.partition, thread: p.owner, offset: offsets.get(`${p.topic}-${p.partition}`) })) },
      decision.length === 0
        ? `${this.consumerId} finished rebalancing and owns no partition.`
        : `${this.consumerId} finished rebalancing and owns ${decision.map((p) => `${p.topic}-${p.partition} (thread ${p.threadId}, from offset ${describeOffset(offsets.get(`${p.topic}-${p.partition}`)!)})`).join(', ')}.`,
    );
  }

  /** `closeFetchersForQueues`: stop fetching, drop queued chunks and the chunks being iterated. */
  protected closeFetchers(): void {
    this.fetcher.stopConnections();
    for (const { queue, stream } of this.threads.values()) {
      queue.clear();
      stream.clear();
    }
  }

  /** At shutdown: stop fetching and end every stream. */
  protected endStreams(): void {
    this.fetcher.stopConnections();
    for (const { queue } of this.threads.values()) {
      queue.clear();
      queue.offer(SHUTDOWN);
    }
  }

  /**
   * `KafkaScheduler.schedule` with a period: `ScheduledThreadPoolExecutor.scheduleAtFixedRate`.
   * Commits run at start + k × interval; one that overruns delays the next, never shifts the rest.
   */
  protected scheduleAutoCommit(): void {
    const intervalMs = this.config['auto.commit.interval.ms'];
    let nextMs = this.runtime.nowMs() + intervalMs;
    this.runtime.spawn(`${this.consumerId}/kafka-consumer-scheduler`, async () => {
      for (;;) {
        await this.untilNextAutoCommit.sleep(Math.max(0, nextMs - this.runtime.nowMs()));
        if (this.shuttingDown) return;
        await this.commitOffsetsLogged();
        nextMs += intervalMs;
      }
    });
  }

  /** Ends the scheduler's wait: shutdown commits itself, and nothing of the consumer may keep running. */
  protected stopAutoCommit(): void {
    this.untilNextAutoCommit.wake();
  }

  /** Commit, logging (not throwing) errors, as `autoCommit` does. */
  protected async commitOffsetsLogged(): Promise<void> {
    try {
      await this.commitOffsets();
    } catch (error) {
      this.record('consumer.commit-failed', { error: (error as Error).message }, `${this.consumerId}: exception during commitOffsets: ${(error as Error).message}`);
    }
  }

  protected record(kind: string, data: Record<string, unknown>, text: string): void {
    if (this.runtime.recording) this.runtime.record(kind, { consumer: this.consumerId, group: this.group, ...data }, text);
  }
}

export function describeSubscription(subscription: Readonly<Record<string, number>>): string {
  return Object.entries(subscription)
    .map(([topic, n]) => `${n} stream${n === 1 ? '' : 's'} of ${topic}`)
    .join(', ');
}

function describeOffset(offset: number): string {
  return offset < 0 ? 'none committed' : String(offset);
}
