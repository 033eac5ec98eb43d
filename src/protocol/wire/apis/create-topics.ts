/**
 * CreateTopics (key 19), versions 0-4 (`CreateTopicsRequest`/`CreateTopicsResponse`): create
 * topics with a partition count and replication factor (or an explicit assignment) and configs,
 * with an error per topic. v1 adds `validateOnly` and error messages; v2 the throttle time; v3
 * and v4 change only semantics (v4: -1 = the broker's defaults for partitions and replication).
 *
 * Not modelled: v5+ (flexible; configs echoed back).
 */
import type { ApiDescriptor } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface CreatableReplicaAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export interface CreatableTopicConfig {
  readonly name: string;
  readonly value: string | null;
}

export interface CreatableTopic {
  readonly name: string;
  /** -1 with explicit assignments (or, v4+, for the broker's default). */
  readonly numPartitions: number;
  /** -1 with explicit assignments (or, v4+, for the broker's default). */
  readonly replicationFactor: number;
  readonly assignments: readonly CreatableReplicaAssignment[];
  readonly configs: readonly CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[];
  readonly timeoutMs: number;
  /** v1+; default false. */
  readonly validateOnly?: boolean;
}

export interface CreatableTopicResult {
  readonly name: string;
  readonly errorCode: number;
  /** v1+; default null. */
  readonly errorMessage?: string | null;
}

export interface CreateTopicsResponse {
  /** v2+; default 0. */
  readonly throttleTimeMs?: number;
  readonly topics: readonly CreatableTopicResult[];
}

export const createTopicsApi: ApiDescriptor<'CreateTopics', CreateTopicsRequest, CreateTopicsResponse> = {
  key: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,

  decodeRequest(reader: WireReader, version: number): CreateTopicsRequest {
    const topicCount = reader.arrayLength(16);
    const topics: CreatableTopic[] = [];
    for (let i = 0; i < topicCount; i++) {
      const name = reader.string();
      const numPartitions = reader.int32();
      const replicationFactor = reader.int16();
      const assignmentCount = reader.arrayLength(8);
      const assignments: CreatableReplicaAssignment[] = [];
      for (let j = 0; j < assignmentCount; j++) assignments.push({ partitionIndex: reader.int32(), brokerIds: reader.int32Array() });
      const configCount = reader.arrayLength(4);
      const configs: CreatableTopicConfig[] = [];
      for (let j = 0; j < configCount; j++) configs.push({ name: reader.string(), value: reader.nullableString() });
      topics.push({ name, numPartitions, replicationFactor, assignments, configs });
    }
    const timeoutMs = reader.int32();
    if (version < 1) return { topics, timeoutMs };
    return { topics, timeoutMs, validateOnly: reader.bool() };
  },

  encodeRequest(writer: WireWriter, body: CreateTopicsRequest, version: number): void {
    writer.arrayLength(body.topics.length);
    for (const topic of body.topics) {
      writer.string(topic.name);
      writer.int32(topic.numPartitions);
      writer.int16(topic.replicationFactor);
      writer.arrayLength(topic.assignments.length);
      for (const assignment of topic.assignments) {
        writer.int32(assignment.partitionIndex);
        writer.int32Array(assignment.brokerIds);
      }
      writer.arrayLength(topic.configs.length);
      for (const config of topic.configs) {
        writer.string(config.name);
        writer.nullableString(config.value);
      }
    }
    writer.int32(body.timeoutMs);
    if (version >= 1) writer.bool(body.validateOnly ?? false);
  },

  decodeResponse(reader: WireReader, version: number): CreateTopicsResponse {
    const throttleTimeMs = version >= 2 ? reader.int32() : undefined;
    const count = reader.arrayLength(4);
    const topics: CreatableTopicResult[] = [];
    for (let i = 0; i < count; i++) {
      const name = reader.string();
      const errorCode = reader.int16();
      topics.push(version >= 1 ? { name, errorCode, errorMessage: reader.nullableString() } : { name, errorCode });
    }
    return throttleTimeMs === undefined ? { topics } : { throttleTimeMs, topics };
  },

  encodeResponse(writer: WireWriter, body: CreateTopicsResponse, version: number): void {
    if (version >= 2) writer.int32(body.throttleTimeMs ?? 0);
    writer.arrayLength(body.topics.length);
    for (const topic of body.topics) {
      writer.string(topic.name);
      writer.int16(topic.errorCode);
      if (version >= 1) writer.nullableString(topic.errorMessage ?? null);
    }
  },
};
