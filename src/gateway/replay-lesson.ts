/**
 * A gateway recording told as a lesson (`kafkasim replay <recording> [--step]`): the cluster it
 * served, what the real clients and the control interface did (narrated from the trace: wire
 * requests, faults, leader changes), and the proof that the replay is the recorded run (the trace
 * digest). In --step mode `s` shows the whole cluster at any step.
 */
import type { Lesson } from '../../lessons/lib/lesson-kit.ts';
import { renderWorld } from '../../lessons/lib/cluster.ts';
import type { ClusterSnapshot } from '../broker/view.ts';
import { formatMs } from '../sim/index.ts';
import { STORY_KINDS } from '../testing/counterexample.ts';
import type { LoadedRecording } from './recording.ts';
import { replayRecording } from './replay.ts';

/**
 * What a gateway run's narration shows (`serve` and this replay): the cluster's story and real
 * clients coming and going, not each of their requests (thousands in a kcat run; `--json` has them).
 */
export const GATEWAY_STORY_KINDS: readonly string[] = [...STORY_KINDS, 'wire.connected', 'wire.closed', 'wire.rejected', 'wire.unsupported'];

export function gatewayReplayLesson(recording: LoadedRecording, file: string): Lesson {
  const { header } = recording;
  return {
    id: 'replay',
    title: 'a recorded gateway run',
    summary: file,
    defaultSeed: header.setup.seed,
    note: `(the seed ${header.setup.seed} comes from the recording; --step replays it step by step)`,
    async run(run) {
      run.heading('The cluster');
      run.say(`${header.setup.brokers ?? 3} broker(s), served at ${header.listeners.map((l) => `${l.host}:${l.port}`).join(', ')}`);
      for (const t of header.setup.topics ?? []) run.say(`topic ${t.name}: ${t.partitions} partition(s), replication factor ${t.replicationFactor}`);
      const connections = new Set(recording.arrivals.flatMap((a) => (a.kind === 'open' ? [a.conn] : [])));
      run.say(`${connections.size} real connection(s), ${recording.arrivals.filter((a) => a.kind === 'frame').length} request(s), ${recording.arrivals.filter((a) => a.kind === 'fault').length} fault(s) from the control interface, ${header.schedule.length} scheduled.`);

      run.heading('The run');
      const result = await replayRecording(recording, {
        onStart: (sim) => run.watch(sim.kernel, { kinds: GATEWAY_STORY_KINDS, render: (snapshot) => renderWorld(snapshot as unknown as ClusterSnapshot) }),
      });
      run.claim(
        'the replay is the recorded run (same trace digest)',
        result.matches,
        `recording ${result.expected ?? '(not finished: the gateway did not stop cleanly)'}, replay ${result.digest}`,
      );
      const kernel = result.simulation.kernel;
      run.whatYouSaw([
        `${formatMs(kernel.nowMs - header.start.timeMs)} of virtual time served, ${kernel.currentStep.toLocaleString('en-US')} steps, ${kernel.trace.count.toLocaleString('en-US')} trace records.`,
        `Trace digest ${result.digest.slice(0, 16)}…${result.matches ? ' matches the recording: this is exactly the run that was served.' : ' differs from the recording.'}`,
      ]);
    },
  };
}
