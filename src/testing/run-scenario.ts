/**
 * `runScenario`: one scenario, start to finish, in the way Jepsen runs a test:
 *   1. the cluster starts (brokers registered, topics with leaders);
 *   2. the workload starts (producers sending, consumer groups consuming) and the faults happen
 *      at their times;
 *   3. at the end of the fault window everything is repaired: the network healed and its links
 *      reset, paused nodes resumed, crashed brokers and consumer members restarted;
 *   4. the consumers read to the end: the run stops when every producer has finished and every
 *      group owns every partition at a position at or past its high watermark (or when the drain
 *      timeout passes: the result then says the group did not catch up).
 * Invariant checkers run after every step and stop the run at the first violation.
 * The result holds what the delivery checkers need: the producer ledgers and every record each
 * group processed.
 */
import { defaultInvariants, InvariantMonitor, InvariantViolationError, type InvariantChecker, type InvariantViolation } from '../broker/invariants.ts';
import { createSimulation, type Simulation } from '../broker/simulation.ts';
import type { ProducerLedger } from '../client/producer/ledger.ts';
import type { Fault } from '../sim/faults.ts';
import type { TraceMode } from '../sim/trace.ts';
import { groupOwnersRegistered } from './group-invariants.ts';
import { validateScenario, type ScenarioSpec } from './scenario-spec.ts';
import { ConsumerGroupRun, ProducerRun, type ConsumedRecord } from './workload.ts';

export interface RunScenarioOptions {
  /** `off` (fastest, the default), `digest` (a fingerprint of the run), `full` (every record, for replay). */
  readonly trace?: TraceMode;
  /** Keep every step's state (for step-by-step replay). Default false. */
  readonly history?: boolean;
  /** Checkers run after every step; default: the broker invariants and group ownership. `[]`: none. */
  readonly invariants?: readonly InvariantChecker[];
  /** Called once the cluster is up, before the workload starts (to watch the trace, say). */
  readonly onStart?: (sim: Simulation) => void;
}

export type ScenarioOutcome =
  /** The consumers read to the end. */
  | 'completed'
  /** An invariant broke: `violation` says which, where and when. */
  | 'invariant-violated'
  /** The drain timeout passed before every group caught up (a group stuck after a failed rebalance, say). */
  | 'not-drained';

export interface ScenarioResult {
  readonly spec: ScenarioSpec;
  readonly outcome: ScenarioOutcome;
  readonly violation: InvariantViolation | undefined;
  /** The trace digest (undefined when the trace was off). */
  readonly digest: string | undefined;
  readonly steps: number;
  /** The virtual time the workload started at (fault times count from here). */
  readonly startMs: number;
  /** Virtual time from the start of the workload to the end of the run. */
  readonly virtualMs: number;
  /** Each producer's ledger: every message sent and its fate. */
  readonly ledgers: Readonly<Record<string, ProducerLedger>>;
  /** Each group's processed records, in processing order. */
  readonly consumed: Readonly<Record<string, readonly ConsumedRecord[]>>;
  /** Consumer members that could not start consuming (ConsumerRebalanceFailed, say). */
  readonly consumerErrors: ReadonlyArray<{ readonly group: string; readonly member: number; readonly incarnation: number; readonly error: string }>;
  /** The simulation at its end, for further inspection. */
  readonly simulation: Simulation;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 120_000;
const STEPS_PER_RUN_CALL = 50_000_000;

export async function runScenario(spec: ScenarioSpec, options: RunScenarioOptions = {}): Promise<ScenarioResult> {
  validateScenario(spec);
  const sim = await createSimulation({
    seed: spec.seed,
    brokers: spec.cluster.brokers,
    topics: spec.cluster.topics,
    ...(spec.cluster.brokerConfig === undefined ? {} : { brokerConfig: spec.cluster.brokerConfig }),
    trace: options.trace ?? 'off',
    history: options.history ?? false,
  });
  const producers = spec.workload.producers.map((p) => new ProducerRun(sim, p));
  const groups = spec.workload.consumers.map((c) => new ConsumerGroupRun(sim, c));
  defineWorkloadFaults(sim, groups);
  const partitionCounts = new Map(spec.cluster.topics.map((t) => [t.name, t.partitions]));
  const startMs = sim.kernel.nowMs;
  const faultWindowMs = spec.faultWindowMs ?? Math.max(0, ...spec.faults.map((f) => f.atMs));
  sim.scheduleFaults([
    ...spec.faults.map((f) => ({ atMs: startMs + f.atMs, fault: f.fault })),
    { atMs: startMs + faultWindowMs, fault: { kind: 'repair' } },
  ]);
  const monitor = new InvariantMonitor(sim, options.invariants ?? [...defaultInvariants(), groupOwnersRegistered()]);
  const repairedMs = startMs + faultWindowMs;
  const deadlineMs = repairedMs + (spec.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
  let outcome: ScenarioOutcome = 'completed';
  let violation: InvariantViolation | undefined;
  try {
    options.onStart?.(sim);
    for (const group of groups) group.start();
    for (const producer of producers) producer.start();
    await sim.runUntil(
      () => {
        if (sim.kernel.nowMs < repairedMs) return false;
        if (sim.kernel.nowMs > deadlineMs) return true;
        return producers.every((p) => p.done) && drained(sim, groups, partitionCounts);
      },
      { maxSteps: STEPS_PER_RUN_CALL, description: 'the consumers to read to the end' },
    );
    if (sim.kernel.nowMs > deadlineMs) outcome = 'not-drained';
  } catch (error) {
    if (!(error instanceof InvariantViolationError)) throw error;
    outcome = 'invariant-violated';
    violation = error.violation;
  } finally {
    monitor.stop();
  }
  return {
    spec,
    outcome,
    violation,
    digest: sim.kernel.trace.mode === 'off' ? undefined : sim.kernel.trace.digest(),
    steps: sim.kernel.currentStep,
    startMs,
    virtualMs: sim.kernel.nowMs - startMs,
    ledgers: Object.fromEntries(producers.map((p) => [p.spec.name, p.ledger])),
    consumed: Object.fromEntries(groups.map((g) => [g.spec.group, g.records])),
    consumerErrors: groups.flatMap((g) => g.errors.map((e) => ({ group: g.spec.group, ...e }))),
    simulation: sim,
  };
}

/**
 * Every partition's leader has its whole log committed (high watermark = log end offset: its
 * in-sync followers have everything), and every group owns every partition at or past it. Stopping
 * earlier, at a high watermark still below acknowledged messages (acks=1), would call them lost.
 */
function drained(sim: Simulation, groups: readonly ConsumerGroupRun[], partitionCounts: ReadonlyMap<string, number>): boolean {
  for (const group of groups) {
    const topic = group.spec.topic;
    const highWatermarks = new Map<number, number>();
    for (let partition = 0; partition < partitionCounts.get(topic)!; partition++) {
      const leader = sim.leaderOf(topic, partition);
      const replica = leader === undefined ? undefined : sim.replica(leader, topic, partition);
      if (replica === undefined || replica.highWatermark < replica.log.logEndOffset) return false;
      highWatermarks.set(partition, replica.highWatermark);
    }
    if (!group.caughtUp(highWatermarks)) return false;
  }
  return true;
}

/**
 * The workload's fault kinds: `consumer-crash` / `consumer-restart` { group, member }, and
 * `repair` (the end of the fault window: everything comes back).
 */
function defineWorkloadFaults(sim: Simulation, groups: readonly ConsumerGroupRun[]): void {
  const groupOf = (fault: Fault) => groups.find((g) => g.spec.group === fault.group)!;
  sim.faults.define('consumer-crash', {
    validate: () => {},
    apply: (fault) => groupOf(fault).crash(fault.member as number),
    describe: (fault) => `Consumer ${fault.group}-${fault.member} crashes (kill -9): its partitions stay owned until its ZooKeeper session expires.`,
  });
  sim.faults.define('consumer-restart', {
    validate: () => {},
    apply: (fault) => groupOf(fault).restart(fault.member as number),
    describe: (fault) => `Consumer ${fault.group}-${fault.member} is restarted (if it was down) and rejoins its group.`,
  });
  sim.faults.define('repair', {
    validate: () => {},
    apply: () => {
      sim.network.heal();
      sim.network.resetLinks();
      for (const node of sim.kernel.nodeNames()) {
        if (sim.kernel.node(node).paused) sim.kernel.resumeNode(node);
      }
      for (const broker of sim.brokers.values()) {
        if (!broker.running) broker.restart();
      }
      for (const group of groups) {
        for (let member = 0; member < group.spec.members; member++) group.restart(member);
      }
    },
    describe: () => 'The fault window ends: the network is healed, paused nodes resume, crashed brokers and consumers restart.',
  });
}
