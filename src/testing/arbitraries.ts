/**
 * fast-check arbitraries for scenarios: cluster shapes, workloads and fault schedules. Every
 * arbitrary takes options that bound it, checks them (a bad bound is an InvalidArgumentError
 * naming it), and only generates what `validateScenario` accepts.
 *
 * Fault schedules are arrays of timed fault events, so they shrink the way a learner wants a
 * counterexample to: towards fewer faults (array elements removed), simpler faults (kinds are
 * listed simplest first: a process crash before a power loss), and later faults (a time is
 * generated as the distance back from the end of the window, which shrinks towards 0).
 */
import fc from 'fast-check';
import type { BrokerConfig, TopicConfig } from '../broker/config.ts';
import { InvalidArgumentError } from '../sim/errors.ts';
import type { Fault } from '../sim/faults.ts';
import { DEFAULT_LINK } from '../sim/network.ts';
import { requireInteger } from '../sim/validate.ts';
import {
  CONSUMER_SEMANTICS,
  memberNode,
  type ClusterSpec,
  type ConsumerSemantics,
  type ConsumerSpec,
  type ProducerSpec,
  type ScenarioFault,
  type ScenarioSpec,
  type WorkloadSpec,
} from './scenario-spec.ts';

export interface Range {
  readonly min: number;
  readonly max: number;
}

// ------------------------------------------------------------------ cluster

export interface ClusterArbitraryOptions {
  /** Default 1..5. */
  readonly brokers?: Range;
  /** Topics `t0`, `t1`, ...; default 1..2. */
  readonly topics?: Range;
  /** Partitions per topic; default 1..6. */
  readonly partitions?: Range;
  /** Replication factor, capped at the broker count; default 1..3. */
  readonly replicationFactor?: Range;
  /** Properties every generated cluster has (they override generated ones). */
  readonly brokerConfig?: Partial<BrokerConfig>;
  /** Topic properties every generated topic has. */
  readonly topicConfig?: Partial<TopicConfig>;
}

/** A cluster shape with generated broker and topic settings, all within Kafka's valid ranges. */
export function clusterArbitrary(options: ClusterArbitraryOptions = {}): fc.Arbitrary<ClusterSpec> {
  const brokers = range('brokers', options.brokers ?? { min: 1, max: 5 }, 1, 100);
  const topics = range('topics', options.topics ?? { min: 1, max: 2 }, 1, 20);
  const partitions = range('partitions', options.partitions ?? { min: 1, max: 6 }, 1, 1000);
  const replication = range('replicationFactor', options.replicationFactor ?? { min: 1, max: 3 }, 1, 100);
  if (replication.min > brokers.max) {
    throw new InvalidArgumentError('replicationFactor.min', replication.min, `at most brokers.max (${brokers.max})`);
  }
  const brokerSettings = fc.record({
    'unclean.leader.election.enable': fc.boolean(),
    'replica.lag.time.max.ms': fc.integer({ min: 1000, max: 30_000 }),
    'replica.lag.max.messages': fc.integer({ min: 10, max: 10_000 }),
    'zookeeper.session.timeout.ms': fc.integer({ min: 4000, max: 30_000 }),
  });
  return fc
    .integer(brokers)
    .filter((n) => n >= replication.min)
    .chain((brokerCount) =>
      fc.record({
        brokers: fc.constant(brokerCount),
        settings: brokerSettings,
        topics: fc.array(
          fc.record({
            partitions: fc.integer(partitions),
            replicationFactor: fc.integer({ min: replication.min, max: Math.min(replication.max, brokerCount) }),
            minInsyncReplicas: fc.integer({ min: 1, max: 3 }),
          }),
          { minLength: topics.min, maxLength: topics.max },
        ),
      }),
    )
    .map(({ brokers: brokerCount, settings, topics: shapes }) => ({
      brokers: brokerCount,
      brokerConfig: { ...settings, ...options.brokerConfig },
      topics: shapes.map((shape, index) => ({
        name: `t${index}`,
        partitions: shape.partitions,
        replicationFactor: shape.replicationFactor,
        config: { 'min.insync.replicas': Math.min(shape.minInsyncReplicas, shape.replicationFactor), ...options.topicConfig },
      })),
    }));
}

// ------------------------------------------------------------------ workload

export interface WorkloadArbitraryOptions {
  /** Topics the workload may use (their names). */
  readonly topics: readonly string[];
  /** Producers; default 1..2. */
  readonly producers?: Range;
  /** Messages per producer; default 0..200. */
  readonly messages?: Range;
  /** Consumer groups; default 1..2. */
  readonly groups?: Range;
  /** Members per group; default 1..3. */
  readonly members?: Range;
  /** Delivery patterns to choose from; default all. */
  readonly semantics?: readonly ConsumerSemantics[];
  /** `request.required.acks` values to choose from; default [-1, 0, 1]. */
  readonly acks?: readonly (-1 | 0 | 1)[];
}

export function workloadArbitrary(options: WorkloadArbitraryOptions): fc.Arbitrary<WorkloadSpec> {
  if (!Array.isArray(options.topics) || options.topics.length === 0) throw new InvalidArgumentError('topics', options.topics, 'a non-empty array of topic names');
  const producers = range('producers', options.producers ?? { min: 1, max: 2 }, 0, 20);
  const messages = range('messages', options.messages ?? { min: 0, max: 200 }, 0, 10_000_000);
  const groups = range('groups', options.groups ?? { min: 1, max: 2 }, 0, 20);
  const members = range('members', options.members ?? { min: 1, max: 3 }, 1, 100);
  const semantics = nonEmptySubset('semantics', options.semantics ?? CONSUMER_SEMANTICS, CONSUMER_SEMANTICS);
  const acks = nonEmptySubset('acks', options.acks ?? [-1, 0, 1], [-1, 0, 1]);
  const producer = fc.record({
    topic: fc.constantFrom(...options.topics),
    messages: fc.integer(messages),
    keys: fc.constantFrom('distinct' as const, 'none' as const),
    acks: fc.constantFrom(...acks),
    type: fc.constantFrom('sync' as const, 'async' as const),
    retries: fc.integer({ min: 0, max: 5 }),
    backoffMs: fc.integer({ min: 0, max: 1000 }),
  });
  const consumer = fc.record({
    topic: fc.constantFrom(...options.topics),
    members: fc.integer(members),
    streams: fc.integer({ min: 1, max: 3 }),
    semantics: fc.constantFrom(...semantics),
    autoCommitIntervalMs: fc.integer({ min: 100, max: 60_000 }),
    sessionTimeoutMs: fc.integer({ min: 4000, max: 40_000 }),
    offsetReset: fc.constantFrom('largest' as const, 'smallest' as const),
  });
  return fc
    .record({
      producers: fc.array(producer, { minLength: producers.min, maxLength: producers.max }),
      consumers: fc.array(consumer, { minLength: groups.min, maxLength: groups.max }),
    })
    .map(({ producers: ps, consumers: cs }) => ({
      producers: ps.map(
        (p, i): ProducerSpec => ({
          name: `producer-${i}`,
          topic: p.topic,
          messages: p.messages,
          keys: p.keys,
          config: {
            'request.required.acks': String(p.acks),
            'producer.type': p.type,
            'message.send.max.retries': String(p.retries),
            'retry.backoff.ms': String(p.backoffMs),
          },
        }),
      ),
      consumers: cs.map(
        (c, i): ConsumerSpec => ({
          group: `group-${i}`,
          topic: c.topic,
          members: c.members,
          streams: c.streams,
          semantics: c.semantics,
          config: {
            'auto.commit.interval.ms': c.autoCommitIntervalMs,
            'zookeeper.session.timeout.ms': c.sessionTimeoutMs,
            'auto.offset.reset': c.offsetReset,
          },
        }),
      ),
    }));
}

// ------------------------------------------------------------------ faults

/** Fault event kinds the schedule arbitrary draws from, simplest first. */
export const FAULT_EVENT_KINDS = [
  'broker-crash',
  'broker-restart',
  'pause',
  'isolate',
  'partition',
  'heal',
  'session-expire',
  'link-loss',
  'link-delay',
  'consumer-crash',
  'consumer-restart',
  'broker-power-loss',
  'broker-disk-wipe',
] as const;
export type FaultEventKind = (typeof FAULT_EVENT_KINDS)[number];

export interface FaultScheduleOptions {
  /** Broker ids are 1..brokers. */
  readonly brokers: number;
  /** Consumer groups and their member counts (for consumer faults and their nodes). */
  readonly consumers?: readonly { readonly group: string; readonly members: number }[];
  /** Other client nodes faults may name (producers, say). */
  readonly clientNodes?: readonly string[];
  /** Faults per schedule; default 0..5. */
  readonly count?: Range;
  /** Faults happen in [0, windowMs] ms after the workload starts; default 30,000. */
  readonly windowMs?: number;
  /** Kinds to draw from; default every kind that applies (consumer kinds need consumers). */
  readonly kinds?: readonly FaultEventKind[];
  /** Longest pause; default 20,000 ms. */
  readonly pauseMsMax?: number;
  /**
   * Faults one at a time, each undone before the next: a broker crash is followed by a restart, a
   * cut by a heal, a link fault by the default link, a consumer crash by a restart; a pause lasts
   * the episode (at most `pauseMsMax`). Each episode lasts `durationMs`; the next starts at least `settleMs` after it
   * ended (time for the ISR to fill again). This is the fault model under which Kafka 0.8.2 keeps
   * its no-loss promise (overlapping faults can lose a message: KAFKA-1211). Episodes may run past
   * `windowMs`; `scenarioArbitrary` extends the fault window to cover them. Undo kinds
   * (`broker-restart`, `heal`, `consumer-restart`) are not drawn in this mode.
   */
  readonly oneAtATime?: { readonly durationMs: Range; readonly settleMs: number };
}

/** What undoes a fault of an episode (undefined: it undoes itself, or needs nothing). */
function undoOf(fault: Fault): Fault | undefined {
  switch (fault.kind) {
    case 'broker-crash':
      return { kind: 'broker-restart', broker: fault.broker };
    case 'isolate':
    case 'partition':
      return { kind: 'heal' };
    case 'link-loss':
      return { kind: 'link-loss', from: fault.from, to: fault.to, lossRate: DEFAULT_LINK.lossRate };
    case 'link-delay':
      return { kind: 'link-delay', from: fault.from, to: fault.to, latencyMs: DEFAULT_LINK.latencyMs, jitterMs: DEFAULT_LINK.jitterMs };
    case 'consumer-crash':
      return { kind: 'consumer-restart', group: fault.group, member: fault.member };
    default:
      return undefined;
  }
}

const UNDO_KINDS: readonly FaultEventKind[] = ['broker-restart', 'heal', 'consumer-restart'];

/** Shrinkable schedules of timed faults, sorted by time. */
export function faultScheduleArbitrary(options: FaultScheduleOptions): fc.Arbitrary<ScenarioFault[]> {
  const brokers = requireInteger('brokers', options.brokers, 1, 100);
  const count = range('count', options.count ?? { min: 0, max: 5 }, 0, 1000);
  const windowMs = requireInteger('windowMs', options.windowMs ?? 30_000, 0);
  const pauseMsMax = requireInteger('pauseMsMax', options.pauseMsMax ?? 20_000, 1);
  const consumers = options.consumers ?? [];
  const members = consumers.flatMap((c) => Array.from({ length: c.members }, (_, member) => ({ group: c.group, member })));
  const chosen = nonEmptySubset('kinds', options.kinds ?? FAULT_EVENT_KINDS.filter((k) => members.length > 0 || !k.startsWith('consumer-')), FAULT_EVENT_KINDS);
  const episodes = options.oneAtATime === undefined ? undefined : { durationMs: range('oneAtATime.durationMs', options.oneAtATime.durationMs, 1, 10_000_000), settleMs: requireInteger('oneAtATime.settleMs', options.oneAtATime.settleMs, 0) };
  // Simplest first whatever order the caller listed them in: `constantFrom` shrinks to the first.
  const kinds = FAULT_EVENT_KINDS.filter((k) => chosen.includes(k) && (episodes === undefined || !UNDO_KINDS.includes(k)));
  if (kinds.length === 0) throw new InvalidArgumentError('kinds', chosen, `at least one kind that is not an undo (${UNDO_KINDS.join(', ')}) when faults come one at a time`);
  if (members.length === 0 && kinds.some((k) => k.startsWith('consumer-'))) {
    throw new InvalidArgumentError('kinds', kinds, 'consumer faults only with consumers (give the consumers option)');
  }
  const brokerNodes = Array.from({ length: brokers }, (_, i) => `broker-${i + 1}`);
  const clientNodes = [...members.map((m) => memberNode(m.group, m.member)), ...(options.clientNodes ?? [])];
  const allNodes = [...brokerNodes, 'zookeeper', ...clientNodes];
  const sessionNodes = [...brokerNodes, ...members.map((m) => memberNode(m.group, m.member))];
  const broker = fc.integer({ min: 1, max: brokers });
  const node = fc.constantFrom(...allNodes);
  const member = members.length === 0 ? fc.constant({ group: '', member: 0 }) : fc.constantFrom(...members);

  const faultOf: Record<FaultEventKind, fc.Arbitrary<Fault>> = {
    'broker-crash': broker.map((b) => ({ kind: 'broker-crash', broker: b })),
    'broker-restart': broker.map((b) => ({ kind: 'broker-restart', broker: b })),
    pause: fc.record({ node: fc.constantFrom(...brokerNodes, ...clientNodes), durationMs: fc.integer({ min: 1, max: pauseMsMax }) }).map((f) => ({ kind: 'pause', ...f })),
    isolate: node.map((n) => ({ kind: 'isolate', node: n })),
    partition: fc
      .array(fc.boolean(), { minLength: allNodes.length, maxLength: allNodes.length })
      .map((drawn) => {
        // Both sides non-empty: a split with everyone on one side would cut nothing.
        const sides = drawn.every((side) => side === drawn[0]) ? [!drawn[0], ...drawn.slice(1)] : drawn;
        return { kind: 'partition', groups: [allNodes.filter((_, i) => sides[i]), allNodes.filter((_, i) => !sides[i])] };
      }),
    heal: fc.constant({ kind: 'heal' }),
    'session-expire': fc.constantFrom(...sessionNodes).map((n) => ({ kind: 'session-expire', node: n })),
    'link-loss': fc
      .record({ from: node, to: node, percent: fc.integer({ min: 1, max: 100 }) })
      .filter((l) => l.from !== l.to)
      .map((l) => ({ kind: 'link-loss', from: l.from, to: l.to, lossRate: l.percent / 100 })),
    'link-delay': fc
      .record({ from: node, to: node, latencyMs: fc.integer({ min: 1, max: 5000 }) })
      .filter((l) => l.from !== l.to)
      .map((l) => ({ kind: 'link-delay', ...l })),
    'consumer-crash': member.map((m) => ({ kind: 'consumer-crash', ...m })),
    'consumer-restart': member.map((m) => ({ kind: 'consumer-restart', ...m })),
    'broker-power-loss': broker.map((b) => ({ kind: 'broker-crash', broker: b, mode: 'power-loss' })),
    'broker-disk-wipe': broker.map((b) => ({ kind: 'broker-crash', broker: b, mode: 'disk-wipe' })),
  };
  const event = fc
    .record({
      msBeforeEnd: fc.integer({ min: 0, max: windowMs }),
      fault: fc.constantFrom(...kinds).chain((kind) => faultOf[kind]),
      durationMs: episodes === undefined ? fc.constant(0) : fc.integer(episodes.durationMs),
    })
    .map(({ msBeforeEnd, fault, durationMs }) => ({ atMs: windowMs - msBeforeEnd, fault, durationMs }));
  return fc.array(event, { minLength: count.min, maxLength: count.max }).map((events) => {
    const sorted = [...events].sort((a, b) => a.atMs - b.atMs);
    if (episodes === undefined) return sorted.map(({ atMs, fault }): ScenarioFault => ({ atMs, fault }));
    // Lay the episodes out one after another: each starts at its drawn time or once the previous
    // one has ended and settled, whichever is later.
    const schedule: ScenarioFault[] = [];
    let freeAtMs = 0;
    for (const { atMs, fault, durationMs } of sorted) {
      const startMs = Math.max(atMs, freeAtMs);
      const undo = undoOf(fault);
      schedule.push({ atMs: startMs, fault: fault.kind === 'pause' ? { ...fault, durationMs: Math.min(durationMs, pauseMsMax) } : fault });
      if (undo !== undefined) schedule.push({ atMs: startMs + durationMs, fault: undo });
      freeAtMs = startMs + (fault.kind === 'session-expire' ? 0 : durationMs) + episodes.settleMs;
    }
    return schedule;
  });
}

// ------------------------------------------------------------------ scenarios

export interface ScenarioArbitraryOptions {
  readonly cluster: ClusterSpec | fc.Arbitrary<ClusterSpec>;
  /** A workload, or how to generate one for the generated cluster. */
  readonly workload: WorkloadSpec | ((cluster: ClusterSpec) => fc.Arbitrary<WorkloadSpec>);
  /** Fault schedule bounds (brokers and consumers are filled in from the cluster and workload). */
  readonly faults?: Omit<FaultScheduleOptions, 'brokers' | 'consumers'>;
  /** The end of the fault window; default `faults.windowMs` (30,000). */
  readonly faultWindowMs?: number;
  readonly drainTimeoutMs?: number;
}

/** Whole scenarios: seed, cluster, workload and faults. */
export function scenarioArbitrary(options: ScenarioArbitraryOptions): fc.Arbitrary<ScenarioSpec> {
  const windowMs = requireInteger('faults.windowMs', options.faults?.windowMs ?? 30_000, 0);
  const faultWindowMs = requireInteger('faultWindowMs', options.faultWindowMs ?? windowMs, windowMs);
  if (options.drainTimeoutMs !== undefined) requireInteger('drainTimeoutMs', options.drainTimeoutMs, 1);
  const clusters = fc.constant(null).chain(() => (isArbitrary(options.cluster) ? options.cluster : fc.constant(options.cluster)));
  return clusters.chain((cluster) => {
    const workloads = typeof options.workload === 'function' ? options.workload(cluster) : fc.constant(options.workload);
    return workloads.chain((workload) =>
      fc
        .record({
          seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          faults: faultScheduleArbitrary({
            ...options.faults,
            brokers: cluster.brokers,
            consumers: workload.consumers.map((c) => ({ group: c.group, members: c.members })),
            clientNodes: workload.producers.map((p) => p.name),
          }),
        })
        .map(
          ({ seed, faults }): ScenarioSpec => ({
            seed,
            cluster,
            workload,
            faults,
            // One-at-a-time episodes may end after the window: the repair comes after them.
            faultWindowMs: Math.max(faultWindowMs, ...faults.map((f) => f.atMs)),
            ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
          }),
        ),
    );
  });
}

// ------------------------------------------------------------------ helpers

function range(name: string, value: Range, low: number, high: number): Range {
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(name, value, `a range { min, max } within ${low}..${high}`);
  const min = requireInteger(`${name}.min`, value.min, low, high);
  const max = requireInteger(`${name}.max`, value.max, low, high);
  if (min > max) throw new InvalidArgumentError(name, value, `min ≤ max (got min ${min}, max ${max})`);
  return { min, max };
}

function nonEmptySubset<T>(name: string, values: readonly T[], allowed: readonly T[]): T[] {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError(name, values, `a non-empty array of ${allowed.join(', ')}`);
  for (const value of values) {
    if (!allowed.includes(value)) throw new InvalidArgumentError(name, value, `one of ${allowed.join(', ')}`);
  }
  return [...values];
}

function isArbitrary<T>(value: unknown): value is fc.Arbitrary<T> {
  return value instanceof fc.Arbitrary;
}
