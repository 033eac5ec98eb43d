/**
 * Fetch (key 1) ↔ the broker's FetchRequest, as a consumer (Kafka 0.9+'s empty answer between
 * high watermark and log end offset, `emptyAboveHighWatermark`). The broker's batches are
 * encoded for the version asked (`fetchRecordChunks`): record batches v2 (magic 2) for v4+,
 * encoded once per stored batch and then served from those bytes, message sets of magic 1 for
 * v2-v3 and magic 0 for v0-v1, each internal batch as one batch at its base offset.
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
import { fetchApi, type FetchRequest, type FetchResponse, type FetchResponsePartition } from '../../protocol/wire/apis/fetch.ts';
import { fetchRecordChunks } from '../../protocol/wire/message-batches.ts';
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
                records: fetchRecordChunks(answer.batches, version),
              };
            }),
          })),
        };
      },
    };
  },
};
