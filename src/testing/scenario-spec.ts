/**
 * A scenario as data: the cluster, the workload, the faults. Plain JSON, so a failing scenario is
 * a file that replays (`npx kafkasim replay <file>`), and fast-check can generate and shrink every
 * part of it. `validateScenario` checks everything before anything runs: a bad scenario is
 * rejected whole, with an error naming the bad value and what is allowed.
 */
import type { TopicSpec } from '../broker/simulation.ts';
import type { BrokerConfig } from '../broker/config.ts';
import { validateSimulationOptions } from '../broker/simulation.ts';
import { resolveConsumerConfig, type ConsumerConfigInput } from '../client/group/config.ts';
import { resolveProducerConfig, type ProducerConfigInput } from '../client/producer/config.ts';
import { InvalidArgumentError, UnknownNameError } from '../sim/errors.ts';
import type { Fault, ScheduledFault } from '../sim/faults.ts';
import { requireInteger, requireNonEmptyString, requireNonNegativeInteger, requireOneOf } from '../sim/validate.ts';

export interface ClusterSpec {
  /** Brokers, with ids 1..n. */
  readonly brokers: number;
  readonly topics: readonly TopicSpec[];
  /** Kafka broker properties, the same on every broker. */
  readonly brokerConfig?: Partial<BrokerConfig>;
}

export interface ProducerSpec {
  /** The producer's name; it runs on the node of that name. */
  readonly name: string;
  readonly topic: string;
  /** How many messages it sends; their values are `<name>-<i>`, i from 0. */
  readonly messages: number;
  /** `distinct`: key `k<i>` (spread by the default partitioner); `none`: null keys. Default distinct. */
  readonly keys?: 'distinct' | 'none';
  /** Virtual time between two sends (default 0: as fast as the producer goes). */
  readonly intervalMs?: number;
  /** Kafka producer properties (`metadata.broker.list` is filled in). */
  readonly config?: Omit<ProducerConfigInput, 'metadata.broker.list'>;
}

/**
 * How a group consumer treats positions:
 * - `auto-commit`: the 0.8 high-level consumer's default (`auto.commit.enable=true`);
 * - `at-most-once`: commit, then process; `at-least-once`: process, then commit;
 * - `exactly-once`: output and position stored together (`OutputStore`), commit after.
 */
export type ConsumerSemantics = 'auto-commit' | 'at-most-once' | 'at-least-once' | 'exactly-once';
export const CONSUMER_SEMANTICS: readonly ConsumerSemantics[] = ['auto-commit', 'at-most-once', 'at-least-once', 'exactly-once'];

export interface ConsumerSpec {
  /** The group id. Member i runs on node `<group>-<i>`. */
  readonly group: string;
  readonly topic: string;
  /** Consumer processes in the group. */
  readonly members: number;
  /** Streams (threads) per member (default 1). */
  readonly streams?: number;
  readonly semantics: ConsumerSemantics;
  /** Kafka consumer properties (`group.id` and `zookeeper.connect` are filled in). */
  readonly config?: Omit<ConsumerConfigInput, 'group.id' | 'zookeeper.connect'>;
}

export interface WorkloadSpec {
  readonly producers: readonly ProducerSpec[];
  readonly consumers: readonly ConsumerSpec[];
}

/**
 * Scenario faults: the simulator's kinds (`partition`, `isolate`, `heal`, `link-loss`,
 * `link-delay`, `pause`, `resume`, `broker-crash`, `broker-restart`, `broker-shutdown`,
 * `session-expire`, `slow-broker`) and the workload's: `consumer-crash` and `consumer-restart`
 * { group, member }. `atMs` counts from the start of the workload.
 */
export type ScenarioFault = ScheduledFault<Fault>;

export interface ScenarioSpec {
  readonly seed: number;
  readonly cluster: ClusterSpec;
  readonly workload: WorkloadSpec;
  readonly faults: readonly ScenarioFault[];
  /**
   * Faults stop here (ms after the workload starts); then everything is repaired: the network
   * healed, paused nodes resumed, crashed brokers and consumers restarted. Default: the last
   * fault's time.
   */
  readonly faultWindowMs?: number;
  /** Give up reading to the end this long after the repair (default 120,000 ms). */
  readonly drainTimeoutMs?: number;
}

/** The node member `member` of `group` runs on. */
export function memberNode(group: string, member: number): string {
  return `${group}-${member}`;
}

/**
 * The group member's Kafka properties. Unless the spec sets them: auto-commit is on exactly for
 * the `auto-commit` pattern, and `auto.offset.reset` is `smallest`, so a new group reads the topic
 * from its start (Kafka's default, `largest`, would skip every message written before the group's
 * first fetch: a checker would count them as lost).
 */
export function consumerConfigOf(consumer: ConsumerSpec, zookeeperConnect: string): ConsumerConfigInput {
  return {
    'auto.commit.enable': consumer.semantics === 'auto-commit',
    'auto.offset.reset': 'smallest',
    ...consumer.config,
    'group.id': consumer.group,
    'zookeeper.connect': zookeeperConnect,
  };
}

/** Checks a scenario whole; throws a typed error naming the first bad value. */
export function validateScenario(spec: ScenarioSpec): void {
  if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('scenario', spec, 'an object { seed, cluster, workload, faults }');
  requireInteger('seed', spec.seed, 0, 2 ** 32 - 1);
  validateCluster(spec.cluster);
  validateWorkload(spec.workload, spec.cluster);
  if (spec.faultWindowMs !== undefined) requireNonNegativeInteger('faultWindowMs', spec.faultWindowMs);
  if (spec.drainTimeoutMs !== undefined) requireInteger('drainTimeoutMs', spec.drainTimeoutMs, 1);
  if (!Array.isArray(spec.faults)) throw new InvalidArgumentError('faults', spec.faults, 'an array of { atMs, fault }');
  const nodes = scenarioNodes(spec);
  for (const [index, entry] of spec.faults.entries()) {
    const field = `faults[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new InvalidArgumentError(field, entry, 'an object { atMs, fault }');
    requireNonNegativeInteger(`${field}.atMs`, entry.atMs);
    if (spec.faultWindowMs !== undefined && entry.atMs > spec.faultWindowMs) {
      throw new InvalidArgumentError(`${field}.atMs`, entry.atMs, `a time within the fault window (0..${spec.faultWindowMs} ms): later faults would never be repaired`);
    }
    validateFaultTargets(`${field}.fault`, entry.fault, spec, nodes);
  }
}

/** Every node a scenario's faults may name: brokers, ZooKeeper, producers, consumer members. */
function scenarioNodes(spec: ScenarioSpec): string[] {
  return [
    ...Array.from({ length: spec.cluster.brokers }, (_, i) => `broker-${i + 1}`),
    'zookeeper',
    ...spec.workload.producers.map((p) => p.name),
    ...spec.workload.consumers.flatMap((c) => Array.from({ length: c.members }, (_, member) => memberNode(c.group, member))),
  ];
}

/** The fault kinds a scenario knows, and which of their fields name a broker or a node. */
const FAULT_TARGETS: Readonly<Record<string, { readonly brokers?: readonly string[]; readonly nodes?: readonly string[]; readonly member?: true }>> = {
  partition: {},
  isolate: { nodes: ['node'] },
  heal: {},
  'link-loss': { nodes: ['from', 'to'] },
  'link-delay': { nodes: ['from', 'to'] },
  pause: { nodes: ['node'] },
  resume: { nodes: ['node'] },
  'broker-crash': { brokers: ['broker'] },
  'broker-restart': { brokers: ['broker'] },
  'broker-shutdown': { brokers: ['broker'] },
  'session-expire': { nodes: ['node'] },
  'slow-broker': { brokers: ['broker'] },
  'consumer-crash': { member: true },
  'consumer-restart': { member: true },
};

/**
 * The kind is known and every broker, node and member it names exists. (The values of its other
 * fields — a loss rate, a latency — are checked by the fault injector when the run schedules them,
 * still before the workload starts.)
 */
function validateFaultTargets(field: string, fault: Fault, spec: ScenarioSpec, nodes: readonly string[]): void {
  if (typeof fault !== 'object' || fault === null || typeof fault.kind !== 'string') {
    throw new InvalidArgumentError(field, fault, 'an object with a string kind');
  }
  const targets = FAULT_TARGETS[fault.kind];
  if (targets === undefined) throw new UnknownNameError(`fault kind (${field}.kind)`, fault.kind, Object.keys(FAULT_TARGETS));
  const brokerIds = Array.from({ length: spec.cluster.brokers }, (_, i) => String(i + 1));
  for (const key of targets.brokers ?? []) {
    if (!brokerIds.includes(String(fault[key])) || typeof fault[key] !== 'number') throw new UnknownNameError(`broker (${field}.${key})`, String(fault[key]), brokerIds);
  }
  for (const key of targets.nodes ?? []) {
    if (typeof fault[key] !== 'string' || !nodes.includes(fault[key] as string)) throw new UnknownNameError(`node (${field}.${key})`, String(fault[key]), nodes);
  }
  if (fault.kind === 'partition') {
    const groups = fault.groups;
    if (!Array.isArray(groups)) throw new InvalidArgumentError(`${field}.groups`, groups, 'arrays of node names');
    for (const node of groups.flat()) {
      if (!nodes.includes(node as string)) throw new UnknownNameError(`node (${field}.groups)`, String(node), nodes);
    }
  }
  if (targets.member === true) validateMemberFault(field, fault, spec.workload);
}

function validateCluster(cluster: ClusterSpec): void {
  if (typeof cluster !== 'object' || cluster === null) throw new InvalidArgumentError('cluster', cluster, 'an object { brokers, topics }');
  requireInteger('cluster.brokers', cluster.brokers, 1, 1000);
  if (!Array.isArray(cluster.topics)) throw new InvalidArgumentError('cluster.topics', cluster.topics, 'an array of { name, partitions, replicationFactor }');
  validateSimulationOptions({ brokers: cluster.brokers, topics: cluster.topics, ...(cluster.brokerConfig === undefined ? {} : { brokerConfig: cluster.brokerConfig }) });
}

function validateWorkload(workload: WorkloadSpec, cluster: ClusterSpec): void {
  if (typeof workload !== 'object' || workload === null) throw new InvalidArgumentError('workload', workload, 'an object { producers, consumers }');
  const topics = cluster.topics.map((t) => t.name);
  const nodes = new Set<string>();
  const claimNode = (field: string, node: string) => {
    if (nodes.has(node) || /^broker-\d+$/.test(node) || node === 'zookeeper' || node === 'admin') {
      throw new InvalidArgumentError(field, node, 'a node name no other producer, consumer member, broker or ZooKeeper uses');
    }
    nodes.add(node);
  };
  if (!Array.isArray(workload.producers)) throw new InvalidArgumentError('workload.producers', workload.producers, 'an array of producer specs');
  if (!Array.isArray(workload.consumers)) throw new InvalidArgumentError('workload.consumers', workload.consumers, 'an array of consumer specs');
  for (const [index, producer] of workload.producers.entries()) {
    const field = `workload.producers[${index}]`;
    claimNode(`${field}.name`, requireNonEmptyString(`${field}.name`, producer.name));
    if (!topics.includes(producer.topic)) throw new UnknownNameError(`topic (${field}.topic)`, String(producer.topic), topics);
    requireInteger(`${field}.messages`, producer.messages, 0);
    if (producer.keys !== undefined) requireOneOf(`${field}.keys`, producer.keys, ['distinct', 'none']);
    if (producer.intervalMs !== undefined) requireNonNegativeInteger(`${field}.intervalMs`, producer.intervalMs);
    resolveProducerConfig({ ...producer.config, 'metadata.broker.list': 'broker-1:9092' });
  }
  for (const [index, consumer] of workload.consumers.entries()) {
    const field = `workload.consumers[${index}]`;
    requireNonEmptyString(`${field}.group`, consumer.group);
    if (!topics.includes(consumer.topic)) throw new UnknownNameError(`topic (${field}.topic)`, String(consumer.topic), topics);
    requireInteger(`${field}.members`, consumer.members, 1, 100);
    if (consumer.streams !== undefined) requireInteger(`${field}.streams`, consumer.streams, 1, 100);
    requireOneOf(`${field}.semantics`, consumer.semantics, CONSUMER_SEMANTICS);
    const config = resolveConsumerConfig(consumerConfigOf(consumer, 'zookeeper:2181'));
    if (consumer.semantics !== 'auto-commit' && config['auto.commit.enable']) {
      throw new InvalidArgumentError(`${field}.config['auto.commit.enable']`, true, `false (the ${consumer.semantics} pattern commits by hand); or semantics 'auto-commit'`);
    }
    for (let member = 0; member < consumer.members; member++) claimNode(`${field}.group`, memberNode(consumer.group, member));
  }
}

function validateMemberFault(field: string, fault: Fault, workload: WorkloadSpec): void {
  const groups = workload.consumers.map((c) => c.group);
  const consumer = workload.consumers.find((c) => c.group === fault.group);
  if (consumer === undefined) throw new UnknownNameError(`consumer group (${field}.group)`, String(fault.group), groups);
  requireInteger(`${field}.member`, fault.member, 0, consumer.members - 1);
}
