/**
 * Lesson 10: the asynchronous producer, from the article's Java `ASyncProduce`
 * (`producer.type=async`, `request.required.acks` left at its default, 0).
 *
 * `send` only puts the message in a queue; a send thread (`ProducerSendThread`) takes batches of
 * up to `batch.num.messages` or whatever `queue.buffering.max.ms` collected, and sends them. The
 * lesson shows the batches on the wire, a full queue (`queue.buffering.max.messages`) with
 * `queue.enqueue.timeout.ms` = 0 (QueueFullException, the message dropped) and -1 (the 0.8
 * default: the caller blocks), and acks=0 through a leader crash: messages the producer counts as
 * sent that no log has.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess } from '../src/client/client-process.ts';
import { QueueFullError } from '../src/client/errors.ts';
import type { ProducerConfigInput } from '../src/client/producer/config.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import type { Message } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import { showCluster, showLedgers, startCluster } from './lib/cluster.ts';
import { isMainModule, lessonMain, type Lesson } from './lib/lesson-kit.ts';
import { countDelivery, logMessages } from './lib/log-copies.ts';
import { switchedWire } from './lib/wire-switch.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const APP = 'producer-app';
/** Section 4: what the application offers, one message every OFFER_EVERY_MS. */
const OFFERED = 400;
const OFFER_EVERY_MS = 5;
const SLOW_LINK_MS = 100;

/** The article's message: `<ms timestamp>,www.example.com,192.168.2.x`, keyed by the IP. */
function pageVisit(runtime: Runtime): { ip: string; value: string } {
  const ip = `192.168.2.${runtime.random.int(0, 254)}`;
  return { ip, value: `${runtime.nowMs()},www.example.com,${ip}` };
}

interface Offering {
  readonly producer: Producer;
  /** QueueFullException caught by the application. */
  queueFull: number;
  /** Time the application spent inside send(). */
  blockedMs: number;
  maxSendMs: number;
  offeredDoneMs: number | undefined;
  closedMs: number | undefined;
}

/** An application offering OFFERED messages, one every OFFER_EVERY_MS, to an async producer. */
function offer(sim: Simulation, app: ClientProcess, name: string, config: Omit<ProducerConfigInput, 'metadata.broker.list'>): { state: Offering; settled: () => boolean } {
  let state: Offering | undefined;
  const task = app.run(name, async (runtime) => {
    const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, ...config });
    const s: Offering = { producer, queueFull: 0, blockedMs: 0, maxSendMs: 0, offeredDoneMs: undefined, closedMs: undefined };
    state = s;
    const startMs = runtime.nowMs();
    for (let i = 0; i < OFFERED; i++) {
      const dueMs = startMs + i * OFFER_EVERY_MS;
      if (runtime.nowMs() < dueMs) await runtime.sleep(dueMs - runtime.nowMs());
      const { ip, value } = pageVisit(runtime);
      const before = runtime.nowMs();
      try {
        await producer.send(keyedMessage(TOPIC, ip, value));
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
        s.queueFull++;
      }
      s.blockedMs += runtime.nowMs() - before;
      s.maxSendMs = Math.max(s.maxSendMs, runtime.nowMs() - before);
    }
    s.offeredDoneMs = runtime.nowMs() - startMs;
    await producer.close();
    s.closedMs = runtime.nowMs() - startMs;
  });
  return {
    get state() {
      return state!;
    },
    settled: () => {
      if (task.settled) task.result();
      return task.settled;
    },
  };
}

export const lesson: Lesson = {
  id: '10',
  title: 'The asynchronous producer',
  summary: 'The article\'s ASyncProduce: send() only queues; batches by batch.num.messages and queue.buffering.max.ms; a full queue drops or blocks; acks=0 loses messages silently when a leader dies.',
  defaultSeed: 10,
  async run(run) {
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['fault.', 'producer.batch-dropped', 'controller.broker-change', 'partition.leader.elected', 'partition.became-follower'],
    });

    run.heading('1. The cluster');
    showCluster(run, sim, [TOPIC]);

    // ------------------------------------------------------------------ 2. the article's loop
    run.heading('2. ASyncProduce, as the article writes it');
    run.say(
      'The same loop as SyncProduce (a 192.168.2.x key, SimplePartitioner, one message a second) with\n' +
        'producer.type = async. request.required.acks is commented out, so it is the 0.8 default: 0.\n' +
        'send() puts the message in the producer\'s queue and returns; the send thread sends a batch when\n' +
        'batch.num.messages (200) are waiting, or queue.buffering.max.ms (5000) after its previous dispatch.',
    );
    const app = ClientProcess.on(sim, APP);
    const wire = switchedWire(run, app.runtime, 'ASyncProduce', { apis: ['Produce'] });
    const LOOP = 12;
    const loopSendMs: number[] = [];
    let article: Producer | undefined;
    wire.on = true;
    const loop = app.run('ASyncProduce', async () => {
      const runtime = wire.runtime;
      article = new Producer(runtime, {
        'metadata.broker.list': sim.bootstrapServers,
        'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
        'producer.type': 'async',
      });
      for (let n = 0; n < LOOP; n++) {
        const { ip, value } = pageVisit(runtime);
        const before = runtime.nowMs();
        await article.send(keyedMessage(TOPIC, ip, value));
        loopSendMs.push(runtime.nowMs() - before);
        await runtime.sleep(1000);
      }
      await article.close();
    });
    await sim.runUntil(() => loop.settled, { description: 'the article\'s loop' });
    loop.result();
    wire.on = false;
    const waits = article!.ledger.entries.map((e) => e.settledAtMs! - e.sentAtMs);
    const produceRequests = wire.sent.filter((r) => r.request.api === 'Produce').length;
    run.say(
      `${LOOP} messages, ${produceRequests} requests. A message waited in the queue ${formatMs(Math.min(...waits))} to ${formatMs(Math.max(...waits))} before it was sent.`,
    );
    run.claim('every send() returned at once (0 ms of virtual time)', loopSendMs.every((ms) => ms === 0));
    run.claim(
      'messages waited in the queue for the next dispatch, at most queue.buffering.max.ms (5 s) plus the connection set-up',
      Math.max(...waits) >= 4000 && Math.max(...waits) <= 5050 && produceRequests < LOOP,
      `waits ${Math.min(...waits)}..${Math.max(...waits)} ms, ${produceRequests} requests`,
    );
    const loopSummary = article!.ledger.summary();
    run.say(
      `The ledger: ${loopSummary.sent} sent, ${loopSummary.unknown} "unknown": with acks=0 the broker never answers, so the producer\n` +
        'cannot know whether a message arrived. (The last batch left at close(), which sends what is queued.)',
    );

    // ------------------------------------------------------------------ 3. batch.num.messages
    run.heading('3. A burst: batch.num.messages');
    const BURST = 450;
    run.say(`The application now hands over ${BURST} messages at once (no sleep). Batches of 200 leave at once; the rest\nwaits for queue.buffering.max.ms.`);
    let burster: Producer | undefined;
    const burstWire = switchedWire(run, app.runtime, 'burst', { apis: ['Produce'] });
    burstWire.on = true;
    const burst = app.run('burst', async () => {
      const runtime = burstWire.runtime;
      burster = new Producer(runtime, {
        'metadata.broker.list': sim.bootstrapServers,
        'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
        'producer.type': 'async',
      });
      for (let n = 0; n < BURST; n++) {
        const { ip, value } = pageVisit(runtime);
        await burster.send(keyedMessage(TOPIC, ip, value));
      }
      await runtime.sleep(6000);
      await burster.close();
    });
    await sim.runUntil(() => burst.settled, { description: 'the burst' });
    burst.result();
    burstWire.on = false;
    const burstProduces = burstWire.sent.filter((r) => r.request.api === 'Produce');
    const firstMs = burstProduces[0]!.atMs;
    const early = burstProduces.filter((r) => r.atMs - firstMs < 1000);
    const late = burstProduces.filter((r) => r.atMs - firstMs >= 1000);
    const count = (list: typeof burstProduces) => list.reduce((n, r) => n + (r.request.api === 'Produce' ? r.request.data.reduce((m, d) => m + d.messages.length, 0) : 0), 0);
    const sizes = [count(early), count(late)];
    run.say(
      `${sizes[0]} messages left at once (two batches of 200, one request per leader each); the last ${sizes[1]} waited\n` +
        `${formatMs(late[0]!.atMs - firstMs)} for queue.buffering.max.ms, counted from the previous dispatch.`,
    );
    run.claim(
      'the burst left as two full batches of batch.num.messages (200) at once and the remainder about queue.buffering.max.ms later',
      sizes[0] === 400 && sizes[1] === BURST - 400 && late[0]!.atMs - firstMs >= 5000 && late[0]!.atMs - firstMs < 5100,
      `${sizes.join(' + ')}, ${late[0]!.atMs - firstMs} ms apart`,
    );

    // ------------------------------------------------------------------ 4. a full queue
    run.heading('4. A full queue: queue.enqueue.timeout.ms');
    run.say(
      `The queue holds queue.buffering.max.messages (10000 by default; 100 here). It fills when the send thread is\n` +
        `slower than the application. Here the application offers ${OFFERED} messages, one every ${OFFER_EVERY_MS} ms, with acks=1,\n` +
        `batch.num.messages 50, and a slow network: ${SLOW_LINK_MS} ms each way between ${APP} and every broker.`,
    );
    for (const id of sim.brokers.keys()) sim.applyFault({ kind: 'link-delay', from: APP, to: `broker-${id}`, latencyMs: SLOW_LINK_MS });
    const base = {
      'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
      'producer.type': 'async',
      'request.required.acks': 1,
      'queue.buffering.max.messages': 100,
      'batch.num.messages': 50,
      'queue.buffering.max.ms': 100,
    } as const;
    const dropper = offer(sim, app, 'enqueue-timeout-0', { ...base, 'queue.enqueue.timeout.ms': 0 });
    await sim.runUntil(dropper.settled, { description: 'the producer with queue.enqueue.timeout.ms=0' });
    const blocker = offer(sim, app, 'enqueue-timeout-minus-1', { ...base, 'queue.enqueue.timeout.ms': -1 });
    await sim.runUntil(blocker.settled, { description: 'the producer with queue.enqueue.timeout.ms=-1' });
    for (const id of sim.brokers.keys()) sim.applyFault({ kind: 'link-delay', from: APP, to: `broker-${id}`, latencyMs: 1, jitterMs: 1 });
    const d = dropper.state;
    const b = blocker.state;
    const dropDelivery = countDelivery(sim, d.producer.ledger, TOPIC, PARTITIONS);
    const blockDelivery = countDelivery(sim, b.producer.ledger, TOPIC, PARTITIONS);
    run.table(
      ['queue.enqueue.timeout.ms', 'QueueFullException', 'dropped (ledger)', 'in the log', 'longest send()', `offering ${OFFERED} took`],
      [
        ['0 (drop at once)', d.queueFull, d.producer.ledger.summary().dropped, OFFERED - dropDelivery.lost.length, formatMs(d.maxSendMs), formatMs(d.offeredDoneMs!)],
        ['-1 (block; the 0.8 default)', b.queueFull, b.producer.ledger.summary().dropped, OFFERED - blockDelivery.lost.length, formatMs(b.maxSendMs), formatMs(b.offeredDoneMs!)],
      ],
    );
    run.say(
      `With 0, send() threw QueueFullException whenever the queue was full and the message was gone: ${d.queueFull} of ${OFFERED}.\n` +
        'With -1, send() waited for room: nothing dropped, but the application was held up: it is throttled\n' +
        'to the speed of the send thread, as a sync producer would be.',
    );
    run.claim(
      'with queue.enqueue.timeout.ms=0 messages were dropped, each with a QueueFullException, and none of them is in the log',
      d.queueFull > 0 && d.queueFull === d.producer.ledger.summary().dropped && dropDelivery.lost.every((e) => e.fate === 'dropped') && dropDelivery.lost.length === d.queueFull,
      `${d.queueFull} exceptions, ${d.producer.ledger.summary().dropped} dropped, ${dropDelivery.lost.length} missing`,
    );
    run.claim(
      'with queue.enqueue.timeout.ms=-1 nothing was dropped, every message is in the log, and the caller was blocked instead',
      b.queueFull === 0 && b.producer.ledger.summary().dropped === 0 && blockDelivery.lost.length === 0 && b.maxSendMs > 0 && b.offeredDoneMs! > d.offeredDoneMs!,
    );

    // ------------------------------------------------------------------ 5. acks=0 and a leader crash
    run.heading('5. acks=0 and a leader crash');
    run.say(
      'Back to the article\'s ASyncProduce (acks=0, every default), with a busier upstream: ten messages a second\n' +
        'for 30 s. A leader crashes right after it appended a batch and before its follower copied it: any crash\n' +
        'loses what falls in that window; the lesson picks the moment so every run shows it.',
    );
    const LONG = 300;
    let silent: Producer | undefined;
    const quiet = app.run('ASyncProduce (2)', async (runtime) => {
      silent = new Producer(runtime, {
        'metadata.broker.list': sim.bootstrapServers,
        'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
        'producer.type': 'async',
      });
      for (let n = 0; n < LONG; n++) {
        const { ip, value } = pageVisit(runtime);
        await silent.send(keyedMessage(TOPIC, ip, value));
        await runtime.sleep(100);
      }
      await silent.close();
    });
    const behind = () => {
      for (let p = 0; p < PARTITIONS; p++) {
        const leader = sim.leaderOf(TOPIC, p);
        if (leader === undefined) continue;
        const state = sim.replica(leader, TOPIC, p)!;
        const leo = state.log.logEndOffset;
        if (state.isr.some((r) => r !== leader && (sim.replica(r, TOPIC, p)?.log.logEndOffset ?? 0) < leo)) return { p, leader };
      }
      return undefined;
    };
    await sim.runUntil(() => silent !== undefined && silent.ledger.entries.some((e) => e.fate === 'unknown') && behind() !== undefined, {
      description: 'a leader to append a batch its follower has not copied yet',
    });
    const victim = behind()!;
    const crashMs = sim.kernel.nowMs;
    // What only the victim has: appended, not yet copied by its follower.
    const onlyOnVictim = new Set<Message>();
    for (let p = 0; p < PARTITIONS; p++) {
      if (sim.leaderOf(TOPIC, p) !== victim.leader) continue;
      const follower = sim.replica(victim.leader, TOPIC, p)!.assignedReplicas.find((r) => r !== victim.leader)!;
      const copied = sim.replica(follower, TOPIC, p)!.log.logEndOffset;
      for (const m of logMessages(sim, victim.leader, TOPIC, p)) if (m.offset >= copied) onlyOnVictim.add(m.message);
    }
    sim.applyFault({ kind: 'broker-crash', broker: victim.leader });
    await sim.runFor(20_000);
    sim.applyFault({ kind: 'broker-restart', broker: victim.leader });
    await sim.runUntil(() => quiet.settled, { description: 'the second loop' });
    quiet.result();
    await sim.runUntil(
      () => [...Array(PARTITIONS).keys()].every((p) => sim.leaderOf(TOPIC, p) !== undefined && sim.replica(sim.leaderOf(TOPIC, p)!, TOPIC, p)!.isr.length === 2),
      { description: 'every partition to have two in-sync replicas again' },
    );
    await sim.runFor(2000);
    showCluster(run, sim, [TOPIC]);
    const ledger = silent!.ledger;
    const delivery = countDelivery(sim, ledger, TOPIC, PARTITIONS);
    const silentLoss = delivery.lost.filter((e) => e.fate === 'unknown');
    const failedLoss = delivery.lost.filter((e) => e.fate === 'failed');
    showLedgers(run, { 'ASyncProduce (2)': ledger });
    const truncated = silentLoss.filter((e) => onlyOnVictim.has(e.message)).length;
    run.say(`Broker ${victim.leader} crashed at ${formatMs(crashMs)} with ${onlyOnVictim.size} message(s) its follower had not copied yet. Of ${ledger.entries.length} messages, ${delivery.lost.length} are in no log:`);
    run.table(
      ['fate in the ledger', 'in no log', 'what happened'],
      [
        ['unknown (acks=0)', truncated, 'only in the dead leader\'s log: the new leader never had them, the old one truncated them'],
        ['unknown (acks=0)', silentLoss.length - truncated, 'written into the dead broker\'s connection before the producer saw it reset'],
        ['failed', failedLoss.length, 'metadata still named the dead leader: 4 attempts, then logged and dropped'],
      ],
    );
    run.say(
      'The application called send() for each of them and heard nothing: no exception, no callback.' +
        (ledger.summary().retried === 0
          ? ''
          : `\n(The ${ledger.summary().retried} "retried" found the connection to the dead broker already closed: written nowhere, so\nthe send thread sent them again, to the new leader once there was one.)`),
    );
    run.claim(
      'acks=0 lost messages silently: the ones only the crashed leader had are in no log, and the producer considers them sent ("unknown")',
      onlyOnVictim.size > 0 && truncated === onlyOnVictim.size && ledger.summary().acknowledged === 0,
      `${silentLoss.length} silent, ${failedLoss.length} failed`,
    );
    run.claim('every message missing from the logs is one the producer either wrote blind (acks=0) or gave up on', delivery.lost.every((e) => e.fate === 'unknown' || e.fate === 'failed'));
    run.correction(
      '"async has a high loss rate" is true with queue.enqueue.timeout.ms=0 (drop when full) or acks=0 (no\n' +
        'acknowledgement, as in its ASyncProduce). With the 0.8 default -1 a full queue blocks the caller instead,\n' +
        'and with acks=1 or -1 the producer hears of every failed write and retries it (the send thread drops a\n' +
        'batch only after message.send.max.retries).',
    );

    run.whatYouSaw([
      `send() returned in 0 ms; the article's loop (one message a second) went out in ${produceRequests} requests, a round every queue.buffering.max.ms (5 s).`,
      `A burst of ${BURST} left as two batches of 200 (batch.num.messages) at once, the other ${sizes[1]} after queue.buffering.max.ms.`,
      `A full queue with queue.enqueue.timeout.ms=0: ${d.queueFull} of ${OFFERED} messages dropped with QueueFullException; with -1 none, the caller blocked up to ${formatMs(b.maxSendMs)} per send.`,
      `acks=0 through a leader crash: ${silentLoss.length} message(s) the producer counted as sent are in no log, and ${failedLoss.length} more were dropped by the send thread; the caller heard of none.`,
    ]);
  },
};

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
