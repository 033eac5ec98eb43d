/**
 * What the per-lesson broker tests (test/lessons/broker-NN.test.ts) share: kafkasim's gateway as
 * the real broker (OS-assigned ports; one per `describe`, or a fresh one per run), the lesson run
 * on it with its wall time, the checks every broker run must pass (exactly the expected claims,
 * all held; each "Skipped on a real broker: <what>: <why>" line; "What you saw"), and the
 * comparison of its facts with a simulator run's.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { connectBrokers } from '../../../lessons/lib/backend.ts';
import { compareFacts } from '../../../lessons/lib/facts.ts';
import { runLesson, type Lesson, type LessonReport } from '../../../lessons/lib/lesson-kit.ts';
import type { TopicSpec } from '../../../src/broker/simulation.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/index.ts';

/** Starts a gateway before the enclosing describe's tests and stops it after; returns its getter. */
export function gatewayForTests(options: GatewayOptions): () => Gateway {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway(options);
  });
  afterAll(async () => {
    await gateway?.stop();
  });
  return () => gateway!;
}

/** A gateway of 3 brokers with `topics` (3 partitions, 2 replicas each) for the enclosing describe block. */
export function gatewayWith(topics: readonly string[]): { readonly bootstrapServers: string } {
  const gateway = gatewayForTests({ brokers: 3, topics: topics.map((name) => ({ name, partitions: 3, replicationFactor: 2 })) });
  return {
    get bootstrapServers() {
      return gateway().bootstrapServers;
    },
  };
}

/** The lesson on the brokers at `bootstrapServers`, and how long it took on the wall clock. */
async function timedRun(lesson: Lesson, bootstrapServers: string): Promise<{ report: LessonReport; wallMs: number }> {
  const backend = await connectBrokers(bootstrapServers, lesson.defaultSeed);
  const startMs = Date.now();
  const report = await runLesson(lesson, { backend });
  return { report, wallMs: Date.now() - startMs };
}

/** The lesson on the gateway, and how long it took on the wall clock. */
export function runOnGateway(lesson: Lesson, gateway: Gateway): Promise<{ report: LessonReport; wallMs: number }> {
  return timedRun(lesson, gateway.bootstrapServers);
}

/** The lesson on the brokers at `bootstrapServers`, checked: these claims, all held; these parts skipped; "What you saw". */
export async function runOnBroker(lesson: Lesson, bootstrapServers: string, claims: readonly string[], skipped: readonly string[]): Promise<{ report: LessonReport; wallMs: number }> {
  const result = await timedRun(lesson, bootstrapServers);
  expectClaimsHeld(result.report, claims);
  expect(result.report.output).toContain(`(on the broker(s) at ${bootstrapServers}, in real time:`);
  expectSkipped(result.report, skipped);
  expect(result.report.output).toContain('== What you saw ==');
  return result;
}

/** The lesson made exactly these claims, in this order, and every one held. */
export function expectClaimsHeld(report: LessonReport, statements: readonly unknown[]): void {
  expect(report.claims.map((c) => c.statement)).toEqual(statements);
  expect(report.claims.filter((c) => !c.holds).map((c) => c.statement)).toEqual([]);
}

/** The run said "Skipped on a real broker: <what>...: <why>" for each of `whats`, and nothing else was skipped. */
export function expectSkipped(report: LessonReport, whats: readonly string[]): void {
  expect(report.run.skips).toHaveLength(whats.length);
  for (const what of whats) {
    const escaped = what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(report.output).toMatch(new RegExp(`^Skipped on a real broker: ${escaped}[^:]*: \\S`, 'm'));
  }
}

export interface FactsCompared {
  /** Facts that should match and do not. */
  readonly unexpected: readonly string[];
  /** A fact's verdict: 'same', 'differs (expected: ...)', 'not compared', 'DIFFERS'. */
  verdict(name: string): string | undefined;
}

/** The lesson on the simulator (default seed), its facts compared with the broker run's. */
export async function compareWithSimulator(lesson: Lesson, real: LessonReport): Promise<FactsCompared & { readonly simulated: LessonReport }> {
  const simulated = await runLesson(lesson);
  const { unexpected, lines } = compareFacts(simulated.facts!, real.facts!);
  const verdict = (name: string) => lines.find((l) => l.startsWith(`${name}  `))?.trimEnd().split(/\s{2,}/).at(-1);
  return { simulated, unexpected, verdict };
}

/** The facts that should match and do not, between a simulator run of the lesson and `real`. */
export async function unexpectedDifferences(lesson: Lesson, real: LessonReport): Promise<readonly string[]> {
  return (await compareWithSimulator(lesson, real)).unexpected;
}

/** Every fact the broker run recorded is the same on the simulator (nothing even of an expected kind differs). */
export async function expectFactsSameAsSimulator(lesson: Lesson, real: LessonReport): Promise<void> {
  const { unexpected, verdict } = await compareWithSimulator(lesson, real);
  expect(unexpected).toEqual([]);
  for (const fact of real.facts!.facts) expect([fact.name, verdict(fact.name)]).toEqual([fact.name, 'same']);
}

/** The lesson on a fresh gateway with `topics` (offsets start at 0 as on the simulator), then on the simulator, their facts compared. */
export async function runOnFreshGateway(lesson: Lesson, topics: readonly TopicSpec[]): Promise<FactsCompared & { readonly real: LessonReport; readonly simulated: LessonReport; readonly wallMs: number }> {
  const gateway = await startGateway({ brokers: 3, topics });
  try {
    const { report: real, wallMs } = await runOnGateway(lesson, gateway);
    return { real, wallMs, ...(await compareWithSimulator(lesson, real)) };
  } finally {
    await gateway.stop();
  }
}
