/**
 * Lesson 03: the group consumption model, as the article's Java GroupConsumerTest does it.
 *
 * `ConsumerConnector` with the article's properties (`zookeeper.connect`, `group.id`,
 * `zookeeper.session.timeout.ms=40000`, `zookeeper.sync.time.ms=2000`,
 * `auto.commit.interval.ms=1000`), `createMessageStreams({jiketest: N})`, one ConsumerTest task
 * per KafkaStream printing "Thread n: <message>", `shutdown()`. Run with N = partitions, N <
 * partitions and N > partitions; offsets are committed to ZooKeeper automatically; where a new
 * group starts is `auto.offset.reset` (largest, the default, or smallest).
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { ConsumerConfigInput } from '../src/client/group/config.ts';
import { formatMs } from '../src/sim/index.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { showGroup, startCluster } from './lib/cluster.ts';
import { GroupConsumerApp, ZOOKEEPER_CONNECT, type Delivery } from './lib/group-consumer-app.ts';
import { committedOffset, groupMembers, partitionOwners, znodeData } from './lib/group-znodes.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const GROUP = 'jikegrouptest';
const FROM_START_GROUP = 'jikegrouptest-replay';
const PARTITIONS = 3;

/** The article's `createConsumerConfig(a_zookeeper, a_groupId)`, as the strings Java's Properties holds. */
function articleProperties(groupId: string): ConsumerConfigInput {
  return {
    'zookeeper.connect': ZOOKEEPER_CONNECT,
    'group.id': groupId,
    'zookeeper.session.timeout.ms': '40000',
    'zookeeper.sync.time.ms': '2000',
    'auto.commit.interval.ms': '1000',
  };
}

/**
 * The article's SyncProduce, shortened: messages m<from>..m<to-1>, each keyed by the IP
 * "192.168.2.<i>", so its SimplePartitioner sends m<i> to partition i % 3.
 */
async function produce(sim: Simulation, app: ClientProcess, from: number, to: number): Promise<void> {
  const task = app.run(`SyncProduce m${from}..m${to - 1}`, async (runtime) => {
    const producer = new Producer(runtime, {
      'metadata.broker.list': sim.bootstrapServers,
      'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
      'request.required.acks': '1',
    });
    for (let i = from; i < to; i++) await producer.send(keyedMessage(TOPIC, `192.168.2.${i}`, `m${i}`));
    await producer.close();
  });
  await sim.runUntil(() => task.settled, { description: 'the producer' });
  task.result();
}

/** Runs until every partition the app owns has a position (its first fetch has reset -1 if needed). */
async function untilPositioned(sim: Simulation, app: GroupConsumerApp): Promise<void> {
  await sim.runUntil(() => app.started && app.connector.owned().every((p) => p.consumedOffset >= 0), { description: `${app.name} to be positioned` });
}

/** One row per ConsumerTest thread: its stream's thread id, what it owns, what it printed. */
function showThreads(run: LessonRun, app: GroupConsumerApp): void {
  const owned = app.connector.owned();
  run.table(
    ['thread', 'stream (consumer thread id)', 'owns', 'printed'],
    app.threads.map((_, n) => {
      const threadId = `${app.consumerId}-${n}`;
      const mine = owned.filter((p) => p.threadId === threadId).map((p) => `${p.topic}-${p.partition}`);
      const printed = app.deliveriesOf(n).map((d) => d.value);
      return [n, threadId, mine.length === 0 ? '(nothing)' : mine.join(', '), printed.length === 0 ? '(nothing)' : printed.join(', ')];
    }),
  );
}

/** Each thread printed only messages of the partitions its stream owns; no message was printed twice. */
function threadsMatchOwnership(app: GroupConsumerApp, owned: ReturnType<GroupConsumerApp['connector']['owned']>): boolean {
  return app.deliveries.every((d) => owned.some((p) => p.partition === d.partition && p.threadId === d.threadId));
}

export const lesson: Lesson = {
  id: '03',
  title: 'The group consumer',
  summary: "The article's Java GroupConsumerTest: N streams for N partitions, fewer, more; offsets auto-committed to ZooKeeper; auto.offset.reset.",
  defaultSeed: 3,
  async run(run) {
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['consumer.registered', 'consumer.rebalance.completed', 'consumer.offset-reset', 'consumer.shutdown', 'consumer.rebalance.conflict'],
    });
    const producerApp = ClientProcess.on(sim, 'producer-app');
    const consumerApp = ClientProcess.on(sim, 'consumer-app');
    const everyone: Delivery[] = [];
    const print = (d: Delivery) => run.say(`  [${formatMs(d.atMs)}] Thread ${d.thread}: ${d.value}   (${d.topic}-${d.partition}, offset ${d.offset})`);
    const printEnd = (n: number, printed: number, atMs: number) => run.say(`  [${formatMs(atMs)}] Shutting down Thread: ${n}   (it printed ${printed})`);

    run.heading('1. Six messages before any consumer exists');
    await produce(sim, producerApp, 1, 7);
    run.say(
      `The article's producer keys each message by an IP address; its SimplePartitioner sends "192.168.2.i"\n` +
        `to partition i % ${PARTITIONS}. So m1..m6 are in the log now, two per partition:`,
    );
    run.table(
      ['partition', 'messages', 'log end offset'],
      Array.from({ length: PARTITIONS }, (_, p) => [`${TOPIC}-${p}`, [1, 2, 3, 4, 5, 6].filter((i) => i % PARTITIONS === p).map((i) => `m${i}`).join(', '), sim.replica(sim.leaderOf(TOPIC, p)!, TOPIC, p)!.log.logEndOffset]),
    );

    run.heading('2. GroupConsumerTest with 3 streams for 3 partitions');
    run.say(
      'The article builds a ConsumerConnector from these properties, asks createMessageStreams({jiketest: 3})\n' +
        'for three KafkaStreams and gives each to a thread that prints "Thread n: <message>":\n' +
        Object.entries(articleProperties(GROUP))
          .map(([k, v]) => `  ${k}=${v}`)
          .join('\n') +
        '\nThe connector registers in ZooKeeper, runs the range assignment and owns each partition through one\n' +
        'of its streams (thread ids "<consumerId>-0", "-1", "-2"). The consumer id is group_host-time-random.',
    );
    const first = new GroupConsumerApp(sim, consumerApp, 'GroupConsumerTest', articleProperties(GROUP), { [TOPIC]: 3 }, { onMessage: print, onThreadEnd: printEnd });
    await untilPositioned(sim, first);
    const firstOwned = first.connector.owned();
    run.say(
      'No offset is committed yet for this group, so each partition starts at -1; the first fetch gets\n' +
        'OffsetOutOfRange and auto.offset.reset decides. The article does not set it: the default is\n' +
        '"largest", the end of the log. The six messages already there are skipped.',
    );
    run.say('Six more messages, m7..m12, are written now:');
    await produce(sim, producerApp, 7, 13);
    await sim.runUntil(() => first.deliveries.length >= 6, { description: 'the six new messages' });
    const printedMs = sim.kernel.nowMs;
    await sim.runFor(1_500);
    everyone.push(...first.deliveries);
    const commits = sim.kernel.trace.records.filter((r) => r.kind === 'consumer.committed' && r.data.consumer === first.consumerId && r.timeMs >= printedMs);
    run.say("Within the next second the connector's auto-commit (every auto.commit.interval.ms = 1000 ms) wrote:");
    for (const c of commits) run.say(`  [${formatMs(c.timeMs)}] offset ${String(c.data.offset)} of ${String(c.data.partition)} to /consumers/${GROUP}/offsets/${TOPIC}/${String(c.data.partition).slice(TOPIC.length + 1)}`);
    showThreads(run, first);
    run.claim(
      'each of the 3 streams owns exactly one partition',
      firstOwned.length === PARTITIONS && new Set(firstOwned.map((p) => p.threadId)).size === PARTITIONS,
    );
    run.claim('each thread printed only messages of the partition its stream owns', threadsMatchOwnership(first, firstOwned));
    run.claim(
      'with auto.offset.reset=largest the six older messages were skipped and the six new ones printed once',
      first.deliveries.map((d) => d.value).sort().join() === ['m10', 'm11', 'm12', 'm7', 'm8', 'm9'].join(),
    );

    run.heading('3. What ZooKeeper holds for the group');
    const memberId = groupMembers(sim, GROUP)[0]!;
    run.say(
      'Every auto.commit.interval.ms (1 s) the connector writes each owned partition\'s position (the next\n' +
        `offset to hand out) to /consumers/${GROUP}/offsets/${TOPIC}/<partition>. Beside it, the ephemeral\n` +
        `registration /consumers/${GROUP}/ids/<consumerId> and the ephemeral owner znodes /owners/${TOPIC}/<partition>:`,
    );
    run.say(`  /consumers/${GROUP}/ids/${memberId} = ${znodeData(sim, `/consumers/${GROUP}/ids/${memberId}`)}`);
    showGroup(run, sim, GROUP);
    const logEnds = Array.from({ length: PARTITIONS }, (_, p) => sim.replica(sim.leaderOf(TOPIC, p)!, TOPIC, p)!.highWatermark);
    const owners = partitionOwners(sim, GROUP, TOPIC);
    run.claim(
      'the owner znodes name the stream that owns each partition',
      firstOwned.every((p) => owners.get(p.partition) === p.threadId),
    );
    run.claim(
      'the committed offset of every partition is its log end, written by an auto-commit within 1 s of the printing',
      logEnds.every((end, p) => committedOffset(sim, GROUP, TOPIC, p) === end) && commits.length === PARTITIONS && commits.every((c) => c.timeMs - printedMs <= 1_000),
      `committed ${logEnds.map((_, p) => committedOffset(sim, GROUP, TOPIC, p)).join(', ')}, log ends ${logEnds.join(', ')}`,
    );
    run.say(
      'shutdown(): the connector stops fetching, ends every stream (each thread leaves its while loop),\n' +
        'commits once more and closes its ZooKeeper session.',
    );
    await first.shutdown();
    const threadsEnded = first.threads.every((t) => t.result() >= 0);
    run.say('The ephemeral ids and owners znodes vanished with the session; the persistent offsets stay:');
    showGroup(run, sim, GROUP);
    run.claim(
      'after shutdown the group has no member and no owner, and keeps its offsets',
      threadsEnded && groupMembers(sim, GROUP).length === 0 && partitionOwners(sim, GROUP, TOPIC).size === 0 && logEnds.every((end, p) => committedOffset(sim, GROUP, TOPIC, p) === end),
    );

    run.heading('4. Restarted with 2 streams: fewer streams than partitions');
    await produce(sim, producerApp, 13, 16);
    run.say('m13..m15 are written while no consumer runs. GroupConsumerTest starts again, same group, N = 2:');
    const second = new GroupConsumerApp(sim, consumerApp, 'GroupConsumerTest', articleProperties(GROUP), { [TOPIC]: 2 }, { onMessage: print });
    await sim.runUntil(() => second.deliveries.length >= 3, { description: 'm13..m15' });
    await sim.runFor(1_500);
    const secondOwned = second.connector.owned();
    showThreads(run, second);
    run.say('Range gives 3 partitions to 2 threads: 3 / 2 = 1 each, and the first thread one more.');
    run.claim(
      'thread 0 owns two partitions and thread 1 one',
      [0, 1].map((n) => secondOwned.filter((p) => p.threadId === `${second.consumerId}-${n}`).length).join() === '2,1',
    );
    run.claim(
      'the group resumed at its committed offsets: exactly m13..m15, nothing printed a second time',
      second.deliveries.map((d) => d.value).sort().join() === 'm13,m14,m15' && threadsMatchOwnership(second, secondOwned),
    );
    everyone.push(...second.deliveries);
    await second.shutdown();

    run.heading('5. Restarted with 4 streams: more streams than partitions');
    const third = new GroupConsumerApp(sim, consumerApp, 'GroupConsumerTest', articleProperties(GROUP), { [TOPIC]: 4 }, { onMessage: print, onThreadEnd: printEnd });
    await untilPositioned(sim, third);
    await produce(sim, producerApp, 16, 22);
    await sim.runUntil(() => third.deliveries.length >= 6, { description: 'm16..m21' });
    await sim.runFor(10_000);
    const thirdOwned = third.connector.owned();
    run.say('m16..m21 were written; ten seconds later:');
    showThreads(run, third);
    run.say(
      'Range gives 3 / 4 = 0 each and the first 3 % 4 = 3 threads one: thread 3 gets nothing (Kafka logs\n' +
        '"No broker partitions consumed by consumer thread"). Its thread waits on an empty stream until\n' +
        'shutdown ends it. A stream beyond the partition count is only a spare for a later rebalance.',
    );
    run.say('shutdown():');
    await third.shutdown();
    const idleThreads = third.threads.map((t, n) => ({ n, printed: t.result() })).filter((t) => !thirdOwned.some((p) => p.threadId === `${third.consumerId}-${t.n}`));
    run.claim(
      'exactly one stream (thread 3) owned nothing and printed nothing until shutdown',
      idleThreads.length === 1 && idleThreads[0]!.n === 3 && idleThreads[0]!.printed === 0 && third.deliveries.length === 6,
    );
    everyone.push(...third.deliveries);

    run.heading('6. auto.offset.reset=smallest: a new group reads from the start');
    run.say(
      `The article's pseudocode says whether to start from the earliest or the latest offset is a setting.\n` +
        `A new group, ${FROM_START_GROUP}, with the article's properties plus auto.offset.reset=smallest:`,
    );
    const replay = new GroupConsumerApp(sim, consumerApp, 'replay', { ...articleProperties(FROM_START_GROUP), 'auto.offset.reset': 'smallest' }, { [TOPIC]: 3 });
    const total = 21;
    await sim.runUntil(() => replay.deliveries.length >= total, { description: 'the replay group to read everything' });
    await sim.runFor(1_500);
    await replay.shutdown();
    run.say(`It printed all ${replay.deliveries.length} messages, m1..m21, from offset 0 of every partition (output not repeated here).`);
    run.claim(
      `the smallest group printed every message once, from offset 0`,
      replay.deliveries.length === total && new Set(replay.deliveries.map((d) => d.value)).size === total && Array.from({ length: PARTITIONS }, (_, p) => replay.deliveries.find((d) => d.partition === p)?.offset).every((o) => o === 0),
    );
    run.claim(
      `across its three runs, ${GROUP} printed every message written after it first joined exactly once`,
      everyone.length === total - 6 && new Set(everyone.map((d) => d.value)).size === total - 6,
    );

    run.whatYouSaw([
      `3 streams for 3 partitions: one partition each; the 6 messages written before the group existed were skipped (largest).`,
      `Offsets committed every second to /consumers/${GROUP}/offsets/${TOPIC}/0..2 = ${logEnds.join(', ')}; ids and owners are ephemeral and vanished at shutdown.`,
      `2 streams: thread 0 took two partitions; the restarted group resumed at its offsets and printed m13..m15 once.`,
      `4 streams: thread 3 owned nothing and printed nothing in ${formatMs(third.threads[3]!.settledAtMs! - third.main.settledAtMs!)}.`,
      `auto.offset.reset=smallest: a new group printed all ${total} messages from offset 0.`,
    ]);
  },
};

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
