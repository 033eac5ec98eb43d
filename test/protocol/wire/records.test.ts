import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsupportedCompressionError, WireDecodeError, WireWriter, crc32 } from '../../../src/protocol/wire/index.ts';
import {
  Compression,
  RECORD_BATCH_OVERHEAD,
  batchCompression,
  decodeRecordSet,
  decodeRecords,
  encodeMessageSet,
  encodeRecordBatch,
  isControlBatch,
  readRecordBatches,
  recordSetMagic,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
  verifyRecordBatch,
  type RecordBatchInput,
  type RecordInput,
} from '../../../src/protocol/wire/records.ts';

const utf8 = (text: string) => Uint8Array.from(Buffer.from(text));
const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

function batchBytes(input: RecordBatchInput): Uint8Array {
  const writer = new WireWriter();
  encodeRecordBatch(writer, input);
  return writer.toBytes();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

const RECORDS: RecordInput[] = [
  { key: utf8('k0'), value: utf8('v0'), timestamp: 1_000 },
  { key: null, value: utf8('no key'), timestamp: 1_500, headers: [{ key: 'trace', value: utf8('abc') }, { key: 'empty', value: null }] },
  { key: utf8('k2'), value: null, timestamp: 900 },
];

describe('record batch v2', () => {
  it('round-trips records: keys, values, nulls, headers, offsets and timestamps', () => {
    const [batch] = readRecordBatches(batchBytes({ baseOffset: 100, records: RECORDS }), { verifyCrc: true });
    expect(batch).toMatchObject({ baseOffset: 100, magic: 2, lastOffsetDelta: 2, recordCount: 3, baseTimestamp: 1_000, maxTimestamp: 1_500, producerId: -1 });
    const records = decodeRecords(batch!);
    expect(records.map((r) => [r.offset, r.timestamp, text(r.key), text(r.value)])).toEqual([
      [100, 1_000, 'k0', 'v0'],
      [101, 1_500, null, 'no key'],
      [102, 900, 'k2', null],
    ]);
    expect(records[1]!.headers.map((h) => [h.key, text(h.value)])).toEqual([
      ['trace', 'abc'],
      ['empty', null],
    ]);
  });

  it('round-trips any records (property)', () => {
    const record = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 20 })),
      value: fc.option(fc.uint8Array({ maxLength: 200 })),
      timestamp: fc.integer({ min: 0, max: 2 ** 42 }),
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(fc.uint8Array({ maxLength: 10 })) }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2 ** 50 }), fc.boolean(), (records, baseOffset, gzip) => {
        const bytes = batchBytes({ baseOffset, records, compression: gzip ? Compression.Gzip : Compression.None });
        const decoded = decodeRecordSet(bytes);
        expect(decoded).toEqual(records.map((r, i) => ({ offset: baseOffset + i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })));
      }),
      { numRuns: 50 },
    );
  });

  it('string keys and values encode as their UTF-8 bytes would, in batches and legacy sets alike (property)', () => {
    // Strings of any code points, lone surrogates included (written as U+FFFD, as TextEncoder does).
    const payload = fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 })));
    const asBytes = (p: string | null) => (p === null ? null : new TextEncoder().encode(p));
    fc.assert(
      fc.property(fc.array(fc.record({ key: payload, value: payload, timestamp: fc.integer({ min: 0, max: 2 ** 42 }) }), { minLength: 1, maxLength: 10 }), (records) => {
        const bytes = records.map((r) => ({ ...r, key: asBytes(r.key), value: asBytes(r.value) }));
        expect(batchBytes({ baseOffset: 0, records })).toEqual(batchBytes({ baseOffset: 0, records: bytes }));
        for (const magic of [0, 1] as const) {
          const [fromStrings, fromBytes] = [records, bytes].map((input) => {
            const writer = new WireWriter(16);
            encodeMessageSet(writer, magic, 0, input);
            return writer.toBytes();
          });
          expect(fromStrings).toEqual(fromBytes);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('matches kafka-python 2.0.2 byte for byte (two records, a header, null key and value)', () => {
    // DefaultRecordBatchBuilder(magic=2, compression_type=0, producer_id=-1, producer_epoch=-1,
    // base_sequence=-1): append(0, timestamp=1000, key=b'k', value=b'v', headers=[('h', b'x')]);
    // append(1, timestamp=1500, key=None, value=None, headers=[]).
    const python =
      '00000000000000000000004600000000023c86821500000000000100000000000003e800000000000005dcffffffffffffffffffffffffffff0000000218000000026b027602026802780e00e80702010100';
    const ours = batchBytes({
      baseOffset: 0,
      partitionLeaderEpoch: 0,
      records: [
        { key: utf8('k'), value: utf8('v'), timestamp: 1000, headers: [{ key: 'h', value: utf8('x') }] },
        { key: null, value: null, timestamp: 1500 },
      ],
    });
    expect(Buffer.from(ours).toString('hex')).toBe(python);
  });

  it('gzip batches decompress, and say so in their attributes', () => {
    const bytes = batchBytes({ baseOffset: 0, records: RECORDS, compression: Compression.Gzip });
    const [batch] = readRecordBatches(bytes, { verifyCrc: true });
    expect(batchCompression(batch!)).toBe(Compression.Gzip);
    expect(decodeRecords(batch!).map((r) => text(r.key))).toEqual(['k0', null, 'k2']);
  });

  it('snappy, lz4 and zstd batches are UnsupportedCompressionError (the broker answers 76), not a decode error', () => {
    for (const codec of [Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
      const bytes = batchBytes({ baseOffset: 0, records: RECORDS });
      bytes[22] = codec; // attributes low byte
      const [batch] = readRecordBatches(bytes);
      expect(() => decodeRecords(batch!)).toThrow(UnsupportedCompressionError);
      expect(() => decodeRecords(batch!)).toThrow(new RegExp(`codec ${codec}`));
    }
  });

  it('a corrupted byte anywhere in attributes..end fails the CRC check', () => {
    const bytes = batchBytes({ baseOffset: 0, records: RECORDS });
    for (let at = 21; at < bytes.length; at++) {
      const corrupt = bytes.slice();
      corrupt[at] ^= 0x01;
      expect(() => readRecordBatches(corrupt, { verifyCrc: true }), `byte ${at}`).toThrow(/record batch crc/);
      expect(() => decodeRecordSet(corrupt), `byte ${at}`).toThrow(WireDecodeError);
    }
    // Without verification the headers still read (a fetch path that trusts stored batches).
    const corrupt = bytes.slice();
    corrupt[bytes.length - 1] ^= 0x01;
    expect(readRecordBatches(corrupt)).toHaveLength(1);
  });

  it('the base offset and leader epoch can be rewritten in place without touching the CRC', () => {
    const bytes = batchBytes({ baseOffset: 0, records: RECORDS });
    setBatchBaseOffset(bytes, 5_000_000_000);
    setBatchPartitionLeaderEpoch(bytes, 7);
    const [batch] = readRecordBatches(bytes, { verifyCrc: true });
    expect(batch).toMatchObject({ baseOffset: 5_000_000_000, partitionLeaderEpoch: 7 });
    expect(decodeRecords(batch!).map((r) => r.offset)).toEqual([5_000_000_000, 5_000_000_001, 5_000_000_002]);
    verifyRecordBatch(batch!);
  });

  it('log-append-time batches give every record the max timestamp', () => {
    const [batch] = readRecordBatches(batchBytes({ baseOffset: 0, records: RECORDS, logAppendTime: true }));
    expect(decodeRecords(batch!).map((r) => r.timestamp)).toEqual([1_500, 1_500, 1_500]);
  });

  it('a record count that disagrees with the records is an error', () => {
    const bytes = batchBytes({ baseOffset: 0, records: RECORDS });
    const view = new DataView(bytes.buffer);
    view.setInt32(57, 2); // two records claimed, three present
    expect(() => decodeRecords(readRecordBatches(bytes)[0]!)).toThrow(/bytes after the 2 records the header counts/);
    view.setInt32(57, 4);
    expect(() => decodeRecords(readRecordBatches(bytes)[0]!)).toThrow(WireDecodeError);
    view.setInt32(57, 1_000_000);
    expect(() => decodeRecords(readRecordBatches(bytes)[0]!)).toThrow(/1000000 records cannot fit/);
  });

  it('several batches split into views; a batch cut short at the end is dropped only when allowed', () => {
    const one = batchBytes({ baseOffset: 0, records: RECORDS.slice(0, 1) });
    const two = batchBytes({ baseOffset: 1, records: RECORDS.slice(1) });
    const set = concat(one, two);
    expect(readRecordBatches(set).map((b) => [b.baseOffset, b.bytes.length])).toEqual([
      [0, one.length],
      [1, two.length],
    ]);
    for (const cut of [1, 12, 30, two.length - 1]) {
      const partial = set.subarray(0, one.length + cut);
      expect(readRecordBatches(partial, { allowPartialTail: true }).map((b) => b.baseOffset)).toEqual([0]);
      expect(decodeRecordSet(partial, { allowPartialTail: true }).map((r) => r.offset)).toEqual([0]);
      expect(() => readRecordBatches(partial)).toThrow(WireDecodeError);
    }
  });

  it('refuses to encode an empty batch or an unsupported codec', () => {
    expect(() => batchBytes({ baseOffset: 0, records: [] })).toThrow(/at least one record/);
    expect(() => batchBytes({ baseOffset: 0, records: RECORDS, compression: Compression.Zstd })).toThrow(/compression must be 0 \(none\) or 1 \(gzip\)/);
  });

  it('control batches (transaction markers) are told apart by attribute bit 5', () => {
    const bytes = batchBytes({ baseOffset: 0, records: RECORDS });
    expect(isControlBatch(readRecordBatches(bytes)[0]!)).toBe(false);
    bytes[22]! |= 0x20;
    expect(isControlBatch(readRecordBatches(bytes)[0]!)).toBe(true);
  });

  it('a header is exactly 61 bytes', () => {
    const bytes = batchBytes({ baseOffset: 0, records: [{ key: null, value: null }] });
    expect(bytes.length).toBe(RECORD_BATCH_OVERHEAD + 7);
  });
});

describe('legacy message sets (magic 0 and 1)', () => {
  // kafka-python 2.0.2's LegacyRecordBatchBuilder with append(0, key=b'k', value=b'v') and
  // append(1, key=None, value=b'v2') (magic 1: timestamps 1000 and 2000).
  const PY_MAGIC0 = '0000000000000000000000101fecd70a0000000000016b0000000176000000000000000100000010d5960a780000ffffffff000000027632';
  const PY_MAGIC1 =
    '000000000000000000000018e4e321bc010000000000000003e8000000016b0000000176000000000000000100000018bf366de8010000000000000007d0ffffffff000000027632';
  const PY_MAGIC1_GZIP =
    '000000000000000000000052d95edf3a01010000000000000000ffffffff0000003c1f8b080016eb046b02ff6360800389278f15f7304239cc2f800463368828830a81a424f69be5be80a961bff01f08800ca6322300cccb329448000000';
  const PY_MAGIC0_GZIP =
    '00000000000000000000004345b775c10001ffffffff000000351f8b080016eb046b02ff6360800301f937d7b9c02cc66c105106156704c95d9dc655c1c0f01f08803ca63223006ab86e1938000000';
  const TWO = [
    { key: utf8('k'), value: utf8('v'), timestamp: 1000 },
    { key: null, value: utf8('v2'), timestamp: 2000 },
  ];

  it('encode as kafka-python does, byte for byte', () => {
    for (const [magic, expected] of [
      [0, PY_MAGIC0],
      [1, PY_MAGIC1],
    ] as const) {
      const writer = new WireWriter();
      encodeMessageSet(writer, magic, 0, TWO);
      expect(Buffer.from(writer.finish()).toString('hex')).toBe(expected);
    }
  });

  it('decode: magic 0 has no timestamps (-1), magic 1 does', () => {
    expect(decodeRecordSet(fromHex(PY_MAGIC0)).map((r) => [r.offset, r.timestamp, text(r.key), text(r.value)])).toEqual([
      [0, -1, 'k', 'v'],
      [1, -1, null, 'v2'],
    ]);
    expect(decodeRecordSet(fromHex(PY_MAGIC1)).map((r) => [r.offset, r.timestamp, text(r.key), text(r.value)])).toEqual([
      [0, 1000, 'k', 'v'],
      [1, 2000, null, 'v2'],
    ]);
    expect(recordSetMagic(fromHex(PY_MAGIC0))).toBe(0);
    expect(recordSetMagic(fromHex(PY_MAGIC1))).toBe(1);
  });

  it('gzip wrappers expand; magic 1 inner offsets are relative to the wrapper (its offset is the last one)', () => {
    // kafka-python wrote wrapper offset 0 (a producer's offsets are the broker's to assign), so the
    // two inner messages (relative 0 and 1) land at -1 and 0.
    expect(decodeRecordSet(fromHex(PY_MAGIC1_GZIP)).map((r) => [r.offset, r.timestamp, text(r.value)])).toEqual([
      [-1, 1000, 'v'],
      [0, 2000, 'v2'],
    ]);
    const served = fromHex(PY_MAGIC1_GZIP);
    new DataView(served.buffer).setInt32(4, 41); // the broker stamps the last offset: 41
    expect(decodeRecordSet(served).map((r) => r.offset)).toEqual([40, 41]);
    // Magic 0 inner offsets are absolute.
    expect(decodeRecordSet(fromHex(PY_MAGIC0_GZIP)).map((r) => [r.offset, text(r.value)])).toEqual([
      [0, 'v'],
      [1, 'v2'],
    ]);
  });

  it('a compressed message inside a compressed message is refused', () => {
    const inner = fromHex(PY_MAGIC0_GZIP);
    const writer = new WireWriter();
    writer.int64(0);
    const sizeAt = writer.reserveInt32();
    const crcAt = writer.reserveInt32();
    const from = writer.pos;
    writer.int8(0);
    writer.int8(Compression.Gzip);
    writer.nullableBytes(null);
    writer.nullableBytes(gzipSync(inner));
    writer.setInt32At(sizeAt, writer.pos - sizeAt - 4);
    writer.setUint32At(crcAt, crc32(writer.written(from)));
    expect(() => decodeRecordSet(writer.toBytes())).toThrow(/a compressed message inside a compressed message/);
  });

  it('a corrupted message fails its CRC-32', () => {
    const bytes = fromHex(PY_MAGIC1);
    bytes[bytes.length - 1] ^= 0x20;
    expect(() => decodeRecordSet(bytes)).toThrow(/message crc .*corrupt message at offset 1/);
  });

  it('a legacy set is not a set of record batches', () => {
    expect(() => readRecordBatches(fromHex(PY_MAGIC1))).toThrow(/magic at byte 16: 1 in a set of record batches/);
  });

  it('a message whose size disagrees with its fields is an error', () => {
    const bytes = fromHex(PY_MAGIC0);
    new DataView(bytes.buffer).setInt32(8, 0x11); // one byte more than the first message has
    expect(() => decodeRecordSet(bytes)).toThrow(WireDecodeError);
  });

  it('a set of mixed magics decodes entry by entry', () => {
    const v2 = batchBytes({ baseOffset: 2, records: [{ key: utf8('k'), value: utf8('v3'), timestamp: 3000 }] });
    expect(decodeRecordSet(concat(fromHex(PY_MAGIC1), v2)).map((r) => r.offset)).toEqual([0, 1, 2]);
  });
});
