/**
 * Property tests (fast-check) on a 3-broker cluster: random fault schedules (broker crashes and
 * restarts, GC pauses, network partitions between brokers and ZooKeeper, heals) interleaved with
 * random produce workloads.
 *
 * - Every invariant of `src/broker/invariants.ts` holds after every step (the monitor stops the
 *   run at the first violation), whatever the faults.
 * - With the safe configuration (topic min.insync.replicas=2, unclean election off, acks=-1) no
 *   acknowledged message is lost when faults come one at a time (each healed, and the ISR whole
 *   again, before the next). With overlapping faults 0.8.2 can lose one: a follower truncates to
 *   its high watermark when its leader changes, and if the new leader dies before it refetched it
 *   may be elected without the message (KAFKA-1211, fixed by leader epochs in 0.11); the scenario
 *   `scenarios/kafka-1211.test.ts` shows it.
 * - Once every fault is healed, every partition has a leader and a full ISR within 60 s.
 *
 * The last two are promises 0.8.2 keeps only under narrower faults, each found by these tests:
 * - A controller paused or cut off from ZooKeeper long enough comes back a zombie whose in-flight
 *   partition-state writes land after its successor took over (`ZkClient` retries them in the new
 *   session; 0.8.2 fences those writes by zkVersion only), and while away it can miss a broker
 *   that died and came back (`BrokerChangeListener` compares ids only): a partition is left with a
 *   leader nobody knows (`scenarios/missed-broker-bounce.test.ts`). So the no-loss and the
 *   convergence properties never pause the controller or cut it off from ZooKeeper.
 * - A broker whose session expires while the controller dies can end up holding /controller with
 *   its controller shut down: the old session's /controller deletion re-elects it once the new
 *   session is up, then `handleNewSession` resigns it and `elect` finds its own id there and does
 *   not fail over again (0.8.2.2 `KafkaController.SessionExpirationListener`,
 *   `ZookeeperLeaderElector.elect`; `scenarios/headless-controller.test.ts`). So the convergence
 *   property also keeps every other live broker's session (pauses under the session timeout, no
 *   cut from ZooKeeper); crashed brokers' sessions expire as usual.
 * - With unclean election off, overlapping crashes can lose a committed message as above; the
 *   replica that still holds it then halts at every restart (`handleOffsetOutOfRange` may not
 *   truncate it) and the ISR never fills again. So the convergence property runs on 0.8.2's
 *   defaults (unclean election on); the safe topic converges after each fault of the no-loss
 *   property.
 * The invariant properties take every fault.
 *
 * Crashes are process crashes (the OS keeps what was written). A power loss loses every message
 * 0.8.2 did not flush, and 0.8.2 never flushes by default, so Kafka makes no promise there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantMonitor, defaultInvariants, type InvariantChecker } from '../../src/broker/invariants.ts';
import { createSimulation, type Simulation, type TopicSpec } from '../../src/broker/simulation.ts';
import { partitionKey } from '../../src/broker/state.ts';
import { TestClient, produceRequest } from './support/client.ts';
import { lookup } from '../../src/zookeeper/znode-tree.ts';
import { logContents, node, zkState } from './support/cluster.ts';

const BROKERS = [1, 2, 3] as const;
const PARTITIONS = 2;
/** Virtual time allowed, after every fault is healed, for every partition to be led with a full ISR. */
const CONVERGENCE_MS = 60_000;
/** Runs per property (KAFKASIM_PROPERTY_RUNS overrides it for a longer hunt). */
const RUNS = Number(process.env['KAFKASIM_PROPERTY_RUNS'] ?? 50);
/** GC pauses up to twice the ZooKeeper session timeout: a paused broker may come back a zombie. */
const LONG_PAUSE_MS = 12_000;

type Op =
  | { readonly kind: 'produce'; readonly partition: number; readonly acks: -1 | 0 | 1; readonly count: number }
  | { readonly kind: 'crash'; readonly broker: number }
  | { readonly kind: 'restart'; readonly broker: number }
  | { readonly kind: 'pause'; readonly broker: number; readonly durationMs: number }
  /** Cut `side` from every other broker and ZooKeeper. */
  | { readonly kind: 'partition'; readonly side: readonly string[] }
  /** Cut one broker from ZooKeeper only. */
  | { readonly kind: 'zk-isolate'; readonly broker: number }
  | { readonly kind: 'heal' };

interface Step {
  readonly gapMs: number;
  readonly op: Op;
}

/**
 * `any`: every fault on every node. `controller-connected`: the controller is never paused or cut
 * off from ZooKeeper (an op aimed at it is skipped) and partitions split the brokers only.
 * `sessions-kept`: as `controller-connected`, and no live broker loses its ZooKeeper session (no
 * cut from ZooKeeper, pauses under the session timeout): only crashed brokers' sessions expire.
 */
type FaultModel = 'any' | 'controller-connected' | 'sessions-kept';

const broker = fc.constantFrom(...BROKERS);
const pause = (maxMs: number) => fc.record({ kind: fc.constant('pause' as const), broker, durationMs: fc.integer({ min: 500, max: maxMs }) });
const crash = fc.record({ kind: fc.constant('crash' as const), broker });
const zkIsolate = fc.record({ kind: fc.constant('zk-isolate' as const), broker });
const splittable = (model: FaultModel) => (model === 'any' ? [node(1), node(2), node(3), 'zookeeper'] : [node(1), node(2), node(3)]);
/** One side of a split: any nodes among the brokers and ZooKeeper, or among the brokers only. */
const partition = (model: FaultModel) =>
  fc.record({ kind: fc.constant('partition' as const), side: fc.subarray(splittable(model), { minLength: 1, maxLength: splittable(model).length - 1 }) });

function opArbitrary(acks: fc.Arbitrary<-1 | 0 | 1>, model: FaultModel): fc.Arbitrary<Op> {
  const faults: fc.WeightedArbitrary<Op>[] = [
    { weight: 2, arbitrary: crash },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('restart' as const), broker }) },
    // 3 s plus up to 2 s since the last heartbeat stays under the 6 s session timeout.
    { weight: 2, arbitrary: pause(model === 'sessions-kept' ? 3_000 : LONG_PAUSE_MS) },
    { weight: 2, arbitrary: partition(model) },
    { weight: 2, arbitrary: fc.constant({ kind: 'heal' as const }) },
  ];
  if (model !== 'sessions-kept') faults.push({ weight: 1, arbitrary: zkIsolate });
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('produce' as const),
        partition: fc.integer({ min: 0, max: PARTITIONS - 1 }),
        acks,
        count: fc.integer({ min: 1, max: 3 }),
      }),
    },
    ...faults,
  );
}

function scheduleArbitrary(acks: fc.Arbitrary<-1 | 0 | 1>, model: FaultModel): fc.Arbitrary<Step[]> {
  return fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 4_000 }), op: opArbitrary(acks, model) }), { minLength: 4, maxLength: 18 });
}

/** Carries out one operation where it makes sense (crash a running broker, restart a stopped one...). */
function apply(sim: Simulation, client: TestClient, topic: string, op: Op, model: FaultModel, nextValue: () => string): void {
  const spared = (id: number) => model !== 'any' && sim.controllerId === id;
  switch (op.kind) {
    case 'produce': {
      const leader = sim.leaderOf(topic, op.partition) ?? 1;
      const values = Array.from({ length: op.count }, nextValue);
      const request = produceRequest(topic, op.partition, values, { acks: op.acks, ackTimeoutMs: 3_000 });
      if (op.acks === 0) client.fireOneWay(leader, request);
      else client.start(leader, request, { timeoutMs: 10_000 });
      break;
    }
    case 'crash':
      if (sim.broker(op.broker).running) sim.applyFault({ kind: 'broker-crash', broker: op.broker });
      break;
    case 'restart':
      if (!sim.broker(op.broker).running) sim.applyFault({ kind: 'broker-restart', broker: op.broker });
      break;
    case 'pause':
      if (sim.broker(op.broker).running && !sim.kernel.node(node(op.broker)).paused && !spared(op.broker)) {
        sim.applyFault({ kind: 'pause', node: node(op.broker), durationMs: op.durationMs });
      }
      break;
    case 'partition':
      sim.applyFault({ kind: 'partition', groups: [op.side, splittable(model).filter((n) => !op.side.includes(n))] });
      break;
    case 'zk-isolate':
      if (!spared(op.broker)) sim.applyFault({ kind: 'partition', groups: [[node(op.broker)], ['zookeeper']] });
      break;
    case 'heal':
      sim.applyFault({ kind: 'heal' });
      break;
  }
}

/**
 * Heals every fault (the network whole, paused brokers resumed, stopped brokers restarted,
 * including one that halts meanwhile: 0.8.2 halts a follower rather than truncate when unclean
 * election is off, and an operator restarts it) and runs until every partition is led with a full
 * ISR, for at most CONVERGENCE_MS. Returns how long that took, or undefined.
 */
async function healAndConverge(sim: Simulation, topic: TopicSpec): Promise<number | undefined> {
  sim.applyFault({ kind: 'heal' });
  for (const id of BROKERS) {
    if (sim.kernel.node(node(id)).paused) sim.applyFault({ kind: 'resume', node: node(id) });
  }
  const healedAt = sim.kernel.nowMs;
  const deadline = healedAt + CONVERGENCE_MS;
  const converged = () => fullyReplicated(sim, topic.name, topic.replicationFactor);
  const stopped = () => BROKERS.filter((id) => !sim.broker(id).running);
  for (;;) {
    for (const id of stopped()) sim.applyFault({ kind: 'broker-restart', broker: id });
    await sim.runUntil(() => converged() || sim.kernel.nowMs > deadline || stopped().length > 0);
    if (stopped().length === 0 || sim.kernel.nowMs > deadline) break;
  }
  return converged() ? sim.kernel.nowMs - healedAt : undefined;
}

/**
 * The cluster is whole again: every broker runs and is registered under its current ZooKeeper
 * session, and every partition has a leader that knows it leads this leader epoch, an ISR of every
 * replica, and every follower fetching from that leader. (ZooKeeper alone is not enough: a broker
 * restarted before its old session expired still appears live and in the ISR.)
 */
function fullyReplicated(sim: Simulation, topic: string, replicationFactor: number): boolean {
  for (const id of BROKERS) {
    const registration = lookup(sim.zookeeper.state, `/brokers/ids/${id}`);
    if (!sim.broker(id).running || registration === undefined || registration.ephemeralOwner !== sim.broker(id).zkSessionId) return false;
  }
  for (let p = 0; p < PARTITIONS; p++) {
    const state = zkState(sim, topic, p);
    if (state === undefined || state.leader < 0 || state.isr.length !== replicationFactor) return false;
    const leader = sim.replica(state.leader, topic, p);
    if (leader === undefined || leader.leader !== state.leader || leader.leaderEpoch !== state.leaderEpoch) return false;
    for (const id of leader.assignedReplicas) {
      if (id !== state.leader && sim.replica(id, topic, p)?.fetchingFrom !== state.leader) return false;
    }
  }
  return true;
}

/** Every replica's log as long as its leader's, and the leader's HW at its LEO. */
function caughtUp(sim: Simulation, topic: string): boolean {
  for (let p = 0; p < PARTITIONS; p++) {
    const leaderId = zkState(sim, topic, p)?.leader ?? -1;
    const leader = sim.replica(leaderId, topic, p);
    if (leader === undefined || leader.highWatermark !== leader.log.logEndOffset) return false;
    for (const id of BROKERS) {
      if (sim.brokerStates[id]!.partitions[partitionKey(topic, p)]?.log.logEndOffset !== leader.log.logEndOffset) return false;
    }
  }
  return true;
}

function describeState(sim: Simulation, topic: string): string {
  const states = Array.from({ length: PARTITIONS }, (_, p) => JSON.stringify(zkState(sim, topic, p)));
  return `${states.join(' ')}; running ${BROKERS.filter((b) => sim.broker(b).running).join(',')}`;
}

interface RunResult {
  readonly sim: Simulation;
  readonly monitor: InvariantMonitor;
  /** Virtual time from the final heal until every partition was led with a full ISR, if within CONVERGENCE_MS. */
  readonly convergedAfterMs: number | undefined;
}

/** Runs one schedule, heals everything and waits for convergence; rejects at the first broken invariant. */
async function run(seed: number, topic: TopicSpec, steps: readonly Step[], model: FaultModel, checkers: readonly InvariantChecker[]): Promise<RunResult> {
  const sim = await createSimulation({ seed, brokers: BROKERS.length, topics: [topic], history: false, trace: 'off' });
  const monitor = new InvariantMonitor(sim, checkers);
  const client = new TestClient(sim);
  let sequence = 0;
  for (const { gapMs, op } of steps) {
    await sim.runFor(gapMs);
    apply(sim, client, topic.name, op, model, () => `v${++sequence}`);
  }
  await sim.runFor(2_000);
  return { sim, monitor, convergedAfterMs: await healAndConverge(sim, topic) };
}

// ------------------------------------------------------------------ one fault at a time

/** One fault and the produces sent while it lasts; then it is healed and the ISR made whole. */
interface Episode {
  readonly fault: Op;
  readonly durationMs: number;
  readonly produces: readonly { readonly atMs: number; readonly partition: number; readonly count: number }[];
}

const episodeArbitrary: fc.Arbitrary<Episode> = fc
  .record({
    fault: fc.oneof(crash, pause(LONG_PAUSE_MS), partition('controller-connected'), zkIsolate),
    durationMs: fc.integer({ min: 500, max: 15_000 }),
    produces: fc.array(
      fc.record({ atMs: fc.integer({ min: 0, max: 15_000 }), partition: fc.integer({ min: 0, max: PARTITIONS - 1 }), count: fc.integer({ min: 1, max: 3 }) }),
      { maxLength: 6 },
    ),
  })
  .map((e) => ({ ...e, durationMs: e.fault.kind === 'pause' ? e.fault.durationMs : e.durationMs }));

/** Runs the episodes on `topic`; rejects at the first broken invariant (no-acknowledged-loss included). */
async function runEpisodes(seed: number, topic: TopicSpec, episodes: readonly Episode[]): Promise<Simulation> {
  const sim = await createSimulation({ seed, brokers: BROKERS.length, topics: [topic], history: false, trace: 'off' });
  new InvariantMonitor(sim);
  const client = new TestClient(sim);
  let sequence = 0;
  const nextValue = () => `v${++sequence}`;
  for (const [index, episode] of episodes.entries()) {
    const start = sim.kernel.nowMs;
    apply(sim, client, topic.name, episode.fault, 'controller-connected', nextValue);
    const produces = episode.produces.filter((p) => p.atMs <= episode.durationMs).sort((a, b) => a.atMs - b.atMs);
    for (const produce of produces) {
      await sim.runFor(start + produce.atMs - sim.kernel.nowMs);
      apply(sim, client, topic.name, { kind: 'produce', acks: -1, partition: produce.partition, count: produce.count }, 'controller-connected', nextValue);
    }
    await sim.runFor(Math.max(0, start + episode.durationMs - sim.kernel.nowMs));
    if ((await healAndConverge(sim, topic)) === undefined) {
      throw new Error(`episode ${index}: not converged ${CONVERGENCE_MS} ms after healing: ${describeState(sim, topic.name)}`);
    }
    await sim.runFor(1_000);
  }
  return sim;
}

// ------------------------------------------------------------------ the properties

const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const defaultTopic: TopicSpec = { name: 'd', partitions: PARTITIONS, replicationFactor: 3 };
const safeTopic: TopicSpec = { ...defaultTopic, name: 's', config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false } };
/** No-loss is promised only with faults one at a time (KAFKA-1211): the episode property checks it. */
const withoutNoLoss = () => defaultInvariants().filter((c) => c.name !== 'no-acknowledged-loss');

describe('properties under random faults and workloads', () => {
  it('every invariant holds at every step, whatever the faults (0.8.2 defaults: unclean election on, acks 0, 1 and -1)', async () => {
    await fc.assert(
      fc.asyncProperty(seeds, scheduleArbitrary(fc.constantFrom(-1, 0, 1), 'any'), async (seed, steps) => {
        const { monitor } = await run(seed, defaultTopic, steps, 'any', defaultInvariants());
        expect(monitor.violations).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('every invariant but no-loss holds at every step on a safe topic, whatever the faults', async () => {
    await fc.assert(
      fc.asyncProperty(seeds, scheduleArbitrary(fc.constantFrom(-1, 1), 'any'), async (seed, steps) => {
        const { monitor } = await run(seed, safeTopic, steps, 'any', withoutNoLoss());
        expect(monitor.violations).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('with the safe configuration (topic min.insync.replicas=2, unclean election off, acks=-1) and one fault at a time, no acknowledged message is lost', async () => {
    let acknowledged = 0;
    await fc.assert(
      fc.asyncProperty(seeds, fc.array(episodeArbitrary, { minLength: 1, maxLength: 5 }), async (seed, episodes) => {
        const sim = await runEpisodes(seed, safeTopic, episodes);
        // The no-acknowledged-loss invariant watched the current leader at every step. Now every
        // replica, caught up, holds every acknowledged message at its offset.
        await sim.runUntil(() => caughtUp(sim, safeTopic.name), { maxSteps: 200_000 });
        for (const ack of sim.acknowledged) {
          expect(ack.requiredAcks).toBe(-1);
          for (const id of BROKERS) {
            const log = logContents(sim, sim.replica(id, safeTopic.name, ack.partition)!.log);
            ack.batch.messages.forEach((message, i) => {
              expect(log[ack.firstOffset + i]).toEqual({ offset: ack.firstOffset + i, value: message.value });
            });
          }
        }
        acknowledged += sim.acknowledged.length;
      }),
      { numRuns: RUNS },
    );
    expect(acknowledged).toBeGreaterThan(0); // the workload did get writes through
  });

  it(`after every fault heals, every partition has a leader and a full ISR within ${CONVERGENCE_MS / 1000} s (0.8.2 defaults; no live broker losing its ZooKeeper session)`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(seeds, scheduleArbitrary(fc.constantFrom(-1, 1), 'sessions-kept'), async (seed, steps) => {
        const { sim, convergedAfterMs } = await run(seed, defaultTopic, steps, 'sessions-kept', withoutNoLoss());
        if (convergedAfterMs === undefined) throw new Error(`not converged ${CONVERGENCE_MS} ms after healing: ${describeState(sim, defaultTopic.name)}`);
        runs++;
      }),
      { numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });
});
