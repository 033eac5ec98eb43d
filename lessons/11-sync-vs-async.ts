/**
 * Lesson 11: sync against async, the article's comparison table (§3.3) measured.
 *
 * Two identical clusters (same seed, same layout), the same upstream of page visits, and ONE fault
 * schedule, as data, applied to both: the network between the producer and one leader is cut for
 * longer than request.timeout.ms (acknowledgements lost), then another leader crashes and comes
 * back. One cluster gets the article's SyncProduce (acks=1), the other its ASyncProduce
 * (producer.type=async, acks left at the default 0). Loss, duplication, latency and throughput
 * are counted from the producers' ledgers and the logs.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess } from '../src/client/client-process.ts';
import { FailedToSendMessageError } from '../src/client/errors.ts';
import type { LedgerEntry } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import type { ScheduledFault } from '../src/sim/faults.ts';
import { formatMs } from '../src/sim/index.ts';
import { payloadToString } from '../src/protocol/message.ts';
import type { LessonBackend } from './lib/backend.ts';
import { brokerClient, logEndOffsets, readBackUntil, showBrokerTopics, type LoggedMessage } from './lib/broker-topics.ts';
import { showCluster, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { countDelivery } from './lib/log-copies.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const APP = 'producer-app';
/** The upstream: BURST page visits every BURST_EVERY_MS (100 a second) for WINDOW_MS. */
const BURST = 10;
const BURST_EVERY_MS = 100;
/** Every link: LINK_MS plus up to LINK_JITTER_MS, each way. */
const LINK_MS = 10;
const LINK_JITTER_MS = 2;
const WINDOW_MS = 24_000;
/** When the faults hit, from the start of the workload. */
const CUT_AT_MS = 2_000;
const CUT_FOR_MS = 11_000;
const CRASH_AT_MS = 15_000;
const RESTART_AT_MS = 22_000;
/** On a real broker the upstream runs this long (no faults to wait for). */
const BROKER_WINDOW_MS = 2_000;

type Mode = 'sync' | 'async';

/** One page visit of the upstream, and what became of it. */
interface Visit {
  /** The ledger entries of every send() of it (sync resends after FailedToSendMessage). */
  readonly entries: LedgerEntry[];
  /** How long the application was inside send() for it, retries included. */
  latencyMs: number;
}

interface Outcome {
  readonly mode: Mode;
  readonly visits: Visit[];
  /** FailedToSendMessageException the sync application caught (and resent after). */
  readonly failures: number;
  /** From the first send to the last send() returning. */
  readonly elapsedMs: number;
  readonly lost: number;
  /** Lost messages by the fate of their last send in the ledger. */
  readonly lostAs: Readonly<Record<string, number>>;
  readonly duplicated: number;
  readonly extraCopies: number;
  /** How long async messages waited in the queue before their request was written. */
  readonly queuedMs: number[];
  /** From the crash to the first new leader for a partition the crashed broker led. */
  readonly leaderlessMs: number;
}

function pageVisit(runtime: Runtime): { ip: string; value: string } {
  const ip = `192.168.2.${runtime.random.int(0, 254)}`;
  return { ip, value: `${runtime.nowMs()},www.example.com,${ip}` };
}

/** The fault schedule, as data, from the cluster's layout (the same in both runs). */
/** What a workload run leaves: every visit, the sync resends, when the last send() returned, its producer. */
interface Workload {
  readonly visits: Visit[];
  failures: number;
  lastReturnMs: number;
  producer: Producer | undefined;
}

/**
 * The upstream through one producer: BURST visits every BURST_EVERY_MS from `startMs` for
 * `windowMs`, each sent (and, sync, sent again after FailedToSendMessage); then close().
 */
async function workload(runtime: Runtime, bootstrapServers: string, mode: Mode, startMs: number, windowMs: number, w: Workload): Promise<void> {
  const producer = new Producer(runtime, {
    'metadata.broker.list': bootstrapServers,
    'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
    ...(mode === 'sync' ? { 'request.required.acks': 1 } : { 'producer.type': 'async' }),
  });
  w.producer = producer;
  const entries = producer.ledger.entries;
  for (let i = 0; ; i++) {
    // Visit i arrives upstream at this time; a producer that is behind takes it at once.
    const arrivesMs = startMs + Math.floor(i / BURST) * BURST_EVERY_MS;
    if (arrivesMs >= startMs + windowMs || runtime.nowMs() >= startMs + windowMs) break;
    if (runtime.nowMs() < arrivesMs) await runtime.sleep(arrivesMs - runtime.nowMs());
    const { ip, value } = pageVisit(runtime);
    const visit: Visit = { entries: [], latencyMs: 0 };
    w.visits.push(visit);
    const before = runtime.nowMs();
    for (;;) {
      const first = entries.length;
      try {
        await producer.send(keyedMessage(TOPIC, ip, value));
        visit.entries.push(...entries.slice(first));
        break;
      } catch (error) {
        // The article's pseudocode: "handle the exception". A sync caller knows the send failed: it sends again.
        if (!(error instanceof FailedToSendMessageError)) throw error;
        visit.entries.push(...entries.slice(first));
        w.failures++;
      }
    }
    visit.latencyMs = runtime.nowMs() - before;
    w.lastReturnMs = runtime.nowMs();
  }
  await producer.close();
}

function faultSchedule(sim: Simulation, startMs: number): { schedule: ScheduledFault[]; cutBroker: number; crashBroker: number } {
  const cutBroker = sim.leaderOf(TOPIC, 0)!;
  const crashBroker = [1, 2].map((p) => sim.leaderOf(TOPIC, p)!).find((b) => b !== cutBroker) ?? [...sim.brokers.keys()].find((b) => b !== cutBroker)!;
  return {
    cutBroker,
    crashBroker,
    schedule: [
      { atMs: startMs + CUT_AT_MS, fault: { kind: 'partition', groups: [[APP], [`broker-${cutBroker}`]] } },
      { atMs: startMs + CUT_AT_MS + CUT_FOR_MS, fault: { kind: 'heal' } },
      { atMs: startMs + CRASH_AT_MS, fault: { kind: 'broker-crash', broker: crashBroker } },
      { atMs: startMs + RESTART_AT_MS, fault: { kind: 'broker-restart', broker: crashBroker } },
    ],
  };
}

function layout(sim: Simulation): string {
  return Array.from({ length: PARTITIONS }, (_, p) => `${p}:${sim.replica(sim.leaderOf(TOPIC, p)!, TOPIC, p)!.assignedReplicas.join(',')}@${sim.leaderOf(TOPIC, p)}`).join(' ');
}

/** One run: the workload through a sync or an async producer, the schedule applied, everything settled. */
async function runOne(run: LessonRun, mode: Mode, schedule: (sim: Simulation, startMs: number) => ScheduledFault[]): Promise<{ outcome: Outcome; sim: Simulation }> {
  const sim = await startCluster(run, {
    brokers: 3,
    topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
    network: { latencyMs: LINK_MS, jitterMs: LINK_JITTER_MS },
    narrate: ['fault.', 'controller.broker-change', 'controller.elected', 'partition.leader.elected'],
  });
  const startMs = sim.kernel.nowMs;
  const app = ClientProcess.on(sim, APP);
  sim.scheduleFaults(schedule(sim, startMs));
  const w: Workload = { visits: [], failures: 0, lastReturnMs: startMs, producer: undefined };
  const task = app.run(mode === 'sync' ? 'SyncProduce' : 'ASyncProduce', (runtime) => workload(runtime, sim.bootstrapServers, mode, startMs, WINDOW_MS, w));
  await sim.runUntil(() => task.settled, { description: `the ${mode} producer to finish` });
  task.result();
  const { visits, failures, lastReturnMs, producer } = w;
  // Let the cluster settle: the crashed broker back in every ISR, replication caught up.
  await sim.runUntil(
    () => Array.from({ length: PARTITIONS }, (_, p) => sim.leaderOf(TOPIC, p)).every((l, p) => l !== undefined && sim.replica(l, TOPIC, p)!.isr.length === 2),
    { description: 'every partition to have two in-sync replicas' },
  );
  await sim.runFor(2000);

  const delivery = countDelivery(sim, producer!.ledger, TOPIC, PARTITIONS);
  let lost = 0;
  let duplicated = 0;
  let extraCopies = 0;
  const lostAs: Record<string, number> = {};
  for (const visit of visits) {
    const copies = visit.entries.reduce((n, e) => n + (delivery.copies.get(e)?.length ?? 0), 0);
    if (copies === 0) {
      lost++;
      const fate = visit.entries[visit.entries.length - 1]?.fate ?? 'never sent';
      lostAs[fate] = (lostAs[fate] ?? 0) + 1;
    }
    if (copies > 1) {
      duplicated++;
      extraCopies += copies - 1;
    }
  }
  const queuedMs = mode === 'async' ? producer!.ledger.entries.filter((e) => e.settledAtMs !== undefined).map((e) => e.settledAtMs! - e.sentAtMs) : [];
  const crashMs = startMs + CRASH_AT_MS;
  const elected = sim.kernel.trace.records.find((r) => r.kind === 'partition.leader.elected' && r.timeMs > crashMs);
  const leaderlessMs = elected === undefined ? NaN : elected.timeMs - crashMs;
  return { sim, outcome: { mode, visits, failures, elapsedMs: lastReturnMs - startMs, lost, lostAs, duplicated, extraCopies, queuedMs, leaderlessMs } };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const max = (xs: readonly number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const perSecond = (o: Outcome) => (o.visits.length * 1000) / o.elapsedMs;
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(n === 0 ? 0 : 2)}%`;
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')} ms`;

export const lesson: Lesson = {
  id: '11',
  title: 'Sync against async',
  summary: 'The article\'s comparison table measured: SyncProduce and ASyncProduce on identical clusters through the same fault schedule: loss, duplication, latency, throughput.',
  defaultSeed: 11,
  brokerSupport: 'both producers run the same upstream for 2 s instead of 24 s, without the fault schedule (a client cannot cut or crash a real broker): latency, throughput and the logs read back are measured; the claims about loss, duplication and throughput under the faults are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    run.heading('1. Two identical clusters, one fault schedule');
    run.say(
      'The article (§3.3) says: sync has low loss, high duplication and high latency; async has low latency,\n' +
        'high throughput and high loss. To measure it, the same experiment runs twice, on two clusters built from\n' +
        `the same seed: three brokers, jiketest with 3 partitions and 2 replicas each, ${LINK_MS} to ${LINK_MS + LINK_JITTER_MS} ms between machines.\n` +
        `Upstream: ${BURST} page visits every ${BURST_EVERY_MS} ms (${(BURST * 1000) / BURST_EVERY_MS} a second) for ${WINDOW_MS / 1000} s, keyed by 192.168.2.x (SimplePartitioner).\n` +
        'Run A: the article\'s SyncProduce (acks=1). When send() throws FailedToSendMessageException the\n' +
        'application sends the message again (its pseudocode says "handle the exception").\n' +
        'Run B: the article\'s ASyncProduce: producer.type=async, request.required.acks left at its default, 0.\n' +
        'Every other setting is the 0.8.2 default.',
    );
    let planned: { schedule: ScheduledFault[]; cutBroker: number; crashBroker: number } | undefined;
    const layouts: string[] = [];
    const plans: string[] = [];
    const plan = (sim: Simulation, startMs: number) => {
      const p = faultSchedule(sim, startMs);
      planned ??= p;
      layouts.push(layout(sim));
      plans.push(JSON.stringify(p.schedule));
      return p.schedule;
    };

    run.heading('2. Run A: SyncProduce');
    const a = await runOne(run, 'sync', (sim, startMs) => {
      const schedule = plan(sim, startMs);
      showCluster(run, sim, [TOPIC]);
      run.say('The fault schedule (data, applied as is to both runs):');
      run.table(
        ['at', 'fault (data)', 'what it does'],
        schedule.map((f) => [formatMs(f.atMs), JSON.stringify(f.fault), sim.faults.describe(f.fault)]),
      );
      return schedule;
    });
    const sync = a.outcome;
    run.say(
      `SyncProduce sent ${sync.visits.length.toLocaleString('en-US')} messages. ${sync.failures} send()s threw FailedToSendMessageException (each followed\n` +
        'by the application\'s resend).',
    );

    run.heading('3. Run B: ASyncProduce');
    const b = await runOne(run, 'async', plan);
    const async = b.outcome;
    run.say(`ASyncProduce sent ${async.visits.length.toLocaleString('en-US')} messages; send() never threw.`);
    run.claim('both runs had the same cluster layout and the same fault schedule', layouts[0] === layouts[1] && plans[0] === plans[1], `${layouts.join(' / ')}`);

    run.heading('4. The table, measured');
    const syncLat = sync.visits.map((v) => v.latencyMs);
    const asyncLat = async.visits.map((v) => v.latencyMs);
    run.table(
      ['', 'A: sync (acks=1)', 'B: async (acks=0)', 'the article says'],
      [
        ['messages sent', sync.visits.length, async.visits.length, ''],
        ['throughput (messages per virtual s)', Math.round(perSecond(sync)), Math.round(perSecond(async)), 'async higher'],
        ['send() latency, mean', ms(mean(syncLat)), ms(mean(asyncLat)), 'sync higher'],
        ['send() latency, max', ms(max(syncLat)), ms(max(asyncLat)), ''],
        ['lost (in no log)', `${sync.lost} (${pct(sync.lost, sync.visits.length)})`, `${async.lost} (${pct(async.lost, async.visits.length)})`, 'async higher'],
        ['duplicated (in a log twice)', `${sync.duplicated} (${pct(sync.duplicated, sync.visits.length)})`, `${async.duplicated} (${pct(async.duplicated, async.visits.length)})`, 'sync higher'],
      ],
    );
    run.claim('async throughput is higher than sync throughput', perSecond(async) > perSecond(sync), `${perSecond(async)} vs ${perSecond(sync)}`);
    run.claim('sync send() latency is higher than async, on average and at worst', mean(syncLat) > mean(asyncLat) && max(syncLat) > max(asyncLat));
    run.claim('sync lost no more than async, and async lost some', sync.lost <= async.lost && async.lost > 0, `${sync.lost} vs ${async.lost}`);
    run.claim('sync duplicated some messages, async none', sync.duplicated > 0 && async.duplicated === 0, `${sync.duplicated} vs ${async.duplicated}`);

    run.heading('5. Why');
    const asyncFailed = async.lostAs['failed'] ?? 0;
    const asyncUnknown = async.lostAs['unknown'] ?? 0;
    run.say(
      `The cut (${CUT_FOR_MS / 1000} s, longer than request.timeout.ms). SyncProduce waited 10 s for an acknowledgement that\n` +
        'could not come, then retried, although the request it gave up on had reached the leader (or did once\n' +
        `the network healed): the message was written twice. That send() took ${formatMs(max(syncLat))} and held up every\n` +
        'message behind it. ASyncProduce with acks=0 waited for nothing: its requests sat in TCP until the\n' +
        'network healed, then arrived, once.\n' +
        `The crash. For ${formatMs(sync.leaderlessMs)}, until ZooKeeper expired the dead broker's session (at most\n` +
        'zookeeper.session.timeout.ms, 6 s, after its last heartbeat) and the controller moved leadership, the\n' +
        'metadata still named the dead broker.\n' +
        `Sync send()s failed after 3 retries 100 ms apart (${sync.failures} FailedToSendMessageExceptions) and the application sent\n` +
        `again until a new leader took over. The async send thread gave up the same way, logged it and dropped\n` +
        `the batch: ${asyncFailed} message(s) ("failed" in the ledger), the caller never told.` +
        (asyncUnknown === 0
          ? ''
          : ` ${asyncUnknown} more ("unknown") went blind\ninto the dead leader: its log, not yet copied, or its socket.`),
    );
    run.say(
      `Async latency is the caller's: its messages still waited in the queue before they left, ${ms(mean(async.queuedMs))} on average\n` +
        `and up to ${ms(max(async.queuedMs))} (queue.buffering.max.ms and batch.num.messages decide).`,
    );
    run.claim(
      'every message async lost is one its producer dropped after retries ("failed") or sent blind with acks=0 ("unknown")',
      asyncFailed + asyncUnknown === async.lost,
      JSON.stringify(async.lostAs),
    );
    run.correction(
      'the table describes its two examples more than the two modes. Async loses because its example leaves\n' +
        'acks at 0 and its send thread drops what fails; async with acks=1 retries like sync (and duplicates too),\n' +
        'and a sync caller that does not resend after FailedToSendMessageException loses the message.',
    );

    run.recordFacts(facts(side(sync, sync.lost, sync.duplicated), side(async, async.lost, async.duplicated), true));
    run.whatYouSaw([
      `One fault schedule on two identical clusters: an ${CUT_FOR_MS / 1000} s cut between the producer and broker ${planned!.cutBroker}, then broker ${planned!.crashBroker} crashed and came back.`,
      `Throughput: async ${Math.round(perSecond(async))} messages per virtual second, sync ${Math.round(perSecond(sync))}.`,
      `send() latency: sync ${ms(mean(syncLat))} on average and ${ms(max(syncLat))} at worst; async ${ms(mean(asyncLat))} and ${ms(max(asyncLat))}.`,
      `Lost: sync ${sync.lost} of ${sync.visits.length}, async ${async.lost} of ${async.visits.length}. Duplicated: sync ${sync.duplicated}, async ${async.duplicated}.`,
    ]);
  },
};

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

/** One run as `kafkasim compare` sees it. */
interface Side {
  readonly sent: number;
  readonly meanLatencyMs: number;
  readonly perSecond: number;
  readonly threw: number;
  /** Visits in no log / in a log more than once (null: not measured under the faults). */
  readonly lost: number | null;
  readonly duplicated: number | null;
}

function side(outcome: Pick<Outcome, 'visits' | 'failures' | 'elapsedMs'>, lost: number | null, duplicated: number | null): Side {
  return {
    sent: outcome.visits.length,
    meanLatencyMs: mean(outcome.visits.map((v) => v.latencyMs)),
    perSecond: (outcome.visits.length * 1000) / Math.max(1, outcome.elapsedMs),
    threw: outcome.failures,
    lost,
    duplicated,
  };
}

/** The facts `kafkasim compare` puts side by side: what holds with or without faults must match; the faults' toll is the simulator's. */
function facts(sync: Side, async: Side, withFaults: boolean): Fact[] {
  const faultNote = 'it comes from the cut and the crash the simulator injects; on a real broker the runs are fault-free (a client cannot cut or crash a broker)';
  const fromFaults = (name: string, value: number | null): Fact => ({ name, value: withFaults ? value : null, kind: 'match', ...(withFaults ? {} : { note: faultNote }) });
  return [
    { name: 'sync: messages sent', value: sync.sent, kind: 'timing' },
    { name: 'async: messages sent', value: async.sent, kind: 'timing' },
    { name: 'throughput (sync / async, per s)', value: `${Math.round(sync.perSecond)} / ${Math.round(async.perSecond)}`, kind: 'timing' },
    { name: 'send() latency, mean (sync / async)', value: `${ms(sync.meanLatencyMs)} / ${ms(async.meanLatencyMs)}`, kind: 'timing' },
    { name: 'sync send() latency above async (mean)', value: sync.meanLatencyMs > async.meanLatencyMs ? 'yes' : 'no', kind: 'match' },
    { name: 'async: send() threw', value: async.threw, kind: 'match' },
    { name: 'sync: lost', value: sync.lost, kind: 'match' },
    { name: 'async: duplicated', value: async.duplicated, kind: 'match' },
    fromFaults('sync: send() threw (then resent)', sync.threw),
    fromFaults('async: lost', async.lost),
    fromFaults('sync: duplicated', sync.duplicated),
  ];
}

/** Visits whose value the logs hold fewer times than it was offered (lost) and more times (duplicated), counted by value. */
function tallyByValue(visits: readonly Visit[], logs: readonly LoggedMessage[][]): { lost: number; duplicated: number } {
  const inLogs = new Map<string, number>();
  for (const m of logs.flat()) inLogs.set(m.value, (inLogs.get(m.value) ?? 0) + 1);
  const offered = new Map<string, number>();
  for (const v of visits) {
    const value = payloadToString(v.entries[0]!.value) ?? '';
    offered.set(value, (offered.get(value) ?? 0) + 1);
  }
  let lost = 0;
  let duplicated = 0;
  for (const [value, n] of offered) {
    const found = inLogs.get(value) ?? 0;
    lost += Math.max(0, n - found);
    duplicated += Math.max(0, found - n);
  }
  return { lost, duplicated };
}

/** Both producers on real brokers, one after the other, through the same fault-free upstream; the logs read back. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. One cluster, no fault schedule');
  run.say(
    'The article (§3.3) says: sync has low loss, high duplication and high latency; async has low latency,\n' +
      'high throughput and high loss. On a real broker the same two producers run one after the other, on the\n' +
      `same upstream: ${BURST} page visits every ${BURST_EVERY_MS} ms for ${BROKER_WINDOW_MS / 1000} s (the simulator runs ${WINDOW_MS / 1000} s), keyed by 192.168.2.x.\n` +
      'Run A: SyncProduce (acks=1, resending after FailedToSendMessageException). Run B: ASyncProduce (acks=0).',
  );
  const admin = await brokerClient(backend, 'lesson-11');
  const partitions = (await showBrokerTopics(run, admin, [TOPIC])).get(TOPIC)!.length;
  run.skipped(
    'the fault schedule (a cut between the producer and a leader longer than request.timeout.ms, then a leader crash and restart)',
    'a client cannot cut a real broker\'s network or crash it; both runs go through the same fault-free upstream instead',
  );
  const logEndBefore = await logEndOffsets(admin, TOPIC, partitions);
  const outcomes: Array<Workload & { elapsedMs: number }> = [];
  for (const mode of ['sync', 'async'] as const) {
    run.heading(mode === 'sync' ? '2. Run A: SyncProduce' : '3. Run B: ASyncProduce');
    const startMs = runtime.nowMs();
    const w: Workload = { visits: [], failures: 0, lastReturnMs: startMs, producer: undefined };
    await workload(runtime, bootstrapServers, mode, startMs, BROKER_WINDOW_MS, w);
    outcomes.push({ ...w, elapsedMs: w.lastReturnMs - startMs });
    run.say(`${mode === 'sync' ? 'SyncProduce' : 'ASyncProduce'} sent ${w.visits.length.toLocaleString('en-US')} messages; send() threw ${w.failures} time(s).`);
  }
  const [a, b] = outcomes as [Workload & { elapsedMs: number }, Workload & { elapsedMs: number }];
  const offered = a.visits.length + b.visits.length;
  const logs = await readBackUntil(runtime, admin, TOPIC, logEndBefore, (l) => l.flat().length >= offered);
  admin.close();
  const syncTally = tallyByValue(a.visits, logs);
  const asyncTally = tallyByValue(b.visits, logs);
  const sync = side(a, syncTally.lost, syncTally.duplicated);
  const async = side(b, asyncTally.lost, asyncTally.duplicated);

  run.heading('4. The table, measured');
  const syncLat = a.visits.map((v) => v.latencyMs);
  const asyncLat = b.visits.map((v) => v.latencyMs);
  run.table(
    ['', 'A: sync (acks=1)', 'B: async (acks=0)', 'the article says'],
    [
      ['messages sent', sync.sent, async.sent, ''],
      ['throughput (messages per s)', Math.round(sync.perSecond), Math.round(async.perSecond), 'async higher'],
      ['send() latency, mean', ms(sync.meanLatencyMs), ms(async.meanLatencyMs), 'sync higher'],
      ['send() latency, max', ms(max(syncLat)), ms(max(asyncLat)), ''],
      ['lost (in no log, read back)', syncTally.lost, asyncTally.lost, 'async higher'],
      ['duplicated (in a log twice)', syncTally.duplicated, asyncTally.duplicated, 'sync higher'],
    ],
  );
  run.claim('sync send() latency is higher than async on average: sync waits for the leader, async only queues', sync.meanLatencyMs > async.meanLatencyMs, `${sync.meanLatencyMs} vs ${async.meanLatencyMs} ms`);
  run.claim(
    'without faults neither run lost a message or wrote one twice: read back, every visit of both runs is in the logs once',
    syncTally.lost + syncTally.duplicated + asyncTally.lost + asyncTally.duplicated === 0 && a.failures === 0,
    `sync ${JSON.stringify(syncTally)}, async ${JSON.stringify(asyncTally)}`,
  );
  run.skipped(
    'the claims that async throughput is higher, that async lost messages and that sync duplicated some',
    'in the simulator they come from the cut and the crash (and sync\'s 10 ms links); a fault-free broker shows neither loss nor duplicates, and both producers keep up with the upstream',
  );
  run.say(
    'What is left without faults is the latency: a sync send() costs a round trip to the leader, an async one\n' +
      'a place in the queue. Loss and duplication are what faults do to each mode: run without --broker to see them.',
  );
  run.recordFacts(facts(sync, async, false));
  run.whatYouSaw([
    `The same upstream through both producers on a real broker, ${sync.sent} and ${async.sent} messages, no faults.`,
    `send() latency: sync ${ms(sync.meanLatencyMs)} on average and ${ms(max(syncLat))} at worst; async ${ms(async.meanLatencyMs)} and ${ms(max(asyncLat))}.`,
    `Read back, nothing lost and nothing duplicated in either run: the table's loss and duplication come from faults.`,
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}
