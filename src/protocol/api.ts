/**
 * The requests and responses of Kafka 0.8.2's API (`kafka.api.*`), as typed objects: what a
 * client or the controller sends to a broker and what it gets back. Errors travel as codes
 * (`errors.ts`) per topic or partition, never as exceptions. Field names follow Kafka's
 * (`requiredAcks`, `ackTimeoutMs`, `replicaId`, `maxWait`, `minBytes`, `fetchSize`).
 *
 * Partition-keyed maps of the Scala classes are arrays here, so iteration order is the order the
 * sender chose. A later issue adds the byte encoding (the wire codec) for the same shapes.
 */
import type { Message, MessageBatch } from './message.ts';

/** `RequestKeys`. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  Offsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
} as const;

export type ApiName = keyof typeof ApiKey;

export interface TopicAndPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `kafka.cluster.Broker`: how to reach a broker. */
export interface BrokerEndpoint {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** `Request.OrdinaryConsumerId`: a consumer; followers fetch with their broker id. */
export const ORDINARY_CONSUMER_ID = -1;
/** `Request.DebuggingConsumerId`: may read from any replica. */
export const DEBUGGING_CONSUMER_ID = -2;
/** `OffsetRequest.LatestTime`: the log end offset (the high watermark for consumers). */
export const LATEST_TIME = -1;
/** `OffsetRequest.EarliestTime`: the log start offset. */
export const EARLIEST_TIME = -2;

interface RequestBase {
  readonly clientId: string;
  readonly correlationId: number;
}

// ------------------------------------------------------------------ Metadata (TopicMetadataRequest)

export interface MetadataRequest extends RequestBase {
  readonly api: 'Metadata';
  /** Topics to describe; empty means all topics. */
  readonly topics: readonly string[];
}

export interface PartitionMetadata {
  readonly partition: number;
  /** The leader's id, or -1 when there is none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** 0, LeaderNotAvailable (5), or ReplicaNotAvailable (9, the leader is still given). */
  readonly errorCode: number;
}

export interface TopicMetadata {
  readonly topic: string;
  /** 0, UnknownTopicOrPartition (3), or LeaderNotAvailable (5) while being auto-created. */
  readonly errorCode: number;
  readonly partitions: readonly PartitionMetadata[];
}

export interface MetadataResponse {
  readonly api: 'Metadata';
  readonly brokers: readonly BrokerEndpoint[];
  readonly topics: readonly TopicMetadata[];
}

// ------------------------------------------------------------------ Produce

export interface ProducePartitionData {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly Message[];
}

export interface ProduceRequest extends RequestBase {
  readonly api: 'Produce';
  /** 0: no response; 1: the leader appended; -1: the in-sync replicas have it. */
  readonly requiredAcks: number;
  /** How long the broker waits for acks=-1 before answering RequestTimedOut (7). */
  readonly ackTimeoutMs: number;
  readonly data: readonly ProducePartitionData[];
}

export interface ProducePartitionStatus {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  /** The offset of the first message appended (0.8.2), or -1 on error. */
  readonly offset: number;
}

export interface ProduceResponse {
  readonly api: 'Produce';
  readonly statuses: readonly ProducePartitionStatus[];
}

// ------------------------------------------------------------------ Fetch

export interface FetchPartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  /** Most bytes to return for this partition (`PartitionFetchInfo.fetchSize`). */
  readonly fetchSize: number;
}

export interface FetchRequest extends RequestBase {
  readonly api: 'Fetch';
  /** -1 for consumers, -2 for debugging, the broker id for followers. */
  readonly replicaId: number;
  /** How long to wait for `minBytes` (ms). */
  readonly maxWait: number;
  readonly minBytes: number;
  readonly partitions: readonly FetchPartitionRequest[];
}

export interface FetchPartitionData {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  /** The leader's high watermark, or -1 on error. */
  readonly highWatermark: number;
  /** Complete messages from the fetch offset, as batches shared with the log. */
  readonly batches: readonly MessageBatch[];
  /**
   * The byte limit cut a message: its first bytes follow the last complete message. A client
   * drops it; if there is no complete message at all, the fetch size is too small for it.
   */
  readonly partialMessage: boolean;
}

export interface FetchResponse {
  readonly api: 'Fetch';
  readonly partitions: readonly FetchPartitionData[];
}

// ------------------------------------------------------------------ Offsets (OffsetRequest)

export interface OffsetPartitionRequest {
  readonly topic: string;
  readonly partition: number;
  /** LATEST_TIME (-1), EARLIEST_TIME (-2), or a time in ms (segment granularity). */
  readonly time: number;
  readonly maxNumOffsets: number;
}

export interface OffsetRequest extends RequestBase {
  readonly api: 'Offsets';
  readonly replicaId: number;
  readonly partitions: readonly OffsetPartitionRequest[];
}

export interface OffsetPartitionResponse {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  /** Descending. */
  readonly offsets: readonly number[];
}

export interface OffsetResponse {
  readonly api: 'Offsets';
  readonly partitions: readonly OffsetPartitionResponse[];
}

// ------------------------------------------------------------------ OffsetCommit / OffsetFetch (v0: ZooKeeper)

export interface OffsetCommitRequest extends RequestBase {
  readonly api: 'OffsetCommit';
  readonly groupId: string;
  readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number; readonly metadata: string }[];
}

export interface OffsetCommitResponse {
  readonly api: 'OffsetCommit';
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly errorCode: number }[];
}

export interface OffsetFetchRequest extends RequestBase {
  readonly api: 'OffsetFetch';
  readonly groupId: string;
  readonly partitions: readonly TopicAndPartition[];
}

export interface OffsetFetchResponse {
  readonly api: 'OffsetFetch';
  readonly partitions: readonly {
    readonly topic: string;
    readonly partition: number;
    /** The committed offset (next to consume), or -1 if none. */
    readonly offset: number;
    readonly metadata: string;
    readonly errorCode: number;
  }[];
}

// ------------------------------------------------------------------ controller → broker

/** `PartitionStateInfo`: leader, epochs, ISR and assigned replicas of one partition. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** The `state` znode's version, for the leader's conditional ISR writes. */
  readonly zkVersion: number;
  /** The epoch of the controller that made this leadership decision. */
  readonly controllerEpoch: number;
  readonly replicas: readonly number[];
}

export interface LeaderAndIsrRequest extends RequestBase {
  readonly api: 'LeaderAndIsr';
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly partitionStates: readonly PartitionState[];
  /** The live leaders the followers must fetch from. */
  readonly leaders: readonly BrokerEndpoint[];
}

export interface LeaderAndIsrResponse {
  readonly api: 'LeaderAndIsr';
  readonly errorCode: number;
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly errorCode: number }[];
}

export interface UpdateMetadataRequest extends RequestBase {
  readonly api: 'UpdateMetadata';
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly partitionStates: readonly PartitionState[];
  readonly aliveBrokers: readonly BrokerEndpoint[];
}

export interface UpdateMetadataResponse {
  readonly api: 'UpdateMetadata';
  readonly errorCode: number;
}

export interface StopReplicaRequest extends RequestBase {
  readonly api: 'StopReplica';
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly deletePartitions: boolean;
  readonly partitions: readonly TopicAndPartition[];
}

export interface StopReplicaResponse {
  readonly api: 'StopReplica';
  readonly errorCode: number;
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly errorCode: number }[];
}

export interface ControlledShutdownRequest extends RequestBase {
  readonly api: 'ControlledShutdown';
  readonly brokerId: number;
}

export interface ControlledShutdownResponse {
  readonly api: 'ControlledShutdown';
  readonly errorCode: number;
  readonly partitionsRemaining: readonly TopicAndPartition[];
}

// ------------------------------------------------------------------ unions

export type KafkaRequest =
  | MetadataRequest
  | ProduceRequest
  | FetchRequest
  | OffsetRequest
  | OffsetCommitRequest
  | OffsetFetchRequest
  | LeaderAndIsrRequest
  | UpdateMetadataRequest
  | StopReplicaRequest
  | ControlledShutdownRequest;

export type KafkaResponse =
  | MetadataResponse
  | ProduceResponse
  | FetchResponse
  | OffsetResponse
  | OffsetCommitResponse
  | OffsetFetchResponse
  | LeaderAndIsrResponse
  | UpdateMetadataResponse
  | StopReplicaResponse
  | ControlledShutdownResponse;

/** The response type of a request type. */
export type ResponseFor<R extends KafkaRequest> = Extract<KafkaResponse, { api: R['api'] }>;

/** "jiketest-0": how Kafka prints a TopicAndPartition in logs. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
