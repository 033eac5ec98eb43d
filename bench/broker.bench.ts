/**
 * Issue 3 figures: cluster cold start, replicated produce throughput (raw Produce requests, one
 * in flight, batches of 200 records of 100 bytes), heap per stored record, and the per-record cost
 * at three sizes (which must stay flat). Trace and history off unless said.
 */
import { createSimulation, type Simulation } from '../src/broker/simulation.ts';
import type { KafkaRequest, ProduceResponse } from '../src/protocol/api.ts';
import { createMessage, utf8Length, type Message } from '../src/protocol/message.ts';
import { RpcClient } from '../src/sim/rpc.ts';
import { heapUsedBytes, timeMs, type BenchSuite, type Figure } from './harness.ts';

const quiet = { trace: 'off', history: false } as const;
const BATCH = 200;

async function coldStartMs(): Promise<Figure> {
  const ms = await timeMs(async () => {
    await createSimulation({ seed: 1, brokers: 3, ...quiet, topics: [{ name: 't', partitions: 3, replicationFactor: 3 }] });
  }, { warmups: 3, repeats: 5 });
  return { name: 'cluster.cold_start_ms', value: ms, unit: 'ms', mode: '3 brokers + ZooKeeper + a 3-partition RF=3 topic, until every partition has a leader; trace off, history off', target: '≤ 10' };
}

/**
 * Produces `records` records to partition 0 of `t` with raw requests; resolves when the HW covers
 * them, with the wall time from the first request on (connecting is not counted).
 */
async function produce(sim: Simulation, records: number, acks: number, messages: (batch: number) => Message[]): Promise<number> {
  const kernel = sim.kernel;
  if (!kernel.hasNode('bench-client')) kernel.addNode('bench-client');
  const leader = sim.leaderOf('t', 0)!;
  let done = false;
  let start = 0n;
  kernel.spawn('bench-client', async () => {
    const endpoint = await sim.network.connect('bench-client', `broker-${leader}`, 9092);
    const rpc = new RpcClient<KafkaRequest, unknown>(kernel, endpoint);
    start = process.hrtime.bigint();
    for (let i = 0; i < records / BATCH; i++) {
      const response = (await rpc.request({
        api: 'Produce',
        clientId: 'bench',
        correlationId: i,
        requiredAcks: acks,
        ackTimeoutMs: 10_000,
        data: [{ topic: 't', partition: 0, messages: messages(i) }],
      })) as ProduceResponse;
      if (response.statuses[0]!.errorCode !== 0) throw new Error(`produce failed with ${response.statuses[0]!.errorCode}`);
    }
    done = true;
  }, { node: 'bench-client' });
  await kernel.runUntil(() => done && (sim.replica(leader, 't', 0)?.highWatermark ?? 0) >= records, { maxSteps: 100_000_000 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const payload = 'x'.repeat(100);
const sharedBatch = Array.from({ length: BATCH }, () => createMessage(null, payload));

async function producePerSecond(records: number, replicationFactor: number, acks: number): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const sim = await createSimulation({ seed: 1, brokers: 3, ...quiet, topics: [{ name: 't', partitions: 1, replicationFactor }] });
    best = Math.min(best, await produce(sim, records, acks, () => sharedBatch));
  }
  return records / (best / 1000);
}

async function bytesPerRecord(): Promise<Figure> {
  const records = 1_000_000;
  const sim = await createSimulation({ seed: 1, brokers: 3, ...quiet, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
  // Distinct 100-byte payloads, built (and flattened: V8 keeps padStart results as ropes until
  // first read) before measuring, so that what is counted is everything but the payload.
  const payloads = Array.from({ length: records }, (_, i) => `${i}`.padStart(100, 'x'));
  for (const p of payloads) utf8Length(p);
  const before = heapUsedBytes();
  await produce(sim, records, -1, (batch) => payloads.slice(batch * BATCH, (batch + 1) * BATCH).map((value) => createMessage(null, value)));
  const after = heapUsedBytes();
  const perRecord = (after - before) / records;
  // Keep the simulation and the payloads alive until measured.
  if (sim.replica(1, 't', 0) === undefined && payloads.length < 0) console.log('unreachable');
  return { name: 'log.rf3.bytes_per_record', value: perRecord, unit: 'bytes/record', mode: 'heap growth per stored record beyond its 100-byte payload, all three replicas, 1M records; trace off, history off', target: '≤ 200' };
}

export const brokerSuite: BenchSuite = {
  name: 'broker',
  async run() {
    const figures: Figure[] = [await coldStartMs()];
    figures.push({
      name: 'produce.rf3_acks_all.records_per_s',
      value: await producePerSecond(1_000_000, 3, -1),
      unit: 'records/s',
      mode: '1M records of 100 B in batches of 200, one request in flight, RF=3, acks=-1, until the HW covers them; trace off, history off',
      target: '≥ 1,000,000',
    });
    figures.push({
      name: 'produce.rf1_acks1.records_per_s',
      value: await producePerSecond(1_000_000, 1, 1),
      unit: 'records/s',
      mode: '1M records of 100 B in batches of 200, RF=1, acks=1; trace off, history off',
      target: '≥ 1,000,000',
    });
    figures.push(await bytesPerRecord());
    for (const [label, records] of [['10k', 10_000], ['100k', 100_000], ['1m', 1_000_000]] as const) {
      const perSecond = await producePerSecond(records, 3, -1);
      figures.push({
        name: `produce.rf3_acks_all.ns_per_record.${label}`,
        value: 1e9 / perSecond,
        unit: 'ns/record',
        mode: `${records.toLocaleString('en-US')} records, RF=3, acks=-1, timed from the first request; must stay flat`,
        target: 'flat',
      });
    }
    return figures;
  },
};
