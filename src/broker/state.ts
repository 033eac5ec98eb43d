/**
 * The brokers' observable state in the world tree (`state.brokers`), one entry per broker id:
 * what a learner inspects at a step (who leads, the ISR, each replica's LEO and HW, what the
 * controller believes) and what invariant checkers read. Plain data only; message payloads live
 * in append-only stores that `LogRef`s point to.
 */
import type { GroupStateName } from '../protocol/api.ts';
import type { LogRef } from './log/log.ts';

/** `kafka.server.BrokerStates` (0.8.2). */
export type BrokerStatus =
  | 'NotRunning'
  | 'Starting'
  | 'RecoveringFromUncleanShutdown'
  | 'RunningAsBroker'
  | 'RunningAsController'
  | 'PendingControlledShutdown'
  | 'BrokerShuttingDown';

/** What the leader knows of a follower (`kafka.cluster.Replica` for a remote replica). */
export interface RemoteReplicaState {
  /** From the follower's last fetch offset; -1 (unknown) after the leader took over. */
  logEndOffset: number;
  /** When that offset was last recorded (`logEndOffsetUpdateTimeMs`). */
  logEndOffsetUpdateTimeMs: number;
}

/** One partition as one broker hosts it (`kafka.cluster.Partition` + its local `Replica`). */
export interface PartitionReplicaState {
  readonly topic: string;
  readonly partition: number;
  assignedReplicas: number[];
  /** `leaderReplicaIdOpt`: the leader this broker believes in, or null. */
  leader: number | null;
  leaderEpoch: number;
  /** The `state` znode version from the last LeaderAndIsr or own ISR write. */
  zkVersion: number;
  /** The epoch of the controller that made the current leadership decision. */
  controllerEpoch: number;
  /** Meaningful on the leader only; followers keep it empty, as Kafka does. */
  isr: number[];
  highWatermark: number;
  log: LogRef;
  /** The leader's view of the followers (empty on followers). */
  remoteReplicas: Record<string, RemoteReplicaState>;
  /** A follower's fetch source, or null. */
  fetchingFrom: number | null;
}

/** `MetadataCache` (0.8.2): what UpdateMetadata requests told this broker. */
export interface MetadataCacheState {
  aliveBrokers: number[];
  partitions: Record<
    string,
    {
      readonly topic: string;
      readonly partition: number;
      readonly leader: number;
      readonly leaderEpoch: number;
      readonly isr: readonly number[];
      readonly replicas: readonly number[];
      readonly controllerEpoch: number;
    }
  >;
}

export type PartitionStateName = 'NonExistentPartition' | 'NewPartition' | 'OnlinePartition' | 'OfflinePartition';
export type ReplicaStateName =
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible'
  | 'NonExistentReplica';

/** The controller's context (`ControllerContext`) while this broker is the active controller. */
export interface ControllerState {
  epoch: number;
  epochZkVersion: number;
  liveBrokers: number[];
  shuttingDownBrokers: number[];
  /** Partition → assigned replicas (`partitionReplicaAssignment`). */
  assignments: Record<string, number[]>;
  /** Partition → leader, ISR and epochs (`partitionLeadershipInfo`). */
  leadership: Record<
    string,
    { leader: number; leaderEpoch: number; isr: number[]; zkVersion: number; controllerEpoch: number }
  >;
  partitionStates: Record<string, PartitionStateName>;
  /** "topic-partition/replica" → state. */
  replicaStates: Record<string, ReplicaStateName>;
}

/** What survives a crash: the logs and the high-watermark checkpoint file. */
export interface DiskState {
  logs: Record<string, LogRef>;
  /** `replication-offset-checkpoint`: partition → HW, as last written. */
  highWatermarkCheckpoint: Record<string, number>;
  /** Set by a clean shutdown, cleared at start-up (Kafka's `.kafka_cleanshutdown` file). */
  cleanShutdown: boolean;
}

/**
 * A consumer group as its coordinator holds it (`GroupMetadata`, plain data; the coordinator's
 * pending callbacks and timers stay in the process). See `coordinator/group-coordinator.ts`.
 */
export interface GroupView {
  state: GroupStateName;
  generationId: number;
  /** '' until a member joins (and for groups that only commit offsets). */
  protocolType: string;
  /** The protocol chosen for the current generation, or ''. */
  protocolName: string;
  /** '' when there are no members. */
  leaderId: string;
  /** Member ids in join order, each with the generation it last joined or synced in. */
  members: { readonly memberId: string; readonly clientId: string; readonly generationId: number }[];
}

export interface BrokerState {
  readonly id: number;
  status: BrokerStatus;
  /** How many times the process was started. */
  incarnation: number;
  zkSession: string | null;
  /** The highest controller epoch this broker has accepted a request from. */
  controllerEpoch: number;
  /** The controller this broker believes in (from /controller), or -1. */
  controllerId: number;
  partitions: Record<string, PartitionReplicaState>;
  metadata: MetadataCacheState;
  controller: ControllerState | null;
  disk: DiskState;
  /**
   * The groups this broker's group coordinator holds, by group id; absent until it holds one
   * (so runs that never use the coordinator keep their pinned state digests). Memory: a crash
   * clears it.
   */
  groups?: Record<string, GroupView>;
}

export type BrokersState = Record<string, BrokerState>;

export const BROKERS_SLICE = 'brokers';

export function emptyBrokerState(id: number): BrokerState {
  return {
    id,
    status: 'NotRunning',
    incarnation: 0,
    zkSession: null,
    controllerEpoch: 0,
    controllerId: -1,
    partitions: {},
    metadata: { aliveBrokers: [], partitions: {} },
    controller: null,
    disk: { logs: {}, highWatermarkCheckpoint: {}, cleanShutdown: false },
  };
}

/** "jiketest-0". */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
