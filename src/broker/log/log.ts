/**
 * The replica log of one partition on one broker (Kafka 0.8.2 `kafka.log.Log`), kept in memory.
 *
 * Messages live as `MessageBatch`es in an append-only store (`src/sim/append-only-store.ts`), and
 * the world tree refers to the log by a `LogRef`. A store only grows, so (storeId, batchCount)
 * names exactly the batches a snapshot saw. Anything that removes messages (truncation, a power
 * loss) switches the log to a new store holding references to the kept batches, slicing the one
 * batch that straddles the cut; the old store, and every snapshot that refers to it, is untouched.
 *
 * Replicas share batch objects: a follower appends the batches its fetch returned, which are the
 * leader's own batch objects whenever they arrived whole (see `read`). A produced batch of plain
 * messages is stored in columns (`batchOf`): no object per message stays in the log.
 *
 * Not modelled: segments (rolling, the offset index, `log.segment.bytes`), retention and
 * compaction (so the log start offset moves only by `truncateFullyAndStartAt`), CRC validation
 * and recovery of corrupt data, compression, and the size limits `Log.append` enforces
 * (`message.max.bytes`, message sets larger than a segment), which belong to produce handling.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { nextOffsetOf, producedBatch, producedCount, type Message, type MessageAndOffset, type MessageBatch, type ProducedMessages } from '../../protocol/message.ts';
import type { AppendOnlyStore, StoreRegistry } from '../../sim/append-only-store.ts';
import { assert } from '../../sim/assert.ts';
import { InvalidArgumentError } from '../../sim/errors.ts';
import { requireInteger, requireNonNegativeInteger } from '../../sim/validate.ts';

/**
 * How the world state refers to a log: everything a snapshot needs to read it back, and what a
 * broker reopens after a restart (its "disk"). Immutable; a new object after every change.
 */
export interface LogRef {
  readonly storeId: number;
  /** The log is the first `batchCount` batches of the store. */
  readonly batchCount: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Offsets below it are flushed to disk and survive a power loss. */
  readonly recoveryPoint: number;
}

export interface LogOptions {
  readonly registry: StoreRegistry<MessageBatch>;
  /**
   * Flush once this many messages are unflushed (`log.flush.interval.messages`, topic
   * `flush.messages`; at least 1). Kafka 0.8.2's default is Long.MaxValue: never.
   */
  readonly flushIntervalMessages?: number;
  /**
   * `flushIfDue` flushes when this long has passed since the last flush (`log.flush.interval.ms`,
   * topic `flush.ms`). Kafka 0.8.2's default is Long.MaxValue: never.
   */
  readonly flushIntervalMs?: number;
  /** Virtual time the log is opened at: Kafka counts time since the last flush from there. */
  readonly nowMs: number;
}

/** Kafka 0.8.2's default for both flush intervals, Long.MaxValue, as far as a number reaches. */
export const FLUSH_NEVER = Number.MAX_SAFE_INTEGER;

export interface LogReadData {
  readonly ok: true;
  /** Complete messages from the start offset on, in order. */
  readonly batches: readonly MessageBatch[];
  /** Sum of the batches' `sizeBytes`. */
  readonly sizeBytes: number;
  /**
   * True when Kafka's response would end with the first bytes of one more message that did not
   * fit in `maxBytes`. A client drops them; if they come with no complete message, the client
   * learns its fetch size is smaller than the next message.
   */
  readonly partialMessage: boolean;
}

export interface LogReadError {
  readonly ok: false;
  readonly errorCode: typeof ErrorCode.OffsetOutOfRange | typeof ErrorCode.Unknown;
}

export type LogRead = LogReadData | LogReadError;

const NOTHING: LogReadData = Object.freeze({ ok: true, batches: Object.freeze([]), sizeBytes: 0, partialMessage: false });

export class Log {
  private readonly registry: StoreRegistry<MessageBatch>;
  private readonly flushIntervalMessages: number;
  private readonly flushIntervalMs: number;
  private store: AppendOnlyStore<MessageBatch>;
  /** The log's whole state but the flush time; handed out as `ref` while unchanged. */
  private image: LogRef;
  private lastFlushMs: number;

  constructor(options: LogOptions) {
    this.registry = options.registry;
    this.flushIntervalMessages = requireInteger('flushIntervalMessages', options.flushIntervalMessages ?? FLUSH_NEVER, 1);
    this.flushIntervalMs = requireNonNegativeInteger('flushIntervalMs', options.flushIntervalMs ?? FLUSH_NEVER);
    this.lastFlushMs = requireNonNegativeInteger('nowMs', options.nowMs);
    this.store = this.registry.create();
    this.image = { storeId: this.store.id, batchCount: 0, logStartOffset: 0, logEndOffset: 0, recoveryPoint: 0 };
  }

  /**
   * Reopens a log from its image after a broker restart. The image's store is reused when the
   * image covers all of it; a store that grew after the image was taken (an image from an older
   * snapshot) is cut back into a new store, because appending to it would land after batches that
   * are not part of this log. The last-flush time starts at `options.nowMs`, as Kafka's does when
   * it loads a log.
   */
  static restore(options: LogOptions, image: LogRef): Log {
    const store = options.registry.get(image.storeId);
    const { batchCount, logStartOffset, logEndOffset, recoveryPoint } = image;
    const consistent =
      Number.isSafeInteger(batchCount) &&
      batchCount >= 0 &&
      batchCount <= store.length &&
      Number.isSafeInteger(logStartOffset) &&
      Number.isSafeInteger(recoveryPoint) &&
      0 <= logStartOffset &&
      logStartOffset <= recoveryPoint &&
      recoveryPoint <= logEndOffset &&
      (batchCount === 0
        ? logEndOffset === logStartOffset
        : store.at(0).baseOffset === logStartOffset && nextOffsetOf(store.at(batchCount - 1)) === logEndOffset);
    if (!consistent) throw new InvalidArgumentError('image', image, 'the ref of a log whose store is in this registry');
    const log = new Log(options);
    options.registry.release(log.store.id); // the empty store the constructor made; nothing saw it
    log.store = store.length === batchCount ? store : options.registry.truncated(store, batchCount);
    log.image = { storeId: log.store.id, batchCount, logStartOffset, logEndOffset, recoveryPoint };
    return log;
  }

  /** The offset the next appended message gets. */
  get logEndOffset(): number {
    return this.image.logEndOffset;
  }

  /** The first offset in the log: 0 unless `truncateFullyAndStartAt` moved it. */
  get logStartOffset(): number {
    return this.image.logStartOffset;
  }

  /** Offsets below it are flushed to disk (Kafka's `recoveryPoint`). */
  get recoveryPoint(): number {
    return this.image.recoveryPoint;
  }

  get ref(): LogRef {
    return this.image;
  }

  /** The number of messages in the log. */
  get size(): number {
    return this.image.logEndOffset - this.image.logStartOffset;
  }

  /**
   * Appends messages a producer sent to this leader as one batch, with consecutive offsets from
   * the log end offset (`Log.append` with `assignOffsets = true`). Returns the stored batch too.
   */
  appendAsLeader(messages: ProducedMessages, nowMs: number): { firstOffset: number; lastOffset: number; batch: MessageBatch } {
    requireNonNegativeInteger('nowMs', nowMs);
    if (typeof messages !== 'object' || messages === null || producedCount(messages) === 0) {
      throw new InvalidArgumentError('messages', messages, 'a non-empty list or batch of messages');
    }
    const firstOffset = this.image.logEndOffset;
    const batch = producedBatch(messages, firstOffset);
    this.appendBatches([batch], nowMs);
    return { firstOffset, lastOffset: firstOffset + batch.count - 1, batch };
  }

  /**
   * Appends batches fetched from the leader, keeping the leader's offsets (`Log.append` with
   * `assignOffsets = false`) and the batch objects themselves. The fetch started at this log's
   * end offset, so the batches must continue it exactly: `ReplicaFetcherThread.processPartitionData`
   * throws a RuntimeException on an offset mismatch, and a gap or overlap here is a bug in the
   * fetcher. Empty batches carry nothing and are skipped, as `Log.append` skips an empty set.
   */
  appendAsFollower(batches: readonly MessageBatch[], nowMs: number): void {
    requireNonNegativeInteger('nowMs', nowMs);
    const kept = batches.filter((batch) => batch.count > 0);
    let expected = this.image.logEndOffset;
    for (const batch of kept) {
      assert(
        batch.baseOffset === expected,
        `a follower append must continue the log at offset ${expected}, got a batch at ${batch.baseOffset}`,
      );
      expected = nextOffsetOf(batch);
    }
    this.appendBatches(kept, nowMs);
  }

  /**
   * Flushes everything appended so far (`Log.flush()`); the time of the last flush only moves
   * when there was something to flush. Returns whether anything was flushed.
   */
  flush(nowMs: number): boolean {
    requireNonNegativeInteger('nowMs', nowMs);
    if (this.image.logEndOffset <= this.image.recoveryPoint) return false;
    this.image = { ...this.image, recoveryPoint: this.image.logEndOffset };
    this.lastFlushMs = nowMs;
    return true;
  }

  /**
   * The periodic flusher's check (`LogManager.flushDirtyLogs`, every
   * `log.flush.scheduler.interval.ms`): flush if `flushIntervalMs` has passed since the last flush.
   */
  flushIfDue(nowMs: number): boolean {
    requireNonNegativeInteger('nowMs', nowMs);
    return nowMs - this.lastFlushMs >= this.flushIntervalMs && this.flush(nowMs);
  }

  /**
   * Reads complete messages from `startOffset`, at most `maxBytes` of them by `sizeBytes`, and
   * only offsets below `maxOffset` when given (a consumer's fetch passes the high watermark).
   * Follows `Log.read` and `LogSegment.read`, in their order of checks:
   * - `startOffset` = log end offset: nothing, no error;
   * - `startOffset` above the log end offset or below the log start offset: OffsetOutOfRange;
   * - `maxBytes` = 0: nothing, no error (checked before `maxOffset`);
   * - `maxOffset` < `startOffset` (HW < start < LEO, e.g. just after a failover to a leader whose
   *   HW lags): `LogSegment.read` throws IllegalArgumentException, which the broker answers -1.
   * Whole stored batches are returned as they are; only the batches at the two edges of the read
   * are sliced into new batch objects (sharing the payloads).
   */
  read(startOffset: number, maxBytes: number, maxOffset?: number): LogRead {
    requireNonNegativeInteger('startOffset', startOffset);
    requireNonNegativeInteger('maxBytes', maxBytes);
    if (maxOffset !== undefined) requireNonNegativeInteger('maxOffset', maxOffset);
    const { logStartOffset, logEndOffset, batchCount } = this.image;
    if (startOffset === logEndOffset) return NOTHING;
    if (startOffset > logEndOffset || startOffset < logStartOffset) {
      return { ok: false, errorCode: ErrorCode.OffsetOutOfRange };
    }
    if (maxBytes === 0) return NOTHING;
    if (maxOffset !== undefined && maxOffset < startOffset) return { ok: false, errorCode: ErrorCode.Unknown };

    const end = Math.min(logEndOffset, maxOffset ?? logEndOffset);
    const stored = this.store.view();
    const batches: MessageBatch[] = [];
    let remaining = maxBytes;
    for (let i = this.batchIndexOf(startOffset); i < batchCount; i++) {
      const batch = stored[i]!;
      if (batch.baseOffset >= end) break;
      const from = Math.max(startOffset, batch.baseOffset) - batch.baseOffset;
      const to = Math.min(nextOffsetOf(batch), end) - batch.baseOffset;
      if (from === 0 && to === batch.count && batch.sizeBytes <= remaining) {
        batches.push(batch);
        remaining -= batch.sizeBytes;
        continue;
      }
      let next = from;
      for (; next < to; next++) {
        const size = batch.sizeBytesAt(next);
        if (size > remaining) break;
        remaining -= size;
      }
      if (next > from) batches.push(batch.slice(from, next));
      // Message `next` did not fit: Kafka sends the `remaining` bytes it has room for.
      if (next < to) return { ok: true, batches, sizeBytes: maxBytes - remaining, partialMessage: remaining > 0 };
    }
    return { ok: true, batches, sizeBytes: maxBytes - remaining, partialMessage: false };
  }

  /** The message at `offset`, or undefined if the log does not hold that offset. */
  messageAt(offset: number): Message | undefined {
    requireNonNegativeInteger('offset', offset);
    if (offset < this.image.logStartOffset || offset >= this.image.logEndOffset) return undefined;
    const batch = this.store.view()[this.batchIndexOf(offset)]!;
    return batch.messageAt(offset - batch.baseOffset);
  }

  /**
   * The messages with offsets in [from, to) that the log holds, as the log is now (later appends
   * and truncations do not change what an iteration started earlier yields).
   */
  messages(from: number = this.image.logStartOffset, to: number = this.image.logEndOffset): Generator<MessageAndOffset> {
    requireNonNegativeInteger('from', from);
    requireNonNegativeInteger('to', to);
    const start = Math.max(from, this.image.logStartOffset);
    const end = Math.min(to, this.image.logEndOffset);
    if (start >= end) return iterate([], start, end);
    return iterate(this.store.slice(this.batchIndexOf(start), this.batchIndexOf(end - 1) + 1), start, end);
  }

  /**
   * Removes every message at `offset` and above (`Log.truncateTo`): a follower truncating to its
   * high watermark, or to the leader's log end offset. Nothing happens if `offset` ≥ the log end
   * offset; an offset below the log start offset empties the log and starts it there, as Kafka
   * does when the first segment starts above the target.
   */
  truncateTo(offset: number): void {
    requireNonNegativeInteger('offset', offset);
    if (offset >= this.image.logEndOffset) return;
    if (offset < this.image.logStartOffset) return this.truncateFullyAndStartAt(offset);
    this.keepBelow(offset);
  }

  /**
   * Empties the log and starts it at `offset` (`Log.truncateFullyAndStartAt`): a follower whose
   * fetch offset fell below the leader's log start offset. Kafka sets the recovery point to
   * min(offset, recovery point); here the empty log counts as flushed up to `offset` instead, so
   * that offsets below the log start never count as unflushed messages.
   */
  truncateFullyAndStartAt(offset: number): void {
    requireNonNegativeInteger('offset', offset);
    this.store = this.registry.create();
    this.image = { storeId: this.store.id, batchCount: 0, logStartOffset: offset, logEndOffset: offset, recoveryPoint: offset };
  }

  /**
   * A power loss: only the messages below the recovery point were on disk. (A process crash
   * alone loses nothing: the OS still writes out its page cache.)
   */
  loseUnflushed(): void {
    if (this.image.recoveryPoint < this.image.logEndOffset) this.keepBelow(this.image.recoveryPoint);
  }

  private appendBatches(batches: readonly MessageBatch[], nowMs: number): void {
    if (batches.length === 0) return;
    // The log is the whole store: another Log appending to it (a second restore of one image
    // that reused the store) would interleave two logs' batches.
    assert(this.store.length === this.image.batchCount, `store ${this.store.id} grew outside its log`);
    for (const batch of batches) this.store.append(batch);
    this.image = {
      ...this.image,
      batchCount: this.store.length,
      logEndOffset: nextOffsetOf(batches[batches.length - 1]!),
    };
    // `Log.append`: flush when the unflushed messages reach `flush.messages`.
    if (this.image.logEndOffset - this.image.recoveryPoint >= this.flushIntervalMessages) this.flush(nowMs);
  }

  /** Switches to a new store holding the messages below `offset` (log start ≤ offset < LEO). */
  private keepBelow(offset: number): void {
    const { logStartOffset, recoveryPoint } = this.image;
    let store: AppendOnlyStore<MessageBatch>;
    if (offset === logStartOffset) {
      store = this.registry.create();
    } else {
      const last = this.batchIndexOf(offset - 1);
      const batch = this.store.at(last);
      const kept = offset - batch.baseOffset;
      store = this.registry.truncated(this.store, kept === batch.count ? last + 1 : last);
      if (kept < batch.count) store.append(batch.slice(0, kept));
    }
    this.store = store;
    this.image = {
      storeId: store.id,
      batchCount: store.length,
      logStartOffset,
      logEndOffset: offset,
      recoveryPoint: Math.min(recoveryPoint, offset),
    };
  }

  /** Index of the batch holding `offset` (log start ≤ offset < LEO), by binary search. */
  private batchIndexOf(offset: number): number {
    const stored = this.store.view();
    let low = 0;
    let high = this.image.batchCount - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (stored[middle]!.baseOffset <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

function* iterate(batches: readonly MessageBatch[], from: number, to: number): Generator<MessageAndOffset> {
  for (const batch of batches) {
    for (let i = Math.max(from - batch.baseOffset, 0); i < batch.count; i++) {
      const offset = batch.baseOffset + i;
      if (offset >= to) return;
      yield { offset, message: batch.messageAt(i) };
    }
  }
}
