/**
 * A failing scenario as a file that teaches: the scenario itself (so it replays exactly), the
 * trace digest of the failing run (so a replay can prove it is the same run), what went wrong, and
 * a report in plain English with the fault schedule, the failures, the trace around the first one,
 * and the command that replays it step by step.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '../sim/errors.ts';
import { formatMs, type TraceRecord } from '../sim/index.ts';
import { checkScenarioDelivery } from './delivery-checkers.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';
import { validateScenario, type ScenarioSpec } from './scenario-spec.ts';

export const COUNTEREXAMPLE_FORMAT = 'kafkasim-counterexample';

export interface Counterexample {
  readonly format: typeof COUNTEREXAMPLE_FORMAT;
  readonly version: 1;
  /** The property that failed. */
  readonly property: string;
  readonly scenario: ScenarioSpec;
  /** The trace digest of the failing run: a replay must reproduce it. */
  readonly digest: string;
  readonly failures: readonly string[];
  /** How fast-check found it (to rerun the search: `fc.assert(..., { seed, path })`). */
  readonly fastCheck?: { readonly seed: number; readonly path: string; readonly numRuns: number; readonly numShrinks: number };
}

/** A property name as a file name: `acks=1 loses nothing` → `acks-1-loses-nothing`. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'property';
}

export function writeCounterexample(file: string, counterexample: Counterexample): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(counterexample, null, 2)}\n`);
}

export function readCounterexample(file: string): Counterexample {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError('counterexample file', file, `a readable JSON file written by kafkasim (${(error as Error).message})`);
  }
  const c = parsed as Partial<Counterexample>;
  if (typeof c !== 'object' || c === null || c.format !== COUNTEREXAMPLE_FORMAT || c.version !== 1) {
    throw new InvalidArgumentError('counterexample file', file, `a JSON object with format "${COUNTEREXAMPLE_FORMAT}" and version 1`);
  }
  validateScenario(c.scenario as ScenarioSpec);
  return c as Counterexample;
}

/** Runs a counterexample again with the full trace; `matches` says whether it is the same run. */
export async function replayCounterexample(
  counterexample: Counterexample,
  options: { readonly history?: boolean } = {},
): Promise<{ readonly result: ScenarioResult; readonly matches: boolean }> {
  const result = await runScenario(counterexample.scenario, { trace: 'full', history: options.history ?? false });
  return { result, matches: result.digest === counterexample.digest };
}

/** Trace kinds a reader of a counterexample needs (the rest is detail). */
export const STORY_KINDS = [
  'fault.',
  'broker.crashed',
  'broker.started',
  'broker.unclean-shutdown',
  'controller.elected',
  'controller.failover',
  'controller.broker-change',
  'partition.leader',
  'partition.became-leader',
  'isr.',
  'log.truncated',
  'produce.rejected',
  'produce.timed-out',
  'consumer.rebalance',
  'consumer.assignment',
  'consumer.session-renewed',
  'producer.request-failed',
  'producer.no-leader',
  'workload.',
  'invariant.',
];

export function isStoryRecord(record: TraceRecord): boolean {
  return STORY_KINDS.some((prefix) => record.kind.startsWith(prefix));
}

/** The scenario's cluster and workload in a few lines of English. */
export function describeScenario(spec: ScenarioSpec): string[] {
  const { cluster, workload } = spec;
  const lines = [
    `seed ${spec.seed}; ${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'}${describeConfig(cluster.brokerConfig)}`,
    ...cluster.topics.map((t) => `topic ${t.name}: ${t.partitions} partition(s), replication factor ${t.replicationFactor}${describeConfig(t.config)}`),
    ...workload.producers.map((p) => `producer ${p.name}: ${p.messages} messages to ${p.topic}${describeConfig(p.config)}`),
    ...workload.consumers.map((c) => `group ${c.group}: ${c.members} member(s) × ${c.streams ?? 1} stream(s) on ${c.topic}, ${c.semantics}${describeConfig(c.config)}`),
  ];
  return lines;
}

/** The report printed when a property fails. */
export function counterexampleReport(options: {
  readonly counterexample: Counterexample;
  readonly result: ScenarioResult;
  readonly file: string;
  readonly contextLines?: number;
}): string {
  const { counterexample, result, file } = options;
  const records = result.simulation.kernel.trace.records;
  const story = records.filter(isStoryRecord);
  const faults = story.filter((r) => r.kind.startsWith('fault.'));
  const fc = counterexample.fastCheck;
  const lines = [
    `Property "${counterexample.property}" failed${fc === undefined ? '' : ` after ${fc.numRuns} run(s), shrunk ${fc.numShrinks} time(s) (fast-check seed ${fc.seed}, path "${fc.path}")`}.`,
    '',
    'Scenario:',
    ...describeScenario(counterexample.scenario).map((l) => `  ${l}`),
    '',
    `Faults (${counterexample.scenario.faults.length}; the workload started at ${formatMs(result.startMs)} on the clock):`,
    ...(faults.length === 0 ? ['  (none)'] : faults.map((r) => `  ${formatMs(r.timeMs).padStart(10)}  ${r.text}`)),
    '',
    'What went wrong:',
    ...counterexample.failures.map((f) => `  ${f}`),
    '',
    'Trace around it:',
    ...traceAround(story, anchorTime(result), options.contextLines ?? 20).map(
      (r) => `  step ${String(r.step).padEnd(7)} ${formatMs(r.timeMs).padStart(10)}  ${r.node.padEnd(11)} ${r.text}`,
    ),
    '',
    `Replay it step by step: npx kafkasim replay ${file} --step`,
  ];
  return lines.join('\n');
}

/** When the first failure shows: an invariant's step, or the first lost message's acknowledgement. */
function anchorTime(result: ScenarioResult): number {
  if (result.violation !== undefined) return result.violation.timeMs;
  const lostAt = checkScenarioDelivery(result)
    .flatMap((group) => group.lost.map((entry) => entry.settledAtMs ?? Infinity))
    .reduce((first, atMs) => Math.min(first, atMs), Infinity);
  return Number.isFinite(lostAt) ? lostAt : result.simulation.kernel.nowMs;
}

function traceAround(records: readonly TraceRecord[], timeMs: number, count: number): TraceRecord[] {
  let index = records.findIndex((r) => r.timeMs >= timeMs);
  if (index === -1) index = records.length;
  const start = Math.max(0, index - Math.floor(count / 2));
  return records.slice(start, start + count);
}

function describeConfig(config: Readonly<Record<string, unknown>> | undefined): string {
  if (config === undefined) return '';
  const entries = Object.entries(config).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? '' : ` (${entries.map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
}
