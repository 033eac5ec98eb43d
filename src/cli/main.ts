/**
 * `npx kafkasim <command>`:
 *   lesson [NN] [--seed N] [--step] [--json] [--broker host:port[,host:port]]
 *                                              list the lessons, or run one (on real brokers with --broker)
 *   compare <NN> --broker host:port[,...] [--seed N]
 *                                              a lesson on the simulator and on real brokers, facts side by side
 *   replay <file> [--step] [--json]            replay a counterexample or a gateway recording step by step
 *   serve --brokers N --topic T:P:RF [...]     serve a simulated cluster to real Kafka clients (src/cli/serve.ts)
 *   check --scenario <name> [--runs N] [--seed S] [--budget-s T] [--shrink]
 *                                              sweep a scenario family; --list shows the families
 * Exit codes: 0 success, 1 failures found (or a claim did not hold), 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import type { BrokerConfig } from '../broker/config.ts';
import { BrokerListError, BrokerUnreachableError, parseBrokerList } from '../../lessons/lib/backend.ts';
import { findLessonFile, lessonCommand, loadLesson } from '../../lessons/lib/catalog.ts';
import { compareLesson } from '../../lessons/lib/compare.ts';
import { LessonClaimError, lessonMain, NoBrokerSupportError } from '../../lessons/lib/lesson-kit.ts';
import { isRecordingText, parseRecording } from '../gateway/recording.ts';
import { gatewayReplayLesson } from '../gateway/replay-lesson.ts';
import { assertScenarios, CounterexampleError } from '../testing/assert-scenarios.ts';
import { readCounterexample } from '../testing/counterexample.ts';
import { NAMED_SCENARIOS, namedScenario } from '../testing/named-scenarios.ts';
import { replayLesson } from '../testing/replay-lesson.ts';
import { sweep, type SweepProgress } from '../testing/sweep.ts';
import { parseBrokerConfigSetting, parseTopicSpec, readSchedule, serve, SERVE_USAGE } from './serve.ts';
import { wallClockMs } from './wall-clock.ts';

const USAGE = `usage: kafkasim <command>
  lesson [NN] [--seed N] [--step] [--json] [--broker host:port[,host:port]]
                                                 list the lessons, or run lesson NN (on real brokers with --broker)
  compare <NN> --broker host:port[,host:port] [--seed N]
                                                 run lesson NN on the simulator and on the brokers, facts side by side
  replay <file> [--step] [--json]                replay a counterexample file or a gateway recording step by step
  ${SERVE_USAGE}
                                                 serve a simulated cluster to real Kafka clients (kcat, kafkajs, kafka-python)
  check --scenario <name> [--runs N] [--seed S] [--budget-s T] [--shrink]
                                                 run many random scenarios of a family
  check --list                                   the scenario families`;

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'lesson':
      return lessonCommand(rest);
    case 'replay':
      return replayCommand(rest);
    case 'compare':
      return compareCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'serve':
      return serveCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

async function replayCommand(argv: readonly string[]): Promise<void> {
  const [file, ...options] = argv;
  if (file === undefined || file.startsWith('-')) throw new UsageError('replay needs a counterexample file or a gateway recording: kafkasim replay <file> [--step] [--json]');
  const text = textOf(file);
  if (isRecordingText(text)) {
    await lessonMain(gatewayReplayLesson(parseRecording(text, file), file), options);
    return;
  }
  const counterexample = readCounterexample(file);
  await lessonMain(replayLesson(counterexample, file), options);
}

/** The file's text, or '' when it cannot be read (readCounterexample then reports it, naming the file). */
function textOf(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Exit 0: the facts that should match do; 1: one differs, a claim failed or the brokers are unreachable; 2: bad usage. */
async function compareCommand(argv: readonly string[]): Promise<void> {
  const [id, ...rest] = argv;
  if (id === undefined || id.startsWith('-')) throw new UsageError('compare needs a lesson number: kafkasim compare <NN> --broker host:port[,host:port]');
  const options = parseOptions(rest, { flags: [], values: ['--broker', '--seed'] });
  const brokerText = options.get('--broker');
  if (brokerText === undefined) throw new UsageError('compare needs --broker host:port[,host:port] (the brokers to compare the simulator with)');
  let broker: string;
  try {
    broker = parseBrokerList(brokerText);
  } catch (error) {
    if (error instanceof BrokerListError) throw new UsageError(error.message);
    throw error;
  }
  const file = findLessonFile(id);
  if (file === undefined) throw new UsageError(`no lesson ${JSON.stringify(id)}; see kafkasim lesson`);
  const lesson = await loadLesson(file);
  const seed = options.has('--seed') ? integerOption(options, '--seed', lesson.defaultSeed, 0) : undefined;
  try {
    const result = await compareLesson(lesson, { broker, ...(seed === undefined ? {} : { seed }) });
    for (const line of result.lines) process.stdout.write(`${line}\n`);
    if (result.unexpected.length > 0) process.exitCode = 1;
  } catch (error) {
    if (error instanceof NoBrokerSupportError) {
      process.stderr.write(`kafkasim: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof BrokerUnreachableError || error instanceof LessonClaimError) {
      process.stderr.write(`kafkasim: compare ${lesson.id}: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`kafkasim: compare ${lesson.id} on the broker(s) at ${broker} failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}

async function checkCommand(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv, { flags: ['--list', '--shrink'], values: ['--scenario', '--runs', '--seed', '--budget-s'] });
  if (options.has('--list')) {
    for (const family of NAMED_SCENARIOS) {
      process.stdout.write(`${family.name.padEnd(8)} ${family.expectedToPass ? '(should pass)' : '(finds failures)'} ${family.description}\n`);
    }
    return;
  }
  const name = options.get('--scenario');
  if (name === undefined) throw new UsageError('check needs --scenario <name> (see kafkasim check --list)');
  const family = namedScenario(name);
  if (family === undefined) throw new UsageError(`unknown scenario ${JSON.stringify(name)}; families: ${NAMED_SCENARIOS.map((f) => f.name).join(', ')}`);
  const runs = integerOption(options, '--runs', 100, 1);
  const seed = integerOption(options, '--seed', 1, 0);
  const budgetS = options.has('--budget-s') ? integerOption(options, '--budget-s', 0, 1) : undefined;

  const progress = progressPrinter(runs);
  const report = await sweep({
    property: family.name,
    scenarios: family.scenarios,
    runs,
    seed,
    ...(budgetS === undefined ? {} : { timeBudgetMs: budgetS * 1000 }),
    onProgress: progress.update,
  });
  progress.finish();
  const out = process.stdout;
  out.write(`${report.runs} run(s)${report.interrupted ? ' (time budget reached)' : ''}, ${report.failures.length} failure(s), ${progress.rate()} runs/s.\n`);
  for (const failure of report.failures) {
    out.write(`\nrun ${failure.path}: ${failure.failures.join('; ')}\n`);
    if (failure.file !== undefined) out.write(`  replay: npx kafkasim replay ${failure.file} --step\n`);
  }
  if (report.failures.length > 0 && options.has('--shrink')) {
    const first = report.failures[0]!;
    out.write(`\nShrinking run ${first.path}...\n`);
    try {
      await assertScenarios({ property: family.name, scenarios: family.scenarios, seed, path: first.path, numRuns: 1 });
      out.write('The run passed when replayed for shrinking (it should not have).\n');
    } catch (error) {
      if (!(error instanceof CounterexampleError)) throw error;
      out.write(`${error.report}\n`);
    }
  }
  if (report.failures.length > 0) process.exitCode = 1;
}

async function serveCommand(argv: readonly string[]): Promise<void> {
  const repeated = ['--topic', '--broker-config'];
  const valuesOf = (name: string) => argv.flatMap((arg, i) => (arg === name && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));
  const topics = valuesOf('--topic');
  const others = argv.filter((arg, i) => !repeated.includes(arg) && !repeated.includes(argv[i - 1]!));
  const options = parseOptions(others, { flags: ['--quiet'], values: ['--brokers', '--seed', '--port', '--speed', '--schedule', '--record', '--control-port'] });
  const speedText = options.get('--speed') ?? '1';
  const speed = Number(speedText);
  if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed must be a positive number, got ${JSON.stringify(speedText)}`);
  const schedule = options.get('--schedule');
  await serve(
    {
      brokers: integerOption(options, '--brokers', 3, 1),
      topics: topics.map(parseTopicSpec),
      brokerConfig: Object.fromEntries(valuesOf('--broker-config').map(parseBrokerConfigSetting)) as Partial<BrokerConfig>,
      seed: integerOption(options, '--seed', 1, 0),
      basePort: integerOption(options, '--port', 0, 0),
      speed,
      schedule: schedule === undefined ? [] : readSchedule(schedule),
      record: options.get('--record'),
      controlPort: options.has('--control-port') ? integerOption(options, '--control-port', 0, 0) : undefined,
      quiet: options.has('--quiet'),
    },
    { out: (line) => process.stdout.write(`${line}\n`), input: process.stdin },
  );
}

function progressPrinter(total: number): { update: (p: SweepProgress) => void; finish: () => void; rate: () => string } {
  const err = process.stderr;
  const startMs = wallClockMs();
  let last: SweepProgress = { done: 0, failures: 0 };
  let printedTenth = 0;
  const rate = () => (last.done / Math.max(0.001, (wallClockMs() - startMs) / 1000)).toFixed(1);
  const line = () => {
    const width = 30;
    const filled = Math.round((last.done / total) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${last.done}/${total} runs, ${rate()} runs/s, ${last.failures} failure(s)`;
  };
  return {
    update(progress) {
      last = progress;
      if (err.isTTY) {
        err.write(`\r${line()}`);
      } else if (Math.floor((progress.done * 10) / total) > printedTenth) {
        printedTenth = Math.floor((progress.done * 10) / total);
        err.write(`${line()}\n`);
      }
    },
    finish() {
      if (err.isTTY) err.write('\n');
    },
    rate,
  };
}

function parseOptions(argv: readonly string[], spec: { flags: readonly string[]; values: readonly string[] }): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (spec.flags.includes(arg)) options.set(arg, 'true');
    else if (spec.values.includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      options.set(arg, value);
    } else throw new UsageError(`unknown option ${JSON.stringify(arg)}; options: ${[...spec.flags, ...spec.values].join(', ')}`);
  }
  return options;
}

function integerOption(options: Map<string, string>, name: string, fallback: number, min: number): number {
  const text = options.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`kafkasim: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
    // kafkasim's typed errors (a bad counterexample file, an invalid option) are messages, not crashes.
    process.stderr.write(`kafkasim: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
