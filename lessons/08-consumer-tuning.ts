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
 *
 * With --broker the same clients run on real brokers (a `Stage` says what differs): the claims
 * are about this run's messages, at the offsets the broker acknowledged; the crash is a client's
 * own (`RealProcess.crash`: its threads stop, no final commit); the crash section needs jiketest-0 to
 * start with this run's messages and is skipped, saying so, on a topic that held earlier ones.
 */
import { ClientProcess } from '../src/client/client-process.ts';
import { FetchSizeTooSmallError } from '../src/client/errors.ts';
import { KafkaClient } from '../src/client/kafka-client.ts';
import { PartitionConsumer, type PartitionConsumerOptions } from '../src/client/partition-consumer.ts';
import { ARTICLE_FETCH_SIZE, readPartition, type PartitionReadReport } from '../src/client/partition-failover.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { fetchLog, isPartialOnly, type FetchExchange } from './lib/fetch-log.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { RealProcess, type TaskRunner } from './lib/real-process.ts';

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
/** On a real broker the watch is wall-clock time. */
const BROKER_JAVA_WATCH_MS = 3500;

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
  brokerSupport:
    "every section runs with the same clients, on this run's messages; the crash of section 5 is the worker's own (its threads stop, no final commit), and section 5 is skipped when jiketest-0 already held messages",
  async run(run) {
    const stage = run.backend.kind === 'broker' ? await brokerStage(run.backend) : await simulatorStage(run);

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
    const producing = stage.process('producer-app').run('producer', async (runtime) => {
      const producer = new Producer(runtime, { 'metadata.broker.list': stage.bootstrapServers, 'request.required.acks': -1 });
      try {
        await producer.send(keyedMessage(BIG, null, 'm'.repeat(MEDIUM_BYTES)));
        await producer.send(keyedMessage(BIG, null, 'L'.repeat(LARGE_BYTES)));
        for (let i = 0; i < SMALL_MESSAGES; i++) await producer.send(keyedMessage(TOPIC, null, `msg ${i}`));
      } finally {
        await producer.close();
      }
      return producer.ledger;
    });
    await stage.until(() => producing.settled, 'the producer to finish');
    const ledger = producing.result();
    // Where this run's messages went (0, 1 and 0 on the simulator; later on a topic that held some).
    const medium = ledger.entries[0]!.offset!;
    const large = ledger.entries[1]!.offset!;
    const smallFrom = ledger.entries[2]!.offset!;

    const app = stage.process('python-app');
    let knobs: BufferResults | undefined;
    if (await stage.sendsCutMessages(medium)) knobs = await bufferSections(run, stage, app, medium, large);
    else {
      run.skipped(
          'sections 2 and 3 (buffer_size growing for a large message, the Java loop with a small fetchSize)',
          'this broker sent no bytes of a message larger than the fetch size (an empty answer where Kafka 0.8.2 sends its first 4096 bytes), so a consumer has nothing to grow on; run without --broker to see them',
        );
    }

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
    await stage.each([1, 1_000_000], async (fetchSizeBytes) => {
      const probe = await runPython(stage, app, undefined, `fetch_size_bytes=${fetchSizeBytes}`, { group: null, topic: TOPIC, autoCommit: false, fetchSizeBytes }, async (consumer) => {
        await consumer.seek(0, 2);
        await consumer.getMessage({ block: true, timeoutMs: 1000 });
        await consumer.getMessage({ block: false });
        await consumer.getMessages(3, { block: true, timeoutMs: 500 });
        return undefined;
      });
      probes[fetchSizeBytes] = probe.log.exchanges;
    });
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
    let costs: CrashCost[] = [];
    if (smallFrom > 0) {
      run.skipped(
        `the crash costs of auto_commit_every_n / _t (section 5): ${TOPIC}-0 already held ${smallFrom} messages of earlier runs`,
        `the section counts redelivered messages from offset 0 of a topic that starts with this run's ${SMALL_MESSAGES}; run it against a fresh broker, or without --broker`,
      );
    } else {
      run.say(
        `${TOPIC}-0 holds ${SMALL_MESSAGES} small messages. For each setting a consumer in its own group reads them with\n` +
          `get_message(); processing takes ${PROCESS_MS} ms a message. Right after processing message #${CRASH_AFTER} the process is\n` +
          `killed (kill -9: no atexit handler, no final commit${stage.kind === 'broker' ? '; here its threads stop and its connections close).\nA new consumer' : '). A new consumer'} in the same group starts from\n` +
          `the offset committed ${stage.kind === 'broker' ? 'at the broker (OffsetCommit v0)' : 'in ZooKeeper'}; what it returns from offsets 0..${CRASH_AFTER - 1} was processed before: redelivered.`,
      );
      costs = await stage.each(SETTINGS, (setting) => crashCost(stage, setting));
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
    }
    run.recordFacts(facts(ledger, knobs, [one.length, million.length], costs));

    run.whatYouSaw([
      ...(knobs === undefined
        ? []
        : [
            `The fetch size grew ${knobs.firstSizes.join(' → ')} for a ${(MEDIUM_BYTES + 26).toLocaleString('en-US')}-byte message; a ${(LARGE_BYTES + 26).toLocaleString('en-US')}-byte one hit 32768: FetchSizeTooSmallError.`,
            `The Java loop with fetchSize ${JAVA_FETCH_SIZE} made ${knobs.small.fetches} fetches in ${formatMs(stage.javaWatchMs)}, all partial, and read nothing; with ${ARTICLE_FETCH_SIZE.toLocaleString('en-US')} it read both.`,
          ]),
      `fetch_size_bytes=1 and 1,000,000 sent identical fetches (${one.length} each): the knob never reaches a request.`,
      ...(costs.length === 0
        ? []
        : [
            `A crash after ${CRASH_AFTER} messages redelivered ${costs.map((c) => `${c.redelivered} (${c.setting.group})`).join(', ')}.`,
            `The defaults committed ${describeCommits(costs.find((c) => c.setting.group === 'defaults')!)}; every_n=1 took ${costs.find((c) => c.setting.group === 'every-1')!.commits} commits.`,
          ]),
      ...(run.skips.length === 0 ? [] : [`Skipped here: ${run.skips.length} part(s) (see the lines starting "Skipped on a real broker").`]),

    ]);
  },
};

/** Sections 2 and 3: a message larger than buffer_size, and the Java loop with a small fetchSize. */
async function bufferSections(run: LessonRun, stage: Stage, app: Machine, medium: number, large: number): Promise<BufferResults> {
  // ------------------------------------------------------------------ buffer growth
  run.heading('2. A message larger than buffer_size');
  run.say(
    `${BIG}-0 holds two large messages: offset 0 with a ${MEDIUM_BYTES.toLocaleString('en-US')}-byte value (${(MEDIUM_BYTES + 26).toLocaleString('en-US')} bytes in the log) and\n` +
      `offset 1 with ${LARGE_BYTES.toLocaleString('en-US')} (${(LARGE_BYTES + 26).toLocaleString('en-US')} bytes). A broker answers a fetch with at most its fetch size in bytes;\n` +
      'a message cut by that limit is not returned. A consumer with the defaults calls get_message() twice.\n' +
      'When a fetch brings no complete message, _fetch asks again with min(size * 2, max_buffer_size):',
  );
  const defaults = await runPython(stage, app, run, 'defaults', { group: null, topic: BIG, autoCommit: false }, async (consumer) => {
    // On a topic that held earlier runs' messages: start at this run's first (no-op on a fresh one).
    if (medium > 0) await consumer.seek(medium);
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
  const firstSizes = sizesFrom(defaults.log.exchanges, medium);
  const secondSizes = sizesFrom(defaults.log.exchanges, large);
  run.claim(`the fetch size doubled from buffer_size until offset ${medium} fitted: 4096, 8192, 16384`, same(firstSizes, [4096, 8192, 16384]), firstSizes.join(', '));
  const tooSmall = defaults.value;
  run.claim(
    `for offset ${large} it stopped at max_buffer_size: 4096 … 32768, then FetchSizeTooSmallError`,
    same(secondSizes, [4096, 8192, 16384, 32768]) && tooSmall instanceof FetchSizeTooSmallError && tooSmall.fetchSize === 32768 && tooSmall.offset === large,
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
  const unlimited = await runPython(stage, app, run, 'unlimited', { group: null, topic: BIG, autoCommit: false, maxBufferSize: null }, async (consumer) => {
    await consumer.seek(large);
    const message = await consumer.getMessage();
    run.say(`  after seek(${large}), get_message() returned offset ${message?.offset}.`);
    return message?.offset;
  });
  const unlimitedSizes = sizesFrom(unlimited.log.exchanges, large);
  run.claim(
    `with max_buffer_size=None the size grew to 65536 and offset ${large} was read`,
    unlimited.value === large && same(unlimitedSizes, [4096, 8192, 16384, 32768, 65536]),
    unlimitedSizes.join(', '),
  );

  // ------------------------------------------------------------------ Java
  run.heading(`3. The Java loop with fetchSize ${JAVA_FETCH_SIZE}`);
  run.say(
    `The article's PartitionConsumerTest reads ${BIG}-0 with a fetchSize of ${JAVA_FETCH_SIZE} instead of its ${ARTICLE_FETCH_SIZE.toLocaleString('en-US')}.\n` +
      'The broker sends the first bytes of the message at offset 0; the message set yields no complete\n' +
      'message, so the loop reads nothing, sleeps 1 s and asks for the same bytes again. It never grows\n' +
      `the size. Watched for ${formatMs(stage.javaWatchMs)}${medium > 0 ? ` (from offset ${medium}, this run's first message)` : ''}:`,
  );
  const java = app.run('java loop', (runtime) => javaLoop(stage, runtime, JAVA_FETCH_SIZE, stage.javaWatchMs, medium));
  await stage.until(() => java.settled, 'the Java loop to be stopped');
  const small = java.result();
  const firstEvent = small.events.find((e) => e.kind === 'nothing-read');
  if (firstEvent !== undefined) run.say(`  [${formatMs(firstEvent.atMs)}] ${firstEvent.text}`);
  const articleLoop = app.run('java loop, article fetchSize', (runtime) => javaLoop(stage, runtime, ARTICLE_FETCH_SIZE, stage.javaWatchMs, medium, 2));
  await stage.until(() => articleLoop.settled, 'the Java loop with the article\'s fetch size');
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
    small.messagesRead === 0 && small.nextOffset === medium && small.fetches >= 3 && small.partialOnlyFetches === small.fetches,
    `${small.messagesRead} read in ${small.fetches} fetches`,
  );
  run.claim(`with the article's ${ARTICLE_FETCH_SIZE} both messages were read`, big.messagesRead === 2 && big.nextOffset === medium + 2);
  run.say(
    '(The Java high-level consumer has a fixed limit and no growth: fetch.message.max.bytes, 1 MB by\n' +
      'default; a larger message makes its iterator throw MessageSizeTooLargeException.)',

  );
  return { firstSizes, secondSizes, unlimitedSizes, small, big };

}

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

/** A client machine: its tasks, its runtime, and kill -9 (it comes back empty). */
interface Machine extends TaskRunner {
  readonly runtime: Runtime;
  kill(): void;
}

/** Where the lesson runs, the simulation or real brokers: what differs between the two. */
interface Stage {
  readonly kind: LessonBackend['kind'];
  readonly bootstrapServers: string;
  process(node: string): Machine;
  until(condition: () => boolean, description: string): Promise<void>;
  /** The offset committed for `group` on TOPIC-0 (ZooKeeper on the simulator, OffsetFetch v0 on a broker). */
  committed(group: string): Promise<number | undefined>;
  readonly javaWatchMs: number;
  /** Whether the broker sends the first bytes of a message larger than the fetch size (Kafka 0.8.2 does). */
  sendsCutMessages(offset: number): Promise<boolean>;
  /** One after the other (simulator: the narration's order) or side by side (a broker: wall-clock time). */
  each<T, R>(items: readonly T[], body: (item: T) => Promise<R>): Promise<R[]>;
}

async function simulatorStage(run: LessonRun): Promise<Stage> {
  const sim = await startCluster(run, {
    brokers: 3,
    topics: [
      { name: BIG, partitions: 1, replicationFactor: 2 },
      { name: TOPIC, partitions: 1, replicationFactor: 2 },
    ],
    narrate: ['fault.', 'task.failed'],

  });
  return {
    kind: 'simulator',
    bootstrapServers: sim.bootstrapServers,
    process: (node) => {
      const app = ClientProcess.on(sim, node);
      return {
        runtime: app.runtime,
        run: (name, body) => app.run(name, body),
        kill: () => {
          app.crash();
          app.restart();
        },
      };
    },
    until: (condition, description) => sim.runUntil(condition, { description }),
    committed: async (group) => committedOffset(sim, group),
    javaWatchMs: JAVA_WATCH_MS,
    sendsCutMessages: async () => true,
    each: async (items, body) => {
      const results = [];
      for (const item of items) results.push(await body(item));
      return results;
    },
  };
}

async function brokerStage(backend: LessonBackend & { kind: 'broker' }): Promise<Stage> {
  const { runtime, bootstrapServers } = backend;
  const admin = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-08' });
  try {
    for (const topic of [BIG, TOPIC]) await admin.ensureTopicExists(topic, 30_000);
  } finally {
    admin.close();
  }
  return {
    kind: 'broker',
    bootstrapServers,
    process: () => {
      let current = new RealProcess(runtime, 'worker');
      return {
        get runtime() {
          return current.runtime;
        },
        run: (name, body) => current.run(name, body),
        kill: () => {
          current.crash();
          current = new RealProcess(runtime, 'worker');
        },
      };
    },
    until: (condition, description) => waitUntil(runtime, condition, description),
    committed: async (group) => {
      const client = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-08' });
      try {
        const [answer] = await client.sendOffsetFetchRequest(group, [{ topic: TOPIC, partition: 0 }], { failOnError: false });
        return answer !== undefined && 'offset' in answer && answer.errorCode === 0 && answer.offset >= 0 ? answer.offset : undefined;
      } finally {
        client.close();
      }
    },
    javaWatchMs: BROKER_JAVA_WATCH_MS,
    sendsCutMessages: async (offset) => {
      const client = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-08' });
      try {
        const [answer] = await client.sendFetchRequest([{ topic: BIG, partition: 0, offset, maxBytes: 4096 }]);
        return answer !== undefined && 'partialMessage' in answer && answer.partialMessage;
      } finally {
        client.close();
      }
    },
    each: (items, body) => Promise.all(items.map(body)),
  };
}

/** `KafkaClient` + `SimpleConsumer` on the app, its fetches logged (and printed with `run`), then `body`. */
async function runPython<T>(
  stage: Stage,
  app: Machine,
  run: LessonRun | undefined,
  name: string,
  options: PartitionConsumerOptions,
  body: (consumer: PartitionConsumer) => Promise<T>,
): Promise<{ log: ReturnType<typeof fetchLog>; value: T }> {
  const log = fetchLog(app.runtime, 'python', { ...(run === undefined ? {} : { run }), quietEmptyFetches: false });
  const task = app.run(name, async () => {
    const client = await KafkaClient.create(log.runtime, stage.bootstrapServers);
    const consumer = await PartitionConsumer.create(log.runtime, client, options);
    try {
      return await body(consumer);
    } finally {
      await consumer.stop();
      client.close();
    }
  });
  await stage.until(() => task.settled, `${name} to finish`);
  return { log, value: task.result() };
}

/** The article's Java read loop on big-0 with `fetchSize` from `from` (0: the earliest), stopped after `watchMs` (or `maxReads`). */
async function javaLoop(stage: Stage, runtime: Runtime, fetchSize: number, watchMs: number, from: number, maxReads?: number): Promise<PartitionReadReport> {
  const startedAt = runtime.nowMs();
  return readPartition(runtime, {
    seedBrokers: stage.bootstrapServers.split(','),
    topic: BIG,
    partition: 0,
    fetchSize,
    clientName: `Client_${BIG}_0`,
    ...(from > 0 ? { startAt: from } : {}),
    ...(maxReads === undefined ? {} : { maxReads }),
    shouldStop: () => runtime.nowMs() - startedAt >= watchMs,
  });
}

function committedOffset(sim: Simulation, group: string): number | undefined {
  const data = lookup(sim.zookeeper.state, `/consumers/${group}/offsets/${TOPIC}/0`)?.data;
  return data === undefined || data === null ? undefined : Number(data);
}

/** One setting: read and process until #CRASH_AFTER, crash, restart, count what comes again. */
async function crashCost(stage: Stage, setting: CommitSetting): Promise<CrashCost> {
  const app = stage.process(`worker-${setting.group}`);
  const state = { processed: 0, stopped: false, consumer: undefined as PartitionConsumer | undefined };
  app.run('worker', async (runtime) => {
    const client = await KafkaClient.create(runtime, stage.bootstrapServers);
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
  await stage.until(() => state.stopped, `${setting.group} to process ${CRASH_AFTER} messages`);
  // kill -9 first: nothing it does after this moment reaches the broker.
  app.kill();
  const commitLog = state.consumer!.stats.commits.filter((c) => c.ok).map((c) => ({ by: c.by, offset: c.offsets.get(0) }));
  const commits = commitLog.length;
  const committed = await stage.committed(setting.group);
  const restarted = app.run('restarted worker', async (runtime) => {
    const client = await KafkaClient.create(runtime, stage.bootstrapServers);
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
  await stage.until(() => restarted.settled, `${setting.group} to read to the end after the restart`);
  const { resumedAt, redelivered } = restarted.result();
  return { setting, commits, commitLog, committed, resumedAt, redelivered };
}

/** What sections 2 and 3 saw. */
interface BufferResults {
  readonly firstSizes: readonly number[];
  readonly secondSizes: readonly number[];
  readonly unlimitedSizes: readonly number[];
  readonly small: PartitionReadReport;
  readonly big: PartitionReadReport;
}

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(ledger: ProducerLedger, knobs: BufferResults | undefined, probes: readonly number[], costs: readonly CrashCost[]): Fact[] {
  const summary = ledger.summary();
  const noCut = 'this broker sends no bytes of a message larger than the fetch size: sections 2 and 3 (these fetch sizes and the Java loops) did not run';
  // The reason is given once, with the first of these facts.
  const knob = (value: (k: BufferResults) => string | number, first = false): Pick<Fact, 'value'> & { note?: string } =>
    knobs === undefined ? { value: null, ...(first ? { note: noCut } : {}) } : { value: value(knobs) };
  return [
    { name: 'messages sent', value: summary.sent, kind: 'match' },
    { name: 'messages acknowledged', value: summary.acknowledged, kind: 'match' },
    { name: 'send errors', value: summary.failed + summary.dropped, kind: 'match' },
    { name: 'fetch sizes, medium message', ...knob((k) => k.firstSizes.join(', '), true), kind: 'match' },
    { name: 'fetch sizes, large message', ...knob((k) => k.secondSizes.join(', ')), kind: 'match' },
    { name: 'fetch sizes, max_buffer_size=None', ...knob((k) => k.unlimitedSizes.join(', ')), kind: 'match' },
    { name: `Java loop, fetchSize ${JAVA_FETCH_SIZE}: messages read`, ...knob((k) => k.small.messagesRead), kind: 'match' },
    { name: `Java loop, fetchSize ${JAVA_FETCH_SIZE}: fetches`, ...knob((k) => k.small.fetches), kind: 'timing' },
    { name: `Java loop, fetchSize ${ARTICLE_FETCH_SIZE}: messages read`, ...knob((k) => k.big.messagesRead), kind: 'match' },
    { name: 'fetch_size_bytes probes: fetches each', value: probes.join(' / '), kind: 'match' },
    ...costs.flatMap((c): Fact[] => [
      { name: `crash (${c.setting.group}): committed offset`, value: c.committed ?? 'none', kind: c.setting.group === 'defaults' || c.setting.group === 'every-1s' ? 'timing' : 'match' },
      { name: `crash (${c.setting.group}): redelivered`, value: c.redelivered, kind: c.setting.group === 'defaults' || c.setting.group === 'every-1s' ? 'timing' : 'match' },
    ]),
  ];
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
