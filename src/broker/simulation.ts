/**
 * A simulated Kafka 0.8.2 cluster: ZooKeeper, brokers on a network, and the admin operations
 * and faults a learner or a test applies to them.
 *
 * `createSimulation` validates everything first (broker config, topics, replication factors):
 * bad input gets a typed error naming the value and what is allowed, and nothing is started.
 * It then starts ZooKeeper and the brokers, waits until every broker is registered and a
 * controller is active, creates the topics through `AdminUtils.createTopic` (from an admin node,
 * as kafka-topics.sh would) and waits until every partition has a leader.
 */
import type { BrokerEndpoint } from '../protocol/api.ts';
import type { MessageBatch } from '../protocol/message.ts';
import { ZkClient } from '../protocol/zk-client.ts';
import { ZkPaths } from '../protocol/zk-paths.ts';
import { encodePreferredReplicaElection } from '../protocol/zk-data.ts';
import { createPersistentPath } from '../protocol/zk-utils.ts';
import type { StoreRegistry } from '../sim/append-only-store.ts';
import { nodeEnvironment } from '../sim/environment.ts';
import { InvalidArgumentError } from '../sim/errors.ts';
import { FaultInjector, type ScheduledFault, type Fault } from '../sim/faults.ts';
import { Kernel, type RunUntilOptions } from '../sim/kernel.ts';
import { Network, type LinkOptions } from '../sim/network.ts';
import type { TraceMode } from '../sim/trace.ts';
import { requireInteger } from '../sim/validate.ts';
import { SimZooKeeperClient } from '../zookeeper/client.ts';
import { ZooKeeperServer } from '../zookeeper/server.ts';
import { ZOOKEEPER_PORT } from '../zookeeper/messages.ts';
import { AdminOperationError } from './admin/assign-replicas.ts';
import { createTopic, validateTopicName } from './admin/create-topic.ts';
import { Broker } from './broker.ts';
import { defineBrokerFaults } from './broker-faults.ts';
import { resolveBrokerConfig, resolveTopicConfig, type BrokerConfig, type TopicConfig } from './config.ts';
import type { BrokerObserver, ProduceAcknowledgement } from './handlers/api-context.ts';
import { BROKERS_SLICE, partitionKey, type BrokersState, type PartitionReplicaState } from './state.ts';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level overrides (LogConfig names). */
  readonly config?: Partial<TopicConfig>;
}

export interface SimulationOptions {
  readonly seed: number;
  /** Number of brokers, with ids 1..n (default 3). */
  readonly brokers?: number;
  readonly topics?: readonly TopicSpec[];
  /** Broker configuration overrides (Kafka's property names), the same for every broker. */
  readonly brokerConfig?: Partial<BrokerConfig>;
  readonly zookeeper?: { readonly tickTimeMs?: number };
  /** The default link between any two nodes. */
  readonly network?: LinkOptions;
  readonly trace?: TraceMode;
  readonly history?: boolean;
}

export const ZOOKEEPER_NODE = 'zookeeper';
export const ADMIN_NODE = 'admin';

export class Simulation {
  readonly kernel: Kernel;
  readonly network: Network;
  readonly faults: FaultInjector;
  readonly zookeeper: ZooKeeperServer;
  readonly brokers: ReadonlyMap<number, Broker>;
  readonly brokerConfig: BrokerConfig;
  readonly stores: StoreRegistry<MessageBatch>;
  /** Every produce the brokers acknowledged, in order (invariant and delivery checkers read it). */
  readonly acknowledged: ProduceAcknowledgement[] = [];
  private readonly ackListeners = new Set<(ack: ProduceAcknowledgement) => void>();
  private readonly topicOverrides = new Map<string, Partial<TopicConfig>>();
  private admin: ZkClient | undefined;

  constructor(options: SimulationOptions) {
    const { brokerCount, brokerConfig } = validateSimulationOptions(options);
    this.brokerConfig = brokerConfig;
    this.kernel = new Kernel({ seed: options.seed, trace: options.trace ?? 'full', history: options.history ?? true });
    this.network = new Network(this.kernel, options.network === undefined ? {} : { defaultLink: options.network });
    this.faults = new FaultInjector(this.kernel, this.network);
    this.stores = this.kernel.stores as StoreRegistry<MessageBatch>;
    this.kernel.world.addSlice(BROKERS_SLICE, {});
    this.zookeeper = new ZooKeeperServer(this.kernel, this.network, {
      node: ZOOKEEPER_NODE,
      ...(options.zookeeper?.tickTimeMs === undefined ? {} : { tickTimeMs: options.zookeeper.tickTimeMs }),
    });
    const observer: BrokerObserver = {
      produceAcknowledged: (ack) => {
        this.acknowledged.push(ack);
        for (const listener of this.ackListeners) listener(ack);
      },
    };
    const brokers = new Map<number, Broker>();
    for (let id = 1; id <= brokerCount; id++) {
      brokers.set(
        id,
        new Broker({
          id,
          config: this.brokerConfig,
          kernel: this.kernel,
          network: this.network,
          stores: this.stores,
          zookeeper: { node: ZOOKEEPER_NODE, port: ZOOKEEPER_PORT },
          endpointOf: (brokerId) => this.endpointOf(brokerId),
          observer,
        }),
      );
    }
    this.brokers = brokers;
    defineBrokerFaults(this);
    if (this.brokerConfig['min.insync.replicas'] !== 1 && this.kernel.trace.enabled) {
      this.kernel.trace.record(
        'kafkasim',
        'config.warning',
        { key: 'min.insync.replicas', value: this.brokerConfig['min.insync.replicas'] },
        `Kafka 0.8.2.2 does not pass the broker's min.insync.replicas on to topics (KAFKA-2114): every topic keeps 1 unless the topic sets it. Set it in the topic's config.`,
      );
    }
  }

  /** How clients and brokers reach broker `id` (host = its node name). */
  endpointOf(id: number): BrokerEndpoint {
    return { id, host: `broker-${id}`, port: this.brokerConfig.port };
  }

  /** `broker-1:9092,broker-2:9092,...`: Kafka's `metadata.broker.list`. */
  get bootstrapServers(): string {
    return [...this.brokers.keys()].map((id) => `broker-${id}:${this.brokerConfig.port}`).join(',');
  }

  /** `zookeeper.connect` for clients: the coordinator's `host:port`. */
  get zookeeperConnect(): string {
    return `${ZOOKEEPER_NODE}:${ZOOKEEPER_PORT}`;
  }

  broker(id: number): Broker {
    const broker = this.brokers.get(id);
    if (broker === undefined) throw new InvalidArgumentError('broker id', id, `one of ${[...this.brokers.keys()].join(', ')}`);
    return broker;
  }

  /** Every broker's state (a snapshot outside steps). */
  get brokerStates(): BrokersState {
    return this.kernel.world.state[BROKERS_SLICE] as BrokersState;
  }

  /**
   * The active controller's broker id, or undefined. A paused ex-controller still believes it is
   * one (it has not seen its session expire: KIP-380's zombie), so the highest controller epoch wins.
   */
  get controllerId(): number | undefined {
    let best: { id: number; epoch: number } | undefined;
    for (const [id, state] of Object.entries(this.brokerStates)) {
      const epoch = state.controller?.epoch;
      if (epoch !== undefined && (best === undefined || epoch > best.epoch)) best = { id: Number(id), epoch };
    }
    return best?.id;
  }

  /** The partition as broker `id` hosts it. */
  replica(brokerId: number, topic: string, partition: number): PartitionReplicaState | undefined {
    return this.brokerStates[brokerId]?.partitions[partitionKey(topic, partition)];
  }

  /** The broker that believes it leads the partition (the highest leader epoch wins a tie). */
  leaderOf(topic: string, partition: number): number | undefined {
    // Scenario runs ask after every step (their end condition): nothing is allocated per broker.
    const key = partitionKey(topic, partition);
    const states = this.brokerStates;
    let leader: number | undefined;
    let epoch = 0;
    for (const id of this.brokers.keys()) {
      const replica = states[id]?.partitions[key];
      if (replica?.leader === id && (leader === undefined || replica.leaderEpoch > epoch)) {
        leader = id;
        epoch = replica.leaderEpoch;
      }
    }
    return leader;
  }

  /** A topic's effective configuration (its overrides over the broker defaults). */
  topicConfig(topic: string): TopicConfig {
    return resolveTopicConfig(this.brokerConfig, this.topicOverrides.get(topic));
  }

  onAcknowledged(listener: (ack: ProduceAcknowledgement) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts every broker (done by `createSimulation`). */
  startBrokers(): void {
    for (const broker of this.brokers.values()) broker.start();
  }

  /** True when every running broker is registered and one of them is the active controller. */
  isReady(): boolean {
    const registered = this.zookeeper.state.root.children.brokers?.children.ids?.children ?? {};
    return [...this.brokers.values()].every((b) => !b.running || Object.prototype.hasOwnProperty.call(registered, String(b.id))) && this.controllerId !== undefined;
  }

  /** True when every partition of `topic` has a leader that knows it. */
  hasLeaders(topic: string, partitions: number): boolean {
    for (let p = 0; p < partitions; p++) if (this.leaderOf(topic, p) === undefined) return false;
    return true;
  }

  // ---------------------------------------------------------------- admin operations

  /** `kafka-topics.sh --create`: runs on the admin node; resolves when every partition has a leader. */
  async createTopic(spec: TopicSpec): Promise<Map<number, number[]>> {
    validateTopicSpec(spec, this.brokers.size, this.brokerConfig);
    if (spec.config !== undefined) this.topicOverrides.set(spec.name, spec.config);
    const zk = this.adminClient();
    let assignment: Map<number, number[]> | undefined;
    let failure: unknown;
    this.kernel.spawn(`${ADMIN_NODE}/create-topic ${spec.name}`, async () => {
      try {
        assignment = await createTopic(zk, {
          topic: spec.name,
          partitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          ...(spec.config === undefined ? {} : { config: spec.config }),
          rng: this.kernel.rng.fork(`admin/create-topic/${spec.name}`),
        });
      } catch (error) {
        failure = error;
      }
    }, { node: ADMIN_NODE });
    await this.kernel.runUntil(() => failure !== undefined || (assignment !== undefined && this.hasLeaders(spec.name, spec.partitions)), {
      maxSteps: 1_000_000,
      description: `topic ${spec.name} to be created with a leader for every partition`,
    });
    if (failure !== undefined) throw failure;
    return assignment!;
  }

  /** `kafka-preferred-replica-election.sh`: writes /admin/preferred_replica_election. */
  async preferredReplicaElection(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const zk = this.adminClient();
    let done = false;
    this.kernel.spawn(`${ADMIN_NODE}/preferred-replica-election`, async () => {
      await createPersistentPath(zk, ZkPaths.preferredReplicaElection, encodePreferredReplicaElection(partitions));
      done = true;
    }, { node: ADMIN_NODE });
    await this.kernel.runUntil(() => done, { maxSteps: 1_000_000, description: 'the preferred replica election to be requested' });
  }

  /** A clean, controlled shutdown of broker `id`; resolves when it has stopped. */
  async controlledShutdown(id: number): Promise<void> {
    const broker = this.broker(id);
    let done = false;
    this.kernel.spawn(`broker-${id}/shutdown`, async () => {
      await broker.shutdown();
      done = true;
    }, { node: broker.node });
    await this.kernel.runUntil(() => done, { maxSteps: 10_000_000, description: `broker ${id} to shut down` });
  }

  // ---------------------------------------------------------------- faults and running

  applyFault(fault: Fault): void {
    this.faults.apply(fault);
  }

  scheduleFaults(schedule: readonly ScheduledFault[]): void {
    this.faults.schedule(schedule);
  }

  runFor(ms: number): Promise<void> {
    return this.kernel.runFor(ms);
  }

  runUntil(predicate: () => boolean, options?: RunUntilOptions): Promise<void> {
    return this.kernel.runUntil(predicate, options);
  }

  private adminClient(): ZkClient {
    if (this.admin !== undefined) return this.admin;
    if (!this.kernel.hasNode(ADMIN_NODE)) this.kernel.addNode(ADMIN_NODE);
    this.admin = new ZkClient(nodeEnvironment(this.kernel, ADMIN_NODE), {
      name: `${ADMIN_NODE}/zk-event-thread`,
      connect: () => new SimZooKeeperClient(this.kernel, this.network, { node: ADMIN_NODE, server: ZOOKEEPER_NODE }),
    });
    return this.admin;
  }
}

/** Creates, starts and readies a cluster: every broker registered, a controller, every topic led. */
export async function createSimulation(options: SimulationOptions): Promise<Simulation> {
  const simulation = new Simulation(options);
  simulation.startBrokers();
  await simulation.kernel.runUntil(() => simulation.isReady(), { maxSteps: 1_000_000, description: 'the brokers to register and elect a controller' });
  for (const topic of options.topics ?? []) await simulation.createTopic(topic);
  return simulation;
}

/** Checks the options whole (broker count, broker config, topics); throws a typed error. */
export function validateSimulationOptions(options: Omit<SimulationOptions, 'seed'>): { brokerCount: number; brokerConfig: BrokerConfig } {
  const brokerCount = requireInteger('brokers', options.brokers ?? 3, 1, 1000);
  const brokerConfig = resolveBrokerConfig(options.brokerConfig);
  for (const topic of options.topics ?? []) validateTopicSpec(topic, brokerCount, brokerConfig);
  const names = new Set<string>();
  for (const topic of options.topics ?? []) {
    if (names.has(topic.name)) throw new InvalidArgumentError('topics', topic.name, 'distinct topic names');
    names.add(topic.name);
  }
  return { brokerCount, brokerConfig };
}

function validateTopicSpec(spec: TopicSpec, brokers: number, brokerConfig: BrokerConfig): void {
  if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('topic', spec, 'an object { name, partitions, replicationFactor, config? }');
  validateTopicName(spec.name);
  requireInteger(`topic ${spec.name} partitions`, spec.partitions, 1);
  requireInteger(`topic ${spec.name} replicationFactor`, spec.replicationFactor, 1);
  if (spec.replicationFactor > brokers) {
    // Kafka's own words (`AdminUtils.assignReplicasToBrokers`).
    throw new AdminOperationError('NOT_ENOUGH_BROKERS', `replication factor: ${spec.replicationFactor} larger than available brokers: ${brokers}`);
  }
  if (spec.config !== undefined) resolveTopicConfig(brokerConfig, spec.config);
}
