/**
 * Lesson 12: how the 0.8 producer picks a partition.
 *
 * The default partitioner (`abs(key.hashCode) % numPartitions`), null keys (one random partition
 * per topic, kept until the next metadata refresh), the article's `SimplePartitioner` (an IP
 * address's last number modulo the partition count), the skew each produces, and what a null or
 * an empty key does to a custom partitioner.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { ClientProcess } from '../src/client/client-process.ts';
import { abs080, abs082, javaStringHashCode, simplePartitioner, type Partitioner } from '../src/client/partitioners.ts';
import type { ProducerConfigInput } from '../src/client/producer/config.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import { payloadToString } from '../src/protocol/message.ts';
import type { Runtime } from '../src/client/runtime.ts';
import { formatMs } from '../src/sim/index.ts';
import type { LessonBackend } from './lib/backend.ts';
import { brokerClient, showBrokerTopics } from './lib/broker-topics.ts';
import { showCluster, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { narratedRuntime } from './lib/requests.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const SERVERS_TOPIC = 'servers';
const SERVERS_PARTITIONS = 5;
const KEYED_MESSAGES = 60;
const NULL_KEY_MESSAGES = 30;
const SHORT_REFRESH_MS = 10_000;
const SIMPLE_PARTITIONER = 'kafka.producer.partiton.SimplePartitioner';
/** On a real broker: the null-key loops' pauses and the short refresh interval (the lesson stays short). */
const BROKER_STICKY_PAUSE_MS = 50;
const BROKER_REFRESH_PAUSE_MS = 100;
const BROKER_SHORT_REFRESH_MS = 400;
/** Section 5: 25 servers numbered 10.0.1.10 ... 10.0.1.250, four messages each. */
const SERVER_KEYS = Array.from({ length: 25 }, (_, i) => `10.0.1.${(i + 1) * 10}`);
const serverMessages = (_: unknown, i: number) => ({ key: SERVER_KEYS[i % SERVER_KEYS.length]!, value: `log ${i}` });
const randomIp: MessageOf = (random, i) => ({ key: `192.168.2.${random.int(0, 254)}`, value: `msg ${i}` });

interface Sent {
  readonly key: string | null;
  readonly partition: number | undefined;
  readonly atMs: number;
}

export const lesson: Lesson = {
  id: '12',
  title: 'Partitioners',
  summary: 'The default partitioner, sticky null keys until a metadata refresh, the article\'s SimplePartitioner on IP keys, and the skew each produces.',
  defaultSeed: 12,
  brokerSupport: 'every step runs on the broker\'s partition counts (the null-key loops 50 and 100 ms apart with a 400 ms refresh instead of 1 s and 10 s); the keys\' placement is checked against the partitioners and the same keys land as on the simulator when the counts are the same',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [
        { name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 },
        { name: SERVERS_TOPIC, partitions: SERVERS_PARTITIONS, replicationFactor: 2 },
      ],
      narrate: ['fault.', 'producer.'],
    });
    const app = ClientProcess.on(sim, 'producer-app');

    run.heading('1. The cluster');
    run.say(
      `Topic ${TOPIC} has ${PARTITIONS} partitions (the article's), ${SERVERS_TOPIC} has ${SERVERS_PARTITIONS}. A producer decides the partition of\n` +
        'every message itself, before sending: the brokers only append what they are given.',
    );
    showCluster(run, sim);

    // ------------------------------------------------------------------ default partitioner
    run.heading('2. The default partitioner: abs(key.hashCode) % numPartitions');
    hashTable(run, PARTITIONS);
    run.say(
      `\nThe article's SyncProduce loop, with the default partitioner: ${KEYED_MESSAGES} messages keyed by a random\n` +
        'IP "192.168.2." + rnd.nextInt(255), acks=1.',
    );
    const keyed = await produce(sim, app, 'default partitioner', { 'request.required.acks': 1 }, randomIp, KEYED_MESSAGES);
    const defaultCounts = countPerPartition(keyed.sent, PARTITIONS);
    run.claim(
      'every keyed message went to abs(key.hashCode) % 3',
      keyed.sent.every((m) => m.partition === abs082(javaStringHashCode(m.key!)) % PARTITIONS),
    );
    run.claim('the same key always landed on the same partition', sameKeySamePartition(keyed.sent));

    // ------------------------------------------------------------------ null keys
    run.heading('3. Null keys: one random partition until the next metadata refresh');
    run.say(
      'A message without a key is not hashed. The producer picks a random partition that has a leader,\n' +
        'remembers it for the topic, and forgets it only when it refreshes its metadata: every\n' +
        'topic.metadata.refresh.interval.ms (600000 ms, ten minutes, by default) or after a failed send.\n' +
        `First ${NULL_KEY_MESSAGES} null-key messages, one a second, with the default interval (its Metadata requests shown):`,
    );
    const sticky = await produce(sim, app, 'null keys, default refresh', { 'request.required.acks': 1 }, (_, i) => ({ key: null, value: `null-key ${i}` }), NULL_KEY_MESSAGES, {
      pauseMs: 1000,
      narrate: run,
    });
    const stickyPartitions = new Set(sticky.sent.map((m) => m.partition));
    const stickyCounts = countPerPartition(sticky.sent, PARTITIONS);
    run.say(`All ${NULL_KEY_MESSAGES} went to ${TOPIC}-${[...stickyPartitions].join(', ')}, over ${formatMs(sticky.sent.at(-1)!.atMs - sticky.sent[0]!.atMs)}.`);
    run.claim(`with the default interval, all ${NULL_KEY_MESSAGES} null-key messages went to one partition`, stickyPartitions.size === 1 && sticky.refreshes.length === 1);

    run.say(
      `\nNow topic.metadata.refresh.interval.ms=${SHORT_REFRESH_MS}: a refresh at the first send more than ${SHORT_REFRESH_MS / 1000} s after\n` +
        'the previous one, and a new draw after each. One message a second until a draw moves it (then 4 more):',
    );
    const refreshing = await produce(
      sim,
      app,
      'null keys, short refresh',
      { 'request.required.acks': 1, 'topic.metadata.refresh.interval.ms': SHORT_REFRESH_MS },
      (_, i) => ({ key: null, value: `refreshed ${i}` }),
      200,
      { pauseMs: 1000, narrate: run, until: (sent) => sent.length - sent.findIndex((m) => m.partition !== sent[0]!.partition) >= 5 && sent.some((m) => m.partition !== sent[0]!.partition) },
    );
    const windows = refreshWindows(refreshing.sent, refreshing.refreshes);
    run.table(
      ['metadata refresh at', 'messages sent after it', 'partition(s) they went to'],
      windows.map((w) => [formatMs(w.refreshMs), w.sent.length, [...new Set(w.sent.map((m) => `${TOPIC}-${m.partition}`))].join(', ')]),
    );
    const refreshedCounts = countPerPartition(refreshing.sent, PARTITIONS);
    const switchWindow = windows.findIndex((w, i) => i > 0 && w.sent[0]?.partition !== windows[i - 1]!.sent[0]?.partition);
    run.claim(
      'between two refreshes every null-key message went to the same partition, and the partition changed only at a refresh',
      windows.every((w) => new Set(w.sent.map((m) => m.partition)).size === 1) && switchWindow > 0,
    );
    run.say(
      `The draw changed at the refresh of ${formatMs(windows[switchWindow]!.refreshMs)}${switchWindow > 1 ? ` (the earlier ${switchWindow - 1} redraw(s) happened to pick the same partition)` : ''}.\n` +
        'Which partition each draw picks, and how many refreshes it takes to move, vary with the seed.',
    );

    // ------------------------------------------------------------------ SimplePartitioner
    run.heading('4. The article\'s SimplePartitioner: the last number of the IP');
    run.say(
      `partitioner.class=${SIMPLE_PARTITIONER} (the article's package name, typo included):\n` +
        "partition = Integer.parseInt(the text after the last '.') % numPartitions, and 0 when the key has\n" +
        "no '.' (its test is offset > 0). The same loop, the same kind of keys:",
    );
    const simple = await produce(sim, app, 'SimplePartitioner', { 'request.required.acks': 1, 'partitioner.class': SIMPLE_PARTITIONER }, randomIp, KEYED_MESSAGES);
    const simpleCounts = countPerPartition(simple.sent, PARTITIONS);
    run.claim(
      'every message went to (last number of its IP) % 3',
      simple.sent.every((m) => m.partition === Number(m.key!.slice(m.key!.lastIndexOf('.') + 1)) % PARTITIONS),
    );

    run.say(`\nMessages per partition of ${TOPIC}, by how the partition was chosen:`);
    const rows: Array<[string, number[]]> = [
      [`default, ${KEYED_MESSAGES} random IP keys`, defaultCounts],
      [`SimplePartitioner, ${KEYED_MESSAGES} random IP keys`, simpleCounts],
      [`null keys, refresh every 600000 ms`, stickyCounts],
      [`null keys, refresh every ${SHORT_REFRESH_MS} ms`, refreshedCounts],
    ];
    run.table(['how', ...Array.from({ length: PARTITIONS }, (_, p) => `${TOPIC}-${p}`)], rows.map(([how, counts]) => [how, ...counts]));
    run.say(
      'Random IPs spread both ways, unevenly by chance; null keys pile onto one partition per producer\n' +
        'for ten minutes at a time (many producers average out; one producer does not).',
    );

    // ------------------------------------------------------------------ skew by key pattern
    run.heading('5. When the keys have a pattern');
    run.say(
      `25 servers numbered 10.0.1.10, 10.0.1.20, ... 10.0.1.250 (a common numbering) send 4 messages each to\n` +
        `${SERVERS_TOPIC}, which has ${SERVERS_PARTITIONS} partitions. Every last number is a multiple of 10, hence of 5:`,
    );
    const bySimple = await produce(sim, app, 'servers, SimplePartitioner', { 'request.required.acks': 1, 'partitioner.class': SIMPLE_PARTITIONER }, serverMessages, 100, {
      topic: SERVERS_TOPIC,
    });
    const byDefault = await produce(sim, app, 'servers, default partitioner', { 'request.required.acks': 1 }, serverMessages, 100, { topic: SERVERS_TOPIC });
    const serversSimple = countPerPartition(bySimple.sent, SERVERS_PARTITIONS);
    const serversDefault = countPerPartition(byDefault.sent, SERVERS_PARTITIONS);
    run.table(
      ['partitioner', ...Array.from({ length: SERVERS_PARTITIONS }, (_, p) => `${SERVERS_TOPIC}-${p}`)],
      [
        ['SimplePartitioner', ...serversSimple],
        ['default (hash)', ...serversDefault],
      ],
    );
    run.claim('SimplePartitioner sent every server message to partition 0', serversSimple[0] === 100);
    run.claim('the hash spread the same keys over every partition', serversDefault.every((n) => n > 0));
    run.say('A partitioner that reads meaning into the key inherits the key\'s patterns; a hash does not.');

    // ------------------------------------------------------------------ null and empty keys
    run.heading('6. Null and empty keys with a custom partitioner');
    run.say(
      'The article warns that the key must be neither null nor "" or the custom partitioner is never\n' +
        'called. Here SimplePartitioner is wrapped to count its calls; 3 messages with a null key, then 3 with "":',
    );
    let calls = 0;
    const counted: Partitioner = (key, numPartitions) => {
      calls++;
      return simplePartitioner(key, numPartitions);
    };
    const nullKeys = await produce(sim, app, 'custom partitioner, null keys', { 'request.required.acks': 1, 'partitioner.class': counted }, (_, i) => ({ key: null, value: `no key ${i}` }), 3);
    const callsForNull = calls;
    const emptyKeys = await produce(sim, app, 'custom partitioner, empty keys', { 'request.required.acks': 1, 'partitioner.class': counted }, (_, i) => ({ key: '', value: `empty key ${i}` }), 3);
    const callsForEmpty = calls - callsForNull;
    run.table(
      ['key', 'partitioner calls', 'partitions'],
      [
        ['null', callsForNull, `${nullKeys.sent.map((m) => m.partition).join(', ')} (the producer's random pick)`],
        ['""', callsForEmpty, emptyKeys.sent.map((m) => m.partition).join(', ')],
      ],
    );
    run.claim('a null key never reached the partitioner; an empty key did, every time', callsForNull === 0 && callsForEmpty === 3);
    run.claim('"" has no \'.\', so SimplePartitioner put it on partition 0', emptyKeys.sent.every((m) => m.partition === 0));
    run.correction(
      'only a null key bypasses the partitioner (KeyedMessage.hasKey is key != null).\n' +
        'An empty key "" is passed to it like any other; SimplePartitioner returns 0 for it, so every such\n' +
        'message piles onto partition 0.',
    );

    run.recordFacts(
      facts({ partitions: PARTITIONS, serversPartitions: SERVERS_PARTITIONS, keyed, sticky, refreshing, simple, bySimple, byDefault, nullKeys, emptyKeys, callsForNull, callsForEmpty }),
    );
    run.whatYouSaw([
      `The default partitioner spread ${KEYED_MESSAGES} random IP keys as ${defaultCounts.join(' / ')}, each key always on abs(hashCode) % 3.`,
      `With null keys and the default 10-minute refresh, all ${NULL_KEY_MESSAGES} messages went to one partition (${[...stickyPartitions].map((p) => `${TOPIC}-${p}`).join('')}).`,
      `With a ${SHORT_REFRESH_MS / 1000} s refresh the partition was redrawn ${refreshing.refreshes.length - 1} time(s) and moved at ${formatMs(windows[switchWindow]!.refreshMs)}.`,
      `SimplePartitioner spread random IPs as ${simpleCounts.join(' / ')}; servers .10 to .250 all went to partition 0 of ${SERVERS_PARTITIONS} (hash: ${serversDefault.join(' / ')}).`,
      `A null key skipped the custom partitioner (0 calls); "" reached it (${callsForEmpty} calls) and went to partition 0.`,
    ]);
  },
};

interface ProduceOptions {
  readonly topic?: string;
  readonly pauseMs?: number;
  /** Print the producer's Metadata requests. */
  readonly narrate?: LessonRun;
  /** Stop early once this holds. */
  readonly until?: (sent: readonly Sent[]) => boolean;
}

type MessageOf = (random: Runtime['random'], i: number) => { key: string | null; value: string };

interface Produced {
  readonly sent: Sent[];
  readonly refreshes: number[];
  readonly ledger: ProducerLedger;
}

/** What a producer run is given: its name, its properties, its messages, how many, and how. */
type ProduceArgs = [name: string, config: Omit<ProducerConfigInput, 'metadata.broker.list'>, message: MessageOf, count: number, options?: ProduceOptions];

/** A sync producer sending up to `count` messages, one at a time; what went where, and its metadata refreshes. */
async function produceLoop(appRuntime: Runtime, bootstrapServers: string, ...[name, config, message, count, options = {}]: ProduceArgs): Promise<Produced> {
  const topic = options.topic ?? TOPIC;
  const refreshes: number[] = [];
  const runtime = watchMetadata(options.narrate === undefined ? appRuntime : narratedRuntime(options.narrate, appRuntime, name, { apis: ['Metadata'] }), refreshes);
  const producer = new Producer(runtime, { 'metadata.broker.list': bootstrapServers, ...config });
  const sent: Sent[] = [];
  for (let i = 0; i < count; i++) {
    const { key, value } = message(runtime.random, i);
    await producer.send(keyedMessage(topic, key, value));
    const entry = producer.ledger.entries.at(-1)!;
    sent.push({ key: entry.key === null ? null : payloadToString(entry.key), partition: entry.partition, atMs: runtime.nowMs() });
    if (options.until?.(sent) === true) break;
    if (options.pauseMs !== undefined) await runtime.sleep(options.pauseMs);
  }
  await producer.close();
  return { sent, refreshes, ledger: producer.ledger };
}

/** `produceLoop` as a task of the simulated client machine. */
async function produce(sim: Simulation, app: ClientProcess, ...args: ProduceArgs): Promise<Produced> {
  const task = app.run(args[0], (appRuntime) => produceLoop(appRuntime, sim.bootstrapServers, ...args));
  await sim.runUntil(() => task.settled, { description: `the producer "${args[0]}" to finish` });
  return task.result();
}

/** `runtime`, noting the time of every Metadata request its connections send. */
function watchMetadata(runtime: Runtime, refreshes: number[]): Runtime {
  return {
    ...runtime,
    async connect(host, port, options) {
      const connection = await runtime.connect(host, port, options);
      return {
        get address() {
          return connection.address;
        },
        get isOpen() {
          return connection.isOpen;
        },
        send(request, sendOptions) {
          if (request.api === 'Metadata') refreshes.push(runtime.nowMs());
          return connection.send(request, sendOptions);
        },
        sendOneWay: (request) => connection.sendOneWay(request),
        close: () => connection.close(),
      };
    },
  };
}

function countPerPartition(sent: readonly Sent[], partitions: number): number[] {
  const counts = new Array<number>(partitions).fill(0);
  for (const m of sent) if (m.partition !== undefined) counts[m.partition]!++;
  return counts;
}

function sameKeySamePartition(sent: readonly Sent[]): boolean {
  const seen = new Map<string | null, number | undefined>();
  for (const m of sent) {
    if (seen.has(m.key) && seen.get(m.key) !== m.partition) return false;
    seen.set(m.key, m.partition);
  }
  return true;
}

/** The messages sent after each metadata refresh, up to the next one. */
function refreshWindows(sent: readonly Sent[], refreshes: readonly number[]): Array<{ refreshMs: number; sent: Sent[] }> {
  return refreshes.map((refreshMs, i) => ({
    refreshMs,
    sent: sent.filter((m) => m.atMs >= refreshMs && (i + 1 >= refreshes.length || m.atMs < refreshes[i + 1]!)),
  }));
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));

/** Section 2's table: sample keys, their hashCode, and their partition under 0.8.2's and 0.8.1's abs. */
function hashTable(run: LessonRun, partitions: number): void {
  run.say(
    'kafka.producer.DefaultPartitioner hashes the key with Java\'s String.hashCode (32-bit, it can be\n' +
      'negative), takes Utils.abs of it and the remainder by the partition count. The article runs 0.8.1,\n' +
      'whose Utils.abs is n & 0x7fffffff; 0.8.2 uses math.abs. They differ for negative hash codes:',
  );
  const sampleKeys = ['192.168.2.15', '192.168.2.100', '192.168.2.200', 'user-1'];
  run.table(
    ['key', 'hashCode', 'partition (0.8.2)', 'partition (0.8.1)'],
    sampleKeys.map((key) => {
      const hash = javaStringHashCode(key);
      return [key, String(hash), `${abs082(hash)} % ${partitions} = ${abs082(hash) % partitions}`, `${abs080(hash)} % ${partitions} = ${abs080(hash) % partitions}`];
    }),
  );
}

/** The number after a key's last '.' (SimplePartitioner's reading of an IP). */
function lastNumber(key: string): number {
  return Number(key.slice(key.lastIndexOf('.') + 1));
}

interface RunFacts {
  readonly partitions: number;
  readonly serversPartitions: number;
  readonly keyed: Produced;
  readonly sticky: Produced;
  readonly refreshing: Produced;
  readonly simple: Produced;
  readonly bySimple: Produced;
  readonly byDefault: Produced;
  readonly nullKeys: Produced;
  readonly emptyKeys: Produced;
  readonly callsForNull: number;
  readonly callsForEmpty: number;
}

/**
 * The facts `kafkasim compare` puts side by side. Where the keys are fixed (the servers), where
 * they land is a `match` fact when the broker's topic has the simulator's partition count and a
 * `placement` fact when not; random keys are compared by the rule they follow, not by where they went.
 */
function facts(f: RunFacts): Fact[] {
  const yes = (holds: boolean) => (holds ? 'yes' : 'no');
  const all = [f.keyed, f.sticky, f.refreshing, f.simple, f.bySimple, f.byDefault, f.nullKeys, f.emptyKeys];
  const windows = refreshWindows(f.refreshing.sent, f.refreshing.refreshes);
  const serversKind = f.serversPartitions === SERVERS_PARTITIONS ? 'match' : 'placement';
  return [
    { name: `partitions of ${TOPIC} / ${SERVERS_TOPIC}`, value: `${f.partitions} / ${f.serversPartitions}`, kind: 'placement' },
    { name: 'send errors', value: all.reduce((n, p) => n + p.ledger.summary().failed + p.ledger.summary().dropped, 0), kind: 'match' },
    { name: 'default: every key at abs(hashCode) % partitions', value: yes(f.keyed.sent.every((m) => m.partition === abs082(javaStringHashCode(m.key!)) % f.partitions)), kind: 'match' },
    { name: 'default: the same key, the same partition', value: yes(sameKeySamePartition(f.keyed.sent)), kind: 'match' },
    { name: 'null keys, default refresh: partitions used / metadata requests', value: `${new Set(f.sticky.sent.map((m) => m.partition)).size} / ${f.sticky.refreshes.length}`, kind: 'match' },
    { name: 'null keys, short refresh: one partition between refreshes', value: yes(windows.every((w) => new Set(w.sent.map((m) => m.partition)).size === 1)), kind: 'match' },
    { name: 'SimplePartitioner: every key at (last number) % partitions', value: yes(f.simple.sent.every((m) => m.partition === lastNumber(m.key!) % f.partitions)), kind: 'match' },
    { name: `${SERVERS_TOPIC}: per partition, SimplePartitioner`, value: countPerPartition(f.bySimple.sent, f.serversPartitions).join(' / '), kind: serversKind },
    { name: `${SERVERS_TOPIC}: per partition, default (hash)`, value: countPerPartition(f.byDefault.sent, f.serversPartitions).join(' / '), kind: serversKind },
    { name: 'custom partitioner calls: null keys / empty keys', value: `${f.callsForNull} / ${f.callsForEmpty}`, kind: 'match' },
    { name: 'empty keys: partitions', value: f.emptyKeys.sent.map((m) => m.partition).join(', '), kind: 'match' },
  ];
}

/** Every step on real brokers, on their partition counts and the wall clock (shorter pauses and refresh interval). */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  const { runtime, bootstrapServers } = backend;
  run.heading('1. The cluster');
  const admin = await brokerClient(backend, 'lesson-12');
  const topics = await showBrokerTopics(run, admin, [TOPIC, SERVERS_TOPIC]);
  admin.close();
  const partitions = topics.get(TOPIC)!.length;
  const serversPartitions = topics.get(SERVERS_TOPIC)!.length;
  const same = partitions === PARTITIONS && serversPartitions === SERVERS_PARTITIONS;
  run.say(
    `Topic ${TOPIC} has ${partitions} partition(s) here, ${SERVERS_TOPIC} ${serversPartitions}` +
      `${same ? ' (as on the simulator)' : ` (the simulator's have ${PARTITIONS} and ${SERVERS_PARTITIONS}: the broker chose the counts)`}. A producer decides\n` +
      'the partition of every message itself, before sending: the brokers only append what they are given.',
  );
  const produceHere = (...args: ProduceArgs) => produceLoop(runtime, bootstrapServers, ...args);

  run.heading('2. The default partitioner: abs(key.hashCode) % numPartitions');
  hashTable(run, partitions);
  run.say(`\nThe article's SyncProduce loop, with the default partitioner: ${KEYED_MESSAGES} messages keyed by a random IP, acks=1.`);
  const keyed = await produceHere('default partitioner', { 'request.required.acks': 1 }, randomIp, KEYED_MESSAGES);
  run.claim(`every keyed message went to abs(key.hashCode) % ${partitions}`, keyed.sent.every((m) => m.partition === abs082(javaStringHashCode(m.key!)) % partitions));
  run.claim('the same key always landed on the same partition', sameKeySamePartition(keyed.sent));

  run.heading('3. Null keys: one random partition until the next metadata refresh');
  run.say(
    'A message without a key is not hashed: the producer picks a random partition that has a leader and keeps\n' +
      'it until its next metadata refresh (topic.metadata.refresh.interval.ms, 600000 by default).\n' +
      `${NULL_KEY_MESSAGES} null-key messages, ${BROKER_STICKY_PAUSE_MS} ms apart (1 s on the simulator), with the default interval:`,
  );
  const sticky = await produceHere('null keys, default refresh', { 'request.required.acks': 1 }, (_, i) => ({ key: null, value: `null-key ${i}` }), NULL_KEY_MESSAGES, {
    pauseMs: BROKER_STICKY_PAUSE_MS,
    narrate: run,
  });
  const stickyPartitions = new Set(sticky.sent.map((m) => m.partition));
  run.claim(`with the default interval, all ${NULL_KEY_MESSAGES} null-key messages went to one partition`, stickyPartitions.size === 1 && sticky.refreshes.length === 1);
  run.say(
    `\nNow topic.metadata.refresh.interval.ms=${BROKER_SHORT_REFRESH_MS} (${SHORT_REFRESH_MS} on the simulator), one message every ${BROKER_REFRESH_PAUSE_MS} ms until a draw moves it (then 4 more):`,
  );
  const moved = (sent: readonly Sent[]) => sent.some((m) => m.partition !== sent[0]!.partition) && sent.length - sent.findIndex((m) => m.partition !== sent[0]!.partition) >= 5;
  const refreshing = await produceHere(
    'null keys, short refresh',
    { 'request.required.acks': 1, 'topic.metadata.refresh.interval.ms': BROKER_SHORT_REFRESH_MS },
    (_, i) => ({ key: null, value: `refreshed ${i}` }),
    // One partition: no draw can move it; a few refreshes show that.
    partitions > 1 ? 60 : 10,
    { pauseMs: BROKER_REFRESH_PAUSE_MS, until: moved },
  );
  const windows = refreshWindows(refreshing.sent, refreshing.refreshes);
  run.table(
    ['metadata refresh at', 'messages sent after it', 'partition(s) they went to'],
    windows.map((w) => [formatMs(w.refreshMs), w.sent.length, [...new Set(w.sent.map((m) => `${TOPIC}-${m.partition}`))].join(', ')]),
  );
  run.claim('between two refreshes every null-key message went to the same partition', windows.every((w) => new Set(w.sent.map((m) => m.partition)).size <= 1));
  if (partitions > 1) run.claim('the partition changed, and only at a refresh', moved(refreshing.sent) && windows.some((w, i) => i > 0 && w.sent[0]?.partition !== windows[i - 1]!.sent[0]?.partition));
  else run.skipped('the claim that a redraw moved the null keys', `${TOPIC} has a single partition on this broker: every draw picks it`);

  run.heading("4. The article's SimplePartitioner: the last number of the IP");
  run.say(`partitioner.class=${SIMPLE_PARTITIONER}: partition = (the number after the last '.') % ${partitions}. The same loop:`);
  const simple = await produceHere('SimplePartitioner', { 'request.required.acks': 1, 'partitioner.class': SIMPLE_PARTITIONER }, randomIp, KEYED_MESSAGES);
  run.claim(`every message went to (last number of its IP) % ${partitions}`, simple.sent.every((m) => m.partition === lastNumber(m.key!) % partitions));
  run.table(
    ['how', ...Array.from({ length: partitions }, (_, p) => `${TOPIC}-${p}`)],
    [
      [`default, ${KEYED_MESSAGES} random IP keys`, ...countPerPartition(keyed.sent, partitions)],
      [`SimplePartitioner, ${KEYED_MESSAGES} random IP keys`, ...countPerPartition(simple.sent, partitions)],
      ['null keys, default refresh', ...countPerPartition(sticky.sent, partitions)],
      ['null keys, short refresh', ...countPerPartition(refreshing.sent, partitions)],
    ],
  );

  run.heading('5. When the keys have a pattern');
  run.say(`25 servers 10.0.1.10 ... 10.0.1.250 send 4 messages each to ${SERVERS_TOPIC} (${serversPartitions} partitions). Every last number is a multiple of 10:`);
  const bySimple = await produceHere('servers, SimplePartitioner', { 'request.required.acks': 1, 'partitioner.class': SIMPLE_PARTITIONER }, serverMessages, 100, { topic: SERVERS_TOPIC });
  const byDefault = await produceHere('servers, default partitioner', { 'request.required.acks': 1 }, serverMessages, 100, { topic: SERVERS_TOPIC });
  const serversSimple = countPerPartition(bySimple.sent, serversPartitions);
  const serversDefault = countPerPartition(byDefault.sent, serversPartitions);
  run.table(
    ['partitioner', ...Array.from({ length: serversPartitions }, (_, p) => `${SERVERS_TOPIC}-${p}`)],
    [
      ['SimplePartitioner', ...serversSimple],
      ['default (hash)', ...serversDefault],
    ],
  );
  run.claim(
    `SimplePartitioner sent every server message to (last number) % ${serversPartitions}${10 % serversPartitions === 0 ? ': all to partition 0' : ''}`,
    bySimple.sent.every((m) => m.partition === lastNumber(m.key!) % serversPartitions) && (10 % serversPartitions !== 0 || serversSimple[0] === 100),
  );
  run.claim('the hash sent every server\'s messages to abs(hashCode) % partitions, using more partitions than SimplePartitioner', byDefault.sent.every((m) => m.partition === abs082(javaStringHashCode(m.key!)) % serversPartitions) && (serversPartitions === 1 || serversDefault.filter((n) => n > 0).length > serversSimple.filter((n) => n > 0).length || 10 % serversPartitions !== 0));

  run.heading('6. Null and empty keys with a custom partitioner');
  let calls = 0;
  const counted: Partitioner = (key, numPartitions) => {
    calls++;
    return simplePartitioner(key, numPartitions);
  };
  const nullKeys = await produceHere('custom partitioner, null keys', { 'request.required.acks': 1, 'partitioner.class': counted }, (_, i) => ({ key: null, value: `no key ${i}` }), 3);
  const callsForNull = calls;
  const emptyKeys = await produceHere('custom partitioner, empty keys', { 'request.required.acks': 1, 'partitioner.class': counted }, (_, i) => ({ key: '', value: `empty key ${i}` }), 3);
  const callsForEmpty = calls - callsForNull;
  run.table(
    ['key', 'partitioner calls', 'partitions'],
    [
      ['null', callsForNull, nullKeys.sent.map((m) => m.partition).join(', ')],
      ['""', callsForEmpty, emptyKeys.sent.map((m) => m.partition).join(', ')],
    ],
  );
  run.claim('a null key never reached the partitioner; an empty key did, every time', callsForNull === 0 && callsForEmpty === 3);
  run.claim('"" has no \'.\', so SimplePartitioner put it on partition 0', emptyKeys.sent.every((m) => m.partition === 0));

  run.recordFacts(facts({ partitions, serversPartitions, keyed, sticky, refreshing, simple, bySimple, byDefault, nullKeys, emptyKeys, callsForNull, callsForEmpty }));
  run.whatYouSaw([
    `The default partitioner put each of ${KEYED_MESSAGES} random IP keys on abs(hashCode) % ${partitions}, the same key always on the same partition.`,
    `Null keys stuck to one partition until a metadata refresh; with a ${BROKER_SHORT_REFRESH_MS} ms refresh the partition was redrawn ${refreshing.refreshes.length - 1} time(s).`,
    `SimplePartitioner put every IP on (last number) % ${partitions}; servers .10 to .250 went ${serversSimple.join(' / ')} over ${serversPartitions} partitions (hash: ${serversDefault.join(' / ')}).`,
    `A null key skipped the custom partitioner (0 calls); "" reached it (${callsForEmpty} calls) and went to partition 0.`,
    `The partitioners are the client's: the broker only appended what it was given${same ? ', where the simulator\'s brokers got the same keys' : ''}.`,
  ]);
}
