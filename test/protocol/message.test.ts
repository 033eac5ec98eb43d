/**
 * Message sizes: a string key or value counts its UTF-8 bytes, as Kafka's encoder writes them,
 * without being encoded; the ASCII fast path and the general loop agree with TextEncoder.
 * Message batches: the columnar one the log keeps tells what the plain list of its messages does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchOf, ColumnarBatch, createMessage, LOG_OVERHEAD_BYTES, MESSAGE_HEADER_BYTES, MessageListBatch, TrackedMessage, utf8Length, type Message, type MessageBatch, type Payload } from '../../src/protocol/message.ts';

describe('utf8Length', () => {
  it('is the length TextEncoder encodes, for any string (ASCII, BMP, astral, lone surrogates)', () => {
    const encoder = new TextEncoder();
    const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary-ascii' }));
    fc.assert(fc.property(anyString, (text) => utf8Length(text) === encoder.encode(text).length), { numRuns: 2_000 });
  });

  it('counts 1, 2, 3 and 4 bytes per character as UTF-8 does', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('jike')).toBe(4);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('测试')).toBe(6);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\ud800')).toBe(3);
  });
});

describe('createMessage', () => {
  it('sizes a message as its log entry: overhead, header, key and value bytes', () => {
    expect(createMessage('k', 'é').sizeBytes).toBe(LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + 1 + 2);
    expect(createMessage(null, new Uint8Array(10)).sizeBytes).toBe(LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + 10);
  });
});

/** A message whose payloads are computed on each read, as the gateway's `WireMessage` does. */
class ComputedMessage implements Message {
  constructor(private readonly plain: Message) {}
  get key(): Payload | null {
    return this.plain.key;
  }
  get value(): Payload | null {
    return this.plain.value;
  }
  get sizeBytes(): number {
    return this.plain.sizeBytes;
  }
}

describe('MessageBatch', () => {
  const payload = fc.oneof(fc.constant(null), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 40 }));
  const messages = fc.array(fc.tuple(payload, payload).map(([key, value]) => createMessage(key, value)), { maxLength: 30 });
  const baseOffset = fc.integer({ min: 0, max: 1_000_000 });

  /** Everything a batch tells, through every accessor. */
  function contents(batch: MessageBatch) {
    const indexes = [...Array(batch.count).keys()];
    return {
      baseOffset: batch.baseOffset,
      count: batch.count,
      sizeBytes: batch.sizeBytes,
      keys: indexes.map((i) => batch.keyAt(i)),
      values: indexes.map((i) => batch.valueAt(i)),
      sizesBytes: indexes.map((i) => batch.sizeBytesAt(i)),
      messageAt: indexes.map((i) => batch.messageAt(i)),
      messages: batch.messages,
    };
  }

  it('a columnar batch tells, through its accessors, messages, sizes and slices, what the plain list of its messages does', () => {
    fc.assert(
      fc.property(baseOffset, messages, fc.nat(), fc.nat(), (base, list, a, b) => {
        const columnar = ColumnarBatch.of(base, list);
        const plain = new MessageListBatch(base, list);
        expect(contents(columnar)).toEqual(contents(plain));
        expect(columnar.sizeBytes).toBe(list.reduce((sum, m) => sum + m.sizeBytes, 0));
        list.forEach((message, i) => {
          expect(columnar.holds(i, message)).toBe(true);
          expect(plain.holds(i, message)).toBe(true);
        });
        const from = list.length === 0 ? 0 : a % (list.length + 1);
        const to = from + (list.length === 0 ? 0 : b % (list.length - from + 1));
        const [columnarSlice, plainSlice] = [columnar.slice(from, to), plain.slice(from, to)];
        expect(contents(columnarSlice)).toEqual(contents(plainSlice));
        expect(contents(columnarSlice)).toEqual(contents(new MessageListBatch(base + from, list.slice(from, to))));
        if (from === 0 && to === list.length) expect(columnarSlice).toBe(columnar);
      }),
      { numRuns: 500 },
    );
  });

  it('holds a message only when its key and value are the payloads stored at that index', () => {
    const batch = ColumnarBatch.of(0, [createMessage('k', 'v'), createMessage(null, new Uint8Array([1]))]);
    expect(batch.holds(0, createMessage('k', 'v'))).toBe(true); // equal strings are the same payload
    expect(batch.holds(0, createMessage('k', 'w'))).toBe(false);
    expect(batch.holds(1, createMessage(null, new Uint8Array([1])))).toBe(false); // other bytes, though equal
  });

  it('batchOf stores plain messages in columns and keeps messages of a class of their own, copying the list', () => {
    const plain = [createMessage('k', 'v')];
    expect(batchOf(3, plain)).toBeInstanceOf(ColumnarBatch);
    const tracked = [new TrackedMessage('k', 'v')];
    expect(batchOf(3, tracked).messageAt(0)).toBe(tracked[0]);
    expect(tracked[0]).toEqual(plain[0]);
    expect(batchOf(3, [])).toEqual(ColumnarBatch.of(3, []));
    const computed = [new ComputedMessage(plain[0]!)];
    const kept = batchOf(3, computed);
    expect(kept).toBeInstanceOf(MessageListBatch);
    expect(kept.messageAt(0)).toBe(computed[0]);
    computed.push(new ComputedMessage(plain[0]!));
    expect(kept.count).toBe(1);
    // Any message of a class of its own keeps the list, wherever it stands in the request.
    const mixed = [createMessage('a', 'v'), new TrackedMessage('b', 'v')];
    expect(batchOf(0, mixed).messageAt(1)).toBe(mixed[1]);
  });
});
