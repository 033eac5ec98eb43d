/**
 * Issue 4 figures, through the public client API: an async producer (batches of 200) sending
 * records of 100 bytes while a group consumer with 3 streams reads them all (the producer's ledger
 * off: it keeps an entry per message for lessons and tests, which Kafka's producer does not); the sync producer
 * with acks=1 (one request per send); the end-to-end cost per record at three sizes. Trace and
 * history off.
 */
import { createSimulation } from '../src/broker/simulation.ts';
import { ZookeeperConsumerConnector } from '../src/client/group/connector.ts';
import { Producer } from '../src/client/producer/producer.ts';
import { simRuntime } from '../src/client/sim-runtime.ts';
import type { BenchSuite, Figure } from './harness.ts';

const quiet = { trace: 'off', history: false } as const;
const payload = 'x'.repeat(100);

/** Wall ms for `records` records to go from an async producer to a 3-stream group consumer. */
async function endToEndMs(records: number, replicationFactor: number, acks: -1 | 1): Promise<number> {
  const sim = await createSimulation({ seed: 1, brokers: 3, ...quiet, topics: [{ name: 't', partitions: 3, replicationFactor }] });
  const kernel = sim.kernel;
  const consumer = new ZookeeperConsumerConnector(simRuntime(sim, 'consumer'), {
    'group.id': 'bench',
    'zookeeper.connect': 'zookeeper:2181',
    'auto.offset.reset': 'smallest',
  });
  let consumed = 0;
  let ready = false;
  kernel.spawn('consumer', async () => {
    const streams = (await consumer.createMessageStreams({ t: 3 })).t!;
    ready = true;
    for (const stream of streams) {
      kernel.spawn(`consumer/${stream.threadId}`, async () => {
        for (;;) {
          const next = await stream.next();
          if (next.done) return;
          consumed++;
        }
      }, { node: 'consumer' });
    }
  }, { node: 'consumer' });
  await kernel.runUntil(() => ready, { maxSteps: 1_000_000 });
  const producer = new Producer(simRuntime(sim, 'producer'), {
    'metadata.broker.list': sim.bootstrapServers,
    'producer.type': 'async',
    'request.required.acks': acks,
    'batch.num.messages': 200,
    // Spread keys over the 3 partitions (the partitioner is part of the client under test).
    'partitioner.class': (key, n) => Number(key) % n,
  }, { ledger: false });
  const start = process.hrtime.bigint();
  kernel.spawn('producer', async () => {
    const batch = [];
    for (let i = 0; i < records; i++) {
      batch.push({ topic: 't', key: String(i % 3), value: payload });
      if (batch.length === 200) await producer.send(...batch.splice(0));
    }
    if (batch.length > 0) await producer.send(...batch);
    await producer.close();
  }, { node: 'producer' });
  await kernel.runUntil(() => consumed >= records, { maxSteps: 1_000_000_000 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function syncProducerPerSecond(sends: number): Promise<number> {
  const sim = await createSimulation({ seed: 1, brokers: 3, ...quiet, topics: [{ name: 't', partitions: 3, replicationFactor: 1 }] });
  const producer = new Producer(simRuntime(sim, 'producer'), { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': 1 });
  let done = false;
  let start = 0n;
  sim.kernel.spawn('producer', async () => {
    await producer.send({ topic: 't', key: 'warm-up', value: payload });
    start = process.hrtime.bigint();
    for (let i = 0; i < sends; i++) await producer.send({ topic: 't', key: String(i), value: payload });
    done = true;
  }, { node: 'producer' });
  await sim.kernel.runUntil(() => done, { maxSteps: 1_000_000_000 });
  return sends / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function best(runs: number, measure: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await measure());
  return min;
}

export const clientSuite: BenchSuite = {
  name: 'client',
  async run() {
    await endToEndMs(100_000, 1, 1); // warm-up
    const figures: Figure[] = [];
    const rf1 = await best(2, () => endToEndMs(1_000_000, 1, 1));
    figures.push({
      name: 'e2e.rf1_acks1.records_per_s',
      value: 1_000_000 / (rf1 / 1000),
      unit: 'records/s',
      mode: '1M records of 100 B: async producer (batches of 200, ledger off) → 3 partitions, RF=1, acks=1 → group consumer with 3 streams; trace off, history off',
      target: '≥ 1,000,000',
    });
    const rf3 = await best(2, () => endToEndMs(1_000_000, 3, -1));
    figures.push({
      name: 'e2e.rf3_acks_all.records_per_s',
      value: 1_000_000 / (rf3 / 1000),
      unit: 'records/s',
      mode: 'the same with RF=3, acks=-1',
      target: '≥ 500,000',
    });
    figures.push({
      name: 'producer.sync_acks1.records_per_s',
      value: await syncProducerPerSecond(100_000),
      unit: 'records/s',
      mode: 'sync producer, acks=1, one message per send (one request each), 100,000 sends, RF=1',
      target: 'reported',
    });
    for (const [label, records] of [['10k', 10_000], ['100k', 100_000], ['1m', 1_000_000]] as const) {
      const ms = await best(records === 1_000_000 ? 1 : 3, () => endToEndMs(records, 3, -1));
      figures.push({
        name: `e2e.ns_per_record.${label}`,
        value: (ms * 1e6) / records,
        unit: 'ns/record',
        mode: `${records.toLocaleString('en-US')} records end to end, RF=3, acks=-1; must stay flat`,
        target: 'flat',
      });
    }
    return figures;
  },
};
