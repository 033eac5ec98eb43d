/**
 * Group-coordinator requests for broker tests (the modern APIs of src/protocol/api.ts), a
 * cluster configured for them, and a member that runs the classic protocol by hand: each member
 * is its own client node with its own connections, as each real consumer is (a broker serves a
 * connection one request at a time, and a JoinGroup waits for the whole rebalance).
 */
import type {
  CreatableTopic,
  CreateTopicsRequest,
  DescribeGroupsRequest,
  FindCoordinatorRequest,
  GroupOffsetCommitRequest,
  GroupOffsetFetchRequest,
  GroupProtocol,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  ListGroupsRequest,
  ListOffsetsRequest,
  SyncGroupRequest,
  TopicAndPartition,
} from '../../../src/protocol/api.ts';
import type { BrokerConfig } from '../../../src/broker/config.ts';
import type { SimulationOptions } from '../../../src/broker/simulation.ts';
import type { GroupView } from '../../../src/broker/state.ts';
import { TestClient, type Pending } from './client.ts';
import { startCluster, type Cluster } from './cluster.ts';

let correlation = 1_000_000;
const base = (clientId: string) => ({ clientId, correlationId: ++correlation });

/** A small offsets topic (3 partitions); Kafka's defaults otherwise (a 3 s initial rebalance delay, sessions of 6 s to 5 min). */
export const GROUP_TEST_CONFIG: Partial<BrokerConfig> = {
  'offsets.topic.num.partitions': 3,
};

export async function startGroupCluster(options: Partial<SimulationOptions> = {}): Promise<Cluster> {
  const c = await startCluster({
    seed: 7,
    brokers: 3,
    topics: [{ name: 't', partitions: 4, replicationFactor: 2 }],
    ...options,
    brokerConfig: { ...GROUP_TEST_CONFIG, ...options.brokerConfig },
  });
  await c.sim.runFor(100);
  return c;
}

export function protocol(name: string, metadata = name): GroupProtocol {
  return { name, metadata: new TextEncoder().encode(metadata) };
}

export function findCoordinatorRequest(groupId: string): FindCoordinatorRequest {
  return { api: 'FindCoordinator', ...base('test-consumer'), groupId };
}

export interface JoinOptions {
  readonly memberId?: string;
  readonly clientId?: string;
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly protocolType?: string;
  readonly protocols?: readonly GroupProtocol[];
  readonly requireKnownMemberId?: boolean;
}

export function joinGroupRequest(groupId: string, options: JoinOptions = {}): JoinGroupRequest {
  return {
    api: 'JoinGroup',
    ...base(options.clientId ?? 'consumer'),
    groupId,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 30_000,
    memberId: options.memberId ?? '',
    protocolType: options.protocolType ?? 'consumer',
    protocols: options.protocols ?? [protocol('range')],
    requireKnownMemberId: options.requireKnownMemberId ?? false,
  };
}

export function syncGroupRequest(
  groupId: string,
  generationId: number,
  memberId: string,
  assignments: readonly { memberId: string; assignment: string }[] = [],
): SyncGroupRequest {
  return {
    api: 'SyncGroup',
    ...base('consumer'),
    groupId,
    generationId,
    memberId,
    assignments: assignments.map((a) => ({ memberId: a.memberId, assignment: new TextEncoder().encode(a.assignment) })),
  };
}

export function heartbeatRequest(groupId: string, generationId: number, memberId: string): HeartbeatRequest {
  return { api: 'Heartbeat', ...base('consumer'), groupId, generationId, memberId };
}

export function leaveGroupRequest(groupId: string, memberIds: readonly string[]): LeaveGroupRequest {
  return { api: 'LeaveGroup', ...base('consumer'), groupId, memberIds };
}

export function groupCommitRequest(
  groupId: string,
  generationId: number,
  memberId: string,
  offsets: readonly { topic: string; partition: number; offset: number; metadata?: string }[],
): GroupOffsetCommitRequest {
  return {
    api: 'GroupOffsetCommit',
    ...base('consumer'),
    groupId,
    generationId,
    memberId,
    offsets: offsets.map((o) => ({ ...o, metadata: o.metadata ?? '' })),
  };
}

export function groupFetchRequest(groupId: string, partitions: readonly TopicAndPartition[] | null): GroupOffsetFetchRequest {
  return { api: 'GroupOffsetFetch', ...base('consumer'), groupId, partitions };
}

export function describeGroupsRequest(groupIds: readonly string[]): DescribeGroupsRequest {
  return { api: 'DescribeGroups', ...base('admin'), groupIds };
}

export function listGroupsRequest(): ListGroupsRequest {
  return { api: 'ListGroups', ...base('admin') };
}

export function creatableTopic(name: string, options: Partial<Omit<CreatableTopic, 'name'>> = {}): CreatableTopic {
  return { name, numPartitions: options.numPartitions ?? 1, replicationFactor: options.replicationFactor ?? 1, assignments: options.assignments ?? [], configs: options.configs ?? [] };
}

export function createTopicsRequest(topics: readonly CreatableTopic[], options: { timeoutMs?: number; validateOnly?: boolean } = {}): CreateTopicsRequest {
  return { api: 'CreateTopics', ...base('admin'), topics, timeoutMs: options.timeoutMs ?? 0, validateOnly: options.validateOnly ?? false };
}

export function listOffsetsRequest(partitions: readonly { topic: string; partition: number; timestamp: number }[], replicaId = -1): ListOffsetsRequest {
  return { api: 'ListOffsets', ...base('consumer'), replicaId, isolationLevel: 0, partitions };
}

/** Asks broker 1 (then the others) until a coordinator is known; returns its id. */
export async function findCoordinator(c: Cluster, groupId: string, client: TestClient = c.client): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const broker of c.sim.brokers.keys()) {
      if (!c.sim.brokers.get(broker)!.running) continue;
      const response = await client.request(broker, findCoordinatorRequest(groupId));
      if (response.errorCode === 0) return response.coordinator.id;
      break;
    }
    await c.sim.runFor(200);
  }
  throw new Error(`no coordinator for group ${groupId} within 100 attempts`);
}

/** The group as its coordinator's world state shows it. */
export function groupView(c: Cluster, broker: number, groupId: string): GroupView | undefined {
  return c.sim.brokerStates[broker]!.groups?.[groupId];
}

/** A consumer-group member on its own client node. */
export class Member {
  readonly client: TestClient;
  memberId = '';
  generationId = -1;

  constructor(
    readonly c: Cluster,
    readonly groupId: string,
    node: string,
    readonly options: JoinOptions = {},
  ) {
    this.client = new TestClient(c.sim, node);
  }

  /** Starts a JoinGroup with the member's current id. */
  startJoin(coordinator: number, options: JoinOptions = {}): Pending<import('../../../src/protocol/api.ts').JoinGroupResponse> {
    return this.client.start(coordinator, joinGroupRequest(this.groupId, { clientId: this.client.node, ...this.options, memberId: this.memberId, ...options }));
  }

  /** Records the id and generation of a successful join. */
  joined(response: import('../../../src/protocol/api.ts').JoinGroupResponse): void {
    if (response.errorCode === 0) {
      this.memberId = response.memberId;
      this.generationId = response.generationId;
    }
  }
}
