/**
 * Lesson 03: the group consumption model, as the article's Java GroupConsumerTest does it.
 *
 * `ConsumerConnector` with the article's properties (`zookeeper.connect`, `group.id`,
 * `zookeeper.session.timeout.ms=40000`, `zookeeper.sync.time.ms=2000`,
 * `auto.commit.interval.ms=1000`), `createMessageStreams({jiketest: N})`, one ConsumerTest task
 * per KafkaStream printing "Thread n: <message>", `shutdown()`. Run with N = partitions, N <
 * partitions and N > partitions; offsets are committed to ZooKeeper automatically; where a new
 * group starts is `auto.offset.reset` (largest, the default, or smallest).
 *
 * With --broker the same app runs with the connector in coordinator mode (`group.coordination:
 * 'coordinator'`): the broker's group coordinator keeps the membership and the committed offsets
 * (read back with OffsetFetch); ZooKeeper's znodes and the trace's commit times are skipped. The
 * group ids are the first of jikegrouptest, jikegrouptest-2, ... without committed offsets, so a
 * rerun starts as a new group as the story needs.
 */
import { ClientProcess } from '../src/client/client-process.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { ConsumerConfigInput } from '../src/client/group/config.ts';
import type { Runtime } from '../src/client/runtime.ts';
import { formatMs } from '../src/sim/index.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { brokerPartitionCounts } from './lib/broker-topics.ts';
import { showGroup, startCluster } from './lib/cluster.ts';
import { coordinatorOffsets, unusedGroup } from './lib/coordinator-offsets.ts';
import type { Fact } from './lib/facts.ts';
import { GroupConsumerApp, ZOOKEEPER_CONNECT, type AppProcess, type Delivery, type GroupConsumerAppOptions } from './lib/group-consumer-app.ts';
import { committedOffset, groupMembers, partitionOwners, znodeData } from './lib/group-znodes.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { RealProcess } from './lib/real-process.ts';

const TOPIC = 'jiketest';
const BASE_GROUP = 'jikegrouptest';
const BASE_FROM_START_GROUP = 'jikegrouptest-replay';
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
async function produce(runtime: Runtime, bootstrapServers: string, from: number, to: number): Promise<ProducerLedger> {
  const producer = new Producer(runtime, {
    'metadata.broker.list': bootstrapServers,
    'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
    'request.required.acks': '1',
  });
  for (let i = from; i < to; i++) await producer.send(keyedMessage(TOPIC, `192.168.2.${i}`, `m${i}`));
  await producer.close();
  return producer.ledger;
}

/**
 * Where the lesson runs: the simulation (ZooKeeper and the brokers' logs visible) or a real
 * broker (what a client sees: acknowledged offsets, the coordinator's committed offsets).
 */
interface Stage {
  readonly onBroker: boolean;
  readonly partitions: number;
  /** SyncProduce m<from>..m<to-1>. */
  produce(from: number, to: number): Promise<ProducerLedger>;
  /** GroupConsumerTest with `streams` streams in `group` (`extra` properties added). */
  consumer(name: string, group: string, streams: number, extra: Partial<ConsumerConfigInput>, options?: GroupConsumerAppOptions): GroupConsumerApp;
  until(condition: () => boolean, description: string): Promise<void>;
  pause(ms: number): Promise<void>;
  nowMs(): number;
  /** The end of partition `p`'s log (the next offset to be written). */
  logEndOffset(p: number): number;
  /** The last offset of partition `p` the consumers may read, plus one. */
  highWatermark(p: number): number;
  /** What `group` has committed for each partition (undefined: none). */
  committed(group: string): Promise<Array<number | undefined>>;
}

function simulatorStage(sim: Simulation): Stage {
  const producerApp = ClientProcess.on(sim, 'producer-app');
  const consumerApp = ClientProcess.on(sim, 'consumer-app');
  const until = (condition: () => boolean, description: string) => sim.runUntil(condition, { description });
  return {
    onBroker: false,
    partitions: PARTITIONS,
    async produce(from, to) {
      const task = producerApp.run(`SyncProduce m${from}..m${to - 1}`, (runtime) => produce(runtime, sim.bootstrapServers, from, to));
      await until(() => task.settled, 'the producer');
      return task.result();
    },
    consumer: (name, group, streams, extra, options) => new GroupConsumerApp(sim, consumerApp, name, { ...articleProperties(group), ...extra }, { [TOPIC]: streams }, options),
    until,
    pause: (ms) => sim.runFor(ms),
    nowMs: () => sim.kernel.nowMs,
    logEndOffset: (p) => sim.replica(sim.leaderOf(TOPIC, p)!, TOPIC, p)!.log.logEndOffset,
    highWatermark: (p) => sim.replica(sim.leaderOf(TOPIC, p)!, TOPIC, p)!.highWatermark,
    committed: (group) => Promise.resolve(Array.from({ length: PARTITIONS }, (_, p) => committedOffset(sim, group, TOPIC, p))),
  };
}

/** On a broker the members heartbeat this often, so that a rebalance reaches them quickly. */
const BROKER_HEARTBEAT_MS = 500;

function brokerStage(runtime: Runtime, bootstrapServers: string, partitions: number): Stage {
  const ledgers: ProducerLedger[] = [];
  let machines = 0;
  return {
    onBroker: true,
    partitions,
    async produce(from, to) {
      const ledger = await produce(runtime, bootstrapServers, from, to);
      ledgers.push(ledger);
      return ledger;
    },
    consumer: (name, group, streams, extra, options) => {
      const app: AppProcess = new RealProcess(runtime, `consumer-app-${++machines}`);
      const properties: ConsumerConfigInput = {
        'group.id': group,
        'group.coordination': 'coordinator',
        'bootstrap.servers': bootstrapServers,
        'auto.commit.interval.ms': '1000',
        'heartbeat.interval.ms': BROKER_HEARTBEAT_MS,
        'session.timeout.ms': 6_000,
        ...extra,
      };
      return new GroupConsumerApp(runtime, app, name, properties, { [TOPIC]: streams }, options);
    },
    until: (condition, description) => waitUntil(runtime, condition, description),
    pause: (ms) => runtime.sleep(ms),
    nowMs: () => runtime.nowMs(),
    // This run wrote the last messages: the log ends after the last offset the broker acknowledged.
    logEndOffset: (p) => 1 + Math.max(-1, ...ledgers.flatMap((l) => l.entries).filter((e) => e.fate === 'acknowledged' && e.partition === p).map((e) => e.offset!)),
    highWatermark(p) {
      return this.logEndOffset(p);
    },
    committed: async (group) => (await coordinatorOffsets(runtime, bootstrapServers, group, TOPIC, partitions)).map((o) => (o < 0 ? undefined : o)),
  };
}

/** Runs until every partition the app owns has a position (its first fetch has reset -1 if needed). */
async function untilPositioned(stage: Stage, app: GroupConsumerApp): Promise<void> {
  await stage.until(() => app.started && app.connector.owned().every((p) => p.consumedOffset >= 0), `${app.name} to be positioned`);
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
  brokerSupport:
    "every step runs, the connector in coordinator mode (the broker's group coordinator keeps the group and its offsets, read back with OffsetFetch); the ZooKeeper znodes, the commit times from the trace and the owner claims are skipped",
  async run(run) {
    let stage: Stage;
    let sim: Simulation | undefined;
    let GROUP = BASE_GROUP;
    let FROM_START_GROUP = BASE_FROM_START_GROUP;
    if (run.backend.kind === 'broker') {
      ({ stage, group: GROUP, fromStartGroup: FROM_START_GROUP } = await brokerSetup(run, run.backend));
    } else {
      sim = await startCluster(run, {
        brokers: 3,
        topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
        narrate: ['consumer.registered', 'consumer.rebalance.completed', 'consumer.offset-reset', 'consumer.shutdown', 'consumer.rebalance.conflict'],
      });
      stage = simulatorStage(sim);
    }
    const partitions = stage.partitions;
    const onBroker = stage.onBroker;
    const ledgers: ProducerLedger[] = [];
    const everyone: Delivery[] = [];
    const print = (d: Delivery) => run.say(`  [${formatMs(d.atMs)}] Thread ${d.thread}: ${d.value}   (${d.topic}-${d.partition}, offset ${d.offset})`);
    const printEnd = (n: number, printed: number, atMs: number) => run.say(`  [${formatMs(atMs)}] Shutting down Thread: ${n}   (it printed ${printed})`);
    const consumer = (name: string, group: string, streams: number, options?: GroupConsumerAppOptions, extra: Partial<ConsumerConfigInput> = {}) => stage.consumer(name, group, streams, extra, options);

    run.heading('1. Six messages before any consumer exists');
    ledgers.push(await stage.produce(1, 7));
    run.say(
      `The article's producer keys each message by an IP address; its SimplePartitioner sends "192.168.2.i"\n` +
        `to partition i % ${partitions}. So m1..m6 are in the log now, ${partitions === PARTITIONS ? 'two per partition' : 'by partition'}:`,
    );
    run.table(
      ['partition', 'messages', 'log end offset'],
      Array.from({ length: partitions }, (_, p) => [`${TOPIC}-${p}`, [1, 2, 3, 4, 5, 6].filter((i) => i % partitions === p).map((i) => `m${i}`).join(', '), stage.logEndOffset(p)]),
    );

    run.heading('2. GroupConsumerTest with 3 streams for 3 partitions');
    run.say(
      'The article builds a ConsumerConnector from these properties, asks createMessageStreams({jiketest: 3})\n' +
        'for three KafkaStreams and gives each to a thread that prints "Thread n: <message>":\n' +
        Object.entries(articleProperties(GROUP))
          .map(([k, v]) => `  ${k}=${v}`)
          .join('\n') +
        (onBroker
          ? '\nOn a broker the connector runs in coordinator mode instead (group.coordination=coordinator,\n' +
            'bootstrap.servers; the zookeeper.* keys are not used): it joins the group at the broker\'s group\n' +
            'coordinator, the group\'s leader runs the range assignment, and each partition is owned through one\n' +
            'of its streams (thread ids "<consumerId>-0", "-1", "-2"). The consumer id is group_host-time-random.'
          : '\nThe connector registers in ZooKeeper, runs the range assignment and owns each partition through one\n' +
            'of its streams (thread ids "<consumerId>-0", "-1", "-2"). The consumer id is group_host-time-random.'),
    );
    const first = consumer('GroupConsumerTest', GROUP, 3, { onMessage: print, onThreadEnd: printEnd });
    await untilPositioned(stage, first);
    const firstOwned = first.connector.owned();
    run.say(
      'No offset is committed yet for this group, so each partition starts at -1; the first fetch gets\n' +
        'OffsetOutOfRange and auto.offset.reset decides. The article does not set it: the default is\n' +
        '"largest", the end of the log. The six messages already there are skipped.',
    );
    run.say('Six more messages, m7..m12, are written now:');
    ledgers.push(await stage.produce(7, 13));
    await stage.until(() => first.deliveries.length >= 6, 'the six new messages');
    const printedMs = stage.nowMs();
    await stage.pause(1_500);
    everyone.push(...first.deliveries);
    if (sim === undefined) {
      run.skipped('the times of the auto-commits', 'they come from the trace, which a real broker does not give; the committed offsets are read back from the coordinator below');
    } else {
      const commits = sim.kernel.trace.records.filter((r) => r.kind === 'consumer.committed' && r.data.consumer === first.consumerId && r.timeMs >= printedMs);
      run.say("Within the next second the connector's auto-commit (every auto.commit.interval.ms = 1000 ms) wrote:");
      for (const c of commits) run.say(`  [${formatMs(c.timeMs)}] offset ${String(c.data.offset)} of ${String(c.data.partition)} to /consumers/${GROUP}/offsets/${TOPIC}/${String(c.data.partition).slice(TOPIC.length + 1)}`);
    }
    showThreads(run, first);
    const firstCounts = ownedPerStream(first, 3);
    run.claim(
      partitions === PARTITIONS ? 'each of the 3 streams owns exactly one partition' : `the 3 streams own ${firstCounts.join(', ')} of the ${partitions} partitions, as range gives them`,
      firstOwned.length === partitions && firstCounts.join() === rangeCounts(partitions, 3).join(),
    );
    run.claim('each thread printed only messages of the partition its stream owns', threadsMatchOwnership(first, firstOwned));
    run.claim(
      'with auto.offset.reset=largest the six older messages were skipped and the six new ones printed once',
      first.deliveries.map((d) => d.value).sort().join() === ['m10', 'm11', 'm12', 'm7', 'm8', 'm9'].join(),
    );

    run.heading(onBroker ? '3. What the group coordinator holds for the group' : '3. What ZooKeeper holds for the group');
    const logEnds = Array.from({ length: partitions }, (_, p) => stage.highWatermark(p));
    let committedNow: Array<number | undefined>;
    if (sim === undefined) {
      committedNow = await stage.committed(GROUP);
      run.say(
        `Every auto.commit.interval.ms (1 s) the connector commits each owned partition's position (the next\n` +
          'offset to hand out) to the group coordinator (OffsetCommit); any client can read it back (OffsetFetch):',
      );
      run.table(
        ['partition', 'owner (thread)', 'committed offset', 'log end'],
        Array.from({ length: partitions }, (_, p) => [`${TOPIC}-${p}`, firstOwned.find((o) => o.partition === p)?.threadId ?? '(none)', committedNow[p] ?? '(none)', logEnds[p]!]),
      );
      run.skipped(
        `the ephemeral registration and owner znodes of the group (/consumers/${GROUP}/ids, /owners) and the claims about them`,
        'in coordinator mode the group lives in the broker\'s group coordinator, not in ZooKeeper, and this run has no ZooKeeper address',
      );
      run.claim(
        'the committed offset of every partition is its log end',
        logEnds.every((end, p) => committedNow[p] === end),
        `committed ${committedNow.map((o) => o ?? 'none').join(', ')}, log ends ${logEnds.join(', ')}`,
      );
      run.say('shutdown(): the connector stops fetching, ends every stream (each thread leaves its while loop),\ncommits once more and leaves the group (LeaveGroup).');
    } else {
      const commits = sim.kernel.trace.records.filter((r) => r.kind === 'consumer.committed' && r.data.consumer === first.consumerId && r.timeMs >= printedMs);
      const memberId = groupMembers(sim, GROUP)[0]!;
      run.say(
        'Every auto.commit.interval.ms (1 s) the connector writes each owned partition\'s position (the next\n' +
          `offset to hand out) to /consumers/${GROUP}/offsets/${TOPIC}/<partition>. Beside it, the ephemeral\n` +
          `registration /consumers/${GROUP}/ids/<consumerId> and the ephemeral owner znodes /owners/${TOPIC}/<partition>:`,
      );
      run.say(`  /consumers/${GROUP}/ids/${memberId} = ${znodeData(sim, `/consumers/${GROUP}/ids/${memberId}`)}`);
      showGroup(run, sim, GROUP);
      const owners = partitionOwners(sim, GROUP, TOPIC);
      run.claim(
        'the owner znodes name the stream that owns each partition',
        firstOwned.every((p) => owners.get(p.partition) === p.threadId),
      );
      committedNow = await stage.committed(GROUP);
      run.claim(
        'the committed offset of every partition is its log end, written by an auto-commit within 1 s of the printing',
        logEnds.every((end, p) => committedNow[p] === end) && commits.length === PARTITIONS && commits.every((c) => c.timeMs - printedMs <= 1_000),
        `committed ${committedNow.join(', ')}, log ends ${logEnds.join(', ')}`,
      );
      run.say(
        'shutdown(): the connector stops fetching, ends every stream (each thread leaves its while loop),\n' +
          'commits once more and closes its ZooKeeper session.',
      );
    }
    await first.shutdown();
    const threadsEnded = first.threads.every((t) => t.result() >= 0);
    const committedAfter = await stage.committed(GROUP);
    if (sim === undefined) {
      run.say(`The group has no member now; the coordinator keeps its offsets: ${committedAfter.map((o, p) => `${TOPIC}-${p} ${o ?? 'none'}`).join(', ')}.`);
      run.claim('after shutdown every thread ended and the group keeps its offsets', threadsEnded && logEnds.every((end, p) => committedAfter[p] === end));
    } else {
      run.say('The ephemeral ids and owners znodes vanished with the session; the persistent offsets stay:');
      showGroup(run, sim, GROUP);
      run.claim(
        'after shutdown the group has no member and no owner, and keeps its offsets',
        threadsEnded && groupMembers(sim, GROUP).length === 0 && partitionOwners(sim, GROUP, TOPIC).size === 0 && logEnds.every((end, p) => committedAfter[p] === end),
      );
    }

    run.heading('4. Restarted with 2 streams: fewer streams than partitions');
    ledgers.push(await stage.produce(13, 16));
    run.say('m13..m15 are written while no consumer runs. GroupConsumerTest starts again, same group, N = 2:');
    const second = consumer('GroupConsumerTest', GROUP, 2, { onMessage: print });
    await stage.until(() => second.deliveries.length >= 3, 'm13..m15');
    await stage.pause(onBroker ? 500 : 1_500);
    const secondOwned = second.connector.owned();
    showThreads(run, second);
    run.say(`Range gives ${partitions} partitions to 2 threads: ${partitions} / 2 = ${Math.floor(partitions / 2)} each, and the first thread ${partitions % 2 === 1 ? 'one more' : 'none more'}.`);
    const secondCounts = ownedPerStream(second, 2);
    run.claim(
      partitions === PARTITIONS ? 'thread 0 owns two partitions and thread 1 one' : `thread 0 owns ${secondCounts[0]} partitions and thread 1 ${secondCounts[1]}, as range gives them`,
      secondCounts.join() === rangeCounts(partitions, 2).join(),
    );
    run.claim(
      'the group resumed at its committed offsets: exactly m13..m15, nothing printed a second time',
      second.deliveries.map((d) => d.value).sort().join() === 'm13,m14,m15' && threadsMatchOwnership(second, secondOwned),
    );
    everyone.push(...second.deliveries);
    await second.shutdown();

    run.heading('5. Restarted with 4 streams: more streams than partitions');
    const third = consumer('GroupConsumerTest', GROUP, 4, { onMessage: print, onThreadEnd: printEnd });
    await untilPositioned(stage, third);
    ledgers.push(await stage.produce(16, 22));
    await stage.until(() => third.deliveries.length >= 6, 'm16..m21');
    await stage.pause(onBroker ? 1_000 : 10_000);
    const thirdOwned = third.connector.owned();
    run.say(`m16..m21 were written; ${onBroker ? 'a second' : 'ten seconds'} later:`);
    showThreads(run, third);
    run.say(
      'Range gives 3 / 4 = 0 each and the first 3 % 4 = 3 threads one: thread 3 gets nothing (Kafka logs\n' +
        '"No broker partitions consumed by consumer thread"). Its thread waits on an empty stream until\n' +
        'shutdown ends it. A stream beyond the partition count is only a spare for a later rebalance.',
    );
    run.say('shutdown():');
    await third.shutdown();
    const idleThreads = third.threads.map((t, n) => ({ n, printed: t.result() })).filter((t) => !thirdOwned.some((p) => p.threadId === `${third.consumerId}-${t.n}`));
    // Range gives the last 4 - P threads nothing (one, thread 3, for 3 partitions).
    const idleByRange = rangeCounts(partitions, 4).flatMap((count, n) => (count === 0 ? [n] : []));
    run.claim(
      partitions === PARTITIONS ? 'exactly one stream (thread 3) owned nothing and printed nothing until shutdown' : `the streams that range gives nothing (${idleByRange.length === 0 ? 'none' : idleByRange.join(', ')}) owned and printed nothing`,
      idleThreads.map((t) => t.n).join() === idleByRange.join() && idleThreads.every((t) => t.printed === 0) && third.deliveries.length === 6,
    );
    everyone.push(...third.deliveries);

    run.heading('6. auto.offset.reset=smallest: a new group reads from the start');
    run.say(
      `The article's pseudocode says whether to start from the earliest or the latest offset is a setting.\n` +
        `A new group, ${FROM_START_GROUP}, with the article's properties plus auto.offset.reset=smallest:`,
    );
    const replay = consumer('replay', FROM_START_GROUP, 3, {}, { 'auto.offset.reset': 'smallest' });
    const total = 21;
    const written = ledgers.flatMap((l) => l.entries).filter((e) => e.fate === 'acknowledged');
    const printedOnce = () => written.filter((e) => replay.deliveries.filter((d) => d.partition === e.partition && d.offset === e.offset).length === 1).length;
    await stage.until(() => printedOnce() >= total, 'the replay group to read everything');
    await stage.pause(onBroker ? 500 : 1_500);
    await replay.shutdown();
    const fromZero = Array.from({ length: partitions }, (_, p) => replay.deliveries.find((d) => d.partition === p)?.offset).every((o) => o === 0);
    if (onBroker) {
      const older = replay.deliveries.length - total;
      run.say(
        `It printed this run's ${printedOnce()} messages, m1..m21, from offset 0 of every partition` +
          `${older > 0 ? `, after ${older} older message(s) earlier runs left in the topic` : ''} (output not repeated here).`,
      );
      run.claim(`the smallest group printed every message of this run once, from offset 0`, printedOnce() === total && fromZero);
    } else {
      run.say(`It printed all ${replay.deliveries.length} messages, m1..m21, from offset 0 of every partition (output not repeated here).`);
      run.claim(
        `the smallest group printed every message once, from offset 0`,
        replay.deliveries.length === total && new Set(replay.deliveries.map((d) => d.value)).size === total && fromZero,
      );
    }
    const onceEach = everyone.length === total - 6 && new Set(everyone.map((d) => d.value)).size === total - 6;
    run.claim(`across its three runs, ${GROUP} printed every message written after it first joined exactly once`, onceEach);

    run.recordFacts(
      facts({
        partitions,
        ledgers,
        streams: { 3: firstCounts, 2: secondCounts, 4: ownedPerStream(third, 4, thirdOwned) },
        printed: { first: first.deliveries, second: second.deliveries, third: third.deliveries },
        replayOnce: printedOnce(),
        committed: committedAfter,
        onceEach,
      }),
    );
    run.whatYouSaw([
      `3 streams for ${partitions} partitions: ${partitions === PARTITIONS ? 'one partition each' : firstCounts.join(', ')}; the 6 messages written before the group existed were skipped (largest).`,
      onBroker
        ? `Offsets committed every second to the group coordinator, ${TOPIC}-0..${partitions - 1} = ${logEnds.join(', ')}; they stayed after shutdown.`
        : `Offsets committed every second to /consumers/${GROUP}/offsets/${TOPIC}/0..2 = ${logEnds.join(', ')}; ids and owners are ephemeral and vanished at shutdown.`,
      `2 streams: thread 0 took ${inWords(secondCounts[0]!)} partition${secondCounts[0] === 1 ? '' : 's'}; the restarted group resumed at its offsets and printed m13..m15 once.`,
      `4 streams: thread 3 owned nothing and printed nothing in ${formatMs(third.threads[3]!.settledAtMs! - third.main.settledAtMs!)}.`,
      `auto.offset.reset=smallest: a new group printed all ${total} messages${onBroker ? ' of this run' : ''} from offset 0.`,
      ...(onBroker ? [`Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`] : []),
    ]);
  },
};

const inWords = (n: number) => ['no', 'one', 'two', 'three', 'four'][n] ?? String(n);

/** How many partitions range gives each of `streams` threads of one consumer. */
function rangeCounts(partitions: number, streams: number): number[] {
  return Array.from({ length: streams }, (_, pos) => Math.floor(partitions / streams) + (pos < partitions % streams ? 1 : 0));
}

/** How many partitions each of the app's streams owns (now, or in `owned`). */
function ownedPerStream(app: GroupConsumerApp, streams: number, owned = app.connector.owned()): number[] {
  return Array.from({ length: streams }, (_, n) => owned.filter((p) => p.threadId === `${app.consumerId}-${n}`).length);
}

interface RunFacts {
  readonly partitions: number;
  readonly ledgers: readonly ProducerLedger[];
  /** Partitions per stream, for 3, 2 and 4 streams. */
  readonly streams: Readonly<Record<number, readonly number[]>>;
  readonly printed: Readonly<Record<'first' | 'second' | 'third', readonly Delivery[]>>;
  readonly replayOnce: number;
  readonly committed: ReadonlyArray<number | undefined>;
  readonly onceEach: boolean;
}

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(run: RunFacts): Fact[] {
  const summaries = run.ledgers.map((l) => l.summary());
  const values = (d: readonly Delivery[]) => d.map((x) => x.value).sort().join(',');
  return [
    { name: `partitions of ${TOPIC}`, value: run.partitions, kind: 'placement' },
    { name: 'messages sent', value: summaries.reduce((sum, s) => sum + s.sent, 0), kind: 'match' },
    { name: 'messages acknowledged', value: summaries.reduce((sum, s) => sum + s.acknowledged, 0), kind: 'match' },
    { name: 'partitions per stream, 3 streams', value: run.streams[3]!.join(' / '), kind: 'match' },
    { name: 'partitions per stream, 2 streams', value: run.streams[2]!.join(' / '), kind: 'match' },
    { name: 'partitions per stream, 4 streams', value: run.streams[4]!.join(' / '), kind: 'match' },
    { name: 'printed by 3 streams (largest)', value: values(run.printed.first), kind: 'match' },
    { name: 'printed after the restart with 2 streams', value: values(run.printed.second), kind: 'match' },
    { name: 'printed by 4 streams', value: values(run.printed.third), kind: 'match' },
    { name: 'printed once by the smallest group', value: run.replayOnce, kind: 'match' },
    { name: 'every message printed once by the group', value: run.onceEach ? 'yes' : 'no', kind: 'match' },
    { name: 'committed offsets after shutdown', value: run.committed.map((o) => o ?? 'none').join(' / '), kind: 'history' },
  ];
}

/** The lesson's topic on the broker, a group id without earlier offsets for each group, and the stage. */
async function brokerSetup(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<{ stage: Stage; group: string; fromStartGroup: string }> {
  const { runtime, bootstrapServers } = backend;
  const partitions = (await brokerPartitionCounts(runtime, bootstrapServers, [TOPIC], 'lesson-03'))[TOPIC]!;
  const group = await unusedGroup(runtime, bootstrapServers, BASE_GROUP, TOPIC, partitions);
  const fromStartGroup = await unusedGroup(runtime, bootstrapServers, BASE_FROM_START_GROUP, TOPIC, partitions);
  run.say(
    `The brokers at ${bootstrapServers}: ${TOPIC} has ${partitions} partitions` +
      `${partitions === PARTITIONS ? '' : ` (the simulator's has ${PARTITIONS}: the broker chose the count when it created the topic)`}.` +
      `${group === BASE_GROUP ? '' : `\nThe group ${BASE_GROUP} already has offsets from an earlier run: this run uses ${group}, a new group, as the story needs.`}`,
  );
  return { stage: brokerStage(runtime, bootstrapServers, partitions), group, fromStartGroup };
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
