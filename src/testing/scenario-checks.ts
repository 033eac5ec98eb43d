/**
 * What a scenario must not do, as sentences: the standard property of a scenario run. An empty
 * list means the run passed. Used by `assertScenarios` and the `check` command; a test can call it
 * directly or write its own.
 */
import { checkScenarioDelivery, deliveryViolations } from './delivery-checkers.ts';
import type { ScenarioResult } from './run-scenario.ts';

export interface ScenarioChecks {
  /** Delivery promises of each group's pattern (default true). */
  readonly delivery?: boolean;
  /** Every group must read to the end before the drain timeout (default true). */
  readonly drained?: boolean;
}

export function scenarioFailures(result: ScenarioResult, checks: ScenarioChecks = {}): string[] {
  const failures: string[] = [];
  if (result.violation !== undefined) {
    const v = result.violation;
    failures.push(`invariant ${v.invariant} broken at step ${v.step} (${v.timeMs} ms): ${v.message}`);
    // The run stopped there: nothing after it can be judged.
    return failures;
  }
  if ((checks.drained ?? true) && result.outcome === 'not-drained') {
    failures.push(`the consumers did not read to the end within the drain timeout${result.consumerErrors.length > 0 ? ` (${result.consumerErrors.map((e) => `${e.group}-${e.member}: ${e.error}`).join('; ')})` : ''}`);
  }
  if (checks.delivery ?? true) {
    for (const anomalies of checkScenarioDelivery(result)) failures.push(...deliveryViolations(anomalies));
  }
  return failures;
}
