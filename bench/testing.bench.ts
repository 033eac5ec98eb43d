/**
 * Issue 6 figures: the scenario rate of the property-testing toolkit on its benchmark family
 * (`npx kafkasim check --scenario bench`): 3 brokers, 3 partitions, RF=3, an async producer of
 * 1,000 records (acks=-1), a 2-member group, 5 random faults, read to the end. With the invariant
 * checkers after every step, and without them to show their cost; and how much faster than real
 * time the simulation runs. Trace and history off (as property runs are).
 */
import fc from 'fast-check';
import { namedScenario } from '../src/testing/named-scenarios.ts';
import { runScenario } from '../src/testing/run-scenario.ts';
import type { ScenarioSpec } from '../src/testing/scenario-spec.ts';
import type { BenchSuite, Figure } from './harness.ts';

const MEASURED = 100;
const WARM_UP = 20;

async function rate(specs: readonly ScenarioSpec[], checks: boolean): Promise<{ perSecond: number; dilation: number }> {
  const options = checks ? {} : { invariants: [] };
  for (const spec of specs.slice(0, WARM_UP)) await runScenario(spec, options);
  const measured = specs.slice(WARM_UP);
  let virtualMs = 0;
  const start = process.hrtime.bigint();
  for (const spec of measured) virtualMs += (await runScenario(spec, options)).virtualMs;
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { perSecond: measured.length / (wallMs / 1000), dilation: virtualMs / wallMs };
}

export const testingSuite: BenchSuite = {
  name: 'testing',
  async run() {
    const specs = fc.sample(namedScenario('bench')!.scenarios, { seed: 2026, numRuns: WARM_UP + MEASURED });
    const checked = await rate(specs, true);
    const unchecked = await rate(specs, false);
    const mode = `${MEASURED} scenarios of the bench family (3 brokers, RF=3, async producer of 1,000 records acks=-1, 2-member group, 5 random faults), run to the end; trace off, history off`;
    const figures: Figure[] = [
      { name: 'scenario.per_s', value: checked.perSecond, unit: 'scenarios/s', mode: `${mode}; invariants checked after every step`, target: '≥ 300' },
      { name: 'scenario.no_checks.per_s', value: unchecked.perSecond, unit: 'scenarios/s', mode: `${mode}; no invariant checks`, target: 'reported' },
      { name: 'scenario.time_dilation', value: checked.dilation, unit: 'virtual s / wall s', mode: `the same, with checks`, target: 'reported' },
    ];
    return figures;
  },
};
