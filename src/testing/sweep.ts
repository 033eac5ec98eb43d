/**
 * Long runs: many generated scenarios of one family, every failure kept (not only the first), a
 * progress callback, and a wall-clock budget (fast-check's `interruptAfterTimeLimit`). Failing
 * runs are not shrunk here; each is written as a counterexample file that replays, and a run's
 * fast-check path lets `assertScenarios` shrink it later.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { COUNTEREXAMPLE_FORMAT, slug, writeCounterexample, type Counterexample } from './counterexample.ts';
import { runScenario } from './run-scenario.ts';
import { scenarioFailures } from './scenario-checks.ts';
import type { ScenarioSpec } from './scenario-spec.ts';

export interface SweepOptions {
  readonly property: string;
  readonly scenarios: fc.Arbitrary<ScenarioSpec>;
  readonly runs: number;
  readonly seed: number;
  /** Stop after this much wall time (ms); undefined: no limit. */
  readonly timeBudgetMs?: number;
  /** Failures written as files (the rest are counted); default 5. */
  readonly keepFailures?: number;
  readonly counterexampleDir?: string;
  readonly onProgress?: (progress: SweepProgress) => void;
}

export interface SweepProgress {
  readonly done: number;
  readonly failures: number;
}

export interface SweepFailure {
  /** fast-check's path of the run (with the sweep's seed, `assertScenarios` can shrink it). */
  readonly path: string;
  readonly failures: readonly string[];
  /** The counterexample file, for the first `keepFailures` failures. */
  readonly file: string | undefined;
}

export interface SweepReport {
  readonly runs: number;
  readonly interrupted: boolean;
  readonly failures: readonly SweepFailure[];
}

export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const keep = options.keepFailures ?? 5;
  const failures: SweepFailure[] = [];
  let done = 0;
  const details = await fc.check(
    fc.asyncProperty(options.scenarios, async (spec) => {
      const index = done++;
      let found: string[];
      try {
        found = scenarioFailures(await runScenario(spec));
      } catch (error) {
        found = [`the simulation failed: ${(error as Error).message}`];
      }
      if (found.length > 0) {
        const file = failures.length < keep ? await keepCounterexample(options, spec, index) : undefined;
        failures.push({ path: String(index), failures: found, file });
      }
      options.onProgress?.({ done, failures: failures.length });
      return true;
    }),
    {
      numRuns: options.runs,
      seed: options.seed,
      ...(options.timeBudgetMs === undefined ? {} : { interruptAfterTimeLimit: options.timeBudgetMs, markInterruptAsFailure: false }),
    },
  );
  return { runs: done, interrupted: details.interrupted, failures };
}

async function keepCounterexample(options: SweepOptions, spec: ScenarioSpec, index: number): Promise<string> {
  const result = await runScenario(spec, { trace: 'full' });
  const counterexample: Counterexample = {
    format: COUNTEREXAMPLE_FORMAT,
    version: 1,
    property: options.property,
    scenario: spec,
    digest: result.digest!,
    failures: scenarioFailures(result),
    fastCheck: { seed: options.seed, path: String(index), numRuns: index + 1, numShrinks: 0 },
  };
  const file = join(options.counterexampleDir ?? join('.kafkasim', 'counterexamples'), `${slug(options.property)}-seed${options.seed}-run${index}.json`);
  writeCounterexample(file, counterexample);
  return file;
}
