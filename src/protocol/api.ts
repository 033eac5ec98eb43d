/**
 * The requests and responses of Kafka 0.8.2's API (`kafka.api.*`), as typed objects: what a
 * client or the controller sends to a broker and what it gets back. Errors travel as codes
 * (`errors.ts`) per topic or partition, never as exceptions. Field names follow Kafka's
 * (`requiredAcks`, `ackTimeoutMs`, `replicaId`, `maxWait`, `minBytes`, `fetchSize`).
 *
 * Partition-keyed maps of the Scala classes are arrays here, so iteration order is the order the
 * sender chose. A later issue adds the byte encoding (the wire codec) for the same shapes.
 */
import type { MessageBatch, ProducedMessages } from './message.ts';

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

/** Every request's name (the 0.8.2 ones above, and the modern ones of the section below). */
export type ApiName = KafkaRequest['api'];

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
  /** The messages, or a batch of them as they arrived (the gateway's records); see `ProducedMessages`. */
  readonly messages: ProducedMessages;
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

// ================================================================== Kafka 0.9–2.x (modern clients)
//
// What today's clients (librdkafka, kafkajs, kafka-python) need beyond 0.8.2, in the same typed
// form: the classic group protocol (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// DescribeGroups, ListGroups), offsets kept by the group coordinator (OffsetCommit/OffsetFetch
// v1+), CreateTopics and ListOffsets v1+. The wire gateway translates each wire version to these
// shapes; the field comments say which wire versions a field stands for. Byte strings the
// coordinator never interprets (protocol metadata, assignments) are `Uint8Array`s.
//
// Fields later versions add to the 0.8 requests and responses above are declared here too
// (TypeScript merges interface declarations): optional request fields whose absence keeps the
// 0.8.2 behaviour the in-process 0.8 clients rely on, and response fields every broker fills.

/** `Topic.GroupMetadataTopicName`: where group coordinators keep committed offsets. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/** `Topic.InternalTopics` (Metadata v1+ `isInternal`): clients may read them, never produce to them. */
export function isInternalTopic(topic: string): boolean {
  return topic === OFFSETS_TOPIC;
}

/** `Node.noNode()`: "no broker", in FindCoordinator errors. */
export const NO_NODE: BrokerEndpoint = Object.freeze({ id: -1, host: '', port: -1 });

/** `JoinGroupRequest.UNKNOWN_MEMBER_ID`: a member joining for the first time. */
export const UNKNOWN_MEMBER_ID = '';

/** `OffsetCommitRequest.DEFAULT_GENERATION_ID`: a commit from outside group management (a simple consumer). */
export const NO_GENERATION_ID = -1;

export interface MetadataRequest {
  /**
   * v1+: true asks for every topic (the wire's null list) and `topics` is ignored; false asks for
   * exactly `topics`, so an empty list asks for none. Absent: an empty `topics` means every topic
   * (v0, as the 0.8 clients use it).
   */
  readonly allTopics?: boolean;
  /** v4+: false never auto-creates the topics asked for. Absent: `auto.create.topics.enable` decides. */
  readonly allowAutoTopicCreation?: boolean;
  /**
   * `errorUnavailableEndpoints` of `KafkaApis.getTopicMetadata`, true for v0 only. Absent or
   * true: replicas and ISR members on dead brokers are left out and the partition answers
   * ReplicaNotAvailable (9). False (v1+): every replica and ISR member is listed and 9 is never
   * given; v5's offline replicas are the listed replicas that are not among `brokers`.
   */
  readonly errorUnavailableEndpoints?: boolean;
}

export interface MetadataResponse {
  /** v2+: the cluster's id (`/cluster/id` in Kafka 0.10.1+; here fixed per seed). */
  readonly clusterId: string;
  /** v1+: the controller this broker believes in, or -1. */
  readonly controllerId: number;
}

export interface ProducePartitionStatus {
  /** v5+: the partition's log start offset on the leader, or -1 when nothing was appended. */
  readonly logStartOffset: number;
}

export interface FetchRequest {
  /**
   * Kafka 0.9+ (every wire version): a consumer fetching between the leader's high watermark and
   * its log end offset (a new leader whose HW still lags the old leader's) gets no messages and
   * no error. Absent: 0.8.2's Unknown (-1), from `LogSegment.read`'s IllegalArgumentException.
   */
  readonly emptyAboveHighWatermark?: boolean;
}

export interface FetchPartitionData {
  /** v5+: the leader's log start offset, or -1 on error. (The last stable offset, v4+, is the high watermark: there are no transactions.) */
  readonly logStartOffset: number;
}

// ------------------------------------------------------------------ FindCoordinator (GroupCoordinator, ConsumerMetadata in 0.8.2)

export interface FindCoordinatorRequest extends RequestBase {
  readonly api: 'FindCoordinator';
  /** The group (v1+'s key with key type 0; transaction coordinators are not modelled). */
  readonly groupId: string;
}

export interface FindCoordinatorResponse {
  readonly api: 'FindCoordinator';
  /** 0, or ConsumerCoordinatorNotAvailable (15) while the offsets topic or its partition's leader is missing. */
  readonly errorCode: number;
  /** The leader of the group's offsets partition; `NO_NODE` on error. */
  readonly coordinator: BrokerEndpoint;
}

// ------------------------------------------------------------------ JoinGroup

/** One protocol a member supports (an assignor for consumers), with its metadata (the subscription). */
export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Uint8Array;
}

export interface JoinGroupRequest extends RequestBase {
  readonly api: 'JoinGroup';
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  /** v1+; for v0, the session timeout. */
  readonly rebalanceTimeoutMs: number;
  /** `UNKNOWN_MEMBER_ID` ('') to join for the first time. */
  readonly memberId: string;
  /** "consumer" for consumer groups. */
  readonly protocolType: string;
  /** In the member's order of preference. */
  readonly protocols: readonly GroupProtocol[];
  /**
   * v4+ (KIP-394): a member joining with no member id first gets MemberIdRequired (79) and its
   * id, and joins again with it. false for v0-v3.
   */
  readonly requireKnownMemberId: boolean;
}

export interface JoinGroupMember {
  readonly memberId: string;
  /** The member's metadata for the chosen protocol. */
  readonly metadata: Uint8Array;
}

export interface JoinGroupResponse {
  readonly api: 'JoinGroup';
  readonly errorCode: number;
  /** -1 on error. */
  readonly generationId: number;
  /** The protocol chosen for this generation; '' on error. */
  readonly protocolName: string;
  /** '' on error. */
  readonly leaderId: string;
  /** The member's id ('' on most errors; the new id with MemberIdRequired, 79). */
  readonly memberId: string;
  /** Every member with its metadata, for the leader only (it computes the assignment); empty for the others. */
  readonly members: readonly JoinGroupMember[];
}

// ------------------------------------------------------------------ SyncGroup

export interface SyncGroupRequest extends RequestBase {
  readonly api: 'SyncGroup';
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  /** From the leader: each member's assignment (members left out get an empty one); empty from the others. */
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Uint8Array }[];
}

export interface SyncGroupResponse {
  readonly api: 'SyncGroup';
  readonly errorCode: number;
  /** This member's assignment; empty on error. */
  readonly assignment: Uint8Array;
}

// ------------------------------------------------------------------ Heartbeat

export interface HeartbeatRequest extends RequestBase {
  readonly api: 'Heartbeat';
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
}

export interface HeartbeatResponse {
  readonly api: 'Heartbeat';
  /** 0, or RebalanceInProgress (27) to rejoin, IllegalGeneration (22), UnknownMemberId (25), ... */
  readonly errorCode: number;
}

// ------------------------------------------------------------------ LeaveGroup

export interface LeaveGroupRequest extends RequestBase {
  readonly api: 'LeaveGroup';
  readonly groupId: string;
  /** v0-v2 carry one member; v3+ a list. */
  readonly memberIds: readonly string[];
}

export interface LeaveGroupResponse {
  readonly api: 'LeaveGroup';
  /**
   * Errors of the whole request (InvalidGroupId 24, NotCoordinatorForConsumer 16, ...). For
   * v0-v2, a member's own error goes here when this is 0.
   */
  readonly errorCode: number;
  /** One per member asked (v3+), with 0 or UnknownMemberId (25); empty when `errorCode` is set. */
  readonly members: readonly { readonly memberId: string; readonly errorCode: number }[];
}

// ------------------------------------------------------------------ OffsetCommit / OffsetFetch v1+ (offsets kept by the group coordinator)

export interface GroupOffsetCommitRequest extends RequestBase {
  readonly api: 'GroupOffsetCommit';
  readonly groupId: string;
  /** The member's generation, or `NO_GENERATION_ID` (-1) for a commit from outside group management. */
  readonly generationId: number;
  /** The member's id, or '' with generation -1. */
  readonly memberId: string;
  /** (v1's per-partition timestamp and v2-v4's retention time are not modelled: offsets never expire.) */
  readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number; readonly metadata: string }[];
}

export interface GroupOffsetCommitResponse {
  readonly api: 'GroupOffsetCommit';
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly errorCode: number }[];
}

export interface GroupOffsetFetchRequest extends RequestBase {
  readonly api: 'GroupOffsetFetch';
  readonly groupId: string;
  /** null (v2+) asks for every partition the group has committed. */
  readonly partitions: readonly TopicAndPartition[] | null;
}

export interface GroupOffsetFetchResponse {
  readonly api: 'GroupOffsetFetch';
  /** v2+: the request's error (NotCoordinatorForConsumer 16, ...); v1 carries it in every partition. */
  readonly errorCode: number;
  readonly partitions: readonly {
    readonly topic: string;
    readonly partition: number;
    /** The committed offset (the next to consume), or -1 if none. */
    readonly offset: number;
    readonly metadata: string;
    readonly errorCode: number;
  }[];
}

// ------------------------------------------------------------------ DescribeGroups / ListGroups

/** `GroupMetadata`'s states, as DescribeGroups names them (Kafka 1.1+; 0.10-1.0 said AwaitingSync). */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface DescribeGroupsRequest extends RequestBase {
  readonly api: 'DescribeGroups';
  readonly groupIds: readonly string[];
}

export interface DescribedGroupMember {
  readonly memberId: string;
  readonly clientId: string;
  /** "/" and the client's node (Java's `InetAddress.toString`). */
  readonly clientHost: string;
  /** The member's metadata for the chosen protocol, when the group is Stable; empty otherwise. */
  readonly metadata: Uint8Array;
  /** Its assignment, when the group is Stable; empty otherwise. */
  readonly assignment: Uint8Array;
}

export interface DescribedGroup {
  readonly groupId: string;
  readonly errorCode: number;
  /** `Dead` for a group the coordinator does not know; '' on error. */
  readonly state: GroupStateName | '';
  readonly protocolType: string;
  /** The chosen protocol, when Stable; '' otherwise. */
  readonly protocolName: string;
  readonly members: readonly DescribedGroupMember[];
}

export interface DescribeGroupsResponse {
  readonly api: 'DescribeGroups';
  readonly groups: readonly DescribedGroup[];
}

export interface ListGroupsRequest extends RequestBase {
  readonly api: 'ListGroups';
}

export interface ListGroupsResponse {
  readonly api: 'ListGroups';
  readonly errorCode: number;
  /** The groups this broker coordinates (also those that only commit offsets, with protocol type ''). */
  readonly groups: readonly { readonly groupId: string; readonly protocolType: string }[];
}

// ------------------------------------------------------------------ CreateTopics

export interface CreatableTopic {
  readonly name: string;
  /** -1 (v4+): the broker's `num.partitions`; -1 also when `assignments` is given. */
  readonly numPartitions: number;
  /** -1 (v4+): the broker's `default.replication.factor`; -1 also when `assignments` is given. */
  readonly replicationFactor: number;
  /** Explicit replicas per partition; empty to let the broker assign them. */
  readonly assignments: readonly { readonly partition: number; readonly brokerIds: readonly number[] }[];
  /** Topic config overrides (`LogConfig` names); a null value is an InvalidRequest (42). */
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface CreateTopicsRequest extends RequestBase {
  readonly api: 'CreateTopics';
  readonly topics: readonly CreatableTopic[];
  /** How long to wait for every new partition to have a leader (≤ 0: answer once the topics are written). */
  readonly timeoutMs: number;
  /** v1+: check only, create nothing. */
  readonly validateOnly: boolean;
}

export interface CreateTopicsResponse {
  readonly api: 'CreateTopics';
  readonly topics: readonly { readonly name: string; readonly errorCode: number; /** v1+. */ readonly errorMessage: string | null }[];
}

// ------------------------------------------------------------------ ListOffsets v1+ (v0 is `Offsets` above)

export interface ListOffsetsRequest extends RequestBase {
  readonly api: 'ListOffsets';
  readonly replicaId: number;
  /** v2+: 0 read uncommitted, 1 read committed (the same here: there are no transactions). */
  readonly isolationLevel: number;
  readonly partitions: readonly {
    readonly topic: string;
    readonly partition: number;
    /** LATEST_TIME (-1), EARLIEST_TIME (-2), or a time in ms. */
    readonly timestamp: number;
  }[];
}

export interface ListOffsetsResponse {
  readonly api: 'ListOffsets';
  readonly partitions: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly errorCode: number;
    /** -1 (none) for LATEST_TIME and EARLIEST_TIME. */
    readonly timestamp: number;
    /** -1 on error. */
    readonly offset: number;
  }[];
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
  | ControlledShutdownRequest
  | FindCoordinatorRequest
  | JoinGroupRequest
  | SyncGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | GroupOffsetCommitRequest
  | GroupOffsetFetchRequest
  | DescribeGroupsRequest
  | ListGroupsRequest
  | CreateTopicsRequest
  | ListOffsetsRequest;

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
  | ControlledShutdownResponse
  | FindCoordinatorResponse
  | JoinGroupResponse
  | SyncGroupResponse
  | HeartbeatResponse
  | LeaveGroupResponse
  | GroupOffsetCommitResponse
  | GroupOffsetFetchResponse
  | DescribeGroupsResponse
  | ListGroupsResponse
  | CreateTopicsResponse
  | ListOffsetsResponse;

/** The response type of a request type. */
export type ResponseFor<R extends KafkaRequest> = Extract<KafkaResponse, { api: R['api'] }>;

/** "jiketest-0": how Kafka prints a TopicAndPartition in logs. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
