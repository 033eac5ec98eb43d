/**
 * Whatever bytes arrive, the decoders either decode them or throw `WireDecodeError` (records may
 * also throw `UnsupportedCompressionError`): never a RangeError or TypeError from reading past a
 * buffer, never a hang, never an allocation sized by a hostile length field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  UnsupportedCompressionError,
  WIRE_APIS,
  WireDecodeError,
  WireWriter,
  decodeRequestFrame,
  decodeResponseFrame,
} from '../../../src/protocol/wire/index.ts';
import { Compression, decodeRecordSet, decodeRecords, encodeMessageSet, encodeRecordBatch, readRecordBatches } from '../../../src/protocol/wire/records.ts';
import { CLIENT_FRAMES } from './fixtures/client-frames.ts';
import { API_VERSIONS, sampleRequestFrame, sampleResponseFrame } from './support/samples.ts';

/** Runs `decode`; a `WireDecodeError` (or another allowed error) is fine, anything else fails the property. */
function decodesOrRejects(decode: () => unknown, allowed: ReadonlyArray<new (...args: never[]) => Error> = [WireDecodeError]): void {
  try {
    decode();
  } catch (error) {
    if (!allowed.some((type) => error instanceof type)) throw error;
  }
}

type Mutation = { readonly kind: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; readonly at: number; readonly byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const { kind, at, byte } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 'flip' && out.length > 0) out[i] = out[i]! ^ (1 << byte % 8);
    else if (kind === 'set' && out.length > 0) out[i] = byte;
    else if (kind === 'insert') out.splice(i, 0, byte);
    else if (kind === 'delete') out.splice(i, 1);
    else if (kind === 'truncate') out = out.slice(0, i);
  }
  return Uint8Array.from(out);
}

const REQUEST_SEEDS: Uint8Array[] = [
  ...API_VERSIONS.map(([name, version]) => sampleRequestFrame(name, version, 1, 'fuzz')),
  ...CLIENT_FRAMES.map((frame) => Uint8Array.from(Buffer.from(frame.hex, 'hex'))),
];
const RESPONSE_SEEDS = API_VERSIONS.map(([name, version]) => ({ name, version, frame: sampleResponseFrame(name, version, 1) }));

describe('request frames', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => decodesOrRejects(() => decodeRequestFrame(bytes))), { numRuns: 2_000 });
  });

  it('a valid header for every registered API and version followed by random bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...API_VERSIONS), fc.uint8Array({ maxLength: 300 }), ([name, version], body) => {
        const writer = new WireWriter();
        writer.int16(WIRE_APIS[name].key);
        writer.int16(version);
        writer.int32(1);
        writer.nullableString(null);
        writer.raw(body);
        decodesOrRejects(() => decodeRequestFrame(writer.finish()));
      }),
      { numRuns: 3_000 },
    );
  });

  it('valid frames (every API and version, and the real clients\u2019) mutated', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REQUEST_SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) =>
        decodesOrRejects(() => decodeRequestFrame(mutate(seed, mutations))),
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('response frames', () => {
  it('valid responses of every API and version, mutated, decoded as that API and version', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESPONSE_SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ name, version, frame }, mutations) =>
        decodesOrRejects(() => decodeResponseFrame(mutate(frame, mutations), name, version)),
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('the frame reader', () => {
  it('random byte streams in random chunks: frames or a WireDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), fc.integer({ min: 0, max: 200 }), (chunks, max) => {
        const reader = new FrameReader(max);
        decodesOrRejects(() => {
          for (const chunk of chunks) {
            reader.push(chunk);
            for (let frame = reader.next(); frame !== null; frame = reader.next()) decodesOrRejects(() => decodeRequestFrame(frame));
          }
        });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('record sets', () => {
  const record = (i: number) => ({ key: Uint8Array.of(i), value: Uint8Array.of(i, i), timestamp: 1_000 + i, headers: [{ key: 'h', value: Uint8Array.of(i) }] });
  const seeds = [Compression.None, Compression.Gzip].map((compression) => {
    const writer = new WireWriter();
    encodeRecordBatch(writer, { baseOffset: 5, compression, records: [0, 1, 2].map(record) });
    encodeRecordBatch(writer, { baseOffset: 8, records: [record(3)] });
    return writer.toBytes();
  });
  for (const magic of [0, 1] as const) {
    const writer = new WireWriter();
    encodeMessageSet(writer, magic, 0, [0, 1, 2].map(record));
    seeds.push(writer.toBytes());
  }

  it('mutated batches and message sets, read every way a broker or client reads them', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (seed, mutations, partial) => {
        const bytes = mutate(seed, mutations);
        const allowed = [WireDecodeError, UnsupportedCompressionError];
        decodesOrRejects(() => decodeRecordSet(bytes, { allowPartialTail: partial }), allowed);
        decodesOrRejects(() => {
          for (const batch of readRecordBatches(bytes, { allowPartialTail: partial })) decodeRecords(batch);
        }, allowed);
      }),
      { numRuns: 5_000 },
    );
  });

  it('random bytes as a record set', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodesOrRejects(() => decodeRecordSet(bytes), [WireDecodeError, UnsupportedCompressionError]);
        decodesOrRejects(() => readRecordBatches(bytes, { verifyCrc: true }));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('hostile lengths cost nothing', () => {
  function produceWithRecordsLength(length: number): Uint8Array {
    const writer = new WireWriter();
    writer.int16(0); // Produce
    writer.int16(3);
    writer.int32(1);
    writer.nullableString(null);
    writer.nullableString(null); // transactional id
    writer.int16(-1);
    writer.int32(1_000);
    writer.int32(1); // one topic
    writer.string('t');
    writer.int32(1); // one partition
    writer.int32(0);
    writer.int32(length); // records: claims `length` bytes, has 3
    writer.raw(Uint8Array.of(1, 2, 3));
    return writer.toBytes();
  }

  it('a bytes field, an array count, a string length or a frame size claiming ~2 GB fails at once without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(() => decodeRequestFrame(produceWithRecordsLength(0x7fff_ffff))).toThrow(/ProduceRequest v3: nullable bytes .*needs 2147483647 bytes, 3 left/);
    const arrays = new WireWriter();
    arrays.int16(3); // Metadata v1
    arrays.int16(1);
    arrays.int32(1);
    arrays.nullableString(null);
    arrays.int32(0x7fff_ffff); // topic count
    expect(() => decodeRequestFrame(arrays.toBytes())).toThrow(/MetadataRequest v1: array .*2147483647 elements/);
    const string = Uint8Array.of(0, 3, 0, 1, 0, 0, 0, 1, 0x7f, 0xff);
    expect(() => decodeRequestFrame(string)).toThrow(/request header: string .*needs 32767 bytes/);
    const reader = new FrameReader();
    reader.push(Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 0));
    expect(() => reader.next()).toThrow(WireDecodeError);
    const records = new Uint8Array(70);
    new DataView(records.buffer).setInt32(8, 0x7fff_fff0); // batch length
    expect(() => decodeRecordSet(records)).toThrow(/entry size at byte 8: 2147483632 overruns the 58 bytes left/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });
});
