/**
 * Narration of one topic at a time: trace records of the given kinds are printed only while
 * they concern the topic a lesson is looking at (records that name no topic, such as faults and
 * controller elections, are printed when `always` lists their kind). Lines look like the kit's.
 * For lessons that run several experiments on one cluster, where a crash in one experiment also
 * moves the leaders of the topics the others use.
 */
import type { Kernel, TraceRecord } from '../../src/sim/index.ts';
import { formatMs } from '../../src/sim/index.ts';
import type { LessonRun } from './lesson-kit.ts';

export interface TopicNarration {
  /** The topic narrated from now on (undefined: only the `always` kinds). */
  focus(topic: string | undefined): void;
}

export function narrateTopic(run: LessonRun, kernel: Kernel, options: { kinds: readonly string[]; always?: readonly string[] }): TopicNarration {
  let topic: string | undefined;
  const matches = (record: TraceRecord, prefixes: readonly string[] | undefined) => prefixes?.some((p) => record.kind.startsWith(p)) ?? false;
  kernel.trace.subscribe((record) => {
    const shown = matches(record, options.always) || (topic !== undefined && record.data['topic'] === topic && matches(record, options.kinds));
    if (shown) run.say(`  ${`step ${record.step}`.padEnd(10)}${formatMs(record.timeMs).padStart(11)}  ${record.node.padEnd(11)} ${record.text}`);
  });
  return {
    focus(next) {
      topic = next;
    },
  };
}
