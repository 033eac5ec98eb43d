/**
 * Delivery semantics under consumer crashes and rebalances (reference §6), as properties.
 *
 * Messages are produced beforehand (sync, acks=1, checked free of producer duplicates); then a
 * group of high-level consumers (manual commits) runs one of the three patterns of `consume`
 * while fast-check kills consumer processes at random virtual times, restarts them under new
 * names, adds members, or shuts one down cleanly (each a rebalance). Whatever the schedule:
 * - at-most-once never processes a message twice;
 * - at-least-once never loses one;
 * - exactly-once (offsets kept with the output) does neither.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../../src/broker/simulation.ts';
import { checkDelivery, consume, OutputStore, type DeliverySemantics, type DeliveryReport, type ProcessedRecord } from '../../src/client/delivery.ts';
import { ConsumerRebalanceFailedError } from '../../src/client/errors.ts';
import { ZookeeperConsumerConnector } from '../../src/client/group/connector.ts';
import { Producer } from '../../src/client/producer/producer.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import { logValues, runOn, zkOffset } from './client-harness.ts';

const PARTITIONS = 3;
const MESSAGES = 30;

type Event = { readonly atMs: number; readonly kind: 'crash' | 'restart' | 'add' | 'leave'; readonly pick: number };

interface Scenario {
  readonly seed: number;
  readonly processMs: number;
  readonly events: readonly Event[];
}

interface Outcome {
  readonly report: DeliveryReport;
  readonly records: readonly ProcessedRecord[];
  readonly crashes: number;
}

async function produceAll(sim: Simulation): Promise<Producer> {
  const producer = new Producer(simRuntime(sim, 'producer'), {
    'metadata.broker.list': sim.bootstrapServers,
    'request.required.acks': 1,
    'partitioner.class': (key: string) => Number(key) % PARTITIONS,
  });
  const task = await runOn(sim, 'producer', 'produce', async () => {
    for (let i = 0; i < MESSAGES; i++) await producer.send({ topic: 't', key: String(i), value: `m${i}` });
  });
  task.result();
  // No producer duplicates: every message acknowledged after one attempt, each log holds its share once.
  expect(producer.ledger.summary()).toMatchObject({ sent: MESSAGES, acknowledged: MESSAGES, retried: 0 });
  const logged = Array.from({ length: PARTITIONS }, (_, p) => logValues(sim, 1, 't', p)).flat();
  expect(logged.sort()).toEqual(Array.from({ length: MESSAGES }, (_, i) => `m${i}`).sort());
  return producer;
}

async function run(semantics: DeliverySemantics, scenario: Scenario): Promise<Outcome> {
  const sim = await createSimulation({ seed: scenario.seed, brokers: 1, trace: 'off', history: false, topics: [{ name: 't', partitions: PARTITIONS, replicationFactor: 1 }] });
  const producer = await produceAll(sim);
  const store = new OutputStore();
  const live: string[] = [];
  let started = 0;
  let crashes = 0;

  const start = () => {
    const node = `consumer-${++started}`;
    sim.kernel.addNode(node);
    live.push(node);
    const connector = new ZookeeperConsumerConnector(simRuntime(sim, node), {
      'group.id': 'g',
      'zookeeper.connect': 'zookeeper:2181',
      'consumer.id': node,
      'auto.commit.enable': false,
      'auto.offset.reset': 'smallest',
      'zookeeper.session.timeout.ms': 4000,
      'rebalance.backoff.ms': 500,
      'rebalance.max.retries': 30,
    });
    let shutDown = false;
    sim.kernel.spawn(
      node,
      async () => {
        try {
          const streams = await connector.createMessageStreams({ t: 1 });
          await consume(connector, streams.t![0]!, { semantics, store, by: node, process: () => sim.kernel.sleep(scenario.processMs) });
        } catch (error) {
          // A consumer that gave up rebalancing stops; after a shutdown the iterator may still hand
          // out the rest of its chunk, whose commit then fails (its ZooKeeper client is closed).
          if (!(error instanceof ConsumerRebalanceFailedError) && !shutDown) throw error;
        }
      },
      { node },
    );
    leaving.set(node, () => {
      shutDown = true;
      sim.kernel.spawn(`${node}/shutdown`, () => connector.shutdown(), { node });
    });
  };
  const leaving = new Map<string, () => void>();
  const crash = (pick: number) => {
    if (live.length === 0) return;
    const [node] = live.splice(pick % live.length, 1);
    // The process dies; its OS resets its connections. Its ZooKeeper session lives on until it times out.
    sim.kernel.killNode(node!);
    sim.network.dropConnectionsOf(node!, { notifyPeers: true });
    crashes++;
  };
  const leave = (pick: number) => {
    if (live.length === 0) return;
    const [node] = live.splice(pick % live.length, 1);
    leaving.get(node!)!();
  };

  start();
  start();
  const t0 = sim.kernel.nowMs;
  for (const event of [...scenario.events].sort((a, b) => a.atMs - b.atMs)) {
    await sim.runFor(Math.max(0, t0 + event.atMs - sim.kernel.nowMs));
    if (event.kind === 'crash' || event.kind === 'restart') crash(event.pick);
    if (event.kind === 'leave') leave(event.pick);
    if (event.kind === 'restart' || event.kind === 'add') start();
  }
  if (live.length === 0) start();
  // Until the group has committed every partition to its end (every pattern commits after the
  // hand-out, at-least-once and exactly-once after processing too), then a little longer for a
  // processing still under way; dead sessions expire and the group settles meanwhile.
  const perPartition = MESSAGES / PARTITIONS;
  const committedToEnd = () => Array.from({ length: PARTITIONS }, (_, p) => zkOffset(sim, 'g', 't', p)).every((o) => o === perPartition);
  const deadline = sim.kernel.nowMs + 30_000;
  await sim.runUntil(() => sim.kernel.nowMs > deadline || committedToEnd(), { maxSteps: 5_000_000 });
  await sim.runFor(2000);
  return { report: checkDelivery([producer.ledger], store.records()), records: store.records(), crashes };
}

const scenarios: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  processMs: fc.integer({ min: 20, max: 300 }),
  events: fc.array(
    fc.record({
      atMs: fc.integer({ min: 0, max: 6000 }),
      kind: fc.constantFrom('crash' as const, 'restart' as const, 'add' as const, 'leave' as const),
      pick: fc.nat({ max: 10 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

const RUNS = 30;

describe('delivery semantics under random consumer crashes and rebalances (fast-check)', () => {
  it('at-most-once (commit, then process) never processes a message twice', async () => {
    let lossy = 0;
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { report } = await run('at-most-once', scenario);
        expect(report.duplicated).toEqual([]);
        expect(report.unexpected).toEqual([]);
        if (report.lost.length > 0) lossy++;
      }),
      { numRuns: RUNS, seed: 20240601 },
    );
    // Not vacuous: the crashes did cost messages (a crash between commit and processing).
    expect(lossy).toBeGreaterThan(0);
  });

  it('at-least-once (process, then commit) never loses a message', async () => {
    let duplicating = 0;
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { report } = await run('at-least-once', scenario);
        expect(report.lost.map((e) => e.value)).toEqual([]);
        expect(report.processed).toBe(MESSAGES);
        expect(report.unexpected).toEqual([]);
        if (report.duplicated.length > 0) duplicating++;
      }),
      { numRuns: RUNS, seed: 20240602 },
    );
    // Not vacuous: crashes and rebalances did redeliver processed messages.
    expect(duplicating).toBeGreaterThan(0);
  });

  it('exactly-once (offsets stored atomically with the output) neither loses nor duplicates', async () => {
    let crashed = 0;
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { report, records, crashes } = await run('exactly-once', scenario);
        expect(report.lost.map((e) => e.value)).toEqual([]);
        expect(report.duplicated).toEqual([]);
        expect(records).toHaveLength(MESSAGES);
        if (crashes > 0) crashed++;
      }),
      { numRuns: RUNS, seed: 20240603 },
    );
    expect(crashed).toBeGreaterThan(RUNS / 2);
  });
});
