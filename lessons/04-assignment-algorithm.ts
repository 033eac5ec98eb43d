/**
 * Lesson 04: the high-level consumer's partition assignment (the article's "Consumer分配算法",
 * whose figure was lost).
 *
 * Range, step by step on the article's 3 partitions: partitions sorted by id, consumer threads
 * ("consumerId-N") sorted as strings, nPartsPerConsumer = P / C, nConsumersWithExtraPart = P % C,
 * one contiguous range per thread. Then real connectors join and leave a group and rebalance;
 * then two topics: range gives the first thread the extra partition of every topic, roundrobin
 * (0.8.2, `partition.assignment.strategy=roundrobin`) deals all partitions around the threads,
 * and refuses to work unless every consumer subscribes identically.
 *
 * Every table is computed here from the algorithm's definition (a few lines of arithmetic, not
 * the simulator's assignor) and checked against the owner znodes in ZooKeeper and what each
 * connector owns.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess } from '../src/client/client-process.ts';
import type { ConsumerConfigInput } from '../src/client/group/config.ts';
import { ConsumerRebalanceFailedError } from '../src/client/errors.ts';
import { startCluster } from './lib/cluster.ts';
import { GroupConsumerApp, ZOOKEEPER_CONNECT } from './lib/group-consumer-app.ts';
import { groupMembers, partitionOwners, znodeData } from './lib/group-znodes.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const TOPIC2 = 'jikelog';
const PARTITIONS = 3;
const SETTLE_WITHIN_MS = 30_000;

/** "topic-partition" → owning thread id. */
type Assignment = Map<string, string>;

// ------------------------------------------------------------------ the algorithms, by definition

/** Plain string order, as ConsumerThreadId.compare (`toString.compare`). */
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Range for one topic: partitions 0..P-1, the threads sorted as strings. */
function rangeOfTopic(topic: string, partitions: number, threads: readonly string[]): Assignment {
  const sorted = [...threads].sort(byString);
  const perThread = Math.floor(partitions / sorted.length);
  const withExtra = partitions % sorted.length;
  const out: Assignment = new Map();
  sorted.forEach((thread, pos) => {
    const start = perThread * pos + Math.min(pos, withExtra);
    const count = perThread + (pos < withExtra ? 1 : 0);
    for (let p = start; p < start + count; p++) out.set(`${topic}-${p}`, thread);
  });
  return out;
}

/** Java's String.hashCode: s[0]·31^(n-1) + ... + s[n-1], in 32-bit int arithmetic. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Roundrobin: every partition of every topic, sorted by hashCode of "[topic,partition]", dealt to the sorted threads. */
function roundRobin(partitionsPerTopic: Readonly<Record<string, number>>, threads: readonly string[]): Array<{ tp: string; hash: number; thread: string }> {
  const all = Object.entries(partitionsPerTopic).flatMap(([topic, n]) => Array.from({ length: n }, (_, p) => ({ tp: `${topic}-${p}`, hash: javaHash(`[${topic},${p}]`) })));
  all.sort((a, b) => a.hash - b.hash);
  const sorted = [...threads].sort(byString);
  return all.map((x, i) => ({ ...x, thread: sorted[i % sorted.length]! }));
}

// ------------------------------------------------------------------ the group as it runs

/** The thread ids of every member registered under /consumers/<group>/ids, from their subscriptions. */
function registeredThreads(sim: Simulation, group: string, topic: string): string[] {
  return groupMembers(sim, group).flatMap((id) => {
    const registration = JSON.parse(znodeData(sim, `/consumers/${group}/ids/${id}`) ?? '{}') as { subscription?: Record<string, number> };
    const streams = registration.subscription?.[topic] ?? 0;
    return Array.from({ length: streams }, (_, i) => `${id}-${i}`);
  });
}

/** What ZooKeeper's owner znodes say, over the given topics. */
function zkAssignment(sim: Simulation, group: string, topics: readonly string[]): Assignment {
  return new Map(topics.flatMap((topic) => [...partitionOwners(sim, group, topic)].map(([p, owner]) => [`${topic}-${p}`, owner] as const)));
}

/** What the running connectors say they own. */
function connectorAssignment(apps: readonly GroupConsumerApp[]): Assignment {
  return new Map(apps.flatMap((app) => app.connector.owned().map((p) => [`${p.topic}-${p.partition}`, p.threadId] as const)));
}

function same(a: Assignment, b: Assignment): boolean {
  return a.size === b.size && [...a].every(([tp, owner]) => b.get(tp) === owner);
}

/** Runs until ZooKeeper and the connectors both show `expected()` and still do 2 s later. */
async function settle(sim: Simulation, group: string, topics: readonly string[], apps: readonly GroupConsumerApp[], expected: () => Assignment): Promise<boolean> {
  const holds = () => same(zkAssignment(sim, group, topics), expected()) && same(connectorAssignment(apps), expected());
  for (const pause of [0, 2_000]) {
    await sim.runFor(pause);
    const deadline = sim.kernel.nowMs + SETTLE_WITHIN_MS;
    await sim.runUntil(() => holds() || sim.kernel.nowMs > deadline, { description: `group ${group} to settle` });
  }
  return holds();
}

/** One row per thread: what the definition gives, what /owners says, what the connector owns. */
function showAssignment(run: LessonRun, threads: readonly string[], expected: Assignment, zk: Assignment, owned: Assignment): void {
  const of = (a: Assignment, thread: string) => {
    const tps = [...a].filter(([, owner]) => owner === thread).map(([tp]) => tp).sort(byString);
    return tps.length === 0 ? '(nothing)' : tps.join(', ');
  };
  run.table(
    ['thread (sorted)', 'by the definition', 'in /owners', 'connector.owned()'],
    [...threads].sort(byString).map((t) => [t, of(expected, t), of(zk, t), of(owned, t)]),
  );
}

function properties(group: string, consumerId: string, extra: Partial<ConsumerConfigInput> = {}): ConsumerConfigInput {
  return { 'zookeeper.connect': ZOOKEEPER_CONNECT, 'group.id': group, 'consumer.id': consumerId, 'zookeeper.sync.time.ms': '2000', ...extra };
}

export const lesson: Lesson = {
  id: '04',
  title: 'The assignment algorithm',
  summary: 'Range on 3 partitions step by step, consumers joining and leaving a live group; roundrobin across two topics and its precondition.',
  defaultSeed: 4,
  async run(run) {
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [
        { name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 },
        { name: TOPIC2, partitions: PARTITIONS, replicationFactor: 2 },
      ],
      narrate: ['consumer.registered', 'consumer.rebalance.completed', 'consumer.rebalance.conflict', 'consumer.rebalance.gave-up'],
    });

    run.heading('1. Range, on paper: 3 partitions');
    run.say(
      'Each consumer of a group gets N streams; stream i is the consumer thread "<consumerId>-i". At every\n' +
        'rebalance each consumer computes, for each topic, from what ZooKeeper holds:\n' +
        '  partitions sorted by id: 0, 1, 2 (P = 3); every thread of the group sorted as strings (C of them)\n' +
        '  nPartsPerConsumer = P / C (integer division), nConsumersWithExtraPart = P % C\n' +
        '  the thread at position pos gets nPartsPerConsumer partitions, plus one if pos < P % C,\n' +
        '  starting at nPartsPerConsumer * pos + min(pos, P % C)\n' +
        'then keeps its own share. For 1 to 4 threads:',
    );
    const paperThreads = ['A-0', 'B-0', 'C-0', 'D-0'];
    run.table(
      ['threads C', 'P / C', 'P % C', 'A-0', 'B-0', 'C-0', 'D-0'],
      [1, 2, 3, 4].map((c) => {
        const a = rangeOfTopic(TOPIC, PARTITIONS, paperThreads.slice(0, c));
        const cell = (t: string, i: number) => {
          if (i >= c) return '';
          const mine = [...a].filter(([, owner]) => owner === t).map(([tp]) => tp.slice(TOPIC.length + 1));
          return mine.length === 0 ? '-' : mine.join(',');
        };
        return [c, Math.floor(PARTITIONS / c), PARTITIONS % c, ...paperThreads.map(cell)];
      }),
    );
    run.say('The ranges are contiguous, the first P % C threads get one more, and beyond P threads the rest get none.');

    run.heading('2. Consumers join and leave a live group');
    run.say(
      'Real connectors now join the group jikegrouptest (consumer.id set to c1, c2, c3 so the ids read\n' +
        'easily). Each change of /consumers/jikegrouptest/ids fires a watch on every member; each runs the\n' +
        'rebalance: release its partitions, compute the range, claim its share with ephemeral owner znodes.\n' +
        'A claim fails while the previous owner has not yet released the partition: that member undoes its\n' +
        'claims and retries after rebalance.backoff.ms (2 s).',
    );
    const GROUP = 'jikegrouptest';
    const apps = new Map<string, GroupConsumerApp>();
    const expectedNow = () => rangeOfTopic(TOPIC, PARTITIONS, registeredThreads(sim, GROUP, TOPIC));
    const steps: Array<{ what: string; act: () => Promise<void> }> = [
      { what: 'c1 joins with 1 stream', act: async () => void apps.set('c1', new GroupConsumerApp(sim, ClientProcess.on(sim, 'c1'), 'c1', properties(GROUP, 'c1'), { [TOPIC]: 1 })) },
      { what: 'c2 joins with 2 streams', act: async () => void apps.set('c2', new GroupConsumerApp(sim, ClientProcess.on(sim, 'c2'), 'c2', properties(GROUP, 'c2'), { [TOPIC]: 2 })) },
      { what: 'c3 joins with 1 stream', act: async () => void apps.set('c3', new GroupConsumerApp(sim, ClientProcess.on(sim, 'c3'), 'c3', properties(GROUP, 'c3'), { [TOPIC]: 1 })) },
      {
        what: 'c1 leaves (shutdown)',
        act: async () => {
          await apps.get('c1')!.shutdown();
          apps.delete('c1');
        },
      },
    ];
    const settled: boolean[] = [];
    const sizes: string[] = [];
    for (const [i, step] of steps.entries()) {
      run.say(`\n${String.fromCharCode(97 + i)}. ${step.what}:`);
      await step.act();
      const ok = await settle(sim, GROUP, [TOPIC], [...apps.values()], expectedNow);
      settled.push(ok);
      const threads = registeredThreads(sim, GROUP, TOPIC);
      sizes.push(`${threads.length}`);
      run.say(`${threads.length} thread${threads.length === 1 ? '' : 's'}: P / C = ${Math.floor(PARTITIONS / threads.length)}, P % C = ${PARTITIONS % threads.length}.`);
      showAssignment(run, threads, expectedNow(), zkAssignment(sim, GROUP, [TOPIC]), connectorAssignment([...apps.values()]));
    }
    run.claim(
      'after every join and leave, the owner znodes and every connector match the range definition',
      settled.every((ok) => ok),
      `settled: ${settled.join(', ')}`,
    );
    const idle = 'jikegrouptest_c3-0';
    run.say(
      `With 4 threads for 3 partitions the last thread in string order, ${idle}, got nothing; when c1 left\n` +
        'it got a partition. Order is by string, not by join time: the consumer id decides where a thread\n' +
        'ranks (and "c10-0" sorts before "c2-0").',
    );
    for (const app of apps.values()) await app.shutdown();

    run.heading('3. Two topics with range: the first thread gets the extra partition of each');
    const RANGE2 = 'jike-range';
    const subscription = { [TOPIC]: 1, [TOPIC2]: 1 };
    run.say(
      `Two consumers, c1 and c2, each with one stream of ${TOPIC} and one of ${TOPIC2} (3 partitions each), in\n` +
        `the group ${RANGE2}. Range cuts each topic separately: 3 / 2 = 1 each and the first thread,\n` +
        `${RANGE2}_c1-0, gets one more, in both topics. With many topics of few partitions each, the first\n` +
        'threads collect the extra partition of every topic while the last ones may get nothing at all.',
    );
    const twoTopicApps = ['c1', 'c2'].map((c) => multiTopicApp(sim, c, properties(RANGE2, c), subscription));
    const rangeExpected = () =>
      new Map([...rangeOfTopic(TOPIC, PARTITIONS, registeredThreads(sim, RANGE2, TOPIC)), ...rangeOfTopic(TOPIC2, PARTITIONS, registeredThreads(sim, RANGE2, TOPIC2))]);
    const rangeSettled = await settle(sim, RANGE2, [TOPIC, TOPIC2], twoTopicApps, rangeExpected);
    const rangeThreads = registeredThreads(sim, RANGE2, TOPIC);
    showAssignment(run, rangeThreads, rangeExpected(), zkAssignment(sim, RANGE2, [TOPIC, TOPIC2]), connectorAssignment(twoTopicApps));
    const rangeCounts = rangeThreads.sort(byString).map((t) => [...zkAssignment(sim, RANGE2, [TOPIC, TOPIC2]).values()].filter((o) => o === t).length);
    run.claim('range over two topics of 3 partitions gives c1 four partitions and c2 two', rangeSettled && rangeCounts.join() === '4,2', rangeCounts.join());
    for (const app of twoTopicApps) await app.shutdown();

    run.heading('4. Roundrobin (0.8.2): all partitions dealt around the threads');
    const RR = 'jike-roundrobin';
    const rrProps = (c: string) => properties(RR, c, { 'partition.assignment.strategy': 'roundrobin' });
    run.say(
      `The same two consumers in the group ${RR} with partition.assignment.strategy=roundrobin. All\n` +
        'partitions of all topics are sorted by the Java hashCode of "[topic,partition]" (a fixed shuffle),\n' +
        'then dealt to the sorted threads one by one, round and round:',
    );
    const rrApps = ['c1', 'c2'].map((c) => multiTopicApp(sim, c, rrProps(c), subscription));
    const rrExpected = () => new Map(roundRobin({ [TOPIC]: PARTITIONS, [TOPIC2]: PARTITIONS }, registeredThreads(sim, RR, TOPIC)).map((x) => [x.tp, x.thread]));
    const rrSettled = await settle(sim, RR, [TOPIC, TOPIC2], rrApps, rrExpected);
    const rrThreads = registeredThreads(sim, RR, TOPIC);
    run.table(
      ['order', 'partition', 'hashCode of "[topic,partition]"', 'dealt to'],
      roundRobin({ [TOPIC]: PARTITIONS, [TOPIC2]: PARTITIONS }, rrThreads).map((x, i) => [i + 1, x.tp, x.hash, x.thread]),
    );
    showAssignment(run, rrThreads, rrExpected(), zkAssignment(sim, RR, [TOPIC, TOPIC2]), connectorAssignment(rrApps));
    const rrCounts = rrThreads.sort(byString).map((t) => [...zkAssignment(sim, RR, [TOPIC, TOPIC2]).values()].filter((o) => o === t).length);
    run.claim('roundrobin gives each consumer three of the six partitions, as the definition deals them', rrSettled && rrCounts.join() === '3,3', rrCounts.join());

    run.heading('5. Roundrobin needs identical subscriptions');
    run.say(
      `c3 joins ${RR} with one stream of ${TOPIC} only. Roundrobin requires every consumer to\n` +
        "subscribe to the same topics with the same stream counts; every member's rebalance now fails, is retried\n" +
        'rebalance.max.retries (4) times, rebalance.backoff.ms (2 s) apart, and is given up. Partitions are\n' +
        'released at the start of each attempt, so the whole group is left owning nothing:',
    );
    const c3 = multiTopicApp(sim, 'c3', rrProps('c3'), { [TOPIC]: 1 });
    const gaveUp = (node: string) => sim.kernel.trace.records.some((r) => r.kind === 'consumer.rebalance.gave-up' && r.node === node);
    await sim.runUntil(() => c3.main.settled && gaveUp('c1') && gaveUp('c2'), { description: 'every member to give up' });
    const firstError = sim.kernel.trace.records.find((r) => r.kind === 'consumer.rebalance.error' && r.node === 'c3');
    const requirement = String(firstError?.data.error ?? '')
      .replace(', AND', ',\n    AND')
      .trimEnd()
      .split('\n')
      .map((line) => `    ${line.trim()}`)
      .join('\n');
    run.say(`Every attempt of every member failed with java.lang.IllegalArgumentException:\n${requirement}`);
    run.say(`c3's createMessageStreams threw ${(c3.main.error as Error | undefined)?.name}: ${(c3.main.error as Error | undefined)?.message}.`);
    await sim.runFor(5_000);
    const ownersWhileMixed = zkAssignment(sim, RR, [TOPIC, TOPIC2]).size;
    run.say(`Five seconds later the group still owns ${ownersWhileMixed} partitions: nobody consumes anything.`);
    run.claim(
      "c3's createMessageStreams failed with ConsumerRebalanceFailed and the group owned no partition at all",
      c3.main.error instanceof ConsumerRebalanceFailedError && ownersWhileMixed === 0 && [...rrApps, c3].every((app) => app.connector.owned().length === 0),
    );
    run.say("c3's application gives up and calls shutdown(); the group changes again, and c1 and c2 rebalance:");
    await c3.shutdown();
    const recovered = await settle(sim, RR, [TOPIC, TOPIC2], rrApps, rrExpected);
    showAssignment(run, registeredThreads(sim, RR, TOPIC), rrExpected(), zkAssignment(sim, RR, [TOPIC, TOPIC2]), connectorAssignment(rrApps));
    run.claim('once c3 left, c1 and c2 own the roundrobin assignment again', recovered);
    for (const app of rrApps) await app.shutdown();

    run.whatYouSaw([
      `Range on ${PARTITIONS} partitions: contiguous ranges, the first P % C threads one more; a 4th thread got nothing.`,
      `A live group went through ${sizes.join(' → ')} threads; after each change /owners and every connector matched the definition.`,
      `Range over ${TOPIC} and ${TOPIC2}: c1 ${rangeCounts[0]} partitions, c2 ${rangeCounts[1]}; roundrobin: ${rrCounts.join(' and ')}.`,
      `A member with a different subscription broke roundrobin: every rebalance failed 4 times and the group owned nothing until it left.`,
    ]);
  },
};

/** A consumer app subscribing to several topics (its streams are not iterated: this lesson is about ownership). */
function multiTopicApp(sim: Simulation, consumerId: string, props: ConsumerConfigInput, subscription: Readonly<Record<string, number>>): GroupConsumerApp {
  return new GroupConsumerApp(sim, ClientProcess.on(sim, consumerId), consumerId, props, subscription);
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
