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
import { ZookeeperConsumerConnector } from '../src/client/group/connector.ts';
import type { KafkaStream, MessageAndMetadata } from '../src/client/group/stream.ts';
import type { ProducerLedger } from '../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../src/client/producer/producer.ts';
import type { Runtime } from '../src/client/runtime.ts';
import type { Simulation } from '../src/broker/simulation.ts';
import { payloadToString } from '../src/protocol/message.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { showGroup, showLedgers, startCluster } from './lib/cluster.ts';

import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const MESSAGES = 12;
/** The worker stops at the fifth message it is given, at its pattern's worst moment. */
const CRASH_AT = 5;
/** How long processing one message takes. */
const PROCESS_MS = 200;
const AUTO_COMMIT_INTERVAL_MS = 1000;

type Mode = DeliverySemantics | 'auto-commit';

/** One run of the consumer process, from start to crash or clean shutdown. */
interface Life {
  readonly consumerId: string;
  connector: ZookeeperConsumerConnector | undefined;
  /** Messages the stream handed out in this life. */
  taken: number;
  /** Messages given to the pattern's processing callback in this life. */
  handed: number;
  /** The message in hand when the worker stopped itself (the crash comes here). */
  stopped: MessageAndMetadata | undefined;
  /** The message being processed now (auto-commit worker). */
  inProcess: MessageAndMetadata | undefined;
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
  async run(run) {
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 2 }],
      narrate: ['zk.session.expired'],
    });
    const app = ClientProcess.on(sim, 'consumer-app');

    run.heading(`1. ${MESSAGES} messages, every one acknowledged`);
    const producing = ClientProcess.on(sim, 'producer-app').run('producer', async (runtime) => {
      const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': -1 });
      for (let i = 0; i < MESSAGES; i++) await producer.send(keyedMessage(TOPIC, `key-${i}`, `msg ${i}`));
      await producer.close();
      return producer.ledger;
    });
    await sim.runUntil(() => producing.settled, { description: 'the producer to finish' });
    const ledger = producing.result();
    const perPartition = Array.from({ length: PARTITIONS }, (_, p) => ledger.entries.filter((e) => e.partition === p).length);
    run.say(
      `A synchronous producer (request.required.acks=-1) wrote ${MESSAGES} messages to ${TOPIC} (${perPartition.join(' / ')} in its\n` +
        'three partitions). The producer side is settled: what follows is only about the consumer.',
    );
    showLedgers(run, { producer: ledger });
    run.say(
      '\nA message is delivered once if it is processed once. Each pattern below gets its own group\n' +
        '(so each reads all twelve), one high-level consumer with one stream, auto.offset.reset=smallest,\n' +
        `and processing takes ${PROCESS_MS} ms a message. The worker stops at message #${CRASH_AT} at its pattern's\n` +
        'worst moment; the lesson kills its process there (kill -9). After its ZooKeeper session expires\n' +
        '(zookeeper.session.timeout.ms, 6 s) the process restarts and a new consumer resumes from the\n' +
        'offsets committed in /consumers/<group>/offsets.',
    );

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
    const atMost = newScenario('at-most-once', 'at-most-once');
    const atMostCrash = await crashAtWorstMoment(run, sim, app, atMost, ledger, { showGroup: true });
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
    const atLeast = newScenario('at-least-once', 'at-least-once');
    const atLeastCrash = await crashAtWorstMoment(run, sim, app, atLeast, ledger);
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
        'in one atomic write; ZooKeeper commits still follow, but only to start near the right place.\n' +
        'A redelivered message is recognised by its offset (below the stored position) and skipped.\n' +
        'First crash: at the at-least-once worst moment (output stored, ZooKeeper commit not yet made).\n' +
        `Second crash: anywhere (a moment the seed chooses). Computing an output takes ${PROCESS_MS} ms here.`,
    );
    const exactly = newScenario('exactly-once', 'exactly-once');
    await crashAtWorstMoment(run, sim, app, exactly, ledger, { secondCrash: true });
    const exactlyRow = report(exactly, `#${CRASH_AT} after the write; again anywhere`);
    run.say(`The store holds ${exactlyRow.processed} outputs for ${MESSAGES} messages.`);
    run.claim('exactly once: after two crashes nothing was lost and nothing was processed twice', exactlyRow.lost === 0 && exactlyRow.duplicated === 0 && exactlyRow.processed === MESSAGES, `lost ${exactlyRow.lost}, duplicated ${exactlyRow.duplicated}`);

    // ------------------------------------------------------------------ auto-commit
    run.heading('5. The group model\'s default: auto-commit');
    run.say(
      `auto.commit.enable=true, auto.commit.interval.ms=${AUTO_COMMIT_INTERVAL_MS} (the article's setting; Kafka's default is\n` +
        '60 s): a timer commits every owned partition\'s consumed offset, and that offset moves when the\n' +
        'iterator hands a message out, not when the application has processed it. The worker here is the\n' +
        'article\'s loop: iterate the stream, process each message. The lesson waits until a commit lands\n' +
        'while a message is being processed, and kills the process then.',

    );
    const auto = newScenario('auto-commit', 'auto-commit');
    const autoCrash = await crashAtWorstMoment(run, sim, app, auto, ledger);
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

    run.whatYouSaw([
      `${MESSAGES} messages acknowledged by the brokers; each pattern read them all in its own group, with a crash at message #${CRASH_AT}.`,
      `At most once (commit, then process): ${atMostRow.lost} lost (${atMostRow.lostWhat}), ${atMostRow.duplicated} processed twice.`,
      `At least once (process, then commit): ${atLeastRow.lost} lost, ${atLeastRow.duplicated} processed twice (${atLeastRow.duplicatedWhat}).`,
      `Exactly once (output and offset in one write, two crashes): ${exactlyRow.lost} lost, ${exactlyRow.duplicated} twice.`,
      `Auto-commit every ${formatMs(AUTO_COMMIT_INTERVAL_MS)} (the group default): ${autoRow.lost} lost (${autoRow.lostWhat}): it committed a message still being processed.`,
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

/**
 * Starts one life of the consumer process: a connector with one stream, and the worker of the
 * scenario's pattern. `stopAt`: the message number (in this life) at which the worker stops itself
 * at its worst moment (undefined: never).
 */
function startLife(app: ClientProcess, scenario: Scenario, stopAt: number | undefined): Life {
  const life: Life = { consumerId: `c${scenario.lives.length + 1}`, connector: undefined, taken: 0, handed: 0, stopped: undefined, inProcess: undefined, task: undefined };
  scenario.lives.push(life);
  const { mode, processed, store } = scenario;
  const stopHere = async (runtime: Runtime, message: MessageAndMetadata) => {
    life.stopped = message;
    await runtime.deferred<void>('the crash').promise;
  };
  life.task = app.run(`${life.consumerId} worker`, async (runtime) => {
    const connector = new ZookeeperConsumerConnector(runtime, {
      'zookeeper.connect': 'zookeeper:2181',
      'group.id': scenario.group,
      'consumer.id': life.consumerId,
      'auto.offset.reset': 'smallest',
      ...(mode === 'auto-commit' ? { 'auto.commit.interval.ms': AUTO_COMMIT_INTERVAL_MS } : { 'auto.commit.enable': false }),
    });
    life.connector = connector;
    const stream = (await connector.createMessageStreams({ [TOPIC]: 1 }))[TOPIC]![0]!;
    const record = (m: MessageAndMetadata): ProcessedRecord => ({ ...m, by: life.consumerId });
    if (mode === 'auto-commit') {
      // The article's group loop: for each message of the stream, process it.
      for await (const m of stream) {
        life.taken++;
        life.handed++;
        life.inProcess = m;
        await runtime.sleep(PROCESS_MS);
        processed.push(record(m));
        life.inProcess = undefined;
      }
      return;
    }
    // The stream as consume() sees it: counted and, for exactly-once, with the computing of the
    // output (PROCESS_MS) between taking a message and writing its output with its offset.
    const counted: KafkaStream = Object.create(stream) as KafkaStream;
    counted.next = async () => {
      const next = await stream.next();
      if (next.done !== true) {
        life.taken++;
        if (mode === 'exactly-once') await runtime.sleep(PROCESS_MS);
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
          await runtime.sleep(PROCESS_MS);
          processed.push(record(m));
        } else if (mode === 'at-least-once') {
          await runtime.sleep(PROCESS_MS);
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

/** Kills the consumer process and waits until ZooKeeper forgets its consumer (session expiry). */
async function crashAndWait(run: LessonRun, sim: Simulation, app: ClientProcess, group: string): Promise<void> {
  app.crash();
  run.say(`  [${formatMs(sim.kernel.nowMs)}] kill -9 consumer-app.`);
  await sim.runUntil(() => members(sim, group).length === 0, { description: 'the crashed consumer\'s session to expire' });
  app.restart();
}

/** Runs a life until it has consumed every partition to its end, then shuts it down cleanly. */
async function finishLife(sim: Simulation, app: ClientProcess, life: Life, perPartition: readonly number[]): Promise<void> {
  await sim.runUntil(
    () => {
      const owned = life.connector?.owned() ?? [];
      return owned.length === PARTITIONS && owned.every((o) => o.consumedOffset === perPartition[o.partition]);
    },
    { description: `${life.consumerId} to reach the end of every partition` },
  );
  await sim.runFor(2 * PROCESS_MS + 500);
  const shutdown = app.run(`${life.consumerId} shutdown`, () => life.connector!.shutdown());
  await sim.runUntil(() => shutdown.settled && life.task!.settled, { description: `${life.consumerId} to shut down` });
  shutdown.result();
  life.task!.result();
}

interface CrashOutcome {
  /** The message in hand at the (first) crash. */
  readonly inHand: MessageAndMetadata;
}

async function crashAtWorstMoment(
  run: LessonRun,
  sim: Simulation,
  app: ClientProcess,
  scenario: Scenario,
  ledger: ProducerLedger,
  options: { secondCrash?: boolean; showGroup?: boolean } = {},
): Promise<CrashOutcome> {
  const perPartition = Array.from({ length: PARTITIONS }, (_, p) => ledger.entries.filter((e) => e.partition === p).length);
  const { group } = scenario;
  const first = startLife(app, scenario, scenario.mode === 'auto-commit' ? undefined : CRASH_AT);
  let inHand: MessageAndMetadata;
  if (scenario.mode === 'auto-commit') {
    // The worst moment: a commit has landed past the message being processed.
    await sim.runUntil(
      () => {
        const m = first.inProcess;
        return m !== undefined && (committedOffset(sim, group, m.partition) ?? -1) > m.offset;
      },
      { description: 'an auto-commit during processing' },
    );
    inHand = first.inProcess!;
    run.say(`  [${formatMs(sim.kernel.nowMs)}] consumer ${first.consumerId} is processing message #${first.handed}, ${describeMessage(inHand)};`);
  } else {
    await sim.runUntil(() => first.stopped !== undefined, { description: `${first.consumerId} to reach message #${CRASH_AT}` });
    inHand = first.stopped!;
    const where =
      scenario.mode === 'at-most-once'
        ? 'committed, not processed'
        : scenario.mode === 'at-least-once'
          ? 'processed, not committed'
          : 'output and offset stored, not committed to ZooKeeper';
    run.say(`  [${formatMs(sim.kernel.nowMs)}] consumer ${first.consumerId} holds message #${CRASH_AT}, ${describeMessage(inHand)}: ${where};`);
  }
  run.say(`  the committed offset of ${TOPIC}-${inHand.partition} in ZooKeeper is ${committedOffset(sim, group, inHand.partition) ?? 'none'}.`);
  if (options.showGroup === true) {
    run.say('  The group in ZooKeeper at this moment (owners are consumer threads, <group>_<consumer id>-<n>):');
    showGroup(run, sim, group);
  }
  await crashAndWait(run, sim, app, group);

  const committedNow = () => Array.from({ length: PARTITIONS }, (_, p) => committedOffset(sim, group, p) ?? 'none').join(' / ');
  let resumedAt = committedNow();
  let resumeLife = startLife(app, scenario, undefined);
  if (options.secondCrash === true) {
    // "Anywhere": a moment that depends on the seed, while the second life works through the rest.
    await sim.runUntil(() => resumeLife.taken >= 1, { description: `${resumeLife.consumerId} to take a message` });
    const delayMs = (run.seed * 7919) % (4 * PROCESS_MS);
    await sim.runFor(delayMs);
    run.say(
      `  Consumer ${resumeLife.consumerId} resumed from the committed offsets ${resumedAt}. Second crash ${delayMs} ms after it\n` +
        `  took its first message (a moment the seed chose): it had taken ${resumeLife.taken}; the store holds ${scenario.store.records().length} outputs.`,
    );
    await crashAndWait(run, sim, app, group);
    resumedAt = committedNow();
    resumeLife = startLife(app, scenario, undefined);
  }
  const storedBefore = scenario.store.records().length;
  await finishLife(sim, app, resumeLife, perPartition);
  const skipped = resumeLife.taken - (scenario.store.records().length - storedBefore);
  run.say(
    `  Consumer ${resumeLife.consumerId} resumed from the committed offsets ${resumedAt} (per partition) and read to the end:\n` +
      `  it took ${resumeLife.taken} message${resumeLife.taken === 1 ? '' : 's'}` +
      (scenario.mode === 'exactly-once' ? `, ${skipped} of them already in the store (skipped).` : '.'),
  );
  return { inHand };
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
