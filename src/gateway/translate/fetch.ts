/**
 * Fetch (key 1) ↔ the broker's FetchRequest, as a consumer (Kafka 0.9+'s empty answer between
 * high watermark and log end offset, `emptyAboveHighWatermark`). The broker's batches are
 * encoded for the version asked: record batches v2 (magic 2) for v4+, message sets of magic 1
 * for v2-v3 and magic 0 for v0-v1, each internal batch as one batch at its base offset.
 * The last stable offset (v4+) is the high watermark (no transactions), aborted transactions
 * are none, the log start offset (v5+) is the leader's.
 *
 * Not modelled: fetch sessions (v7+: the answer's session id 0 declines them, and clients send
 * full fetches), the response byte limit (v3+ `maxBytes`: each partition gets up to its own
 * limit), KIP-74's "at least one message" (a message larger than the partition limit is not
 * returned), follower fetches (a real client is a consumer), read-committed isolation (the same
 * as read-uncommitted without transactions), rack-aware preferred replicas (v11: -1), record
 * timestamps (-1) and headers (none): the 0.8.2 log keeps neither.
 */
import type { FetchPartitionRequest } from '../../protocol/api.ts';
import type { MessageBatch, Payload } from '../../protocol/message.ts';
import { fetchApi, type FetchRequest, type FetchResponse, type FetchResponsePartition } from '../../protocol/wire/apis/fetch.ts';
import { WireWriter } from '../../protocol/wire/primitives.ts';
import { encodeMessageSet, encodeRecordBatch, type RecordInput } from '../../protocol/wire/records.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

const NO_ABORTED_TRANSACTIONS: readonly never[] = [];

export const fetchTranslator: Translator<'Fetch', FetchRequest, FetchResponse> = {
  api: fetchApi,
  translate(request, version, context) {
    const partitions: FetchPartitionRequest[] = [];
    for (const topic of request.topics) {
      for (const p of topic.partitions) partitions.push({ topic: topic.topic, partition: p.partition, fetchOffset: p.fetchOffset, fetchSize: p.partitionMaxBytes });
    }
    return {
      kind: 'forward',
      request: { api: 'Fetch', ...requestBase(context), replicaId: -1, maxWait: request.maxWaitMs, minBytes: request.minBytes, partitions, emptyAboveHighWatermark: true },
      response: (internal) => {
        const answers = expectResponse(internal, 'Fetch').partitions;
        let i = 0;
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          responses: request.topics.map((topic) => ({
            topic: topic.topic,
            partitions: topic.partitions.map((p): FetchResponsePartition => {
              const answer = answers[i++]!;
              return {
                partitionIndex: p.partition,
                errorCode: answer.errorCode,
                highWatermark: answer.highWatermark,
                lastStableOffset: answer.highWatermark,
                logStartOffset: answer.logStartOffset,
                abortedTransactions: NO_ABORTED_TRANSACTIONS,
                preferredReadReplica: -1,
                records: encodeBatches(answer.batches, version),
              };
            }),
          })),
        };
      },
    };
  },
};

/** The batches as the record format of fetch version `version`. */
function encodeBatches(batches: readonly MessageBatch[], version: number): Uint8Array | null {
  let bytes = 0;
  for (const batch of batches) bytes += batch.sizeBytes;
  if (bytes === 0) return new Uint8Array(0);
  const writer = new WireWriter(bytes + 64 * batches.length);
  for (const batch of batches) {
    if (batch.messages.length === 0) continue;
    const records: RecordInput[] = batch.messages.map((m) => ({ key: toBytes(m.key), value: toBytes(m.value) }));
    if (version >= 4) encodeRecordBatch(writer, { baseOffset: batch.baseOffset, records });
    else encodeMessageSet(writer, version >= 2 ? 1 : 0, batch.baseOffset, records);
  }
  return writer.finish();
}

const utf8 = new TextEncoder();

function toBytes(payload: Payload | null): Uint8Array | null {
  return typeof payload === 'string' ? utf8.encode(payload) : payload;
}
