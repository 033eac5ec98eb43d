/**
 * OffsetFetch (key 9), versions 0-5 (`OffsetFetchRequest`/`OffsetFetchResponse`): a group's
 * committed positions. v0 reads ZooKeeper in Kafka 0.8.2, v1 the coordinator; v2 adds null = all
 * partitions the group committed and a top-level error; v3 the throttle time; v4 changes only
 * semantics; v5 adds the committed leader epoch.
 *
 * Not modelled: v6+ (flexible; v7 require_stable, v8 batched groups). librdkafka 2.0.2 asks at
 * most v7 and settles for v5.
 */
import { InvalidArgumentError } from '../../../sim/errors.ts';
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';
import { readTopicPartitions, writeTopicPartitions, type TopicPartitions } from './topic-partitions.ts';

export interface OffsetFetchRequestTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export interface OffsetFetchRequest {
  readonly groupId: string;
  /** null (v2+) = every partition the group committed. */
  readonly topics: readonly OffsetFetchRequestTopic[] | null;
}

export interface OffsetFetchResponsePartition {
  readonly partitionIndex: number;
  /** -1 when nothing was committed. */
  readonly committedOffset: number;
  /** v5+; default -1. */
  readonly committedLeaderEpoch?: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export type OffsetFetchResponseTopic = TopicPartitions<OffsetFetchResponsePartition>;

export interface OffsetFetchResponse {
  /** v3+; default 0. */
  readonly throttleTimeMs?: number;
  readonly topics: readonly OffsetFetchResponseTopic[];
  /** v2+; default 0. */
  readonly errorCode?: number;
}

export const offsetFetchApi: ApiDescriptor<'OffsetFetch', OffsetFetchRequest, OffsetFetchResponse> = {
  key: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 5,

  decodeRequest(reader: WireReader, version: number): OffsetFetchRequest {
    const groupId = reader.string();
    const count = version >= 2 ? reader.nullableArrayLength(6) : reader.arrayLength(6);
    if (count < 0) return { groupId, topics: null };
    const topics: OffsetFetchRequestTopic[] = [];
    for (let i = 0; i < count; i++) topics.push({ name: reader.string(), partitionIndexes: reader.int32Array() });
    return { groupId, topics };
  },

  encodeRequest(writer: WireWriter, body: OffsetFetchRequest, version: number): void {
    writer.string(body.groupId);
    if (body.topics === null) {
      if (version < 2) throw new InvalidArgumentError(`OffsetFetchRequest v${version} topics`, null, 'a list (null = all partitions needs v2+)');
      writer.arrayLength(-1);
      return;
    }
    writer.arrayLength(body.topics.length);
    for (const topic of body.topics) {
      writer.string(topic.name);
      writer.int32Array(topic.partitionIndexes);
    }
  },

  decodeResponse(reader: WireReader, version: number): OffsetFetchResponse {
    const response: Mutable<OffsetFetchResponse> = { topics: [] };
    if (version >= 3) response.throttleTimeMs = reader.int32();
    response.topics = readTopicPartitions(reader, 16, (): OffsetFetchResponsePartition => {
      const partition: Mutable<OffsetFetchResponsePartition> = { partitionIndex: reader.int32(), committedOffset: reader.int64(), metadata: null, errorCode: 0 };
      if (version >= 5) partition.committedLeaderEpoch = reader.int32();
      partition.metadata = reader.nullableString();
      partition.errorCode = reader.int16();
      return partition;
    });
    if (version >= 2) response.errorCode = reader.int16();
    return response;
  },

  encodeResponse(writer: WireWriter, body: OffsetFetchResponse, version: number): void {
    if (version >= 3) writer.int32(body.throttleTimeMs ?? 0);
    writeTopicPartitions(writer, body.topics, (partition) => {
      writer.int32(partition.partitionIndex);
      writer.int64(partition.committedOffset);
      if (version >= 5) writer.int32(partition.committedLeaderEpoch ?? -1);
      writer.nullableString(partition.metadata);
      writer.int16(partition.errorCode);
    });
    if (version >= 2) writer.int16(body.errorCode ?? 0);
  },
};
