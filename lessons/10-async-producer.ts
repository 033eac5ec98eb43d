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
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { payloadToString, producedCount } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import type { LessonBackend } from './lib/backend.ts';
import { brokerClient, logEndOffsets, readBackUntil, showBrokerTopics, type LoggedMessage } from './lib/broker-topics.ts';
import { showCluster, showLedgers, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { countDelivery, logMessages } from './lib/log-copies.ts';
import { switchedWire, type SentRequest } from './lib/wire-switch.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const APP = 'producer-app';
/** Section 4: what the application offers, one message every OFFER_EVERY_MS. */
const OFFERED = 400;
const OFFER_EVERY_MS = 5;
const SLOW_LINK_MS = 100;
/** Section 2: the article's loop. */
const LOOP = 12;
/** On a real broker: the article loop's pause, and how long the burst waits before close(). */
const BROKER_PAUSE_MS = 100;
const BROKER_BURST_WAIT_MS = 1_500;
/** Section 3: messages handed over at once. */
const BURST = 450;

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

/** An application offering OFFERED messages, one every `everyMs` (0: all at once), to an async producer. */
async function offerLoop(runtime: Runtime, bootstrapServers: string, config: Omit<ProducerConfigInput, 'metadata.broker.list'>, everyMs: number, started: (state: Offering) => void): Promise<Offering> {
  const producer = new Producer(runtime, { 'metadata.broker.list': bootstrapServers, ...config });
  const s: Offering = { producer, queueFull: 0, blockedMs: 0, maxSendMs: 0, offeredDoneMs: undefined, closedMs: undefined };
  started(s);
  const startMs = runtime.nowMs();
  for (let i = 0; i < OFFERED; i++) {
    const dueMs = startMs + i * everyMs;
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
  return s;
}

/** `offerLoop` as a task of the simulated client machine. */
function offer(sim: Simulation, app: ClientProcess, name: string, config: Omit<ProducerConfigInput, 'metadata.broker.list'>): { state: Offering; settled: () => boolean } {
  let state: Offering | undefined;
  const task = app.run(name, async (runtime) => {
    await offerLoop(runtime, sim.bootstrapServers, config, OFFER_EVERY_MS, (s) => (state = s));
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

/** Section 4's producers: a small queue, small batches, acks=1; only queue.enqueue.timeout.ms differs. */
const FULL_QUEUE_BASE = {
  'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
  'producer.type': 'async',
  'request.required.acks': 1,
  'queue.buffering.max.messages': 100,
  'batch.num.messages': 50,
  'queue.buffering.max.ms': 100,
} as const;

/** The article's ASyncProduce producer: async, SimplePartitioner, acks left at 0. */
function articleProducer(runtime: Runtime, bootstrapServers: string): Producer {
  return new Producer(runtime, {
    'metadata.broker.list': bootstrapServers,
    'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
    'producer.type': 'async',
  });
}

/** The article's ASyncProduce loop: `count` sends, `pauseMs` apart; whether each send() returned with its message still queued. */
async function articleLoop(runtime: Runtime, bootstrapServers: string, count: number, pauseMs: number, loop: ArticleLoop, started: (producer: Producer) => void): Promise<Producer> {
  const producer = articleProducer(runtime, bootstrapServers);
  started(producer);
  for (let n = 0; n < count; n++) {
    const { ip, value } = pageVisit(runtime);
    const before = runtime.nowMs();
    await producer.send(keyedMessage(TOPIC, ip, value));
    loop.sendMs.push(runtime.nowMs() - before);
    loop.queuedOnReturn.push(producer.ledger.entries.at(-1)!.fate === 'pending');
    await runtime.sleep(pauseMs);
  }
  await producer.close();
  return producer;
}

interface ArticleLoop {
  /** How long each send() took. */
  readonly sendMs: number[];
  /** Whether each send() returned while its message was still in the queue (pending in the ledger). */
  readonly queuedOnReturn: boolean[];
}

/** A burst of BURST messages handed over at once; waits `waitMs` (calling `waited`), then closes. */
async function burstLoop(runtime: Runtime, bootstrapServers: string, waitMs: number, started: (producer: Producer) => void, waited: () => void = () => {}): Promise<void> {
  const burster = articleProducer(runtime, bootstrapServers);
  started(burster);
  for (let n = 0; n < BURST; n++) {
    const { ip, value } = pageVisit(runtime);
    await burster.send(keyedMessage(TOPIC, ip, value));
  }
  await runtime.sleep(waitMs);
  waited();
  await burster.close();
}

/** Messages carried by a list of requests (Produce only). */
function carried(requests: readonly SentRequest[]): number {
  return requests.reduce((n, r) => n + (r.request.api === 'Produce' ? r.request.data.reduce((m, d) => m + producedCount(d.messages), 0) : 0), 0);
}

export const lesson: Lesson = {
  id: '10',
  title: 'The asynchronous producer',
  summary: 'The article\'s ASyncProduce: send() only queues; batches by batch.num.messages and queue.buffering.max.ms; a full queue drops or blocks; acks=0 loses messages silently when a leader dies.',
  defaultSeed: 10,
  brokerSupport: 'the article\'s loop (100 ms apart instead of 1 s), the burst and the full queue (filled by a burst instead of a slow network) run and are checked from the ledgers and the logs read back; the timing claims and the leader crash of step 5 are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['fault.', 'producer.batch-dropped', 'controller.broker-change', 'partition.leader.elected', 'partition.became-follower'],
    });

    run.heading('1. The cluster');
    showCluster(run, sim, [TOPIC]);

    // ------------------------------------------------------------------ 2. the article's loop
    run.heading('2. ASyncProduce, as the article writes it');
    run.say(articleText('a second'));
    const app = ClientProcess.on(sim, APP);
    const wire = switchedWire(run, app.runtime, 'ASyncProduce', { apis: ['Produce'] });
    const loopState: ArticleLoop = { sendMs: [], queuedOnReturn: [] };
    const loopSendMs = loopState.sendMs;
    let article: Producer | undefined;
    wire.on = true;
    const loop = app.run('ASyncProduce', async () => {
      await articleLoop(wire.runtime, sim.bootstrapServers, LOOP, 1000, loopState, (p) => (article = p));
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
    run.say(`The application now hands over ${BURST} messages at once (no sleep). Batches of 200 leave at once; the rest\nwaits for queue.buffering.max.ms.`);
    const burstWire = switchedWire(run, app.runtime, 'burst', { apis: ['Produce'] });
    burstWire.on = true;
    const burst = app.run('burst', async () => {
      await burstLoop(burstWire.runtime, sim.bootstrapServers, 6000, () => {});
    });
    await sim.runUntil(() => burst.settled, { description: 'the burst' });
    burst.result();
    burstWire.on = false;
    const burstProduces = burstWire.sent.filter((r) => r.request.api === 'Produce');
    const firstMs = burstProduces[0]!.atMs;
    const early = burstProduces.filter((r) => r.atMs - firstMs < 1000);
    const late = burstProduces.filter((r) => r.atMs - firstMs >= 1000);
    const sizes = [carried(early), carried(late)];
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
    const base = FULL_QUEUE_BASE;
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

    run.recordFacts(
      facts({
        loop: loopState,
        loopLedger: article!.ledger,
        loopRequests: produceRequests,
        loopInLog: LOOP - countDelivery(sim, article!.ledger, TOPIC, PARTITIONS).lost.length,
        burstAtOnce: sizes[0]!,
        burstTotal: sizes[0]! + sizes[1]!,
        dropper: d,
        blocker: b,
        lostSilently: silentLoss.length,
      }),
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

interface RunFacts {
  readonly loop: ArticleLoop;
  readonly loopLedger: ProducerLedger;
  readonly loopRequests: number;
  /** The article loop's messages found in the logs. */
  readonly loopInLog: number;
  /** Burst messages sent before the remainder's wait ended, and in all. */
  readonly burstAtOnce: number;
  readonly burstTotal: number;
  readonly dropper: Offering;
  readonly blocker: Offering;
  /** acks=0 messages lost silently through the leader crash (null: the crash is not injected). */
  readonly lostSilently: number | null;
}

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(f: RunFacts): Fact[] {
  const loop = f.loopLedger.summary();
  const d = f.dropper.producer.ledger.summary();
  const b = f.blocker.producer.ledger.summary();
  return [
    { name: 'article loop: messages sent', value: loop.sent, kind: 'match' },
    { name: 'article loop: send() returned with the message queued', value: f.loop.queuedOnReturn.every((q) => q) ? 'every time' : 'not always', kind: 'match' },
    { name: 'article loop: acknowledged / unknown (acks=0)', value: `${loop.acknowledged} / ${loop.unknown}`, kind: 'match' },
    { name: 'article loop: fewer requests than messages', value: f.loopRequests < loop.sent ? 'yes' : 'no', kind: 'match' },
    { name: 'article loop: messages in the logs', value: f.loopInLog, kind: 'match' },
    { name: 'article loop: produce requests', value: f.loopRequests, kind: 'timing' },
    { name: 'burst: messages', value: f.burstTotal, kind: 'match' },
    { name: 'burst: left at once (2 x batch.num.messages)', value: f.burstAtOnce, kind: 'match' },
    { name: 'full queue, timeout 0: every QueueFullException a dropped message', value: f.dropper.queueFull > 0 && f.dropper.queueFull === d.dropped ? 'yes' : 'no', kind: 'match' },
    { name: 'full queue, timeout 0: dropped + acknowledged', value: d.dropped + d.acknowledged, kind: 'match' },
    { name: 'full queue, timeout 0: dropped', value: d.dropped, kind: 'timing' },
    { name: 'full queue, timeout -1: dropped', value: b.dropped, kind: 'match' },
    { name: 'full queue, timeout -1: acknowledged', value: b.acknowledged, kind: 'match' },
    {
      name: 'acks=0 through a leader crash: lost silently',
      value: f.lostSilently,
      kind: 'match',
      ...(f.lostSilently === null ? { note: 'the leader crash is a fault the simulator injects; a client cannot crash a real broker' } : {}),
    },
  ];
}

/** The article's text for section 2, with what the clock and the pause are on this backend. */
function articleText(pause: string): string {
  return (
    `The same loop as SyncProduce (a 192.168.2.x key, SimplePartitioner, one message ${pause}) with\n` +
    'producer.type = async. request.required.acks is commented out, so it is the 0.8 default: 0.\n' +
    'send() puts the message in the producer\'s queue and returns; the send thread sends a batch when\n' +
    'batch.num.messages (200) are waiting, or queue.buffering.max.ms (5000) after its previous dispatch.'
  );
}

/** The lesson on real brokers, on the wall clock: the loop, the burst and the full queue; the crash is skipped. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. The cluster');
  const admin = await brokerClient(backend, 'lesson-10');
  const partitions = (await showBrokerTopics(run, admin, [TOPIC])).get(TOPIC)!.length;
  const logEndBefore = await logEndOffsets(admin, TOPIC, partitions);

  run.heading('2. ASyncProduce, as the article writes it');
  run.say(`${articleText(`every ${BROKER_PAUSE_MS} ms`)}\n(On a real broker the loop sleeps ${BROKER_PAUSE_MS} ms, not 1 s, to keep the lesson short.)`);
  const wire = switchedWire(run, runtime, 'ASyncProduce', { apis: ['Produce'] });
  const loopState: ArticleLoop = { sendMs: [], queuedOnReturn: [] };
  wire.on = true;
  const article = await articleLoop(wire.runtime, bootstrapServers, LOOP, BROKER_PAUSE_MS, loopState, () => {});
  wire.on = false;
  const produceRequests = wire.sent.filter((r) => r.request.api === 'Produce').length;
  run.say(`${LOOP} messages, ${produceRequests} request(s); send() took ${formatMs(Math.min(...loopState.sendMs))} to ${formatMs(Math.max(...loopState.sendMs))} of wall-clock time.`);
  run.claim('every send() returned with its message still in the queue: the caller never waited for a broker', loopState.queuedOnReturn.every((q) => q));
  run.claim(`the ${LOOP} messages left in fewer requests than messages: the send thread batches what is queued`, produceRequests > 0 && produceRequests < LOOP, `${produceRequests} requests`);
  run.skipped(
    'the claim that messages waited in the queue up to queue.buffering.max.ms (5 s)',
    `on a real broker the loop sleeps ${BROKER_PAUSE_MS} ms, so it ends before the first 5 s dispatch and close() sends what is queued; the simulator checks the wait in virtual time`,
  );
  const loopValues = new Set(article.ledger.entries.map((e) => payloadToString(e.value)));
  const inLog = (logs: readonly LoggedMessage[][]) => logs.flat().filter((m) => loopValues.has(m.value)).length;
  const loopInLog = inLog(await readBackUntil(runtime, admin, TOPIC, logEndBefore, (logs) => inLog(logs) >= LOOP));
  const loopSummary = article.ledger.summary();
  run.say(
    `The ledger: ${loopSummary.sent} sent, ${loopSummary.unknown} "unknown": with acks=0 the broker never answers. Reading the\n` +
      `partitions back (from where they ended before this run) finds ${loopInLog} of them: nothing failed, but only a reader can tell.`,
  );
  run.claim(`with acks=0 the producer learned nothing of its ${LOOP} messages, and all of them are in the logs`, loopSummary.unknown === LOOP && loopInLog === LOOP, `${loopSummary.unknown} unknown, ${loopInLog} read back`);

  run.heading('3. A burst: batch.num.messages');
  run.say(`The application hands over ${BURST} messages at once, waits ${BROKER_BURST_WAIT_MS / 1000} s (on a real broker; 6 s on the simulator) and closes.`);
  const burstWire = switchedWire(run, runtime, 'burst', { apis: ['Produce'] });
  let atOnce = 0;
  await burstLoop(burstWire.runtime, bootstrapServers, BROKER_BURST_WAIT_MS, () => {}, () => (atOnce = carried(burstWire.sent)));
  const burstTotal = carried(burstWire.sent);
  run.say(`${atOnce} messages left before the wait ended; the other ${burstTotal - atOnce} were still queued and left at close().`);
  run.claim(
    'two full batches of batch.num.messages (200) left at once; the remainder waited in the queue',
    atOnce === 400 && burstTotal === BURST,
    `${atOnce} at once, ${burstTotal} in all`,
  );
  run.skipped(
    'the claim that the remainder left queue.buffering.max.ms (5 s) after the previous dispatch',
    `on a real broker the lesson waits ${BROKER_BURST_WAIT_MS / 1000} s, not 6 s, and close() sends the remainder; the simulator checks the 5 s in virtual time`,
  );

  run.heading('4. A full queue: queue.enqueue.timeout.ms');
  run.say(
    'The same producers as on the simulator: queue.buffering.max.messages 100, batch.num.messages 50,\n' +
      `acks=1; one with queue.enqueue.timeout.ms 0, one with -1. Each is offered ${OFFERED} messages, all at once.`,
  );
  run.skipped(
    `the slow network of step 4 (${SLOW_LINK_MS} ms each way)`,
    'a client cannot slow down a real broker\'s network; here the application offers its messages all at once instead, which fills the queue the same way',
  );
  const d = await offerLoop(runtime, bootstrapServers, { ...FULL_QUEUE_BASE, 'queue.enqueue.timeout.ms': 0 }, 0, () => {});
  const b = await offerLoop(runtime, bootstrapServers, { ...FULL_QUEUE_BASE, 'queue.enqueue.timeout.ms': -1 }, 0, () => {});
  admin.close();
  const ds = d.producer.ledger.summary();
  const bs = b.producer.ledger.summary();
  run.table(
    ['queue.enqueue.timeout.ms', 'QueueFullException', 'dropped (ledger)', 'acknowledged', 'longest send()', `offering ${OFFERED} took`],
    [
      ['0 (drop at once)', d.queueFull, ds.dropped, ds.acknowledged, formatMs(d.maxSendMs), formatMs(d.offeredDoneMs!)],
      ['-1 (block; the 0.8 default)', b.queueFull, bs.dropped, bs.acknowledged, formatMs(b.maxSendMs), formatMs(b.offeredDoneMs!)],
    ],
  );
  run.claim(
    'with queue.enqueue.timeout.ms=0 messages were dropped, each with a QueueFullException, and every other message was acknowledged',
    d.queueFull > 0 && d.queueFull === ds.dropped && ds.acknowledged === OFFERED - ds.dropped,
    `${d.queueFull} exceptions, ${ds.dropped} dropped, ${ds.acknowledged} acknowledged`,
  );
  run.claim('with queue.enqueue.timeout.ms=-1 nothing was dropped and every message was acknowledged: the caller waited for room instead', b.queueFull === 0 && bs.dropped === 0 && bs.acknowledged === OFFERED);

  run.heading('5. acks=0 and a leader crash');
  run.skipped('the leader crash of step 5 and the messages acks=0 loses through it', 'a client cannot crash a real broker; run without --broker to see it');

  run.recordFacts(
    facts({ loop: loopState, loopLedger: article.ledger, loopRequests: produceRequests, loopInLog, burstAtOnce: atOnce, burstTotal, dropper: d, blocker: b, lostSilently: null }),
  );
  run.whatYouSaw([
    `send() returned with the message still queued; the article's loop went out in ${produceRequests} request(s), and with acks=0 only reading the logs showed all ${LOOP} arrived.`,
    `A burst of ${BURST} left as two batches of 200 (batch.num.messages) at once; the other ${burstTotal - atOnce} waited in the queue.`,
    `A full queue with queue.enqueue.timeout.ms=0: ${d.queueFull} of ${OFFERED} messages dropped with QueueFullException; with -1 none, the caller blocked up to ${formatMs(b.maxSendMs)} per send.`,
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}
