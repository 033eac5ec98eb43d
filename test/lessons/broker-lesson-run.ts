/**
 * What the per-lesson broker tests (broker-NN.test.ts) share: the lesson run on a fresh
 * kafkasim gateway (OS-assigned ports, the lesson's topics) and on the simulator, the wall time
 * on the gateway, the comparison of their facts, and a check of the "Skipped on a real broker"
 * lines.
 */
import { expect } from 'vitest';
import { connectBrokers } from '../../lessons/lib/backend.ts';
import { compareFacts } from '../../lessons/lib/facts.ts';
import { runLesson, type Lesson, type LessonReport } from '../../lessons/lib/lesson-kit.ts';
import { startGateway } from '../../src/gateway/index.ts';
import type { TopicSpec } from '../../src/broker/simulation.ts';

export interface BrokerLessonRun {
  readonly real: LessonReport;
  readonly simulated: LessonReport;
  /** The lesson's wall time on the gateway. */
  readonly wallMs: number;
  /** Facts that should match and do not. */
  readonly unexpected: readonly string[];
  /** A fact's verdict in the comparison: 'same', 'differs (expected: ...)', 'not compared', 'DIFFERS'. */
  verdict(name: string): string | undefined;
}

/** The lesson on a fresh gateway with `topics`, then on the simulator (default seed), and their facts compared. */
export async function runOnFreshGateway(lesson: Lesson, topics: readonly TopicSpec[]): Promise<BrokerLessonRun> {
  const gateway = await startGateway({ brokers: 3, topics });
  try {
    const startMs = Date.now();
    const real = await runLesson(lesson, { backend: await connectBrokers(gateway.bootstrapServers, lesson.defaultSeed) });
    const wallMs = Date.now() - startMs;
    const simulated = await runLesson(lesson);
    const { unexpected, lines } = compareFacts(simulated.facts!, real.facts!);
    const verdict = (name: string) => lines.find((l) => l.startsWith(`${name}  `))?.trimEnd().split(/\s{2,}/).at(-1);
    return { real, simulated, wallMs, unexpected, verdict };
  } finally {
    await gateway.stop();
  }
}

/** The run said "Skipped on a real broker: <what>...: <why>" for each of `whats`, and nothing else was skipped. */
export function expectSkipped(report: LessonReport, whats: readonly string[]): void {
  expect(report.run.skips).toHaveLength(whats.length);
  for (const what of whats) {
    const escaped = what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(report.output).toMatch(new RegExp(`^Skipped on a real broker: ${escaped}[^:]*: \\S`, 'm'));
  }
}
