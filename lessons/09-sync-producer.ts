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
import { formatMs } from '../src/sim/index.ts';
import { showCluster, showLedgers, startCluster } from './lib/cluster.ts';
import { isMainModule, lessonMain, type Lesson } from './lib/lesson-kit.ts';
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

interface Sent {
  readonly n: number;
  readonly ip: string;
  readonly value: string;
  readonly startMs: number;
  endMs: number | undefined;
  error: string | undefined;
}

export const lesson: Lesson = {
  id: '09',
  title: 'The synchronous producer',
  summary: 'The article\'s SyncProduce (acks=1, SimplePartitioner, one message a second): the latency of each send, and the duplicate a lost acknowledgement makes.',
  defaultSeed: 9,
  async run(run) {
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['fault.', 'producer.', 'net.held'],
    });

    run.heading('1. The cluster');
    run.say(`Three brokers and ${TOPIC}: ${PARTITIONS} partitions, two replicas each.`);
    showCluster(run, sim, [TOPIC]);

    run.heading('2. SyncProduce, as the article configures it');
    run.say(
      '  metadata.broker.list  = ' + sim.bootstrapServers + '\n' +
        '  serializer.class      = kafka.serializer.StringEncoder\n' +
        '  partitioner.class     = kafka.producer.partiton.SimplePartitioner\n' +
        '  request.required.acks = 1      (0: never wait; 1: the leader wrote it; -1: every in-sync replica has it)\n' +
        'Left at their 0.8.2 defaults: message.send.max.retries = 3, retry.backoff.ms = 100,\n' +
        'request.timeout.ms = 10000, producer.type = sync.\n' +
        'The loop: ip = "192.168.2." + rnd.nextInt(255); msg = time + ",www.example.com," + ip;\n' +
        'send(new KeyedMessage("jiketest", ip, msg)); sleep 1 s. SimplePartitioner takes the number after\n' +
        'the last dot: partition = x % 3. (Strings travel as they are here: that is StringEncoder\'s job;\n' +
        'the timestamp is the simulation\'s virtual clock in ms, where Java prints the wall-clock time.)',
    );

    const app = ClientProcess.on(sim, APP);
    const wire = switchedWire(run, app.runtime, 'SyncProduce', { apis: ['Metadata', 'Produce'] });
    const sent: Sent[] = [];
    let producer: Producer | undefined;
    wire.on = true;
    const task = app.run('SyncProduce', async () => {
      const runtime = wire.runtime;
      producer = new Producer(runtime, {
        'metadata.broker.list': sim.bootstrapServers,
        'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
        'request.required.acks': 1,
      });
      for (let n = 1; n <= TOTAL; n++) {
        const ip = `192.168.2.${runtime.random.int(0, 254)}`;
        const value = `${runtime.nowMs()},www.example.com,${ip}`;
        const record: Sent = { n, ip, value, startMs: runtime.nowMs(), endMs: undefined, error: undefined };
        sent.push(record);
        try {
          await producer.send(keyedMessage(TOPIC, ip, value));
        } catch (error) {
          record.error = (error as Error).message;
        }
        record.endMs = runtime.nowMs();
        await runtime.sleep(1000);
      }
      await producer.close();
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
