/**
 * Lesson 06: comparing the two consumption models (the article's §1.4) on the same failures.
 *
 * One machine runs two programs side by side over the same topic while a producer writes "msg N"
 * every 100 ms (SimplePartitioner: partition N mod 3), each message taking 100-400 ms to process:
 * - the partition model: three of the article's Java loops (`readPartition`), one per partition,
 *   whose code also saves readOffset to a local file after each message it processed (the
 *   article's keeps it in memory only);
 * - the group model: the article's GroupConsumerTest, a `ZookeeperConsumerConnector` with three
 *   streams, auto-committing every 1000 ms.
 * Then a partition leader crashes (the partition loop finds the new leader by hand; the connector's
 * fetcher does it alone, without a rebalance), and then the machine crashes and restarts (the
 * partition program reads its file; the connector rebalances and resumes from the last
 * auto-commit: what was processed since is processed again, and what was in hand at the crash but
 * already committed is never processed).
 *
 * The crash moments are chosen by state (the leader's last ZooKeeper ping; a moment when one
 * thread holds a message already committed and another has processed messages since the commit),
 * so the claims hold for every seed; the counts vary.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess, type ClientTask } from '../src/client/client-process.ts';
import { FailedToSendMessageError } from '../src/client/errors.ts';
import { ZookeeperConsumerConnector } from '../src/client/group/connector.ts';
import { createConsumerConnector, type ConsumerConnector } from '../src/client/group/consumer-connector.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import { parseHostList, type BrokerConnection, type Runtime } from '../src/client/runtime.ts';
import type { KafkaResponse } from '../src/protocol/api.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { brokerPartitionCounts } from './lib/broker-topics.ts';
import { logValues, showCluster, startCluster } from './lib/cluster.ts';
import { coordinatorOffsets, unusedGroup } from './lib/coordinator-offsets.ts';
import type { Fact } from './lib/facts.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { startPartitionReader, type PartitionReader } from './lib/partition-reader.ts';
import { RealProcess, type TaskRunner } from './lib/real-process.ts';
import { produceSteadily } from './lib/steady-producer.ts';

const TOPIC = 'jiketest';
const GROUP = 'test-group';
const PARTITIONS = [0, 1, 2];
const SEND_INTERVAL_MS = 100;
const AUTO_COMMIT_MS = 1000;
const SESSION_TIMEOUT_MS = 6000;
/** The leader crash comes this long after its last ZooKeeper ping: the session expires 4.15 s later. */
const LATE_IN_PING_CYCLE_MS = 1850;

/** "msg N" takes 100, 200, 300 or 400 ms to process (N mod 4). */
function processingMs(value: string): number {
  return 100 * (1 + (Number(value.slice('msg '.length)) % 4));
}

interface Processed {
  readonly life: 1 | 2;
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
  readonly handedOutMs: number;
}

interface InHand {
  readonly offset: number;
  readonly value: string;
  readonly handedOutMs: number;
}

/** A message of a partition's log, at its offset. */
interface LogEntry {
  readonly offset: number;
  readonly value: string;
}

/** What one program did: messages processed, and the one each thread holds now. */
class Output {
  readonly processed: Processed[] = [];
  readonly inHand = new Map<number, InHand>();
  life: 1 | 2 = 1;

  async process(partition: number, message: InHand, sleep: (ms: number) => Promise<void>): Promise<void> {
    this.inHand.set(partition, message);
    await sleep(processingMs(message.value));
    this.processed.push({ life: this.life, partition, ...message });
    this.inHand.delete(partition);
  }

  /**
   * By log position (partition, offset), not by value: a message the producer wrote twice is two
   * messages here. Duplicates: positions processed more than once; lost: positions never processed.
   */
  account(logs: readonly (readonly LogEntry[])[]): { duplicates: string[]; lost: string[]; processed: number } {
    const counts = new Map<string, number>();
    for (const m of this.processed) counts.set(`${m.partition}/${m.offset}`, (counts.get(`${m.partition}/${m.offset}`) ?? 0) + 1);
    const duplicates: string[] = [];
    const lost: string[] = [];
    logs.forEach((entries, partition) =>
      entries.forEach(({ offset, value }) => {
        const n = counts.get(`${partition}/${offset}`) ?? 0;
        if (n === 0) lost.push(value);
        for (let i = 1; i < n; i++) duplicates.push(value);
      }),
    );
    return { duplicates: sortValues(duplicates), lost: sortValues(lost), processed: this.processed.length };
  }
}

function sortValues(values: readonly string[]): string[] {
  return [...values].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
}

function committedOffset(sim: Simulation, partition: number): number | undefined {
  const node = lookup(sim.zookeeper.state, `/consumers/${GROUP}/offsets/${TOPIC}/${partition}`);
  return node === undefined ? undefined : Number(node.data);
}

function lastHeardMs(sim: Simulation, node: string): number {
  const [session] = sim.zookeeper.sessionsOf(node);
  return sim.zookeeper.state.sessions[session!]!.lastHeardMs;
}

/** `runtime`, telling `onAnswer` about every answered Fetch: the broker and the partitions answered without error. */
function watchFetches(runtime: Runtime, onAnswer: (broker: string, partitions: number[]) => void): Runtime {
  return {
    ...runtime,
    async connect(host, port, options) {
      const connection = await runtime.connect(host, port, options);
      const watched: BrokerConnection = {
        get address() {
          return connection.address;
        },
        get isOpen() {
          return connection.isOpen;
        },
        async send(request, sendOptions) {
          const response = await connection.send(request, sendOptions);
          const answer: KafkaResponse = response;
          if (answer.api === 'Fetch') onAnswer(connection.address, answer.partitions.filter((p) => p.topic === TOPIC && p.errorCode === 0).map((p) => p.partition));
          return response;
        },
        sendOneWay: (request) => connection.sendOneWay(request),
        close: () => connection.close(),
      };
      return watched;
    },
  };
}

/**
 * The two programs of app-host: the partition program (three of the article's loops, their
 * offsets saved in a file that outlives the process) and the group program (GroupConsumerTest
 * with three streams, its connector made by `newConnector` on `runtime`), each started on a
 * process and processing into its `Output`.
 */
class Programs {
  /** The partition program's file on app-host's disk: partition → readOffset. */
  readonly offsetsFile = new Map<number, number>();
  /** Answered fetches of the group program: when, from which broker, for which partitions without error. */
  readonly groupFetches: Array<{ atMs: number; broker: string; partitions: number[] }> = [];
  /** The loop whose events are printed (none: undefined). */
  narrateLoop: number | undefined;
  connector: ConsumerConnector | undefined;
  /** The group program's runtime (fetches watched), while it starts its connector. */
  runtime: Runtime | undefined;

  constructor(
    private readonly run: LessonRun,
    private readonly seedBrokers: readonly { host: string; port: number }[],
    private readonly byHand: Output,
    private readonly auto: Output,
    private readonly newConnector: () => ConsumerConnector,
    private readonly partitions: readonly number[] = PARTITIONS,
    /** Where a loop without a saved offset starts. */
    private readonly firstStart: 'earliest' | 'latest' = 'earliest',
  ) {}

  startPartitionProgram(app: TaskRunner): PartitionReader[] {
    return this.partitions.map((partition) =>
      startPartitionReader(this.run, app, `loop ${partition}`, {
        seedBrokers: this.seedBrokers,
        topic: TOPIC,
        partition,
        startAt: this.offsetsFile.get(partition) ?? this.firstStart,
        printMessages: false,
        narrate: () => this.narrateLoop === partition,
        process: async (m, runtime) => {
          await this.byHand.process(partition, { offset: m.offset, value: m.value, handedOutMs: m.atMs }, (ms) => runtime.sleep(ms));
          this.offsetsFile.set(partition, m.nextOffset);
        },
      }),
    );
  }

  startGroupProgram(app: TaskRunner): ClientTask<void> {
    return app.run('GroupConsumerTest', async (base) => {
      const runtime = watchFetches(base, (broker, partitions) => this.groupFetches.push({ atMs: base.nowMs(), broker, partitions }));
      this.runtime = runtime;
      const connector = this.newConnector();
      this.connector = connector;
      const streams = await connector.createMessageStreams({ [TOPIC]: this.partitions.length });
      streams[TOPIC]!.forEach((stream, i) =>
        runtime.spawn(`GroupConsumerTest thread ${i}`, async () => {
          for await (const m of stream) {
            const message = { offset: m.offset, value: payloadToString(m.value) ?? '', handedOutMs: runtime.nowMs() };
            await this.auto.process(m.partition, message, (ms) => runtime.sleep(ms));
          }
        }),
      );
    });
  }
}

const list = (values: readonly string[]) => (values.length === 0 ? 'none' : values.join(', '));

export const lesson: Lesson = {
  id: '06',
  title: 'Comparing the two models',
  summary: 'The same leader crash and consumer crash, handled by hand in the partition model and automatically in the group model; what each can guarantee.',
  defaultSeed: 6,
  brokerSupport:
    "both programs and the machine crash (the client's own process killed), the group in coordinator mode; the partition leader's crash is skipped",
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS.length, replicationFactor: 2 }],
      narrate: ['fault.', 'zk.session.expired', 'partition.leader.elected', 'consumer.rebalance.completed'],
    });
    const seedBrokers = [...sim.brokers.keys()].sort((a, b) => a - b).map((id) => sim.endpointOf(id));

    run.heading('1. Two programs on one machine');
    run.say(
      `${TOPIC}: ${PARTITIONS.length} partitions, two replicas each. A producer (acks=-1, the article's SimplePartitioner)\n` +
        `writes "msg N" to partition N mod 3 every ${SEND_INTERVAL_MS} ms; a message takes 100-400 ms to process.\n` +
        'On the machine app-host:\n' +
        "- the partition program: three of the article's Java loops, one per partition; after processing a\n" +
        '  message, its code saves readOffset in a local file (the article keeps it in memory only);\n' +
        `- the group program: GroupConsumerTest, a ZookeeperConsumerConnector with group.id ${GROUP}, three\n` +
        `  streams, auto.commit.interval.ms=${AUTO_COMMIT_MS} (the article's), auto.offset.reset=smallest.`,
    );
    showCluster(run, sim, [TOPIC]);

    const app = ClientProcess.on(sim, 'app-host');
    const byHand = new Output();
    const auto = new Output();
    const programs = new Programs(run, seedBrokers, byHand, auto, () => new ZookeeperConsumerConnector(programs.runtime!, {
      'zookeeper.connect': 'zookeeper:2181',
      'group.id': GROUP,
      'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
      'zookeeper.sync.time.ms': 2000,
      'auto.commit.interval.ms': AUTO_COMMIT_MS,
      'auto.offset.reset': 'smallest',
    }));
    const { offsetsFile, groupFetches } = programs;
    const startPartitionProgram = () => programs.startPartitionProgram(app);
    const startGroupProgram = () => programs.startGroupProgram(app);

    let producing = true;
    const producerApp = ClientProcess.on(sim, 'producer-app');
    const producerTask = producerApp.run('SyncProduce', async (runtime) => {
      const producer = new Producer(runtime, {
        'metadata.broker.list': sim.bootstrapServers,
        'request.required.acks': -1,
        'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
      });
      for (let i = 0; producing; i++) {
        try {
          await producer.send(keyedMessage(TOPIC, `192.168.2.${i}`, `msg ${i}`));
        } catch (error) {
          if (!(error instanceof FailedToSendMessageError)) throw error;
        }
        await runtime.sleep(SEND_INTERVAL_MS);
      }
      await producer.close();
      return producer.ledger;
    });

    const loops1 = startPartitionProgram();
    const group1 = startGroupProgram();
    await sim.runUntil(() => group1.settled, { description: 'the group program to start' });
    group1.result();
    await sim.runFor(4000);
    run.say(`After 4 s: the partition program processed ${byHand.processed.length} messages, the group program ${auto.processed.length}.`);

    const crashedPartition = 0;
    const X = sim.leaderOf(TOPIC, crashedPartition)!;
    run.heading(`2. Broker ${X}, leader of ${TOPIC}-${crashedPartition}, crashes`);
    const heard = lastHeardMs(sim, `broker-${X}`);
    await sim.runUntil(() => lastHeardMs(sim, `broker-${X}`) > heard, { description: `a ZooKeeper ping from broker ${X}` });
    await sim.runFor(LATE_IN_PING_CYCLE_MS);
    run.say(
      `It dies ${LATE_IN_PING_CYCLE_MS} ms after its last ZooKeeper ping: the controller hears of it ${formatMs(SESSION_TIMEOUT_MS - LATE_IN_PING_CYCLE_MS)} later.\n` +
        `Partition program, loop ${crashedPartition} (the article's loop, with lesson 02's try/catch around fetch):`,
    );
    const connector = programs.connector!;
    const rebalancesBefore = connector.rebalances;
    const crash1Ms = sim.kernel.nowMs;
    // Consumers read only below the high watermark: an offset at or above it is read from the new leader.
    const hwAtCrash = sim.replica(X, TOPIC, crashedPartition)!.highWatermark;
    const fromNewLeader = (out: Output) => out.processed.some((m) => m.partition === crashedPartition && m.offset >= hwAtCrash);
    programs.narrateLoop = crashedPartition;
    sim.applyFault({ kind: 'broker-crash', broker: X });
    await sim.runUntil(() => fromNewLeader(byHand) && fromNewLeader(auto), {
      description: `both programs to read ${TOPIC}-${crashedPartition} again`,
    });
    programs.narrateLoop = undefined;
    const loopErrors = loops1[crashedPartition]!.events.filter((e) => e.kind === 'fetch-error').length;
    const byHandErrors = `${loopErrors} fetch error${loopErrors === 1 ? '' : 's'}`;
    const deadBroker = `broker-${X}:${sim.endpointOf(X).port}`;
    const gapByHand = loops1[crashedPartition]!.events.find((e) => e.kind === 'leader-changed')!.atMs - crash1Ms;
    const gapAuto = groupFetches.find((f) => f.atMs > crash1Ms && f.broker !== deadBroker && f.partitions.includes(crashedPartition))!.atMs - crash1Ms;
    run.say(
      `Group program: its fetcher lost the connection, asked for metadata every refresh.leader.backoff.ms\n` +
        `(200 ms) and fetched from the new leader when the metadata named one. No rebalance: ownership did not change.\n` +
        `Fetching ${TOPIC}-${crashedPartition} from the new leader again: the partition program at +${formatMs(gapByHand)}, the group program at +${formatMs(gapAuto)}.`,
    );
    const contiguous = (out: Output) => {
      const offsets = out.processed.filter((m) => m.partition === crashedPartition).map((m) => m.offset);
      return offsets.every((o, i) => o === offsets[0]! + i);
    };
    run.claim(
      `the group did not rebalance for the leader change (rebalances: ${rebalancesBefore} before, ${connector.rebalances} after)`,
      connector.rebalances === rebalancesBefore,
    );
    run.claim(`both programs went on in ${TOPIC}-${crashedPartition} where they were: no gap, no repeat`, contiguous(byHand) && contiguous(auto));

    run.heading('3. The machine app-host crashes');
    await sim.runFor(3000);
    // A moment when a group thread holds a message whose offset the last auto-commit already
    // covers, while another has processed messages handed out after that commit.
    const committedInHand = () => PARTITIONS.filter((p) => (auto.inHand.get(p)?.offset ?? Infinity) < (committedOffset(sim, p) ?? -1));
    const processedSinceCommit = () => PARTITIONS.filter((p) => auto.processed.some((m) => m.life === 1 && m.partition === p && m.offset >= (committedOffset(sim, p) ?? Infinity)));
    await sim.runUntil(() => committedInHand().length > 0 && processedSinceCommit().length > 0, { description: 'a crash moment' });
    const crash2Ms = sim.kernel.nowMs;
    const committedAtCrash = PARTITIONS.map((p) => committedOffset(sim, p)!);
    const expectedLost = sortValues(PARTITIONS.flatMap((p) => (committedInHand().includes(p) ? [auto.inHand.get(p)!.value] : [])));
    const expectedDuplicates = sortValues(auto.processed.filter((m) => m.offset >= committedAtCrash[m.partition]!).map((m) => m.value));
    const savedAtCrash = PARTITIONS.map((p) => offsetsFile.get(p)!);
    const describeHand = (hand: InHand | undefined, committed?: number) =>
      hand === undefined ? '-' : `${hand.value} @${hand.offset}${committed !== undefined && hand.offset < committed ? ' (committed!)' : ''}`;
    const byHandBeforeCrash = byHand.processed.length;
    app.crash();
    run.say(
      `The machine dies at ${formatMs(crash2Ms)}. The partition program's file and the group's committed offsets\n` +
        '(the next offset to read), the message each thread was processing (@offset), and what the group\n' +
        'processed after its last auto-commit:',
    );
    run.table(
      ['partition', 'file', 'loop holds', 'committed', 'group thread holds', 'processed since commit'],
      PARTITIONS.map((p) => [
        `${TOPIC}-${p}`,
        savedAtCrash[p]!,
        describeHand(byHand.inHand.get(p)),
        committedAtCrash[p]!,
        describeHand(auto.inHand.get(p), committedAtCrash[p]!),
        list(sortValues(auto.processed.filter((m) => m.partition === p && m.offset >= committedAtCrash[p]!).map((m) => m.value))),
      ]),
    );
    run.say(
      'The group auto-commits the offset after the last message the iterator handed out, processed or not.\n' +
        `The machine comes back once ZooKeeper has expired its session (${SESSION_TIMEOUT_MS} ms, the 0.8.2 default; with\n` +
        "the article's 40000 the dead consumer would keep its partitions for 40 s). Both programs restart.",
    );
    const members = () => Object.keys(lookup(sim.zookeeper.state, `/consumers/${GROUP}/ids`)?.children ?? {}).length;
    await sim.runUntil(() => members() === 0, { description: "app-host's session to expire" });
    await sim.runFor(1000);
    app.restart();
    byHand.life = 2;
    auto.life = 2;
    startPartitionProgram();
    const group2 = startGroupProgram();
    await sim.runUntil(() => group2.settled, { description: 'the group program to start again' });
    group2.result();
    const restartedAt = (out: Output) => PARTITIONS.map((p) => out.processed.find((m) => m.life === 2 && m.partition === p)?.offset);
    await sim.runFor(3000);
    producing = false;
    await sim.runUntil(() => producerTask.settled, { description: 'the producer to stop' });
    const ledger = producerTask.result();
    const logs = PARTITIONS.map((p) => logValues(sim, sim.leaderOf(TOPIC, p)!, TOPIC, p).map((value, offset) => ({ offset, value })));
    const written = logs.flat().length;
    const allIn = (out: Output) => logs.every((entries, p) => entries.length === 0 || out.processed.some((m) => m.partition === p && m.value === entries.at(-1)!.value));
    await sim.runUntil(() => allIn(byHand) && allIn(auto) && byHand.inHand.size === 0 && auto.inHand.size === 0, { description: 'both programs to catch up' });
    await sim.runFor(500);

    run.heading('4. What each program processed');
    const handResult = byHand.account(logs);
    const autoResult = auto.account(logs);
    const byHandStart = restartedAt(byHand);
    const autoStart = restartedAt(auto);
    const values = logs.flat().map((e) => e.value);
    const twice = sortValues([...new Set(values.filter((v, i, all) => all.indexOf(v) !== i))]);
    if (twice.length > 0) {
      run.say(
        `The logs hold ${list(twice)} twice: an acks=-1 write waited for the dead broker, which stayed in the\n` +
          'ISR (the new controller did not remove it), until request.timeout.ms (10 s); the producer resent a\n' +
          'message that had been written. Each copy counts as a message of its own below.',
      );
    }
    run.say(
      `The producer wrote ${written} messages${ledger.summary().failed > 0 ? ` (${ledger.summary().failed} more sends failed: FailedToSendMessage)` : ''}.\n` +
        `Restarted at: partition program ${byHandStart.join(' / ')} (its file), group program ${autoStart.join(' / ')} (the committed offsets).`,
    );
    run.table(
      ['program', 'processed', 'duplicates', 'lost (never processed)'],
      [
        ['partition (offsets by hand)', handResult.processed, list(handResult.duplicates), list(handResult.lost)],
        ['group (auto-commit)', autoResult.processed, list(autoResult.duplicates), list(autoResult.lost)],
      ],
    );
    run.claim(
      'the partition program restarted exactly where its file said and processed every message once',
      JSON.stringify(byHandStart) === JSON.stringify(savedAtCrash) && handResult.duplicates.length === 0 && handResult.lost.length === 0,
    );
    run.claim(
      `the group resumed at the committed offsets: the ${expectedDuplicates.length} message(s) processed since the last auto-commit were processed twice`,
      JSON.stringify(autoStart) === JSON.stringify(committedAtCrash) && JSON.stringify(autoResult.duplicates) === JSON.stringify(expectedDuplicates) && expectedDuplicates.length > 0,
    );
    run.claim(
      `${list(expectedLost)}, in a thread's hands at the crash but already committed, ${expectedLost.length === 1 ? 'was' : 'were'} never processed`,
      JSON.stringify(autoResult.lost) === JSON.stringify(expectedLost) && expectedLost.length > 0,
    );
    run.say(
      `Saving the offset right after the output is at-least-once with at most one duplicate per partition (a\n` +
        'crash between the two); in this simulation they happen together. The article\'s own code keeps readOffset\n' +
        `in memory: restarted, it starts at EarliestTime again and would have processed all ${byHandBeforeCrash} earlier messages twice.`,
    );

    run.recordFacts(
      facts({
        partitionProgram: handResult,
        group: autoResult,
        resumedAtCommit: JSON.stringify(autoStart) === JSON.stringify(committedAtCrash),
        duplicatesAsExpected: JSON.stringify(autoResult.duplicates) === JSON.stringify(expectedDuplicates),
        lostAsExpected: JSON.stringify(autoResult.lost) === JSON.stringify(expectedLost),
      }),
    );

    run.heading('5. What each model can and cannot guarantee (the article\'s §1.4, with this run)');
    run.table(
      ['', 'partition model', 'group model'],
      [
        ['a leader dies', `your loop: ${byHandErrors}, +${formatMs(gapByHand)}`, `the fetcher: no rebalance, +${formatMs(gapAuto)}`],
        ['offsets kept by', 'your code (here a file)', `ZooKeeper, auto-commit every ${AUTO_COMMIT_MS} ms`],
        ['a consumer dies', `${handResult.duplicates.length} duplicates, ${handResult.lost.length} lost`, `${autoResult.duplicates.length} duplicates, ${autoResult.lost.length} lost`],
        ['delivery', 'what you build (lesson 07)', 'auto-commit: at-least-once, and'],
        ['', '', 'at-most-once for a message in hand'],
      ],
    );
    run.correction(
      '"the group model only gives at-least-once" is not\n' +
        'quite it. Auto-commit stores what the iterator handed out, not what was processed: messages processed\n' +
        `after the last commit come again (at least once), and a message in hand that was already committed is\n` +
        `lost (${list(expectedLost)} here). With auto.commit.enable=false and commitOffsets() called before or after\n` +
        'processing, the group model gives at-most-once or at-least-once too; exactly-once needs the output and\n' +
        'the offset stored together (lesson 07 builds all three).',
    );

    run.whatYouSaw([
      `Broker ${X} (leader of ${TOPIC}-${crashedPartition}) crashed: the partition loop (${byHandErrors}) fetched from the new leader at +${formatMs(gapByHand)}, the connector's fetcher at +${formatMs(gapAuto)}, with no rebalance.`,
      `app-host crashed at ${formatMs(crash2Ms)}: the partition program restarted from its own file (${savedAtCrash.join(' / ')}), the group from its last auto-commit (${committedAtCrash.join(' / ')}).`,
      `Partition program: ${handResult.processed} processed, ${handResult.duplicates.length} duplicates, ${handResult.lost.length} lost - because its code saved every offset itself.`,
      `Group program: ${autoResult.processed} processed, ${autoResult.duplicates.length} duplicates (${list(autoResult.duplicates)}), ${autoResult.lost.length} lost (${list(autoResult.lost)}).`,
      `The article's partition code, which keeps readOffset in memory, would have restarted at EarliestTime and processed all ${byHandBeforeCrash} earlier messages again.`,
    ]);
  },
};

// ------------------------------------------------------------------ on a real broker

/** On a broker: the coordinator's session timeout (a broker's minimum by default) and the member's heartbeat. */
const BROKER_HEARTBEAT_MS = 1_000;

/**
 * The lesson on a real broker: the same two programs, the group one in coordinator mode; the
 * leader crash is skipped (a client cannot crash a broker); the machine crash is the client's own
 * (RealProcess.crash: both programs killed, no LeaveGroup) and runs. The claims are about what the
 * programs processed against their offsets at the crash, whatever those were.
 */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  const partitionCount = (await brokerPartitionCounts(runtime, bootstrapServers, [TOPIC], 'lesson-06'))[TOPIC]!;
  const partitions = Array.from({ length: partitionCount }, (_, p) => p);
  const group = await unusedGroup(runtime, bootstrapServers, GROUP, TOPIC, partitionCount);
  const committed = async () => (await coordinatorOffsets(runtime, bootstrapServers, group, TOPIC, partitionCount)).map((o) => (o < 0 ? undefined : o));

  run.heading('1. Two programs on one machine');
  run.say(
    `${TOPIC} on the brokers at ${bootstrapServers}: ${partitionCount} partitions. A producer (acks=-1, the article's\n` +
      `SimplePartitioner) writes "msg N" to partition N mod ${partitionCount} every ${SEND_INTERVAL_MS} ms; a message takes 100-400 ms to process.\n` +
      'On the machine app-host (a process of this run):\n' +
      "- the partition program: the article's Java loop, one per partition; after processing a message, its\n" +
      '  code saves readOffset in a local file;\n' +
      `- the group program: GroupConsumerTest with ${partitionCount} streams, the connector in coordinator mode, group.id ${group},\n` +
      `  auto.commit.interval.ms=${AUTO_COMMIT_MS}, session.timeout.ms=${SESSION_TIMEOUT_MS}.\n` +
      'The topic may hold messages of earlier runs: both programs start at the end of the log (the loops at\n' +
      'LatestTime, the new group with auto.offset.reset=largest), and the producer starts once they are there.',
  );
  const byHand = new Output();
  const auto = new Output();
  const programs = new Programs(
    run,
    parseHostList(bootstrapServers, 'bootstrap servers', 9092),
    byHand,
    auto,
    () =>
      createConsumerConnector(programs.runtime!, {
        'group.id': group,
        'group.coordination': 'coordinator',
        'bootstrap.servers': bootstrapServers,
        'session.timeout.ms': SESSION_TIMEOUT_MS,
        'heartbeat.interval.ms': BROKER_HEARTBEAT_MS,
        'auto.commit.interval.ms': AUTO_COMMIT_MS,
        'auto.offset.reset': 'largest',
      }),
    partitions,
    'latest',
  );
  let app = new RealProcess(runtime, 'app-host');
  const loops1 = programs.startPartitionProgram(app);
  const group1 = programs.startGroupProgram(app);
  await waitUntil(
    runtime,
    () => {
      if (group1.error !== undefined) throw group1.error;
      const owned = programs.connector?.owned() ?? [];
      return group1.settled && owned.length === partitionCount && owned.every((p) => p.consumedOffset >= 0) && loops1.every((l) => l.saw('start-offset'));
    },
    'both programs to start',
  );
  let producing = true;
  const producer = produceSteadily(runtime, { bootstrapServers, topic: TOPIC, acks: -1, prefix: 'msg ', intervalMs: SEND_INTERVAL_MS }, () => producing);
  await runtime.sleep(3_000);
  run.say(`After 3 s: the partition program processed ${byHand.processed.length} messages, the group program ${auto.processed.length}.`);

  run.heading('2. A partition leader crashes');
  run.skipped(
    "the leader crash and the claims about it (the loop's fetch errors and findNewLeader, the connector's fetcher finding the new leader without a rebalance)",
    'a client cannot crash a real broker; run without --broker to see it',
  );

  run.heading('3. The machine app-host crashes');
  // A moment when a group thread holds a message the last auto-commit already covers while another
  // has processed messages handed out after it, judged by the offsets read from the coordinator.
  let committedNow: Array<number | undefined> = [];
  const committedInHand = () => partitions.filter((p) => (auto.inHand.get(p)?.offset ?? Infinity) < (committedNow[p] ?? -1));
  const processedSinceCommit = () => partitions.filter((p) => auto.processed.some((m) => m.life === 1 && m.partition === p && m.offset >= (committedNow[p] ?? Infinity)));
  const deadline = runtime.nowMs() + 20_000;
  do committedNow = await committed();
  while (!(committedInHand().length > 0 && processedSinceCommit().length > 0) && runtime.nowMs() < deadline);
  const crashMs = runtime.nowMs();
  const inHandAtCrash = new Map(auto.inHand);
  const processedAtCrash = [...auto.processed];
  const savedAtCrash = partitions.map((p) => programs.offsetsFile.get(p)!);
  const byHandInHand = new Map(byHand.inHand);
  const byHandBeforeCrash = byHand.processed.length;
  app.crash();
  // A commit may have been under way at the kill: what the coordinator holds now is what the group resumes from.
  const committedAtCrash = await committed();
  const expectedLost = sortValues(partitions.flatMap((p) => ((inHandAtCrash.get(p)?.offset ?? Infinity) < (committedAtCrash[p] ?? -1) ? [inHandAtCrash.get(p)!.value] : [])));
  const sinceCommit = (p: number) => processedAtCrash.filter((m) => m.partition === p && m.offset >= (committedAtCrash[p] ?? Infinity));
  const expectedDuplicates = sortValues(partitions.flatMap((p) => sinceCommit(p).map((m) => m.value)));
  const describeHand = (hand: InHand | undefined, committedOffset?: number) =>
    hand === undefined ? '-' : `${hand.value} @${hand.offset}${committedOffset !== undefined && hand.offset < committedOffset ? ' (committed!)' : ''}`;
  run.say(
    `The machine dies at ${formatMs(crashMs)} (the process is killed: no LeaveGroup, no more heartbeats). The partition\n` +
      "program's file and the group's committed offsets, the message each thread was processing (@offset), and\n" +
      'what the group processed after its last auto-commit:',
  );
  run.table(
    ['partition', 'file', 'loop holds', 'committed', 'group thread holds', 'processed since commit'],
    partitions.map((p) => [`${TOPIC}-${p}`, savedAtCrash[p] ?? '-', describeHand(byHandInHand.get(p)), committedAtCrash[p] ?? '-', describeHand(inHandAtCrash.get(p), committedAtCrash[p]), list(sortValues(sinceCommit(p).map((m) => m.value)))]),
  );
  run.say(
    'The machine comes back a second later and both programs restart. The group program joins again, and the\n' +
      `coordinator completes that rebalance once it has dropped the dead member (session.timeout.ms = ${formatMs(SESSION_TIMEOUT_MS)}).`,
  );
  await runtime.sleep(1_000);
  app = new RealProcess(runtime, 'app-host');
  byHand.life = 2;
  auto.life = 2;
  programs.startPartitionProgram(app);
  const group2 = programs.startGroupProgram(app);
  await waitUntil(runtime, () => group2.settled, 'the group program to start again');
  group2.result();
  await runtime.sleep(2_000);
  producing = false;
  const ledger = await producer;
  const entries = ledger.entries.filter((e) => e.fate === 'acknowledged').map((e) => ({ partition: e.partition!, offset: e.offset!, value: payloadToString(e.value) ?? '' }));
  const logs = partitions.map((p) => entries.filter((e) => e.partition === p).sort((x, y) => x.offset - y.offset));
  const allIn = (out: Output) => logs.every((log, p) => log.length === 0 || out.processed.some((m) => m.partition === p && m.offset === log.at(-1)!.offset));
  await waitUntil(runtime, () => allIn(byHand) && allIn(auto) && byHand.inHand.size === 0 && auto.inHand.size === 0, 'both programs to catch up');
  await runtime.sleep(500);
  await programs.connector!.shutdown();
  app.exit();

  run.heading('4. What each program processed');
  const handResult = byHand.account(logs);
  const autoResult = auto.account(logs);
  const restartedAt = (out: Output) => partitions.map((p) => out.processed.find((m) => m.life === 2 && m.partition === p)?.offset);
  const byHandStart = restartedAt(byHand);
  const autoStart = restartedAt(auto);
  run.say(
    `The producer wrote ${entries.length} messages in this run.\n` +
      `Restarted at: partition program ${byHandStart.join(' / ')} (its file), group program ${autoStart.join(' / ')} (the committed offsets).`,
  );
  run.table(
    ['program', 'processed', 'duplicates', 'lost (never processed)'],
    [
      ['partition (offsets by hand)', handResult.processed, list(handResult.duplicates), list(handResult.lost)],
      ['group (auto-commit)', autoResult.processed, list(autoResult.duplicates), list(autoResult.lost)],
    ],
  );
  const resumedAtCommit = partitions.every((p) => autoStart[p] === undefined || autoStart[p] === committedAtCrash[p]);
  run.claim(
    'the partition program restarted exactly where its file said and processed every message once',
    partitions.every((p) => byHandStart[p] === undefined || byHandStart[p] === savedAtCrash[p]) && handResult.duplicates.length === 0 && handResult.lost.length === 0,
  );
  run.claim(
    `the group resumed at the committed offsets: the ${expectedDuplicates.length} message(s) processed since the last auto-commit were processed twice`,
    resumedAtCommit && JSON.stringify(autoResult.duplicates) === JSON.stringify(expectedDuplicates),
  );
  run.claim(
    `the messages in a thread's hands at the crash but already committed (${list(expectedLost)}) were never processed, and nothing else was lost`,
    JSON.stringify(autoResult.lost) === JSON.stringify(expectedLost),
  );

  run.heading('5. What each model can and cannot guarantee (the article\'s §1.4, with this run)');
  run.table(
    ['', 'partition model', 'group model'],
    [
      ['a leader dies', '(skipped on a broker)', '(skipped on a broker)'],
      ['offsets kept by', 'your code (here a file)', `the group coordinator, auto-commit every ${AUTO_COMMIT_MS} ms`],
      ['a consumer dies', `${handResult.duplicates.length} duplicates, ${handResult.lost.length} lost`, `${autoResult.duplicates.length} duplicates, ${autoResult.lost.length} lost`],
      ['delivery', 'what you build (lesson 07)', 'auto-commit: at-least-once, and'],
      ['', '', 'at-most-once for a message in hand'],
    ],
  );
  run.recordFacts(
    facts({
      partitionProgram: handResult,
      group: autoResult,
      resumedAtCommit,
      duplicatesAsExpected: JSON.stringify(autoResult.duplicates) === JSON.stringify(expectedDuplicates),
      lostAsExpected: JSON.stringify(autoResult.lost) === JSON.stringify(expectedLost),
    }),
  );
  run.whatYouSaw([
    `app-host was killed at ${formatMs(crashMs)}: the partition program restarted from its own file (${savedAtCrash.join(' / ')}), the group from its last auto-commit (${committedAtCrash.map((o) => o ?? '-').join(' / ')}).`,
    `Partition program: ${handResult.processed} processed, ${handResult.duplicates.length} duplicates, ${handResult.lost.length} lost - because its code saved every offset itself.`,
    `Group program: ${autoResult.processed} processed, ${autoResult.duplicates.length} duplicates (${list(autoResult.duplicates)}), ${autoResult.lost.length} lost (${list(autoResult.lost)}).`,
    `The article's partition code, which keeps readOffset in memory, would have restarted at the start of the log and processed all ${byHandBeforeCrash} earlier messages again.`,
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}

interface RunFacts {
  readonly partitionProgram: ReturnType<Output['account']>;
  readonly group: ReturnType<Output['account']>;
  readonly resumedAtCommit: boolean;
  readonly duplicatesAsExpected: boolean;
  readonly lostAsExpected: boolean;
}

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(run: RunFacts): Fact[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    { name: 'partition program: duplicates / lost', value: `${run.partitionProgram.duplicates.length} / ${run.partitionProgram.lost.length}`, kind: 'match' },
    { name: 'group resumed at the committed offsets', value: yes(run.resumedAtCommit), kind: 'match' },
    { name: 'group duplicates = processed since the last commit', value: yes(run.duplicatesAsExpected), kind: 'match' },
    { name: 'group lost = in hand but already committed', value: yes(run.lostAsExpected), kind: 'match' },
    { name: 'group duplicates / lost at the crash', value: `${run.group.duplicates.length} / ${run.group.lost.length}`, kind: 'timing', note: 'how many depends on the crash moment' },
  ];
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
