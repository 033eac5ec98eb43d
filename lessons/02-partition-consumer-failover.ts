/**
 * Lesson 02: the partition consumer under failure — the article's Java `PartitionConsumerTest`
 * (findLeader, getLastOffset, the fetch loop, findNewLeader; `readPartition` here) while the
 * partition's leader crashes, three times:
 *
 * 1. a crash late in the leader's ZooKeeper ping cycle: the session expires 4.15 s later, the
 *    controller elects a new leader, the loop's leader search finds it within its error budget
 *    and reading goes on where it stopped; a copy of the program exactly as written dies of the
 *    exception `SimpleConsumer.fetch` rethrows;
 * 2. an unclean election (the only ISR member crashes, a lagging replica takes over): a restarted
 *    loop asks for an offset beyond the new leader's log end, gets OffsetOutOfRange, resets to the
 *    latest offset and never reads the messages written since the election;
 * 3. a crash just after the leader's ping: the session lives the whole 6000 ms, longer than the
 *    loop's ~5 s error budget: it gives up after six errors, shortly before the new leader.
 *
 * The fault moments are chosen by state (the leader's last ping, the loop's sleep), and the
 * brokers by lookup, so every claim holds for every seed.
 *
 * With --broker (`runOnBroker`) the fault-free part runs on real brokers with the same loop:
 * findLeader, getLastOffset(EarliestTime), reading this run's messages, and a restart from a saved
 * offset beyond the log end (OffsetOutOfRange, reset to the latest offset: here the learner's
 * wrong offset, not an unclean election). The crashes and the network cut are skipped, saying so.
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { BrokerConnectionError } from '../src/client/errors.ts';
import { PartitionReadAbortedError } from '../src/client/partition-failover.ts';
import { KafkaClient } from '../src/client/kafka-client.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { EARLIEST_TIME, type MetadataResponse } from '../src/protocol/api.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import type { LessonBackend } from './lib/backend.ts';
import { waitUntil } from './lib/backend.ts';
import { logValues, showCluster, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { startPartitionReader, type ReadMessage } from './lib/partition-reader.ts';
import { RealProcess } from './lib/real-process.ts';

const TOPIC = 'jiketest';
const SESSION_TIMEOUT_MS = 6000;
/** The first crash comes this long after the leader's last ZooKeeper ping (pings are 2000 ms apart). */
const LATE_IN_PING_CYCLE_MS = 1850;
const FIRST = 6;
const SECOND = 4;
const BEFORE_CUT = FIRST + SECOND;
const ISR_ONLY = 6;
const NEW_UNREAD = 3;
const NEW_READ = 2;
/** Run 1's maxReads (the article's first argument): it stops after the messages of steps 2-4. */
const MAX_READS = FIRST + SECOND + ISR_ONLY;

/** The ZooKeeper session of a broker (its last contact with ZooKeeper). */
function lastHeardMs(sim: Simulation, broker: number): number {
  const [session] = sim.zookeeper.sessionsOf(`broker-${broker}`);
  return sim.zookeeper.state.sessions[session!]!.lastHeardMs;
}

/** Runs until ZooKeeper hears from `broker` again (its next ping). */
async function untilNextPing(sim: Simulation, broker: number): Promise<void> {
  const heard = lastHeardMs(sim, broker);
  await sim.runUntil(() => lastHeardMs(sim, broker) > heard, { description: `a ZooKeeper ping from broker ${broker}` });
}

export const lesson: Lesson = {
  id: '02',
  title: 'Partition consumer under failure',
  summary: "The article's Java PartitionConsumerTest while the leader crashes: findNewLeader, an OffsetOutOfRange reset after an unclean election, and giving up after six errors.",
  defaultSeed: 2,
  brokerSupport:
    'the fault-free part runs: findLeader, getLastOffset(EarliestTime), the read loop over this run\'s messages, and a restart from an offset beyond the log end (OffsetOutOfRange); the leader crashes and the unclean election are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
      narrate: ['fault.', 'zk.session.expired', 'controller.elected', 'partition.leader.elected', 'isr.shrunk', 'isr.expanded'],
    });
    const seedBrokers = [...sim.brokers.keys()].sort((a, b) => a - b).map((id) => sim.endpointOf(id));
    const producerApp = ClientProcess.on(sim, 'producer-app');
    const producer = new Producer(producerApp.runtime, { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': -1 });
    const produce = async (values: readonly string[]) => {
      const task = producerApp.run('producer', async () => {
        for (const value of values) await producer.send(keyedMessage(TOPIC, null, value));
      });
      await sim.runUntil(() => task.settled, { description: 'the producer' });
      task.result();
    };
    const range = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);

    run.heading('1. The cluster and the program');
    run.say(
      `Three brokers; ${TOPIC} has one partition here, with a replica on every broker. The article's\n` +
        'PartitionConsumerTest reads one partition; its arguments: maxReads, topic, partition, seed hosts, port.\n' +
        `A producer (acks=-1) writes ${FIRST} messages.`,
    );
    await produce(range('test', 0, FIRST));
    const A = sim.leaderOf(TOPIC, 0)!;
    showCluster(run, sim, [TOPIC]);

    run.heading('2. PartitionConsumerTest starts');
    run.say(
      'findLeader asks the seed brokers in turn for the topic metadata; getLastOffset(EarliestTime) asks the\n' +
        'leader where the log starts; then FetchRequests from readOffset, 100000 bytes each, maxWait 0: an\n' +
        `empty answer comes back at once and the loop sleeps 1 s. maxReads is ${MAX_READS}.`,
    );
    let wire = true;
    const consumerApp = ClientProcess.on(sim, 'consumer-app');
    const run1 = startPartitionReader(run, consumerApp, 'run 1', { seedBrokers, topic: TOPIC, partition: 0, maxReads: MAX_READS, wire: () => wire });
    await sim.runUntil(() => run1.read.length === FIRST, { description: 'run 1 to read the first messages' });
    wire = false;
    run1.flush();
    run.claim(
      `findLeader named broker ${A}, the leader, and the loop started at the earliest offset, 0`,
      run1.events.some((e) => e.kind === 'leader-found' && e.text.includes(`broker-${A}:`)) && run1.events.some((e) => e.kind === 'start-offset' && e.text.startsWith('Starting at offset 0 ')),
    );
    run.recordFacts(
      facts({
        partitions: 1,
        partition: 0,
        ledger: producer.ledger,
        leaderAsMetadata: run1.events.some((e) => e.kind === 'leader-found' && e.text.includes(`broker-${A}:`)),
        startOffset: run1.events.some((e) => e.kind === 'start-offset' && e.text.startsWith('Starting at offset 0 ')) ? 0 : -1,
        read: run1.read,
      }),
    );
    run.say(
      'A second copy runs on another machine exactly as the article wrote it: nothing catches the exception\n' +
        'SimpleConsumer.fetch throws when it cannot reach the broker (it reconnects once, then rethrows).',
    );
    const asWritten = startPartitionReader(run, ClientProcess.on(sim, 'other-app'), 'as written', {
      seedBrokers,
      topic: TOPIC,
      partition: 0,
      connectionErrors: 'throw',
      narrate: false,
    });
    await sim.runUntil(() => asWritten.read.length === FIRST, { description: 'the copy to read' });

    run.heading(`3. The leader, broker ${A}, crashes`);
    await untilNextPing(sim, A);
    await sim.runFor(LATE_IN_PING_CYCLE_MS);
    run.say(
      `Broker ${A} dies ${LATE_IN_PING_CYCLE_MS} ms after its last ZooKeeper ping. ZooKeeper expires its session ${SESSION_TIMEOUT_MS} ms after\n` +
        `it last heard from it (zookeeper.session.timeout.ms), so in ${formatMs(SESSION_TIMEOUT_MS - LATE_IN_PING_CYCLE_MS)}; until then the controller does\n` +
        'not know, and every broker\'s metadata still names the dead leader.',
    );
    const crash1Ms = sim.kernel.nowMs;
    sim.applyFault({ kind: 'broker-crash', broker: A });
    await sim.runUntil(() => asWritten.task.settled, { description: 'the copy to fail' });
    const asWrittenError = asWritten.task.error;
    run.say(`  [${formatMs(asWritten.task.settledAtMs!)}] as written: fetch threw ${(asWrittenError as Error).name} (${(asWrittenError as BrokerConnectionError).reason}): run() ends.`);
    await sim.runUntil(() => run1.saw('leader-changed'), { description: 'run 1 to find the new leader' });
    const B = sim.leaderOf(TOPIC, 0)!;
    const C = [...sim.brokers.keys()].find((id) => id !== A && id !== B)!;
    await produce(range('test', FIRST, SECOND));
    await sim.runUntil(() => run1.read.length === BEFORE_CUT, { description: 'run 1 to read on' });
    run1.flush();
    showCluster(run, sim, [TOPIC]);
    const expiredMs = sim.kernel.trace.records.find((r) => r.kind === 'zk.session.expired' && r.timeMs > crash1Ms)!.timeMs;
    const errors1 = run1.events.filter((e) => e.kind === 'fetch-error');
    const sameBefore = run1.events.filter((e) => e.kind === 'same-leader' && e.atMs > crash1Ms && e.atMs < expiredMs);
    const foundMs = run1.events.find((e) => e.kind === 'leader-changed')!.atMs;
    run.claim(
      'the copy as written died of a BrokerConnectionError at its first fetch after the crash',
      asWrittenError instanceof BrokerConnectionError && asWritten.task.settledAtMs! - crash1Ms <= 1100,
    );
    run.claim(
      `until broker ${A}'s session expired (${formatMs(expiredMs - crash1Ms)} after the crash) every leader search got the dead broker back; the first one after found broker ${B}`,
      sameBefore.length > 0 && sameBefore.every((e) => e.text.includes(`broker-${A}:`)) && foundMs > expiredMs,
    );
    run.claim(
      `run 1 found broker ${B} after ${errors1.length} errors (fewer than 6) and read on from offset ${FIRST}: nothing missed, nothing twice`,
      errors1.length >= 1 && errors1.length <= 5 && run1.read.every((m, i) => m.offset === i && m.value === `test ${i}`),
    );
    run.correction(
      'SimpleConsumer.fetch throws when the broker\n' +
        'is unreachable (after one reconnect), and PartitionConsumerTest does not catch it: as written it\n' +
        'ends at the crash, like the copy above; its leader search only runs for error codes. Wrapping the\n' +
        "fetch in try/catch and counting the failure as an error fixes that (run 1 does: readPartition's\n" +
        "connectionErrors 'failover'; 'throw' is the code as written).",
    );

    run.heading('4. An unclean election: OffsetOutOfRange');
    run.say(
      `The network between brokers ${B} and ${C} fails. Broker ${C} cannot fetch, so after replica.lag.time.max.ms\n` +
        `(10 s) leader ${B} drops it from the ISR and acknowledges acks=-1 writes alone.`,
    );
    sim.applyFault({ kind: 'partition', groups: [[`broker-${B}`], [`broker-${C}`]] });
    await sim.runUntil(() => sim.replica(B, TOPIC, 0)!.isr.length === 1, { description: `broker ${B} to shrink the ISR` });
    const isrOnly = range('test', BEFORE_CUT, ISR_ONLY);
    await produce(isrOnly);
    await sim.runUntil(() => run1.task.settled, { description: 'run 1 to reach maxReads' });
    run1.flush();
    const report1 = run1.task.result();
    run.say(`run 1 reached maxReads and exits with readOffset ${report1.nextOffset}. Then broker ${B} crashes and the network heals.`);
    sim.applyFault({ kind: 'broker-crash', broker: B });
    sim.applyFault({ kind: 'heal' });
    await sim.runUntil(() => sim.leaderOf(TOPIC, 0) === C, { description: `broker ${C} to lead` });
    const newUnread = range('new', 0, NEW_UNREAD);
    await produce(newUnread);
    run.say(
      `Unclean election (unclean.leader.election.enable=true, the 0.8.2 default): broker ${C}'s log ended at\n` +
        `offset ${BEFORE_CUT}, so ${isrOnly[0]}..${isrOnly.at(-1)} are gone although acknowledged, and the producer's next messages\n` +
        `took offsets ${BEFORE_CUT}..${BEFORE_CUT + NEW_UNREAD - 1}. Broker ${A} comes back and follows broker ${C}.`,
    );
    sim.applyFault({ kind: 'broker-restart', broker: A });
    await sim.runUntil(() => sim.replica(C, TOPIC, 0)?.isr.length === 2, { description: `broker ${A} to rejoin the ISR` });
    showCluster(run, sim, [TOPIC]);
    run.say(
      `The article always starts at EarliestTime. Say the learner saved readOffset instead and restarts\n` +
        `the program from it: run 2 starts at offset ${report1.nextOffset}, beyond the new leader's log end.`,
    );
    // Start run 2 1.3 s after one of C's ZooKeeper pings: its 1 s polls then fall a few hundred ms
    // after C's pings, so the crash of step 5 (right after a ping) is seen at once.
    await untilNextPing(sim, C);
    await sim.runFor(1300);
    const run2 = startPartitionReader(run, consumerApp, 'run 2', { seedBrokers, topic: TOPIC, partition: 0, startAt: report1.nextOffset });
    await sim.runUntil(() => run2.saw('offset-reset') && run2.wakeAtMs !== undefined, { description: 'run 2 to reset its offset' });
    const newRead = range('new', NEW_UNREAD, NEW_READ);
    await produce(newRead);
    await sim.runUntil(() => run2.read.length === NEW_READ, { description: 'run 2 to read' });
    run2.flush();
    const logC = logValues(sim, C, TOPIC, 0);
    const rows = Array.from({ length: report1.nextOffset - BEFORE_CUT }, (_, i) => {
      const offset = BEFORE_CUT + i;
      const second = run2.read.find((m) => m.offset === offset);
      return [offset, run1.read.find((m) => m.offset === offset)?.value ?? '-', logC[offset] ?? '-', second?.value ?? (logC[offset] === undefined ? '-' : 'NEVER READ')];
    });
    run.table(['offset', `run 1 read (from broker ${B})`, `broker ${C}'s log now`, 'run 2 read'], rows);
    const resetTo = BEFORE_CUT + NEW_UNREAD;
    const neverRead = logC.filter((value, offset) => ![...run1.read, ...run2.read].some((m) => m.offset === offset && m.value === value));
    run.claim(
      `run 2's first fetch got OffsetOutOfRange and the loop reset readOffset from ${report1.nextOffset} to the latest offset, ${resetTo}`,
      run2.events.some((e) => e.kind === 'offset-reset' && e.text.startsWith(`Offset ${report1.nextOffset} `) && e.text.includes(`latest offset ${resetTo}`)),
    );
    run.claim(
      `${newUnread.join(', ')} (offsets ${BEFORE_CUT}..${resetTo - 1}) were never read by anyone; ${isrOnly[0]}..${isrOnly.at(-1)} were acknowledged and read, and no live replica has them`,
      JSON.stringify(neverRead) === JSON.stringify(newUnread) &&
        isrOnly.every((v) => !logC.includes(v) && producer.ledger.entries.some((e) => payloadToString(e.value) === v && e.fate === 'acknowledged')),
    );

    run.heading(`5. Broker ${C} crashes right after a ping: the loop gives up`);
    run.say(
      `This time ZooKeeper has just heard from broker ${C}: its session lives the whole ${SESSION_TIMEOUT_MS} ms. The loop allows\n` +
        'six consecutive errors (numErrors > 5 ends it), each followed by a leader search of about 1 s.',
    );
    // The first ping after which the loop wakes within 100-550 ms: it sees the crash at once.
    const heard = lastHeardMs(sim, C);
    await sim.runUntil(
      () => {
        const now = sim.kernel.nowMs;
        const wake = run2.wakeAtMs;
        return lastHeardMs(sim, C) > heard && lastHeardMs(sim, C) === now && wake !== undefined && wake - now >= 100 && wake - now <= 550;
      },
      { description: `a ping from broker ${C} shortly before run 2 polls` },
    );
    const crash2Ms = sim.kernel.nowMs;
    sim.applyFault({ kind: 'broker-crash', broker: C });
    await sim.runUntil(() => run2.task.settled, { description: 'run 2 to end' });
    const gaveUpMs = run2.task.settledAtMs!;
    await sim.runUntil(() => sim.leaderOf(TOPIC, 0) === A, { description: `broker ${A} to lead` });
    const leadMs = sim.kernel.nowMs;
    showCluster(run, sim, [TOPIC]);
    const abort = run2.task.error;
    const errors2 = run2.events.filter((e) => e.kind === 'fetch-error' && e.atMs >= crash2Ms);
    run.claim(
      `run 2 gave up after 6 consecutive errors, ${formatMs(gaveUpMs - crash2Ms)} after the crash`,
      abort instanceof PartitionReadAbortedError && abort.reason === 'too-many-errors' && errors2.length === 6,
    );
    run.claim(
      `broker ${A} became leader ${formatMs(leadMs - crash2Ms)} after the crash, ${formatMs(leadMs - gaveUpMs)} after the loop gave up`,
      leadMs - crash2Ms >= SESSION_TIMEOUT_MS && leadMs > gaveUpMs,
    );
    run.claim(`broker ${A}'s log holds all ${logC.length} messages ${C} had: the election was clean`, JSON.stringify(logValues(sim, A, TOPIC, 0).slice(0, logC.length)) === JSON.stringify(logC));
    run.say(
      "The loop's budget (about 5 s) is shorter than what 0.8.2 may take to replace a crashed leader: up\n" +
        'to zookeeper.session.timeout.ms (6000 ms) plus the election. Step 3 survived only because that\n' +
        `crash came late in the broker's 2 s ping cycle.`,
    );

    run.whatYouSaw([
      `Crash 1 (broker ${A}): the metadata named the dead leader for ${formatMs(expiredMs - crash1Ms)}; run 1 had ${errors1.length} fetch errors, then read on from broker ${B} at offset ${FIRST}; the copy as written died at once.`,
      `Run 1 read offsets 0..${report1.nextOffset - 1} exactly once and stopped at maxReads ${MAX_READS} with readOffset ${report1.nextOffset}.`,
      `The unclean election left broker ${C} with a log ending at ${BEFORE_CUT}: ${ISR_ONLY} acknowledged messages vanished, and the new ${NEW_UNREAD} took their offsets.`,
      `Run 2, restarted at ${report1.nextOffset}, got OffsetOutOfRange, reset to ${resetTo} and never read ${newUnread.join(', ')}.`,
      `Crash 3 (broker ${C}, just after a ping): run 2 gave up after 6 errors at +${formatMs(gaveUpMs - crash2Ms)}; broker ${A} led at +${formatMs(leadMs - crash2Ms)}.`,
    ]);
  },
};

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

interface FirstReadFacts {
  readonly partitions: number;
  /** The first batch's ledger (step 1's producer). */
  readonly ledger: ProducerLedger;
  /** Whether findLeader named the leader the metadata names. */
  readonly leaderAsMetadata: boolean;
  readonly startOffset: number;
  /** The partition run 1 read (0 on the simulator: the topic has one). */
  readonly partition: number;
  /** What run 1 read of it before any fault. */
  readonly read: readonly ReadMessage[];
}

/** This run's acknowledged messages of `partition`, by offset. */
function acknowledgedIn(entries: ProducerLedger['entries'], partition: number): Array<{ offset: number; value: string }> {
  return entries
    .filter((e) => e.fate === 'acknowledged' && e.partition === partition)
    .map((e) => ({ offset: e.offset!, value: payloadToString(e.value) ?? '' }))
    .sort((a, b) => a.offset - b.offset);
}

/** Whether `read` holds each of `written` exactly once, and in offset order. */
function readOnce(read: readonly ReadMessage[], written: ReadonlyArray<{ offset: number; value: string }>): { inOrder: boolean; once: number } {
  const inOrder = read.every((m, i) => i === 0 || m.offset > read[i - 1]!.offset);
  const once = written.filter((w) => read.filter((m) => m.offset === w.offset && m.value === w.value).length === 1).length;
  return { inOrder, once };
}

/** The facts of the fault-free part (steps 1-2), the same names on both backends. */
function facts(run: FirstReadFacts): Fact[] {
  const summary = run.ledger.summary();
  const written = acknowledgedIn(run.ledger.entries, run.partition);
  const read = readOnce(run.read, written);
  return [
    { name: `partitions of ${TOPIC}`, value: run.partitions, kind: 'placement' },
    { name: 'messages sent', value: summary.sent, kind: 'match' },
    { name: 'messages acknowledged', value: summary.acknowledged, kind: 'match' },
    { name: 'send errors', value: summary.failed + summary.dropped, kind: 'match' },
    { name: 'messages in the partition read', value: written.length, kind: 'placement' },
    { name: 'findLeader named the metadata\'s leader', value: run.leaderAsMetadata ? 'yes' : 'no', kind: 'match' },
    { name: 'start offset (EarliestTime)', value: run.startOffset, kind: 'history' },
    { name: 'messages of this run read (once each)', value: read.once, kind: 'match' },
    { name: 'read in offset order', value: read.inOrder ? 'yes' : 'no', kind: 'match' },
  ];
}

/**
 * The lesson on real brokers: the same loop (`readPartition`) on the wall clock, over this run's
 * messages (the topic may hold earlier ones). What needs a fault is skipped, saying so.
 */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  const producer = new Producer(runtime, { 'metadata.broker.list': bootstrapServers, 'request.required.acks': -1 });
  const produce = async (values: readonly string[]) => {
    for (const value of values) await producer.send(keyedMessage(TOPIC, null, value));
  };
  const range = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);

  run.heading('1. The cluster and the program');
  const admin = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-02' });
  try {
    await admin.ensureTopicExists(TOPIC, 30_000);
    await produce(range('test', 0, FIRST));
    const firstLedger = producer.ledger;
    // The partition the producer's messages went to (a null key: one partition, chosen by the producer): the loop reads it.
    const partition = firstLedger.entries.find((e) => e.fate === 'acknowledged')?.partition ?? 0;
    const metadata = await admin.sendMetadataRequest([TOPIC]);
    const [earliest] = await admin.sendOffsetRequest([{ topic: TOPIC, partition, time: EARLIEST_TIME, maxOffsets: 1 }]);
    if (earliest === undefined || !('offsets' in earliest)) throw new Error(`no earliest offset for ${TOPIC}-${partition} from ${bootstrapServers}`);
    return await readOnBroker(run, backend, { producer, produce, firstLedger, partition, metadata, logStart: earliest.offsets[0]! });
  } finally {
    admin.close();
  }
}

interface BrokerStart {
  readonly producer: Producer;
  readonly produce: (values: readonly string[]) => Promise<void>;
  readonly firstLedger: ProducerLedger;
  readonly partition: number;
  readonly metadata: MetadataResponse;
  readonly logStart: number;
}

/** Steps 1-3 on real brokers, once this run's first messages are written. */
async function readOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }, start: BrokerStart): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  const { producer, produce, firstLedger, partition, metadata, logStart } = start;
  const seedBrokers = bootstrapServers.split(',');
  const app = new RealProcess(runtime, 'lesson-02');
  const range = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);
  const partitions = [...metadata.topics.find((t) => t.topic === TOPIC)!.partitions].sort((a, b) => a.partition - b.partition);
  const p0 = partitions.find((p) => p.partition === partition)!;
  const leaderBroker = metadata.brokers.find((b) => b.id === p0.leader);
  const leaderAddress = leaderBroker === undefined ? '?' : `${leaderBroker.host}:${leaderBroker.port}`;
  run.say(
    `The brokers at ${bootstrapServers} name ${metadata.brokers.length} broker(s); ${TOPIC} has ${partitions.length} partition(s)` +
      `${partitions.length === 1 ? '' : ` (the broker chose the count; the loop reads ${TOPIC}-${partition}, where this run's messages went)`}.\n` +
      `A producer (acks=-1) wrote ${FIRST} messages.`,
  );
  run.table(
    ['partition', 'leader', 'replicas', 'isr'],
    partitions.map((p) => [`${TOPIC}-${p.partition}`, p.leader, p.replicas.join(','), p.isr.join(',')]),
  );
  const written = acknowledgedIn(firstLedger.entries, partition);
  run.say(`The broker acknowledged ${written.length} of them in ${TOPIC}-${partition}, at offsets ${written.map((w) => w.offset).join(', ') || 'none'}.`);

  run.heading('2. PartitionConsumerTest starts');
  run.say(
    'The same loop as on the simulator: findLeader asks the seed brokers for the topic metadata,\n' +
      'getLastOffset(EarliestTime) asks the leader where the log starts, then FetchRequests from readOffset\n' +
      '(maxWait 0, sleep 1 s after an empty answer). The topic may hold messages of earlier runs: the loop\n' +
      'reads from the log start and stops once it has read this run\'s messages.',
  );
  const readThisRun = (read: readonly ReadMessage[]) => written.every((w) => read.some((m) => m.offset >= w.offset));
  let run1Read: readonly ReadMessage[] = [];
  const run1 = startPartitionReader(run, app, 'run 1', { seedBrokers, topic: TOPIC, partition, shouldStop: () => readThisRun(run1Read), printMessages: true });
  run1Read = run1.read;
  await waitUntil(runtime, () => run1.task.settled, 'run 1 to read this run\'s messages');
  run1.flush();
  const report1 = run1.task.result();
  const leaderAsMetadata = report1.leader === leaderAddress && run1.saw('leader-found');
  run.claim(
    `findLeader named the leader the metadata names, broker ${p0.leader} (${leaderAddress}), and the loop started at the earliest offset, ${logStart}`,
    leaderAsMetadata && report1.startOffset === logStart,
  );
  const first = readOnce(run1.read, written);
  run.claim(
    `run 1 read this run's ${written.length} message(s) of ${TOPIC}-${partition} once each, in offset order, at the offsets the broker acknowledged`,
    first.inOrder && first.once === written.length,
  );
  run.recordFacts(facts({ partitions: partitions.length, partition, ledger: firstLedger, leaderAsMetadata, startOffset: report1.startOffset, read: run1.read }));
  run.skipped(
    `the leader crash of step 3 (the copy as written dying of it, findNewLeader finding broker ${p0.leader}'s successor)`,
    'a client cannot crash a real broker; run without --broker to see it',
  );

  run.heading('3. A restart from a saved offset beyond the log end: OffsetOutOfRange');
  const beyond = report1.nextOffset + NEW_UNREAD;
  run.say(
    `On the simulator an unclean election cuts the log below the offset run 1 saved. Here the learner\n` +
      `restarts the loop from a saved offset that is simply wrong: ${beyond}, ${NEW_UNREAD} beyond the log end ${report1.nextOffset}.\n` +
      'The broker answers OffsetOutOfRange and the loop resets to the latest offset, as it would after the election.',
  );
  let run2New: Array<{ offset: number; value: string }> | undefined;
  const run2 = startPartitionReader(run, app, 'run 2', {
    seedBrokers,
    topic: TOPIC,
    partition,
    startAt: beyond,
    shouldStop: () => run2New !== undefined && run2New.every((w) => run2.read.some((m) => m.offset >= w.offset)),
  });
  await waitUntil(runtime, () => run2.saw('offset-reset') || run2.task.settled, 'run 2 to reset its offset');
  const newRead = range('new', 0, NEW_READ);
  const before = producer.ledger.entries.length;
  await produce(newRead);
  const newWritten = acknowledgedIn(producer.ledger.entries.slice(before), partition);
  run2New = newWritten;
  await waitUntil(runtime, () => run2.task.settled, 'run 2 to read the new messages');
  run2.flush();
  const report2 = run2.task.result();
  await producer.close();
  const reset = report2.offsetResets[0];
  run.claim(
    `run 2's first fetch got OffsetOutOfRange and the loop reset readOffset from ${beyond} to the latest offset, ${report1.nextOffset}`,
    reset !== undefined && reset.from === beyond && reset.to === report1.nextOffset && report2.errors[0]?.reason === 'OffsetOutOfRange',
  );
  const second = readOnce(run2.read, newWritten);
  run.claim(`run 2 then read the ${newWritten.length} message(s) written since into ${TOPIC}-${partition}, once each`, second.inOrder && second.once === newWritten.length);
  run.skipped(
    'the unclean election of step 4 (the network cut, the ISR shrinking, the acknowledged messages that vanish) and the crash of step 5 (the loop giving up after six errors)',
    'a client cannot cut the network between real brokers or crash them; run without --broker to see them',
  );

  run.whatYouSaw([
    `findLeader found broker ${p0.leader} (${leaderAddress}), the leader the metadata names; the loop started at the log start, offset ${logStart}.`,
    `Run 1 read this run's ${written.length} message(s) of ${TOPIC}-${partition} once each, at offsets ${written.map((w) => w.offset).join(', ')}, and stopped with readOffset ${report1.nextOffset}.`,
    `Run 2, restarted at ${beyond}, got OffsetOutOfRange, reset to ${report1.nextOffset} and read the ${newWritten.length} new message(s).`,
    `Skipped here: ${run.skips.length} part(s) that need injected faults (see the lines starting "Skipped on a real broker").`,
  ]);
}
