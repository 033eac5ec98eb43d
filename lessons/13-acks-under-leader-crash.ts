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
import { startProducerApp } from './lib/producer-app.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { narrateTopic } from './lib/topic-narration.ts';

const MESSAGES = 60;
const PAUSE_MS = 100;
const CRASH_AT_LEO = 20;
const SLOW_LINK_MS = 500;
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
  async run(run) {
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
      run.say(
        acks === 0
          ? 'acks=0, the 0.8 producer\'s default: it writes the request and never waits for an answer.'
          : acks === 1
            ? 'acks=1: the leader answers once the message is in its own log.'
            : 'acks=-1: the leader answers once every replica in the ISR has the message (its HW passed it).',
      );
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
