/**
 * Scenario families with names, for `npx kafkasim check --scenario <name>` and the examples. Each
 * is a cluster, a workload and a fault space; what it should show is in its description.
 */
import type fc from 'fast-check';
import { scenarioArbitrary, type FaultEventKind } from './arbitraries.ts';
import type { ClusterSpec, ConsumerSemantics, ScenarioSpec, WorkloadSpec } from './scenario-spec.ts';

export interface NamedScenario {
  readonly name: string;
  readonly description: string;
  /** Whether the family is expected to pass (`true`) or to produce counterexamples. */
  readonly expectedToPass: boolean;
  readonly scenarios: fc.Arbitrary<ScenarioSpec>;
}

/** 3 brokers, one topic of 3 partitions with 3 replicas each. */
export function threeBrokerCluster(topicConfig: ClusterSpec['topics'][number]['config'] = {}): ClusterSpec {
  return { brokers: 3, topics: [{ name: 'events', partitions: 3, replicationFactor: 3, config: topicConfig }] };
}

/** One producer of `messages` records with `acks` (sync unless said), one 2-member group (at least once unless said). */
export function producerAndGroup(options: {
  readonly messages: number;
  readonly acks: -1 | 0 | 1;
  readonly retries?: number;
  readonly producerType?: 'sync' | 'async';
  readonly semantics?: ConsumerSemantics;
}): WorkloadSpec {
  return {
    producers: [
      {
        name: 'producer',
        topic: 'events',
        messages: options.messages,
        config: {
          'request.required.acks': String(options.acks),
          'message.send.max.retries': String(options.retries ?? 3),
          'producer.type': options.producerType ?? 'sync',
        },
      },
    ],
    consumers: [{ group: 'readers', topic: 'events', members: 2, semantics: options.semantics ?? 'at-least-once' }],
  };
}

const BROKER_PROCESS_FAULTS: readonly FaultEventKind[] = ['broker-crash', 'broker-restart', 'pause', 'isolate', 'session-expire', 'consumer-crash', 'consumer-restart'];

/**
 * The faults under which 0.8.2 keeps its no-loss promise: one at a time, each undone and the ISR
 * whole again before the next (overlapping crashes: KAFKA-1211), and the controller never away
 * from ZooKeeper longer than its session (a zombie controller's writes land late, and a bounce it
 * missed leaves a leader nobody knows: KIP-380). So: crashes and restarts, pauses shorter than the
 * 6 s session, session expiries, consumer crashes; no isolation.
 */
export const SAFE_FAULTS = {
  count: { min: 0, max: 4 },
  windowMs: 20_000,
  kinds: ['broker-crash', 'pause', 'session-expire', 'consumer-crash'] as FaultEventKind[],
  pauseMsMax: 4_000,
  oneAtATime: { durationMs: { min: 500, max: 10_000 }, settleMs: 15_000 },
};

export const NAMED_SCENARIOS: readonly NamedScenario[] = [
  {
    name: 'safe',
    description:
      'acks=-1, min.insync.replicas=2, unclean.leader.election.enable=false, replication factor 3: ' +
      'no acknowledged message is lost when broker crashes, short pauses, session expiries and consumer crashes come one at a time.',
    expectedToPass: true,
    scenarios: scenarioArbitrary({
      cluster: threeBrokerCluster({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false }),
      workload: producerAndGroup({ messages: 200, acks: -1 }),
      faults: SAFE_FAULTS,
    }),
  },
  {
    name: 'overlapping',
    description:
      'The safe configuration under overlapping faults, controller pauses and isolation: 0.8.2 can lose an acknowledged message ' +
      '(KAFKA-1211) or leave a partition without a working leader (KIP-380).',
    expectedToPass: false,
    scenarios: scenarioArbitrary({
      cluster: threeBrokerCluster({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false }),
      workload: producerAndGroup({ messages: 200, acks: -1 }),
      faults: { count: { min: 0, max: 8 }, windowMs: 20_000, kinds: BROKER_PROCESS_FAULTS },
    }),
  },
  {
    name: 'acks-1',
    description: 'acks=1: a leader that crashes before its followers fetched a message takes the acknowledged message with it.',
    expectedToPass: false,
    scenarios: scenarioArbitrary({
      cluster: threeBrokerCluster(),
      workload: producerAndGroup({ messages: 200, acks: 1 }),
      faults: { count: { min: 0, max: 5 }, windowMs: 5_000, kinds: ['broker-crash', 'broker-restart', 'pause'] },
    }),
  },
  {
    name: 'unclean',
    description:
      'acks=-1 with min.insync.replicas=1 and unclean election on (0.8.2 defaults): when the ISR shrinks to the leader and it dies, ' +
      'an out-of-sync replica leads and acknowledged messages are lost (Jepsen, 2013).',
    expectedToPass: false,
    scenarios: scenarioArbitrary({
      cluster: threeBrokerCluster(),
      workload: producerAndGroup({ messages: 200, acks: -1 }),
      faults: { count: { min: 0, max: 6 }, windowMs: 30_000, kinds: ['broker-crash', 'broker-restart', 'isolate', 'partition', 'heal'] },
    }),
  },
  {
    name: 'bench',
    description:
      'The benchmark scenario: 3 brokers, 3 partitions, RF 3, an async producer of 1,000 records (acks=-1, batches of 200), ' +
      'a 2-member auto-committing group, 5 random faults.',
    expectedToPass: false,
    scenarios: scenarioArbitrary({
      cluster: threeBrokerCluster({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false }),
      workload: producerAndGroup({ messages: 1000, acks: -1, producerType: 'async', semantics: 'auto-commit' }),
      faults: { count: { min: 5, max: 5 }, windowMs: 20_000, kinds: BROKER_PROCESS_FAULTS },
    }),
  },
];

export function namedScenario(name: string): NamedScenario | undefined {
  return NAMED_SCENARIOS.find((s) => s.name === name);
}
