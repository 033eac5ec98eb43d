/**
 * Fetch translation: a consumer's fetch (Kafka 0.9+'s empty answer above the high watermark),
 * and the broker's batches encoded in the record format of the version asked: magic 0 for v0-v1,
 * magic 1 for v2-v3, record batches v2 for v4+, each at its base offset; the last stable offset is
 * the high watermark, no aborted transactions, no fetch session.
 */
import { describe, expect, it } from 'vitest';
import { fetchTranslator } from '../../../src/gateway/translate/fetch.ts';
import { batchOf, createMessage } from '../../../src/protocol/message.ts';
import type { FetchRecords, FetchRequest } from '../../../src/protocol/wire/apis/fetch.ts';
import { decodeRecordSet, recordSetMagic } from '../../../src/protocol/wire/records.ts';
import { CONTEXT, forwarded } from './support.ts';

const REQUEST: FetchRequest = { replicaId: -1, maxWaitMs: 500, minBytes: 1, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 10, partitionMaxBytes: 4096 }, { partition: 1, fetchOffset: 0, partitionMaxBytes: 4096 }] }] };

/** The records as one record set (the translator hands the encoder chunks: stored batches). */
function recordSet(records: FetchRecords): Uint8Array {
  if (records === null || records instanceof Uint8Array) return records ?? new Uint8Array(0);
  return Uint8Array.from(Buffer.concat(records));
}

const BATCHES = [batchOf(10, [createMessage('a', 'one'), createMessage(null, 'two')]), batchOf(12, [createMessage('c', new TextEncoder().encode('three'))])];

describe('the Fetch translator', () => {
  it('asks the broker as a consumer that wants no error above the high watermark', () => {
    const { request } = forwarded(fetchTranslator.translate(REQUEST, 11, CONTEXT));
    expect(request).toEqual({
      api: 'Fetch',
      clientId: 'test-client',
      correlationId: 7,
      replicaId: -1,
      maxWait: 500,
      minBytes: 1,
      emptyAboveHighWatermark: true,
      partitions: [
        { topic: 't', partition: 0, fetchOffset: 10, fetchSize: 4096 },
        { topic: 't', partition: 1, fetchOffset: 0, fetchSize: 4096 },
      ],
    });
  });

  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 1],
    [4, 2],
    [11, 2],
  ])('answers v%i with magic %i records at their offsets', (version, magic) => {
    const { respond } = forwarded(fetchTranslator.translate(REQUEST, version, CONTEXT));
    const response = respond!({
      api: 'Fetch',
      partitions: [
        { topic: 't', partition: 0, errorCode: 0, highWatermark: 13, logStartOffset: 0, batches: BATCHES, partialMessage: false },
        { topic: 't', partition: 1, errorCode: 6, highWatermark: -1, logStartOffset: -1, batches: [], partialMessage: false },
      ],
    });
    const [p0, p1] = response.responses[0]!.partitions;
    const records = recordSet(p0!.records);
    expect(recordSetMagic(records)).toBe(magic);
    const decoded = decodeRecordSet(records).map((r) => [r.offset, r.key === null ? null : new TextDecoder().decode(r.key), new TextDecoder().decode(r.value!)]);
    expect(decoded).toEqual([
      [10, 'a', 'one'],
      [11, null, 'two'],
      [12, 'c', 'three'],
    ]);
    expect(p0).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 13, lastStableOffset: 13, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1 });
    expect(p1).toMatchObject({ partitionIndex: 1, errorCode: 6, highWatermark: -1 });
    expect(recordSet(p1!.records).length).toBe(0);
    expect(response).toMatchObject({ throttleTimeMs: 0, errorCode: 0, sessionId: 0 });
  });
});
