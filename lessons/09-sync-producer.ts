/**
 * Lesson 09: the synchronous producer, as the article's Java `SyncProduce` writes it.
 *
 * `metadata.broker.list`, `serializer.class=kafka.serializer.StringEncoder`,
 * `partitioner.class=kafka.producer.partiton.SimplePartitioner`, `request.required.acks=1`; a loop
 * sending `<ms timestamp>,www.example.com,<ip>` keyed by a random `192.168.2.x` IP, one message a
 * second. Each `send` waits for the leader's acknowledgement: the latency of every send, then an
 * acknowledgement that never arrives (the network between the producer and the leader is cut
 * just after the leader appended the message) and the duplicate the producer's retry writes.
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { simplePartitioner } from '../src/client/partitioners.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import type { Runtime } from '../src/client/runtime.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { brokerClient, logEndOffsets, readBack, showBrokerTopics } from './lib/broker-topics.ts';
import { showCluster, showLedgers, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { countDelivery, logMessages } from './lib/log-copies.ts';
import { switchedWire } from './lib/wire-switch.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
/** Messages sent before the fault. */
const CALM = 10;
/** The message whose acknowledgement is lost (1-based). */
const UNLUCKY = CALM + 1;
const TOTAL = CALM + 3;
const APP = 'producer-app';
/** On a real broker the loop sleeps this long between sends instead of 1 s (the lesson stays short). */
const BROKER_PAUSE_MS = 100;

interface Sent {
  readonly n: number;
  readonly ip: string;
  readonly value: string;
  readonly startMs: number;
  endMs: number | undefined;
  error: string | undefined;
  /** When send() returned, its ledger entry was acknowledged with an offset (what sync means). */
  ackedOnReturn: boolean;
}

export const lesson: Lesson = {
  id: '09',
  title: 'The synchronous producer',
  summary: 'The article\'s SyncProduce (acks=1, SimplePartitioner, one message a second): the latency of each send, and the duplicate a lost acknowledgement makes.',
  defaultSeed: 9,
  brokerSupport: 'the calm sends run (acks=1, SimplePartitioner, one every 100 ms instead of 1 s) and are read back; the lost acknowledgement and its duplicate (steps 4 to 6) and the latency claim are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['fault.', 'producer.', 'net.held'],
    });

    run.heading('1. The cluster');
    run.say(`Three brokers and ${TOPIC}: ${PARTITIONS} partitions, two replicas each.`);
    showCluster(run, sim, [TOPIC]);

    run.heading('2. SyncProduce, as the article configures it');
    run.say(configText(sim.bootstrapServers, 'the timestamp is the simulation\'s virtual clock in ms, where Java prints the wall-clock time'));

    const app = ClientProcess.on(sim, APP);
    const wire = switchedWire(run, app.runtime, 'SyncProduce', { apis: ['Metadata', 'Produce'] });
    const sent: Sent[] = [];
    let producer: Producer | undefined;
    wire.on = true;
    const task = app.run('SyncProduce', async () => {
      await syncProduce(wire.runtime, sim.bootstrapServers, TOTAL, 1000, sent, (p) => (producer = p));
    });
    const done = (n: number) => sent.length >= n && sent[n - 1]!.endMs !== undefined;

    run.heading(`3. ${CALM} messages, one a second`);
    run.say('The first send, on the wire: the producer fetches metadata first (it has none yet), then sends.');
    await sim.runUntil(() => done(1), { description: 'the first send' });
    wire.on = false;
    await sim.runUntil(() => done(CALM), { description: `${CALM} sends` });
    const ledger = producer!.ledger;
    const partitionOf = (ip: string) => simplePartitioner(ip, PARTITIONS);
    const latency = (s: Sent) => s.endMs! - s.startMs;
    run.table(
      ['#', 'key (ip)', 'x % 3', 'partition', 'offset', 'send took'],
      sent.slice(0, CALM).map((s, i) => [s.n, s.ip, partitionOf(s.ip), ledger.entries[i]!.partition ?? '-', ledger.entries[i]!.offset ?? '-', formatMs(latency(s))]),
    );
    const calm = sent.slice(0, CALM);
    const calmLatencies = calm.slice(1).map(latency);
    run.say(
      `The first send took ${formatMs(latency(calm[0]!))}: metadata and a new connection first. The others took ${formatMs(Math.min(...calmLatencies))} to ${formatMs(Math.max(...calmLatencies))}:\n` +
        'one round trip to the leader, which appends and answers (acks=1 does not wait for the follower),\n' +
        'plus a TCP handshake the first time a leader is used.',
    );
    run.claim(
      'every message went to partition x % 3 of its key 192.168.2.x, and was acknowledged',
      calm.every((s, i) => ledger.entries[i]!.fate === 'acknowledged' && ledger.entries[i]!.partition === partitionOf(s.ip)),
    );
    run.claim('after the first, each send returned within milliseconds (under 20 ms): one round trip, no waiting for the follower', calmLatencies.every((ms) => ms < 20), calmLatencies.join(', '));

    run.heading('4. An acknowledgement that never arrives');
    run.say(
      `Message ${UNLUCKY} reaches its leader, which appends it. At that moment the network between ${APP}\n` +
        'and that broker is cut: the answer cannot get back. The producer waits request.timeout.ms.',
    );
    wire.on = true;
    await sim.runUntil(() => sent.length >= UNLUCKY, { description: `message ${UNLUCKY} to be sent` });
    const unlucky = sent[UNLUCKY - 1]!;
    const unluckyEntry = ledger.entries[UNLUCKY - 1]!;
    const partition = partitionOf(unlucky.ip);
    const leader = sim.leaderOf(TOPIC, partition)!;
    const leoBefore = sim.replica(leader, TOPIC, partition)!.log.logEndOffset;
    await sim.runUntil(() => sim.replica(leader, TOPIC, partition)!.log.logEndOffset > leoBefore, { description: `broker ${leader} to append message ${UNLUCKY}` });
    const appendedMs = sim.kernel.nowMs;
    run.say(`  [${formatMs(appendedMs)}] broker ${leader} (leader of ${TOPIC}-${partition}) appended message ${UNLUCKY} at offset ${leoBefore}.`);
    sim.applyFault({ kind: 'partition', groups: [[APP], [`broker-${leader}`]] });
    await sim.runUntil(() => unluckyEntry.error !== undefined, { description: 'the producer to give up on the request' });
    const timedOutMs = sim.kernel.nowMs;
    sim.applyFault({ kind: 'heal' });
    await sim.runUntil(() => done(UNLUCKY), { description: `message ${UNLUCKY}'s send to return` });
    wire.on = false;
    await sim.runUntil(() => task.settled, { description: 'the producer to finish' });
    task.result();
    await sim.runFor(1000);

    run.heading('5. Two copies in the log');
    const log = logMessages(sim, leader, TOPIC, partition);
    const copies = log.filter((m) => m.message === unluckyEntry.message);
    const firstShown = Math.max(0, copies[0]!.offset - 1);
    run.table(
      ['offset', 'value', ''],
      log
        .filter((m) => m.offset >= firstShown && m.offset <= copies[copies.length - 1]!.offset + 1)
        .map((m) => [
          m.offset,
          m.value,
          m.message !== unluckyEntry.message ? '' : m.offset === copies[0]!.offset ? `<- message ${UNLUCKY}: its acknowledgement was lost` : `<- message ${UNLUCKY} again: the retry (acknowledged)`,
        ]),
    );
    showCluster(run, sim, [TOPIC]);
    const follower = sim.replica(leader, TOPIC, partition)!.assignedReplicas.find((r) => r !== leader)!;
    const followerCopies = logMessages(sim, follower, TOPIC, partition).filter((m) => m.message === unluckyEntry.message).length;
    run.say(
      `The producer retried, so message ${UNLUCKY} is in ${TOPIC}-${partition} twice (the follower, broker ${follower}, copied both:\n` +
        `${followerCopies} copies). Kafka 0.8 has no producer id or sequence number: a broker cannot tell a\n` +
        'retry from a new message. Every consumer of this partition will read it twice.',
    );
    run.claim(
      `message ${UNLUCKY} is in the leader's log twice, and the producer's acknowledgement names the second copy`,
      copies.length === 2 && unluckyEntry.fate === 'acknowledged' && unluckyEntry.offset === copies[1]!.offset && unluckyEntry.attempts === 2,
      `copies at ${copies.map((c) => c.offset).join(', ')}; ledger ${unluckyEntry.fate} at ${unluckyEntry.offset}, ${unluckyEntry.attempts} attempts`,
    );

    run.heading('6. Which setting did what');
    const retrySentMs = unluckyEntry.settledAtMs!;
    run.table(
      ['setting', 'value', 'what it did here'],
      [
        ['request.timeout.ms', '10000', `the request sent at ${formatMs(unlucky.startMs)} failed at ${formatMs(timedOutMs)}: no answer within it`],
        ['retry.backoff.ms', '100', 'the pause after the failure, before a metadata refresh and the retry'],
        ['message.send.max.retries', '3', 'retries allowed after the first attempt; one was needed'],
      ],
    );
    run.claim(
      'the request failed exactly request.timeout.ms (10 s) after it was sent, and the retry came at least retry.backoff.ms (100 ms) later',
      timedOutMs - unlucky.startMs >= 10_000 && timedOutMs - unlucky.startMs < 10_010 && retrySentMs - timedOutMs >= 100,
      `failed after ${timedOutMs - unlucky.startMs} ms; acknowledged ${retrySentMs - timedOutMs} ms after that`,
    );
    run.correction(
      'it calls retry.backoff.ms "the time without an acknowledgement after which a send counts as\n' +
        'failed". That is request.timeout.ms (10000); retry.backoff.ms is the pause before each retry (100 ms).',
    );
    run.correction(
      'it calls the Python producer\'s req_acks "the number of retries on failure". It is the\n' +
        'acknowledgement level, like request.required.acks here: 0 (none), 1 (the leader), -1 (all in-sync replicas).',
    );

    run.heading('7. The ledger');
    showLedgers(run, { SyncProduce: ledger });
    const delivery = countDelivery(sim, ledger, TOPIC, PARTITIONS);
    run.say(`In the logs: ${delivery.lost.length} message(s) lost, ${delivery.duplicated.length} duplicated (${delivery.extraCopies} extra copy).`);
    run.claim(
      'every message was acknowledged; none is lost, exactly one is duplicated',
      ledger.summary().acknowledged === TOTAL && delivery.lost.length === 0 && delivery.duplicated.length === 1 && delivery.duplicated[0] === unluckyEntry,
    );

    const calmInLog = ledger.entries.slice(0, CALM).filter((e) => (delivery.copies.get(e) ?? []).join() === String(e.offset)).length;
    run.recordFacts(facts({ partitions: PARTITIONS, calm, ledger, inLogAtAckedOffset: calmInLog, duplicates: delivery.extraCopies }));
    const unluckyLatency = latency(unlucky);
    run.whatYouSaw([
      `${TOTAL} messages, each routed by SimplePartitioner to x % 3 of its key 192.168.2.x and acknowledged by the leader (acks=1).`,
      `A normal send took ${formatMs(Math.min(...calmLatencies))} to ${formatMs(Math.max(...calmLatencies))} of virtual time: one round trip; the first ${formatMs(latency(calm[0]!))} (metadata first).`,
      `Message ${UNLUCKY}'s acknowledgement was cut off: the send failed after request.timeout.ms, backed off retry.backoff.ms and retried; it took ${formatMs(unluckyLatency)}.`,
      `The retry wrote it again: ${TOPIC}-${partition} holds it at offsets ${copies.map((c) => c.offset).join(' and ')}; the producer only knows the second.`,
      `Sync means the caller learns each outcome: nothing was lost, at the price of latency and a duplicate.`,
    ]);
  },
};

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

function configText(bootstrapServers: string, clockNote: string): string {
  return (
    '  metadata.broker.list  = ' + bootstrapServers + '\n' +
    '  serializer.class      = kafka.serializer.StringEncoder\n' +
    '  partitioner.class     = kafka.producer.partiton.SimplePartitioner\n' +
    '  request.required.acks = 1      (0: never wait; 1: the leader wrote it; -1: every in-sync replica has it)\n' +
    'Left at their 0.8.2 defaults: message.send.max.retries = 3, retry.backoff.ms = 100,\n' +
    'request.timeout.ms = 10000, producer.type = sync.\n' +
    'The loop: ip = "192.168.2." + rnd.nextInt(255); msg = time + ",www.example.com," + ip;\n' +
    'send(new KeyedMessage("jiketest", ip, msg)); sleep 1 s. SimplePartitioner takes the number after\n' +
    'the last dot: partition = x % 3. (Strings travel as they are here: that is StringEncoder\'s job;\n' +
    `${clockNote}.)`
  );
}

/** The article's SyncProduce loop: `count` sends, each waiting for its acknowledgement, `pauseMs` apart. */
async function syncProduce(runtime: Runtime, bootstrapServers: string, count: number, pauseMs: number, sent: Sent[], started: (producer: Producer) => void): Promise<Producer> {
  const producer = new Producer(runtime, {
    'metadata.broker.list': bootstrapServers,
    'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
    'request.required.acks': 1,
  });
  started(producer);
  for (let n = 1; n <= count; n++) {
    const ip = `192.168.2.${runtime.random.int(0, 254)}`;
    const value = `${runtime.nowMs()},www.example.com,${ip}`;
    const record: Sent = { n, ip, value, startMs: runtime.nowMs(), endMs: undefined, error: undefined, ackedOnReturn: false };
    sent.push(record);
    try {
      await producer.send(keyedMessage(TOPIC, ip, value));
      const entry = producer.ledger.entries.at(-1)!;
      record.ackedOnReturn = entry.fate === 'acknowledged' && entry.offset !== undefined;
    } catch (error) {
      record.error = (error as Error).message;
    }
    record.endMs = runtime.nowMs();
    await runtime.sleep(pauseMs);
  }
  await producer.close();
  return producer;
}

interface CalmFacts {
  readonly partitions: number;
  readonly calm: readonly Sent[];
  readonly ledger: ProducerLedger;
  /** Messages found in the log exactly once at the offset their acknowledgement named (null: not read back). */
  readonly inLogAtAckedOffset: number | null;
  /** Copies the lost acknowledgement's retry added (null: the fault is not injected). */
  readonly duplicates: number | null;
}

/** The facts `kafkasim compare` puts side by side: the calm sends (the same on both), and the fault's outcome. */
function facts(f: CalmFacts): Fact[] {
  const entries = f.ledger.entries.slice(0, f.calm.length);
  const latencies = f.calm.map((s) => s.endMs! - s.startMs);
  return [
    { name: `partitions of ${TOPIC}`, value: f.partitions, kind: 'placement' },
    { name: 'calm messages sent', value: f.calm.length, kind: 'match' },
    { name: 'calm messages acknowledged', value: entries.filter((e) => e.fate === 'acknowledged').length, kind: 'match' },
    { name: 'calm send errors', value: f.calm.filter((s) => s.error !== undefined).length, kind: 'match' },
    { name: 'each send() returned acknowledged', value: f.calm.every((s) => s.ackedOnReturn) ? 'yes' : 'no', kind: 'match' },
    { name: 'partition = x % partitions', value: entries.every((e, i) => e.partition === simplePartitioner(f.calm[i]!.ip, f.partitions)) ? 'every message' : 'not every message', kind: 'match' },
    { name: 'first send took', value: formatMs(latencies[0]!), kind: 'timing' },
    { name: 'later sends took at most', value: formatMs(Math.max(...latencies.slice(1))), kind: 'timing' },
    {
      name: 'calm messages in the log at their acknowledged offset',
      value: f.inLogAtAckedOffset,
      kind: 'match',
      ...(f.inLogAtAckedOffset === null ? { note: 'the simulator run checks the logs of the brokers directly instead (the ledger claim of step 7)' } : {}),
    },
    {
      name: 'duplicates from a lost acknowledgement',
      value: f.duplicates,
      kind: 'match',
      ...(f.duplicates === null ? { note: 'the lost acknowledgement is a network cut the simulator injects; a client cannot cut a real broker\'s network' } : {}),
    },
  ];
}

/** The calm part of the lesson on real brokers, on the wall clock; the fault and what follows are skipped. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. The cluster');
  const admin = await brokerClient(backend, 'lesson-09');
  const partitions = (await showBrokerTopics(run, admin, [TOPIC])).get(TOPIC)!.length;
  run.say(`${TOPIC} has ${partitions} partition(s) here${partitions === PARTITIONS ? '' : ` (the simulator's has ${PARTITIONS}: the broker chose the count)`}.`);
  const logEndBefore = await logEndOffsets(admin, TOPIC, partitions);

  run.heading('2. SyncProduce, as the article configures it');
  run.say(configText(bootstrapServers, `the timestamp is the lesson's wall clock in ms from its start; on a real broker the loop sleeps ${BROKER_PAUSE_MS} ms, not 1 s`));

  run.heading(`3. ${CALM} messages, one every ${BROKER_PAUSE_MS} ms`);
  run.say('The first send, on the wire: the producer fetches metadata first (it has none yet), then sends.');
  const wire = switchedWire(run, runtime, 'SyncProduce', { apis: ['Metadata', 'Produce'] });
  const sent: Sent[] = [];
  wire.on = true;
  let failure: unknown;
  let finished = false;
  const loop = syncProduce(wire.runtime, bootstrapServers, CALM, BROKER_PAUSE_MS, sent, () => {})
    .catch((error: unknown) => {
      failure = error;
      return undefined;
    })
    .finally(() => (finished = true));
  await waitUntil(runtime, () => finished || (sent[0]?.endMs !== undefined), 'the first send');
  wire.on = false;
  const producer = await loop;
  if (producer === undefined) throw failure;
  const ledger = producer.ledger;
  const partitionOf = (ip: string) => simplePartitioner(ip, partitions);
  run.table(
    ['#', 'key (ip)', `x % ${partitions}`, 'partition', 'offset', 'send took'],
    sent.map((s, i) => [s.n, s.ip, partitionOf(s.ip), ledger.entries[i]!.partition ?? '-', ledger.entries[i]!.offset ?? '-', formatMs(s.endMs! - s.startMs)]),
  );
  run.claim(
    `every message went to partition x % ${partitions} of its key 192.168.2.x, and was acknowledged`,
    sent.every((s, i) => ledger.entries[i]!.fate === 'acknowledged' && ledger.entries[i]!.partition === partitionOf(s.ip)),
  );
  run.claim('each send() returned only once its message was acknowledged, with its offset: the caller waits (sync)', sent.every((s) => s.ackedOnReturn));
  run.skipped(
    'the claim that each send after the first took under 20 ms',
    'on a real broker a send takes what the network and the broker take, in wall-clock time; the simulator checks it in virtual time',
  );

  run.say('\nRead back from the broker (a fetch per partition, from where each log ended before this run):');
  const logs = await Promise.all(Array.from({ length: partitions }, (_, p) => readBack(admin, TOPIC, p, logEndBefore[p]!)));
  admin.close();
  const inLog = ledger.entries.filter((e) => logs[e.partition!]!.filter((m) => m.value === payloadToString(e.value)).map((m) => m.offset).join() === String(e.offset)).length;
  run.table(
    ['partition', 'this run\'s messages in the log', 'offsets'],
    logs.map((messages, p) => [`${TOPIC}-${p}`, messages.length, messages.map((m) => m.offset).join(', ')]),
  );
  run.claim(
    'every message is in its partition\'s log once, at the offset its acknowledgement named, and nothing else was written there',
    inLog === CALM && logs.reduce((n, m) => n + m.length, 0) === CALM,
    `${inLog} of ${CALM} found once at their offset`,
  );

  run.heading('4. An acknowledgement that never arrives');
  run.skipped(
    `the lost acknowledgement of message ${UNLUCKY} and the duplicate its retry writes (steps 4 to 6)`,
    'it needs the network between the producer and the leader cut just after the leader appended, which a client cannot do to a real broker; run without --broker to see it',
  );

  run.heading('7. The ledger');
  showLedgers(run, { SyncProduce: ledger });
  const summary = ledger.summary();
  run.claim('every message was acknowledged, none failed or retried', summary.acknowledged === CALM && summary.failed === 0 && summary.retried === 0);
  run.recordFacts(facts({ partitions, calm: sent, ledger, inLogAtAckedOffset: inLog, duplicates: null }));

  const latencies = sent.slice(1).map((s) => s.endMs! - s.startMs);
  run.whatYouSaw([
    `${CALM} messages, each routed by SimplePartitioner to x % ${partitions} of its key 192.168.2.x and acknowledged by the leader (acks=1).`,
    `Each send() returned only with its acknowledgement; on the wall clock a send took ${formatMs(Math.min(...latencies))} to ${formatMs(Math.max(...latencies))}, the first ${formatMs(sent[0]!.endMs! - sent[0]!.startMs)} (metadata first).`,
    'Read back, every message is in the log once, at the offset the broker acknowledged.',
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}
