/**
 * The replica log as a specification: what `Log` must do, case by case, with the Kafka 0.8.2
 * behaviour it reproduces (`kafka.log.Log`, `LogSegment`, `LogManager.flushDirtyLogs`).
 */
import { describe, expect, it } from 'vitest';
import { FLUSH_NEVER, Log, type LogOptions, type LogRead, type LogReadData, type LogRef } from '../../../src/broker/log/index.ts';
import { ErrorCode } from '../../../src/protocol/errors.ts';
import { batchOf, createMessage, messagesOf, type Message, type MessageAndOffset, type MessageBatch } from '../../../src/protocol/message.ts';
import { StoreRegistry } from '../../../src/sim/append-only-store.ts';
import { AssertionFailedError } from '../../../src/sim/assert.ts';
import { InvalidArgumentError } from '../../../src/sim/errors.ts';
import { thrownBy } from '../../sim/support.ts';

const MiB = 1024 * 1024;

function newLog(options: Partial<LogOptions> = {}): { log: Log; registry: StoreRegistry<MessageBatch>; options: LogOptions } {
  const registry = options.registry ?? new StoreRegistry<MessageBatch>();
  const full: LogOptions = { nowMs: 0, ...options, registry };
  return { log: new Log(full), registry, options: full };
}

/** `count` messages whose values are `${prefix}0`, `${prefix}1`, ... */
function messages(count: number, prefix = 'm'): Message[] {
  return Array.from({ length: count }, (_, i) => createMessage(null, `${prefix}${i}`));
}

/** A message of exactly `sizeBytes` (overhead 12 + header 14 + value). */
function messageOfSize(sizeBytes: number): Message {
  const message = createMessage(null, 'x'.repeat(sizeBytes - 26));
  expect(message.sizeBytes).toBe(sizeBytes);
  return message;
}

function data(read: LogRead): LogReadData {
  if (!read.ok) throw new Error(`expected data, got error code ${read.errorCode}`);
  return read;
}

function offsetsOf(read: LogRead): number[] {
  return [...messagesOf(data(read).batches)].map((m) => m.offset);
}

function all(log: Log): MessageAndOffset[] {
  return [...log.messages()];
}

/** What the store behind a ref holds for it: the check that history snapshots rely on. */
function readRef(registry: StoreRegistry<MessageBatch>, ref: LogRef): MessageAndOffset[] {
  return [...messagesOf(registry.get(ref.storeId).slice(0, ref.batchCount))];
}

describe('Log: appends and reads', () => {
  it('starts empty at offset 0, and reading at the log end offset is empty, not an error', () => {
    const { log } = newLog();
    expect([log.logStartOffset, log.logEndOffset, log.recoveryPoint, log.size]).toEqual([0, 0, 0, 0]);
    expect(log.ref).toMatchObject({ batchCount: 0, logStartOffset: 0, logEndOffset: 0, recoveryPoint: 0 });
    expect(log.read(0, MiB)).toEqual({ ok: true, batches: [], sizeBytes: 0, partialMessage: false });
  });

  it('a leader append assigns consecutive offsets from the log end offset, one batch per append', () => {
    const { log } = newLog();
    expect(log.appendAsLeader(messages(3, 'a'), 0)).toMatchObject({ firstOffset: 0, lastOffset: 2 });
    expect(log.appendAsLeader(messages(2, 'b'), 0)).toMatchObject({ firstOffset: 3, lastOffset: 4 });
    expect([log.logEndOffset, log.size, log.ref.batchCount]).toEqual([5, 5, 2]);
    expect(all(log).map((m) => [m.offset, m.message.value])).toEqual([
      [0, 'a0'],
      [1, 'a1'],
      [2, 'a2'],
      [3, 'b0'],
      [4, 'b1'],
    ]);
    expect(log.messageAt(3)?.value).toBe('b0');
    expect(log.messageAt(5)).toBeUndefined();
  });

  it('reads back the appended messages, reusing whole stored batches and slicing only the edges', () => {
    const { log } = newLog();
    const first = messages(3, 'a');
    const second = messages(4, 'b');
    log.appendAsLeader(first, 0);
    log.appendAsLeader(second, 0);
    const whole = data(log.read(0, MiB));
    expect(whole.batches).toHaveLength(2);
    expect(whole.batches[0]).toBe(data(log.read(0, MiB)).batches[0]); // the stored object, not a copy
    expect(whole.batches.flatMap((b) => b.messages)).toEqual([...first, ...second]);

    const fromMiddle = data(log.read(1, MiB));
    expect(fromMiddle.batches.map((b) => b.baseOffset)).toEqual([1, 3]);
    expect(fromMiddle.batches[0]!.messages[0]).toEqual(first[1]);
    expect(fromMiddle.batches[1]).toBe(whole.batches[1]);
    expect(fromMiddle.batches[0]!.sizeBytes).toBe(first[1]!.sizeBytes + first[2]!.sizeBytes);
  });

  it('a leader append of a batch (records as they arrived) places the same records at the log end offset', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(2, 'a'), 0);
    const arrived = batchOf(0, messages(3, 'b'));
    const { firstOffset, lastOffset, batch } = log.appendAsLeader(arrived, 0);
    expect([firstOffset, lastOffset, batch.baseOffset, batch.count]).toEqual([2, 4, 2, 3]);
    expect(all(log).map((m) => [m.offset, m.message.value])).toEqual([[0, 'a0'], [1, 'a1'], [2, 'b0'], [3, 'b1'], [4, 'b2']]);
    expect(arrived.baseOffset).toBe(0); // placed, not changed
  });

  it('keeps its own copy of the list a leader appends', () => {
    const { log } = newLog();
    const list = messages(2);
    log.appendAsLeader(list, 0);
    list.push(createMessage(null, 'late'));
    expect(log.size).toBe(2);
    expect(data(log.read(0, MiB)).batches[0]!.messages).toHaveLength(2);
  });

  it('messages(from, to) yields the held offsets in [from, to), clamped to the log', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(3), 0);
    log.appendAsLeader(messages(3), 0);
    expect([...log.messages(2, 5)].map((m) => m.offset)).toEqual([2, 3, 4]);
    expect([...log.messages(4)].map((m) => m.offset)).toEqual([4, 5]);
    expect([...log.messages(0, 100)].map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...log.messages(6)]).toEqual([]);
    expect([...log.messages(4, 2)]).toEqual([]);
  });

  it('an iteration started earlier is not affected by later appends or truncations', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(3), 0);
    const iteration = log.messages();
    log.truncateTo(1);
    log.appendAsLeader(messages(5, 'late'), 0);
    expect([...iteration].map((m) => m.message.value)).toEqual(['m0', 'm1', 'm2']);
  });
});

describe('Log.read: byte limits (maxBytes counts each message’s sizeBytes)', () => {
  // Five messages of 100 bytes each, appended as a batch of 2 and a batch of 3.
  function fiveOf100(): Log {
    const { log } = newLog();
    log.appendAsLeader([messageOfSize(100), messageOfSize(100)], 0);
    log.appendAsLeader([messageOfSize(100), messageOfSize(100), messageOfSize(100)], 0);
    return log;
  }

  it('returns as many complete messages as fit, and says a partial message follows', () => {
    const read = data(fiveOf100().read(0, 350));
    expect(offsetsOf(read)).toEqual([0, 1, 2]);
    expect(read.sizeBytes).toBe(300);
    expect(read.partialMessage).toBe(true);
  });

  it('an exact fit has no partial message; neither does the end of the log', () => {
    const log = fiveOf100();
    const exact = data(log.read(0, 300));
    expect([offsetsOf(exact), exact.partialMessage]).toEqual([[0, 1, 2], false]);
    const everything = data(log.read(0, 500));
    expect([offsetsOf(everything), everything.sizeBytes, everything.partialMessage]).toEqual([[0, 1, 2, 3, 4], 500, false]);
    const more = data(log.read(3, 10_000));
    expect([offsetsOf(more), more.partialMessage]).toEqual([[3, 4], false]);
  });

  it('a first message larger than maxBytes gives zero messages and a partial message', () => {
    const { log } = newLog();
    log.appendAsLeader([messageOfSize(1000)], 0);
    expect(log.read(0, 999)).toEqual({ ok: true, batches: [], sizeBytes: 0, partialMessage: true });
    expect(offsetsOf(log.read(0, 1000))).toEqual([0]);
  });

  it('maxBytes 0 returns nothing, with no partial bytes (LogSegment.read returns an empty set)', () => {
    expect(fiveOf100().read(2, 0)).toEqual({ ok: true, batches: [], sizeBytes: 0, partialMessage: false });
  });

  it('counts exact sizes computed from createMessage (keys, values, UTF-8)', () => {
    const { log } = newLog();
    const batch = [createMessage('k', 'v'), createMessage(null, 'héllo'), createMessage('key', null), createMessage(new Uint8Array(7), 'x')];
    expect(batch.map((m) => m.sizeBytes)).toEqual([28, 32, 29, 34]);
    log.appendAsLeader(batch, 0);
    expect(offsetsOf(log.read(0, 28 + 32 + 29))).toEqual([0, 1, 2]);
    expect(offsetsOf(log.read(0, 28 + 32 + 29 - 1))).toEqual([0, 1]);
    expect(offsetsOf(log.read(1, 32 + 29 + 34))).toEqual([1, 2, 3]);
  });
});

describe('Log.read: maxOffset (the high watermark a consumer fetch passes)', () => {
  function tenMessages(): Log {
    const { log } = newLog();
    log.appendAsLeader(messages(4), 0);
    log.appendAsLeader(messages(6), 0);
    return log;
  }

  it('returns only offsets below maxOffset', () => {
    const log = tenMessages();
    expect(offsetsOf(log.read(0, MiB, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(offsetsOf(log.read(2, MiB, 4))).toEqual([2, 3]);
    expect(offsetsOf(log.read(0, MiB, 100))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('maxOffset = startOffset is an empty read, not an error', () => {
    expect(tenMessages().read(5, MiB, 5)).toEqual({ ok: true, batches: [], sizeBytes: 0, partialMessage: false });
  });

  it('a message at or above maxOffset is not a partial message even if it would not fit', () => {
    const log = tenMessages();
    const size = log.messageAt(0)!.sizeBytes;
    const read = data(log.read(0, 3 * size + 1, 3));
    expect([offsetsOf(read), read.partialMessage]).toEqual([[0, 1, 2], false]);
    expect(data(log.read(0, 3 * size + 1, 4)).partialMessage).toBe(true);
  });
});

describe('Log.read: errors', () => {
  it('an offset above the log end offset is OffsetOutOfRange', () => {
    const { log } = newLog();
    expect(log.read(1, MiB)).toEqual({ ok: false, errorCode: ErrorCode.OffsetOutOfRange });
    log.appendAsLeader(messages(3), 0);
    expect(log.read(4, MiB)).toEqual({ ok: false, errorCode: ErrorCode.OffsetOutOfRange });
    expect(log.read(4, MiB, 2)).toEqual({ ok: false, errorCode: ErrorCode.OffsetOutOfRange });
  });

  it('an offset below the log start offset is OffsetOutOfRange', () => {
    const { log } = newLog();
    log.truncateFullyAndStartAt(10);
    log.appendAsLeader(messages(2), 0);
    expect(log.read(9, MiB)).toEqual({ ok: false, errorCode: ErrorCode.OffsetOutOfRange });
    expect(offsetsOf(log.read(10, MiB))).toEqual([10, 11]);
  });

  it('HW < start < LEO is Unknown (-1): LogSegment.read throws IllegalArgumentException', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(5), 0);
    expect(log.read(3, MiB, 2)).toEqual({ ok: false, errorCode: ErrorCode.Unknown });
  });

  it('start = LEO is empty whatever the HW, and maxBytes 0 is checked before the HW', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(5), 0);
    expect(data(log.read(5, MiB, 2)).batches).toEqual([]);
    expect(data(log.read(3, 0, 2)).batches).toEqual([]);
  });
});

describe('Log: follower appends and batch sharing', () => {
  it('a follower appending whole batches holds the very same batch objects as the leader', () => {
    const registry = new StoreRegistry<MessageBatch>();
    const { log: leader } = newLog({ registry });
    const { log: follower } = newLog({ registry });
    leader.appendAsLeader(messages(3), 0);
    leader.appendAsLeader(messages(2), 0);
    follower.appendAsFollower(data(leader.read(follower.logEndOffset, MiB)).batches, 0);
    expect(follower.logEndOffset).toBe(5);
    const leaderBatches = registry.get(leader.ref.storeId).slice(0, leader.ref.batchCount);
    const followerBatches = registry.get(follower.ref.storeId).slice(0, follower.ref.batchCount);
    expect(followerBatches).toHaveLength(2);
    followerBatches.forEach((batch, i) => expect(batch).toBe(leaderBatches[i]));
  });

  it('replicating with byte-limited fetches slices batches but reproduces every message', () => {
    const registry = new StoreRegistry<MessageBatch>();
    const { log: leader } = newLog({ registry });
    const { log: follower } = newLog({ registry });
    for (let i = 0; i < 5; i++) leader.appendAsLeader(messages(7, `p${i}-`), 0);
    const maxBytes = 3 * leader.messageAt(0)!.sizeBytes + 5;
    let fetches = 0;
    while (follower.logEndOffset < leader.logEndOffset) {
      const read = data(leader.read(follower.logEndOffset, maxBytes));
      follower.appendAsFollower(read.batches, 0);
      fetches++;
    }
    expect(fetches).toBeGreaterThan(5);
    expect(follower.ref.batchCount).toBeGreaterThan(leader.ref.batchCount);
    const leaderMessages = all(leader);
    all(follower).forEach((m, i) => {
      expect(m.offset).toBe(leaderMessages[i]!.offset);
      expect(m.message).toEqual(leaderMessages[i]!.message);
    });
  });

  it('the first batch must start exactly at the log end offset (ReplicaFetcherThread: offset mismatch)', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(2), 0);
    const before = log.ref;
    const gap = batchOf(3, messages(1));
    const overlap = batchOf(1, messages(1));
    expect(thrownBy(() => log.appendAsFollower([gap], 0))).toBeInstanceOf(AssertionFailedError);
    expect(thrownBy(() => log.appendAsFollower([overlap], 0))).toBeInstanceOf(AssertionFailedError);
    expect(log.ref).toBe(before);
  });

  it('batches must be contiguous; a failed append changes nothing', () => {
    const { log } = newLog();
    const first = batchOf(0, messages(2));
    const skipping = batchOf(3, messages(1));
    const error = thrownBy(() => log.appendAsFollower([first, skipping], 0));
    expect(error).toBeInstanceOf(AssertionFailedError);
    expect((error as Error).message).toMatch(/continue the log at offset 2, got a batch at 3/);
    expect([log.logEndOffset, log.ref.batchCount]).toEqual([0, 0]);
  });

  it('an empty fetch, or empty batches in it, append nothing', () => {
    const { log } = newLog();
    const before = log.ref;
    log.appendAsFollower([], 0);
    log.appendAsFollower([batchOf(7, [])], 0);
    expect(log.ref).toBe(before);
    log.appendAsFollower([batchOf(0, messages(1)), batchOf(9, [])], 0);
    expect([log.logEndOffset, log.ref.batchCount]).toEqual([1, 1]);
  });
});

describe('Log: truncation never changes a store', () => {
  function sevenInTwoBatches() {
    const setup = newLog();
    setup.log.appendAsLeader(messages(4, 'a'), 0);
    setup.log.appendAsLeader(messages(3, 'b'), 0);
    return setup;
  }

  it('truncateTo inside a batch slices it into a new store; the old ref still reads everything', () => {
    const { log, registry } = sevenInTwoBatches();
    const before = log.ref;
    const beforeMessages = all(log);
    log.truncateTo(5);
    expect([log.logEndOffset, log.size]).toEqual([5, 5]);
    expect(log.ref.storeId).not.toBe(before.storeId);
    expect(all(log)).toEqual(beforeMessages.slice(0, 5));
    expect(readRef(registry, before)).toEqual(beforeMessages);
    expect(registry.get(before.storeId).length).toBe(2);
    // The kept whole batch is the same object; the cut one is a new slice of the same messages.
    const [kept, cut] = registry.get(log.ref.storeId).slice(0, 2);
    const [original0, original1] = registry.get(before.storeId).slice(0, 2);
    expect(kept).toBe(original0);
    expect(cut).not.toBe(original1);
    expect(cut!.messages[0]).toEqual(original1!.messages[0]);
    expect(cut!.sizeBytes).toBe(original1!.messages[0]!.sizeBytes);
  });

  it('truncateTo at a batch boundary keeps whole batches, and appends continue from there', () => {
    const { log } = sevenInTwoBatches();
    log.truncateTo(4);
    expect([log.logEndOffset, log.ref.batchCount]).toEqual([4, 1]);
    expect(log.appendAsLeader(messages(1, 'c'), 0)).toMatchObject({ firstOffset: 4, lastOffset: 4 });
    expect(all(log).map((m) => m.message.value)).toEqual(['a0', 'a1', 'a2', 'a3', 'c0']);
  });

  it('truncateTo at or above the log end offset does nothing', () => {
    const { log } = sevenInTwoBatches();
    const before = log.ref;
    log.truncateTo(7);
    log.truncateTo(100);
    expect(log.ref).toBe(before);
  });

  it('truncateTo(0) empties the log; truncateTo lowers the recovery point but never raises it', () => {
    const { log } = sevenInTwoBatches();
    log.flush(0);
    log.truncateTo(3);
    expect(log.recoveryPoint).toBe(3);
    log.appendAsLeader(messages(2), 0);
    log.truncateTo(4);
    expect(log.recoveryPoint).toBe(3);
    log.truncateTo(0);
    expect([log.logStartOffset, log.logEndOffset, log.recoveryPoint, log.size, log.ref.batchCount]).toEqual([0, 0, 0, 0, 0]);
  });

  it('truncateFullyAndStartAt empties the log and starts it at the offset', () => {
    const { log, registry } = sevenInTwoBatches();
    const before = log.ref;
    log.truncateFullyAndStartAt(42);
    expect(log.ref).toMatchObject({ batchCount: 0, logStartOffset: 42, logEndOffset: 42, recoveryPoint: 42 });
    expect(log.size).toBe(0);
    expect(log.appendAsLeader(messages(2), 0)).toMatchObject({ firstOffset: 42, lastOffset: 43 });
    expect(log.messageAt(41)).toBeUndefined();
    expect(log.messageAt(42)?.value).toBe('m0');
    expect(readRef(registry, before)).toHaveLength(7);
  });

  it('truncateTo below the log start offset starts the log there (Log.truncateTo → truncateFullyAndStartAt)', () => {
    const { log } = newLog();
    log.truncateFullyAndStartAt(10);
    log.appendAsLeader(messages(3), 0);
    log.truncateTo(4);
    expect([log.logStartOffset, log.logEndOffset, log.size]).toEqual([4, 4, 0]);
  });
});

describe('Log: flush policy and power loss', () => {
  it('with Kafka’s Long.MaxValue defaults nothing is flushed, and a power loss loses everything', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(1000), 0);
    expect(log.flushIfDue(FLUSH_NEVER - 1)).toBe(false);
    expect(log.recoveryPoint).toBe(0);
    const before = log.ref;
    log.loseUnflushed();
    expect([log.logEndOffset, log.size]).toEqual([0, 0]);
    expect(log.ref.storeId).not.toBe(before.storeId);
  });

  it('flush() moves the recovery point to the log end offset; a power loss keeps exactly that prefix', () => {
    const { log, registry } = newLog();
    log.appendAsLeader(messages(3, 'a'), 0);
    expect(log.flush(5)).toBe(true);
    expect(log.flush(6)).toBe(false);
    log.appendAsLeader(messages(2, 'b'), 7);
    expect([log.recoveryPoint, log.logEndOffset]).toEqual([3, 5]);
    const before = log.ref;
    log.loseUnflushed();
    expect(all(log).map((m) => m.message.value)).toEqual(['a0', 'a1', 'a2']);
    expect([log.logEndOffset, log.recoveryPoint]).toEqual([3, 3]);
    expect(readRef(registry, before)).toHaveLength(5);
  });

  it('a power loss with nothing unflushed changes nothing', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(3), 0);
    log.flush(0);
    const before = log.ref;
    log.loseUnflushed();
    expect(log.ref).toBe(before);
  });

  it('a power loss can cut a batch when truncation left the recovery point inside it', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(5), 0);
    log.flush(0);
    log.truncateTo(2);
    log.appendAsLeader(messages(4, 'n'), 0);
    log.loseUnflushed();
    expect(all(log).map((m) => m.message.value)).toEqual(['m0', 'm1']);
  });

  it('flush.messages: an append flushes once unflushed messages reach the interval (Log.append)', () => {
    const { log } = newLog({ flushIntervalMessages: 3 });
    log.appendAsLeader(messages(2), 10);
    expect(log.recoveryPoint).toBe(0);
    log.appendAsLeader(messages(1), 20);
    expect(log.recoveryPoint).toBe(3);
    log.appendAsFollower([batchOf(3, messages(2))], 30);
    expect(log.recoveryPoint).toBe(3);
    log.appendAsLeader(messages(5), 40);
    expect(log.recoveryPoint).toBe(10);
  });

  it('flush.messages = 1 flushes every append, so a power loss loses nothing', () => {
    const { log } = newLog({ flushIntervalMessages: 1 });
    for (let i = 0; i < 5; i++) log.appendAsLeader(messages(2), i);
    log.loseUnflushed();
    expect(log.size).toBe(10);
  });

  it('flush.ms: flushIfDue flushes when the interval has passed since the last flush with data to flush', () => {
    const { log } = newLog({ flushIntervalMs: 1000, nowMs: 500 });
    log.appendAsLeader(messages(2), 600);
    expect(log.flushIfDue(1499)).toBe(false);
    expect(log.flushIfDue(1500)).toBe(true); // 1000 ms since the log was opened
    expect(log.recoveryPoint).toBe(2);
    // Nothing to flush: the last-flush time does not move (Log.flush returns early).
    expect(log.flushIfDue(2600)).toBe(false);
    log.appendAsLeader(messages(1), 2600);
    expect(log.flushIfDue(2600)).toBe(true);
    log.appendAsLeader(messages(1), 2700);
    expect(log.flushIfDue(3599)).toBe(false);
    expect(log.flushIfDue(3600)).toBe(true);
  });

  it('a flush triggered by flush.messages also restarts the flush.ms interval', () => {
    const { log } = newLog({ flushIntervalMessages: 2, flushIntervalMs: 100 });
    log.appendAsLeader(messages(2), 90);
    log.appendAsLeader(messages(1), 95);
    expect(log.flushIfDue(150)).toBe(false);
    expect(log.flushIfDue(190)).toBe(true);
  });
});

describe('Log.restore: reopening a log from its ref after a restart', () => {
  it('reopens over the same store, with the same content and recovery point, and appends continue', () => {
    const { log, registry, options } = newLog();
    log.appendAsLeader(messages(3), 0);
    log.flush(0);
    log.appendAsLeader(messages(2), 0);
    const reopened = Log.restore({ ...options, nowMs: 100 }, log.ref);
    expect(reopened.ref).toEqual(log.ref);
    expect(all(reopened)).toEqual(all(log));
    reopened.appendAsLeader(messages(1, 'x'), 100);
    expect(reopened.logEndOffset).toBe(6);
    expect(registry.get(reopened.ref.storeId).length).toBe(3);
  });

  it('a crash with power loss: lose the unflushed tail, then reopen', () => {
    const { log, options } = newLog();
    log.appendAsLeader(messages(3), 0);
    log.flush(0);
    log.appendAsLeader(messages(2), 0);
    log.loseUnflushed();
    const reopened = Log.restore(options, log.ref);
    expect([reopened.logEndOffset, reopened.recoveryPoint]).toEqual([3, 3]);
  });

  it('restores a started-late log and keeps its log start offset', () => {
    const { log, options } = newLog();
    log.truncateFullyAndStartAt(7);
    log.appendAsLeader(messages(2), 0);
    const reopened = Log.restore(options, log.ref);
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([7, 9]);
    expect(reopened.read(6, MiB)).toEqual({ ok: false, errorCode: ErrorCode.OffsetOutOfRange });
  });

  it('an image of an older state of a store that has grown since is reopened over a new store', () => {
    const { log, registry, options } = newLog();
    log.appendAsLeader(messages(2), 0);
    const old = log.ref;
    log.appendAsLeader(messages(3), 0);
    const reopened = Log.restore(options, old);
    expect(reopened.ref.storeId).not.toBe(old.storeId);
    expect([reopened.logEndOffset, reopened.size]).toEqual([2, 2]);
    reopened.appendAsLeader(messages(1, 'y'), 0);
    expect(readRef(registry, log.ref)).toHaveLength(5);
    expect(all(log)).toHaveLength(5);
  });

  it('the last-flush time restarts at the reopening time', () => {
    const { log, options } = newLog({ flushIntervalMs: 1000 });
    log.appendAsLeader(messages(1), 0);
    const reopened = Log.restore({ ...options, nowMs: 5000 }, log.ref);
    expect(reopened.flushIfDue(5999)).toBe(false);
    expect(reopened.flushIfDue(6000)).toBe(true);
  });

  it('two logs reopened over one store cannot both append to it', () => {
    const { log, options } = newLog();
    log.appendAsLeader(messages(1), 0);
    const first = Log.restore(options, log.ref);
    const second = Log.restore(options, log.ref);
    first.appendAsLeader(messages(1), 0);
    expect(thrownBy(() => second.appendAsLeader(messages(1), 0))).toBeInstanceOf(AssertionFailedError);
  });

  it('rejects an image that does not match its store', () => {
    const { log, options } = newLog();
    log.appendAsLeader(messages(3), 0);
    const ref = log.ref;
    for (const bad of [
      { ...ref, logEndOffset: 4 },
      { ...ref, logStartOffset: 1 },
      { ...ref, batchCount: 2 },
      { ...ref, recoveryPoint: 4 },
      { ...ref, recoveryPoint: 0.5 },
    ]) {
      const error = thrownBy(() => Log.restore(options, bad));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('image');
    }
    expect(thrownBy(() => Log.restore(options, { ...ref, storeId: 999 }))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('Log: bad arguments', () => {
  function expectInvalid(fn: () => unknown, argument: string, allowed: RegExp): void {
    const error = thrownBy(fn);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(allowed);
  }

  it('names the argument and what is allowed', () => {
    const { log } = newLog();
    log.appendAsLeader(messages(3), 0);
    expectInvalid(() => log.read(-1, 100), 'startOffset', /startOffset must be a non-negative integer, got -1/);
    expectInvalid(() => log.read(1.5, 100), 'startOffset', /non-negative integer/);
    expectInvalid(() => log.read(0, -1), 'maxBytes', /maxBytes must be a non-negative integer/);
    expectInvalid(() => log.read(0, 100, -1), 'maxOffset', /non-negative integer/);
    expectInvalid(() => log.read(0, Number.NaN), 'maxBytes', /non-negative integer/);
    expectInvalid(() => log.messageAt(-1), 'offset', /non-negative integer/);
    expectInvalid(() => log.messages(-1), 'from', /non-negative integer/);
    expectInvalid(() => log.messages(0, 0.5), 'to', /non-negative integer/);
    expectInvalid(() => log.truncateTo(-1), 'offset', /non-negative integer/);
    expectInvalid(() => log.truncateFullyAndStartAt(2.5), 'offset', /non-negative integer/);
    expectInvalid(() => log.appendAsLeader([], 0), 'messages', /non-empty list or batch of messages, got \[\]/);
    expectInvalid(() => log.appendAsLeader(messages(1), -5), 'nowMs', /non-negative integer/);
    expectInvalid(() => log.appendAsFollower([], 1.5), 'nowMs', /non-negative integer/);
    expectInvalid(() => log.flush(-1), 'nowMs', /non-negative integer/);
    expectInvalid(() => log.flushIfDue(-1), 'nowMs', /non-negative integer/);
    expect(log.size).toBe(3);
  });

  it('rejects bad options', () => {
    const registry = new StoreRegistry<MessageBatch>();
    expectInvalid(() => new Log({ registry, nowMs: 0, flushIntervalMessages: 0 }), 'flushIntervalMessages', /integer ≥ 1/);
    expectInvalid(() => new Log({ registry, nowMs: 0, flushIntervalMs: -1 }), 'flushIntervalMs', /non-negative integer/);
    expectInvalid(() => new Log({ registry, nowMs: -1 }), 'nowMs', /non-negative integer/);
  });
});

describe('Log at scale', () => {
  it('1,000,000 messages in batches of 200 read back in 1 MiB fetches: every message exactly once', () => {
    const { log } = newLog();
    const count = 1_000_000;
    for (let base = 0; base < count; base += 200) {
      log.appendAsLeader(Array.from({ length: 200 }, (_, i) => createMessage(null, String(base + i))), 0);
    }
    expect([log.logEndOffset, log.ref.batchCount]).toEqual([count, count / 200]);

    let next = 0;
    let fetches = 0;
    while (next < log.logEndOffset) {
      const read = data(log.read(next, MiB));
      expect(read.sizeBytes).toBeLessThanOrEqual(MiB);
      for (const batch of read.batches) {
        for (let i = 0; i < batch.messages.length; i++) {
          if (batch.baseOffset + i !== next || batch.messages[i]!.value !== String(next)) {
            throw new Error(`expected offset ${next}, got ${batch.baseOffset + i} with value ${String(batch.messages[i]!.value)}`);
          }
          next++;
        }
      }
      fetches++;
    }
    expect(next).toBe(count);
    // About 32 bytes a message: 1 MiB holds ~32,000, so ~30 fetches, not one per batch.
    expect(fetches).toBeLessThan(40);
    expect(data(log.read(next, MiB)).batches).toEqual([]);
  });
});
