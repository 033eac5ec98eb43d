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
 *
 * With --broker the same connectors run in coordinator mode (`group.coordination: 'coordinator'`):
 * the broker's group coordinator runs the membership, the group's leader computes the assignment
 * with the same range/roundrobin assignors, over the same consumer ids (consumer.id c1, c2, c3), so
 * every assignment is the same as on the simulator for the same partition counts. There is no
 * ZooKeeper to read: the connectors' `owned()` is checked against the definition.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess } from '../src/client/client-process.ts';
import type { ConsumerConfigInput } from '../src/client/group/config.ts';
import type { MemberStateName } from '../src/client/group/member-state.ts';
import { ConsumerRebalanceFailedError } from '../src/client/errors.ts';
import type { Runtime } from '../src/client/runtime.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { brokerPartitionCounts } from './lib/broker-topics.ts';
import { startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { GroupConsumerApp, ZOOKEEPER_CONNECT } from './lib/group-consumer-app.ts';
import { groupMembers, partitionOwners, znodeData } from './lib/group-znodes.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { RealProcess } from './lib/real-process.ts';

const TOPIC = 'jiketest';
const TOPIC2 = 'jikelog';
const PARTITIONS = 3;
const SETTLE_WITHIN_MS = 30_000;
/** The groups of steps 3 and 4, and their members' subscription. */
const RANGE2 = 'jike-range';
const RR = 'jike-roundrobin';
const TWO_TOPICS = { [TOPIC]: 1, [TOPIC2]: 1 };
const RR_EXTRA = { 'partition.assignment.strategy': 'roundrobin' } as const;

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

/**
 * Where the lesson's groups run. On the simulator the connectors register in ZooKeeper and the
 * lesson reads the registrations and owner znodes; on a real broker they run in coordinator mode
 * and only what the connectors own is visible.
 */
interface GroupStage {
  readonly onBroker: boolean;
  /** The partition count of each topic. */
  readonly partitions: Readonly<Record<string, number>>;
  /** A consumer app (`consumer.id` = `consumerId`) joining `group` with `subscription`. */
  join(group: string, consumerId: string, subscription: Readonly<Record<string, number>>, extra?: Partial<ConsumerConfigInput>): GroupConsumerApp;
  /** Every thread id of the group's members, for `topic` (simulator: from /ids; broker: the live apps' streams). */
  threads(group: string, topic: string, apps: readonly GroupConsumerApp[]): string[];
  /** What the owner znodes say (undefined on a broker: no ZooKeeper). */
  owners(group: string, topics: readonly string[]): Assignment | undefined;
  /** Waits until the owners and every connector show `expected()`, and still do a while later. */
  settle(group: string, topics: readonly string[], apps: readonly GroupConsumerApp[], expected: () => Assignment): Promise<boolean>;
  /** Lets `ms` pass (virtual or wall clock). */
  pause(ms: number): Promise<void>;
  /** On a broker: the real runtime. */
  readonly runtime?: Runtime;
}

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

function properties(group: string, consumerId: string, extra: Partial<ConsumerConfigInput> = {}): ConsumerConfigInput {
  return { 'zookeeper.connect': ZOOKEEPER_CONNECT, 'group.id': group, 'consumer.id': consumerId, 'zookeeper.sync.time.ms': '2000', ...extra };
}

function simulatorStage(sim: Simulation, partitions: Readonly<Record<string, number>>): GroupStage {
  return {
    onBroker: false,
    partitions,
    join: (group, consumerId, subscription, extra) => new GroupConsumerApp(sim, ClientProcess.on(sim, consumerId), consumerId, properties(group, consumerId, extra), subscription),
    threads: (group, topic) => registeredThreads(sim, group, topic),
    owners: (group, topics) => zkAssignment(sim, group, topics),
    /** Runs until ZooKeeper and the connectors both show `expected()` and still do 2 s later. */
    async settle(group, topics, apps, expected) {
      const holds = () => same(zkAssignment(sim, group, topics), expected()) && same(connectorAssignment(apps), expected());
      for (const pause of [0, 2_000]) {
        await sim.runFor(pause);
        const deadline = sim.kernel.nowMs + SETTLE_WITHIN_MS;
        await sim.runUntil(() => holds() || sim.kernel.nowMs > deadline, { description: `group ${group} to settle` });
      }
      return holds();
    },
    pause: (ms) => sim.runFor(ms),
  };
}

/** Heartbeats this often on a broker, so that a rebalance reaches every member within half a second. */
const BROKER_HEARTBEAT_MS = 500;

/** The coordinator-mode member's state (Stable once it has its share of the current generation). */
function memberState(app: GroupConsumerApp): MemberStateName | undefined {
  const connector = app.connector as Partial<{ membership: { state: MemberStateName } }>;
  return connector.membership?.state;
}

function brokerStage(runtime: Runtime, bootstrapServers: string, partitions: Readonly<Record<string, number>>): GroupStage {
  const wait = (condition: () => boolean, description: string) => waitUntil(runtime, condition, description, SETTLE_WITHIN_MS).then(() => true, () => false);
  return {
    onBroker: true,
    runtime,
    partitions,
    join: (group, consumerId, subscription, extra) =>
      new GroupConsumerApp(runtime, new RealProcess(runtime, consumerId), consumerId, {
        'group.id': group,
        'consumer.id': consumerId,
        'group.coordination': 'coordinator',
        'bootstrap.servers': bootstrapServers,
        'heartbeat.interval.ms': BROKER_HEARTBEAT_MS,
        'session.timeout.ms': 6_000,
        'rebalance.timeout.ms': 10_000,
        ...extra,
      }, subscription),
    threads: (_group, topic, apps) => apps.flatMap((app) => Array.from({ length: app.topicCountMap[topic] ?? 0 }, (_, i) => `${app.consumerId}-${i}`)),
    owners: () => undefined,
    /**
     * Waits until every member is Stable owning `expected()`, and still is a heartbeat later. A
     * member that joined is Stable only once every member has rejoined and been given its share.
     */
    async settle(group, _topics, apps, expected) {
      const holds = () => apps.every((app) => app.started && memberState(app) === 'Stable') && same(connectorAssignment(apps), expected());
      let ok = true;
      for (const pause of [0, BROKER_HEARTBEAT_MS]) {
        await runtime.sleep(pause);
        ok = await wait(holds, `group ${group} to settle`);
      }
      return ok && holds();
    },
    pause: (ms) => runtime.sleep(ms),
  };
}

/** One row per thread: what the definition gives, what /owners says (simulator only), what the connector owns. */
function showAssignment(run: LessonRun, threads: readonly string[], expected: Assignment, zk: Assignment | undefined, owned: Assignment): void {
  const of = (a: Assignment, thread: string) => {
    const tps = [...a].filter(([, owner]) => owner === thread).map(([tp]) => tp).sort(byString);
    return tps.length === 0 ? '(nothing)' : tps.join(', ');
  };
  run.table(
    ['thread (sorted)', 'by the definition', ...(zk === undefined ? [] : ['in /owners']), 'connector.owned()'],
    [...threads].sort(byString).map((t) => [t, of(expected, t), ...(zk === undefined ? [] : [of(zk, t)]), of(owned, t)]),
  );
}

/** An assignment as one line, each thread (without the group's prefix) with its partitions: the same on both backends. */
function describeAssignment(group: string, threads: readonly string[], a: Assignment): string {
  return [...threads]
    .sort(byString)
    .map((thread) => {
      const tps = [...a].filter(([, owner]) => owner === thread).map(([tp]) => tp).sort(byString);
      return `${thread.slice(group.length + 1)}: ${tps.length === 0 ? '-' : tps.join(',')}`;
    })
    .join('; ');
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six'];
const inWords = (n: number) => NUMBER_WORDS[n] ?? String(n);

export const lesson: Lesson = {
  id: '04',
  title: 'The assignment algorithm',
  summary: 'Range on 3 partitions step by step, consumers joining and leaving a live group; roundrobin across two topics and its precondition.',
  defaultSeed: 4,
  brokerSupport:
    'every step runs, the group consumer in coordinator mode (the broker\'s group coordinator, the assignment computed by the group\'s leader with the same assignors); ZooKeeper\'s registrations and owner znodes are not read, and roundrobin\'s failed rebalances are the coordinator\'s (an empty assignment) instead of ZooKeeper\'s retries',
  async run(run) {
    let stage: GroupStage;
    let sim: Simulation | undefined;
    if (run.backend.kind === 'broker') {
      stage = await brokerSetup(run, run.backend);
    } else {
      sim = await startCluster(run, {
        brokers: 3,
        topics: [
          { name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 },
          { name: TOPIC2, partitions: PARTITIONS, replicationFactor: 2 },
        ],
        narrate: ['consumer.registered', 'consumer.rebalance.completed', 'consumer.rebalance.conflict', 'consumer.rebalance.gave-up'],
      });
      stage = simulatorStage(sim, { [TOPIC]: PARTITIONS, [TOPIC2]: PARTITIONS });
    }
    const partitions = stage.partitions[TOPIC]!;
    const partitions2 = stage.partitions[TOPIC2]!;
    const onBroker = stage.onBroker;

    run.heading(`1. Range, on paper: ${partitions} partitions`);
    run.say(
      'Each consumer of a group gets N streams; stream i is the consumer thread "<consumerId>-i". At every\n' +
        `rebalance each consumer computes, for each topic, from what ${onBroker ? 'the group\'s leader learns from the coordinator' : 'ZooKeeper holds'}:\n` +
        `  partitions sorted by id: ${Array.from({ length: partitions }, (_, p) => p).join(', ')} (P = ${partitions}); every thread of the group sorted as strings (C of them)\n` +
        '  nPartsPerConsumer = P / C (integer division), nConsumersWithExtraPart = P % C\n' +
        '  the thread at position pos gets nPartsPerConsumer partitions, plus one if pos < P % C,\n' +
        '  starting at nPartsPerConsumer * pos + min(pos, P % C)\n' +
        'then keeps its own share. For 1 to 4 threads:',
    );
    const paperThreads = ['A-0', 'B-0', 'C-0', 'D-0'];
    run.table(
      ['threads C', 'P / C', 'P % C', 'A-0', 'B-0', 'C-0', 'D-0'],
      [1, 2, 3, 4].map((c) => {
        const a = rangeOfTopic(TOPIC, partitions, paperThreads.slice(0, c));
        const cell = (t: string, i: number) => {
          if (i >= c) return '';
          const mine = [...a].filter(([, owner]) => owner === t).map(([tp]) => tp.slice(TOPIC.length + 1));
          return mine.length === 0 ? '-' : mine.join(',');
        };
        return [c, Math.floor(partitions / c), partitions % c, ...paperThreads.map(cell)];
      }),
    );
    run.say('The ranges are contiguous, the first P % C threads get one more, and beyond P threads the rest get none.');

    run.heading('2. Consumers join and leave a live group');
    run.say(
      onBroker
        ? 'Real connectors now join the group jikegrouptest in coordinator mode (consumer.id set to c1, c2, c3\n' +
            'so the ids read easily). Each join or leave starts a rebalance at the group coordinator; every member\n' +
            `learns of it with its next heartbeat (every ${BROKER_HEARTBEAT_MS} ms here), gives up its partitions and joins again;\n` +
            'the leader computes the range over every member\'s consumer id and streams and hands out the shares.\n' +
            'The broker waits a few seconds (group.initial.rebalance.delay.ms) before a new group\'s first rebalance.'
        : 'Real connectors now join the group jikegrouptest (consumer.id set to c1, c2, c3 so the ids read\n' +
            'easily). Each change of /consumers/jikegrouptest/ids fires a watch on every member; each runs the\n' +
            'rebalance: release its partitions, compute the range, claim its share with ephemeral owner znodes.\n' +
            'A claim fails while the previous owner has not yet released the partition: that member undoes its\n' +
            'claims and retries after rebalance.backoff.ms (2 s).',
    );
    // The groups of steps 3 and 4, started when their step comes (on a broker: now, see below).
    let twoTopicGroup: GroupConsumerApp[] | undefined;
    let rrGroup: GroupConsumerApp[] | undefined;
    const startTwoTopicGroup = () => (twoTopicGroup ??= ['c1', 'c2'].map((c) => stage.join(RANGE2, c, TWO_TOPICS)));
    const startRrGroup = () => (rrGroup ??= ['c1', 'c2'].map((c) => stage.join(RR, c, TWO_TOPICS, RR_EXTRA)));
    if (onBroker) {
      run.say(
        `The consumers of steps 3 and 4 (groups ${RANGE2} and ${RR}) start now, in the background: each new group's\n` +
          'first rebalance waits for more members to come (twice the delay when a member joins twice, as a new one\n' +
          'does to get its member id), and their waits then overlap this step\'s.',
      );
      startTwoTopicGroup();
      startRrGroup();
    }
    const GROUP = 'jikegrouptest';
    const apps = new Map<string, GroupConsumerApp>();
    const live = () => [...apps.values()];
    const expectedNow = () => rangeOfTopic(TOPIC, partitions, stage.threads(GROUP, TOPIC, live()));
    const steps: Array<{ what: string; act: () => Promise<void> }> = [
      { what: 'c1 joins with 1 stream', act: async () => void apps.set('c1', stage.join(GROUP, 'c1', { [TOPIC]: 1 })) },
      { what: 'c2 joins with 2 streams', act: async () => void apps.set('c2', stage.join(GROUP, 'c2', { [TOPIC]: 2 })) },
      { what: 'c3 joins with 1 stream', act: async () => void apps.set('c3', stage.join(GROUP, 'c3', { [TOPIC]: 1 })) },
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
    const liveFacts: Fact[] = [];
    for (const [i, step] of steps.entries()) {
      run.say(`\n${String.fromCharCode(97 + i)}. ${step.what}:`);
      await step.act();
      const ok = await stage.settle(GROUP, [TOPIC], live(), expectedNow);
      settled.push(ok);
      const threads = stage.threads(GROUP, TOPIC, live());
      sizes.push(`${threads.length}`);
      run.say(`${threads.length} thread${threads.length === 1 ? '' : 's'}: P / C = ${Math.floor(partitions / threads.length)}, P % C = ${partitions % threads.length}.`);
      const owned = connectorAssignment(live());
      showAssignment(run, threads, expectedNow(), stage.owners(GROUP, [TOPIC]), owned);
      liveFacts.push({ name: `range after "${step.what}"`, value: describeAssignment(GROUP, threads, owned), kind: 'match' });
    }
    run.claim(
      onBroker ? 'after every join and leave, every connector owns what the range definition gives it' : 'after every join and leave, the owner znodes and every connector match the range definition',
      settled.every((ok) => ok),
      `settled: ${settled.join(', ')}`,
    );
    const idle = 'jikegrouptest_c3-0';
    run.say(
      `With 4 threads for ${partitions} partitions the last thread in string order, ${idle}, got ${partitions < 4 ? 'nothing' : 'a partition'}; when c1 left\n` +
        'it got a partition. Order is by string, not by join time: the consumer id decides where a thread\n' +
        'ranks (and "c10-0" sorts before "c2-0").',
    );
    for (const app of live()) await app.shutdown();

    run.heading('3. Two topics with range: the first thread gets the extra partition of each');
    run.say(
      `Two consumers, c1 and c2, each with one stream of ${TOPIC} and one of ${TOPIC2} (${partitions === partitions2 ? `${partitions} partitions each` : `${partitions} and ${partitions2} partitions`}), in\n` +
        `the group ${RANGE2}. Range cuts each topic separately: ${partitions} / 2 = ${Math.floor(partitions / 2)} each and the first thread,\n` +
        `${RANGE2}_c1-0, gets ${partitions % 2 === 1 ? 'one more' : 'no more (the count is even)'}, in both topics. With many topics of few partitions each, the first\n` +
        'threads collect the extra partition of every topic while the last ones may get nothing at all.',
    );
    const twoTopicApps = startTwoTopicGroup();
    const rangeExpected = () =>
      new Map([...rangeOfTopic(TOPIC, partitions, stage.threads(RANGE2, TOPIC, twoTopicApps)), ...rangeOfTopic(TOPIC2, partitions2, stage.threads(RANGE2, TOPIC2, twoTopicApps))]);
    const rangeSettled = await stage.settle(RANGE2, [TOPIC, TOPIC2], twoTopicApps, rangeExpected);
    const rangeThreads = stage.threads(RANGE2, TOPIC, twoTopicApps);
    const rangeOwned = connectorAssignment(twoTopicApps);
    showAssignment(run, rangeThreads, rangeExpected(), stage.owners(RANGE2, [TOPIC, TOPIC2]), rangeOwned);
    const countsOf = (a: Assignment, threads: string[]) => threads.sort(byString).map((t) => [...a.values()].filter((o) => o === t).length);
    const rangeCounts = countsOf(stage.owners(RANGE2, [TOPIC, TOPIC2]) ?? rangeOwned, rangeThreads);
    const rangeDefined = countsOf(rangeExpected(), rangeThreads);
    run.claim(
      `range over two topics of ${partitions === partitions2 ? partitions : `${partitions} and ${partitions2}`} partitions gives c1 ${inWords(rangeDefined[0]!)} partitions and c2 ${inWords(rangeDefined[1]!)}`,
      rangeSettled && rangeCounts.join() === rangeDefined.join(),
      rangeCounts.join(),
    );
    for (const app of twoTopicApps) await app.shutdown();

    run.heading('4. Roundrobin (0.8.2): all partitions dealt around the threads');
    run.say(
      `The same two consumers in the group ${RR} with partition.assignment.strategy=roundrobin. All\n` +
        'partitions of all topics are sorted by the Java hashCode of "[topic,partition]" (a fixed shuffle),\n' +
        'then dealt to the sorted threads one by one, round and round:',
    );
    const perTopic = { [TOPIC]: partitions, [TOPIC2]: partitions2 };
    const rrApps = startRrGroup();
    const rrExpected = () => new Map(roundRobin(perTopic, stage.threads(RR, TOPIC, rrApps)).map((x) => [x.tp, x.thread]));
    const rrSettled = await stage.settle(RR, [TOPIC, TOPIC2], rrApps, rrExpected);
    const rrThreads = stage.threads(RR, TOPIC, rrApps);
    run.table(
      ['order', 'partition', 'hashCode of "[topic,partition]"', 'dealt to'],
      roundRobin(perTopic, rrThreads).map((x, i) => [i + 1, x.tp, x.hash, x.thread]),
    );
    const rrOwned = connectorAssignment(rrApps);
    showAssignment(run, rrThreads, rrExpected(), stage.owners(RR, [TOPIC, TOPIC2]), rrOwned);
    const rrCounts = countsOf(stage.owners(RR, [TOPIC, TOPIC2]) ?? rrOwned, rrThreads);
    const total = partitions + partitions2;
    run.claim(
      `roundrobin gives each consumer ${total % 2 === 0 ? `${inWords(total / 2)} of the ${inWords(total)}` : 'its share of the'} partitions, as the definition deals them`,
      rrSettled && rrCounts.join() === countsOf(rrExpected(), rrThreads).join(),
      rrCounts.join(),
    );

    run.heading('5. Roundrobin needs identical subscriptions');
    run.say(
      `c3 joins ${RR} with one stream of ${TOPIC} only. Roundrobin requires every consumer to\n` +
        (onBroker
          ? 'subscribe to the same topics with the same stream counts. In coordinator mode the group\'s leader runs the\n' +
            'assignor, which refuses; the leader then gives every member an empty share for that generation (there\n' +
            'are no ZooKeeper retries to give up after), so the whole group is left owning nothing:'
          : "subscribe to the same topics with the same stream counts; every member's rebalance now fails, is retried\n" +
            'rebalance.max.retries (4) times, rebalance.backoff.ms (2 s) apart, and is given up. Partitions are\n' +
            'released at the start of each attempt, so the whole group is left owning nothing:'),
    );
    const c3 = stage.join(RR, 'c3', { [TOPIC]: 1 }, RR_EXTRA);
    const ownedWhileMixed = sim === undefined ? await mixedSubscriptionsOnBroker(run, stage, rrApps, c3) : await mixedSubscriptionsOnSimulator(run, sim, stage, rrApps, c3);
    run.say("c3's application gives up and calls shutdown(); the group changes again, and c1 and c2 rebalance:");
    await c3.shutdown();
    const recovered = await stage.settle(RR, [TOPIC, TOPIC2], rrApps, rrExpected);
    const rrAfter = connectorAssignment(rrApps);
    showAssignment(run, stage.threads(RR, TOPIC, rrApps), rrExpected(), stage.owners(RR, [TOPIC, TOPIC2]), rrAfter);
    run.claim('once c3 left, c1 and c2 own the roundrobin assignment again', recovered);
    for (const app of rrApps) await app.shutdown();

    run.recordFacts([
      { name: `partitions of ${TOPIC} and ${TOPIC2}`, value: `${partitions} and ${partitions2}`, kind: 'placement' },
      ...liveFacts,
      { name: 'live group matched the range definition after every change', value: settled.every((ok) => ok) ? 'yes' : 'no', kind: 'match' },
      { name: 'range over two topics', value: describeAssignment(RANGE2, rangeThreads, rangeOwned), kind: 'match' },
      { name: 'roundrobin over two topics', value: describeAssignment(RR, rrThreads, rrOwned), kind: 'match' },
      { name: 'partitions owned while subscriptions differed', value: ownedWhileMixed, kind: 'match' },
      { name: 'roundrobin after the mismatched member left', value: describeAssignment(RR, rrThreads, rrAfter), kind: 'match' },
    ]);
    run.whatYouSaw([
      `Range on ${partitions} partitions: contiguous ranges, the first P % C threads one more; a 4th thread got ${partitions < 4 ? 'nothing' : 'a partition'}.`,
      `A live group went through ${sizes.join(' → ')} threads; after each change ${onBroker ? '' : '/owners and '}every connector matched the definition.`,
      `Range over ${TOPIC} and ${TOPIC2}: c1 ${rangeCounts[0]} partitions, c2 ${rangeCounts[1]}; roundrobin: ${rrCounts.join(' and ')}.`,
      onBroker
        ? 'A member with a different subscription broke roundrobin: the leader assigned nothing to anyone until it left.'
        : `A member with a different subscription broke roundrobin: every rebalance failed 4 times and the group owned nothing until it left.`,
      ...(onBroker ? [`Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`] : []),
    ]);
  },
};

/** Step 5 on the simulator: every member's rebalance fails 4 times and is given up (the trace shows it); how many partitions the group owned then. */
async function mixedSubscriptionsOnSimulator(run: LessonRun, sim: Simulation, stage: GroupStage, rrApps: readonly GroupConsumerApp[], c3: GroupConsumerApp): Promise<number> {
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
  await stage.pause(5_000);
  const ownersWhileMixed = stage.owners(RR, [TOPIC, TOPIC2])!.size;
  run.say(`Five seconds later the group still owns ${ownersWhileMixed} partitions: nobody consumes anything.`);
  run.claim(
    "c3's createMessageStreams failed with ConsumerRebalanceFailed and the group owned no partition at all",
    c3.main.error instanceof ConsumerRebalanceFailedError && ownersWhileMixed === 0 && [...rrApps, c3].every((app) => app.connector.owned().length === 0),
  );
  return ownersWhileMixed;
}

/** Step 5 on a broker: the leader's roundrobin refuses the subscriptions and hands out nothing for that generation; how many partitions the group owned then. */
async function mixedSubscriptionsOnBroker(run: LessonRun, stage: GroupStage, rrApps: readonly GroupConsumerApp[], c3: GroupConsumerApp): Promise<number> {
  const members = [...rrApps, c3];
  // Owning nothing once c3 has joined (its createMessageStreams returned), and still a second later.
  const ownedNothing = await waitUntil(stage.runtime!, () => c3.started && connectorAssignment(members).size === 0, 'the group to own nothing', SETTLE_WITHIN_MS).then(
    () => true,
    () => false,
  );
  await stage.pause(1_000);
  const ownedWhileMixed = connectorAssignment(members).size;
  run.say(`c3's createMessageStreams returned (it joined the generation); a second later the group owns ${ownedWhileMixed} partitions: nobody consumes anything.`);
  run.skipped(
    "the claim that c3's createMessageStreams failed with ConsumerRebalanceFailed after 4 attempts, and the assignor's error text",
    'that is the ZooKeeper connector\'s retry loop; a broker\'s group coordinator has no such retries (the leader assigns nothing instead), and the error is in the trace, which a real broker does not give',
  );
  run.claim('while c3 subscribed differently, no member of the group owned a partition', ownedNothing && ownedWhileMixed === 0 && c3.main.error === undefined);
  return ownedWhileMixed;
}

/** The lesson's topics on the broker, and the stage its groups run on. */
async function brokerSetup(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<GroupStage> {
  const partitions = await brokerPartitionCounts(backend.runtime, backend.bootstrapServers, [TOPIC, TOPIC2], 'lesson-04');
  const differs = Object.values(partitions).some((n) => n !== PARTITIONS);
  run.say(
    `The brokers at ${backend.bootstrapServers}: ${TOPIC} has ${partitions[TOPIC]} partitions, ${TOPIC2} ${partitions[TOPIC2]}` +
      `${differs ? ` (the simulator's have ${PARTITIONS}: the broker chose the count when it created the topic, and the assignments follow it)` : ''}.`,
  );
  run.skipped(
    'the registrations and owner znodes in ZooKeeper (/consumers/<group>/ids and /owners)',
    'in coordinator mode the group lives in the broker\'s group coordinator and this run has no ZooKeeper address; what every connector owns is checked instead',
  );
  return brokerStage(backend.runtime, backend.bootstrapServers, partitions);
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
