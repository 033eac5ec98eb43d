import { describe, expect, it } from 'vitest';
import { batchOf, createMessage } from '../../../src/protocol/message.ts';
import {
  WIRE_APIS,
  WireReader,
  WireWriter,
  decodeRecordSet,
  fetchRecordChunks,
  readRecordBatches,
  recordBatchBytes,
  recordSetMagic,
} from '../../../src/protocol/wire/index.ts';
import { WireMessage, WireRecordBatch } from '../../../src/protocol/wire/message-batches.ts';
import { readRecordSpans } from '../../../src/protocol/wire/records.ts';

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());
const concat = (chunks: readonly Uint8Array[]) => Uint8Array.from(Buffer.concat(chunks));

const first = batchOf(10, [createMessage('k1', 'héllo'), createMessage(null, Uint8Array.of(0xff, 0))]);
const second = batchOf(12, [createMessage(Uint8Array.of(1), null)]);
const empty = batchOf(13, []);

describe('message batches as fetch records', () => {
  it('a batch becomes one record batch v2 at its base offset, strings as UTF-8, CRC valid', () => {
    const [batch] = readRecordBatches(recordBatchBytes(first), { verifyCrc: true });
    expect(batch).toMatchObject({ baseOffset: 10, recordCount: 2, lastOffsetDelta: 1, baseTimestamp: -1, producerId: -1 });
    expect(decodeRecordSet(batch!.bytes).map((r) => [r.offset, text(r.key), r.value])).toEqual([
      [10, 'k1', Uint8Array.from(Buffer.from('héllo'))],
      [11, null, Uint8Array.of(0xff, 0)],
    ]);
  });

  it('is encoded once: every later fetch of the same batch object gets the same bytes', () => {
    expect(recordBatchBytes(first)).toBe(recordBatchBytes(first));
    expect(fetchRecordChunks([first, second], 11)[0]).toBe(recordBatchBytes(first));
  });

  it('Fetch v4+ gets record batches, v2-v3 magic 1 and v0-v1 magic 0 message sets, with the same offsets', () => {
    for (const [version, magic] of [[11, 2], [4, 2], [3, 1], [2, 1], [1, 0], [0, 0]] as const) {
      const records = concat(fetchRecordChunks([first, empty, second], version));
      expect(recordSetMagic(records), `v${version}`).toBe(magic);
      expect(decodeRecordSet(records).map((r) => [r.offset, text(r.key)]), `v${version}`).toEqual([
        [10, 'k1'],
        [11, null],
        [12, '\u0001'],
      ]);
    }
  });

  it('no batches, or only empty ones, are an empty record set', () => {
    expect(fetchRecordChunks([], 11)).toEqual([]);
    expect(fetchRecordChunks([empty], 11)).toEqual([]);
  });

  it('the chunks go through the Fetch response encoder back to back', () => {
    const writer = new WireWriter();
    const chunks = fetchRecordChunks([first, second], 11);
    WIRE_APIS.Fetch.encodeResponse(writer, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 13, records: chunks }] }] }, 11);
    const decoded = WIRE_APIS.Fetch.decodeResponse(new WireReader(writer.finish()), 11);
    const records = decoded.responses[0]!.partitions[0]!.records as Uint8Array;
    expect(readRecordBatches(records, { verifyCrc: true }).map((b) => b.baseOffset)).toEqual([10, 12]);
  });
});

describe('a WireRecordBatch: records kept in the bytes they arrived in', () => {
  // A request's record batch, and where its records' keys are, as the produce translator finds them.
  const bytes = Uint8Array.from(recordBatchBytes(batchOf(0, [createMessage('k0', 'v0'), createMessage(null, 'héllo'), createMessage('k2', null)])));
  const found: number[] = [];
  readRecordSpans(bytes, (view, at) => found.push(view.byteOffset - bytes.byteOffset + at));
  const positions = Int32Array.from(found);
  const stored = WireRecordBatch.of(bytes, positions);
  const plain = [createMessage('k0', 'v0'), createMessage(null, 'héllo'), createMessage('k2', null)];

  it('reads each key and value as a view of the bytes, with the sizes of the same plain messages', () => {
    expect(stored.count).toBe(3);
    expect([0, 1, 2].map((i) => [text(stored.keyAt(i)), text(stored.valueAt(i))])).toEqual([['k0', 'v0'], [null, 'héllo'], ['k2', null]]);
    expect(stored.keyAt(0)!.buffer).toBe(bytes.buffer);
    expect([0, 1, 2].map((i) => stored.sizeBytesAt(i))).toEqual(plain.map((m) => m.sizeBytes));
    expect(stored.sizeBytes).toBe(plain.reduce((n, m) => n + m.sizeBytes, 0));
  });

  it('starts at offset 0 until a leader places it: `at` shares the records at another base offset', () => {
    expect(stored.baseOffset).toBe(0);
    const placed = stored.at(40);
    expect(placed.baseOffset).toBe(40);
    expect(placed.count).toBe(3);
    expect(placed.holds(1, stored.messageAt(1))).toBe(true);
  });

  it('holds the very record messageAt hands out, not another record of equal content', () => {
    expect(stored.messageAt(2)).toBeInstanceOf(WireMessage);
    expect(stored.holds(2, stored.messageAt(2))).toBe(true);
    expect(stored.holds(1, stored.messageAt(2))).toBe(false);
    expect(stored.holds(0, createMessage('k0', 'v0'))).toBe(false);
  });

  it('slices at consecutive offsets, and serves fetches with the same records', () => {
    const tail = stored.at(10).slice(1, 3);
    expect(tail.baseOffset).toBe(11);
    expect(tail.messages.map((m) => [text(m.key as Uint8Array | null), text(m.value as Uint8Array | null)])).toEqual([[null, 'héllo'], ['k2', null]]);
    expect(tail.sizeBytes).toBe(plain[1]!.sizeBytes + plain[2]!.sizeBytes);
    expect(decodeRecordSet(recordBatchBytes(tail)).map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([[11, null, 'héllo'], [12, 'k2', null]]);
  });
});
