/**
 * What the per-lesson broker tests (test/lessons/broker-NN.test.ts) check the same way: a lesson
 * run on the gateway holds exactly the expected claims, says what it skipped, ends with "What you
 * saw", and its facts are the simulator's (every one the same on a fresh gateway).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { connectBrokers } from '../../../lessons/lib/backend.ts';
import { compareFacts } from '../../../lessons/lib/facts.ts';
import { runLesson, type Lesson, type LessonReport } from '../../../lessons/lib/lesson-kit.ts';
import { startGateway, type Gateway } from '../../../src/gateway/index.ts';

/** The lesson on the brokers at `bootstrapServers`, its claims as expected and all held, the skipped parts named; its report and wall time. */
export async function runOnBroker(lesson: Lesson, bootstrapServers: string, claims: readonly string[], skipped: readonly string[]): Promise<{ report: LessonReport; wallMs: number }> {
  const startMs = Date.now();
  const report = await runLesson(lesson, { backend: await connectBrokers(bootstrapServers, lesson.defaultSeed) });
  const wallMs = Date.now() - startMs;
  expect(report.claims.map((c) => c.statement)).toEqual(claims);
  expect(report.claims.filter((c) => !c.holds)).toEqual([]);
  expect(report.output).toContain(`(on the broker(s) at ${bootstrapServers}, in real time:`);
  expect(report.run.skips).toHaveLength(skipped.length);
  for (const what of skipped) expect(report.output).toMatch(new RegExp(`^Skipped on a real broker: ${what.replace(/[()[\]]/g, '\\$&')}[^:]*: \\S`, 'm'));
  expect(report.output).toContain('== What you saw ==');
  return { report, wallMs };
}

/** The lesson on the simulator: every fact the broker run recorded is the same there (nothing even of an expected kind differs). */
export async function expectFactsSameAsSimulator(lesson: Lesson, real: LessonReport): Promise<void> {
  const simulated = await runLesson(lesson);
  const { unexpected, lines } = compareFacts(simulated.facts!, real.facts!);
  expect(unexpected).toEqual([]);
  const verdict = (name: string) => lines.find((l) => l.startsWith(`${name}  `))?.trimEnd().split(/\s{2,}/).at(-1);
  for (const fact of real.facts!.facts) expect([fact.name, verdict(fact.name)]).toEqual([fact.name, 'same']);
}

/** A gateway of 3 brokers with `topics` (3 partitions, 2 replicas each) for the enclosing describe block, stopped after it. */
export function gatewayWith(topics: readonly string[]): { readonly bootstrapServers: string } {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway({ brokers: 3, topics: topics.map((name) => ({ name, partitions: 3, replicationFactor: 2 })) });
  });
  afterAll(async () => {
    await gateway?.stop();
  });
  return {
    get bootstrapServers() {
      return gateway!.bootstrapServers;
    },
  };
}
