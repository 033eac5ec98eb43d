/**
 * What every lesson is made of: narration of the simulation's trace (filtered to what the lesson
 * is about), the lesson's own commentary and tables, claims that are checked (a false claim makes
 * the lesson fail, and the test suite runs every lesson), and a closing "What you saw".
 *
 * A lesson is deterministic: the same seed prints the same bytes. It runs as a script
 * (`npx tsx lessons/NN-topic.ts [--seed N] [--step] [--json]`, or `npm run lesson -- NN`) and
 * headless under the tests (`runLesson`).
 *
 * A lesson that declares `brokerSupport` also runs on real brokers (`--broker host:port[,...]`,
 * `run.backend`): there it says what it skipped and why (`run.skipped`), and on both backends it
 * records its facts (`run.recordFacts`) for `kafkasim compare`.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Kernel, TraceRecord } from '../../src/sim/index.ts';
import { formatMs, toJsonLine } from '../../src/sim/index.ts';
import { BrokerListError, BrokerUnreachableError, connectBrokers, parseBrokerList, SIMULATOR, type LessonBackend } from './backend.ts';
import type { Fact, LessonFacts } from './facts.ts';

export interface Lesson {
  /** Two digits: `00`, `01`, ... */
  readonly id: string;
  readonly title: string;
  /** One line for the lesson index. */
  readonly summary: string;
  readonly defaultSeed: number;
  /**
   * Which outcomes vary with the seed, in the lesson's words; undefined when every claim holds
   * for every seed.
   */
  readonly seedSpecific?: string;
  /** Replaces the header's "run again with --seed N" line (a replay's seed is fixed). */
  readonly note?: string;
  /**
   * What of the lesson runs on a real broker (`--broker`), in one sentence. Every lesson under
   * lessons/ has one (its steps that need the simulator are skipped with `run.skipped`); only a
   * replay (`kafkasim replay`), which steps through a recorded simulation, has none and refuses.
   */
  readonly brokerSupport?: string;
  run(run: LessonRun): Promise<void>;
}

/** --broker was given to a replay of a recorded simulation. */
export class NoBrokerSupportError extends Error {
  override readonly name = 'NoBrokerSupportError';
  constructor(readonly lesson: Lesson) {
    super(`${lesson.id} (${lesson.title}) cannot run on a real broker: it replays a recorded simulation step by step; run it without --broker`);
  }
}

export interface Claim {
  readonly statement: string;
  readonly holds: boolean;
}

/** A claim of the lesson did not hold in this run. */
export class LessonClaimError extends Error {
  override readonly name = 'LessonClaimError';
  constructor(
    readonly lesson: string,
    readonly statement: string,
    readonly detail: string | undefined,
  ) {
    super(`lesson ${lesson}: claim does not hold: ${statement}${detail === undefined ? '' : ` (${detail})`}`);
  }
}

/** One printed piece of a lesson, with the simulation step it belongs to (for --step). */
export interface Frame {
  readonly text: string;
  readonly step: number | undefined;
}

export interface WatchOptions {
  /** Narrate records whose kind starts with one of these prefixes (default: all). */
  readonly kinds?: readonly string[];
  /** Leave out records whose kind starts with one of these prefixes. */
  readonly except?: readonly string[];
  /** Renders the whole world at a step, for `s` in --step mode. */
  readonly render?: (snapshot: Record<string, unknown>, step: number) => string;
}

export interface LessonRunOptions {
  readonly seed?: number;
  /** Where printed lines go (default: nowhere; the CLI prints them). */
  readonly write?: (line: string) => void;
  /** The embedded simulation (default) or real brokers (see backend.ts). */
  readonly backend?: LessonBackend;
}

export class LessonRun {
  readonly seed: number;
  readonly frames: Frame[] = [];
  readonly claims: Claim[] = [];
  /** What was skipped on a real broker, and why (one sentence each). */
  readonly skips: string[] = [];
  readonly backend: LessonBackend;
  private recorded: LessonFacts | undefined;
  private kernel: Kernel | undefined;
  private render: WatchOptions['render'];

  constructor(
    readonly lesson: Lesson,
    private readonly options: LessonRunOptions = {},
  ) {
    this.seed = options.seed ?? lesson.defaultSeed;
    this.backend = options.backend ?? SIMULATOR;
  }

  /** Says plainly what part of the lesson was not done on this backend, and why. */
  skipped(what: string, why: string): void {
    const text = `${what}: ${why}`;
    this.skips.push(text);
    this.emit(`Skipped on a real broker: ${text}`);
  }

  /** The lesson's facts for `kafkasim compare` (recorded once, not printed). */
  recordFacts(facts: readonly Fact[]): void {
    const backend = this.backend.kind === 'broker' ? `broker ${this.backend.bootstrapServers}` : `simulator (seed ${this.seed})`;
    this.recorded = { lesson: this.lesson.id, backend, facts };
  }

  get facts(): LessonFacts | undefined {
    return this.recorded;
  }

  /** The simulation the lesson narrates (its trace) and shows (its history, in --step mode). */
  watch(kernel: Kernel, options: WatchOptions = {}): void {
    this.kernel = kernel;
    this.render = options.render;
    const { kinds, except } = options;
    kernel.trace.subscribe((record) => {
      if (kinds !== undefined && !kinds.some((prefix) => record.kind.startsWith(prefix))) return;
      if (except !== undefined && except.some((prefix) => record.kind.startsWith(prefix))) return;
      this.emit(narrationLine(record), record.step);
    });
  }

  /** The watched simulation, if any. */
  get simulation(): Kernel | undefined {
    return this.kernel;
  }

  heading(title: string): void {
    this.emit('');
    this.emit(`== ${title} ==`);
  }

  say(text: string): void {
    for (const line of text.split('\n')) this.emit(line);
  }

  /** The article says something wrong here: say what is true. */
  correction(text: string): void {
    this.emit(`Note on the article: ${text}`);
  }

  table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
    const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)));
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
    const line = (row: readonly string[]) => row.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
    this.emit(line(headers));
    this.emit(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of cells) this.emit(line(row));
  }

  /** States something the run shows; the lesson fails if it does not hold. */
  claim(statement: string, holds: boolean, detail?: string): void {
    this.claims.push({ statement, holds });
    if (!holds) throw new LessonClaimError(this.lesson.id, statement, detail);
  }

  whatYouSaw(lines: readonly string[]): void {
    this.heading('What you saw');
    for (const line of lines) this.emit(`- ${line}`);
  }

  /** State at a step, rendered by the lesson's renderer (for --step). */
  stateAt(step: number): string {
    const history = this.kernel?.world.history;
    if (this.kernel === undefined || history === undefined || this.render === undefined) return '(no state view for this lesson)';
    const clamped = Math.min(step, history.lastStep);
    return this.render(history.at(clamped) as Record<string, unknown>, clamped);
  }

  private emit(text: string, step?: number): void {
    // Commentary printed while the simulation runs belongs to the step running now.
    const frame = { text, step: step ?? this.kernel?.currentStep };
    this.frames.push(frame);
    this.options.write?.(text);
  }
}

function narrationLine(record: TraceRecord): string {
  return `  ${`step ${record.step}`.padEnd(10)}${formatMs(record.timeMs).padStart(11)}  ${record.node.padEnd(11)} ${record.text}`;
}

export interface LessonReport {
  readonly output: string;
  readonly claims: readonly Claim[];
  readonly digest: string | undefined;
  /** What the lesson recorded for `kafkasim compare` (undefined for lessons without broker support). */
  readonly facts: LessonFacts | undefined;
  readonly run: LessonRun;
}

/** Runs a lesson headless (for tests): its output, claims and trace digest. */
export async function runLesson(lesson: Lesson, options: LessonRunOptions = {}): Promise<LessonReport> {
  if (options.backend?.kind === 'broker' && lesson.brokerSupport === undefined) throw new NoBrokerSupportError(lesson);
  const run = new LessonRun(lesson, options);
  printHeader(run);
  await lesson.run(run);
  return {
    output: run.frames.map((f) => f.text).join('\n'),
    claims: run.claims,
    digest: run.simulation?.trace.digest(),
    facts: run.facts,
    run,
  };
}

function printHeader(run: LessonRun): void {
  run.say(`Lesson ${run.lesson.id}: ${run.lesson.title}`);
  if (run.backend.kind === 'broker') {
    run.say(`(on the broker(s) at ${run.backend.bootstrapServers}, in real time: ${run.lesson.brokerSupport ?? ''})`);
    return;
  }
  run.say(run.lesson.note ?? `(seed ${run.seed}; run again with --seed N for another run, --step to replay step by step)`);
}

export interface CliOptions {
  readonly seed: number | undefined;
  readonly step: boolean;
  readonly json: boolean;
  /** `host:port[,host:port]`: run on these brokers instead of the simulator. */
  readonly broker: string | undefined;
}

export function parseLessonArgs(argv: readonly string[]): CliOptions {
  let seed: number | undefined;
  let step = false;
  let json = false;
  let broker: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--step') step = true;
    else if (arg === '--json') json = true;
    else if (arg === '--seed' || arg.startsWith('--seed=')) {
      const value = arg.includes('=') ? arg.slice('--seed='.length) : argv[++i];
      const parsed = Number(value);
      if (value === undefined || !Number.isSafeInteger(parsed)) {
        throw new Error(`--seed must be followed by an integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      }
      seed = parsed;
    } else if (arg === '--broker' || arg.startsWith('--broker=')) {
      const value = arg.includes('=') ? arg.slice('--broker='.length) : argv[++i];
      if (value === undefined) throw new BrokerListError('--broker must be followed by host:port[,host:port]');
      broker = parseBrokerList(value);
    } else {
      throw new Error(`unknown option ${JSON.stringify(arg)}; options: --seed N, --step, --json, --broker host:port[,host:port]`);
    }
  }
  if (broker !== undefined && step) throw new Error('--step replays the simulation step by step; a real broker has no steps to replay (leave out --step or --broker)');
  return { seed, step, json, broker };
}

/** Runs a lesson as a command: prints it, or its trace as JSON lines, or replays it step by step. */
export async function lessonMain(lesson: Lesson, argv: readonly string[]): Promise<void> {
  let options: CliOptions;
  try {
    options = parseLessonArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.broker !== undefined) {
    await brokerMain(lesson, options, options.broker);
    return;
  }
  const interactive = options.step && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const live = !options.json && !interactive;
  try {
    const report = await runLesson(lesson, {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(live ? { write: (line: string) => process.stdout.write(`${line}\n`) } : {}),
    });
    if (options.json) {
      for (const record of report.run.simulation?.trace.records ?? []) process.stdout.write(toJsonLine(record));
    } else if (interactive) {
      await stepThrough(report.run);
    } else if (options.step) {
      process.stdout.write('\n(--step needs a terminal; the whole lesson was printed instead)\n');
    }
  } catch (error) {
    if (error instanceof LessonClaimError) {
      process.stderr.write(`\n${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/**
 * A lesson on real brokers: refused (exit 2) for a replay of a recorded simulation;
 * exit 1 with one line when the brokers cannot be reached, a claim does not hold or the run
 * fails. With --json, prints the facts record (there is no trace to print).
 */
async function brokerMain(lesson: Lesson, options: CliOptions, bootstrapServers: string): Promise<void> {
  const fail = (message: string, code: number) => {
    process.stderr.write(`${message}\n`);
    process.exitCode = code;
  };
  if (lesson.brokerSupport === undefined) return fail(new NoBrokerSupportError(lesson).message, 2);
  let backend: LessonBackend;
  try {
    backend = await connectBrokers(bootstrapServers, options.seed ?? lesson.defaultSeed);
  } catch (error) {
    if (error instanceof BrokerUnreachableError) return fail(`lesson ${lesson.id}: ${error.message}`, 1);
    throw error;
  }
  try {
    const report = await runLesson(lesson, {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      backend,
      ...(options.json ? {} : { write: (line: string) => process.stdout.write(`${line}\n`) }),
    });
    if (options.json) process.stdout.write(`${JSON.stringify(report.facts)}\n`);
  } catch (error) {
    if (error instanceof LessonClaimError) return fail(`\n${error.message}`, 1);
    return fail(`\nlesson ${lesson.id} on the broker(s) at ${bootstrapServers} failed: ${(error as Error).message}`, 1);
  }
}

/** Interactive replay: Enter forward, b back, s the full state at this step, q quit. */
async function stepThrough(run: LessonRun): Promise<void> {
  const frames = run.frames;
  const out = process.stdout;
  out.write('Step-by-step replay: Enter = forward, b = back, s = full state at this step, q = quit\n\n');
  let position = 0;
  const show = (index: number, marker: string) => {
    const frame = frames[index]!;
    out.write(`${marker}${frame.text}\n`);
  };
  show(position, '');
  const input = process.stdin;
  input.setRawMode(true);
  const keys = createInterface({ input, terminal: true });
  await new Promise<void>((done) => {
    const onKey = (data: Buffer) => {
      const key = data.toString();
      if (key === 'q' || key === '\u0003') {
        input.off('data', onKey);
        done();
        return;
      }
      if (key === 'b') {
        if (position > 0) position--;
        show(position, '<< ');
      } else if (key === 's') {
        const step = frames[position]!.step ?? 0;
        out.write(`\n--- state at step ${step} ---\n${run.stateAt(step)}\n---\n`);
      } else if (key === '\r' || key === '\n' || key === ' ') {
        if (position < frames.length - 1) {
          position++;
          show(position, '');
        } else {
          out.write('(end of the lesson: b to go back, q to quit)\n');
        }
      }
    };
    input.on('data', onKey);
  });
  input.setRawMode(false);
  keys.close();
  input.pause();
}

/** True when the module at `moduleUrl` is the script node was asked to run. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && resolve(script) === fileURLToPath(moduleUrl);
}
