/**
 * Lesson 14: unclean leader election, the 2013 Jepsen scenario (Kyle Kingsbury, "Call me maybe:
 * Kafka").
 *
 * The followers of a partition are cut off from its leader; after replica.lag.time.max.ms the
 * leader shrinks the ISR to itself and goes on acknowledging acks=-1 writes alone. Then the
 * leader dies. With 0.8.2's default unclean.leader.election.enable=true the controller elects an
 * out-of-sync follower: the writes only the dead leader had are gone, and when it returns it
 * truncates them. The same with the topic set to min.insync.replicas=2 and unclean election off:
 * the writes are refused (NotEnoughReplicas) instead of acknowledged, the partition stays offline
 * while no in-sync replica is alive, and nothing acknowledged is lost.
 */
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { logValues, showCluster, startCluster } from './lib/cluster.ts';
import { auditLedger, valueRange } from './lib/ledger-audit.ts';
import { fullyInSync, zkPartitionState } from './lib/partition-state.ts';
import { runProducerLoop, startProducerApp, type ProducerApp, type ProducerLoopState } from './lib/producer-app.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import type { LessonBackend } from './lib/backend.ts';
import { brokerClient, logEndOffsets, readBackUntil, showBrokerTopics } from './lib/broker-topics.ts';
import type { Fact } from './lib/facts.ts';
import { narrateTopic } from './lib/topic-narration.ts';

const UNSAFE = 'jepsen';
const SAFE = 'jepsen-safe';
const PAUSE_MS = 100;
const PRODUCER = { 'request.required.acks': -1 } as const;

export const lesson: Lesson = {
  id: '14',
  title: 'Unclean leader election',
  summary: 'The 2013 Jepsen scenario: ISR = {leader}, acks=-1 writes acknowledged by the leader alone, the leader dies, a stale replica leads. Then min.insync.replicas=2 and unclean election off.',
  defaultSeed: 14,
  brokerSupport: 'the fault-free writes run: acks=-1 bursts to both topics with a full ISR, read back, with leaders and ISR from Metadata; the cut, the ISR shrinking, the crashes, the unclean election and the refusals of the safe topic are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: UNSAFE, partitions: 1, replicationFactor: 3 }],
      narrate: [],
    });
    const narration = narrateTopic(run, sim.kernel, {
      always: ['fault.', 'controller.elected'],
      kinds: ['isr.shrinking', 'isr.expanding', 'controller.preferred', 'controller.imbalance', 'partition.leader.elected', 'partition.became-follower', 'log.truncated', 'controller.retain-isr', 'controller.state-change-failed'],
    });
    await sim.runFor(500);
    const producerNode = 'producer-app';
    let bursts = 0;
    /** A burst of acks=-1 writes from a fresh producer; resolves when it is done. */
    const burst = async (topic: string, values: readonly string[]): Promise<ProducerApp> => {
      const app = startProducerApp(sim, producerNode, { topic, values, config: PRODUCER, pauseMs: PAUSE_MS });
      bursts++;
      await sim.runUntil(() => app.task.settled, { description: `burst ${bursts} of writes to ${topic}`, maxSteps: 300_000 });
      app.task.result();
      return app;
    };

    run.heading('1. The cluster');
    run.say(
      `Three brokers and the topic ${UNSAFE}: one partition, three replicas, 0.8.2's defaults\n` +
        '(unclean.leader.election.enable=true, min.insync.replicas=1). Every write in this lesson is acks=-1.',
    );
    showCluster(run, sim);

    // ------------------------------------------------------------------ the unsafe topic
    narration.focus(UNSAFE);
    const leader = sim.leaderOf(UNSAFE, 0)!;
    const followers = [1, 2, 3].filter((id) => id !== leader);
    run.heading(`2. ${UNSAFE}: the followers are cut off, the ISR shrinks to the leader`);
    const before = await burst(UNSAFE, ['w0', 'w1', 'w2']);
    run.say(
      `w0..w2 written with acks=-1 while the ISR is [${zkPartitionState(sim, UNSAFE, 0).isr.join(',')}]. Now the network separates the leader,\n` +
        `broker ${leader}, from its followers (not from ZooKeeper, nor from the producer):`,
    );
    sim.applyFault({ kind: 'partition', groups: [[`broker-${leader}`], followers.map((f) => `broker-${f}`)] });
    const cutMs = sim.kernel.nowMs;
    await sim.runUntil(() => sameIds(zkPartitionState(sim, UNSAFE, 0).isr, [leader]), { description: 'the ISR to shrink to the leader', maxSteps: 300_000 });
    run.say(`The ISR is [${leader}] ${formatMs(sim.kernel.nowMs - cutMs)} after the cut: the followers had not fetched for replica.lag.time.max.ms (10 s).`);

    run.heading('3. acks=-1 writes acknowledged by the leader alone');
    const alone = await burst(UNSAFE, Array.from({ length: 10 }, (_, i) => `w${i + 3}`));
    const ackedAlone = acknowledgedValues(alone);
    run.say(
      `The producer sent w3..w12; ${ackedAlone.length} were acknowledged: acks=-1 means "every replica in the ISR has it",\n` +
        `and the ISR is broker ${leader} alone. Nobody else has them:`,
    );
    showCluster(run, sim, [UNSAFE]);
    run.claim(`the leader alone acknowledged all 10 acks=-1 writes (ISR [${leader}])`, ackedAlone.length === 10 && followers.every((f) => logValues(sim, f, UNSAFE, 0).length === 3));
    run.correction(
      'its comment says -1 waits until "all the replicas of the leader" have the\n' +
        'message. It waits for the in-sync replicas only, and the ISR can be the leader alone, as here.',
    );

    run.heading('4. The leader dies; a stale follower becomes leader');
    await sim.runFor(6_000); // long enough for a high-watermark checkpoint of everything it acknowledged
    run.say(`Broker ${leader} crashes; the network heals. When its ZooKeeper session expires, no ISR member is alive:`);
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    const unsafeCrashMs = sim.kernel.nowMs;
    sim.applyFault({ kind: 'heal' });
    await sim.runUntil(() => followers.includes(sim.leaderOf(UNSAFE, 0) ?? -1), { description: 'a new leader', maxSteps: 300_000 });
    const unclean = zkPartitionState(sim, UNSAFE, 0);
    const unsafeOfflineMs = sim.kernel.nowMs - unsafeCrashMs;
    const electedUnclean = sim.kernel.trace.records.some((r) => r.kind === 'partition.leader.elected' && r.data['topic'] === UNSAFE && r.data['unclean'] === true);
    run.claim(`broker ${unclean.leader}, outside the ISR, was elected leader (unclean election)`, electedUnclean && followers.includes(unclean.leader));
    const after = await burst(UNSAFE, ['a0', 'a1', 'a2', 'a3', 'a4']);
    run.say(`The producer writes a0..a4 to the new leader (${acknowledgedValues(after).length} acknowledged). Broker ${leader} restarts and follows it:`);
    sim.applyFault({ kind: 'broker-restart', broker: leader });
    await sim.runUntil(() => fullyInSync(sim, UNSAFE, 0), { description: 'every replica back in sync', maxSteps: 300_000 });
    const unsafeLeader = sim.leaderOf(UNSAFE, 0)!;
    const finalUnsafe = logValues(sim, unsafeLeader, UNSAFE, 0);
    const oldLeaderLog = logValues(sim, leader, UNSAFE, 0);
    run.table(
      ['replica', 'log (offset 0 first)'],
      [1, 2, 3].map((id) => [`broker ${id}${id === unsafeLeader ? ' (leader)' : ''}`, logValues(sim, id, UNSAFE, 0).join(' ')]),
    );
    const unsafeAudit = auditLedger([before, alone, after].map((a) => a.ledger), finalUnsafe);
    const divergent = oldLeaderLog.filter((v, i) => finalUnsafe[i] !== v);
    run.claim(
      'exactly the writes acknowledged while the ISR was the leader alone are lost',
      sameIds(unsafeAudit.lostAcknowledged, ackedAlone),
      `lost ${unsafeAudit.lostAcknowledged.join(',')}`,
    );
    run.say(
      `Lost: ${valueRange(unsafeAudit.lostAcknowledged)}, all acknowledged. Broker ${leader} truncated its log to the new leader's length,\n` +
        (divergent.length > 0
          ? `but only lengths are compared: at the same offsets it still holds ${valueRange(divergent)} where the leader has\n` +
            'other messages, and it is back in the ISR.'
          : 'and now holds the same messages.'),
    );

    run.heading('5. Later: the stale log leads again');
    run.say(
      `Broker ${leader} is the partition's preferred replica (first in its replica list), and 0.8.2 moves leadership\n` +
        'back to preferred replicas by itself (auto.leader.rebalance.enable=true, checked every 300 s):',
    );
    const servedBefore = finalUnsafe.slice(3);
    await sim.runUntil(() => sim.leaderOf(UNSAFE, 0) === leader, { description: 'the preferred replica to lead again', maxSteps: 500_000 });
    await sim.runUntil(() => fullyInSync(sim, UNSAFE, 0), { description: 'every replica back in sync', maxSteps: 300_000 });
    const servedAfter = logValues(sim, leader, UNSAFE, 0).slice(3);
    run.table(
      ['replica', 'log (offset 0 first)'],
      [1, 2, 3].map((id) => [`broker ${id}${id === leader ? ' (leader)' : ''}`, logValues(sim, id, UNSAFE, 0).join(' ')]),
    );
    const rebalancedAudit = auditLedger([before, alone, after].map((a) => a.ledger), logValues(sim, leader, UNSAFE, 0));
    run.say(
      `A consumer reading offsets 3..${2 + servedBefore.length} got ${servedBefore.join(' ')}; now it gets ${servedAfter.join(' ')}. The followers kept\n` +
        `their logs (same length, nothing to truncate): the replicas disagree for good. Measured against the\n` +
        `leader's log, the lost acknowledged writes are now ${rebalancedAudit.lostAcknowledged.join(' ')}.`,
    );
    run.claim(
      `the same offsets now serve different messages: ${servedBefore.join(' ')} before, ${servedAfter.join(' ')} after`,
      servedBefore.length > 0 && servedBefore.length === servedAfter.length && servedBefore.every((v, i) => v !== servedAfter[i]),
    );

    // ------------------------------------------------------------------ the safe topic
    run.heading(`6. ${SAFE}: min.insync.replicas=2, unclean election off`);
    run.say(
      `A second topic, ${SAFE}, created with two topic-level settings (0.8.2.2 ignores min.insync.replicas\n` +
        'in the broker config, KAFKA-2114: it must be set on the topic):\n' +
        '  kafka-topics.sh --create --topic jepsen-safe --partitions 1 --replication-factor 3 \\\n' +
        '    --config min.insync.replicas=2 --config unclean.leader.election.enable=false',
    );
    await sim.createTopic({ name: SAFE, partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false } });
    await sim.runUntil(() => fullyInSync(sim, SAFE, 0), { description: `${SAFE} to be fully replicated`, maxSteps: 200_000 });
    narration.focus(SAFE);
    const safeLeader = sim.leaderOf(SAFE, 0)!;
    const safeFollowers = [1, 2, 3].filter((id) => id !== safeLeader);
    const safeBefore = await burst(SAFE, ['s0', 's1', 's2']);
    run.say(`s0..s2 written while the ISR is [${zkPartitionState(sim, SAFE, 0).isr.join(',')}]. The same cut around its leader, broker ${safeLeader}:`);
    sim.applyFault({ kind: 'partition', groups: [[`broker-${safeLeader}`], safeFollowers.map((f) => `broker-${f}`)] });
    await sim.runUntil(() => sameIds(zkPartitionState(sim, SAFE, 0).isr, [safeLeader]), { description: 'the ISR to shrink to the leader', maxSteps: 300_000 });
    const refusedFromMs = sim.kernel.nowMs;
    const refused = await burst(SAFE, ['s3', 's4', 's5', 's6', 's7']);
    const rejections = sim.kernel.trace.records.filter((r) => r.kind === 'produce.rejected' && r.data['topic'] === SAFE && r.timeMs >= refusedFromMs);
    const refusedErrors = new Set(rejections.map((r) => String(r.data['error'])));
    run.say(
      `The producer sends s3..s7: ${refused.failedValues.length} sends fail. The leader refused all ${rejections.length} attempts (each send is\n` +
        `tried 4 times) with ${[...refusedErrors].join(', ')} (19), before appending: the ISR [${safeLeader}] is smaller\n` +
        'than min.insync.replicas. Nothing that only one broker has gets acknowledged.',
    );
    run.claim(
      'every acks=-1 write to the under-replicated partition was refused with NotEnoughReplicas, and none was appended',
      refused.failedValues.length === 5 && rejections.length === 20 && refusedErrors.size === 1 && refusedErrors.has('NotEnoughReplicas') && logValues(sim, safeLeader, SAFE, 0).length === 3,
    );

    run.heading('7. The leader dies; the partition waits for it');
    run.say(`Broker ${safeLeader} crashes; the network heals. Its followers are alive but not in the ISR:`);
    const safeLeaderWasController = sim.controllerId === safeLeader;
    sim.applyFault({ kind: 'broker-crash', broker: safeLeader });
    const safeCrashMs = sim.kernel.nowMs;
    sim.applyFault({ kind: 'heal' });
    const controllerGaveUp = () =>
      sim.kernel.trace.records.some((r) => r.kind === 'controller.state-change-failed' && r.data['topic'] === SAFE && r.timeMs >= safeCrashMs);
    await sim.runUntil(controllerGaveUp, { description: 'the controller to try to elect a leader', maxSteps: 300_000 });
    await sim.runFor(500);
    const offline = zkPartitionState(sim, SAFE, 0);
    run.say(
      offline.leader === -1
        ? `The state znode now says leader -1 (none), ISR [${offline.isr.join(',')}]: the controller keeps the dead broker as the last\nISR member, so that only it may lead again.`
        : `The state znode still names broker ${offline.leader} leader, ISR [${offline.isr.join(',')}]: ${safeLeaderWasController ? 'it was the controller too, and its successor' : 'the controller'}\nfound the partition without a live leader and nobody it may elect.`,
    );
    const whileOffline = await burst(SAFE, ['o0', 'o1', 'o2']);
    await sim.runFor(10_000);
    const noLiveLeader = () => {
      const leaderNow = zkPartitionState(sim, SAFE, 0).leader;
      return leaderNow === -1 || lookup(sim.zookeeper.state, `/brokers/ids/${leaderNow}`) === undefined;
    };
    run.say(`Writes meanwhile: ${whileOffline.failedValues.length} of 3 failed (no leader). Ten seconds later still no live leader. Broker ${safeLeader} restarts:`);
    run.claim(
      'the partition stayed without a leader, and no unclean election happened, until the in-sync replica came back',
      noLiveLeader() && whileOffline.failedValues.length === 3 && !sim.kernel.trace.records.some((r) => r.kind === 'partition.leader.elected' && r.data['topic'] === SAFE && r.data['unclean'] === true),
    );
    sim.applyFault({ kind: 'broker-restart', broker: safeLeader });
    await sim.runUntil(() => sim.leaderOf(SAFE, 0) === safeLeader && zkPartitionState(sim, SAFE, 0).leader === safeLeader, {
      description: 'the last ISR member to lead again',
      maxSteps: 300_000,
    });
    const offlineForMs = sim.kernel.nowMs - safeCrashMs;
    await sim.runUntil(() => fullyInSync(sim, SAFE, 0), { description: 'every replica back in sync', maxSteps: 300_000 });
    const safeAfter = await burst(SAFE, ['s8', 's9']);
    const finalSafe = logValues(sim, sim.leaderOf(SAFE, 0)!, SAFE, 0);
    const safeAudit = auditLedger([safeBefore, refused, whileOffline, safeAfter].map((a) => a.ledger), finalSafe);
    run.say(`Broker ${safeLeader} leads again, ${formatMs(offlineForMs)} after it crashed; s8, s9 are acknowledged. Every replica: ${finalSafe.join(' ')}.`);
    run.claim('nothing acknowledged was lost on the safe topic', safeAudit.lostAcknowledged.length === 0 && safeAudit.acknowledged === 5);

    run.heading('8. The two configurations');
    run.table(
      ['topic', 'acknowledged', 'lost among acknowledged', 'refused (19)', 'failed: no leader', 'without a leader'],
      [
        [UNSAFE, unsafeAudit.acknowledged, unsafeAudit.lostAcknowledged.length, 0, 0, formatMs(unsafeOfflineMs)],
        [SAFE, safeAudit.acknowledged, safeAudit.lostAcknowledged.length, refused.failedValues.length, whileOffline.failedValues.length, formatMs(offlineForMs)],
      ],
    );
    run.say(
      `${UNSAFE}: unclean.leader.election.enable=true, min.insync.replicas=1 (the defaults);\n` +
        `${SAFE}: unclean.leader.election.enable=false, min.insync.replicas=2. Durability is bought with\n` +
        'availability: the safe topic refused writes, and had no leader until its last in-sync replica came\n' +
        'back (here a quick restart; a dead disk would mean forever), where the unsafe one took a stale\n' +
        'replica after one session timeout.',
    );

    run.recordFacts(
      facts({
        fullIsrAcknowledged: [before, safeBefore].map((a) => a.ledger.summary().acknowledged) as [number, number],
        safeLostAcknowledged: safeAudit.lostAcknowledged.length,
        fromFaults: { unsafeLostAcknowledged: unsafeAudit.lostAcknowledged.length, uncleanElection: electedUnclean, refused: refused.failedValues.length },
      }),
    );
    run.whatYouSaw([
      `With ISR [${leader}], broker ${leader} acknowledged ${ackedAlone.length} acks=-1 writes alone; after it died, broker ${unclean.leader} (not in the ISR) was elected.`,
      `${unsafeAudit.lostAcknowledged.length} acknowledged writes were lost (${valueRange(unsafeAudit.lostAcknowledged)}); the returning broker truncated its log to the new leader's length.`,
      `With min.insync.replicas=2 the same writes were refused with NotEnoughReplicas (19): ${refused.failedValues.length} failed sends, nothing appended.`,
      `With unclean election off, the partition had no live leader for ${formatMs(offlineForMs)}, until broker ${safeLeader} (the last ISR member) returned.`,
      `Lost among acknowledged: ${unsafeAudit.lostAcknowledged.length} with the defaults, ${safeAudit.lostAcknowledged.length} with the safe settings.`,
    ]);
    narration.focus(undefined);
  },
};

function acknowledgedValues(app: ProducerApp): string[] {
  return app.ledger.entries.filter((e) => e.fate === 'acknowledged').map((e) => String(e.value));
}

function sameIds<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

interface RunFacts {
  /** acks=-1 writes acknowledged before any fault: w0..w2 to the unsafe topic, s0..s2 to the safe one. */
  readonly fullIsrAcknowledged: readonly [number, number];
  /** Acknowledged writes the safe topic lost (its promise, with or without faults). */
  readonly safeLostAcknowledged: number;
  /** What the faults did (null: not injected, on a real broker). */
  readonly fromFaults: { readonly unsafeLostAcknowledged: number; readonly uncleanElection: boolean; readonly refused: number } | null;
}

/** The facts `kafkasim compare` puts side by side: the fault-free writes and the safe topic's promise match; the faults' toll is the simulator's. */
function facts(f: RunFacts): Fact[] {
  const note = 'it comes from the cut and the leader crash the simulator injects; a client cannot cut or crash a real broker';
  const fromFaults = (name: string, value: number | string | undefined): Fact => ({ name, value: value ?? null, kind: 'match', ...(value === undefined ? { note } : {}) });
  const faults = f.fromFaults;
  return [
    { name: `${UNSAFE}: acks=-1 writes acknowledged with a full ISR`, value: f.fullIsrAcknowledged[0], kind: 'match' },
    { name: `${SAFE}: acks=-1 writes acknowledged with a full ISR`, value: f.fullIsrAcknowledged[1], kind: 'match' },
    { name: `${SAFE}: acknowledged writes lost`, value: f.safeLostAcknowledged, kind: 'match' },
    fromFaults(`${UNSAFE}: unclean election`, faults === null ? undefined : faults.uncleanElection ? 'yes' : 'no'),
    fromFaults(`${UNSAFE}: acknowledged writes lost`, faults?.unsafeLostAcknowledged),
    fromFaults(`${SAFE}: writes refused (NotEnoughReplicas)`, faults?.refused),
  ];
}

/** The fault-free writes on real brokers: a burst of acks=-1 writes to each topic, read back; the faults are skipped. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. The cluster');
  run.say(
    `The topics ${UNSAFE} and ${SAFE}: one partition, three replicas each on the simulator, where ${SAFE} is created with\n` +
      'min.insync.replicas=2 and unclean.leader.election.enable=false. Every write in this lesson is acks=-1.',
  );
  const admin = await brokerClient(backend, 'lesson-14');
  const topics = await showBrokerTopics(run, admin, [UNSAFE, SAFE]);
  run.claim('each partition has a leader, and the leader is in its ISR (Metadata)', [UNSAFE, SAFE].every((t) => topics.get(t)!.every((p) => p.leader >= 0 && p.isr.includes(p.leader))));
  run.say(`A 0.8 client cannot read a topic's settings (Metadata carries none): whether ${SAFE} has the safe ones is the broker's secret.`);

  /** A burst of acks=-1 writes (tagged with this run), then the partition read back. */
  const burst = async (topic: string, names: readonly string[]) => {
    const partitions = topics.get(topic)!.length;
    const logEndBefore = await logEndOffsets(admin, topic, partitions);
    const values = names.map((n) => `${n}@${runtime.nowMs()}`);
    const state: ProducerLoopState = { ledger: undefined, failedValues: [], handed: 0 };
    await runProducerLoop(runtime, bootstrapServers, { topic, values, config: PRODUCER, pauseMs: PAUSE_MS }, state);
    const mine = new Set(values);
    const logs = await readBackUntil(runtime, admin, topic, logEndBefore, (l) => l.flat().filter((m) => mine.has(m.value)).length >= values.length);
    const audit = auditLedger(state.ledger!, logs.flat().map((m) => m.value).filter((v) => mine.has(v)));
    const isr = topics.get(topic)!.map((p) => p.isr.join(',')).join('; ');
    run.say(`${names[0]}..${names.at(-1)} written to ${topic} with acks=-1 while the ISR is [${isr}]: ${audit.acknowledged} acknowledged, ${audit.sent - audit.lostOverall.length} read back.`);
    return audit;
  };

  run.heading(`2. ${UNSAFE}: writes with a full ISR`);
  const before = await burst(UNSAFE, ['w0', 'w1', 'w2']);
  run.claim('w0..w2 were acknowledged and are in the log', before.acknowledged === 3 && before.lostOverall.length === 0);
  run.skipped(
    'the cut between the leader and its followers, the ISR shrinking to the leader and the writes it acknowledges alone (steps 2 and 3)',
    'a client cannot cut a real broker off from its followers; run without --broker to see it',
  );
  run.skipped(
    'the leader crash, the unclean election of a stale follower, the lost acknowledged writes and the preferred replica leading again (steps 4 and 5)',
    'a client cannot crash a real broker',
  );

  run.heading(`6. ${SAFE}: writes with a full ISR`);
  const safeBefore = await burst(SAFE, ['s0', 's1', 's2']);
  admin.close();
  run.claim('s0..s2 were acknowledged and are in the log', safeBefore.acknowledged === 3 && safeBefore.lostOverall.length === 0);
  run.skipped(
    'the same cut around the safe topic\'s leader, its writes refused with NotEnoughReplicas, and the partition left without a leader until its last in-sync replica returns (steps 6 and 7)',
    'a client cannot cut or crash a real broker',
  );

  run.heading('8. The two configurations');
  run.table(
    ['topic', 'leader', 'isr', 'acknowledged', 'lost among acknowledged'],
    [
      [UNSAFE, topics.get(UNSAFE)![0]!.leader, topics.get(UNSAFE)![0]!.isr.join(','), before.acknowledged, before.lostAcknowledged.length],
      [SAFE, topics.get(SAFE)![0]!.leader, topics.get(SAFE)![0]!.isr.join(','), safeBefore.acknowledged, safeBefore.lostAcknowledged.length],
    ],
  );
  run.say(
    'With every replica in sync both configurations behave the same: acks=-1 waits for the whole ISR. They part\n' +
      'ways only when the ISR shrinks and the leader dies; run without --broker to see how.',
  );
  run.recordFacts(facts({ fullIsrAcknowledged: [before.acknowledged, safeBefore.acknowledged], safeLostAcknowledged: safeBefore.lostAcknowledged.length, fromFaults: null }));
  run.whatYouSaw([
    `${UNSAFE} and ${SAFE} on a real broker, their leaders and ISR as Metadata gives them.`,
    `acks=-1 writes with a full ISR: ${before.acknowledged} and ${safeBefore.acknowledged} acknowledged, all read back.`,
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`,
  ]);
}
