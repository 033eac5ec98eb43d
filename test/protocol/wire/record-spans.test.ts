/**
 * `readRecordSpans` and `WireMessage`: how the gateway takes in produced records without a view or
 * a record object per record. Whatever a record set holds (record batches v2 with keys, nulls and
 * headers, gzip, legacy message sets of magic 0/1, gzip wrappers), the messages made from the spans
 * carry the keys and values `decodeRecordSet` decodes and `createMessage`'s size; a set that does
 * not decode fails the same way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMessage } from '../../../src/protocol/message.ts';
import { WireMessage } from '../../../src/protocol/wire/message-batches.ts';
import { WireWriter } from '../../../src/protocol/wire/primitives.ts';
import { Compression, decodeRecordSet, encodeMessageSet, encodeRecordBatch, readRecordSpans, type RecordInput } from '../../../src/protocol/wire/records.ts';
import { gzipSync } from 'node:zlib';

const bytesArb = fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null });
const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: bytesArb,
  value: bytesArb,
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: fc.option(fc.uint8Array({ maxLength: 5 }), { nil: null }) }), { maxLength: 2 }),
  timestamp: fc.integer({ min: -1, max: 2 ** 40 }),
});

type Entry = { kind: 'batch'; gzip: boolean; records: RecordInput[] } | { kind: 'legacy'; magic: 0 | 1; gzip: boolean; records: RecordInput[] };

const entryArb: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({ kind: fc.constant('batch' as const), gzip: fc.boolean(), records: fc.array(recordArb, { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('legacy' as const), magic: fc.constantFrom(0 as const, 1 as const), gzip: fc.boolean(), records: fc.array(recordArb, { minLength: 1, maxLength: 4 }) }),
);

function encode(entries: readonly Entry[]): Uint8Array {
  const writer = new WireWriter();
  let offset = 0;
  for (const entry of entries) {
    if (entry.kind === 'batch') {
      encodeRecordBatch(writer, { baseOffset: offset, compression: entry.gzip ? Compression.Gzip : Compression.None, records: entry.records });
    } else if (!entry.gzip) {
      encodeMessageSet(writer, entry.magic, offset, entry.records);
    } else {
      // A gzip wrapper: one legacy message whose value is a compressed message set.
      const inner = new WireWriter();
      encodeMessageSet(inner, entry.magic, entry.magic === 1 ? 0 : offset, entry.records);
      const wrapper = new WireWriter();
      encodeMessageSet(wrapper, entry.magic, offset + entry.records.length - 1, [{ key: null, value: gzipSync(inner.finish()) }]);
      const bytes = wrapper.toBytes();
      bytes[17] = Compression.Gzip; // attributes (after offset, size, CRC and magic): the codec
      // The CRC-32 covers magic to end: recompute it.
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      view.setUint32(12, crc32Of(bytes.subarray(16)));
      writer.raw(bytes);
    }
    offset += entry.records.length;
  }
  return writer.toBytes();
}

function crc32Of(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function spans(records: Uint8Array): WireMessage[] {
  const messages: WireMessage[] = [];
  readRecordSpans(records, (bytes, at) => messages.push(new WireMessage(bytes, at)));
  return messages;
}

const plain = (bytes: Uint8Array | null) => (bytes === null ? null : Array.from(bytes));

describe('record spans as messages', () => {
  it('give the keys, values and sizes decodeRecordSet and createMessage give, for any record set', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 4 }), (entries) => {
        const records = encode(entries);
        const decoded = decodeRecordSet(records);
        const messages = spans(records);
        expect(messages.map((m) => [plain(m.key), plain(m.value), m.sizeBytes])).toEqual(
          decoded.map((r) => [plain(r.key), plain(r.value), createMessage(r.key, r.value).sizeBytes]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('a message serialises as a plain one (key, value, size), not its position', () => {
    const writer = new WireWriter();
    encodeRecordBatch(writer, { baseOffset: 0, records: [{ key: Uint8Array.of(1, 2), value: null }] });
    const [message] = spans(writer.toBytes());
    expect(JSON.parse(JSON.stringify(message))).toEqual(JSON.parse(JSON.stringify(createMessage(Uint8Array.of(1, 2), null))));
  });

  it('fail where decodeRecordSet fails, with the same error, on damaged record sets', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (entries, flips, cut) => {
          const records = encode(entries);
          for (const flip of flips) records[flip.at % records.length] = flip.byte;
          const damaged = cut % 3 === 0 ? records.subarray(0, cut % (records.length + 1)) : records;
          const outcome = (run: () => unknown) => {
            try {
              run();
              return 'ok';
            } catch (error) {
              return `${(error as Error).constructor.name}: ${(error as Error).message}`;
            }
          };
          expect(outcome(() => spans(damaged))).toBe(outcome(() => decodeRecordSet(damaged)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
