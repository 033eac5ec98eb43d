/**
 * Fetch ↔ the wire's Fetch (key 1), as a full fetch outside any fetch session (v7+: session 0,
 * epoch -1), read uncommitted, no response byte limit beyond the partitions' own. Each partition's
 * records become internal batches from the fetch offset on (`records.ts`); the log start offset is
 * -1 below v5. A request-level error (v7+) stands for every partition the broker did not answer.
 * Not modelled: the internal `emptyAboveHighWatermark` (a simulated broker's choice; real brokers
 * of every wire version behave so), aborted transactions, preferred read replicas.
 */
import type { FetchPartitionData, FetchRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { FetchResponsePartition } from '../../protocol/wire/apis/fetch.ts';
import { ANY_VERSION, groupByTopic, type ClientTranslation } from './call.ts';
import { fetchedBatches } from './records.ts';

export const fetchTranslation: ClientTranslation<FetchRequest, 'Fetch'> = {
  wireApi: 'Fetch',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire(request) {
    return {
      replicaId: request.replicaId,
      maxWaitMs: request.maxWait,
      minBytes: request.minBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: groupByTopic(request.partitions).map(({ topic, items }) => ({
        topic,
        partitions: items.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.fetchSize })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
  },
  fromWire(response, request) {
    const answers = new Map<string, FetchResponsePartition>();
    for (const topic of response.responses) for (const p of topic.partitions) answers.set(`${topic.topic}/${p.partitionIndex}`, p);
    const partitions: FetchPartitionData[] = request.partitions.map((p) => {
      const answer = answers.get(`${p.topic}/${p.partition}`);
      if (answer === undefined) {
        const errorCode = response.errorCode !== undefined && response.errorCode !== 0 ? response.errorCode : ErrorCode.Unknown;
        return { topic: p.topic, partition: p.partition, errorCode, highWatermark: -1, logStartOffset: -1, batches: [], partialMessage: false };
      }
      const { batches, partialMessage } = fetchedBatches(answer.records as Uint8Array | null, p.fetchOffset);
      return {
        topic: p.topic,
        partition: p.partition,
        errorCode: answer.errorCode,
        highWatermark: answer.highWatermark,
        logStartOffset: answer.logStartOffset ?? -1,
        batches,
        partialMessage,
      };
    });
    return { api: 'Fetch', partitions };
  },
};
