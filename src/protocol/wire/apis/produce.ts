/**
 * Produce (key 0), versions 0-7 (`ProduceRequest`/`ProduceResponse`): records for partitions, and
 * per partition the offset the first one got. v1 adds the throttle time; v2 the log append time;
 * v3 the transactional id (and requires record batches v2, magic 2; v0-v2 carry message sets of
 * magic 0 or 1, see `records.ts`); v5 the log start offset; v4, v6 and v7 change only semantics
 * (v7: zstd allowed).
 *
 * The records stay bytes here, a view into the request's frame (no copy, nothing decoded):
 * the broker decodes what it needs. With acks = 0 Kafka sends no response at all; that is the
 * responder's business, not the codec's.
 * Not modelled: v8+ (per-record errors; v9+ flexible); every default client asks at most v7.
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface PartitionProduceData {
  readonly index: number;
  /** A record set: record batches (v3+) or a message set (v0-v2); null is legal on the wire. */
  readonly records: Uint8Array | null;
}

export interface TopicProduceData {
  readonly name: string;
  readonly partitionData: readonly PartitionProduceData[];
}

export interface ProduceRequest {
  /** v3+; default null. */
  readonly transactionalId?: string | null;
  /** 0 (no response), 1 (leader) or -1 (all in-sync replicas). */
  readonly acks: number;
  readonly timeoutMs: number;
  readonly topicData: readonly TopicProduceData[];
}

export interface PartitionProduceResponse {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: number;
  /** v2+; default -1 (CreateTime topics). */
  readonly logAppendTimeMs?: number;
  /** v5+; default -1. */
  readonly logStartOffset?: number;
}

export interface TopicProduceResponse {
  readonly name: string;
  readonly partitionResponses: readonly PartitionProduceResponse[];
}

export interface ProduceResponse {
  readonly responses: readonly TopicProduceResponse[];
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
}

export const produceApi: ApiDescriptor<'Produce', ProduceRequest, ProduceResponse> = {
  key: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 7,

  decodeRequest(reader: WireReader, version: number): ProduceRequest {
    const transactionalId = version >= 3 ? reader.nullableString() : undefined;
    const acks = reader.int16();
    const timeoutMs = reader.int32();
    const topicCount = reader.arrayLength(6);
    const topicData: TopicProduceData[] = [];
    for (let i = 0; i < topicCount; i++) {
      const name = reader.string();
      const partitionCount = reader.arrayLength(8);
      const partitionData: PartitionProduceData[] = [];
      for (let j = 0; j < partitionCount; j++) partitionData.push({ index: reader.int32(), records: reader.nullableBytes() });
      topicData.push({ name, partitionData });
    }
    return transactionalId === undefined ? { acks, timeoutMs, topicData } : { transactionalId, acks, timeoutMs, topicData };
  },

  encodeRequest(writer: WireWriter, body: ProduceRequest, version: number): void {
    if (version >= 3) writer.nullableString(body.transactionalId ?? null);
    writer.int16(body.acks);
    writer.int32(body.timeoutMs);
    writer.arrayLength(body.topicData.length);
    for (const topic of body.topicData) {
      writer.string(topic.name);
      writer.arrayLength(topic.partitionData.length);
      for (const partition of topic.partitionData) {
        writer.int32(partition.index);
        writer.nullableBytes(partition.records);
      }
    }
  },

  decodeResponse(reader: WireReader, version: number): ProduceResponse {
    const topicCount = reader.arrayLength(6);
    const responses: TopicProduceResponse[] = [];
    for (let i = 0; i < topicCount; i++) {
      const name = reader.string();
      const partitionCount = reader.arrayLength(14);
      const partitionResponses: PartitionProduceResponse[] = [];
      for (let j = 0; j < partitionCount; j++) {
        const partition: Mutable<PartitionProduceResponse> = { index: reader.int32(), errorCode: reader.int16(), baseOffset: reader.int64() };
        if (version >= 2) partition.logAppendTimeMs = reader.int64();
        if (version >= 5) partition.logStartOffset = reader.int64();
        partitionResponses.push(partition);
      }
      responses.push({ name, partitionResponses });
    }
    if (version < 1) return { responses };
    return { responses, throttleTimeMs: reader.int32() };
  },

  encodeResponse(writer: WireWriter, body: ProduceResponse, version: number): void {
    writer.arrayLength(body.responses.length);
    for (const topic of body.responses) {
      writer.string(topic.name);
      writer.arrayLength(topic.partitionResponses.length);
      for (const partition of topic.partitionResponses) {
        writer.int32(partition.index);
        writer.int16(partition.errorCode);
        writer.int64(partition.baseOffset);
        if (version >= 2) writer.int64(partition.logAppendTimeMs ?? -1);
        if (version >= 5) writer.int64(partition.logStartOffset ?? -1);
      }
    }
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
  },
};
