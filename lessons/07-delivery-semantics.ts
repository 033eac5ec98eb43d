/**
 * Lesson 07: delivery semantics on the consumer side, each with a crash at its worst moment.
 *
 * One topic, twelve acknowledged messages, and for each pattern its own consumer group (so each
 * reads everything): a 0.8 high-level consumer with `auto.commit.enable=false` running one of
 * `consume()`'s loops (src/client/delivery.ts) — at most once (commit, then process), at least
 * once (process, then commit), exactly once (output and offset written together to an
 * `OutputStore`) —, then the group model's default, auto-commit. The crash moment is chosen by
 * state (the worker stops itself at the fifth message, at the pattern's worst point, and the
 * lesson kills its process there), so the outcome is the same for every seed; only exactly-once
 * also takes a second crash at a moment that depends on the seed. `checkDelivery` compares the
 * producer's ledger with what was processed.
 */
import { ClientProcess, type ClientTask } from '../src/client/client-process.ts';
import { checkDelivery, consume, OutputStore, type DeliverySemantics, type ProcessedRecord } from '../src/client/delivery.ts';
import { createConsumerConnector, type ConsumerConnector } from '../src/client/group/consumer-connector.ts';
import { KafkaClient } from '../src/client/kafka-client.ts';
import type { KafkaStream, MessageAndMetadata } from '../src/client/group/stream.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { LATEST_TIME } from '../src/protocol/api.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { waitUntil, type LessonBackend } from './lib/backend.ts';
import { showGroup, showLedgers, startCluster } from './lib/cluster.ts';
import type { Fact } from './lib/facts.ts';
import { RealProcess, type TaskRunner } from './lib/real-process.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const MESSAGES = 12;
/** The worker stops at the fifth message it is given, at its pattern's worst moment. */
const CRASH_AT = 5;
/** How long processing one message takes. */
const PROCESS_MS = 200;
const AUTO_COMMIT_INTERVAL_MS = 1000;
/**
 * On a real broker processing is wall-clock time: shorter, so that the lesson takes seconds; but
 * not for auto-commit, whose worst moment needs a commit to be sent and answered while one
 * message is in process.
 */
const BROKER_PROCESS_MS = 100;

type Mode = DeliverySemantics | 'auto-commit';

/** One run of the consumer process, from start to crash or clean shutdown. */
interface Life {
  readonly consumerId: string;
  connector: ConsumerConnector | undefined;
  /** Messages the stream handed out in this life. */
  taken: number;
  /** Messages given to the pattern's processing callback in this life. */
  handed: number;
  /** The message in hand when the worker stopped itself (the crash comes here). */
  stopped: MessageAndMetadata | undefined;
  /** The message being processed now (auto-commit worker). */
  inProcess: MessageAndMetadata | undefined;
  /** Set at the crash on a real broker: the worker stops where it is, as a killed one would. */
  halted: boolean;
  task: ClientTask<unknown> | undefined;
}

interface Scenario {
  readonly mode: Mode;
  readonly group: string;
  /** What was processed (at-most-once, at-least-once, auto-commit); the store's records for exactly-once. */
  readonly processed: ProcessedRecord[];
  readonly store: OutputStore;
  readonly lives: Life[];
}

interface Row {
  readonly mode: Mode;
  readonly crash: string;
  readonly processed: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly lostValues: readonly string[];
  readonly duplicatedValues: readonly string[];
  readonly lostWhat: string;
  readonly duplicatedWhat: string;
}

export const lesson: Lesson = {
  id: '07',
  title: 'Delivery semantics',
  summary: 'At most once, at least once, exactly once, and auto-commit: a consumer crash at the worst moment of each, and what was lost or processed twice.',
  defaultSeed: 7,
  brokerSupport:
    "the four patterns run with the group consumer's coordinator mode; the \"crash\" is the consumer stopping at its worst moment and being shut down without a commit (a client cannot kill -9 itself), then a second consumer of the group resumes from the committed offsets; the ZooKeeper view and exactly-once's second crash at a seed-chosen moment are skipped",
  async run(run) {
    const stage = run.backend.kind === 'broker' ? await brokerStage(run.backend) : await simulatorStage(run);
    const onSim = stage.kind === 'simulator';

    run.heading(`1. ${MESSAGES} messages, every one acknowledged`);
    const producing = stage.producerApp.run('producer', async (runtime) => {
      const producer = new Producer(runtime, { 'metadata.broker.list': stage.bootstrapServers, 'request.required.acks': -1 });
      try {
        for (let i = 0; i < MESSAGES; i++) await producer.send(keyedMessage(TOPIC, `key-${i}`, `msg ${i}`));
      } finally {
        await producer.close();
      }
      return producer.ledger;
    });
    await stage.until(() => producing.settled, 'the producer to finish');
    const ledger = producing.result();
    await stage.written(ledger);
    const perPartition = Array.from({ length: stage.partitions }, (_, p) => ledger.entries.filter((e) => e.partition === p).length);
    run.say(
      `A synchronous producer (request.required.acks=-1) wrote ${MESSAGES} messages to ${TOPIC} (${perPartition.join(' / ')} in its\n` +
        `${onSim ? 'three' : stage.partitions} partitions). The producer side is settled: what follows is only about the consumer.`,
    );
    showLedgers(run, { producer: ledger });
    if (onSim) {
      run.say(
        '\nA message is delivered once if it is processed once. Each pattern below gets its own group\n' +
          '(so each reads all twelve), one high-level consumer with one stream, auto.offset.reset=smallest,\n' +
          `and processing takes ${PROCESS_MS} ms a message. The worker stops at message #${CRASH_AT} at its pattern's\n` +
          'worst moment; the lesson kills its process there (kill -9). After its ZooKeeper session expires\n' +
          '(zookeeper.session.timeout.ms, 6 s) the process restarts and a new consumer resumes from the\n' +
          'offsets committed in /consumers/<group>/offsets.',
      );
    } else {
      run.say(
        '\nA message is delivered once if it is processed once. Each pattern below gets its own group (its id\n' +
          "carries the offsets this run's messages got, so no earlier run's commits count): one group consumer\n" +
          "in coordinator mode (the broker's group coordinator keeps members and offsets), one stream,\n" +
          `auto.offset.reset=smallest, and processing takes ${stage.processMs('at-most-once')} ms a message (${PROCESS_MS} with auto-commit).\n` +
          `Messages of earlier runs in the topic are passed over, not processed. The worker stops at message #${CRASH_AT}\n` +
          "at its pattern's worst moment and the consumer is shut down there without a commit; a new\n" +
          'consumer of the group resumes from the offsets committed at the group coordinator.',
      );
      run.skipped(
        'the kill -9 of the consumer process and the wait for its ZooKeeper session to expire',
        'a client cannot kill itself and come back on a real broker; it stops at the same moment and shuts down without committing, which leaves the committed offsets where a kill would',
      );
    }

    const rows: Row[] = [];
    const report = (scenario: Scenario, crash: string): Row => {
      const processed = scenario.mode === 'exactly-once' ? [...scenario.store.records()] : scenario.processed;
      // Values are unique ("msg 0" ... "msg 11"): a message is recognised by its value.
      const check = checkDelivery([ledger], processed, { identity: (_key, value) => payloadToString(value) ?? '' });
      const row: Row = {
        mode: scenario.mode,
        crash,
        processed: processed.length,
        lost: check.lost.length,
        duplicated: check.duplicated.reduce((sum, d) => sum + d.times - 1, 0),
        lostValues: check.lost.map((e) => payloadToString(e.value) ?? ''),
        duplicatedValues: check.duplicated.map((d) => d.identity),
        lostWhat: check.lost.map((e) => payloadToString(e.value) ?? '').join(', '),
        duplicatedWhat: check.duplicated.map((d) => d.identity).join(', '),
      };
      rows.push(row);
      return row;
    };

    // ------------------------------------------------------------------ at most once
    run.heading('2. At most once: commit, then process');
    run.say(
      'consume(..., { semantics: "at-most-once" }): take a message, commitOffsets() (the consumed offset\n' +
        'already points past it), then process. Worst moment: after the commit, before the processing.',
    );
    const atMost = newScenario('at-most-once', stage.group('at-most-once'));
    const atMostCrash = await crashAtWorstMoment(run, stage, atMost, { showGroup: true });
    const atMostRow = report(atMost, 'after the commit, before processing');
    run.say(`Processed ${atMostRow.processed} of ${MESSAGES}; never processed: ${atMostRow.lostWhat || 'none'}.`);
    run.claim(
      'at most once: the message in hand at the crash was lost (lost ≥ 1), and nothing was processed twice',
      atMostRow.lost >= 1 && atMostRow.lostValues.includes(valueOf(atMostCrash.inHand)) && atMostRow.duplicated === 0,
      `lost ${atMostRow.lost}, duplicated ${atMostRow.duplicated}`,
    );

    // ------------------------------------------------------------------ at least once
    run.heading('3. At least once: process, then commit');
    run.say('The same loop in the other order. Worst moment: after the processing, before the commit.');
    const atLeast = newScenario('at-least-once', stage.group('at-least-once'));
    const atLeastCrash = await crashAtWorstMoment(run, stage, atLeast);
    const atLeastRow = report(atLeast, 'after processing, before the commit');
    run.say(`${atLeastRow.processed} processings for ${MESSAGES} messages; twice: ${atLeastRow.duplicatedWhat || 'none'}.`);
    run.claim(
      'at least once: nothing was lost, and the message in hand at the crash was processed twice (duplicated ≥ 1)',
      atLeastRow.lost === 0 && atLeastRow.duplicated >= 1 && atLeastRow.duplicatedValues.includes(valueOf(atLeastCrash.inHand)),
      `lost ${atLeastRow.lost}, duplicated ${atLeastRow.duplicated}`,
    );

    // ------------------------------------------------------------------ exactly once
    run.heading('4. Exactly once: output and offset in one write');
    run.say(
      'The output goes to an OutputStore (think: a database table) together with the offset it came from,\n' +
        `in one atomic write; ${onSim ? 'ZooKeeper commits' : 'commits to the group coordinator'} still follow, but only to start near the right place.\n` +
        'A redelivered message is recognised by its offset (below the stored position) and skipped.\n' +
        `First crash: at the at-least-once worst moment (output stored, ${onSim ? 'ZooKeeper commit' : 'commit'} not yet made).\n` +
        `${onSim ? 'Second crash: anywhere (a moment the seed chooses). ' : ''}Computing an output takes ${stage.processMs('exactly-once')} ms here.`,
    );
    const exactly = newScenario('exactly-once', stage.group('exactly-once'));
    await crashAtWorstMoment(run, stage, exactly, { secondCrash: true });
    const exactlyRow = report(exactly, onSim ? `#${CRASH_AT} after the write; again anywhere` : `#${CRASH_AT} after the write`);
    run.say(`The store holds ${exactlyRow.processed} outputs for ${MESSAGES} messages.`);
    run.claim(
      `exactly once: after ${onSim ? 'two crashes' : 'the crash'} nothing was lost and nothing was processed twice`,
      exactlyRow.lost === 0 && exactlyRow.duplicated === 0 && exactlyRow.processed === MESSAGES,
      `lost ${exactlyRow.lost}, duplicated ${exactlyRow.duplicated}`,
    );

    // ------------------------------------------------------------------ auto-commit
    run.heading('5. The group model\'s default: auto-commit');
    run.say(
      `auto.commit.enable=true, auto.commit.interval.ms=${AUTO_COMMIT_INTERVAL_MS} (the article's setting; Kafka's default is\n` +
        '60 s): a timer commits every owned partition\'s consumed offset, and that offset moves when the\n' +
        'iterator hands a message out, not when the application has processed it. The worker here is the\n' +
        'article\'s loop: iterate the stream, process each message. The lesson waits until a commit lands\n' +
        `while a message is being processed, and ${onSim ? 'kills the process then' : 'stops the consumer then (its shutdown commits the same offsets again)'}.`,

    );
    const auto = newScenario('auto-commit', stage.group('auto-commit'));
    const autoCrash = await crashAtWorstMoment(run, stage, auto);
    const autoRow = report(auto, 'after an auto-commit, during processing');
    run.say(`Processed ${autoRow.processed} of ${MESSAGES}; never processed: ${autoRow.lostWhat || 'none'}.`);
    run.claim(
      'auto-commit: the message being processed when the commit landed was lost (lost ≥ 1)',
      autoRow.lost >= 1 && autoRow.lostValues.includes(valueOf(autoCrash.inHand)),
      `lost ${autoRow.lost}`,
    );
    run.correction(
      'it says the group model only gives at-least-once. Its auto-commit commits what the\n' +
        'iterator handed out, so a crash after a commit loses the message being processed (above); a crash\n' +
        'just before a commit redelivers up to auto.commit.interval.ms of messages. And with\n' +
        'auto.commit.enable=false and commitOffsets() the group model gives any of the three (sections 2-4).',
    );

    run.heading('6. The four crashes side by side');
    run.table(
      ['pattern', 'crash', 'processed', 'lost', 'duplicated'],
      rows.map((r) => [r.mode, r.crash, r.processed, r.lost, r.duplicated]),
    );
    run.recordFacts(facts(stage.partitions, ledger, rows));

    run.whatYouSaw([
      `${MESSAGES} messages acknowledged by the brokers; each pattern read them all in its own group, with a crash at message #${CRASH_AT}.`,
      `At most once (commit, then process): ${atMostRow.lost} lost (${atMostRow.lostWhat}), ${atMostRow.duplicated} processed twice.`,
      `At least once (process, then commit): ${atLeastRow.lost} lost, ${atLeastRow.duplicated} processed twice (${atLeastRow.duplicatedWhat}).`,
      `Exactly once (output and offset in one write, ${onSim ? 'two crashes' : 'a crash'}): ${exactlyRow.lost} lost, ${exactlyRow.duplicated} twice.`,
      `Auto-commit every ${formatMs(AUTO_COMMIT_INTERVAL_MS)} (the group default): ${autoRow.lost} lost (${autoRow.lostWhat}): it committed a message still being processed.`,
      ...(onSim ? [] : [`Skipped here: ${run.skips.length} part(s) that need the simulator (see the lines starting "Skipped on a real broker").`]),
    ]);
  },
};

function newScenario(mode: Mode, group: string): Scenario {
  return { mode, group, processed: [], store: new OutputStore(), lives: [] };
}

function valueOf(message: { readonly value: MessageAndMetadata['value'] } | undefined): string {
  return message === undefined ? '?' : (payloadToString(message.value) ?? '');
}

const describeMessage = (m: MessageAndMetadata) => `"${payloadToString(m.value)}" (${m.topic}-${m.partition} offset ${m.offset})`;

function committedOffset(sim: Simulation, group: string, partition: number): number | undefined {
  const data = lookup(sim.zookeeper.state, `/consumers/${group}/offsets/${TOPIC}/${partition}`)?.data;
  return data === undefined || data === null ? undefined : Number(data);
}

function members(sim: Simulation, group: string): string[] {
  return Object.keys(lookup(sim.zookeeper.state, `/consumers/${group}/ids`)?.children ?? {});
}

/** Where the scenarios run, the simulation or real brokers: what differs between the two. */
interface Stage {
  readonly kind: LessonBackend['kind'];
  readonly bootstrapServers: string;
  readonly producerApp: TaskRunner;
  /** The partitions of the topic (the broker's count on a broker). */
  readonly partitions: number;
  /** How long processing a message takes, by pattern. */
  processMs(mode: Mode): number;
  /** Where committed offsets are kept, for the narration. */
  readonly offsetsAt: string;
  /** The group id of a pattern. */
  group(mode: Mode): string;
  /** The consumer process of a group's consumers. */
  appFor(group: string): TaskRunner;
  /** The connector's keys that say where the group is coordinated. */
  readonly connection: Readonly<Record<string, string>>;
  /** Learns where this run's messages are (the log end of each partition, the offsets of earlier runs). */
  written(ledger: ProducerLedger): Promise<void>;
  /** The offset each partition's consumer must reach: the log end. */
  end(partition: number): number;
  /** Whether a message is one of this run's (a broker's topic may hold earlier runs'). */
  isThisRun(m: MessageAndMetadata): boolean;
  nowMs(): number;
  until(condition: () => boolean, description: string): Promise<void>;
  pause(ms: number): Promise<void>;
  committed(group: string, partition: number): number | undefined;
  /** The consumer's life ends where it stands (its worker stopped itself); resolves when a new consumer may resume. */
  crash(run: LessonRun, group: string, life: Life): Promise<void>;
  showGroup(run: LessonRun, group: string): void;
}

async function simulatorStage(run: LessonRun): Promise<Stage> {
  const sim = await startCluster(run, {
    brokers: 3,
    topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
    narrate: ['zk.session.expired'],
  });
  const app = ClientProcess.on(sim, 'consumer-app');
  let perPartition: number[] = [];
  return {
    kind: 'simulator',
    bootstrapServers: sim.bootstrapServers,
    producerApp: ClientProcess.on(sim, 'producer-app'),
    partitions: PARTITIONS,
    processMs: () => PROCESS_MS,
    offsetsAt: 'in ZooKeeper',
    group: (mode) => mode,
    appFor: () => app,
    connection: { 'zookeeper.connect': 'zookeeper:2181' },
    written: async (ledger) => {
      perPartition = Array.from({ length: PARTITIONS }, (_, p) => ledger.entries.filter((e) => e.partition === p).length);
    },
    end: (partition) => perPartition[partition]!,
    isThisRun: () => true,
    nowMs: () => sim.kernel.nowMs,
    until: (condition, description) => sim.runUntil(condition, { description }),
    pause: (ms) => sim.runFor(ms),
    committed: (group, partition) => committedOffset(sim, group, partition),
    crash: async (run, group) => {
      // Kills the consumer process and waits until ZooKeeper forgets its consumer (session expiry).
      app.crash();
      run.say(`  [${formatMs(sim.kernel.nowMs)}] kill -9 consumer-app.`);
      await sim.runUntil(() => members(sim, group).length === 0, { description: 'the crashed consumer\'s session to expire' });
      app.restart();
    },
    showGroup: (run, group) => {
      run.say('  The group in ZooKeeper at this moment (owners are consumer threads, <group>_<consumer id>-<n>):');
      showGroup(run, sim, group);
    },
  };
}

/** Real brokers: the group consumer in coordinator mode; commits are known from the client's own narration. */
async function brokerStage(backend: LessonBackend & { kind: 'broker' }): Promise<Stage> {
  const { runtime, bootstrapServers } = backend;
  const admin = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-07' });
  let partitions: number;
  try {
    await admin.ensureTopicExists(TOPIC, 30_000);
    const metadata = await admin.sendMetadataRequest([TOPIC]);
    partitions = metadata.topics.find((t) => t.topic === TOPIC)!.partitions.length;
  } finally {
    admin.close();
  }
  /** `group/partition` → the last offset the coordinator accepted from this run's consumers. */
  const commits = new Map<string, number>();
  const apps = new Map<string, TaskRunner>();
  const first: number[] = [];
  const ends: number[] = [];
  let tag = '';
  return {
    kind: 'broker',
    bootstrapServers,
    producerApp: new RealProcess(runtime, 'producer'),
    partitions,
    processMs: (mode) => (mode === 'auto-commit' ? PROCESS_MS : BROKER_PROCESS_MS),
    offsetsAt: 'at the group coordinator',
    group: (mode) => `lesson-07-${mode}-${tag}`,
    appFor: (group) => {
      let app = apps.get(group);
      if (app === undefined) {
        // The connector narrates its commits when its runtime records: that is how the lesson knows them.
        const recordingCommits: Runtime = {
          ...runtime,
          recording: true,
          record: (kind, data) => {
            if (kind !== 'consumer.committed') return;
            const partition = Number(/-(\d+)$/.exec(String(data['partition']))?.[1]);
            commits.set(`${group}/${partition}`, Number(data['offset']));
          },
        };
        app = new RealProcess(recordingCommits, group);
        apps.set(group, app);
      }
      return app;
    },
    connection: { 'group.coordination': 'coordinator', 'bootstrap.servers': bootstrapServers },
    written: async (ledger) => {
      const acknowledged = ledger.entries.filter((e) => e.fate === 'acknowledged');
      for (let p = 0; p < partitions; p++) {
        const offsets = acknowledged.filter((e) => e.partition === p).map((e) => e.offset!);
        first[p] = offsets.length === 0 ? Infinity : Math.min(...offsets);
      }
      tag = acknowledged.map((e) => e.offset).join('.');
      const client = await KafkaClient.create(runtime, bootstrapServers, { clientId: 'lesson-07' });
      try {
        const latest = await client.sendOffsetRequest(Array.from({ length: partitions }, (_, partition) => ({ topic: TOPIC, partition, time: LATEST_TIME, maxOffsets: 1 })));
        for (const answer of latest) {
          if (!('offsets' in answer)) throw new Error(`no log end for ${TOPIC} from ${bootstrapServers}`);
          ends[answer.partition] = answer.offsets[0]!;
        }
      } finally {
        client.close();
      }
    },
    end: (partition) => ends[partition]!,
    isThisRun: (m) => m.offset >= first[m.partition]!,
    nowMs: () => runtime.nowMs(),
    until: (condition, description) => waitUntil(runtime, condition, description),
    pause: (ms) => runtime.sleep(ms),
    committed: (group, partition) => commits.get(`${group}/${partition}`),
    crash: async (run, _group, life) => {
      const commits = life.connector!.config['auto.commit.enable'] ? ' (auto-commit: it commits the consumed offsets once more)' : ', no commitOffsets()';
      run.say(`  [${formatMs(runtime.nowMs())}] the consumer stops there: shutdown()${commits}.`);
      life.halted = true;
      await life.connector!.shutdown();
    },
    showGroup: (run) => run.skipped('the group as ZooKeeper holds it at the crash', 'in coordinator mode the group lives in the broker\'s group coordinator, and this run reads no ZooKeeper'),
  };
}

/**
 * Starts one life of the consumer process: a connector with one stream, and the worker of the
 * scenario's pattern. `stopAt`: the message number (in this life) at which the worker stops itself
 * at its worst moment (undefined: never).
 */
function startLife(stage: Stage, scenario: Scenario, stopAt: number | undefined): Life {
  const life: Life = { consumerId: `c${scenario.lives.length + 1}`, connector: undefined, taken: 0, handed: 0, stopped: undefined, inProcess: undefined, halted: false, task: undefined };
  scenario.lives.push(life);
  const { mode, processed, store } = scenario;
  const processMs = stage.processMs(mode);
  const stopHere = async (runtime: Runtime, message: MessageAndMetadata) => {
    life.stopped = message;
    await runtime.deferred<void>('the crash').promise;
  };
  life.task = stage.appFor(scenario.group).run(`${life.consumerId} worker`, async (runtime) => {
    const connector = createConsumerConnector(runtime, {
      ...stage.connection,
      'group.id': scenario.group,
      'consumer.id': life.consumerId,
      'auto.offset.reset': 'smallest',
      ...(mode === 'auto-commit' ? { 'auto.commit.interval.ms': AUTO_COMMIT_INTERVAL_MS } : { 'auto.commit.enable': false }),
    });
    life.connector = connector;
    const stream = (await connector.createMessageStreams({ [TOPIC]: 1 }))[TOPIC]![0]!;
    const record = (m: MessageAndMetadata): ProcessedRecord => ({ ...m, by: life.consumerId });
    /** The next message of this run (earlier runs' messages are passed over). */
    const nextOfThisRun = async (): Promise<IteratorResult<MessageAndMetadata>> => {
      for (;;) {
        const next = await stream.next();
        if (next.done === true || stage.isThisRun(next.value)) return next;
      }
    };
    if (mode === 'auto-commit') {
      // The article's group loop: for each message of the stream, process it.
      for (let next = await nextOfThisRun(); next.done !== true; next = await nextOfThisRun()) {
        const m = next.value;
        life.taken++;
        life.handed++;
        life.inProcess = m;
        await runtime.sleep(processMs);
        if (life.halted) await runtime.deferred<void>('the crash').promise;
        processed.push(record(m));
        life.inProcess = undefined;
      }
      return;
    }
    // The stream as consume() sees it: counted and, for exactly-once, with the computing of the
    // output (processMs) between taking a message and writing its output with its offset.
    const counted: KafkaStream = Object.create(stream) as KafkaStream;
    counted.next = async () => {
      const next = await nextOfThisRun();
      if (next.done !== true) {
        life.taken++;
        if (mode === 'exactly-once') await runtime.sleep(processMs);
      }
      return next;
    };
    await consume(connector, counted, {
      semantics: mode,
      store,
      by: life.consumerId,
      process: async (m) => {
        life.handed++;
        const stop = life.handed === stopAt;
        if (mode === 'at-most-once') {
          // Called after commitOffsets(): the committed offset is already past m.
          if (stop) await stopHere(runtime, m);
          await runtime.sleep(processMs);
          processed.push(record(m));
        } else if (mode === 'at-least-once') {
          await runtime.sleep(processMs);
          processed.push(record(m));
          // Processed; commitOffsets() comes when this returns.
          if (stop) await stopHere(runtime, m);
        } else {
          // Called after store.apply(): output and offset are stored; commitOffsets() follows.
          if (stop) await stopHere(runtime, m);
        }
      },
    });
  });
  return life;
}

/** Runs a life until it has consumed every partition to its end, then shuts it down cleanly. */
async function finishLife(stage: Stage, scenario: Scenario, life: Life): Promise<void> {
  await stage.until(() => {
    const owned = life.connector?.owned() ?? [];
    return owned.length === stage.partitions && owned.every((o) => o.consumedOffset === stage.end(o.partition));
  }, `${life.consumerId} to reach the end of every partition`);
  await stage.pause(2 * stage.processMs(scenario.mode) + 500);
  const shutdown = stage.appFor(scenario.group).run(`${life.consumerId} shutdown`, () => life.connector!.shutdown());
  await stage.until(() => shutdown.settled && life.task!.settled, `${life.consumerId} to shut down`);
  shutdown.result();
  life.task!.result();
}

interface CrashOutcome {
  /** The message in hand at the (first) crash. */
  readonly inHand: MessageAndMetadata;
}

async function crashAtWorstMoment(run: LessonRun, stage: Stage, scenario: Scenario, options: { secondCrash?: boolean; showGroup?: boolean } = {}): Promise<CrashOutcome> {
  const { group } = scenario;
  const first = startLife(stage, scenario, scenario.mode === 'auto-commit' ? undefined : CRASH_AT);
  let inHand: MessageAndMetadata;
  if (scenario.mode === 'auto-commit') {
    // The worst moment: a commit has landed past the message being processed.
    await stage.until(() => {
      const m = first.inProcess;
      return m !== undefined && (stage.committed(group, m.partition) ?? -1) > m.offset;
    }, 'an auto-commit during processing');
    inHand = first.inProcess!;
    run.say(`  [${formatMs(stage.nowMs())}] consumer ${first.consumerId} is processing message #${first.handed}, ${describeMessage(inHand)};`);
  } else {
    await stage.until(() => first.stopped !== undefined, `${first.consumerId} to reach message #${CRASH_AT}`);
    inHand = first.stopped!;
    const where =
      scenario.mode === 'at-most-once'
        ? 'committed, not processed'
        : scenario.mode === 'at-least-once'
          ? 'processed, not committed'
          : `output and offset stored, not committed ${stage.kind === 'simulator' ? 'to ZooKeeper' : 'to the group coordinator'}`;
    run.say(`  [${formatMs(stage.nowMs())}] consumer ${first.consumerId} holds message #${CRASH_AT}, ${describeMessage(inHand)}: ${where};`);
  }
  run.say(`  the committed offset of ${TOPIC}-${inHand.partition} ${stage.offsetsAt} is ${stage.committed(group, inHand.partition) ?? 'none'}.`);
  if (options.showGroup === true) stage.showGroup(run, group);
  await stage.crash(run, group, first);

  const committedNow = () => Array.from({ length: stage.partitions }, (_, p) => stage.committed(group, p) ?? 'none').join(' / ');
  let resumedAt = committedNow();
  let resumeLife = startLife(stage, scenario, undefined);
  if (options.secondCrash === true && stage.kind === 'broker') {
    run.skipped(
      'the second crash, at a moment the seed chooses',
      'a kill -9 in the middle of the work needs the simulator; a real client stops only where its own code says',
    );
  } else if (options.secondCrash === true) {
    // "Anywhere": a moment that depends on the seed, while the second life works through the rest.
    await stage.until(() => resumeLife.taken >= 1, `${resumeLife.consumerId} to take a message`);
    const delayMs = (run.seed * 7919) % (4 * PROCESS_MS);
    await stage.pause(delayMs);
    run.say(
      `  Consumer ${resumeLife.consumerId} resumed from the committed offsets ${resumedAt}. Second crash ${delayMs} ms after it\n` +
        `  took its first message (a moment the seed chose): it had taken ${resumeLife.taken}; the store holds ${scenario.store.records().length} outputs.`,
    );
    await stage.crash(run, group, resumeLife);
    resumedAt = committedNow();
    resumeLife = startLife(stage, scenario, undefined);
  }
  const storedBefore = scenario.store.records().length;
  await finishLife(stage, scenario, resumeLife);
  const skipped = resumeLife.taken - (scenario.store.records().length - storedBefore);
  run.say(
    `  Consumer ${resumeLife.consumerId} resumed from the committed offsets ${resumedAt} (per partition) and read to the end:\n` +
      `  it took ${resumeLife.taken} message${resumeLife.taken === 1 ? '' : 's'}` +
      (scenario.mode === 'exactly-once' ? `, ${skipped} of them already in the store (skipped).` : '.'),
  );
  return { inHand };
}

/** The facts `kafkasim compare` puts side by side; the same names on both backends. */
function facts(partitions: number, ledger: ProducerLedger, rows: readonly Row[]): Fact[] {
  const summary = ledger.summary();
  return [
    { name: `partitions of ${TOPIC}`, value: partitions, kind: 'placement' },
    { name: 'messages sent', value: summary.sent, kind: 'match' },
    { name: 'messages acknowledged', value: summary.acknowledged, kind: 'match' },
    { name: 'send errors', value: summary.failed + summary.dropped, kind: 'match' },
    ...rows.flatMap((r): Fact[] => [
      { name: `${r.mode}: lost`, value: r.lost, kind: 'match' },
      { name: `${r.mode}: processed twice`, value: r.duplicated, kind: 'match' },
    ]),
  ];
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
