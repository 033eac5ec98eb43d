/**
 * Lesson 01: the partition consumption model, as the article's Python example does it.
 *
 * Three consumer threads, one per partition of `jiketest`, each with its own `KafkaClient` and a
 * kafka-python `SimpleConsumer(client, "test-group", "jiketest", auto_commit=False,
 * partitions=[i])` (`PartitionConsumer` here), `seek(0, 0)`, then `get_message(True, 60)` in a
 * loop, remembering the offset of the last message. Nothing is committed.
 *
 * With --broker the same clients run on real brokers (`runOnBroker`): the topic is ensured
 * through the client API, every claim about what the clients read is checked, and the claims that
 * need the simulator (the brokers' trace, sub-second timing, ZooKeeper) are skipped, saying so.
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { KafkaClient } from '../src/client/kafka-client.ts';
import { PartitionConsumer } from '../src/client/partition-consumer.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import { payloadToString } from '../src/protocol/message.ts';
import type { Runtime } from '../src/client/runtime.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { showCluster, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { narratedRuntime } from './lib/requests.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const GROUP = 'test-group';
const PARTITIONS = 3;
const FIRST_BATCH = 12;
const LATE_MESSAGES = 3;
const GET_MESSAGE_TIMEOUT_MS = 60_000;
/** On a real broker the silence is real time: the lesson waits this long instead of 60 s. */
const BROKER_GET_MESSAGE_TIMEOUT_MS = 2_000;

interface ThreadLog {
  readonly partition: number;
  readonly received: Array<{ offset: number; value: string; atMs: number }>;
  /** The thread's `self.__offset`: the offset of the last message it printed. */
  lastOffset: number | undefined;
  /** When `get_message(True, 60)` first returned None. */
  noneAtMs: number | undefined;
  lastMessageAtMs: number | undefined;
}

export const lesson: Lesson = {
  id: '01',
  title: 'The partition consumer',
  summary: 'Three threads, one per partition: seek(0, 0), get_message in a loop, offsets kept by hand and never committed (the article\'s Python).',
  defaultSeed: 1,
  brokerSupport: 'every step runs; the brokers\' trace, the timing claim and the ZooKeeper check are skipped, and the silence lasts 2 s instead of 60 s',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['broker.', 'controller.', 'fault.'],
    });

    run.heading('1. The cluster');
    run.say(
      `Three brokers and the topic ${TOPIC} with ${PARTITIONS} partitions, two replicas each. Every partition\n` +
        'has a leader: the one broker that answers fetches for it. A partition consumer must find it.',
    );
    showCluster(run, sim, [TOPIC]);

    run.heading(`2. A producer writes ${FIRST_BATCH} messages`);
    const producerApp = ClientProcess.on(sim, 'producer-app');
    const written = producerApp.run('producer', async (runtime) => {
      const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': -1 });
      for (let i = 0; i < FIRST_BATCH; i++) await producer.send(keyedMessage(TOPIC, `key-${i}`, `test ${i}`));
      await producer.close();
      return producer.ledger;
    });
    await sim.runUntil(() => written.settled, { description: 'the producer to finish' });
    const ledger = written.result();
    const perPartition = Array.from({ length: PARTITIONS }, (_, p) => ledger.entries.filter((e) => e.partition === p).map((e) => payloadToString(e.value) ?? ''));
    run.say('The default partitioner sends each key to abs(hash(key)) % 3, so the partitions hold:');
    run.table(
      ['partition', 'messages', 'values'],
      perPartition.map((values, p) => [`${TOPIC}-${p}`, values.length, values.join(', ')]),
    );

    run.heading('3. Three consumer threads, one per partition');
    run.say(
      'Each thread builds KafkaClient(bootstrap servers) and\n' +
        `  SimpleConsumer(client, "${GROUP}", "${TOPIC}", auto_commit=False, partitions=[i])\n` +
        'then seek(0, 0): offset 0 counted from the head (whence 0), the earliest offset the leader still\n' +
        'has. Then it loops on get_message(True, 60): block up to 60 s for the next message, print its\n' +
        'value, and keep its offset in self.__offset.',
    );
    const app = ClientProcess.on(sim, 'consumer-app');
    const threads: ThreadLog[] = [];
    const tasks = Array.from({ length: PARTITIONS }, (_, partition) => {
      const log: ThreadLog = { partition, received: [], lastOffset: undefined, noneAtMs: undefined, lastMessageAtMs: undefined };
      threads.push(log);
      return app.run(`Consumer-${partition}`, (appRuntime) => consumerThread(run, appRuntime, sim.bootstrapServers, log, GET_MESSAGE_TIMEOUT_MS));
    });
    await sim.runUntil(() => threads.every((t, p) => t.received.length === perPartition[p]!.length), {
      description: 'the consumers to read the first batch',
    });
    const firstBatchDoneMs = sim.kernel.nowMs;
    run.claim(
      'each thread read exactly its own partition, in offset order 0, 1, 2, ...',
      threads.every((t, p) => t.received.every((m, i) => m.offset === i && m.value === perPartition[p]![i])),
    );

    run.heading('4. More messages while the threads wait');
    run.say(
      'The threads are now blocked in get_message. Each of their fetches waits at the leader (max_wait)\n' +
        'until a message arrives or the wait ends, so a new message is printed soon after it is written.',
    );
    await sim.runFor(5_000);
    const lateSentMs: number[] = [];
    const late = producerApp.run('late producer', async (runtime) => {
      const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': -1 });
      for (let i = 0; i < LATE_MESSAGES; i++) {
        lateSentMs.push(runtime.nowMs());
        await producer.send(keyedMessage(TOPIC, `late-${i}`, `late ${i}`));
      }
      await producer.close();
      return producer.ledger;
    });
    await sim.runUntil(() => late.settled, { description: 'the late producer' });
    const lateLedger = late.result();
    const lateCount = Array.from({ length: PARTITIONS }, (_, p) => lateLedger.entries.filter((e) => e.partition === p).length);
    await sim.runUntil(() => threads.every((t, p) => t.received.length === perPartition[p]!.length + lateCount[p]!), {
      description: 'the consumers to read the late messages',
    });
    const lateDelayMs = sim.kernel.nowMs - lateSentMs[0]!;
    run.claim('the late messages reached their threads within a second of being sent', lateDelayMs < 1000, `${lateDelayMs} ms`);

    run.heading('5. Sixty seconds of silence');
    run.say('Nothing more is written. get_message(True, 60) gives up after 60 s and returns None.');
    await sim.runUntil(() => tasks.every((t) => t.settled), { description: 'the consumer threads to end' });
    for (const task of tasks) task.result();
    for (const t of [...threads].sort((a, b) => a.noneAtMs! - b.noneAtMs!)) run.say(`  [${formatMs(t.noneAtMs!)}] Consumer-${t.partition}: get_message returned None; last offset ${t.lastOffset ?? 'none'}`);
    run.claim(
      'get_message returned None 60 s after each thread\'s last message, not before',
      threads.every((t) => t.noneAtMs !== undefined && t.noneAtMs - (t.lastMessageAtMs ?? firstBatchDoneMs) >= GET_MESSAGE_TIMEOUT_MS),
    );
    run.correction(
      'its loop reads message.offset right after get_message(True, 60). When a minute passes\n' +
        'without a message, get_message returns None and that line raises AttributeError: the thread dies.\n' +
        'Check for None (this lesson ends the thread there; a real one would loop again).',
    );

    run.heading('6. What was committed');
    const offsets = lookup(sim.zookeeper.state, `/consumers/${GROUP}/offsets/${TOPIC}`);
    run.say(
      `auto_commit=False and no commit() call: /consumers/${GROUP}/offsets/${TOPIC} ${offsets === undefined ? 'does not exist' : 'exists'}.\n` +
        'The offsets lived only in the threads (self.__offset). A restarted thread knows nothing; this one\n' +
        'would start again from seek(0, 0) and print every message a second time.',
    );
    run.claim('nothing was committed to ZooKeeper', offsets === undefined);

    const total = threads.reduce((sum, t) => sum + t.received.length, 0);
    run.claim('every message written was printed exactly once', total === FIRST_BATCH + LATE_MESSAGES);
    run.recordFacts(
      facts({
        partitions: PARTITIONS,
        ledgers: [ledger, lateLedger],
        threads,
        lateDelayMs,
        timeoutMs: GET_MESSAGE_TIMEOUT_MS,
        committed: offsets === undefined ? 'none' : 'some',
      }),
    );
    run.whatYouSaw([
      `${FIRST_BATCH + LATE_MESSAGES} messages written to ${PARTITIONS} partitions (${perPartition.map((v, p) => v.length + lateCount[p]!).join(' / ')}), each printed once by the thread of its partition.`,
      `Each thread read only partitions=[i], from offset 0 after seek(0, 0), in offset order.`,
      `A message written while the threads waited was printed ${formatMs(lateDelayMs)} after it was sent: the fetch waits at the leader.`,
      `After 60 s of silence get_message returned None (the article's code would crash there).`,
      `Nothing was committed: the positions ${threads.map((t) => t.lastOffset).join(', ')} existed only in the threads.`,
    ]);
  },
};

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

/** One thread of the article's Python: its own KafkaClient and SimpleConsumer, seek(0, 0), get_message until None. */
async function consumerThread(run: LessonRun, appRuntime: Runtime, bootstrapServers: string, log: ThreadLog, timeoutMs: number): Promise<void> {
  const partition = log.partition;
  const runtime = narratedRuntime(run, appRuntime, `Consumer-${partition}`);
  const client = await KafkaClient.create(runtime, bootstrapServers);
  const consumer = await PartitionConsumer.create(runtime, client, { group: GROUP, topic: TOPIC, autoCommit: false, partitions: [partition] });
  await consumer.seek(0, 0);
  for (;;) {
    const message = await consumer.getMessage({ block: true, timeoutMs });
    if (message === undefined) {
      log.noneAtMs = runtime.nowMs();
      break;
    }
    log.lastOffset = message.offset;
    log.lastMessageAtMs = runtime.nowMs();
    const value = payloadToString(message.value) ?? '';
    log.received.push({ offset: message.offset, value, atMs: runtime.nowMs() });
    run.say(`  [${formatMs(runtime.nowMs())}] Consumer-${partition}: offset ${message.offset}: ${value}`);
  }
  await consumer.stop();
  client.close();
}

interface RunFacts {
  readonly partitions: number;
  /** The first batch's and the late producer's ledgers. */
  readonly ledgers: readonly ProducerLedger[];
  readonly threads: readonly ThreadLog[];
  readonly lateDelayMs: number;
  readonly timeoutMs: number;
  /** What ZooKeeper holds under the group's offsets (null: not observable). */
  readonly committed: string | null;
}

/** This run's messages (acknowledged, with their partition and offset), by partition. */
function writtenByPartition(ledgers: readonly ProducerLedger[], partitions: number): Array<Array<{ offset: number; value: string }>> {
  const entries = ledgers.flatMap((l) => l.entries).filter((e) => e.fate === 'acknowledged');
  return Array.from({ length: partitions }, (_, p) =>
    entries
      .filter((e) => e.partition === p)
      .map((e) => ({ offset: e.offset!, value: payloadToString(e.value) ?? '' }))
      .sort((a, b) => a.offset - b.offset),
  );
}

/** Whether every thread read its partition in offset order and each of this run's messages exactly once, where it was acknowledged. */
function readAsWritten(threads: readonly ThreadLog[], written: ReturnType<typeof writtenByPartition>): { inOrder: boolean; exactlyOnce: boolean; consumed: number } {
  let inOrder = true;
  let exactlyOnce = true;
  let consumed = 0;
  for (const [p, thread] of threads.entries()) {
    const offsets = thread.received.map((m) => m.offset);
    if (offsets.some((o, i) => i > 0 && o <= offsets[i - 1]!)) inOrder = false;
    for (const message of written[p] ?? []) {
      const copies = thread.received.filter((m) => m.offset === message.offset && m.value === message.value).length;
      if (copies === 1) consumed++;
      else exactlyOnce = false;
    }
  }
  return { inOrder, exactlyOnce, consumed };
}

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(run: RunFacts): Fact[] {
  const written = writtenByPartition(run.ledgers, run.partitions);
  const summaries = run.ledgers.map((l) => l.summary());
  const read = readAsWritten(run.threads, written);
  const ranges = written.map((messages) => (messages.length === 0 ? '-' : `${messages[0]!.offset}..${messages.at(-1)!.offset}`));
  return [
    { name: `partitions of ${TOPIC}`, value: run.partitions, kind: 'placement' },
    { name: 'messages sent', value: summaries.reduce((sum, s) => sum + s.sent, 0), kind: 'match' },
    { name: 'messages acknowledged', value: summaries.reduce((sum, s) => sum + s.acknowledged, 0), kind: 'match' },
    { name: 'send errors', value: summaries.reduce((sum, s) => sum + s.failed + s.dropped, 0), kind: 'match' },
    { name: 'messages per partition', value: written.map((m) => m.length).join(' / '), kind: 'placement' },
    { name: 'offsets written per partition', value: ranges.join(' / '), kind: 'history' },
    { name: 'messages consumed (once each)', value: read.consumed, kind: 'match' },
    { name: 'read in offset order', value: read.inOrder ? 'yes' : 'no', kind: 'match' },
    { name: 'late message delay', value: formatMs(run.lateDelayMs), kind: 'timing' },
    { name: 'get_message timeout', value: formatMs(run.timeoutMs), kind: 'timing' },
    {
      name: 'committed offsets',
      value: run.committed,
      kind: 'match',
      ...(run.committed === null ? { note: 'a real broker\'s ZooKeeper is not reached by this run (no ZooKeeper address); the lesson calls no commit() on either' } : {}),
    },
  ];
}

/**
 * The lesson on real brokers: the same clients and steps on the wall clock. The topic may hold
 * messages from earlier runs, so the claims are about this run's messages, at the offsets the
 * broker acknowledged.
 */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. The cluster');
  const admin = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-01' });
  // kafka-python's ensure_topic_exists: a broker that creates topics on first use does it on this metadata request.
  await admin.ensureTopicExists(TOPIC, 30_000);
  const metadata = await admin.sendMetadataRequest([TOPIC]);
  admin.close();
  const topic = metadata.topics.find((t) => t.topic === TOPIC)!;
  const partitions = topic.partitions.length;
  run.say(
    `The brokers at ${bootstrapServers} name ${metadata.brokers.length} broker(s); the topic ${TOPIC} has ${partitions} partition(s)` +
      `${partitions === PARTITIONS ? '' : ` (the simulator's has ${PARTITIONS}: the broker chose the count when it created the topic)`}.\n` +
      'Every partition has a leader: the one broker that answers fetches for it. A partition consumer must find it.',
  );
  run.table(
    ['partition', 'leader', 'replicas', 'isr'],
    [...topic.partitions].sort((a, b) => a.partition - b.partition).map((p) => [`${TOPIC}-${p.partition}`, p.leader, p.replicas.join(','), p.isr.join(',')]),
  );
  run.skipped('the narration of the brokers and the controller', "a real broker's inside is not visible to a client; what its answers say is shown instead");

  run.heading(`2. A producer writes ${FIRST_BATCH} messages`);
  const produce = async (count: number, key: (i: number) => string, value: (i: number) => string, sentMs?: number[]) => {
    const producer = new Producer(runtime, { 'metadata.broker.list': bootstrapServers, 'request.required.acks': -1 });
    try {
      for (let i = 0; i < count; i++) {
        sentMs?.push(runtime.nowMs());
        await producer.send(keyedMessage(TOPIC, key(i), value(i)));
      }
    } finally {
      await producer.close();
    }
    return producer.ledger;
  };
  const ledger = await produce(FIRST_BATCH, (i) => `key-${i}`, (i) => `test ${i}`);
  const firstWritten = writtenByPartition([ledger], partitions);
  run.say(`The default partitioner sends each key to abs(hash(key)) % ${partitions}; the broker acknowledged them at:`);
  run.table(
    ['partition', 'messages', 'offsets', 'values'],
    firstWritten.map((messages, p) => [`${TOPIC}-${p}`, messages.length, messages.map((m) => m.offset).join(', '), messages.map((m) => m.value).join(', ')]),
  );

  run.heading(`3. ${partitions === PARTITIONS ? 'Three' : partitions} consumer threads, one per partition`);
  run.say(
    'The same threads as on the simulator: KafkaClient, SimpleConsumer(..., partitions=[i]), seek(0, 0), then\n' +
      `get_message(True, ${BROKER_GET_MESSAGE_TIMEOUT_MS / 1000}) in a loop. seek(0, 0) starts at the earliest offset the broker has, so a topic\n` +
      'that already held messages is printed from its start too; the claims are about this run\'s messages.',
  );
  const threads: ThreadLog[] = [];
  let failure: unknown;
  let ended = 0;
  const tasks = Array.from({ length: partitions }, (_, partition) => {
    const log: ThreadLog = { partition, received: [], lastOffset: undefined, noneAtMs: undefined, lastMessageAtMs: undefined };
    threads.push(log);
    return consumerThread(run, runtime, bootstrapServers, log, BROKER_GET_MESSAGE_TIMEOUT_MS)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => ended++);
  });
  const readUpTo = (written: ReturnType<typeof writtenByPartition>) => () => {
    if (failure !== undefined) throw failure;
    return threads.every((t, p) => (written[p] ?? []).every((m) => t.received.some((r) => r.offset >= m.offset)));
  };
  await waitUntil(runtime, readUpTo(firstWritten), 'the consumers to read the first batch');
  const firstBatchDoneMs = runtime.nowMs();
  run.claim(
    "each thread read exactly its own partition, in offset order, and this run's messages at the offsets the broker acknowledged",
    readAsWritten(threads, firstWritten).inOrder && readAsWritten(threads, firstWritten).exactlyOnce,
  );

  run.heading('4. More messages while the threads wait');
  run.say('The threads are blocked in get_message, their fetches waiting at the leaders (max_wait).');
  const lateSentMs: number[] = [];
  const lateLedger = await produce(LATE_MESSAGES, (i) => `late-${i}`, (i) => `late ${i}`, lateSentMs);
  const allWritten = writtenByPartition([ledger, lateLedger], partitions);
  const lateRead = readUpTo(allWritten);
  await waitUntil(runtime, () => lateRead() || ended === partitions, 'the consumers to read the late messages');
  run.claim(
    'the late messages reached their threads while those waited in get_message',
    lateRead(),
    "every thread's get_message gave up first: the broker held the empty fetches for their whole max wait without waking them for the new messages (librdkafka's mock cluster does that; Kafka answers as soon as a message arrives)",
  );
  const lateDelayMs = runtime.nowMs() - lateSentMs[0]!;
  run.say(`The late messages were printed ${formatMs(lateDelayMs)} after the first was sent.`);
  run.skipped(
    'the claim that they arrived within a second',
    'on a real broker the delay depends on the network, the broker\'s load and its fetch wait; the simulator checks it in virtual time',
  );

  run.heading(`5. ${BROKER_GET_MESSAGE_TIMEOUT_MS / 1000} seconds of silence`);
  run.say(
    `Nothing more is written. On a real broker the silence is real time, so the threads use get_message(True, ${BROKER_GET_MESSAGE_TIMEOUT_MS / 1000})\n` +
      'instead of the article\'s 60 s: it gives up and returns None.',
  );
  await Promise.all(tasks);
  if (failure !== undefined) throw failure;
  for (const t of [...threads].sort((a, b) => a.noneAtMs! - b.noneAtMs!)) run.say(`  [${formatMs(t.noneAtMs!)}] Consumer-${t.partition}: get_message returned None; last offset ${t.lastOffset ?? 'none'}`);
  run.claim(
    `get_message returned None ${BROKER_GET_MESSAGE_TIMEOUT_MS / 1000} s after each thread's last message, not before`,
    threads.every((t) => t.noneAtMs !== undefined && t.noneAtMs - (t.lastMessageAtMs ?? firstBatchDoneMs) >= BROKER_GET_MESSAGE_TIMEOUT_MS),
  );

  run.heading('6. What was committed');
  run.skipped(
    `the claim that nothing was committed to ZooKeeper (/consumers/${GROUP}/offsets/${TOPIC})`,
    "this run has no ZooKeeper address and a client of a real broker does not read ZooKeeper; auto_commit=False and no commit() call, as on the simulator",
  );

  const read = readAsWritten(threads, allWritten);
  const written = allWritten.reduce((sum, m) => sum + m.length, 0);
  run.claim('every message written in this run was printed exactly once', read.exactlyOnce && read.consumed === FIRST_BATCH + LATE_MESSAGES && written === FIRST_BATCH + LATE_MESSAGES);
  run.recordFacts(facts({ partitions, ledgers: [ledger, lateLedger], threads, lateDelayMs, timeoutMs: BROKER_GET_MESSAGE_TIMEOUT_MS, committed: null }));
  run.whatYouSaw([
    `${written} messages written to ${partitions} partitions on a real broker (${allWritten.map((m) => m.length).join(' / ')}), each printed once by the thread of its partition.`,
    'The same client code as on the simulator: KafkaClient, SimpleConsumer with partitions=[i], seek(0, 0), get_message.',
    `A message written while the threads waited was printed ${formatMs(lateDelayMs)} after it was sent (wall clock).`,
    `After ${BROKER_GET_MESSAGE_TIMEOUT_MS / 1000} s of silence get_message returned None (the article's code would crash there).`,
    `Skipped here: ${run.skips.length} check(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}
