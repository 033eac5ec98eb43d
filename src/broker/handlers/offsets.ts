/**
 * Offsets (API 2), 0.8.2 `KafkaApis.handleOffsetRequest` and `fetchOffsetsBefore`.
 *
 * Modelled: served by the leader (NotLeaderForPartition 6), by any replica for the debugging id
 * (-2); LatestTime (-1) and EarliestTime (-2); descending offsets, at most `maxNumOffsets`; for an
 * ordinary client (replicaId -1) capped at the high watermark, so "latest" is the HW for
 * consumers and the LEO for followers.
 * Simplified: a log is one segment (no rolling), so a time before now gives the log start and
 * a time at or after the last append gives the LEO.
 */
import { DEBUGGING_CONSUMER_ID, EARLIEST_TIME, LATEST_TIME, ORDINARY_CONSUMER_ID, type OffsetPartitionResponse, type OffsetRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { partitionKey } from '../state.ts';
import type { Handler } from './api-context.ts';

export const handleOffsets: Handler<OffsetRequest> = (api, request, channel) => {
  const partitions = api.replicaManager.partitions;
  const answers: OffsetPartitionResponse[] = request.partitions.map(({ topic, partition, time, maxNumOffsets }) => {
    const key = partitionKey(topic, partition);
    const failed = (errorCode: number) => ({ topic, partition, errorCode, offsets: [] });
    const state = partitions.get(key);
    if (state === undefined) return failed(ErrorCode.UnknownTopicOrPartition);
    if (request.replicaId !== DEBUGGING_CONSUMER_ID && state.leader !== api.ctx.brokerId) return failed(ErrorCode.NotLeaderForPartition);
    const log = partitions.log(key);
    // One segment: its base offset, then the LEO "now" if it holds anything (`fetchOffsetsBefore`).
    const candidates = log.logEndOffset > log.logStartOffset ? [log.logStartOffset, log.logEndOffset] : [log.logStartOffset];
    let start: number;
    if (time === LATEST_TIME) start = candidates.length - 1;
    else if (time === EARLIEST_TIME) start = 0;
    else start = time >= api.ctx.kernel.nowMs ? candidates.length - 1 : 0;
    let offsets = candidates.slice(0, start + 1).reverse().slice(0, Math.max(0, maxNumOffsets));
    if (request.replicaId === ORDINARY_CONSUMER_ID && offsets.some((o) => o > state.highWatermark)) {
      offsets = [state.highWatermark, ...offsets.filter((o) => o <= state.highWatermark)].slice(0, Math.max(0, maxNumOffsets));
    }
    return { topic, partition, errorCode: ErrorCode.NoError, offsets };
  });
  channel.respond({ api: 'Offsets', partitions: answers });
};
