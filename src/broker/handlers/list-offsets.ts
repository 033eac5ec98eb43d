/**
 * ListOffsets v1+ (API 2; v0 is `offsets.ts`), Kafka 2.2 `KafkaApis.handleListOffsetRequestV1AndAbove`:
 * one offset per partition.
 *
 * Modelled: served by the leader (NotLeaderForPartition 6; any replica for the debugging id -2);
 * UnknownTopicOrPartition (3); a partition asked twice is InvalidRequest (42); LATEST_TIME (-1)
 * is the high watermark for consumers (the last stable offset too: there are no transactions)
 * and the log end offset for a follower's id; EARLIEST_TIME (-2) is the log start offset; the
 * timestamp answered is -1 for both.
 * Not modelled: offsets by time. The log keeps 0.8.2 messages (magic 0), which carry no
 * timestamps, so any other timestamp is UnsupportedForMessageFormat (43), as Kafka answers for a
 * topic whose message format predates 0.10.
 */
import { DEBUGGING_CONSUMER_ID, EARLIEST_TIME, LATEST_TIME, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { partitionKey } from '../state.ts';
import type { Handler } from './api-context.ts';

export const handleListOffsets: Handler<ListOffsetsRequest> = (api, request, channel) => {
  const partitions = api.replicaManager.partitions;
  const keys = request.partitions.map((p) => partitionKey(p.topic, p.partition));
  const answers: ListOffsetsResponse['partitions'][number][] = request.partitions.map(({ topic, partition, timestamp }, i) => {
    const key = keys[i]!;
    const failed = (errorCode: number) => ({ topic, partition, errorCode, timestamp: -1, offset: -1 });
    if (keys.indexOf(key) !== keys.lastIndexOf(key)) return failed(ErrorCode.InvalidRequest);
    const state = partitions.get(key);
    if (state === undefined) return failed(ErrorCode.UnknownTopicOrPartition);
    if (request.replicaId !== DEBUGGING_CONSUMER_ID && state.leader !== api.ctx.brokerId) return failed(ErrorCode.NotLeaderForPartition);
    const log = partitions.log(key);
    if (timestamp === EARLIEST_TIME) return { topic, partition, errorCode: ErrorCode.NoError, timestamp: -1, offset: log.logStartOffset };
    if (timestamp === LATEST_TIME) {
      const offset = request.replicaId >= 0 ? log.logEndOffset : state.highWatermark;
      return { topic, partition, errorCode: ErrorCode.NoError, timestamp: -1, offset };
    }
    return failed(ErrorCode.UnsupportedForMessageFormat);
  });
  channel.respond({ api: 'ListOffsets', partitions: answers });
};
