/**
 * Lesson 01: the partition consumption model, as the article's Python example does it.
 *
 * Three consumer threads, one per partition of `jiketest`, each with its own `KafkaClient` and a
 * kafka-python `SimpleConsumer(client, "test-group", "jiketest", auto_commit=False,
 * partitions=[i])` (`PartitionConsumer` here), `seek(0, 0)`, then `get_message(True, 60)` in a
 * loop, remembering the offset of the last message. Nothing is committed.
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { KafkaClient } from '../src/client/kafka-client.ts';
import { PartitionConsumer } from '../src/client/partition-consumer.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { showCluster, startCluster } from './lib/cluster.ts';
import { narratedRuntime } from './lib/requests.ts';
import { isMainModule, lessonMain, type Lesson } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const GROUP = 'test-group';
const PARTITIONS = 3;
const FIRST_BATCH = 12;
const LATE_MESSAGES = 3;
const GET_MESSAGE_TIMEOUT_MS = 60_000;

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
  async run(run) {
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
      return app.run(`Consumer-${partition}`, async (appRuntime) => {
        const runtime = narratedRuntime(run, appRuntime, `Consumer-${partition}`);
        const client = await KafkaClient.create(runtime, sim.bootstrapServers);
        const consumer = await PartitionConsumer.create(runtime, client, { group: GROUP, topic: TOPIC, autoCommit: false, partitions: [partition] });
        await consumer.seek(0, 0);
        for (;;) {
          const message = await consumer.getMessage({ block: true, timeoutMs: GET_MESSAGE_TIMEOUT_MS });
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
      });
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
