/**
 * `kafkasim compare <lesson> --broker host:port[,host:port]`: runs a lesson on the simulator and
 * on real brokers, headless, and puts the facts each run recorded side by side (facts.ts). The
 * lessons' claims are checked on both runs as usual; their narration is not printed.
 */
import { connectBrokers } from './backend.ts';
import { compareFacts } from './facts.ts';
import { NoBrokerSupportError, runLesson, type Lesson } from './lesson-kit.ts';

export interface CompareOptions {
  /** `host:port[,host:port]`, already checked by `parseBrokerList`. */
  readonly broker: string;
  readonly seed?: number;
}

export interface CompareResult {
  readonly lines: readonly string[];
  /** Facts that should match and do not. */
  readonly unexpected: readonly string[];
}

/**
 * Both runs and their comparison. Throws `NoBrokerSupportError` for a replay (not a lesson
 * file), `BrokerUnreachableError` when the brokers do not answer, and `LessonClaimError` when a
 * claim does not hold on either backend.
 */
export async function compareLesson(lesson: Lesson, options: CompareOptions): Promise<CompareResult> {
  if (lesson.brokerSupport === undefined) throw new NoBrokerSupportError(lesson);
  const seed = options.seed ?? lesson.defaultSeed;
  const simulated = await runLesson(lesson, { seed });
  const backend = await connectBrokers(options.broker, seed);
  const real = await runLesson(lesson, { seed, backend });
  if (simulated.facts === undefined || real.facts === undefined) throw new Error(`lesson ${lesson.id} recorded no facts to compare`);
  const comparison = compareFacts(simulated.facts, real.facts);
  const held = (claims: readonly { holds: boolean }[]) => claims.filter((c) => c.holds).length;
  const lines = [
    `Lesson ${lesson.id} (${lesson.title}) on the simulator and on the broker(s) at ${options.broker}`,
    `Claims checked: ${held(simulated.claims)} on the simulator, ${held(real.claims)} on the broker, all held; ` +
      `skipped on the broker: ${real.run.skips.length === 0 ? 'nothing' : real.run.skips.length}.`,
    ...real.run.skips.map((skip) => `- skipped: ${skip}`),
    '',
    ...comparison.lines,
  ];
  return { lines, unexpected: comparison.unexpected };
}
