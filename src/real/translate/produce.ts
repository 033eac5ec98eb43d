/**
 * Produce ↔ the wire's Produce (key 0): each partition's messages as one record set of the
 * version's format (`records.ts`); the answer's base offset is the offset of the partition's first
 * message, as 0.8.2's. acks = 0 gets no response. Every partition asked is answered: one the
 * broker left out gets Unknown (-1).
 * Not modelled: compression, record timestamps and headers (the internal message has none),
 * idempotence and transactions (transactional id null), `logAppendTimeMs`.
 */
import type { ProducePartitionStatus, ProduceRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { producedMessages } from '../../protocol/message.ts';
import { ANY_VERSION, groupByTopic, type ClientTranslation } from './call.ts';
import { produceRecords } from './records.ts';

export const produceTranslation: ClientTranslation<ProduceRequest, 'Produce'> = {
  wireApi: 'Produce',
  versions: () => ANY_VERSION,
  expectsResponse: (request) => request.requiredAcks !== 0,
  toWire(request, version) {
    return {
      transactionalId: null,
      acks: request.requiredAcks,
      timeoutMs: request.ackTimeoutMs,
      topicData: groupByTopic(request.data).map(({ topic, items }) => ({
        name: topic,
        partitionData: items.map((p) => ({ index: p.partition, records: produceRecords(producedMessages(p.messages), version) })),
      })),
    };
  },
  fromWire(response, request) {
    const answers = new Map<string, { errorCode: number; baseOffset: number; logStartOffset?: number }>();
    for (const topic of response.responses) for (const p of topic.partitionResponses) answers.set(`${topic.name}/${p.index}`, p);
    const statuses: ProducePartitionStatus[] = request.data.map((p) => {
      const answer = answers.get(`${p.topic}/${p.partition}`);
      if (answer === undefined) return { topic: p.topic, partition: p.partition, errorCode: ErrorCode.Unknown, offset: -1, logStartOffset: -1 };
      return { topic: p.topic, partition: p.partition, errorCode: answer.errorCode, offset: answer.baseOffset, logStartOffset: answer.logStartOffset ?? -1 };
    });
    return { api: 'Produce', statuses };
  },
};
