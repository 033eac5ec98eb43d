/**
 * Issue 8 figures: kafkasim's producer and consumer over the wire (the real runtime) against
 * librdkafka's mock cluster, side by side with kafkajs 2.2.4 against the same cluster in the same
 * run: records/s produced and consumed by each and the ratio kafkasim ÷ kafkajs (target ≥ 1.0).
 * N is BENCH_WIRE_RECORDS (default 100,000).
 *
 * Like for like: one mock cluster of 3 brokers; each client its own topic of the same shape (the
 * mock's auto-created 4 partitions); N keyed records ("key-<i>", a 100-byte value); acks 1; the
 * same application batches of BATCH_RECORDS records, each send awaited before the next (the
 * natural loop of both APIs); each client first warms up (JIT) on topics of its own with
 * WARMUP_RECORDS records, untimed; then ROUNDS rounds, each on new topics, in which the two take
 * turns at producing and then at consuming; each side's best round is its figure.
 * - kafkasim produce: the sync `Producer` (0.8.2's DefaultEventHandler: one Produce request per
 *   leader, sent in turn), `send(...batch)`, ledger on (its default: every record's fate kept).
 * - kafkajs produce: `producer.send({ topic, messages: batch, acks: 1 })`.
 * - kafkasim consume: one `SimpleConsumer` per partition (at its leader), all partitions at once,
 *   each fetching from offset 0 to the end offset the broker reported (1 MiB per fetch, kafkajs's
 *   default `maxBytesPerPartition`); timed from creating the client (metadata, connections and
 *   ListOffsets included).
 * - kafkajs consume: a group consumer (its only consumer) with `eachBatch`, fromBeginning, its four
 *   partitions handled concurrently and no offset commits (the SimpleConsumer commits none either,
 *   and kafkajs's default commit after every batch halves its rate here); timed from its
 *   GROUP_JOIN event, because the mock cluster holds a new group's first join about 3 s (its own
 *   rebalance delay, nothing kafkajs does), until the last record is read.
 * Counts are checked, not assumed: after producing, each topic's end offsets must add up to N and
 * the kafkasim ledger must say N acknowledged; each consumer must read exactly each partition's
 * records. A run that lost or duplicated records throws (the figures would be wrong). The mock
 * keeps only the last few MB of a partition: N is kept small enough that nothing is dropped, and
 * the checks would say so if it were. Without kcat the suite is skipped, said on stderr.
 */
import type { Consumer as KafkajsConsumer, Kafka } from 'kafkajs';
import { KafkaClient } from '../src/client/kafka-client.ts';
import { Producer, type KeyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import { SimpleConsumer } from '../src/client/simple-consumer.ts';
import { LATEST_TIME } from '../src/protocol/api.ts';
import { realRuntime } from '../src/real/index.ts';
import { countFromEnv, type BenchSuite, type Figure } from './harness.ts';
import { KCAT, kcatAvailable, startMockCluster } from './kcat.ts';

const BATCH_RECORDS = 1_000;
const WARMUP_RECORDS = 20_000;
const VALUE_BYTES = 100;
const FETCH_BYTES = 1024 * 1024;
const TIMEOUT_MS = 30_000;
const ROUNDS = 3;

/** Record i's key and value: the value is i padded with 'x' to VALUE_BYTES. */
function keyOf(i: number): string {
  return `key-${i}`;
}
function valueOf(i: number): string {
  const digits = String(i);
  return digits + 'x'.repeat(VALUE_BYTES - digits.length);
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const perSecond = (records: number, ms: number) => (records / ms) * 1000;

// ---------------------------------------------------------------- kafkasim

async function kafkasimProduceMs(runtime: Runtime, bootstrap: string, topic: string, count: number): Promise<number> {
  const producer = new Producer(runtime, {
    'metadata.broker.list': bootstrap,
    'request.required.acks': 1,
    'producer.type': 'sync',
    'request.timeout.ms': TIMEOUT_MS,
    'client.id': 'kafkasim-bench',
  });
  const start = process.hrtime.bigint();
  try {
    for (let first = 0; first < count; first += BATCH_RECORDS) {
      const batch: KeyedMessage[] = [];
      for (let i = first; i < Math.min(count, first + BATCH_RECORDS); i++) batch.push({ topic, key: keyOf(i), value: valueOf(i) });
      await producer.send(...batch);
    }
  } finally {
    await producer.close();
  }
  const ms = elapsedMs(start);
  const summary = producer.ledger.summary();
  if (summary.acknowledged !== count) throw new Error(`kafkasim producer: ${summary.acknowledged} of ${count} records acknowledged (${JSON.stringify(summary)})`);
  return ms;
}

/** Every partition read from 0 to its end offset, at once; returns the time and the records read. */
async function kafkasimConsume(runtime: Runtime, bootstrap: string, topic: string): Promise<{ ms: number; records: number; expected: number }> {
  const start = process.hrtime.bigint();
  const client = await KafkaClient.create(runtime, bootstrap, { clientId: 'kafkasim-bench', timeoutMs: TIMEOUT_MS });
  let expected = 0;
  let records = 0;
  try {
    await client.loadMetadataForTopics(topic);
    await Promise.all(
      client.getPartitionIdsForTopic(topic).map(async (partition) => {
        const leader = await client.leaderFor(topic, partition);
        const consumer = new SimpleConsumer(runtime, { host: leader.host, port: leader.port, soTimeoutMs: TIMEOUT_MS, bufferSize: FETCH_BYTES, clientId: 'kafkasim-bench' });
        try {
          const end = await consumer.earliestOrLatestOffset(topic, partition, LATEST_TIME);
          expected += end;
          let offset = 0;
          while (offset < end) {
            const response = await consumer.fetch({ partitions: [{ topic, partition, offset, fetchSize: FETCH_BYTES }] });
            const errorCode = response.errorCode(topic, partition);
            if (errorCode !== 0) throw new Error(`kafkasim consumer: fetch of ${topic}-${partition} at ${offset} answered error ${errorCode}`);
            for (const m of response.messageSet(topic, partition)) {
              // A set may start before the offset asked for (Kafka's consumer loop skips those).
              if (m.offset < offset) continue;
              records++;
              offset = m.nextOffset;
            }
          }
          if (offset !== end) throw new Error(`kafkasim consumer: ${topic}-${partition} read to ${offset}, its end is ${end}`);
        } finally {
          consumer.close();
        }
      }),
    );
  } finally {
    client.close();
  }
  return { ms: elapsedMs(start), records, expected };
}

// ---------------------------------------------------------------- kafkajs

async function kafkajsProduceMs(kafka: Kafka, topic: string, count: number): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  const start = process.hrtime.bigint();
  try {
    for (let first = 0; first < count; first += BATCH_RECORDS) {
      const messages: Array<{ key: string; value: string }> = [];
      for (let i = first; i < Math.min(count, first + BATCH_RECORDS); i++) messages.push({ key: keyOf(i), value: valueOf(i) });
      await producer.send({ topic, messages, acks: 1 });
    }
  } finally {
    await producer.disconnect();
  }
  return elapsedMs(start);
}

/**
 * Reads `topic` from the beginning until `expected` records have been read; each partition's
 * batches must follow on from each other (no gap, nothing read twice) or the read fails.
 */
async function kafkajsConsume(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<{ ms: number; records: number }> {
  const consumer: KafkajsConsumer = kafka.consumer({ groupId });
  let start: bigint | undefined;
  let records = 0;
  const nextOffsets = new Map<number, number>();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    start ??= process.hrtime.bigint();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const ms = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumer: ${records} of ${expected} records within 120 s`)), 120_000);
      consumer
        .run({
          autoCommit: false,
          partitionsConsumedConcurrently: 4,
          eachBatch: async ({ batch }) => {
            const n = batch.messages.length;
            if (n === 0) return;
            const first = Number(batch.messages[0]!.offset);
            const last = Number(batch.messages[n - 1]!.offset);
            const next = nextOffsets.get(batch.partition) ?? 0;
            if (first !== next || last - first + 1 !== n) {
              clearTimeout(timer);
              reject(new Error(`kafkajs consumer: ${topic}-${batch.partition} read offsets ${first}..${last} (${n} records) where ${next} came next`));
              return;
            }
            nextOffsets.set(batch.partition, last + 1);
            records += n;
            if (records >= expected) {
              clearTimeout(timer);
              resolve(elapsedMs(start ?? process.hrtime.bigint()));
            }
          },
        })
        .catch(reject);
    });
    return { ms, records };
  } finally {
    await consumer.disconnect();
  }
}

/** The sum of `topic`'s end offsets, through kafkajs's admin client (the same check for both topics). */
async function endOffsetsSum(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------- the suite

interface Side {
  produceRate: number;
  consumeRate: number;
}

/** One client's produce-then-consume steps, by round (round 0 is the untimed warm-up). */
interface Client {
  produceMs(round: number, count: number): Promise<number>;
  consumeMs(round: number, count: number): Promise<number>;
}

function kafkasimClient(kafka: Kafka, bootstrap: string): Client {
  const runtime = realRuntime({ seed: 1, clientId: 'kafkasim-bench' });
  return {
    async produceMs(round, count) {
      const topic = `kafkasim-${round}`;
      const ms = await kafkasimProduceMs(runtime, bootstrap, topic, count);
      const stored = await endOffsetsSum(kafka, topic);
      if (stored !== count) throw new Error(`${topic} holds ${stored} records after kafkasim produced ${count}`);
      return ms;
    },
    async consumeMs(round, count) {
      const consumed = await kafkasimConsume(runtime, bootstrap, `kafkasim-${round}`);
      if (consumed.records !== count || consumed.expected !== count) throw new Error(`kafkasim consumer read ${consumed.records} records (end offsets add to ${consumed.expected}), expected ${count}`);
      return consumed.ms;
    },
  };
}

function kafkajsClient(kafka: Kafka): Client {
  return {
    async produceMs(round, count) {
      const topic = `kafkajs-${round}`;
      const ms = await kafkajsProduceMs(kafka, topic, count);
      const stored = await endOffsetsSum(kafka, topic);
      if (stored !== count) throw new Error(`${topic} holds ${stored} records after kafkajs produced ${count}`);
      return ms;
    },
    async consumeMs(round, count) {
      const consumed = await kafkajsConsume(kafka, `kafkajs-${round}`, `kafkajs-${round}`, count);
      if (consumed.records !== count) throw new Error(`kafkajs consumer read ${consumed.records} records, expected ${count}`);
      return consumed.ms;
    },
  };
}

/**
 * A warm-up round, then ROUNDS timed rounds in which the two clients take turns at each step
 * (the machine's load changes during a run: alternating exposes both to it alike); each side's
 * best round counts.
 */
async function measure(clients: readonly [Client, Client], count: number): Promise<[Side, Side]> {
  const sides: [Side, Side] = [
    { produceRate: 0, consumeRate: 0 },
    { produceRate: 0, consumeRate: 0 },
  ];
  for (const client of clients) {
    await client.produceMs(0, WARMUP_RECORDS);
    await client.consumeMs(0, WARMUP_RECORDS);
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, client] of clients.entries()) sides[i]!.produceRate = Math.max(sides[i]!.produceRate, perSecond(count, await client.produceMs(round, count)));
    for (const [i, client] of clients.entries()) sides[i]!.consumeRate = Math.max(sides[i]!.consumeRate, perSecond(count, await client.consumeMs(round, count)));
  }
  return sides;
}

export const wireSuite: BenchSuite = {
  name: 'wire',
  async run() {
    if (!kcatAvailable()) {
      process.stderr.write(`wire suite skipped: ${KCAT} not found (apt-get install kcat); the mock cluster lives in kcat\n`);
      return [];
    }
    const count = countFromEnv('BENCH_WIRE_RECORDS', 100_000);
    const mock = await startMockCluster(3);
    let kafkasim: Side;
    let kafkajs: Side;
    try {
      // Loaded only now: merely evaluating kafkajs's modules halves the figures of promise-heavy
      // suites that run after it in the same process (zk.ops_per_s fell from ~450k to ~200k).
      const { Kafka, logLevel } = await import('kafkajs');
      const kafka = new Kafka({ clientId: 'kafkajs-bench', brokers: mock.bootstrap.split(','), logLevel: logLevel.NOTHING });
      [kafkasim, kafkajs] = await measure([kafkasimClient(kafka, mock.bootstrap), kafkajsClient(kafka)], count);
    } finally {
      await mock.stop();
    }
    const shape = `best of ${ROUNDS} alternating rounds; librdkafka mock cluster (3 brokers), topic of 4 partitions, ${count.toLocaleString('en-US')} keyed records of ${VALUE_BYTES} B, acks 1, sends of ${BATCH_RECORDS.toLocaleString('en-US')} records awaited in turn`;
    const read = `every partition from offset 0 to its end, ${(FETCH_BYTES / 1024).toLocaleString('en-US')} KiB per partition fetch`;
    const figures: Figure[] = [
      { name: 'wire.produce.records_per_s', value: kafkasim.produceRate, unit: 'records/s', mode: `kafkasim sync Producer over the real runtime (ledger on); ${shape}` },
      { name: 'kafkajs.produce.records_per_s', value: kafkajs.produceRate, unit: 'records/s', mode: `kafkajs 2.2.4 producer.send; ${shape}` },
      { name: 'wire_vs_kafkajs.produce.ratio', value: kafkasim.produceRate / kafkajs.produceRate, unit: '×', mode: 'kafkasim records/s ÷ kafkajs records/s', target: '≥ 1.0' },
      { name: 'wire.consume.records_per_s', value: kafkasim.consumeRate, unit: 'records/s', mode: `kafkasim SimpleConsumer per partition, all at once, ${read}; timed from client creation` },
      { name: 'kafkajs.consume.records_per_s', value: kafkajs.consumeRate, unit: 'records/s', mode: `kafkajs 2.2.4 group consumer eachBatch fromBeginning, partitionsConsumedConcurrently 4, autoCommit off, ${read}; timed from GROUP_JOIN (the mock delays a first join ~3 s)` },
      { name: 'wire_vs_kafkajs.consume.ratio', value: kafkasim.consumeRate / kafkajs.consumeRate, unit: '×', mode: 'kafkasim records/s ÷ kafkajs records/s', target: '≥ 1.0' },
    ];
    return figures;
  },
};
