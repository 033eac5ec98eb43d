/**
 * Lesson 05: what happens to a group when one of its consumers crashes, with the article's
 * `zookeeper.session.timeout.ms=40000` and then with the 6 s default.
 *
 * Two GroupConsumerTest processes share jiketest's 3 partitions while a producer writes 10
 * messages a second. One process is killed (kill -9) at a moment chosen by state: when it has
 * printed a few messages its last auto-commit does not cover yet. Its owner znodes are
 * ephemeral: they stay until ZooKeeper expires its session, so its partitions stall that long.
 * A supervisor restarts it a second later; the new instance's rebalance meets the dead owner's
 * znodes (conflict, retry after `rebalance.backoff.ms`, give up after `rebalance.max.retries`).
 * When the partitions move, the new owner starts from the last committed offsets: the messages
 * printed but not yet committed are printed again.
 *
 * With --broker (`runOnBroker`) the same app runs with the connector in coordinator mode: the
 * broker's group coordinator decides membership by `session.timeout.ms` (6 s, a broker's minimum by
 * default). consumer-a's process is killed on the client side (its connections closed without a
 * LeaveGroup, nothing of it runs again), so its partitions stall until the coordinator expires its
 * session; its uncommitted messages come twice; then consumer-b leaves with shutdown (LeaveGroup)
 * and its partitions move at once. ZooKeeper's owner conflicts and the 40 s crash are skipped.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess } from '../src/client/client-process.ts';
import { ConsumerRebalanceFailedError } from '../src/client/errors.ts';
import type { ConsumerConfigInput } from '../src/client/group/config.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { brokerPartitionCounts } from './lib/broker-topics.ts';
import { showGroup, startCluster } from './lib/cluster.ts';
import { coordinatorOffsets, unusedGroup } from './lib/coordinator-offsets.ts';
import type { Fact } from './lib/facts.ts';
import { GroupConsumerApp, ZOOKEEPER_CONNECT, type Delivery } from './lib/group-consumer-app.ts';
import { committedOffset, partitionOwners, sessionsOf } from './lib/group-znodes.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { RealProcess } from './lib/real-process.ts';
import { produceSteadily, type SteadyProducerOptions } from './lib/steady-producer.ts';

const TOPIC = 'jiketest';
const GROUP = 'jikegrouptest';
const PARTITIONS = 3;
const SEND_EVERY_MS = 100;
/** Crash when the victim has printed at least this many messages its last commit does not cover. */
const UNCOMMITTED_AT_CRASH = 3;
const RESTART_AFTER_MS = 1_000;

/** The lesson's producer: 10 messages a second, "m<i>" to partition i % 3, acks=1. */
function producerOptions(bootstrapServers: string): SteadyProducerOptions {
  return { bootstrapServers, topic: TOPIC, acks: '1', prefix: 'm', intervalMs: SEND_EVERY_MS };
}

/** The article's createConsumerConfig; `sessionTimeoutMs` undefined leaves the 6 s default. */
function properties(sessionTimeoutMs: string | undefined): ConsumerConfigInput {
  return {
    'zookeeper.connect': ZOOKEEPER_CONNECT,
    'group.id': GROUP,
    ...(sessionTimeoutMs === undefined ? {} : { 'zookeeper.session.timeout.ms': sessionTimeoutMs }),
    'zookeeper.sync.time.ms': '2000',
    'auto.commit.interval.ms': '1000',
  };
}

/** What one crash did. */
interface CrashReport {
  readonly sessionTimeoutMs: number;
  readonly crashMs: number;
  /** When ZooKeeper last heard from the victim's session before the crash, and when it expired it. */
  readonly lastHeardMs: number;
  readonly expiryMs: number;
  readonly partitions: number[];
  readonly uncommitted: number;
  /** Per partition of the victim: when a message of it was next printed, by anyone. */
  readonly resumedMs: number[];
  readonly duplicates: number;
  /** The values printed twice, with who printed them the second time. */
  readonly duplicated: string[];
  readonly restartOutcome: string;
  readonly restartConflicts: number;
  readonly otherPartitionPrinted: number;
}

/** Printed but not covered by the committed offset, per owned partition. */
function uncommittedOf(sim: Simulation, app: GroupConsumerApp): Array<{ partition: number; consumed: number; committed: number | undefined }> {
  return app.connector.owned().map((p) => ({ partition: p.partition, consumed: p.consumedOffset, committed: committedOffset(sim, GROUP, TOPIC, p.partition) }));
}

/**
 * One crash, in phases the lesson narrates between: kill the victim at a moment chosen by state
 * (`crash`), start a new instance on its machine a second later (`restart`), run until the
 * victim's partitions are consumed again and count what was printed twice (`recover`).
 */
class Crash {
  private crashMs = 0;
  private lastHeardMs = 0;
  private sessionId = '';
  private partitions: number[] = [];
  private uncommitted = 0;
  private printedBefore = new Set<string>();
  restarted: GroupConsumerApp<ClientProcess> | undefined;

  constructor(
    private readonly run: LessonRun,
    private readonly sim: Simulation,
    private readonly victim: GroupConsumerApp<ClientProcess>,
    private readonly survivor: GroupConsumerApp<ClientProcess>,
    private readonly all: () => Delivery[],
  ) {}

  /** Runs until the victim has printed UNCOMMITTED_AT_CRASH messages its last commit does not cover, then kills it. */
  async crash(): Promise<void> {
    const { sim, victim, run } = this;
    const total = () => uncommittedOf(sim, victim).reduce((n, r) => n + r.consumed - (r.committed ?? r.consumed), 0);
    await sim.runUntil(() => victim.connector.owned().length > 0 && uncommittedOf(sim, victim).every((r) => r.committed !== undefined) && total() >= UNCOMMITTED_AT_CRASH, {
      description: 'uncommitted messages on the victim',
    });
    const rows = uncommittedOf(sim, victim);
    const [session] = sessionsOf(sim, victim.process.node);
    this.crashMs = sim.kernel.nowMs;
    this.lastHeardMs = session!.lastHeardMs;
    this.sessionId = session!.id;
    this.partitions = rows.map((r) => r.partition);
    this.uncommitted = total();
    this.printedBefore = new Set(this.all().map((d) => `${d.partition}/${d.offset}`));
    const owners = partitionOwners(sim, GROUP, TOPIC);
    victim.process.crash();
    run.say(
      `[${formatMs(this.crashMs)}] ${victim.process.node} is killed (kill -9). ZooKeeper last heard from its session at ` +
        `${formatMs(session!.lastHeardMs)}\n(each auto-commit writes to ZooKeeper), so the session expires at ${formatMs(session!.lastHeardMs + session!.timeoutMs)}. Its partitions at the crash:`,
    );
    run.table(
      ['partition', 'owner znode (ephemeral)', 'committed offset', 'last printed offset', 'printed, not committed'],
      rows.map((r) => [`${TOPIC}-${r.partition}`, owners.get(r.partition) ?? '(none)', r.committed!, r.consumed - 1, r.consumed - r.committed!]),
    );
  }

  /** A supervisor starts the application again on the same machine a second later. */
  async restart(newApp: () => GroupConsumerApp<ClientProcess>): Promise<GroupConsumerApp<ClientProcess>> {
    const { sim, victim, run } = this;
    await sim.runFor(RESTART_AFTER_MS);
    victim.process.restart();
    run.say(`[${formatMs(sim.kernel.nowMs)}] A supervisor restarts GroupConsumerTest on ${victim.process.node}: a new consumer id joins the group.`);
    const restarted = newApp();
    this.restarted = restarted;
    await sim.runUntil(() => restarted.main.settled, { description: 'the restarted consumer to rebalance' });
    return restarted;
  }

  /** Runs until every partition of the victim is consumed again, then 2 s more; measures. */
  async recover(): Promise<CrashReport> {
    const { sim, all, crashMs, partitions } = this;
    await sim.runUntil(() => partitions.every((p) => all().some((d) => d.partition === p && d.atMs > crashMs)), { description: 'the stalled partitions to be consumed again' });
    const resumedMs = partitions.map((p) => all().find((d) => d.partition === p && d.atMs > crashMs)!.atMs);
    await sim.runFor(2_000);
    const expired = sim.kernel.trace.records.find((r) => r.kind === 'zk.session.expired' && r.data.session === this.sessionId);
    const expiryMs = expired?.timeMs ?? Number.NaN;
    const restarted = this.restarted!;
    const conflicts = sim.kernel.trace.records.filter((r) => r.kind === 'consumer.rebalance.conflict' && r.data.consumer === restarted.consumerId).length;
    const failed = restarted.main.error instanceof ConsumerRebalanceFailedError;
    const again = all().filter((d) => d.atMs > crashMs && partitions.includes(d.partition) && this.printedBefore.has(`${d.partition}/${d.offset}`));
    return {
      sessionTimeoutMs: this.victim.connector.config['zookeeper.session.timeout.ms'],
      crashMs,
      lastHeardMs: this.lastHeardMs,
      expiryMs,
      partitions,
      uncommitted: this.uncommitted,
      resumedMs,
      duplicates: again.length,
      duplicated: again.map((d) => `${d.value} (${TOPIC}-${d.partition} offset ${d.offset}, by ${d.app.slice(d.app.indexOf('@') + 1)})`),
      restartOutcome: failed ? `gave up after ${conflicts} conflicts` : `succeeded after ${conflicts} conflict${conflicts === 1 ? '' : 's'}`,
      restartConflicts: conflicts,
      otherPartitionPrinted: this.survivor.deliveries.filter((d) => !partitions.includes(d.partition) && d.atMs > crashMs && d.atMs < expiryMs).length,
    };
  }
}

function stallTable(run: LessonRun, report: CrashReport): void {
  run.table(
    ['partition', 'crash', 'session expired', 'next message printed', 'stalled for'],
    report.partitions.map((p, i) => [`${TOPIC}-${p}`, formatMs(report.crashMs), formatMs(report.expiryMs), formatMs(report.resumedMs[i]!), formatMs(report.resumedMs[i]! - report.crashMs)]),
  );
}

export const lesson: Lesson = {
  id: '05',
  title: 'Rebalance and session timeout',
  summary: "A group consumer crashes: its partitions stall until its ZooKeeper session expires (the article's 40 s vs the 6 s default), a restart conflicts on /owners, uncommitted messages come twice.",
  defaultSeed: 5,
  brokerSupport:
    "one crash with a 6 s session at the broker's group coordinator (the connector in coordinator mode, the process killed on the client side) and a clean leave; ZooKeeper's owner-znode conflicts and the 40 s crash are skipped",
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['consumer.registered', 'consumer.rebalance.completed', 'consumer.rebalance.conflict', 'consumer.rebalance.gave-up', 'zk.session.expired'],
    });
    const apps: GroupConsumerApp<ClientProcess>[] = [];
    const all = () => apps.flatMap((a) => a.deliveries);
    // One ClientProcess per machine: a restarted process keeps drawing from the machine's random stream.
    const machines = new Map(['consumer-a', 'consumer-b'].map((node) => [node, ClientProcess.on(sim, node)]));
    const start = (node: string, sessionTimeoutMs: string | undefined) => {
      const app = new GroupConsumerApp(sim, machines.get(node)!, `GroupConsumerTest@${node}`, properties(sessionTimeoutMs), { [TOPIC]: 1 });
      apps.push(app);
      return app;
    };

    run.heading('1. Two consumer processes, the article\'s settings');
    run.say(
      'consumer-a and consumer-b each run the article\'s GroupConsumerTest with one stream:\n' +
        '  zookeeper.session.timeout.ms=40000, zookeeper.sync.time.ms=2000, auto.commit.interval.ms=1000\n' +
        '(rebalance.backoff.ms defaults to zookeeper.sync.time.ms, 2 s; rebalance.max.retries to 4).\n' +
        `A producer then writes ${1000 / SEND_EVERY_MS} messages a second (the article's writes one), keyed "192.168.2.i", so its\n` +
        'SimplePartitioner puts message i in partition i % 3.',
    );
    let a = start('consumer-a', '40000');
    const b = start('consumer-b', '40000');
    await sim.runUntil(() => a.started && b.started && [a, b].every((x) => x.connector.owned().every((p) => p.consumedOffset >= 0)), { description: 'the consumers to start' });
    let producing = true;
    const producer = ClientProcess.on(sim, 'producer-app').run('SyncProduce', (runtime) => produceSteadily(runtime, producerOptions(sim.bootstrapServers), () => producing));
    await sim.runFor(3_000);
    showGroup(run, sim, GROUP);

    run.heading('2. consumer-a crashes, with the article\'s 40 s session timeout');
    const first = new Crash(run, sim, a, b, all);
    await first.crash();
    run.say(
      'Its registration and owner znodes are ephemeral: ZooKeeper deletes them when the session ends. A killed\n' +
        'process never closes its session; ZooKeeper ends it only after zookeeper.session.timeout.ms of silence.',
    );
    const restarted1 = await first.restart(() => start('consumer-a', '40000'));
    run.say(
      "The restarted consumer's range share included a partition whose owner znode the dead session still\n" +
        'holds: creating it failed with NodeExists (Kafka: ZkNodeExistsException, logged as "waiting for the\n' +
        'partition ownership to be deleted"). Each time it undid its claims, waited rebalance.backoff.ms and\n' +
        'tried again: rebalance.max.retries × rebalance.backoff.ms = 4 × 2 s = 8 s, far less than 40 s.',
    );
    if (restarted1.main.error instanceof ConsumerRebalanceFailedError) {
      run.say(`createMessageStreams threw ${restarted1.main.error.name}: ${restarted1.main.error.message}.`);
      run.say('The restarted application dies with it (here: it calls shutdown() and leaves the group).');
      await restarted1.shutdown();
    }
    run.say('\nNow the partitions of the dead consumer wait for ZooKeeper to expire its session:');
    const r1 = await first.recover();
    run.claim(
      'the restarted consumer conflicted on every try and its createMessageStreams failed with ConsumerRebalanceFailed',
      restarted1.main.error instanceof ConsumerRebalanceFailedError && r1.restartConflicts === 4,
      r1.restartOutcome,
    );
    stallTable(run, r1);
    run.claim(
      'no message of the crashed consumer\'s partitions was printed between the crash and its session\'s expiry',
      r1.resumedMs.every((t) => t > r1.expiryMs),
    );
    run.claim(
      `ZooKeeper expired the session exactly ${formatMs(r1.sessionTimeoutMs)} after it last heard from it, and the partitions stalled over 35 s`,
      r1.expiryMs === r1.lastHeardMs + 40_000 && r1.resumedMs.every((t) => t - r1.crashMs > 35_000),
    );
    run.claim(`consumer-b's own partition kept flowing during the stall (${r1.otherPartitionPrinted} messages printed)`, r1.otherPartitionPrinted > 0);
    run.say(
      `\nDuplicates: the new owner starts from the committed offsets, so the ${r1.uncommitted} messages consumer-a printed after\n` +
        `its last auto-commit were printed a second time: ${r1.duplicated.join(', ')}.`,
    );
    run.claim(`the messages printed twice are exactly the ${r1.uncommitted} printed but not committed at the crash`, r1.duplicates === r1.uncommitted, `${r1.duplicates} duplicates`);
    showGroup(run, sim, GROUP);
    run.correction(
      'GroupConsumerTest sets zookeeper.session.timeout.ms=40000. A consumer that crashes keeps its\n' +
        'partitions for up to 40 s (its owner znodes live as long as its session), and a restarted instance\n' +
        'cannot rebalance within rebalance.max.retries × rebalance.backoff.ms = 8 s. Keep the 6 s default, or\n' +
        'make the retries outlast the session timeout.',
    );

    run.heading('3. The same crash with the default zookeeper.session.timeout.ms (6 s)');
    run.say('consumer-a is started again without the 40000 setting; once it owns its partitions, it is killed again.');
    a = start('consumer-a', undefined);
    await sim.runUntil(() => a.started && a.connector.owned().length > 0, { description: 'consumer-a to own partitions' });
    await sim.runFor(3_000);
    const second = new Crash(run, sim, a, b, all);
    await second.crash();
    const restarted2 = await second.restart(() => start('consumer-a', undefined));
    const r2 = await second.recover();
    stallTable(run, r2);
    run.say(
      `The restarted consumer retried every 2 s; its tries outlasted the dead session (expired at ${formatMs(r2.expiryMs)}), so a\n` +
        'later try succeeded: the stall is the session timeout plus the wait for that next try. Printed twice:\n' +
        `${r2.duplicated.join(', ')}.`,
    );
    run.claim(
      'with 6 s the restarted consumer\'s retries outlasted the dead session: it conflicted, retried, and owned partitions',
      restarted2.main.settled && restarted2.main.error === undefined && r2.restartConflicts >= 1 && restarted2.connector.owned().length > 0,
      r2.restartOutcome,
    );
    run.claim('the stall lasted at most the 6 s timeout plus one rebalance backoff', r2.resumedMs.every((t) => t - r2.crashMs <= 6_000 + 2_000 + 500));
    run.claim(`again exactly the ${r2.uncommitted} uncommitted messages were printed twice`, r2.duplicates === r2.uncommitted, `${r2.duplicates} duplicates`);

    run.heading('4. Nothing lost, some twice');
    producing = false;
    await sim.runUntil(() => producer.settled, { description: 'the producer to stop' });
    const ledger = producer.result();
    const sent = ledger.entries.filter((e) => e.fate === 'acknowledged').map((e) => payloadToString(e.value) ?? '');
    await sim.runUntil(() => sent.every((v) => all().some((d) => d.value === v)), { description: 'everything to be printed' });
    const printed = all().length;
    const distinct = new Set(all().map((d) => d.value)).size;
    run.table(
      ['crash', 'session timeout', 'partitions stalled for', 'restarted consumer', 'printed twice'],
      [r1, r2].map((r, i) => [
        i + 1,
        formatMs(r.sessionTimeoutMs),
        r.resumedMs.map((t) => formatMs(t - r.crashMs)).join(', '),
        r.restartOutcome,
        r.duplicates,
      ]),
    );
    run.claim(
      `every one of the ${sent.length} acknowledged messages was printed; ${printed - distinct} were printed twice`,
      distinct === sent.length && printed - distinct === r1.duplicates + r2.duplicates,
    );
    run.say(AT_LEAST_ONCE);
    run.recordFacts(
      facts({
        duplicatesAreUncommitted: [r1, r2].every((r) => r.duplicates === r.uncommitted),
        everythingPrinted: distinct === sent.length,
        stallMs: Math.max(...r2.resumedMs) - r2.crashMs,
      }),
    );

    run.whatYouSaw([
      `With the article's 40 s timeout, ${TOPIC}-${r1.partitions.join(` and ${TOPIC}-`)} stalled ${r1.resumedMs.map((t) => formatMs(t - r1.crashMs)).join(' and ')} after consumer-a was killed.`,
      `The restarted consumer hit the dead owner's znodes ${r1.restartConflicts} times and failed with ConsumerRebalanceFailed.`,
      `With the 6 s default the stall was ${r2.resumedMs.map((t) => formatMs(t - r2.crashMs)).join(' and ')}; the restart ${r2.restartOutcome}.`,
      `Each crash repeated exactly the messages printed since the last auto-commit: ${r1.duplicates} and ${r2.duplicates}.`,
      `consumer-b's partition kept flowing throughout; all ${sent.length} messages were printed at least once.`,
    ]);
  },
};

const AT_LEAST_ONCE =
  'Auto-commit gives at least once here: a crash repeats up to auto.commit.interval.ms worth of messages.\n' +
  '(It commits what was handed out, not what was processed: lesson 07 shows the loss that also allows.)';

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(run: { duplicatesAreUncommitted: boolean; everythingPrinted: boolean; stallMs: number }): Fact[] {
  return [
    { name: 'printed twice = printed but not committed at the crash', value: run.duplicatesAreUncommitted ? 'yes' : 'no', kind: 'match' },
    { name: 'every acknowledged message printed', value: run.everythingPrinted ? 'yes' : 'no', kind: 'match' },
    { name: 'stall after a crash with a 6 s session', value: formatMs(run.stallMs), kind: 'timing' },
  ];
}

// ------------------------------------------------------------------ on a real broker

/** On a broker: the group coordinator's session timeout (a broker's group.min.session.timeout.ms by default) and heartbeat. */
const BROKER_SESSION_MS = 6_000;
const BROKER_HEARTBEAT_MS = 1_000;

/**
 * The lesson on a real broker: two GroupConsumerTest processes in coordinator mode; consumer-a
 * killed (client side) with messages printed but not committed, restarted a second later;
 * consumer-b then leaves cleanly. Claims about the stall are lower bounds (the coordinator cannot
 * expire a member before its session times out) and about which messages came twice.
 */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  const partitions = (await brokerPartitionCounts(runtime, bootstrapServers, [TOPIC], 'lesson-05'))[TOPIC]!;
  const group = await unusedGroup(runtime, bootstrapServers, GROUP, TOPIC, partitions);
  const committed = async () => coordinatorOffsets(runtime, bootstrapServers, group, TOPIC, partitions);
  run.say(
    `The brokers at ${bootstrapServers}: ${TOPIC} has ${partitions} partitions. The group is ${group}` +
      `${group === GROUP ? '' : ` (${GROUP} has offsets from an earlier run)`}.`,
  );
  run.skipped(
    "the crash with the article's zookeeper.session.timeout.ms=40000, and the restarted consumer's conflicts on the dead owner's znodes (ConsumerRebalanceFailed)",
    `owner znodes and ZooKeeper sessions are the ZooKeeper connector's; on a broker the group coordinator decides membership by session.timeout.ms, here ${formatMs(BROKER_SESSION_MS)} (its minimum), so one crash shows it in real time`,
  );
  run.skipped('the moment the session expired', 'a real broker does not tell a client when it expires a member (the simulator reads it from its trace); the stall is measured from what the consumers printed');

  run.heading('1. Two consumer processes, in coordinator mode');
  run.say(
    'consumer-a and consumer-b each run GroupConsumerTest with one stream, the connector in coordinator mode:\n' +
      `  session.timeout.ms=${BROKER_SESSION_MS}, heartbeat.interval.ms=${BROKER_HEARTBEAT_MS}, auto.commit.interval.ms=1000\n` +
      'A member that sends no heartbeat for session.timeout.ms is dropped by the group coordinator, which then\n' +
      `rebalances the group. A producer writes ${1000 / SEND_EVERY_MS} messages a second, message i to partition i % ${partitions}.`,
  );
  const apps: GroupConsumerApp<RealProcess>[] = [];
  const all = () => apps.flatMap((app) => app.deliveries);
  const start = (node: string) => {
    const app = new GroupConsumerApp(runtime, new RealProcess(runtime, node), `GroupConsumerTest@${node}`, {
      'group.id': group,
      'group.coordination': 'coordinator',
      'bootstrap.servers': bootstrapServers,
      'session.timeout.ms': BROKER_SESSION_MS,
      'heartbeat.interval.ms': BROKER_HEARTBEAT_MS,
      'auto.commit.interval.ms': '1000',
    }, { [TOPIC]: 1 });
    apps.push(app);
    return app;
  };
  const a = start('consumer-a');
  const b = start('consumer-b');
  await waitUntil(runtime, () => a.started && b.started && [a, b].every((x) => x.connector.owned().length > 0 && x.connector.owned().every((p) => p.consumedOffset >= 0)), 'the consumers to start');
  let producing = true;
  const producer = produceSteadily(runtime, producerOptions(bootstrapServers), () => producing);
  const owners = (members: readonly GroupConsumerApp[]) => members.map((app) => `${app.name.slice(app.name.indexOf('@') + 1)} owns ${app.connector.owned().map((p) => `${TOPIC}-${p.partition}`).join(', ')}`).join('; ');
  run.say(`${owners([a, b])}.`);

  run.heading('2. consumer-a is killed');
  // Crash when a has printed UNCOMMITTED_AT_CRASH messages its last commit (read from the coordinator) does not cover.
  let rows: Array<{ partition: number; consumed: number; committed: number }> = [];
  const deadline = runtime.nowMs() + 30_000;
  for (;;) {
    if (runtime.nowMs() > deadline) throw new Error('gave up waiting for uncommitted messages on consumer-a after 30000 ms on the broker');
    const offsets = await committed();
    rows = a.connector.owned().map((p) => ({ partition: p.partition, consumed: p.consumedOffset, committed: offsets[p.partition]! }));
    if (rows.every((r) => r.committed >= 0) && rows.reduce((n, r) => n + r.consumed - r.committed, 0) >= UNCOMMITTED_AT_CRASH) break;
    await runtime.sleep(50);
  }
  const printedBefore = new Set(all().map((d) => `${d.partition}/${d.offset}`));
  const crashMs = runtime.nowMs();
  a.process.crash();
  // A commit may have been under way at the kill: what the coordinator holds now is what counts.
  const after = await committed();
  rows = rows.map((r) => ({ ...r, committed: after[r.partition]! }));
  const victimPartitions = rows.map((r) => r.partition);
  const uncommitted = rows.reduce((n, r) => n + r.consumed - r.committed, 0);
  run.say(
    `[${formatMs(crashMs)}] consumer-a is killed (kill -9): its connections close without a LeaveGroup and it sends no\n` +
      'more heartbeats. The coordinator keeps it in the group until its session times out. Its partitions at the crash:',
  );
  run.table(
    ['partition', 'committed offset', 'last printed offset', 'printed, not committed'],
    rows.map((r) => [`${TOPIC}-${r.partition}`, r.committed, r.consumed - 1, r.consumed - r.committed]),
  );
  await runtime.sleep(RESTART_AFTER_MS);
  run.say(`[${formatMs(runtime.nowMs())}] A supervisor restarts GroupConsumerTest on consumer-a: a new member joins the group.`);
  const restarted = start('consumer-a');
  run.say(
    'The join starts a rebalance: every member must join again, and the coordinator waits for all it knows, the\n' +
      'dead one included, until that one\'s session times out. Meanwhile consumer-b gave up its partition too\n' +
      '(eager rebalancing: everyone stops), so nothing is consumed until the dead member is dropped.',
  );
  await waitUntil(runtime, () => victimPartitions.every((p) => all().some((d) => d.partition === p && d.atMs > crashMs)), 'the stalled partitions to be consumed again');
  const resumedMs = victimPartitions.map((p) => all().find((d) => d.partition === p && d.atMs > crashMs)!.atMs);
  await runtime.sleep(1_000);
  const again = all().filter((d) => d.atMs > crashMs && victimPartitions.includes(d.partition) && printedBefore.has(`${d.partition}/${d.offset}`));
  run.table(
    ['partition', 'crash', 'next message printed', 'stalled for'],
    victimPartitions.map((p, i) => [`${TOPIC}-${p}`, formatMs(crashMs), formatMs(resumedMs[i]!), formatMs(resumedMs[i]! - crashMs)]),
  );
  run.claim(
    `the killed consumer's partitions stalled for at least the session timeout less one heartbeat interval (${formatMs(BROKER_SESSION_MS - BROKER_HEARTBEAT_MS)}): the coordinator dropped it only when its session expired`,
    resumedMs.every((t) => t - crashMs >= BROKER_SESSION_MS - BROKER_HEARTBEAT_MS),
    resumedMs.map((t) => formatMs(t - crashMs)).join(', '),
  );
  run.claim('the restarted consumer joined without any conflict and owns partitions', restarted.started && restarted.main.error === undefined && restarted.connector.owned().length > 0);
  run.say(
    `Duplicates: the new owner starts from the committed offsets, so the ${uncommitted} messages consumer-a printed after\n` +
      `its last auto-commit were printed a second time: ${again.map((d) => `${d.value} (${TOPIC}-${d.partition} offset ${d.offset})`).join(', ')}.`,
  );
  run.claim(`the messages printed twice are exactly the ${uncommitted} printed but not committed at the crash`, again.length === uncommitted, `${again.length} duplicates`);
  run.say(`Now ${owners([restarted, b])}.`);

  run.heading('3. consumer-b leaves cleanly');
  run.say('consumer-b calls shutdown(): it commits, then sends LeaveGroup. The coordinator rebalances at once.');
  const bPartitions = b.connector.owned().map((p) => p.partition);
  const leftMs = runtime.nowMs();
  await b.shutdown();
  await waitUntil(runtime, () => bPartitions.every((p) => restarted.deliveries.some((d) => d.partition === p && d.atMs > leftMs)), "consumer-b's partitions to be consumed again");
  const movedMs = Math.max(...bPartitions.map((p) => restarted.deliveries.find((d) => d.partition === p && d.atMs > leftMs)!.atMs)) - leftMs;
  run.say(`${TOPIC}-${bPartitions.join(`, ${TOPIC}-`)} printed again by consumer-a ${formatMs(movedMs)} after the shutdown began.`);
  run.claim('after a clean leave the partitions moved before a session timeout could have passed', movedMs < BROKER_SESSION_MS, formatMs(movedMs));

  run.heading('4. Nothing lost, some twice');
  producing = false;
  const ledger = await producer;
  const sent = ledger.entries.filter((e) => e.fate === 'acknowledged').map((e) => `${e.partition}/${e.offset}`);
  const printedAt = () => new Set(all().map((d) => `${d.partition}/${d.offset}`));
  await waitUntil(runtime, () => sent.every((k) => printedAt().has(k)), 'everything to be printed');
  await restarted.shutdown();
  const mine = all().filter((d) => sent.includes(`${d.partition}/${d.offset}`));
  const twice = mine.length - new Set(mine.map((d) => `${d.partition}/${d.offset}`)).size;
  // A broker that refuses commits during a rebalance (REBALANCE_IN_PROGRESS) makes a member that gives up its partitions repeat some too.
  run.claim(
    `every one of the ${sent.length} acknowledged messages was printed; ${twice} were printed twice, ${twice === uncommitted ? "the crash's" : `the crash's ${uncommitted} among them`}`,
    sent.every((k) => printedAt().has(k)) && twice >= uncommitted && again.length === uncommitted,
  );
  run.say(AT_LEAST_ONCE);
  run.recordFacts(facts({ duplicatesAreUncommitted: again.length === uncommitted, everythingPrinted: sent.every((k) => printedAt().has(k)), stallMs: Math.max(...resumedMs) - crashMs }));
  run.whatYouSaw([
    `consumer-a was killed: ${TOPIC}-${victimPartitions.join(` and ${TOPIC}-`)} stalled ${resumedMs.map((t) => formatMs(t - crashMs)).join(' and ')}, until the coordinator dropped it (session ${formatMs(BROKER_SESSION_MS)}).`,
    'The restarted consumer joined without any conflict: there are no owner znodes, the coordinator assigns.',
    `consumer-b left with shutdown (LeaveGroup): its partition moved within ${formatMs(movedMs)}, no session timeout.`,
    `The crash repeated exactly the ${uncommitted} messages printed since the last auto-commit; all ${sent.length} were printed.`,
    `Skipped here: ${run.skips.length} part(s) that need ZooKeeper or the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
