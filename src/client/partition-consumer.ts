/**
 * kafka-python 0.9.5's `SimpleConsumer` (`kafka/consumer/simple.py` + `kafka/consumer/base.py`),
 * named `PartitionConsumer` here because `SimpleConsumer` is Kafka's own low-level Java class
 * (`simple-consumer.ts`). It is the article's Python consumer: it reads the partitions it is
 * given (all of the topic's by default), keeps its own position per partition, and commits it
 * with OffsetCommit version 0 under `group` (brokers store it in ZooKeeper at
 * /consumers/<group>/offsets/<topic>/<partition>). There is no group membership: two consumers
 * of one group read the same partitions.
 *
 * Modelled, as 0.9.5 does it:
 * - options and defaults (`auto_commit=True`, every 100 messages and every 5000 ms,
 *   `fetch_size_bytes=4096`, `buffer_size=4096`, `max_buffer_size=32768`, `iter_timeout=None`,
 *   `auto_offset_reset='largest'`); `buffer_size > max_buffer_size` is refused;
 * - initial offsets: with a group, an OffsetFetch v0 per partition (UnknownTopicOrPartition — what
 *   the broker answers when nothing is stored — ignored; -1 ⇒ 0; else the stored offset); no
 *   group ⇒ 0. "0" is an absolute offset, not "earliest";
 * - `fetch_size_bytes` becomes the fetch's *min_bytes*, and every fetch runs inside
 *   `FetchContext`, which overrides it (min_bytes 1 and max_wait = timeout when blocking, 0 and
 *   100 ms when not): it never reaches a request. The per-partition byte limit is `buffer_size`;
 * - `_fetch`: one FetchRequest per leader; messages older than the fetch position skipped; a
 *   trailing partial message dropped; no complete message at all ⇒ retry that partition with
 *   `min(size * 2, max_buffer_size)` (no limit when `max_buffer_size` is null), and
 *   `FetchSizeTooSmallError` once the size already is `max_buffer_size`; the grown size lasts for
 *   that `_fetch` only; OffsetOutOfRange ⇒ reset to the latest (`'largest'`, for a consumer the
 *   high watermark) or earliest (`'smallest'`) offset, no commit, or raise when
 *   `autoOffsetReset` is null; NotLeaderForPartition ⇒ drop the cached metadata and skip the
 *   partition this round; UnknownTopicOrPartition ⇒ drop it and raise; a failed payload
 *   (connection error) ⇒ retry the partition at once; any other code raises;
 * - `get_message(block, timeout)`: fetch while the queue is empty, until a message arrives or
 *   (blocking) the timeout passed; the position moves to offset + 1 when a message is returned,
 *   then auto-commit by count; `get_messages(count, block, timeout)`: positions updated once at the
 *   end; `block` may be a number (block until that many); `__iter__` (async iteration here):
 *   `get_message(True, iter_timeout or 60 s)`, sleeping 100 ms between empty waits forever when
 *   `iter_timeout` is None;
 * - `seek(offset, whence, partition)`: whence null absolute, 0 head, 1 current, 2 tail; without a
 *   partition the total offset is spread across the partitions (`divmod`, Python's floor
 *   semantics: the first `rem` partitions get one more); one OffsetRequest per partition;
 *   prefetched messages dropped; `count_since_commit += 1` and an immediate `commit()` when
 *   auto-committing;
 * - `commit(partitions)`: nothing when nothing was consumed since the last commit; one
 *   OffsetCommit v0 with the current positions (the *next* offset to consume); a Kafka error is
 *   logged and `false` returned (count kept); the count is reset to 0 on success even if the
 *   partitions named were only some of them; auto-commit every N messages (checked when
 *   messages are returned) and every T ms by a background task (`ReentrantTimer`: wait T, commit,
 *   wait T, ...; independent of the count-based commits, as 0.9.5's code does it, although its
 *   docstring says the two "will reset one another");
 * - `pending(partitions)`: Σ (latest offset − position); `stop()`: stop the timer and commit — only
 *   when the timer exists (0.9.5's `stop` commits nothing when `auto_commit` is off or
 *   `auto_commit_every_t` is null).
 * Not modelled: `provide_partition_info` (every message carries its partition here), the
 * `atexit` handler (a crashed process never commits; call `stop()` for a clean exit),
 * compression, Python's dict ordering (partitions keep the order given; the default is sorted).
 */
import { EARLIEST_TIME, LATEST_TIME, type FetchPartitionData } from '../protocol/api.ts';
import { Mutex } from '../protocol/concurrency.ts';
import { ErrorCode, kafkaErrorFor } from '../protocol/errors.ts';
import { messagesOf, type Payload } from '../protocol/message.ts';
import { ConfigError, FetchSizeTooSmallError } from './errors.ts';
import { FailedPayloadsError, isKafkaPythonError, type KafkaClient } from './kafka-client.ts';
import type { Runtime } from './runtime.ts';

/** kafka-python 0.9.5's module constants (`kafka/consumer/base.py`). */
export const AUTO_COMMIT_MSG_COUNT = 100;
export const AUTO_COMMIT_INTERVAL_MS = 5000;
export const FETCH_DEFAULT_BLOCK_TIMEOUT_MS = 1000;
export const FETCH_MAX_WAIT_TIME_MS = 100;
export const FETCH_MIN_BYTES = 4096;
export const FETCH_BUFFER_SIZE_BYTES = 4096;
export const MAX_FETCH_BUFFER_SIZE_BYTES = FETCH_BUFFER_SIZE_BYTES * 8;
export const ITER_TIMEOUT_MS = 60_000;
export const NO_MESSAGES_WAIT_TIME_MS = 100;

export interface PartitionConsumerOptions {
  /** The offsets' owner (`group`); null: no offset fetch or commit (positions start at 0). */
  readonly group: string | null;
  readonly topic: string;
  /** Default: every partition of the topic (sorted ids from the metadata). */
  readonly partitions?: readonly number[];
  readonly autoCommit?: boolean;
  /** Commit after this many messages (null: never by count). Default 100. */
  readonly autoCommitEveryN?: number | null;
  /** Commit every this many ms from a background task (null: no timer). Default 5000. */
  readonly autoCommitEveryT?: number | null;
  /** Becomes the fetch's min_bytes (overridden on every fetch, see above). Default 4096. */
  readonly fetchSizeBytes?: number;
  /** Per-partition fetch size (bytes) each `_fetch` starts with. Default 4096. */
  readonly bufferSize?: number;
  /** Largest fetch size the buffer grows to (null: no limit). Default 32768. */
  readonly maxBufferSize?: number | null;
  /** Async iteration ends after waiting this long for a message (null: never ends). Default null. */
  readonly iterTimeoutMs?: number | null;
  /** What OffsetOutOfRange does: reset to 'largest' or 'smallest', or (null) raise. Default 'largest'. */
  readonly autoOffsetReset?: 'largest' | 'smallest' | null;
}

/** A message as the consumer returns it. */
export interface ConsumedMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: Payload | null;
  readonly value: Payload | null;
}

export interface GetMessageOptions {
  /** Default true. */
  readonly block?: boolean;
  /** Default 100 ms (kafka-python's 0.1 s). */
  readonly timeoutMs?: number;
}

export interface GetMessagesOptions {
  /** true, false, or a number: block until that many messages (0.9.5). Default true. */
  readonly block?: boolean | number;
  /** Default 100 ms; null: no deadline (0.9.5 crashes on `timeout=None`; its docstring means this). */
  readonly timeoutMs?: number | null;
}

interface ResolvedOptions {
  readonly group: string | null;
  readonly topic: string;
  readonly partitions: readonly number[] | undefined;
  readonly autoCommit: boolean;
  readonly autoCommitEveryN: number | null;
  readonly autoCommitEveryT: number | null;
  readonly fetchSizeBytes: number;
  readonly bufferSize: number;
  readonly maxBufferSize: number | null;
  readonly iterTimeoutMs: number | null;
  readonly autoOffsetReset: 'largest' | 'smallest' | null;
}

/** What the consumer did, for lessons and tests. */
export interface PartitionConsumerStats {
  fetchRequests: number;
  /** Fetch sizes that grew after a fetch returned no complete message. */
  readonly bufferGrowths: { readonly partition: number; readonly offset: number; readonly from: number; readonly to: number }[];
  readonly offsetResets: { readonly partition: number; readonly from: number; readonly to: number; readonly policy: 'largest' | 'smallest' }[];
  readonly commits: { readonly atMs: number; readonly offsets: ReadonlyMap<number, number>; readonly ok: boolean; readonly by: 'count' | 'timer' | 'seek' | 'manual' | 'stop' }[];
}

export class PartitionConsumer implements AsyncIterable<ConsumedMessage> {
  readonly group: string | null;
  readonly topic: string;
  readonly autoCommit: boolean;
  readonly autoCommitEveryN: number | null;
  readonly autoCommitEveryT: number | null;
  readonly bufferSize: number;
  readonly maxBufferSize: number | null;
  readonly iterTimeoutMs: number | null;
  readonly autoOffsetReset: 'largest' | 'smallest' | null;
  /** Messages returned since the last successful commit (`count_since_commit`). */
  countSinceCommit = 0;
  readonly stats: PartitionConsumerStats = { fetchRequests: 0, bufferGrowths: [], offsetResets: [], commits: [] };
  /** `self.offsets`: the consumed position (next offset to return) per partition. */
  private readonly positions = new Map<number, number>();
  /** `self.fetch_offsets`: the next offset to fetch per partition. */
  private fetchPositions = new Map<number, number>();
  private queue: ConsumedMessage[] = [];
  private fetchMaxWaitTime = FETCH_MAX_WAIT_TIME_MS;
  private fetchMinBytes: number;
  private readonly commitLock: Mutex;
  private timerRunning = false;
  private stopped = false;

  private constructor(
    private readonly runtime: Runtime,
    readonly client: KafkaClient,
    options: ResolvedOptions,
  ) {
    this.group = options.group;
    this.topic = options.topic;
    this.autoCommit = options.autoCommit;
    this.autoCommitEveryN = options.autoCommitEveryN;
    this.autoCommitEveryT = options.autoCommitEveryT;
    this.bufferSize = options.bufferSize;
    this.maxBufferSize = options.maxBufferSize;
    this.iterTimeoutMs = options.iterTimeoutMs;
    this.autoOffsetReset = options.autoOffsetReset;
    this.fetchMinBytes = options.fetchSizeBytes;
    this.commitLock = new Mutex(runtime, `commit lock of ${options.topic}/${options.group ?? '(no group)'}`);
  }

  /**
   * `SimpleConsumer(client, group, topic, ...)`: validates the options (ConfigError naming the
   * key), loads the topic's metadata, starts the auto-commit timer, sets the initial positions.
   */
  static async create(runtime: Runtime, client: KafkaClient, options: PartitionConsumerOptions): Promise<PartitionConsumer> {
    const resolved = validateOptions(options);
    const consumer = new PartitionConsumer(runtime, client, resolved);
    await client.loadMetadataForTopics(resolved.topic);
    const partitions = resolved.partitions ?? client.getPartitionIdsForTopic(resolved.topic);
    // The timer starts before the offsets are fetched, as in base.py (its first commits find nothing to commit).
    if (resolved.autoCommit && resolved.autoCommitEveryT !== null) consumer.startTimer(resolved.autoCommitEveryT);
    try {
      if (resolved.group !== null) await consumer.fetchLastKnownOffsets(partitions);
      else for (const p of partitions) consumer.positions.set(p, 0);
    } catch (error) {
      consumer.stopTimer();
      throw error;
    }
    consumer.fetchPositions = new Map(consumer.positions);
    return consumer;
  }

  /** The partitions read, in order. */
  get partitions(): number[] {
    return [...this.positions.keys()];
  }

  /** The consumed position (next offset to return) of each partition: what a commit stores. */
  get offsets(): ReadonlyMap<number, number> {
    return new Map(this.positions);
  }

  /** The next offset each partition is fetched from (ahead of `offsets` by what is prefetched). */
  get fetchOffsets(): ReadonlyMap<number, number> {
    return new Map(this.fetchPositions);
  }

  /** Messages fetched but not yet returned. */
  get prefetched(): number {
    return this.queue.length;
  }

  /** `fetch_last_known_offsets(partitions)`. */
  private async fetchLastKnownOffsets(partitions: readonly number[]): Promise<void> {
    const responses = await this.client.sendOffsetFetchRequest(
      this.group!,
      partitions.map((partition) => ({ topic: this.topic, partition })),
      { failOnError: false },
    );
    for (const response of responses) {
      if (response instanceof FailedPayloadsError) throw response;
      // "API spec says server wont set an error here but 0.8.1.1 does actually..."
      if (response.errorCode !== ErrorCode.NoError && response.errorCode !== ErrorCode.UnknownTopicOrPartition) {
        throw kafkaErrorFor(response.errorCode, `${response.topic}-${response.partition}`);
      }
      this.positions.set(response.partition, response.offset === -1 ? 0 : response.offset);
    }
  }

  // ---------------------------------------------------------------- positions

  /**
   * `seek(offset, whence=None, partition=None)`: whence null ⇒ absolute; 1 ⇒ relative to the
   * current position; 0 / 2 ⇒ relative to the earliest / latest offset, the total spread across
   * the partitions unless one is named. Drops prefetched messages; commits at once when
   * auto-committing.
   */
  async seek(offset: number, whence: 0 | 1 | 2 | null = null, partition?: number): Promise<void> {
    if (!Number.isInteger(offset)) throw new ConfigError('offset', offset, 'an integer');
    if (!(whence === null || whence === 0 || whence === 1 || whence === 2)) {
      throw new ConfigError('whence', whence, '0 (from the earliest offset), 1 (from the current position), 2 (from the latest offset) or null (absolute)');
    }
    if (partition !== undefined && !this.positions.has(partition)) {
      throw new ConfigError('partition', partition, `one of this consumer's partitions (${this.partitions.join(', ')})`);
    }
    const targets = partition === undefined ? this.partitions : [partition];
    if (whence === null) {
      for (const p of targets) this.positions.set(p, offset);
    } else if (whence === 1) {
      for (const p of targets) this.positions.set(p, this.positions.get(p)! + offset);
    } else {
      const deltas = new Map<number, number>();
      if (partition === undefined) {
        // divmod(offset, n) with Python's floor semantics; the first `rem` partitions get one more.
        const n = targets.length;
        const delta = Math.floor(offset / n);
        const rem = offset - delta * n;
        targets.forEach((p, i) => deltas.set(p, delta + (i < rem ? 1 : 0)));
      } else {
        deltas.set(partition, offset);
      }
      const time = whence === 0 ? EARLIEST_TIME : LATEST_TIME;
      const responses = await this.client.sendOffsetRequest(targets.map((p) => ({ topic: this.topic, partition: p, time, maxOffsets: 1 })));
      for (const response of responses) {
        if (response instanceof FailedPayloadsError) throw response; // failOnError already raised
        this.positions.set(response.partition, response.offsets[0]! + deltas.get(response.partition)!);
      }
    }
    this.fetchPositions = new Map(this.positions);
    this.countSinceCommit += 1;
    if (this.autoCommit) await this.commitBy('seek');
    this.queue = [];
  }

  // ---------------------------------------------------------------- reading

  /** `get_message(block=True, timeout=0.1)`: one message, or undefined when none came in time. */
  async getMessage(options: GetMessageOptions = {}): Promise<ConsumedMessage | undefined> {
    const block = options.block ?? true;
    const timeoutMs = options.timeoutMs ?? 100;
    if (typeof block !== 'boolean') throw new ConfigError('block', block, 'true or false');
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs)) throw new ConfigError('timeoutMs', options.timeoutMs, 'a number of ms');
    return this.nextMessage(block, timeoutMs, true);
  }

  /** `get_messages(count=1, block=True, timeout=0.1)`: up to `count` messages. */
  async getMessages(count = 1, options: GetMessagesOptions = {}): Promise<ConsumedMessage[]> {
    if (!Number.isInteger(count) || count < 0) throw new ConfigError('count', count, 'a non-negative integer');
    const block = options.block ?? true;
    if (!(typeof block === 'boolean' || (Number.isInteger(block) && block >= 0))) throw new ConfigError('block', block, 'true, false or a number of messages');
    const timeoutMs = options.timeoutMs === undefined ? 100 : options.timeoutMs;
    if (timeoutMs !== null && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs))) throw new ConfigError('timeoutMs', timeoutMs, 'a number of ms or null');
    const deadline = timeoutMs === null ? null : this.runtime.nowMs() + timeoutMs;
    const messages: ConsumedMessage[] = [];
    const newOffsets = new Map<number, number>();
    while (messages.length < count) {
      const blockNext = block === true || (typeof block === 'number' && block > messages.length);
      const blockTime = deadline === null ? FETCH_DEFAULT_BLOCK_TIMEOUT_MS : deadline - this.runtime.nowMs();
      const message = await this.nextMessage(blockNext, blockTime, false);
      if (message === undefined) {
        if (blockNext && (deadline === null || this.runtime.nowMs() <= deadline)) continue;
        break;
      }
      messages.push(message);
      newOffsets.set(message.partition, message.offset + 1);
    }
    for (const [p, next] of newOffsets) this.positions.set(p, next);
    this.countSinceCommit += messages.length;
    await this.autoCommitByCount();
    return messages;
  }

  /** `__iter__`: `get_message(True, iter_timeout or 60 s)` until it times out (never, without `iterTimeoutMs`). */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumedMessage> {
    const timeoutMs = this.iterTimeoutMs ?? ITER_TIMEOUT_MS;
    for (;;) {
      const message = await this.nextMessage(true, timeoutMs, true);
      if (message !== undefined) yield message;
      else if (this.iterTimeoutMs === null) await this.runtime.sleep(NO_MESSAGES_WAIT_TIME_MS);
      else return;
    }
  }

  /** `_get_message(block, timeout, update_offset)`. */
  private async nextMessage(block: boolean, timeoutMs: number, updateOffset: boolean): Promise<ConsumedMessage | undefined> {
    const startAt = this.runtime.nowMs();
    while (this.queue.length === 0) {
      await this.fetchWithContext(block, timeoutMs);
      if (!block || this.runtime.nowMs() > startAt + timeoutMs) break;
    }
    const message = this.queue.shift();
    if (message === undefined) return undefined;
    if (updateOffset) {
      this.positions.set(message.partition, message.offset + 1);
      this.countSinceCommit += 1;
      await this.autoCommitByCount();
    }
    return message;
  }

  /** `with FetchContext(self, block, timeout): self._fetch()`. */
  private async fetchWithContext(block: boolean, timeoutMs: number): Promise<void> {
    const saved = { maxWait: this.fetchMaxWaitTime, minBytes: this.fetchMinBytes };
    if (block) {
      this.fetchMaxWaitTime = timeoutMs === 0 ? FETCH_DEFAULT_BLOCK_TIMEOUT_MS : timeoutMs; // `if not timeout: timeout = 1`
      this.fetchMinBytes = 1;
    } else {
      this.fetchMinBytes = 0;
    }
    try {
      await this.fetch();
    } finally {
      this.fetchMaxWaitTime = saved.maxWait;
      this.fetchMinBytes = saved.minBytes;
    }
  }

  /** `_fetch()`. */
  private async fetch(): Promise<void> {
    let sizes = new Map<number, number>([...this.fetchPositions.keys()].map((p) => [p, this.bufferSize]));
    while (sizes.size > 0) {
      this.stats.fetchRequests++;
      const payloads = [...sizes].map(([partition, maxBytes]) => ({ topic: this.topic, partition, offset: this.fetchPositions.get(partition)!, maxBytes }));
      const responses = await this.client.sendFetchRequest(payloads, {
        maxWaitTime: Math.trunc(this.fetchMaxWaitTime),
        minBytes: this.fetchMinBytes,
        failOnError: false,
      });
      const retry = new Map<number, number>();
      for (const response of responses) {
        if (response instanceof FailedPayloadsError) {
          retry.set(response.partition, sizes.get(response.partition)!);
          continue;
        }
        const { partition } = response;
        if (response.errorCode !== ErrorCode.NoError) {
          if (response.errorCode === ErrorCode.UnknownTopicOrPartition) {
            this.client.resetTopicMetadata(this.topic);
            throw kafkaErrorFor(response.errorCode, `${this.topic}-${partition}`);
          }
          if (response.errorCode === ErrorCode.NotLeaderForPartition) {
            this.client.resetTopicMetadata(this.topic);
            continue;
          }
          if (response.errorCode === ErrorCode.OffsetOutOfRange) {
            await this.resetPartitionOffset(partition, response);
            retry.set(partition, sizes.get(partition)!);
            continue;
          }
          throw kafkaErrorFor(response.errorCode, `${this.topic}-${partition}`);
        }
        const size = sizes.get(partition)!;
        if (response.batches.length === 0 && response.partialMessage) {
          // ConsumerFetchSizeTooSmall: not even one complete message in `size` bytes.
          if (this.maxBufferSize !== null && size === this.maxBufferSize) {
            throw new FetchSizeTooSmallError(this.topic, partition, this.fetchPositions.get(partition)!, size);
          }
          const grown = this.maxBufferSize === null ? size * 2 : Math.min(size * 2, this.maxBufferSize);
          this.stats.bufferGrowths.push({ partition, offset: this.fetchPositions.get(partition)!, from: size, to: grown });
          retry.set(partition, grown);
          continue;
        }
        // Complete messages only; a trailing partial message is dropped (StopIteration).
        for (const { offset, message } of messagesOf(response.batches)) {
          if (offset < this.fetchPositions.get(partition)!) continue;
          this.queue.push({ partition, offset, key: message.key, value: message.value });
          this.fetchPositions.set(partition, offset + 1);
        }
      }
      sizes = retry;
    }
  }

  /** `reset_partition_offset(partition)` after OffsetOutOfRange. */
  private async resetPartitionOffset(partition: number, response: FetchPartitionData): Promise<void> {
    const policy = this.autoOffsetReset;
    if (policy === null) throw kafkaErrorFor(response.errorCode, `${this.topic}-${partition} at offset ${this.fetchPositions.get(partition)}`);
    const time = policy === 'largest' ? LATEST_TIME : EARLIEST_TIME;
    try {
      const [answer] = await this.client.sendOffsetRequest([{ topic: this.topic, partition, time, maxOffsets: 1 }]);
      if (answer === undefined || answer instanceof FailedPayloadsError) return;
      const to = answer.offsets[0]!;
      this.stats.offsetResets.push({ partition, from: this.fetchPositions.get(partition)!, to, policy });
      this.positions.set(partition, to);
      this.fetchPositions.set(partition, to);
    } catch (error) {
      // "%s sending offset request" is logged; the offsets stay as they were.
      if (!isKafkaPythonError(error)) throw error;
    }
  }

  // ---------------------------------------------------------------- committing

  /**
   * `commit(partitions=None)`: stores the positions with OffsetCommit v0. Undefined when nothing
   * was consumed since the last commit, true on success, false on a Kafka error.
   */
  async commit(partitions?: readonly number[]): Promise<boolean | undefined> {
    return this.commitBy('manual', partitions);
  }

  /** `pending(partitions=None)`: messages between each position and the latest offset. */
  async pending(partitions?: readonly number[]): Promise<number> {
    const targets = partitions ?? this.partitions;
    const responses = await this.client.sendOffsetRequest(targets.map((p) => ({ topic: this.topic, partition: p, time: LATEST_TIME, maxOffsets: 1 })));
    let total = 0;
    for (const response of responses) {
      if (response instanceof FailedPayloadsError) throw response;
      total += response.offsets[0]! - this.positions.get(response.partition)!;
    }
    return total;
  }

  /** `stop()`: stops the auto-commit timer and commits — only when there is a timer (0.9.5). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timerRunning) {
      this.stopTimer();
      await this.commitBy('stop');
    }
  }

  private async autoCommitByCount(): Promise<void> {
    if (!this.autoCommit || this.autoCommitEveryN === null) return;
    if (this.countSinceCommit >= this.autoCommitEveryN) await this.commitBy('count');
  }

  private async commitBy(by: PartitionConsumerStats['commits'][number]['by'], partitions?: readonly number[]): Promise<boolean | undefined> {
    if (this.countSinceCommit === 0) return undefined;
    if (this.group === null) throw new ConfigError('group', null, 'a group name to commit offsets under');
    return this.commitLock.run(async () => {
      if (this.countSinceCommit === 0) return undefined;
      const targets = partitions ?? this.partitions;
      const offsets = new Map(targets.map((p) => [p, this.positions.get(p)!] as const));
      try {
        await this.client.sendOffsetCommitRequest(
          this.group!,
          [...offsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset, metadata: null })),
        );
      } catch (error) {
        if (!isKafkaPythonError(error)) throw error;
        this.stats.commits.push({ atMs: this.runtime.nowMs(), offsets, ok: false, by });
        return false; // "%s saving offsets: %s" is logged
      }
      this.stats.commits.push({ atMs: this.runtime.nowMs(), offsets, ok: true, by });
      this.countSinceCommit = 0;
      return true;
    });
  }

  /** `ReentrantTimer(t, self.commit)`: wait t, commit, wait t, ... until stopped. */
  private startTimer(intervalMs: number): void {
    this.timerRunning = true;
    this.runtime.spawn(`${this.client.clientId}/auto-commit ${this.topic}`, async () => {
      for (;;) {
        await this.runtime.sleep(intervalMs);
        if (!this.timerRunning) return;
        await this.commitBy('timer');
      }
    });
  }

  private stopTimer(): void {
    this.timerRunning = false;
  }
}

// ------------------------------------------------------------------ options

const OPTION_KEYS: readonly (keyof PartitionConsumerOptions)[] = [
  'group',
  'topic',
  'partitions',
  'autoCommit',
  'autoCommitEveryN',
  'autoCommitEveryT',
  'fetchSizeBytes',
  'bufferSize',
  'maxBufferSize',
  'iterTimeoutMs',
  'autoOffsetReset',
];

function validateOptions(options: PartitionConsumerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'an object { group, topic, ... }');
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(key, (options as unknown as Record<string, unknown>)[key], `not set: it is not an option (options: ${OPTION_KEYS.join(', ')})`);
    }
  }
  const group = options.group;
  if (!(group === null || (typeof group === 'string' && group.length > 0))) throw new ConfigError('group', group, 'a non-empty group name or null');
  if (typeof options.topic !== 'string' || options.topic.length === 0) throw new ConfigError('topic', options.topic, 'a non-empty topic name');
  let partitions: number[] | undefined;
  if (options.partitions !== undefined) {
    if (!Array.isArray(options.partitions) || !options.partitions.every((p) => Number.isInteger(p) && p >= 0)) {
      throw new ConfigError('partitions', options.partitions, 'an array of partition ids (non-negative integers)');
    }
    partitions = [...new Set(options.partitions)];
  }
  const autoCommit = options.autoCommit ?? true;
  if (typeof autoCommit !== 'boolean') throw new ConfigError('autoCommit', autoCommit, 'true or false');
  if (autoCommit && group === null) throw new ConfigError('autoCommit', autoCommit, 'false when group is null (offsets are committed under the group)');
  const autoCommitEveryN = options.autoCommitEveryN === undefined ? AUTO_COMMIT_MSG_COUNT : options.autoCommitEveryN;
  if (!(autoCommitEveryN === null || (Number.isInteger(autoCommitEveryN) && autoCommitEveryN > 0))) {
    throw new ConfigError('autoCommitEveryN', autoCommitEveryN, 'a positive integer (messages) or null');
  }
  const autoCommitEveryT = options.autoCommitEveryT === undefined ? AUTO_COMMIT_INTERVAL_MS : options.autoCommitEveryT;
  // ReentrantTimer: "Invalid timeout value" for t <= 0.
  if (!(autoCommitEveryT === null || (Number.isInteger(autoCommitEveryT) && autoCommitEveryT > 0))) {
    throw new ConfigError('autoCommitEveryT', autoCommitEveryT, 'a positive integer (ms) or null');
  }
  const fetchSizeBytes = options.fetchSizeBytes ?? FETCH_MIN_BYTES;
  if (!Number.isInteger(fetchSizeBytes) || fetchSizeBytes < 0) throw new ConfigError('fetchSizeBytes', fetchSizeBytes, 'a non-negative integer (bytes)');
  const bufferSize = options.bufferSize ?? FETCH_BUFFER_SIZE_BYTES;
  if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new ConfigError('bufferSize', bufferSize, 'a positive integer (bytes)');
  const maxBufferSize = options.maxBufferSize === undefined ? MAX_FETCH_BUFFER_SIZE_BYTES : options.maxBufferSize;
  if (!(maxBufferSize === null || (Number.isInteger(maxBufferSize) && maxBufferSize > 0))) {
    throw new ConfigError('maxBufferSize', maxBufferSize, 'a positive integer (bytes) or null (no limit)');
  }
  if (maxBufferSize !== null && bufferSize > maxBufferSize) {
    throw new ConfigError('bufferSize', bufferSize, `at most maxBufferSize (${maxBufferSize})`);
  }
  const iterTimeoutMs = options.iterTimeoutMs ?? null;
  if (!(iterTimeoutMs === null || (Number.isInteger(iterTimeoutMs) && iterTimeoutMs > 0))) {
    throw new ConfigError('iterTimeoutMs', iterTimeoutMs, 'a positive integer (ms) or null');
  }
  const autoOffsetReset = options.autoOffsetReset === undefined ? 'largest' : options.autoOffsetReset;
  if (!(autoOffsetReset === 'largest' || autoOffsetReset === 'smallest' || autoOffsetReset === null)) {
    throw new ConfigError('autoOffsetReset', autoOffsetReset, "'largest', 'smallest' or null (raise OffsetOutOfRangeError)");
  }
  return {
    group,
    topic: options.topic,
    partitions,
    autoCommit,
    autoCommitEveryN,
    autoCommitEveryT,
    fetchSizeBytes,
    bufferSize,
    maxBufferSize,
    iterTimeoutMs,
    autoOffsetReset,
  };
}
