/**
 * Fetch (API 1), 0.8.2 `KafkaApis.handleFetchRequest` and `ReplicaManager.readMessageSets`.
 *
 * Modelled: reads only from the leader (NotLeaderForPartition 6 otherwise; any replica for the
 * debugging id -2); consumers (replicaId -1) see messages below the high watermark, followers
 * (replicaId = a broker id) up to the LEO; OffsetOutOfRange (1) above the LEO or below the log
 * start, Unknown (-1) for a consumer between HW and LEO; byte-limited reads per partition that can
 * end in a partial message; a follower's fetch offset recorded as its LEO (which may expand the
 * ISR, advance the HW and complete parked acks=-1 produces); parking until `minBytes` of new data
 * (below HW for consumers, LEO for followers), a change of leadership, or `maxWait`.
 * Modern clients (through the wire gateway) get Kafka 0.9+'s answer between HW and LEO when they
 * ask for it (`emptyAboveHighWatermark`): no messages and no error, since a new leader's HW may
 * lag the old leader's for a moment. Every answer carries the leader's log start offset (v5+).
 * Not modelled: the per-request `replica.fetch.max.bytes` cap (there is none in 0.8), quotas; the
 * response byte limit of v3+ (`max_bytes`) and its "at least one message" rule (KIP-74): a
 * response holds up to every partition's `fetchSize`.
 */
import { DEBUGGING_CONSUMER_ID, type FetchPartitionData, type FetchPartitionRequest, type FetchRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { partitionKey } from '../state.ts';
import type { ApiContext, Handler } from './api-context.ts';

interface Read {
  readonly data: FetchPartitionData;
  readonly sizeBytes: number;
}

export const handleFetch: Handler<FetchRequest> = (api, request, channel) => {
  const { replicaManager } = api;
  const fromFollower = request.replicaId >= 0;
  const emptyAboveHighWatermark = request.emptyAboveHighWatermark === true;
  const readAll = () => request.partitions.map((p) => readPartition(api, request.replicaId, p, emptyAboveHighWatermark));
  const first = readAll();
  if (fromFollower) {
    for (let i = 0; i < request.partitions.length; i++) {
      const p = request.partitions[i]!;
      if (first[i]!.data.errorCode !== ErrorCode.NoError) continue;
      const key = partitionKey(p.topic, p.partition);
      replicaManager.partitions.recordFollowerFetch(key, request.replicaId, p.fetchOffset);
      replicaManager.producePurgatory.check(key);
    }
  }
  const bytesReadable = first.reduce((sum, r) => sum + r.sizeBytes, 0);
  const anyError = first.some((r) => r.data.errorCode !== ErrorCode.NoError);
  if (request.maxWait <= 0 || request.partitions.length === 0 || bytesReadable >= request.minBytes || anyError) {
    channel.respond({ api: 'Fetch', partitions: first.map((r) => r.data) });
    return;
  }
  const leaders = request.partitions.map((p) => replicaManager.partitions.peek(partitionKey(p.topic, p.partition))?.leader);
  const delayed = {
    keys: request.partitions.map((p) => partitionKey(p.topic, p.partition)),
    tryComplete: () => {
      const changedLeadership = request.partitions.some(
        (p, i) => replicaManager.partitions.peek(partitionKey(p.topic, p.partition))?.leader !== leaders[i],
      );
      const reads = readAll();
      const bytes = reads.reduce((sum, r) => sum + r.sizeBytes, 0);
      if (!changedLeadership && bytes < request.minBytes) return false;
      channel.respond({ api: 'Fetch', partitions: reads.map((r) => r.data) });
      return true;
    },
    expire: () => channel.respond({ api: 'Fetch', partitions: readAll().map((r) => r.data) }),
  };
  // A consumer's fetch parks on what `first` found: nothing ran since. A follower's recorded
  // fetch may have completed parked produces, whose answers let the socket server handle the
  // next requests of their connections (an append, say): its fetch is checked again.
  if (fromFollower) replicaManager.fetchPurgatory.watch(delayed, request.maxWait);
  else replicaManager.fetchPurgatory.park(delayed, request.maxWait);
};

function readPartition(api: ApiContext, replicaId: number, request: FetchPartitionRequest, emptyAboveHighWatermark: boolean): Read {
  const { topic, partition, fetchOffset, fetchSize } = request;
  const partitions = api.replicaManager.partitions;
  const key = partitionKey(topic, partition);
  const state = partitions.peek(key);
  if (state === undefined) return failedRead(topic, partition, ErrorCode.UnknownTopicOrPartition);
  if (replicaId !== DEBUGGING_CONSUMER_ID && state.leader !== api.ctx.brokerId) return failedRead(topic, partition, ErrorCode.NotLeaderForPartition);
  const maxOffset = replicaId >= 0 ? undefined : state.highWatermark;
  const log = partitions.log(key);
  // Client input never throws inside the broker; it gets Kafka's codes, in the order of `Log.read`
  // then `LogSegment.read`: at the LEO nothing (whatever the size); an offset outside the log
  // OffsetOutOfRange (1) (below 0 `Log.read` finds no segment: how a consumer with no committed
  // offset, -1, learns to reset); a negative size an IllegalArgumentException, Unknown (-1).
  if (fetchOffset !== log.logEndOffset) {
    if (!Number.isSafeInteger(fetchOffset) || fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) return failedRead(topic, partition, ErrorCode.OffsetOutOfRange);
    if (!Number.isSafeInteger(fetchSize) || fetchSize < 0) return failedRead(topic, partition, ErrorCode.Unknown);
  }
  // Kafka 0.9+ `LogSegment.read` answers a consumer between HW and LEO with nothing, no error.
  if (emptyAboveHighWatermark && maxOffset !== undefined && fetchOffset > maxOffset) {
    const data = { topic, partition, errorCode: ErrorCode.NoError, highWatermark: state.highWatermark, logStartOffset: log.logStartOffset, batches: [], partialMessage: false };
    return { data, sizeBytes: 0 };
  }
  const read = log.read(fetchOffset, Math.max(0, fetchSize), maxOffset);
  if (!read.ok) return failedRead(topic, partition, read.errorCode);
  return {
    data: {
      topic,
      partition,
      errorCode: ErrorCode.NoError,
      highWatermark: state.highWatermark,
      logStartOffset: log.logStartOffset,
      batches: read.batches,
      partialMessage: read.partialMessage,
    },
    // What the response carries: with a cut message, the whole `fetchSize` slice of the log (0.8.2's
    // `FileMessageSet.read` sizes the slice, partial message included), so it counts towards minBytes.
    sizeBytes: read.partialMessage ? fetchSize : read.sizeBytes,
  };
}

/** An error answer for one partition (a function of its own: reads run at every fetch check). */
function failedRead(topic: string, partition: number, errorCode: number): Read {
  return { data: { topic, partition, errorCode, highWatermark: -1, logStartOffset: -1, batches: [], partialMessage: false }, sizeBytes: 0 };
}
