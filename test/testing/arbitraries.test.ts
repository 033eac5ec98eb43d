/**
 * The fast-check arbitraries: they generate only what `validateScenario` accepts, keep within the
 * bounds they are given, reject bad bounds with an InvalidArgumentError naming them, and shrink a
 * fault schedule the way a learner wants a counterexample: fewer faults, simpler kinds, later times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clusterArbitrary,
  faultScheduleArbitrary,
  memberNode,
  scenarioArbitrary,
  validateScenario,
  workloadArbitrary,
  CONSUMER_SEMANTICS,
  FAULT_EVENT_KINDS,
  type ClusterSpec,
  type FaultEventKind,
  type ScenarioFault,
  type ScenarioSpec,
  type WorkloadSpec,
} from 'kafkasim/testing';
import { resolveBrokerConfig, resolveTopicConfig } from '../../src/broker/config.ts';
import { InvalidArgumentError } from '../../src/sim/errors.ts';
import type { Fault } from '../../src/sim/faults.ts';

const RUNS = 40;

function scenarioOf(cluster: ClusterSpec, workload: WorkloadSpec, faults: readonly ScenarioFault[] = []) {
  return { seed: 0, cluster, workload, faults };
}

/** The arbitrary's kind name of a generated fault (power loss and disk wipe are broker crashes with a mode). */
function eventKindOf(fault: Fault): string {
  if (fault.kind === 'broker-crash' && fault.mode === 'power-loss') return 'broker-power-loss';
  if (fault.kind === 'broker-crash' && fault.mode === 'disk-wipe') return 'broker-disk-wipe';
  return fault.kind;
}

function invalidArgument(make: () => unknown): InvalidArgumentError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('the arbitrary accepted its options');
}

/**
 * Checks one schedule against what the arbitrary promises; returns a problem or undefined.
 * `nodes` are every node a fault may name; `members` the consumer members.
 */
function scheduleProblem(
  schedule: readonly ScenarioFault[],
  options: { brokers: number; windowMs: number; nodes: readonly string[]; members: readonly { group: string; member: number }[]; pauseMsMax: number },
): string | undefined {
  for (const [i, { atMs, fault }] of schedule.entries()) {
    if (!Number.isInteger(atMs) || atMs < 0 || atMs > options.windowMs) return `fault ${i} at ${atMs}, outside [0, ${options.windowMs}]`;
    if (i > 0 && schedule[i - 1]!.atMs > atMs) return `fault ${i} at ${atMs} comes after a fault at ${schedule[i - 1]!.atMs}`;
    const inNodes = (node: unknown) => typeof node === 'string' && options.nodes.includes(node);
    switch (fault.kind) {
      case 'broker-crash':
      case 'broker-restart':
        if (!Number.isInteger(fault.broker) || (fault.broker as number) < 1 || (fault.broker as number) > options.brokers) return `broker ${String(fault.broker)} out of 1..${options.brokers}`;
        break;
      case 'pause':
        if (!inNodes(fault.node) || fault.node === 'zookeeper') return `pause of ${String(fault.node)}`;
        if (!((fault.durationMs as number) >= 1 && (fault.durationMs as number) <= options.pauseMsMax)) return `pause of ${String(fault.durationMs)} ms`;
        break;
      case 'isolate':
      case 'session-expire':
        if (!inNodes(fault.node)) return `${fault.kind} of unknown node ${String(fault.node)}`;
        break;
      case 'partition': {
        const groups = fault.groups as string[][];
        if (groups.length !== 2 || groups.some((g) => g.length === 0)) return `partition groups ${JSON.stringify(groups)}: two non-empty sides expected`;
        const [a, b] = groups as [string[], string[]];
        if (a.some((n) => b.includes(n))) return `partition sides overlap: ${JSON.stringify(groups)}`;
        if (![...a, ...b].every(inNodes)) return `partition names unknown nodes: ${JSON.stringify(groups)}`;
        break;
      }
      case 'link-loss':
      case 'link-delay':
        if (!inNodes(fault.from) || !inNodes(fault.to) || fault.from === fault.to) return `${fault.kind} ${String(fault.from)} → ${String(fault.to)}`;
        if (fault.kind === 'link-loss' && !((fault.lossRate as number) > 0 && (fault.lossRate as number) <= 1)) return `loss rate ${String(fault.lossRate)}`;
        break;
      case 'consumer-crash':
      case 'consumer-restart':
        if (!options.members.some((m) => m.group === fault.group && m.member === fault.member)) return `${fault.kind} of ${String(fault.group)}-${String(fault.member)}, not a member`;
        break;
      case 'heal':
        break;
      default:
        return `unexpected fault kind ${fault.kind}`;
    }
  }
  return undefined;
}

describe('clusterArbitrary', () => {
  it('generates clusters whose topics fit them: replication factor ≤ brokers, min.insync.replicas ≤ replication factor, valid configs', () => {
    fc.assert(
      fc.property(clusterArbitrary(), (cluster) => {
        expect(() => validateScenario(scenarioOf(cluster, { producers: [], consumers: [] }))).not.toThrow();
        const brokerConfig = resolveBrokerConfig(cluster.brokerConfig);
        expect(cluster.brokers).toBeGreaterThanOrEqual(1);
        expect(cluster.brokers).toBeLessThanOrEqual(5);
        expect(cluster.topics.length).toBeGreaterThanOrEqual(1);
        expect(cluster.topics.length).toBeLessThanOrEqual(2);
        for (const [i, topic] of cluster.topics.entries()) {
          expect(topic.name).toBe(`t${i}`);
          expect(topic.partitions).toBeGreaterThanOrEqual(1);
          expect(topic.partitions).toBeLessThanOrEqual(6);
          expect(topic.replicationFactor).toBeGreaterThanOrEqual(1);
          expect(topic.replicationFactor).toBeLessThanOrEqual(Math.min(3, cluster.brokers));
          expect(topic.config?.['min.insync.replicas']).toBeLessThanOrEqual(topic.replicationFactor);
          expect(() => resolveTopicConfig(brokerConfig, topic.config ?? {})).not.toThrow();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps within the bounds it is given, and properties it is given override generated ones', () => {
    const options = {
      brokers: { min: 2, max: 4 },
      topics: { min: 2, max: 3 },
      partitions: { min: 5, max: 7 },
      replicationFactor: { min: 2, max: 2 },
      brokerConfig: { 'unclean.leader.election.enable': false },
      topicConfig: { 'min.insync.replicas': 2 },
    };
    fc.assert(
      fc.property(clusterArbitrary(options), (cluster) => {
        expect(cluster.brokers).toBeGreaterThanOrEqual(2);
        expect(cluster.brokers).toBeLessThanOrEqual(4);
        expect(cluster.topics.length).toBeGreaterThanOrEqual(2);
        expect(cluster.topics.length).toBeLessThanOrEqual(3);
        expect(cluster.brokerConfig?.['unclean.leader.election.enable']).toBe(false);
        for (const topic of cluster.topics) {
          expect(topic.partitions).toBeGreaterThanOrEqual(5);
          expect(topic.partitions).toBeLessThanOrEqual(7);
          expect(topic.replicationFactor).toBe(2);
          expect(topic.config?.['min.insync.replicas']).toBe(2);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects a range whose min is above its max, naming the option', () => {
    const e = invalidArgument(() => clusterArbitrary({ brokers: { min: 4, max: 2 } }));
    expect(e.argument).toBe('brokers');
    expect(e.allowed).toContain('min ≤ max');
    expect(e.allowed).toContain('min 4, max 2');
  });

  it('rejects bounds outside what Kafka allows, naming the bound', () => {
    expect(invalidArgument(() => clusterArbitrary({ brokers: { min: 0, max: 3 } })).argument).toBe('brokers.min');
    expect(invalidArgument(() => clusterArbitrary({ partitions: { min: 1, max: 1001 } })).argument).toBe('partitions.max');
    expect(invalidArgument(() => clusterArbitrary({ topics: { min: 1.5, max: 2 } })).argument).toBe('topics.min');
    expect(invalidArgument(() => clusterArbitrary({ brokers: '1..3' as never })).argument).toBe('brokers');
  });

  it('rejects a minimum replication factor no cluster in the range can hold', () => {
    const e = invalidArgument(() => clusterArbitrary({ brokers: { min: 1, max: 2 }, replicationFactor: { min: 3, max: 3 } }));
    expect(e.argument).toBe('replicationFactor.min');
    expect(e.allowed).toContain('brokers.max (2)');
  });
});

describe('workloadArbitrary', () => {
  const cluster: ClusterSpec = {
    brokers: 3,
    topics: [
      { name: 'a', partitions: 2, replicationFactor: 2 },
      { name: 'b', partitions: 1, replicationFactor: 1 },
    ],
  };

  it('generates workloads the scenario validator accepts, on the given topics only', () => {
    fc.assert(
      fc.property(workloadArbitrary({ topics: ['a', 'b'] }), (workload) => {
        expect(() => validateScenario(scenarioOf(cluster, workload))).not.toThrow();
        for (const p of workload.producers) expect(['a', 'b']).toContain(p.topic);
        for (const c of workload.consumers) expect(['a', 'b']).toContain(c.topic);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps within its bounds and draws patterns and acks only from the lists given', () => {
    const options = {
      topics: ['a'],
      producers: { min: 2, max: 3 },
      messages: { min: 10, max: 20 },
      groups: { min: 1, max: 1 },
      members: { min: 2, max: 4 },
      semantics: ['at-most-once', 'exactly-once'] as const,
      acks: [-1] as const,
    };
    fc.assert(
      fc.property(workloadArbitrary({ ...options, semantics: [...options.semantics], acks: [...options.acks] }), (workload) => {
        expect(() => validateScenario(scenarioOf(cluster, workload))).not.toThrow();
        expect(workload.producers.length).toBeGreaterThanOrEqual(2);
        expect(workload.producers.length).toBeLessThanOrEqual(3);
        expect(workload.consumers).toHaveLength(1);
        for (const p of workload.producers) {
          expect(p.messages).toBeGreaterThanOrEqual(10);
          expect(p.messages).toBeLessThanOrEqual(20);
          expect(p.config?.['request.required.acks']).toBe('-1');
        }
        for (const c of workload.consumers) {
          expect(c.members).toBeGreaterThanOrEqual(2);
          expect(c.members).toBeLessThanOrEqual(4);
          expect(options.semantics).toContain(c.semantics);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects an empty topic list, empty or unknown pattern lists and acks lists', () => {
    expect(invalidArgument(() => workloadArbitrary({ topics: [] })).argument).toBe('topics');
    const noSemantics = invalidArgument(() => workloadArbitrary({ topics: ['a'], semantics: [] }));
    expect(noSemantics.argument).toBe('semantics');
    for (const s of CONSUMER_SEMANTICS) expect(noSemantics.allowed).toContain(s);
    const unknownSemantics = invalidArgument(() => workloadArbitrary({ topics: ['a'], semantics: ['twice' as never] }));
    expect(unknownSemantics.argument).toBe('semantics');
    expect(unknownSemantics.value).toBe('twice');
    expect(invalidArgument(() => workloadArbitrary({ topics: ['a'], acks: [] })).argument).toBe('acks');
    const badAcks = invalidArgument(() => workloadArbitrary({ topics: ['a'], acks: [2 as never] }));
    expect(badAcks.argument).toBe('acks');
    expect(badAcks.value).toBe(2);
  });

  it('rejects min > max and out-of-range bounds', () => {
    expect(invalidArgument(() => workloadArbitrary({ topics: ['a'], messages: { min: 5, max: 4 } })).argument).toBe('messages');
    expect(invalidArgument(() => workloadArbitrary({ topics: ['a'], members: { min: 0, max: 2 } })).argument).toBe('members.min');
    expect(invalidArgument(() => workloadArbitrary({ topics: ['a'], producers: { min: 0, max: 21 } })).argument).toBe('producers.max');
  });
});

describe('faultScheduleArbitrary', () => {
  const consumers = [
    { group: 'g', members: 2 },
    { group: 'h', members: 1 },
  ];
  const members = consumers.flatMap((c) => Array.from({ length: c.members }, (_, member) => ({ group: c.group, member })));
  const brokers = 4;
  const windowMs = 10_000;
  const nodes = [...Array.from({ length: brokers }, (_, i) => `broker-${i + 1}`), 'zookeeper', ...members.map((m) => memberNode(m.group, m.member)), 'producer'];

  it('generates sorted schedules inside the window whose faults name brokers 1..n, known nodes and existing members', () => {
    fc.assert(
      fc.property(
        faultScheduleArbitrary({ brokers, consumers, clientNodes: ['producer'], windowMs, count: { min: 0, max: 8 }, pauseMsMax: 500 }),
        (schedule) => {
          expect(schedule.length).toBeLessThanOrEqual(8);
          expect(scheduleProblem(schedule, { brokers, windowMs, nodes, members, pauseMsMax: 500 })).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('makes partitions of two non-empty, disjoint sides that together hold every node', () => {
    fc.assert(
      fc.property(faultScheduleArbitrary({ brokers: 2, consumers, clientNodes: ['producer'], windowMs, count: { min: 1, max: 4 }, kinds: ['partition'] }), (schedule) => {
        const all = ['broker-1', 'broker-2', 'zookeeper', ...members.map((m) => memberNode(m.group, m.member)), 'producer'];
        for (const { fault } of schedule) {
          expect(fault.kind).toBe('partition');
          const [a, b] = fault.groups as [string[], string[]];
          expect(a.length).toBeGreaterThan(0);
          expect(b.length).toBeGreaterThan(0);
          expect(a.filter((n) => b.includes(n))).toEqual([]);
          expect([...a, ...b].sort()).toEqual([...all].sort());
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('draws only the kinds it is given and as many faults as the count allows', () => {
    const kinds: FaultEventKind[] = ['broker-disk-wipe', 'consumer-restart', 'link-loss'];
    fc.assert(
      fc.property(faultScheduleArbitrary({ brokers, consumers, windowMs, count: { min: 2, max: 3 }, kinds }), (schedule) => {
        expect(schedule.length).toBeGreaterThanOrEqual(2);
        expect(schedule.length).toBeLessThanOrEqual(3);
        for (const { fault } of schedule) expect(kinds).toContain(eventKindOf(fault));
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves consumer faults out by default when there are no consumers', () => {
    fc.assert(
      fc.property(faultScheduleArbitrary({ brokers: 3, windowMs, count: { min: 3, max: 6 } }), (schedule) => {
        for (const { fault } of schedule) expect(fault.kind.startsWith('consumer-')).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects unknown kinds, consumer kinds without consumers, an empty kind list and bad bounds', () => {
    const unknown = invalidArgument(() => faultScheduleArbitrary({ brokers: 3, kinds: ['meteor' as never] }));
    expect(unknown.argument).toBe('kinds');
    expect(unknown.value).toBe('meteor');
    expect(unknown.allowed).toContain('broker-crash');
    const noConsumers = invalidArgument(() => faultScheduleArbitrary({ brokers: 3, kinds: ['broker-crash', 'consumer-crash'] }));
    expect(noConsumers.argument).toBe('kinds');
    expect(noConsumers.allowed).toContain('consumers');
    expect(invalidArgument(() => faultScheduleArbitrary({ brokers: 3, kinds: [] })).argument).toBe('kinds');
    expect(invalidArgument(() => faultScheduleArbitrary({ brokers: 0 })).argument).toBe('brokers');
    expect(invalidArgument(() => faultScheduleArbitrary({ brokers: 3, windowMs: -1 })).argument).toBe('windowMs');
    expect(invalidArgument(() => faultScheduleArbitrary({ brokers: 3, pauseMsMax: 0 })).argument).toBe('pauseMsMax');
    expect(invalidArgument(() => faultScheduleArbitrary({ brokers: 3, count: { min: 3, max: 2 } })).argument).toBe('count');
  });

  describe('shrinking', () => {
    const seeds = [1, 2, 3, 4, 5, 6];

    it('shrinks a schedule that fails whenever it has a fault to one fault, the simplest kind, at the end of the window', () => {
      for (const seed of seeds) {
        const details = fc.check(
          fc.property(faultScheduleArbitrary({ brokers: 3, windowMs: 1000, count: { min: 0, max: 5 } }), (schedule) => schedule.length === 0),
          { seed, numRuns: 100 },
        );
        expect(details.failed).toBe(true);
        const [schedule] = details.counterexample!;
        expect(schedule).toHaveLength(1);
        expect(schedule[0]!.atMs).toBe(1000);
        expect(schedule[0]!.fault).toEqual({ kind: FAULT_EVENT_KINDS[0], broker: 1 });
      }
    });

    it('shrinks a fault time towards the end of the window: to the latest time that still fails', () => {
      for (const seed of seeds) {
        const details = fc.check(
          fc.property(faultScheduleArbitrary({ brokers: 3, windowMs: 1000, count: { min: 0, max: 5 } }), (schedule) => schedule.every((f) => f.atMs > 400)),
          { seed, numRuns: 200 },
        );
        expect(details.failed).toBe(true);
        const [schedule] = details.counterexample!;
        expect(schedule).toHaveLength(1);
        expect(schedule[0]!.atMs).toBe(400);
      }
    });

    it('shrinks the kind to the first of FAULT_EVENT_KINDS among those allowed (kinds given in that order)', () => {
      const kinds: FaultEventKind[] = ['pause', 'heal', 'link-delay'];
      for (const seed of seeds) {
        const details = fc.check(
          fc.property(faultScheduleArbitrary({ brokers: 3, windowMs: 1000, count: { min: 1, max: 4 }, kinds }), (schedule) => schedule.length === 0),
          { seed, numRuns: 10 },
        );
        const [schedule] = details.counterexample!;
        expect(schedule).toHaveLength(1);
        expect(eventKindOf(schedule[0]!.fault)).toBe('pause');
      }
    });

    // Regression: the kinds were shrunk in the order the caller listed them.
    it('shrinks the kind to the first of FAULT_EVENT_KINDS among those allowed, whatever order the kinds are given in', () => {
      const kinds: FaultEventKind[] = ['link-delay', 'heal', 'isolate'];
      const simplest = FAULT_EVENT_KINDS.find((k) => kinds.includes(k));
      expect(simplest).toBe('isolate');
      for (const seed of seeds) {
        const details = fc.check(
          fc.property(faultScheduleArbitrary({ brokers: 3, windowMs: 1000, count: { min: 1, max: 4 }, kinds }), (schedule) => schedule.length === 0),
          { seed, numRuns: 10 },
        );
        const [schedule] = details.counterexample!;
        expect(eventKindOf(schedule[0]!.fault)).toBe(simplest);
      }
    });
  });
});

describe('scenarioArbitrary', () => {
  it('generates whole scenarios that validate, with faults on the generated cluster and workload', () => {
    const scenarios = scenarioArbitrary({
      cluster: clusterArbitrary({ brokers: { min: 1, max: 4 } }),
      workload: (cluster) => workloadArbitrary({ topics: cluster.topics.map((t) => t.name), messages: { min: 0, max: 50 } }),
      faults: { count: { min: 0, max: 6 }, windowMs: 5000 },
      drainTimeoutMs: 60_000,
    });
    fc.assert(
      fc.property(scenarios, (spec) => {
        expect(() => validateScenario(spec)).not.toThrow();
        expect(spec.faultWindowMs).toBe(5000);
        expect(spec.drainTimeoutMs).toBe(60_000);
        const members = spec.workload.consumers.flatMap((c) => Array.from({ length: c.members }, (_, member) => ({ group: c.group, member })));
        const nodes = [
          ...Array.from({ length: spec.cluster.brokers }, (_, i) => `broker-${i + 1}`),
          'zookeeper',
          ...members.map((m) => memberNode(m.group, m.member)),
          ...spec.workload.producers.map((p) => p.name),
        ];
        expect(scheduleProblem(spec.faults, { brokers: spec.cluster.brokers, windowMs: 5000, nodes, members, pauseMsMax: 20_000 })).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('takes a fixed cluster and workload as they are, and only generates the seed and the faults', () => {
    const cluster: ClusterSpec = { brokers: 3, topics: [{ name: 'events', partitions: 3, replicationFactor: 3 }] };
    const workload: WorkloadSpec = {
      producers: [{ name: 'producer', topic: 'events', messages: 10 }],
      consumers: [{ group: 'readers', topic: 'events', members: 2, semantics: 'at-least-once' }],
    };
    fc.assert(
      fc.property(scenarioArbitrary({ cluster, workload, faults: { windowMs: 2000 } }), (spec) => {
        expect(spec.cluster).toEqual(cluster);
        expect(spec.workload).toEqual(workload);
        expect(spec.faultWindowMs).toBe(2000);
        expect(Number.isInteger(spec.seed) && spec.seed >= 0 && spec.seed < 2 ** 32).toBe(true);
        expect(() => validateScenario(spec)).not.toThrow();
        for (const { fault } of spec.faults) {
          if (fault.kind.startsWith('consumer-')) {
            expect(fault.group).toBe('readers');
            expect([0, 1]).toContain(fault.member);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  // Regression: drainTimeoutMs and faultWindowMs were copied into scenarios unchecked.
  it('never hands out a scenario validateScenario refuses: a bad drain timeout or fault window is rejected up front', () => {
    const cluster: ClusterSpec = { brokers: 1, topics: [{ name: 'x', partitions: 1, replicationFactor: 1 }] };
    const workload: WorkloadSpec = { producers: [], consumers: [] };
    for (const options of [{ drainTimeoutMs: 0 }, { faultWindowMs: -5 }]) {
      let scenarios: fc.Arbitrary<ScenarioSpec>;
      try {
        scenarios = scenarioArbitrary({ cluster, workload, ...options });
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        continue;
      }
      for (const spec of fc.sample(scenarios, { numRuns: 5, seed: 1 })) expect(() => validateScenario(spec)).not.toThrow();
    }
  });

  it('gives the fault window it is asked for, even beyond the faults window', () => {
    const cluster: ClusterSpec = { brokers: 1, topics: [{ name: 'x', partitions: 1, replicationFactor: 1 }] };
    const [spec] = fc.sample(scenarioArbitrary({ cluster, workload: { producers: [], consumers: [] }, faults: { windowMs: 100 }, faultWindowMs: 900 }), { numRuns: 1, seed: 1 });
    expect(spec!.faultWindowMs).toBe(900);
    for (const { atMs } of spec!.faults) expect(atMs).toBeLessThanOrEqual(100);
  });
});
