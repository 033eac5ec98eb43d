/**
 * `assertScenarios`: a fast-check property over scenarios. Each generated scenario runs with the
 * trace off (fast); when one fails, fast-check shrinks it to a minimal one, which then runs once
 * more with the full trace to get its digest and the story around the failure. The counterexample
 * is written to a file and thrown as a `CounterexampleError` whose message is the report: the
 * minimal fault schedule in plain English, the seed, what went wrong, the trace around it, and
 * the command that replays it step by step.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { KafkasimError } from '../sim/errors.ts';
import { counterexampleReport, slug, writeCounterexample, COUNTEREXAMPLE_FORMAT, type Counterexample } from './counterexample.ts';
import { runScenario, type RunScenarioOptions, type ScenarioResult } from './run-scenario.ts';
import { scenarioFailures } from './scenario-checks.ts';
import type { ScenarioSpec } from './scenario-spec.ts';

export interface AssertScenariosOptions {
  /** The property's name (in reports and file names). */
  readonly property: string;
  readonly scenarios: fc.Arbitrary<ScenarioSpec>;
  /** What must not happen, as sentences; default `scenarioFailures` (invariants, draining, delivery). */
  readonly check?: (result: ScenarioResult) => readonly string[];
  /** Default 100. */
  readonly numRuns?: number;
  /** fast-check's seed and path, to rerun a search exactly. */
  readonly seed?: number;
  readonly path?: string;
  /** Where counterexample files go; default `.kafkasim/counterexamples`. */
  readonly counterexampleDir?: string;
  /** Invariant checkers (trace and history are chosen here). */
  readonly invariants?: RunScenarioOptions['invariants'];
}

/** A property over scenarios failed; `report` teaches what happened, `file` replays it. */
export class CounterexampleError extends KafkasimError {
  readonly code = 'COUNTEREXAMPLE';
  constructor(
    readonly counterexample: Counterexample,
    readonly file: string,
    readonly report: string,
  ) {
    super(report);
  }
}

export interface ScenarioRunsSummary {
  readonly numRuns: number;
}

export async function assertScenarios(options: AssertScenariosOptions): Promise<ScenarioRunsSummary> {
  const check = options.check ?? scenarioFailures;
  const runOptions: RunScenarioOptions = options.invariants === undefined ? {} : { invariants: options.invariants };
  const failuresOf = async (spec: ScenarioSpec, trace: 'off' | 'full') => {
    try {
      const result = await runScenario(spec, { ...runOptions, trace });
      return { result, failures: [...check(result)] };
    } catch (error) {
      return { result: undefined, failures: [`the simulation failed: ${(error as Error).message}`] };
    }
  };
  const details = await fc.check(
    fc.asyncProperty(options.scenarios, async (spec) => (await failuresOf(spec, 'off')).failures.length === 0),
    {
      numRuns: options.numRuns ?? 100,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
    },
  );
  if (!details.failed) return { numRuns: details.numRuns };
  const spec = details.counterexample![0];
  const replayed = await failuresOf(spec, 'full');
  if (replayed.result === undefined) throw new Error(`${options.property}: ${replayed.failures.join('; ')}`);
  const counterexample: Counterexample = {
    format: COUNTEREXAMPLE_FORMAT,
    version: 1,
    property: options.property,
    scenario: spec,
    digest: replayed.result.digest!,
    failures: replayed.failures,
    fastCheck: { seed: details.seed, path: details.counterexamplePath ?? '', numRuns: details.numRuns, numShrinks: details.numShrinks },
  };
  const file = join(options.counterexampleDir ?? join('.kafkasim', 'counterexamples'), `${slug(options.property)}-${details.seed >>> 0}.json`);
  writeCounterexample(file, counterexample);
  throw new CounterexampleError(counterexample, file, counterexampleReport({ counterexample, result: replayed.result, file }));
}
