/**
 * Lesson 08: the consumer knobs the article lists, as kafka-python 0.9.5 and Kafka 0.8.2's Java
 * SimpleConsumer really use them.
 *
 * - `buffer_size` / `max_buffer_size`: a message larger than the fetch size; the size doubles
 *   fetch by fetch, min(size * 2, max_buffer_size), and FetchSizeTooSmallError once it already is
 *   max_buffer_size (src/client/partition-consumer.ts);
 * - the Java loop of the article with a fetchSize smaller than a message: partial messages only,
 *   no progress (src/client/partition-failover.ts, `partialOnlyFetches`);
 * - `fetch_size_bytes`: it becomes min_bytes, which FetchContext overrides on every fetch: it
 *   never reaches a request;
 * - `auto_commit_every_n` / `auto_commit_every_t`: what a crash costs with each (messages
 *   redelivered after restart from the committed offset).
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { FetchSizeTooSmallError } from '../src/client/errors.ts';
import { KafkaClient } from '../src/client/kafka-client.ts';
import { PartitionConsumer, type PartitionConsumerOptions } from '../src/client/partition-consumer.ts';
import { ARTICLE_FETCH_SIZE, readPartition, type PartitionReadReport } from '../src/client/partition-failover.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { startCluster } from './lib/cluster.ts';
import { fetchLog, isPartialOnly, type FetchExchange } from './lib/fetch-log.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const BIG = 'big';
const TOPIC = 'jiketest';
/** Value sizes of the two large messages (each takes 26 bytes more in the log). */
const MEDIUM_BYTES = 10_000;
const LARGE_BYTES = 40_000;
const SMALL_MESSAGES = 250;
/** The worker crashes right after processing this many messages. */
const CRASH_AFTER = 173;
const PROCESS_MS = 40;
const JAVA_FETCH_SIZE = 4096;
const JAVA_WATCH_MS = 5000;

interface CommitSetting {
  readonly label: string;
  readonly group: string;
  readonly options: Pick<PartitionConsumerOptions, 'autoCommit' | 'autoCommitEveryN' | 'autoCommitEveryT'>;
}

const SETTINGS: readonly CommitSetting[] = [
  { label: 'defaults: every_n=100, every_t=5000', group: 'defaults', options: {} },
  { label: 'every_n=10, every_t=None', group: 'every-10', options: { autoCommitEveryN: 10, autoCommitEveryT: null } },
  { label: 'every_n=1, every_t=None', group: 'every-1', options: { autoCommitEveryN: 1, autoCommitEveryT: null } },
  { label: 'every_n=None, every_t=1000', group: 'every-1s', options: { autoCommitEveryN: null, autoCommitEveryT: 1000 } },
  { label: 'auto_commit=False, no commit()', group: 'manual', options: { autoCommit: false } },
];

interface CrashCost {
  readonly setting: CommitSetting;
  readonly commits: number;
  readonly commitLog: readonly { readonly by: string; readonly offset: number | undefined }[];
  readonly committed: number | undefined;
  readonly resumedAt: number;
  readonly redelivered: number;
}

export const lesson: Lesson = {
  id: '08',
  title: 'Consumer tuning',
  summary: 'buffer_size and max_buffer_size with a large message, fetch_size_bytes (it does nothing in 0.9.5), the Java fetchSize, and what auto_commit_every_n / _t cost in a crash.',
  defaultSeed: 8,
  async run(run) {
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [
        { name: BIG, partitions: 1, replicationFactor: 2 },
        { name: TOPIC, partitions: 1, replicationFactor: 2 },
      ],
      narrate: ['fault.', 'task.failed'],

    });

    run.heading('1. The knobs the article lists');
    run.say('kafka-python 0.9.5: SimpleConsumer(client, group, topic, ...) and what each knob does there:');
    run.table(
      ['knob', 'default', 'what it does'],
      [
        ['group', '(positional)', 'the name offsets are committed under (in ZooKeeper); no membership'],
        ['auto_commit', 'True', 'commit the positions automatically, by count and by time'],
        ['auto_commit_every_n', '100', 'commit after this many messages returned since the last commit'],
        ['auto_commit_every_t', '5000 ms', 'commit every t from a timer thread, whatever the count'],
        ['buffer_size', '4096', 'the fetch size per partition (bytes) each fetch starts with'],
        ['max_buffer_size', '32768', 'how far it may grow for one large message (None: no limit)'],
        ['fetch_size_bytes', '4096', 'becomes min_bytes... and is then overridden (section 4)'],

      ],
    );
    run.say(
      'The Java side: SimpleConsumer(host, port, soTimeout, bufferSize, clientId) and addFetch(topic,\n' +
        'partition, offset, fetchSize). bufferSize is the socket receive buffer (the article: 64 KB), not a\n' +
        'message limit (the simulator keeps it and ignores it); fetchSize is the per-partition byte limit.\n' +
        'group.id belongs to the high-level consumer: membership and committed offsets of the group.\n' +
        'kafka-python\'s group is only a name for offsets: two SimpleConsumers with the same group both read\n' +
        'every partition they are given and overwrite each other\'s commits.',
    );

    // ------------------------------------------------------------------ data
    const producing = ClientProcess.on(sim, 'producer-app').run('producer', async (runtime) => {
      const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': -1 });
      await producer.send(keyedMessage(BIG, null, 'm'.repeat(MEDIUM_BYTES)));
      await producer.send(keyedMessage(BIG, null, 'L'.repeat(LARGE_BYTES)));
      for (let i = 0; i < SMALL_MESSAGES; i++) await producer.send(keyedMessage(TOPIC, null, `msg ${i}`));
      await producer.close();
      return producer.ledger.summary();
    });
    await sim.runUntil(() => producing.settled, { description: 'the producer to finish' });
    producing.result();

    // ------------------------------------------------------------------ buffer growth
    run.heading('2. A message larger than buffer_size');
    run.say(
      `${BIG}-0 holds two large messages: offset 0 with a ${MEDIUM_BYTES.toLocaleString('en-US')}-byte value (${(MEDIUM_BYTES + 26).toLocaleString('en-US')} bytes in the log) and\n` +
        `offset 1 with ${LARGE_BYTES.toLocaleString('en-US')} (${(LARGE_BYTES + 26).toLocaleString('en-US')} bytes). A broker answers a fetch with at most its fetch size in bytes;\n` +
        'a message cut by that limit is not returned. A consumer with the defaults calls get_message() twice.\n' +
        'When a fetch brings no complete message, _fetch asks again with min(size * 2, max_buffer_size):',
    );
    const app = ClientProcess.on(sim, 'python-app');
    const defaults = await runPython(sim, app, run, 'defaults', { group: null, topic: BIG, autoCommit: false }, async (consumer) => {
      const first = await consumer.getMessage();
      run.say(`  get_message() returned offset ${first?.offset} (${first === undefined ? '-' : String(first.value).length.toLocaleString('en-US')}-byte value).`);
      try {
        await consumer.getMessage();
        return undefined;
      } catch (error) {
        run.say(`  get_message() raised ${(error as Error).name}: ${(error as Error).message}.`);
        return error;
      }
    });
    const firstSizes = sizesFrom(defaults.log.exchanges, 0);
    const secondSizes = sizesFrom(defaults.log.exchanges, 1);
    run.claim('the fetch size doubled from buffer_size until offset 0 fitted: 4096, 8192, 16384', same(firstSizes, [4096, 8192, 16384]), firstSizes.join(', '));
    const tooSmall = defaults.value;
    run.claim(
      'for offset 1 it stopped at max_buffer_size: 4096 … 32768, then FetchSizeTooSmallError',
      same(secondSizes, [4096, 8192, 16384, 32768]) && tooSmall instanceof FetchSizeTooSmallError && tooSmall.fetchSize === 32768 && tooSmall.offset === 1,
      secondSizes.join(', '),
    );
    run.say(
      'The consumer is stuck there: every get_message() raises again. Note that the second _fetch started at\n' +
        '4096 again: the grown size lasts for one _fetch only.',
    );
    // Kafka 0.8.2 counts a cut message's bytes toward min_bytes and answers such a fetch at once.
    const parked = defaults.log.exchanges.filter((e) => isPartialOnly(e) && e.answeredAtMs! - e.atMs >= e.request.maxWait).length;
    if (parked > 0) {
      run.say(
        `(Simulator: ${parked} of these partial-only fetches waited out max wait at the broker. Kafka 0.8.2 counts\n` +
          'the cut message\'s bytes toward min_bytes and answers them at once; only the timing differs.)',
      );
    }
    run.say('With max_buffer_size=None there is no limit:');
    const unlimited = await runPython(sim, app, run, 'unlimited', { group: null, topic: BIG, autoCommit: false, maxBufferSize: null }, async (consumer) => {
      await consumer.seek(1);
      const message = await consumer.getMessage();
      run.say(`  after seek(1), get_message() returned offset ${message?.offset}.`);
      return message?.offset;
    });
    const unlimitedSizes = sizesFrom(unlimited.log.exchanges, 1);
    run.claim('with max_buffer_size=None the size grew to 65536 and offset 1 was read', unlimited.value === 1 && same(unlimitedSizes, [4096, 8192, 16384, 32768, 65536]), unlimitedSizes.join(', '));

    // ------------------------------------------------------------------ Java
    run.heading(`3. The Java loop with fetchSize ${JAVA_FETCH_SIZE}`);
    run.say(
      `The article's PartitionConsumerTest reads ${BIG}-0 with a fetchSize of ${JAVA_FETCH_SIZE} instead of its ${ARTICLE_FETCH_SIZE.toLocaleString('en-US')}.\n` +
        'The broker sends the first bytes of the message at offset 0; the message set yields no complete\n' +
        'message, so the loop reads nothing, sleeps 1 s and asks for the same bytes again. It never grows\n' +
        `the size. Watched for ${formatMs(JAVA_WATCH_MS)}:`,
    );
    const java = app.run('java loop', (runtime) => javaLoop(sim, runtime, JAVA_FETCH_SIZE, JAVA_WATCH_MS));
    await sim.runUntil(() => java.settled, { description: 'the Java loop to be stopped' });
    const small = java.result();
    const firstEvent = small.events.find((e) => e.kind === 'nothing-read');
    if (firstEvent !== undefined) run.say(`  [${formatMs(firstEvent.atMs)}] ${firstEvent.text}`);
    const articleLoop = app.run('java loop, article fetchSize', (runtime) => javaLoop(sim, runtime, ARTICLE_FETCH_SIZE, JAVA_WATCH_MS, 2));
    await sim.runUntil(() => articleLoop.settled, { description: 'the Java loop with the article\'s fetch size' });
    const big = articleLoop.result();
    run.table(
      ['fetchSize', 'fetches', 'partial-only fetches', 'messages read', 'next offset'],
      [
        [JAVA_FETCH_SIZE, small.fetches, small.partialOnlyFetches, small.messagesRead, small.nextOffset],
        [ARTICLE_FETCH_SIZE, big.fetches, big.partialOnlyFetches, big.messagesRead, big.nextOffset],
      ],
    );
    run.claim(
      `with fetchSize ${JAVA_FETCH_SIZE} the Java loop made no progress: every fetch returned only part of the message`,
      small.messagesRead === 0 && small.nextOffset === 0 && small.fetches >= 3 && small.partialOnlyFetches === small.fetches,
      `${small.messagesRead} read in ${small.fetches} fetches`,
    );
    run.claim(`with the article's ${ARTICLE_FETCH_SIZE} both messages were read`, big.messagesRead === 2 && big.nextOffset === 2);
    run.say(
      '(The Java high-level consumer has a fixed limit and no growth: fetch.message.max.bytes, 1 MB by\n' +
        'default; a larger message makes its iterator throw MessageSizeTooLargeException.)',

    );

    // ------------------------------------------------------------------ fetch_size_bytes
    run.heading('4. fetch_size_bytes');
    run.say(
      'In 0.9.5 fetch_size_bytes becomes the consumer\'s fetch_min_bytes, the FetchRequest\'s min_bytes.\n' +
        'But every fetch runs inside FetchContext, which sets min_bytes to 1 for a blocking call and to 0\n' +
        'for a non-blocking one, and restores the old value after. Two consumers, fetch_size_bytes=1 and\n' +
        `fetch_size_bytes=1,000,000, seek to the end of ${TOPIC} (seek(0, 2)) and make the same three calls:\n` +
        'get_message(True, 1), get_message(False), get_messages(3, True, 0.5). Their fetches:',
    );
    const probes: Record<string, FetchExchange[]> = {};
    for (const fetchSizeBytes of [1, 1_000_000]) {
      const probe = await runPython(sim, app, undefined, `fetch_size_bytes=${fetchSizeBytes}`, { group: null, topic: TOPIC, autoCommit: false, fetchSizeBytes }, async (consumer) => {
        await consumer.seek(0, 2);
        await consumer.getMessage({ block: true, timeoutMs: 1000 });
        await consumer.getMessage({ block: false });
        await consumer.getMessages(3, { block: true, timeoutMs: 500 });
        return undefined;
      });
      probes[fetchSizeBytes] = probe.log.exchanges;
    }
    const shape = (e: FetchExchange) => `min_bytes ${e.request.minBytes}, max wait ${e.request.maxWait} ms, ${e.request.partitions[0]!.fetchSize} bytes`;
    const one = probes[1]!;
    const million = probes[1_000_000]!;
    run.table(
      ['fetch', 'fetch_size_bytes=1', 'fetch_size_bytes=1,000,000'],
      Array.from({ length: Math.max(one.length, million.length) }, (_, i) => [i + 1, one[i] === undefined ? '-' : shape(one[i]!), million[i] === undefined ? '-' : shape(million[i]!)]),
    );
    run.claim(
      'fetch_size_bytes never reached a request: both consumers sent the same fetches, none with min_bytes 1,000,000',
      one.length > 0 && same(one.map(shape), million.map(shape)) && million.every((e) => e.request.minBytes <= 1),
    );
    run.correction(
      'it lists fetch_size_bytes as the bytes fetched per request. In kafka-python 0.9.5 it is\n' +
        'min_bytes, and FetchContext overrides it on every fetch: it does nothing. The bytes per partition\n' +
        'are buffer_size, grown up to max_buffer_size for a large message (section 2).',
    );

    // ------------------------------------------------------------------ commits
    run.heading('5. auto_commit_every_n, auto_commit_every_t, and a crash');
    run.say(
      `${TOPIC}-0 holds ${SMALL_MESSAGES} small messages. For each setting a consumer in its own group reads them with\n` +
        `get_message(); processing takes ${PROCESS_MS} ms a message. Right after processing message #${CRASH_AFTER} the process is\n` +
        'killed (kill -9: no atexit handler, no final commit). A new consumer in the same group starts from\n' +
        `the offset committed in ZooKeeper; what it returns from offsets 0..${CRASH_AFTER - 1} was processed before: redelivered.`,
    );
    const costs: CrashCost[] = [];
    for (const setting of SETTINGS) costs.push(await crashCost(sim, setting));
    run.table(
      ['setting', 'commits before the crash', 'committed offset', 'redelivered after restart'],
      costs.map((c) => [c.setting.label, c.commits, c.committed ?? 'none', c.redelivered]),
    );
    const by = (group: string) => costs.find((c) => c.setting.group === group)!;
    run.claim(
      'every restart resumed exactly at the committed offset (0 when nothing was committed): redelivered = processed − committed',
      costs.every((c) => c.resumedAt === (c.committed ?? 0) && c.redelivered === CRASH_AFTER - (c.committed ?? 0)),
    );
    run.claim(
      `by count alone, a crash costs processed mod N: ${CRASH_AFTER % 10} with every_n=10, 0 with every_n=1 (at ${by('every-1').commits} commits)`,
      by('every-10').redelivered === CRASH_AFTER % 10 && by('every-1').redelivered === 0 && by('every-1').commits === CRASH_AFTER,
    );
    const perSecond = Math.floor(1000 / PROCESS_MS);
    run.claim(
      `by time alone (every second), at most a second of messages (${perSecond} here) is redelivered`,
      by('every-1s').redelivered <= perSecond + 1 && by('every-1s').commits >= 1,
      `${by('every-1s').redelivered}`,
    );
    run.claim(`without auto_commit and commit(), all ${CRASH_AFTER} come again`, by('manual').redelivered === CRASH_AFTER && by('manual').committed === undefined);
    const defaultsCost = by('defaults');
    run.claim(
      'with the defaults both triggers committed before the crash, independently: the count at 100, the timer after 5 s',
      defaultsCost.commitLog.some((c) => c.by === 'count' && c.offset === 100) && defaultsCost.commitLog.some((c) => c.by === 'timer'),
      describeCommits(defaultsCost),
    );
    run.say(
      `With the defaults the commits were: ${describeCommits(defaultsCost)}.\n` +
        'The two triggers run side by side (the docstring\'s "they will reset one another" is not\n' +
        'implemented). Each commit is one OffsetCommit request: every_n=1 sends one per message. And a\n' +
        'count commit happens inside get_message, before your code sees the message: a crash while\n' +
        'processing it would lose it (at most once for the message in hand).',

    );

    run.whatYouSaw([
      `The fetch size grew ${firstSizes.join(' → ')} for a ${(MEDIUM_BYTES + 26).toLocaleString('en-US')}-byte message; a ${(LARGE_BYTES + 26).toLocaleString('en-US')}-byte one hit 32768: FetchSizeTooSmallError.`,
      `The Java loop with fetchSize ${JAVA_FETCH_SIZE} made ${small.fetches} fetches in ${formatMs(JAVA_WATCH_MS)}, all partial, and read nothing; with ${ARTICLE_FETCH_SIZE.toLocaleString('en-US')} it read both.`,
      `fetch_size_bytes=1 and 1,000,000 sent identical fetches (${one.length} each): the knob never reaches a request.`,
      `A crash after ${CRASH_AFTER} messages redelivered ${costs.map((c) => `${c.redelivered} (${c.setting.group})`).join(', ')}.`,
      `The defaults committed ${describeCommits(by('defaults'))}; every_n=1 took ${by('every-1').commits} commits.`,

    ]);
  },
};

function describeCommits(cost: CrashCost): string {
  return cost.commitLog.map((c) => `${c.by === 'count' ? 'by count' : 'by the timer'} at offset ${c.offset}`).join(', ');
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The fetch sizes of the fetches from `offset`, in order. */
function sizesFrom(exchanges: readonly FetchExchange[], offset: number): number[] {
  return exchanges.filter((e) => e.request.partitions[0]!.fetchOffset === offset).map((e) => e.request.partitions[0]!.fetchSize);
}

/** `KafkaClient` + `SimpleConsumer` on the app, its fetches logged (and printed with `run`), then `body`. */
async function runPython<T>(
  sim: Simulation,
  app: ClientProcess,
  run: LessonRun | undefined,
  name: string,
  options: PartitionConsumerOptions,
  body: (consumer: PartitionConsumer) => Promise<T>,
): Promise<{ log: ReturnType<typeof fetchLog>; value: T }> {
  const log = fetchLog(app.runtime, 'python', { ...(run === undefined ? {} : { run }), quietEmptyFetches: false });
  const task = app.run(name, async () => {
    const client = await KafkaClient.create(log.runtime, sim.bootstrapServers);
    const consumer = await PartitionConsumer.create(log.runtime, client, options);
    try {
      return await body(consumer);
    } finally {
      await consumer.stop();
      client.close();
    }
  });
  await sim.runUntil(() => task.settled, { description: `${name} to finish` });
  return { log, value: task.result() };
}

/** The article's Java read loop on big-0 with `fetchSize`, stopped after `watchMs` (or `maxReads`). */
async function javaLoop(sim: Simulation, runtime: Runtime, fetchSize: number, watchMs: number, maxReads?: number): Promise<PartitionReadReport> {
  const startedAt = runtime.nowMs();
  return readPartition(runtime, {
    seedBrokers: sim.bootstrapServers.split(','),
    topic: BIG,
    partition: 0,
    fetchSize,
    clientName: `Client_${BIG}_0`,
    ...(maxReads === undefined ? {} : { maxReads }),
    shouldStop: () => runtime.nowMs() - startedAt >= watchMs,
  });
}

function committedOffset(sim: Simulation, group: string): number | undefined {
  const data = lookup(sim.zookeeper.state, `/consumers/${group}/offsets/${TOPIC}/0`)?.data;
  return data === undefined || data === null ? undefined : Number(data);
}

/** One setting: read and process until #CRASH_AFTER, crash, restart, count what comes again. */
async function crashCost(sim: Simulation, setting: CommitSetting): Promise<CrashCost> {
  const app = ClientProcess.on(sim, `worker-${setting.group}`);
  const state = { processed: 0, stopped: false, consumer: undefined as PartitionConsumer | undefined };
  app.run('worker', async (runtime) => {
    const client = await KafkaClient.create(runtime, sim.bootstrapServers);
    const consumer = await PartitionConsumer.create(runtime, client, { group: setting.group, topic: TOPIC, ...setting.options });
    state.consumer = consumer;
    for (;;) {
      const message = await consumer.getMessage({ block: true, timeoutMs: 1000 });
      if (message === undefined) continue;
      await runtime.sleep(PROCESS_MS);
      state.processed++;
      if (state.processed === CRASH_AFTER) {
        state.stopped = true;
        await runtime.deferred<void>('the crash').promise;
      }
    }
  });
  await sim.runUntil(() => state.stopped, { description: `${setting.group} to process ${CRASH_AFTER} messages` });
  const commitLog = state.consumer!.stats.commits.filter((c) => c.ok).map((c) => ({ by: c.by, offset: c.offsets.get(0) }));
  const commits = commitLog.length;
  const committed = committedOffset(sim, setting.group);
  app.crash();
  app.restart();
  const restarted = app.run('restarted worker', async (runtime) => {
    const client = await KafkaClient.create(runtime, sim.bootstrapServers);
    const consumer = await PartitionConsumer.create(runtime, client, { group: setting.group, topic: TOPIC, ...setting.options });
    const resumedAt = consumer.offsets.get(0)!;
    let redelivered = 0;
    for (;;) {
      const message = await consumer.getMessage({ block: true, timeoutMs: 500 });
      if (message === undefined) break;
      if (message.offset < CRASH_AFTER) redelivered++;
    }
    await consumer.stop();
    client.close();
    return { resumedAt, redelivered };
  });
  await sim.runUntil(() => restarted.settled, { description: `${setting.group} to read to the end after the restart` });
  const { resumedAt, redelivered } = restarted.result();
  return { setting, commits, commitLog, committed, resumedAt, redelivered };
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
