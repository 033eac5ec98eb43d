/**
 * Properties of the replica log, checked against a plain model (an array of messages by offset)
 * over random sequences of leader and follower appends, truncations, flushes, power losses,
 * restarts and reads. After every operation:
 * - the messages from the log start offset to the log end offset have contiguous offsets, and
 *   LEO = log start offset + size;
 * - the log holds exactly the model's message objects, with the model's recovery point;
 * - every LogRef taken earlier still reads back exactly what it held: old stores never change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Log, type LogOptions, type LogRead, type LogRef } from '../../../src/broker/log/index.ts';
import { ErrorCode } from '../../../src/protocol/errors.ts';
import { batchOf, createMessage, messagesOf, nextOffsetOf, type Message, type MessageAndOffset, type MessageBatch } from '../../../src/protocol/message.ts';
import { StoreRegistry } from '../../../src/sim/append-only-store.ts';

type Operation =
  | { kind: 'leaderAppend'; sizes: number[] }
  | { kind: 'followerAppend'; batches: number[][] }
  | { kind: 'truncateTo'; offset: number }
  | { kind: 'truncateFullyAndStartAt'; offset: number }
  | { kind: 'flush' }
  | { kind: 'flushIfDue' }
  | { kind: 'powerLoss' }
  | { kind: 'restart' }
  | { kind: 'read'; start: number; maxBytes: number; maxOffset: number | null };

/** Value lengths of messages; a message's size is 26 bytes + its value. */
const valueLengths = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 });

// Offsets are drawn around the log (LEO is at most a few dozen here) so that in-range, boundary
// and out-of-range cases all occur.
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('leaderAppend' as const), sizes: valueLengths }), weight: 4 },
  {
    arbitrary: fc.record({ kind: fc.constant('followerAppend' as const), batches: fc.array(valueLengths, { minLength: 1, maxLength: 3 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncateTo' as const), offset: fc.nat(60) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('truncateFullyAndStartAt' as const), offset: fc.nat(60) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('flush' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('flushIfDue' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('powerLoss' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      start: fc.nat(70),
      maxBytes: fc.oneof(fc.nat(300), fc.constant(1 << 20)),
      maxOffset: fc.option(fc.nat(70)),
    }),
    weight: 4,
  },
);

const step = fc.record({ operation, elapsedMs: fc.nat(400) });

const config = fc.record({
  flushIntervalMessages: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(Number.MAX_SAFE_INTEGER)),
  flushIntervalMs: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
});

/** What the log should be: its messages by offset from the log start, and its flush state. */
interface Model {
  logStartOffset: number;
  messages: Message[];
  recoveryPoint: number;
  lastFlushMs: number;
}

const endOf = (model: Model): number => model.logStartOffset + model.messages.length;

function modelFlush(model: Model, nowMs: number): void {
  if (endOf(model) <= model.recoveryPoint) return;
  model.recoveryPoint = endOf(model);
  model.lastFlushMs = nowMs;
}

function modelKeepBelow(model: Model, offset: number): void {
  model.messages = model.messages.slice(0, Math.max(0, offset - model.logStartOffset));
  model.recoveryPoint = Math.min(model.recoveryPoint, offset);
}

/** Kafka 0.8.2's `Log.read` on the model, message by message. */
function modelRead(model: Model, start: number, maxBytes: number, maxOffset: number | null): LogRead | { ok: true; messages: MessageAndOffset[]; sizeBytes: number; partialMessage: boolean } {
  const end = endOf(model);
  const empty = { ok: true as const, messages: [], sizeBytes: 0, partialMessage: false };
  if (start === end) return empty;
  if (start > end || start < model.logStartOffset) return { ok: false, errorCode: ErrorCode.OffsetOutOfRange };
  if (maxBytes === 0) return empty;
  if (maxOffset !== null && maxOffset < start) return { ok: false, errorCode: ErrorCode.Unknown };
  const limit = Math.min(end, maxOffset ?? end);
  const messages: MessageAndOffset[] = [];
  let used = 0;
  for (let offset = start; offset < limit; offset++) {
    const message = model.messages[offset - model.logStartOffset]!;
    if (used + message.sizeBytes > maxBytes) return { ok: true, messages, sizeBytes: used, partialMessage: used < maxBytes };
    messages.push({ offset, message });
    used += message.sizeBytes;
  }
  return { ok: true, messages, sizeBytes: used, partialMessage: false };
}

function checkLog(log: Log, model: Model): void {
  const held = [...log.messages()];
  held.forEach((m, i) => expect(m.offset).toBe(log.logStartOffset + i));
  expect(log.logEndOffset).toBe(log.logStartOffset + log.size);
  expect(held.length).toBe(log.size);
  expect(log.logStartOffset).toBe(model.logStartOffset);
  expect(log.size).toBe(model.messages.length);
  held.forEach((m, i) => expect(m.message).toEqual(model.messages[i]));
  expect(log.recoveryPoint).toBe(model.recoveryPoint);
  expect(log.ref).toEqual({
    storeId: log.ref.storeId,
    batchCount: log.ref.batchCount,
    logStartOffset: model.logStartOffset,
    logEndOffset: endOf(model),
    recoveryPoint: model.recoveryPoint,
  });
}

/** The batches a ref names, read straight from its store, as a history snapshot would. */
function readRef(registry: StoreRegistry<MessageBatch>, ref: LogRef): MessageAndOffset[] {
  const batches = registry.get(ref.storeId).slice(0, ref.batchCount);
  const held = [...messagesOf(batches)];
  expect(held[0]?.offset ?? ref.logStartOffset).toBe(ref.logStartOffset);
  expect(batches.length === 0 ? ref.logStartOffset : nextOffsetOf(batches[batches.length - 1]!)).toBe(ref.logEndOffset);
  return held;
}

describe('Log properties', () => {
  it('offsets stay contiguous, the log matches the model, and earlier refs read back what they held', () => {
    fc.assert(
      fc.property(config, fc.array(step, { maxLength: 60 }), (flushConfig, steps) => {
        const registry = new StoreRegistry<MessageBatch>();
        const options: LogOptions = { registry, nowMs: 0, ...flushConfig };
        let log = new Log(options);
        const model: Model = { logStartOffset: 0, messages: [], recoveryPoint: 0, lastFlushMs: 0 };
        const seen: { ref: LogRef; messages: MessageAndOffset[] }[] = [];
        let nowMs = 0;
        let serial = 0;
        const fresh = (lengths: number[]) => lengths.map((length) => createMessage(null, `${serial++}`.padEnd(length, '.')));
        const maybeFlushOnAppend = () => {
          if (endOf(model) - model.recoveryPoint >= flushConfig.flushIntervalMessages) modelFlush(model, nowMs);
        };

        for (const { operation: op, elapsedMs } of steps) {
          nowMs += elapsedMs;
          switch (op.kind) {
            case 'leaderAppend': {
              const messages = fresh(op.sizes);
              const firstOffset = endOf(model);
              expect(log.appendAsLeader(messages, nowMs)).toMatchObject({ firstOffset, lastOffset: firstOffset + messages.length - 1 });
              model.messages.push(...messages);
              maybeFlushOnAppend();
              break;
            }
            case 'followerAppend': {
              const batches: MessageBatch[] = [];
              let offset = endOf(model);
              for (const lengths of op.batches) {
                batches.push(batchOf(offset, fresh(lengths)));
                offset += lengths.length;
              }
              log.appendAsFollower(batches, nowMs);
              for (const batch of batches) model.messages.push(...batch.messages);
              maybeFlushOnAppend();
              break;
            }
            case 'truncateTo':
              log.truncateTo(op.offset);
              if (op.offset < model.logStartOffset) {
                Object.assign(model, { logStartOffset: op.offset, messages: [], recoveryPoint: op.offset });
              } else if (op.offset < endOf(model)) {
                modelKeepBelow(model, op.offset);
              }
              break;
            case 'truncateFullyAndStartAt':
              log.truncateFullyAndStartAt(op.offset);
              Object.assign(model, { logStartOffset: op.offset, messages: [], recoveryPoint: op.offset });
              break;
            case 'flush':
              log.flush(nowMs);
              modelFlush(model, nowMs);
              break;
            case 'flushIfDue':
              log.flushIfDue(nowMs);
              if (nowMs - model.lastFlushMs >= flushConfig.flushIntervalMs) modelFlush(model, nowMs);
              break;
            case 'powerLoss':
              log.loseUnflushed();
              modelKeepBelow(model, model.recoveryPoint);
              break;
            case 'restart':
              log = Log.restore({ ...options, nowMs }, log.ref);
              model.lastFlushMs = nowMs;
              break;
            case 'read': {
              const read = log.read(op.start, op.maxBytes, op.maxOffset ?? undefined);
              const expected = modelRead(model, op.start, op.maxBytes, op.maxOffset);
              if (!read.ok || !('messages' in expected)) {
                expect(read).toEqual(expected);
                break;
              }
              const got = [...messagesOf(read.batches)];
              expect(got.map((m) => m.offset)).toEqual(expected.messages.map((m) => m.offset));
              got.forEach((m, i) => expect(m.message).toEqual(expected.messages[i]!.message));
              expect([read.sizeBytes, read.partialMessage]).toEqual([expected.sizeBytes, expected.partialMessage]);
              for (const batch of read.batches) {
                expect(batch.messages.length).toBeGreaterThan(0);
                expect(batch.sizeBytes).toBe(batch.messages.reduce((sum, m) => sum + m.sizeBytes, 0));
              }
              break;
            }
          }
          checkLog(log, model);
          seen.push({ ref: log.ref, messages: [...log.messages()] });
          for (const { ref, messages } of seen) {
            const again = readRef(registry, ref);
            expect(again.length).toBe(messages.length);
            again.forEach((m, i) => {
              expect(m.offset).toBe(messages[i]!.offset);
              expect(m.message).toEqual(messages[i]!.message);
            });
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replicating through byte-limited fetches reproduces the leader’s messages, sharing whole batches', () => {
    fc.assert(
      fc.property(
        fc.array(valueLengths, { minLength: 1, maxLength: 15 }),
        fc.oneof(fc.integer({ min: 1, max: 400 }), fc.constant(1 << 20)),
        (appends, fetchBytes) => {
          const registry = new StoreRegistry<MessageBatch>();
          const leader = new Log({ registry, nowMs: 0 });
          const follower = new Log({ registry, nowMs: 0 });
          for (const lengths of appends) leader.appendAsLeader(lengths.map((n) => createMessage(null, 'v'.repeat(n))), 0);
          const largest = Math.max(...[...leader.messages()].map((m) => m.message.sizeBytes));
          // A follower whose fetch size is below the largest message stalls, as in Kafka 0.8.2
          // (hence `replica.fetch.max.bytes` ≥ `message.max.bytes`); give it room for one.
          const maxBytes = Math.max(fetchBytes, largest);
          let fetches = 0;
          while (follower.logEndOffset < leader.logEndOffset) {
            const read = leader.read(follower.logEndOffset, maxBytes);
            if (!read.ok) throw new Error(`follower fetch failed with ${read.errorCode}`);
            expect(read.batches.length).toBeGreaterThan(0);
            follower.appendAsFollower(read.batches, 0);
            fetches++;
          }
          expect(fetches).toBeLessThanOrEqual(leader.size);
          const expected = [...leader.messages()];
          const got = [...follower.messages()];
          expect(got.map((m) => m.offset)).toEqual(expected.map((m) => m.offset));
          got.forEach((m, i) => expect(m.message).toEqual(expected[i]!.message));
          // A leader batch that arrived whole travels as the same object; only edges are sliced.
          const leaderBatches = new Map(registry.get(leader.ref.storeId).slice(0, leader.ref.batchCount).map((b) => [b.baseOffset, b]));
          for (const batch of registry.get(follower.ref.storeId).slice(0, follower.ref.batchCount)) {
            const original = leaderBatches.get(batch.baseOffset);
            if (original?.count === batch.count || maxBytes === 1 << 20) expect(batch).toBe(original);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
