/**
 * A counterexample told as a lesson: the scenario, the faults, the run narrated (the story's trace
 * kinds, with the full cluster state at any step in --step mode), what went wrong, and the proof
 * that the replay is the very run that failed (the trace digest).
 */
import { formatMs } from '../sim/index.ts';
import type { Lesson } from '../../lessons/lib/lesson-kit.ts';
import { renderWorld } from '../../lessons/lib/cluster.ts';
import type { ClusterSnapshot } from '../broker/view.ts';
import { describeScenario, isStoryRecord, STORY_KINDS, type Counterexample } from './counterexample.ts';
import { runScenario } from './run-scenario.ts';
import { scenarioFailures } from './scenario-checks.ts';

export function replayLesson(counterexample: Counterexample, file: string): Lesson {
  const { scenario } = counterexample;
  return {
    id: 'replay',
    title: `counterexample to "${counterexample.property}"`,
    summary: file,
    defaultSeed: scenario.seed,
    note: `(the scenario's seed ${scenario.seed} comes from the file; --step replays it step by step)`,
    async run(run) {
      run.heading('The scenario');
      for (const line of describeScenario(scenario)) run.say(line);
      run.say(`Faults (times after the workload started; the narration below shows clock times): ${scenario.faults.length === 0 ? 'none' : ''}`);
      for (const f of scenario.faults) run.say(`  +${formatMs(f.atMs)}: ${JSON.stringify(f.fault)}`);

      run.heading('The run');
      const result = await runScenario(scenario, {
        trace: 'full',
        history: true,
        onStart: (sim) =>
          run.watch(sim.kernel, {
            kinds: STORY_KINDS,
            render: (snapshot) => renderWorld(snapshot as unknown as ClusterSnapshot),
          }),
      });

      run.heading('What went wrong');
      const failures = scenarioFailures(result);
      for (const failure of failures.length === 0 ? ['nothing: this run passes the standard checks'] : failures) run.say(`- ${failure}`);
      const matches = result.digest === counterexample.digest;
      run.claim('the replay is the run that failed (same trace digest)', matches, `file ${counterexample.digest}, replay ${result.digest}`);
      const records = result.simulation.kernel.trace.records;
      run.whatYouSaw([
        `${scenario.faults.length} fault(s) over ${formatMs(result.virtualMs)} of virtual time, ${result.steps.toLocaleString('en-US')} steps, ${records.filter(isStoryRecord).length} of ${records.length} trace records narrated.`,
        ...Object.entries(result.ledgers).map(([name, ledger]) => {
          const s = ledger.summary();
          return `${name}: ${s.sent} sent, ${s.acknowledged} acknowledged, ${s.failed} failed, ${s.unknown} unknown (acks=0), ${s.retried} retried.`;
        }),
        ...counterexample.failures.slice(0, 2),
        `Trace digest ${result.digest!.slice(0, 16)}… matches the counterexample file: this is exactly the run that failed.`,
      ].slice(0, 6));
    },
  };
}
