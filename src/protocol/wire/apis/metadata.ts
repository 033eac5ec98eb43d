/**
 * Metadata (key 3), versions 0-6 (`MetadataRequest`/`MetadataResponse`): the brokers, the
 * controller and every requested topic's partitions with leader, replicas and ISR.
 * v1 adds racks, the controller id, `isInternal` and null = all topics; v2 the cluster id; v3 the
 * throttle time; v4 `allowAutoTopicCreation`; v5 offline replicas; v6 changes nothing on the wire.
 *
 * The request's topic list is flattened to names (Kafka's `MetadataRequestTopic` has only a name
 * up to v9) and means the same in every version: null asks for all topics, [] for none. v0 has
 * no null, and its empty list means all topics, so it decodes to null; asking v0 for no topics is
 * impossible and encoding it is refused.
 * Not modelled: v7+ (leader epochs; v9+ flexible); librdkafka 2.0.2 asks at most v4, kafkajs 2.2.4
 * v6, kafka-python 2.0.2 v0 and v1.
 */
import { InvalidArgumentError } from '../../../sim/errors.ts';
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface MetadataRequest {
  /** Topic names; null = all topics. */
  readonly topics: readonly string[] | null;
  /** v4+; default true. */
  readonly allowAutoTopicCreation?: boolean;
}

export interface MetadataResponseBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  /** v1+; default null. */
  readonly rack?: string | null;
}

export interface MetadataResponsePartition {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  readonly replicaNodes: readonly number[];
  readonly isrNodes: readonly number[];
  /** v5+; default []. */
  readonly offlineReplicas?: readonly number[];
}

export interface MetadataResponseTopic {
  readonly errorCode: number;
  readonly name: string;
  /** v1+; default false. */
  readonly isInternal?: boolean;
  readonly partitions: readonly MetadataResponsePartition[];
}

export interface MetadataResponse {
  /** v3+; default 0. */
  readonly throttleTimeMs?: number;
  readonly brokers: readonly MetadataResponseBroker[];
  /** v2+; default null. */
  readonly clusterId?: string | null;
  /** v1+; default -1. */
  readonly controllerId?: number;
  readonly topics: readonly MetadataResponseTopic[];
}

const NO_OFFLINE_REPLICAS: readonly number[] = [];

export const metadataApi: ApiDescriptor<'Metadata', MetadataRequest, MetadataResponse> = {
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,

  decodeRequest(reader: WireReader, version: number): MetadataRequest {
    let topics: string[] | null;
    if (version === 0) {
      topics = reader.stringArray();
      if (topics.length === 0) topics = null;
    } else {
      const count = reader.nullableArrayLength(2);
      topics = count < 0 ? null : [];
      for (let i = 0; i < count; i++) topics!.push(reader.string());
    }
    if (version < 4) return { topics };
    return { topics, allowAutoTopicCreation: reader.bool() };
  },

  encodeRequest(writer: WireWriter, body: MetadataRequest, version: number): void {
    if (version === 0) {
      if (body.topics !== null && body.topics.length === 0) {
        throw new InvalidArgumentError('MetadataRequest v0 topics', body.topics, 'null (all topics) or a non-empty list: v0 cannot ask for no topics');
      }
      writer.stringArray(body.topics ?? []);
    } else if (body.topics === null) writer.arrayLength(-1);
    else writer.stringArray(body.topics);
    if (version >= 4) writer.bool(body.allowAutoTopicCreation ?? true);
  },

  decodeResponse(reader: WireReader, version: number): MetadataResponse {
    const response: Mutable<MetadataResponse> = { brokers: [], topics: [] };
    if (version >= 3) response.throttleTimeMs = reader.int32();
    const brokerCount = reader.arrayLength(10);
    const brokers: MetadataResponseBroker[] = [];
    for (let i = 0; i < brokerCount; i++) {
      const broker: Mutable<MetadataResponseBroker> = { nodeId: reader.int32(), host: reader.string(), port: reader.int32() };
      if (version >= 1) broker.rack = reader.nullableString();
      brokers.push(broker);
    }
    response.brokers = brokers;
    if (version >= 2) response.clusterId = reader.nullableString();
    if (version >= 1) response.controllerId = reader.int32();
    const topicCount = reader.arrayLength(8);
    const topics: MetadataResponseTopic[] = [];
    for (let i = 0; i < topicCount; i++) {
      const topic: Mutable<MetadataResponseTopic> = { errorCode: reader.int16(), name: reader.string(), partitions: [] };
      if (version >= 1) topic.isInternal = reader.bool();
      const partitionCount = reader.arrayLength(18);
      const partitions: MetadataResponsePartition[] = [];
      for (let j = 0; j < partitionCount; j++) {
        const partition: Mutable<MetadataResponsePartition> = {
          errorCode: reader.int16(),
          partitionIndex: reader.int32(),
          leaderId: reader.int32(),
          replicaNodes: reader.int32Array(),
          isrNodes: reader.int32Array(),
        };
        if (version >= 5) partition.offlineReplicas = reader.int32Array();
        partitions.push(partition);
      }
      topic.partitions = partitions;
      topics.push(topic);
    }
    response.topics = topics;
    return response;
  },

  encodeResponse(writer: WireWriter, body: MetadataResponse, version: number): void {
    if (version >= 3) writer.int32(body.throttleTimeMs ?? 0);
    writer.arrayLength(body.brokers.length);
    for (const broker of body.brokers) {
      writer.int32(broker.nodeId);
      writer.string(broker.host);
      writer.int32(broker.port);
      if (version >= 1) writer.nullableString(broker.rack ?? null);
    }
    if (version >= 2) writer.nullableString(body.clusterId ?? null);
    if (version >= 1) writer.int32(body.controllerId ?? -1);
    writer.arrayLength(body.topics.length);
    for (const topic of body.topics) {
      writer.int16(topic.errorCode);
      writer.string(topic.name);
      if (version >= 1) writer.bool(topic.isInternal ?? false);
      writer.arrayLength(topic.partitions.length);
      for (const partition of topic.partitions) {
        writer.int16(partition.errorCode);
        writer.int32(partition.partitionIndex);
        writer.int32(partition.leaderId);
        writer.int32Array(partition.replicaNodes);
        writer.int32Array(partition.isrNodes);
        if (version >= 5) writer.int32Array(partition.offlineReplicas ?? NO_OFFLINE_REPLICAS);
      }
    }
  },
};
