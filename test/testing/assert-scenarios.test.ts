/**
 * `assertScenarios`: a fast-check property over scenarios. A passing property says how many runs
 * it made; a failing one is shrunk, run once more with the full trace, written as a counterexample
 * file that replays to the same digest, and thrown as a CounterexampleError whose report teaches
 * what happened: the fault schedule in plain English, the seed, what went wrong, and the command
 * that replays it step by step.
 */
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertScenarios,
  readCounterexample,
  replayCounterexample,
  scenarioFailures,
  threeBrokerCluster,
  producerAndGroup,
  CounterexampleError,
  type ScenarioFault,
  type ScenarioSpec,
} from 'kafkasim/testing';
import { KafkasimError } from '../../src/sim/errors.ts';
import { cutBrokersApart, producer, SLOW, smallScenario, tempDirs } from './support.ts';

const dirs = tempDirs('assert-scenarios');
afterAll(() => dirs.cleanup());

/**
 * acks=1 with the followers cut off from their leaders, then two of the three brokers crash: the
 * partitions they led move to the third broker, which never received their messages. The
 * acknowledged messages of those partitions are gone, whatever the seed.
 */
const LOSSY_FAULTS: readonly ScenarioFault[] = [
  ...cutBrokersApart(0),
  { atMs: 1000, fault: { kind: 'broker-crash', broker: 1 } },
  { atMs: 1000, fault: { kind: 'broker-crash', broker: 2 } },
];

function lossyScenario(seed: number): ScenarioSpec {
  return { seed, cluster: threeBrokerCluster(), workload: producerAndGroup({ messages: 30, acks: 1 }), faults: LOSSY_FAULTS, faultWindowMs: 3000 };
}

describe('assertScenarios', () => {
  describe('when the property fails (acks=1 and leaders crashing with unreplicated messages)', () => {
    const property = 'acks=1 keeps what it acknowledged';
    let dir: string;
    let error: CounterexampleError;

    beforeAll(async () => {
      dir = dirs.make();
      try {
        await assertScenarios({ property, scenarios: fc.integer({ min: 0, max: 10_000 }).map(lossyScenario), numRuns: 5, seed: 42, counterexampleDir: dir });
      } catch (thrown) {
        error = thrown as CounterexampleError;
        return;
      }
      throw new Error('assertScenarios passed a property that must fail');
    }, SLOW);

    it('throws a CounterexampleError (a kafkasim error) whose message is the report', () => {
      expect(error).toBeInstanceOf(CounterexampleError);
      expect(error).toBeInstanceOf(KafkasimError);
      expect(error.code).toBe('COUNTEREXAMPLE');
      expect(error.message).toBe(error.report);
    });

    it('keeps the shrunk scenario: fast-check shrank the seed, the only thing generated, to 0', () => {
      const { counterexample } = error;
      expect(counterexample.property).toBe(property);
      expect(counterexample.scenario).toEqual(lossyScenario(0));
      expect(counterexample.fastCheck).toMatchObject({ seed: 42, numRuns: 1 });
      expect(counterexample.fastCheck!.numShrinks).toBeGreaterThanOrEqual(1);
      expect(counterexample.failures.length).toBeGreaterThan(0);
      expect(counterexample.failures[0]).toContain('acknowledged message(s) never processed');
    });

    it('writes the counterexample to a file in the directory given, named after the property and the fast-check seed', () => {
      expect(existsSync(error.file)).toBe(true);
      expect(dirname(error.file)).toBe(dir);
      expect(basename(error.file)).toBe('acks-1-keeps-what-it-acknowledged-42.json');
      expect(readCounterexample(error.file)).toEqual(error.counterexample);
    });

    it('replays from its file to the same digest, every time', { timeout: SLOW }, async () => {
      const fromFile = readCounterexample(error.file);
      const first = await replayCounterexample(fromFile);
      const second = await replayCounterexample(fromFile);
      expect(first.matches).toBe(true);
      expect(second.matches).toBe(true);
      expect(first.result.digest).toBe(fromFile.digest);
      expect(second.result.digest).toBe(first.result.digest);
      // The replay fails the same way.
      expect(scenarioFailures(first.result)).toEqual(fromFile.failures);
    });

    it('reports the fault schedule in plain English, the seed, what went wrong, and the command that replays it', { timeout: SLOW }, async () => {
      const { report, counterexample, file } = error;
      const { result } = await replayCounterexample(counterexample);
      expect(report).toContain(`Property "${property}" failed after 1 run(s)`);
      expect(report).toContain('fast-check seed 42');
      expect(report).toContain(`seed ${counterexample.scenario.seed}; 3 brokers`);
      expect(report).toContain('Faults (5;');
      for (const { fault } of counterexample.scenario.faults) expect(report).toContain(result.simulation.faults.describe(fault));
      expect(report).toContain(result.simulation.faults.describe({ kind: 'repair' }));
      const wentWrong = report.slice(report.indexOf('What went wrong:'));
      for (const failure of counterexample.failures) expect(wentWrong).toContain(failure);
      expect(report).toContain('Trace around it:');
      expect(report).toContain(`Replay it step by step: npx kafkasim replay ${file} --step`);
    });
  });

  it('says how many runs a passing property made', { timeout: SLOW }, async () => {
    const spec = smallScenario({ producers: [producer({ messages: 5 })] });
    const summary = await assertScenarios({ property: 'small runs pass', scenarios: fc.constantFrom(spec, { ...spec, seed: 8 }), numRuns: 2, seed: 1, counterexampleDir: dirs.make() });
    expect(summary).toEqual({ numRuns: 2 });
  });

  it('judges with the check it is given, and writes what that check said', { timeout: SLOW }, async () => {
    const dir = dirs.make();
    const spec = smallScenario({ producers: [producer({ messages: 5 })] });
    const check = (): string[] => ['the custom check always complains'];
    const thrown = await assertScenarios({ property: 'custom', scenarios: fc.constant(spec), check, numRuns: 1, seed: 3, counterexampleDir: dir }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CounterexampleError);
    const { counterexample, report } = thrown as CounterexampleError;
    expect(counterexample.failures).toEqual(['the custom check always complains']);
    expect(counterexample.scenario).toEqual(spec);
    expect(report).toContain('the custom check always complains');
  });

  it('reports a scenario the simulator refuses to run as such, instead of a counterexample', { timeout: SLOW }, async () => {
    const bad = smallScenario({ producers: [producer({ topic: 'nope' })] });
    const dir = dirs.make();
    await expect(assertScenarios({ property: 'refused', scenarios: fc.constant(bad), numRuns: 1, seed: 1, counterexampleDir: dir })).rejects.toThrow(
      /refused: the simulation failed: unknown topic .*"nope"/,
    );
  });
});
