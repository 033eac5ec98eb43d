/**
 * `sweep`: many generated scenarios of one family, every failure kept (not only the first), the
 * first `keepFailures` of them written as counterexample files that replay, progress reported
 * after every run, `runs` respected, and a wall-clock budget that interrupts the sweep.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { namedScenario, readCounterexample, sweep, type ScenarioSpec, type SweepProgress } from 'kafkasim/testing';
import { producer, SLOW, smallScenario, tempDirs } from './support.ts';

const dirs = tempDirs('sweep');
afterAll(() => dirs.cleanup());

/**
 * A family where every run fails fast: a producer sending one message a second cannot be done
 * 1 ms after the (empty) fault window, so the group never reads to the end in time.
 */
const neverDrains: fc.Arbitrary<ScenarioSpec> = fc
  .integer({ min: 0, max: 1000 })
  .map((seed) => smallScenario({ seed, producers: [producer({ messages: 20, intervalMs: 1000 })], drainTimeoutMs: 1 }));

describe('sweep', () => {
  it('runs exactly `runs` scenarios, keeps every failure, and writes files for the first `keepFailures` only', { timeout: SLOW }, async () => {
    const dir = dirs.make();
    const progress: SweepProgress[] = [];
    const report = await sweep({ property: 'never-drains', scenarios: neverDrains, runs: 4, seed: 11, keepFailures: 2, counterexampleDir: dir, onProgress: (p) => progress.push(p) });
    expect(report.runs).toBe(4);
    expect(report.interrupted).toBe(false);
    expect(report.failures.map((f) => f.path)).toEqual(['0', '1', '2', '3']);
    for (const failure of report.failures) expect(failure.failures[0]).toContain('did not read to the end within the drain timeout');
    expect(progress).toEqual([
      { done: 1, failures: 1 },
      { done: 2, failures: 2 },
      { done: 3, failures: 3 },
      { done: 4, failures: 4 },
    ]);

    const [first, second, third, fourth] = report.failures;
    expect(third!.file).toBeUndefined();
    expect(fourth!.file).toBeUndefined();
    for (const [index, kept] of [first!, second!].entries()) {
      expect(basename(kept.file!)).toBe(`never-drains-seed11-run${index}.json`);
      expect(existsSync(kept.file!)).toBe(true);
      const counterexample = readCounterexample(kept.file!);
      expect(counterexample.property).toBe('never-drains');
      expect(counterexample.failures).toEqual(kept.failures);
      expect(counterexample.fastCheck).toEqual({ seed: 11, path: String(index), numRuns: index + 1, numShrinks: 0 });
      expect(counterexample.digest).toMatch(/^[0-9a-f]+$/);
    }
  });

  it("records each failure's fast-check path: with the sweep's seed it generates that very scenario again", { timeout: SLOW }, async () => {
    const dir = dirs.make();
    const report = await sweep({ property: 'paths', scenarios: neverDrains, runs: 3, seed: 5, keepFailures: 3, counterexampleDir: dir });
    for (const failure of report.failures) {
      const kept = readCounterexample(failure.file!).scenario;
      const generated: ScenarioSpec[] = [];
      fc.check(
        fc.property(neverDrains, (spec) => {
          generated.push(spec);
          return true;
        }),
        { seed: 5, path: failure.path, numRuns: 1 },
      );
      expect(generated[0]).toEqual(kept);
    }
  });

  it('reports no failure for a family that passes', { timeout: SLOW }, async () => {
    const passing = fc.integer({ min: 0, max: 1000 }).map((seed) => smallScenario({ seed, producers: [producer({ messages: 5 })] }));
    const report = await sweep({ property: 'passes', scenarios: passing, runs: 2, seed: 1, counterexampleDir: dirs.make() });
    expect(report).toEqual({ runs: 2, interrupted: false, failures: [] });
  });

  it('stops when the time budget is spent and says it was interrupted', { timeout: SLOW }, async () => {
    const report = await sweep({ property: 'budget', scenarios: neverDrains, runs: 200, seed: 2, timeBudgetMs: 1, keepFailures: 0, counterexampleDir: dirs.make() });
    expect(report.interrupted).toBe(true);
    expect(report.runs).toBeLessThan(200);
    expect(report.failures.every((f) => f.file === undefined)).toBe(true);
  });

  it('finds failures in the acks-1 family within a modest number of runs, and keeps a file for the first only', { timeout: SLOW * 2 }, async () => {
    const family = namedScenario('acks-1')!;
    expect(family.expectedToPass).toBe(false);
    const dir = dirs.make();
    const report = await sweep({ property: family.name, scenarios: family.scenarios, runs: 10, seed: 3, keepFailures: 1, counterexampleDir: dir });
    expect(report.runs).toBe(10);
    expect(report.failures.length).toBeGreaterThan(0);
    for (const failure of report.failures) expect(failure.failures.join('\n')).toContain('acknowledged message(s) never processed');
    expect(report.failures[0]!.file).toBeDefined();
    expect(existsSync(report.failures[0]!.file!)).toBe(true);
    expect(report.failures.slice(1).every((f) => f.file === undefined)).toBe(true);
  });
});
