/**
 * Produce (key 0) ↔ the broker's ProducerRequest. Each partition's records (record batches v2
 * for v3+, message sets of magic 0/1 before; gzip decompressed) are decoded into the internal
 * messages (key and value bytes); the broker appends them and answers per partition with the
 * base offset and the log start offset (v5+). acks = 0 gets no response at all, as from Kafka.
 *
 * Errors as Kafka answers them, per partition, without troubling the broker: records that do not
 * decode or fail their CRC get CORRUPT_MESSAGE (2), a codec other than none/gzip
 * UNSUPPORTED_COMPRESSION_TYPE (76); the other partitions of the request go on.
 * Not modelled: record timestamps and headers (the 0.8.2 log keeps neither: fetched records have
 * timestamp -1 and no headers), producer ids and sequences (no idempotence), transactions,
 * `logAppendTimeMs` (always -1: CreateTime), throttling (0).
 */
import type { ProducePartitionData } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Message } from '../../protocol/message.ts';
import { produceApi, type ProduceRequest, type ProduceResponse } from '../../protocol/wire/apis/produce.ts';
import { UnsupportedCompressionError, WireDecodeError } from '../../protocol/wire/errors.ts';
import { WireMessage } from '../../protocol/wire/message-batches.ts';
import { readRecordSpans } from '../../protocol/wire/records.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

/** `Errors.UNSUPPORTED_COMPRESSION_TYPE`. */
const UNSUPPORTED_COMPRESSION_TYPE = 76;

export const produceTranslator: Translator<'Produce', ProduceRequest, ProduceResponse> = {
  api: produceApi,
  translate(request, _version, context) {
    const data: ProducePartitionData[] = [];
    /** Partitions answered by the gateway, by `topic/partition`. */
    const rejected = new Map<string, number>();
    for (const topic of request.topicData) {
      for (const p of topic.partitionData) {
        const decoded = decodeMessages(p.records);
        if (typeof decoded === 'number') rejected.set(keyOf(topic.name, p.index), decoded);
        else data.push({ topic: topic.name, partition: p.index, messages: decoded });
      }
    }
    return {
      kind: 'forward',
      request: { api: 'Produce', ...requestBase(context), requiredAcks: request.acks, ackTimeoutMs: request.timeoutMs, data },
      response:
        request.acks === 0
          ? undefined
          : (internal) => {
              const statuses = new Map(expectResponse(internal, 'Produce').statuses.map((s) => [keyOf(s.topic, s.partition), s]));
              return {
                throttleTimeMs: 0,
                responses: request.topicData.map((topic) => ({
                  name: topic.name,
                  partitionResponses: topic.partitionData.map((p) => {
                    const key = keyOf(topic.name, p.index);
                    const status = statuses.get(key);
                    const errorCode = rejected.get(key) ?? status?.errorCode ?? ErrorCode.Unknown;
                    return { index: p.index, errorCode, baseOffset: status?.offset ?? -1, logAppendTimeMs: -1, logStartOffset: status?.logStartOffset ?? -1 };
                  }),
                })),
              };
            },
    };
  },
};

/**
 * The records as internal messages, or the error code to answer for them. The messages keep their
 * keys and values in the request's bytes (`WireMessage`): one object per record, no copies.
 */
function decodeMessages(records: Uint8Array | null): Message[] | number {
  if (records === null) return [];
  const messages: Message[] = [];
  try {
    readRecordSpans(records, (bytes, at) => {
      messages.push(new WireMessage(bytes, at));
    });
    return messages;
  } catch (error) {
    if (error instanceof UnsupportedCompressionError) return UNSUPPORTED_COMPRESSION_TYPE;
    if (error instanceof WireDecodeError) return ErrorCode.InvalidMessage;
    throw error;
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
