/**
 * Lesson 13: request.required.acks 0, 1 and -1 under the same leader crash.
 *
 * One workload (a sync producer writing m0..m59, one every 100 ms) against the same kind of
 * partition (three replicas, followers reached over slow links so they trail the leader), and
 * the same crash, chosen by state: the leader dies the moment it has appended its 20th message.
 * Then the old leader comes back, follows the new one and truncates. The producer's ledger
 * against the final log says what each acks level lost.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { formatMs } from '../src/sim/index.ts';
import { logValues, showCluster, startCluster } from './lib/cluster.ts';
import { auditLedger, valueRange, type LedgerAudit } from './lib/ledger-audit.ts';
import { fullyInSync } from './lib/partition-state.ts';
import { runProducerLoop, startProducerApp, type ProducerLoopState } from './lib/producer-app.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import type { LessonBackend } from './lib/backend.ts';
import { brokerClient, logEndOffsets, readBackUntil, showBrokerTopics } from './lib/broker-topics.ts';
import type { Fact } from './lib/facts.ts';
import { narrateTopic } from './lib/topic-narration.ts';

const MESSAGES = 60;
const PAUSE_MS = 100;
const CRASH_AT_LEO = 20;
const SLOW_LINK_MS = 500;
/** On a real broker the producer pauses this long between sends (no crash to wait for). */
const BROKER_PAUSE_MS = 20;
const ACKS = [0, 1, -1] as const;
type Acks = (typeof ACKS)[number];

const topicFor = (acks: Acks) => (acks === -1 ? 'acksall' : `acks${acks}`);
const TOPICS = ACKS.map(topicFor);

interface Outcome {
  readonly acks: Acks;
  readonly topic: string;
  readonly leader: number;
  readonly newLeader: number;
  readonly crashMs: number;
  /** When the controller elected the new leader. */
  readonly electedMs: number;
  /** At the crash: the leader's log end offset and the followers' best. */
  readonly leaderLeo: number;
  readonly followerLeo: number;
  /** Acknowledged (acks 1/-1) when the leader died, and not in the log of the follower elected next. */
  readonly ackedMissingOnNewLeader: string[];
  readonly audit: LedgerAudit;
  readonly truncated: number;
}

export const lesson: Lesson = {
  id: '13',
  title: 'acks 0, 1 and -1 under a leader crash',
  summary: 'The same workload and the same leader crash (followers trailing) with each acks level: what each loses, and whether the producer knows.',
  defaultSeed: 13,
  brokerSupport: 'the fault-free part runs: each acks level writes m0..m59 (20 ms apart) to its topic, the logs are read back and Metadata shows leaders and ISR; the slow links, the leader crash and what each acks level loses through it are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: ACKS.map((acks) => ({ name: topicFor(acks), partitions: 1, replicationFactor: 3 })),
      // Narrated per experiment: a crash in one also moves the leaders of the other topics.
      narrate: [],
    });
    const narration = narrateTopic(run, sim.kernel, { always: ['fault.', 'controller.elected'], kinds: ['partition.leader.elected', 'partition.became-follower', 'log.truncated'] });
    await sim.runFor(500);

    run.heading('1. The setup');
    run.say(
      `Three brokers and one topic per acks level, each a single partition with three replicas. For each\n` +
        `level in turn: the links from the partition's leader to its two followers slow down to ${SLOW_LINK_MS} ms, so\n` +
        `the followers trail the leader by about a second; a sync producer sends m0..m${MESSAGES - 1}, one every\n` +
        `${PAUSE_MS} ms; the leader crashes (kill -9, disk kept) the moment its log reaches ${CRASH_AT_LEO} messages; the\n` +
        'producer carries on (a failed send is logged and skipped); the old leader restarts and rejoins.',
    );
    showCluster(run, sim);

    const outcomes: Outcome[] = [];
    for (const [i, acks] of ACKS.entries()) {
      run.heading(`${i + 2}. request.required.acks=${acks}`);
      run.say(acksText(acks));
      await settle(sim);
      narration.focus(topicFor(acks));
      outcomes.push(await crashUnder(run, sim, acks));
      narration.focus(undefined);
    }

    run.heading('5. What each acks level lost');
    run.table(
      ['acks', 'sent', 'acknowledged', 'told it failed', 'lost among acknowledged', 'lost overall'],
      outcomes.map((o) => [
        String(o.acks),
        o.audit.sent,
        o.acks === 0 ? `- (${o.audit.unknown} unknown)` : o.audit.acknowledged,
        o.audit.failed,
        o.acks === 0 ? '- (never told)' : o.audit.lostAcknowledged.length,
        o.audit.lostOverall.length,
      ]),
    );
    const [zero, one, all] = outcomes as [Outcome, Outcome, Outcome];
    run.say(
      '"told it failed": sends that threw FailedToSendMessage (4 attempts, 100 ms apart) while the dead\n' +
        'leader was still in the metadata, until its ZooKeeper session expired (zookeeper.session.timeout.ms\n' +
        '6000) and the controller moved leadership: the application knows and could resend them.\n' +
        '"lost overall" counts those too.',
    );
    run.claim(
      'acks=1 lost acknowledged messages: exactly the acknowledged ones the new leader did not have when the old one died',
      one.audit.lostAcknowledged.length > 0 && sameSet(one.audit.lostAcknowledged, one.ackedMissingOnNewLeader),
      `lost ${one.audit.lostAcknowledged.join(',')}; missing on the new leader ${one.ackedMissingOnNewLeader.join(',')}`,
    );
    run.claim('acks=-1 lost no acknowledged message', all.audit.lostAcknowledged.length === 0 && all.audit.acknowledged > 0);
    run.claim(
      'acks=0 lost messages the producer never heard about: it has no acknowledgements to check',
      zero.audit.acknowledged === 0 && zero.audit.lostSilently.length > 0,
    );
    run.claim(
      `each run crashed the leader in the same state: ${CRASH_AT_LEO} messages in its log, fewer on every follower`,
      outcomes.every((o) => o.leaderLeo === CRASH_AT_LEO && o.followerLeo < o.leaderLeo),
    );
    run.claim('under acks 0 and 1 the returning leader truncated messages away', zero.truncated > 0 && one.truncated > 0);
    run.say(
      'acks=-1 is only as strong as the ISR: here both followers stayed in it. If the ISR shrinks to the\n' +
        'leader alone, acks=-1 acknowledges on the leader\'s word too (lesson 14).',
    );

    run.recordFacts(facts(outcomes.map((o) => ({ acks: o.acks, audit: o.audit, crashed: true }))));
    run.whatYouSaw([
      `The same crash each time: the leader died with ${CRASH_AT_LEO} messages, its followers had ${outcomes.map((o) => o.followerLeo).join(' / ')} (acks 0 / 1 / -1).`,
      `acks=0: ${zero.audit.lostSilently.length} of the messages it sent vanished without the producer ever knowing (${valueRange(zero.audit.lostSilently)}).`,
      `acks=1: ${one.audit.lostAcknowledged.length} acknowledged messages lost (${valueRange(one.audit.lostAcknowledged)}): the new leader never had them.`,
      `acks=-1: 0 of ${all.audit.acknowledged} acknowledged messages lost.`,
      `Failed sends (${outcomes.map((o) => o.audit.failed).join(' / ')}) in the ${outcomes.map((o) => formatMs(o.electedMs - o.crashMs)).join(' / ')} before a new leader: known failures, not silent.`,
    ]);
  },
};

async function crashUnder(run: LessonRun, sim: Simulation, acks: Acks): Promise<Outcome> {
  const topic = topicFor(acks);
  const leader = sim.leaderOf(topic, 0)!;
  const followers = [1, 2, 3].filter((id) => id !== leader);
  for (const follower of followers) {
    sim.applyFault({ kind: 'link-delay', from: `broker-${leader}`, to: `broker-${follower}`, latencyMs: SLOW_LINK_MS });
  }
  const values = Array.from({ length: MESSAGES }, (_, i) => `m${i}`);
  const app = startProducerApp(sim, `producer-acks${acks === -1 ? 'all' : acks}`, {
    topic,
    values,
    config: { 'request.required.acks': acks },
    pauseMs: PAUSE_MS,
  });
  const leo = (broker: number) => sim.replica(broker, topic, 0)?.log.logEndOffset ?? 0;
  await sim.runUntil(() => leo(leader) >= CRASH_AT_LEO, { description: `the leader of ${topic} to reach ${CRASH_AT_LEO} messages` });

  // The moment of the crash: what the leader has, what the followers have, what was acknowledged.
  const leaderLeo = leo(leader);
  const followerLeo = Math.max(...followers.map(leo));
  const leaderLog = logValues(sim, leader, topic, 0);
  const followerLogs = new Map(followers.map((f) => [f, new Set(logValues(sim, f, topic, 0))]));
  const ackedNow = new Set(app.ledger.entries.filter((e) => e.fate === 'acknowledged').map((e) => String(e.value)));
  const ackedOnlyOnLeader = leaderLog.filter((v) => ackedNow.has(v) && followers.every((f) => !followerLogs.get(f)!.has(v)));
  run.say(`\nThe leader, broker ${leader}, has appended ${leaderLeo} messages; its followers have ${followers.map(leo).join(' and ')}:`);
  showCluster(run, sim, [topic]);
  run.say(
    acks === 0
      ? `The producer has sent ${app.progress()} messages and knows nothing about any of them.`
      : `The producer holds ${ackedNow.size} acknowledgements; ${ackedOnlyOnLeader.length} of them are for messages only broker ${leader} has${ackedOnlyOnLeader.length > 0 ? ` (${valueRange(ackedOnlyOnLeader)})` : ''}.`,
  );
  const crashMs = sim.kernel.nowMs;
  sim.applyFault({ kind: 'broker-crash', broker: leader });
  for (const follower of followers) {
    sim.applyFault({ kind: 'link-delay', from: `broker-${leader}`, to: `broker-${follower}`, latencyMs: 1, jitterMs: 1 });
  }
  await sim.runUntil(() => app.task.settled, { description: `the acks=${acks} producer to finish` });
  app.task.result();
  const election = sim.kernel.trace.records.find((r) => r.kind === 'partition.leader.elected' && r.data['topic'] === topic && r.timeMs >= crashMs);
  if (election === undefined) throw new Error(`no leader was elected for ${topic} after the crash`);
  const newLeader = Number(election.data['leader']);
  const newLeaderHad = followerLogs.get(newLeader)!;
  const ackedMissingOnNewLeader = [...ackedNow].filter((v) => !newLeaderHad.has(v));
  const other = followers.find((f) => f !== newLeader)!;
  run.say(
    `Broker ${newLeader} took over ${formatMs(election.timeMs - crashMs)} after the crash, with the ${newLeaderHad.size} messages it had then.\n` +
      (followerLogs.get(other)!.size > newLeaderHad.size
        ? `Broker ${other} had more (${followerLogs.get(other)!.size}), but the controller takes the first live ISR member in replica\norder, not the longest log. `
        : '') +
      `The producer finished at ${formatMs(sim.kernel.nowMs)}; ${app.failedValues.length} sends failed (${valueRange(app.failedValues)}).\nBroker ${leader} restarts:`,
  );

  const truncatedBefore = truncations(sim, leader, topic);
  sim.applyFault({ kind: 'broker-restart', broker: leader });
  await sim.runUntil(() => TOPICS.every((t) => fullyInSync(sim, t, 0)), { description: 'every topic to be fully replicated again' });
  const truncated = truncations(sim, leader, topic) - truncatedBefore;
  const finalLog = logValues(sim, newLeader, topic, 0);
  const audit = auditLedger(app.ledger, finalLog);
  run.say(`Back in sync: every replica holds the same ${finalLog.length} messages.`);
  return { acks, topic, leader, newLeader, crashMs, electedMs: election.timeMs, leaderLeo, followerLeo, ackedMissingOnNewLeader, audit, truncated };
}

/**
 * Waits until every topic is in sync and the cluster is quiet: a new controller checks the
 * leader balance 5 s after taking over (auto.leader.rebalance.enable, 0.8.2's default) and may
 * move leaders back to their preferred replicas; that must not happen in the middle of a run.
 */
async function settle(sim: Simulation): Promise<void> {
  const failover = sim.kernel.trace.records.findLast((r) => r.kind === 'controller.failover')?.timeMs ?? 0;
  await sim.runUntil(() => sim.kernel.nowMs >= failover + 5_500 && TOPICS.every((t) => fullyInSync(sim, t, 0)), { description: 'the cluster to settle' });
}

/** Messages the broker's log of `topic` lost to truncation so far. */
function truncations(sim: Simulation, broker: number, topic: string): number {
  let lost = 0;
  for (const record of sim.kernel.trace.records) {
    if (record.node !== `broker-${broker}` || record.data['topic'] !== topic) continue;
    if (record.kind === 'partition.became-follower') lost += Number(record.data['truncatedFrom']) - Number(record.data['truncatedTo']);
    if (record.kind === 'log.truncated' && typeof record.data['from'] === 'number') lost += record.data['from'] - Number(record.data['to']);
  }
  return lost;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

function acksText(acks: Acks): string {
  return acks === 0
    ? 'acks=0, the 0.8 producer\'s default: it writes the request and never waits for an answer.'
    : acks === 1
      ? 'acks=1: the leader answers once the message is in its own log.'
      : 'acks=-1: the leader answers once every replica in the ISR has the message (its HW passed it).';
}

/** One acks level's run as `kafkasim compare` sees it; `crashed`: its leader crashed (the simulator). */
interface AcksRun {
  readonly acks: Acks;
  readonly audit: LedgerAudit;
  readonly crashed: boolean;
}

/** The facts `kafkasim compare` puts side by side: what holds with or without the crash must match; the crash's toll is the simulator's. */
function facts(runs: readonly AcksRun[]): Fact[] {
  const note = 'it comes from the leader crash the simulator injects; a client cannot crash a real broker';
  const fromCrash = (name: string, r: AcksRun, value: number): Fact => ({ name, value: r.crashed ? value : null, kind: 'match', ...(r.crashed ? {} : { note }) });
  return runs.flatMap((r) => {
    const level = `acks=${r.acks}`;
    return [
      { name: `${level}: sent`, value: r.audit.sent, kind: 'match' },
      ...(r.acks === 0
        ? [
            { name: `${level}: acknowledged (the producer never hears back)`, value: r.audit.acknowledged, kind: 'match' } as Fact,
            fromCrash(`${level}: lost silently in the crash`, r, r.audit.lostSilently.length),
          ]
        : [
            fromCrash(`${level}: told it failed in the crash`, r, r.audit.failed),
            // acks=-1's promise holds with or without a crash: no acknowledged message is lost.
            r.acks === -1 ? ({ name: `${level}: acknowledged messages lost`, value: r.audit.lostAcknowledged.length, kind: 'match' } as Fact) : fromCrash(`${level}: acknowledged messages lost in the crash`, r, r.audit.lostAcknowledged.length),
          ]),
      { name: `${level}: duplicated`, value: r.audit.duplicated.length, kind: 'match' },
    ];
  });
}

/** The fault-free part on real brokers: each acks level writes and reads back; the crash is skipped. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. The setup');
  run.say(
    'One topic per acks level (acksall is -1), each a single partition, three replicas on the simulator. For each\n' +
      `level in turn a sync producer sends m0..m${MESSAGES - 1}, one every ${BROKER_PAUSE_MS} ms, and the partition is read back.`,
  );
  const admin = await brokerClient(backend, 'lesson-13');
  const topics = await showBrokerTopics(run, admin, TOPICS);
  run.claim(
    'every topic\'s partition has a leader, and the leader is in its ISR (Metadata)',
    TOPICS.every((t) => topics.get(t)!.every((p) => p.leader >= 0 && p.isr.includes(p.leader))),
  );
  run.skipped(
    `the slow links (${SLOW_LINK_MS} ms) from each leader to its followers, and the leader crash at ${CRASH_AT_LEO} messages`,
    'a client cannot slow down a real broker\'s replication or crash it; run without --broker to see what each acks level loses',
  );

  const runs: AcksRun[] = [];
  const rows: Array<Array<string | number>> = [];
  for (const [i, acks] of ACKS.entries()) {
    const topic = topicFor(acks);
    run.heading(`${i + 2}. request.required.acks=${acks}`);
    run.say(acksText(acks));
    const partitions = topics.get(topic)!.length;
    const logEndBefore = await logEndOffsets(admin, topic, partitions);
    const values = Array.from({ length: MESSAGES }, (_, n) => `${topic}-${runtime.nowMs()}-m${n}`);
    const state: ProducerLoopState = { ledger: undefined, failedValues: [], handed: 0 };
    await runProducerLoop(runtime, bootstrapServers, { topic, values, config: { 'request.required.acks': acks }, pauseMs: BROKER_PAUSE_MS }, state);
    const mine = new Set(values);
    const logs = await readBackUntil(runtime, admin, topic, logEndBefore, (l) => l.flat().filter((m) => mine.has(m.value)).length >= MESSAGES);
    const finalLog = logs.flat().map((m) => m.value).filter((v) => mine.has(v));
    const audit = auditLedger(state.ledger!, finalLog);
    runs.push({ acks, audit, crashed: false });
    const leader = topics.get(topic)!.map((p) => `${p.leader} (ISR ${p.isr.join(',')})`).join('; ');
    rows.push([String(acks), leader, audit.sent, acks === 0 ? `- (${audit.unknown} unknown)` : audit.acknowledged, audit.failed, finalLog.length]);
    run.say(`Sent ${audit.sent} (values ${valueRange(values)} tagged with this run); read back, the log holds ${finalLog.length} of them.`);
    run.skipped(`the leader crash under acks=${acks}`, 'a client cannot crash a real broker; run without --broker to see it');
  }
  admin.close();

  run.heading('5. What each acks level did without a crash');
  run.table(['acks', 'leader (ISR)', 'sent', 'acknowledged', 'told it failed', 'in the log'], rows);
  const [zero, one, all] = runs as [AcksRun, AcksRun, AcksRun];
  run.claim('acks=0 acknowledged nothing (the producer never hears back); acks 1 and -1 acknowledged every message', zero.audit.acknowledged === 0 && zero.audit.unknown === MESSAGES && one.audit.acknowledged === MESSAGES && all.audit.acknowledged === MESSAGES);
  run.claim('without a crash no acks level lost or duplicated anything: every message is in its log once', runs.every((r) => r.audit.lostOverall.length === 0 && r.audit.duplicated.length === 0));
  run.skipped(
    'the claims about what acks 0 and 1 lost in the crash and that acks=-1 lost no acknowledged message through it',
    'they need the leader crash, which a client cannot cause on a real broker',
  );
  run.say('Without a fault the three levels differ only in what the producer is told; the crash is what tells them apart.');
  run.recordFacts(facts(runs));
  run.whatYouSaw([
    `Three topics, their leaders and ISR as Metadata gives them; each acks level sent ${MESSAGES} messages and all are in the logs.`,
    `acks=0: the producer heard nothing (${zero.audit.unknown} unknown); acks=1 and -1: ${one.audit.acknowledged} and ${all.audit.acknowledged} acknowledged.`,
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}
