/**
 * Produce (API 0), 0.8.2 `KafkaApis.handleProducerOrOffsetCommitRequest`.
 *
 * Modelled: append to every partition's leader log before any waiting; per-partition errors
 * (UnknownTopicOrPartition 3, NotLeaderForPartition 6, MessageSizeTooLarge 10 against the topic's
 * max.message.bytes, NotEnoughReplicas 19 before append when acks=-1 and the ISR is below
 * min.insync.replicas); acks=0: no response, and the connection is closed if any partition
 * failed; acks=1 (or nothing appended): answer at once with the first offset; acks=-1: park in
 * the purgatory until each partition's leader HW covers the request, answering NoError or
 * NotEnoughReplicasAfterAppend (20), or RequestTimedOut (7) after `ackTimeoutMs` with the data
 * left in the log. acks > 1 counts ISR members that have the data (deprecated, still served).
 * The offsets topic takes no produce from clients: InvalidTopic (17), as 0.8.2's `appendToLocalLog`
 * answers for an internal topic (the group coordinator appends to it directly). Each status
 * carries the leader's log start offset (Produce v5+), -1 when nothing was appended.
 * Not modelled: compression, message set validation beyond sizes.
 */
import { isInternalTopic, type ProducePartitionStatus, type ProduceRequest } from '../../protocol/api.ts';
import { ErrorCode, errorName } from '../../protocol/errors.ts';
import { largestMessageBodyBytes, producedCount, type MessageBatch, type ProducedMessages } from '../../protocol/message.ts';
import { NOTHING_APPENDED } from '../partition.ts';
import { partitionKey } from '../state.ts';
import type { Handler } from './api-context.ts';

interface PartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly messages: ProducedMessages;
  /** The batch the leader appended (shared with its log), which an acknowledgement refers to. */
  readonly batch: MessageBatch;
  errorCode: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  acksPending: boolean;
}

/** A partition's result when nothing was appended (object literals, no spreads: every batch comes here). */
function failedResult(topic: string, partition: number, key: string, messages: PartitionResult['messages'], errorCode: number): PartitionResult {
  return { topic, partition, key, messages, batch: NOTHING_APPENDED, errorCode, firstOffset: -1, lastOffset: -1, acksPending: false };
}

export const handleProduce: Handler<ProduceRequest> = (api, request, channel) => {
  const { ctx, replicaManager } = api;
  const partitions = replicaManager.partitions;
  const results: PartitionResult[] = request.data.map(({ topic, partition, messages }) => {
    const key = partitionKey(topic, partition);
    if (isInternalTopic(topic)) return failedResult(topic, partition, key, messages, ErrorCode.InvalidTopic);
    const state = partitions.get(key);
    if (state === undefined) return failedResult(topic, partition, key, messages, ErrorCode.UnknownTopicOrPartition);
    const maxBytes = ctx.topicConfig(topic)['max.message.bytes'];
    if (largestMessageBodyBytes(messages) > maxBytes) return failedResult(topic, partition, key, messages, ErrorCode.MessageSizeTooLarge);
    const appended = partitions.appendMessagesToLeader(key, messages, request.requiredAcks);
    if (appended.errorCode !== 0 || !('firstOffset' in appended)) return failedResult(topic, partition, key, messages, appended.errorCode);
    ctx.narrate(
      'produce.appended',
      { topic, partition, firstOffset: appended.firstOffset, lastOffset: appended.lastOffset, acks: request.requiredAcks, client: channel.peer },
      `Broker ${ctx.brokerId} (leader of ${key}) appended ${producedCount(messages)} message(s) from ${channel.peer} at offsets ${appended.firstOffset}–${appended.lastOffset} (acks=${request.requiredAcks}).`,
    );
    return { topic, partition, key, messages, batch: appended.batch, errorCode: 0, firstOffset: appended.firstOffset, lastOffset: appended.lastOffset, acksPending: false };
  });
  for (const result of results) {
    if (result.errorCode === 0) continue;
    ctx.narrate(
      'produce.rejected',
      { topic: result.topic, partition: result.partition, error: errorName(result.errorCode), client: channel.peer },
      `Broker ${ctx.brokerId} rejected ${producedCount(result.messages)} message(s) for ${result.key} from ${channel.peer}: ${errorName(result.errorCode)} (${result.errorCode}); nothing appended.`,
    );
  }

  if (request.requiredAcks === 0) {
    // No response ever; an error closes the connection so the producer notices on its next send.
    if (results.some((r) => r.errorCode !== 0)) channel.closeConnection();
    else channel.noResponse();
    return;
  }

  const answer = () => {
    const statuses: ProducePartitionStatus[] = results.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      errorCode: r.errorCode,
      // `ProducerResponseStatus(error, start)`: the first offset whenever the data was appended,
      // also with RequestTimedOut (7), NotLeaderForPartition (6) or NotEnoughReplicasAfterAppend
      // (20) from the purgatory (`DelayedProduce` keeps `start`); -1 when nothing was appended.
      offset: r.firstOffset,
      logStartOffset: r.firstOffset === -1 ? -1 : (ctx.logs.get(r.key)?.logStartOffset ?? -1),
    }));
    for (const r of results) {
      if (r.errorCode !== 0) continue;
      api.observer.produceAcknowledged({
        broker: ctx.brokerId,
        topic: r.topic,
        partition: r.partition,
        firstOffset: r.firstOffset,
        batch: r.batch,
        requiredAcks: request.requiredAcks,
        timeMs: ctx.kernel.nowMs,
      });
    }
    channel.respond({ api: 'Produce', statuses });
  };

  const appendedAny = results.some((r) => r.errorCode === 0);
  if (request.requiredAcks === 1 || !appendedAny) {
    answer();
    return;
  }

  for (const r of results) {
    if (r.errorCode !== 0) continue;
    r.acksPending = true;
    r.errorCode = ErrorCode.RequestTimedOut; // until the ISR has it
  }
  replicaManager.producePurgatory.watch(
    {
      keys: results.filter((r) => r.acksPending).map((r) => r.key),
      tryComplete: () => {
        for (const r of results) {
          if (!r.acksPending) continue;
          const check = partitions.checkEnoughReplicasReachOffset(r.key, r.lastOffset + 1, request.requiredAcks);
          if (!check.done) continue;
          r.acksPending = false;
          r.errorCode = check.errorCode;
        }
        if (results.some((r) => r.acksPending)) return false;
        answer();
        return true;
      },
      expire: () => {
        for (const r of results) {
          if (!r.acksPending) continue;
          ctx.narrate(
            'produce.timed-out',
            { topic: r.topic, partition: r.partition, firstOffset: r.firstOffset, lastOffset: r.lastOffset },
            `Broker ${ctx.brokerId}: the in-sync replicas of ${r.key} did not confirm offsets ${r.firstOffset}–${r.lastOffset} within ${request.ackTimeoutMs} ms; it answers RequestTimedOut (7) and the messages stay in its log.`,
          );
        }
        answer();
      },
    },
    request.ackTimeoutMs,
  );
};
