/**
 * OffsetCommit (key 8), versions 0-7 (`OffsetCommitRequest`/`OffsetCommitResponse`): a group's
 * consumed positions, per partition, with metadata. v0 commits to ZooKeeper in Kafka 0.8.2; v1
 * commits to the coordinator with the member's generation and id and a per-partition timestamp;
 * v2-v4 replace the timestamp with a retention time; v3 adds the throttle time; v5 drops the
 * retention; v6 adds the committed leader epoch; v7 the group instance id.
 *
 * Not modelled: v8+ (flexible).
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';
import { readTopicPartitions, writeTopicPartitions, type TopicPartitions } from './topic-partitions.ts';

export interface OffsetCommitRequestPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  /** v6+; default -1. */
  readonly committedLeaderEpoch?: number;
  /** v1 only; default -1 (the broker's time). */
  readonly commitTimestamp?: number;
  readonly committedMetadata: string | null;
}

export type OffsetCommitRequestTopic = TopicPartitions<OffsetCommitRequestPartition>;

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** v1+; default -1 (a commit from outside the group protocol). */
  readonly generationId?: number;
  /** v1+; default "". */
  readonly memberId?: string;
  /** v7+; default null. */
  readonly groupInstanceId?: string | null;
  /** v2-v4; default -1 (the broker's `offsets.retention.minutes`). */
  readonly retentionTimeMs?: number;
  readonly topics: readonly OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  readonly partitionIndex: number;
  readonly errorCode: number;
}

export type OffsetCommitResponseTopic = TopicPartitions<OffsetCommitResponsePartition>;

export interface OffsetCommitResponse {
  /** v3+; default 0. */
  readonly throttleTimeMs?: number;
  readonly topics: readonly OffsetCommitResponseTopic[];
}

export const offsetCommitApi: ApiDescriptor<'OffsetCommit', OffsetCommitRequest, OffsetCommitResponse> = {
  key: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 7,

  decodeRequest(reader: WireReader, version: number): OffsetCommitRequest {
    const request: Mutable<OffsetCommitRequest> = { groupId: reader.string(), topics: [] };
    if (version >= 1) {
      request.generationId = reader.int32();
      request.memberId = reader.string();
    }
    if (version >= 7) request.groupInstanceId = reader.nullableString();
    if (version >= 2 && version <= 4) request.retentionTimeMs = reader.int64();
    request.topics = readTopicPartitions(reader, 14, (): OffsetCommitRequestPartition => {
      const partition: Mutable<OffsetCommitRequestPartition> = { partitionIndex: reader.int32(), committedOffset: reader.int64(), committedMetadata: null };
      if (version >= 6) partition.committedLeaderEpoch = reader.int32();
      if (version === 1) partition.commitTimestamp = reader.int64();
      partition.committedMetadata = reader.nullableString();
      return partition;
    });
    return request;
  },

  encodeRequest(writer: WireWriter, body: OffsetCommitRequest, version: number): void {
    writer.string(body.groupId);
    if (version >= 1) {
      writer.int32(body.generationId ?? -1);
      writer.string(body.memberId ?? '');
    }
    if (version >= 7) writer.nullableString(body.groupInstanceId ?? null);
    if (version >= 2 && version <= 4) writer.int64(body.retentionTimeMs ?? -1);
    writeTopicPartitions(writer, body.topics, (partition) => {
      writer.int32(partition.partitionIndex);
      writer.int64(partition.committedOffset);
      if (version >= 6) writer.int32(partition.committedLeaderEpoch ?? -1);
      if (version === 1) writer.int64(partition.commitTimestamp ?? -1);
      writer.nullableString(partition.committedMetadata);
    });
  },

  decodeResponse(reader: WireReader, version: number): OffsetCommitResponse {
    const throttleTimeMs = version >= 3 ? reader.int32() : undefined;
    const topics = readTopicPartitions(reader, 6, (): OffsetCommitResponsePartition => ({ partitionIndex: reader.int32(), errorCode: reader.int16() }));
    return throttleTimeMs === undefined ? { topics } : { throttleTimeMs, topics };
  },

  encodeResponse(writer: WireWriter, body: OffsetCommitResponse, version: number): void {
    if (version >= 3) writer.int32(body.throttleTimeMs ?? 0);
    writeTopicPartitions(writer, body.topics, (partition) => {
      writer.int32(partition.partitionIndex);
      writer.int16(partition.errorCode);
    });
  },
};
