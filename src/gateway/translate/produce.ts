/**
 * Produce (key 0) ↔ the broker's ProducerRequest. Each partition's records (record batches v2
 * for v3+, message sets of magic 0/1 before; gzip decompressed) are read and checked, and kept as
 * they arrived (`WireRecordBatch`: the request's bytes and where each record is); the broker
 * appends them and answers per partition with the base offset and the log start offset (v5+). acks = 0 gets no response at all, as from Kafka.
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
import type { ProducedMessages } from '../../protocol/message.ts';
import { produceApi, type ProduceRequest, type ProduceResponse } from '../../protocol/wire/apis/produce.ts';
import { UnsupportedCompressionError, WireDecodeError } from '../../protocol/wire/errors.ts';
import { WireMessage, WireRecordBatch } from '../../protocol/wire/message-batches.ts';
import { readRecordSpans } from '../../protocol/wire/records.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

/** Room for the record positions of a typical batch before the array grows. */
const INITIAL_POSITIONS = 1024;

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
 * The records as the broker will store them, or the error code to answer for them: a record set
 * of uncompressed v2 batches as a `WireRecordBatch` over the request's bytes (four bytes per
 * record, no copies); records that `readRecordSpans` hands over in buffers of their own (legacy
 * entries of magic 0/1, re-encoded; gzip batches, decompressed) as one `WireMessage` each.
 */
function decodeMessages(records: Uint8Array | null): ProducedMessages | number {
  if (records === null) return [];
  let positions = new Int32Array(INITIAL_POSITIONS);
  let count = 0;
  let objects: WireMessage[] | undefined;
  try {
    readRecordSpans(records, (bytes, at) => {
      // A v2 batch's spans are in a view of `records`; others in buffers of their own.
      const shift = bytes.byteOffset - records.byteOffset;
      const inRecords = bytes.buffer === records.buffer && shift >= 0 && shift + bytes.length <= records.length;
      if (objects !== undefined || !inRecords) {
        objects ??= Array.from(positions.subarray(0, count), (position) => new WireMessage(records, position));
        objects.push(new WireMessage(bytes, at));
        return;
      }
      if (count === positions.length) {
        const grown = new Int32Array(count * 2);
        grown.set(positions);
        positions = grown;
      }
      positions[count++] = shift + at;
    });
  } catch (error) {
    if (error instanceof UnsupportedCompressionError) return UNSUPPORTED_COMPRESSION_TYPE;
    if (error instanceof WireDecodeError) return ErrorCode.InvalidMessage;
    throw error;
  }
  if (objects !== undefined) return objects;
  return count === 0 ? [] : WireRecordBatch.of(records, positions.slice(0, count));
}

function keyOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
