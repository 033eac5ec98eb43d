/**
 * A lesson on kafkasim's gateway, for the per-lesson broker tests: one gateway per `describe`
 * (started before its tests on OS-assigned ports, stopped after), the lesson run against it with
 * its wall time, and the comparison of its facts with a simulator run's.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { connectBrokers } from '../../../lessons/lib/backend.ts';
import { compareFacts } from '../../../lessons/lib/facts.ts';
import { runLesson, type Lesson, type LessonReport } from '../../../lessons/lib/lesson-kit.ts';
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

/** The lesson on the gateway, and how long it took on the wall clock. */
export async function runOnGateway(lesson: Lesson, gateway: Gateway): Promise<{ report: LessonReport; wallMs: number }> {
  const backend = await connectBrokers(gateway.bootstrapServers, lesson.defaultSeed);
  const startMs = Date.now();
  const report = await runLesson(lesson, { backend });
  return { report, wallMs: Date.now() - startMs };
}

/** The facts that should match and do not, between a simulator run of the lesson and `real`. */
export async function unexpectedDifferences(lesson: Lesson, real: LessonReport): Promise<readonly string[]> {
  const simulated = await runLesson(lesson);
  return compareFacts(simulated.facts!, real.facts!).unexpected;
}

/** The lesson made exactly these claims, in this order, and every one held. */
export function expectClaimsHeld(report: LessonReport, statements: readonly unknown[]): void {
  expect(report.claims.map((c) => c.statement)).toEqual(statements);
  expect(report.claims.filter((c) => !c.holds).map((c) => c.statement)).toEqual([]);
}
