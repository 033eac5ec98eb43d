/**
 * ListOffsets (key 2), versions 0-3 (`ListOffsetsRequest`/`ListOffsetsResponse`; Kafka 0.8's
 * OffsetRequest): the offset of a partition at a time, -1 latest (the high watermark) or -2
 * earliest (the log start). v0 answers a list of up to `maxNumOffsets` segment base offsets
 * (`oldStyleOffsets`); v1 one offset with its timestamp (KIP-79); v2 adds the isolation level and
 * the throttle time; v3 changes only semantics.
 *
 * Not modelled: v4+ (current leader epoch, leader epoch in answers; v6+ flexible); librdkafka
 * 2.0.2 asks at most v2, kafkajs 2.2.4 v3, kafka-python 2.0.2 v1.
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';
import { readTopicPartitions, writeTopicPartitions, type TopicPartitions } from './topic-partitions.ts';

export interface ListOffsetsPartition {
  readonly partitionIndex: number;
  /** A time in ms, or -1 (latest) or -2 (earliest). */
  readonly timestamp: number;
  /** v0 only; default 1. */
  readonly maxNumOffsets?: number;
}

export type ListOffsetsTopic = TopicPartitions<ListOffsetsPartition>;

export interface ListOffsetsRequest {
  readonly replicaId: number;
  /** v2+; default 0 (read uncommitted). */
  readonly isolationLevel?: number;
  readonly topics: readonly ListOffsetsTopic[];
}

export interface ListOffsetsPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  /** v0 only; default []. */
  readonly oldStyleOffsets?: readonly number[];
  /** v1+; default -1. */
  readonly timestamp?: number;
  /** v1+; default -1. */
  readonly offset?: number;
}

export type ListOffsetsTopicResponse = TopicPartitions<ListOffsetsPartitionResponse>;

export interface ListOffsetsResponse {
  /** v2+; default 0. */
  readonly throttleTimeMs?: number;
  readonly topics: readonly ListOffsetsTopicResponse[];
}

const NO_OFFSETS: readonly number[] = [];

export const listOffsetsApi: ApiDescriptor<'ListOffsets', ListOffsetsRequest, ListOffsetsResponse> = {
  key: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 3,

  decodeRequest(reader: WireReader, version: number): ListOffsetsRequest {
    const request: Mutable<ListOffsetsRequest> = { replicaId: reader.int32(), topics: [] };
    if (version >= 2) request.isolationLevel = reader.int8();
    request.topics = readTopicPartitions(reader, 12, (): ListOffsetsPartition => {
      const partitionIndex = reader.int32();
      const timestamp = reader.int64();
      return version === 0 ? { partitionIndex, timestamp, maxNumOffsets: reader.int32() } : { partitionIndex, timestamp };
    });
    return request;
  },

  encodeRequest(writer: WireWriter, body: ListOffsetsRequest, version: number): void {
    writer.int32(body.replicaId);
    if (version >= 2) writer.int8(body.isolationLevel ?? 0);
    writeTopicPartitions(writer, body.topics, (partition) => {
      writer.int32(partition.partitionIndex);
      writer.int64(partition.timestamp);
      if (version === 0) writer.int32(partition.maxNumOffsets ?? 1);
    });
  },

  decodeResponse(reader: WireReader, version: number): ListOffsetsResponse {
    const response: Mutable<ListOffsetsResponse> = { topics: [] };
    if (version >= 2) response.throttleTimeMs = reader.int32();
    response.topics = readTopicPartitions(reader, 10, (): ListOffsetsPartitionResponse => {
      const partition: Mutable<ListOffsetsPartitionResponse> = { partitionIndex: reader.int32(), errorCode: reader.int16() };
      if (version === 0) {
        const count = reader.arrayLength(8);
        const offsets: number[] = [];
        for (let k = 0; k < count; k++) offsets.push(reader.int64());
        partition.oldStyleOffsets = offsets;
      } else {
        partition.timestamp = reader.int64();
        partition.offset = reader.int64();
      }
      return partition;
    });
    return response;
  },

  encodeResponse(writer: WireWriter, body: ListOffsetsResponse, version: number): void {
    if (version >= 2) writer.int32(body.throttleTimeMs ?? 0);
    writeTopicPartitions(writer, body.topics, (partition) => {
      writer.int32(partition.partitionIndex);
      writer.int16(partition.errorCode);
      if (version === 0) {
        const offsets = partition.oldStyleOffsets ?? NO_OFFSETS;
        writer.arrayLength(offsets.length);
        for (const offset of offsets) writer.int64(offset);
      } else {
        writer.int64(partition.timestamp ?? -1);
        writer.int64(partition.offset ?? -1);
      }
    });
  },
};
