/**
 * Replaying a gateway recording without clients, sockets or a clock: the same cluster is built
 * from the header's setup, the schedule's faults are scheduled, and each recorded arrival is
 * injected at the step and virtual time it was injected at in the run (`gateway.ts`), by running
 * the simulation's own events up to that point. Responses go nowhere. The simulation is
 * deterministic, so the replay makes the same trace and its digest is the recorded one; a
 * different digest means the simulation changed since the run was recorded (or the file was
 * edited), and a stamp the replay cannot reach says so at once (`ReplayDivergedError`).
 */
import { createSimulation, type Simulation } from '../broker/simulation.ts';
import { KafkasimError } from '../sim/errors.ts';
import type { Kernel } from '../sim/kernel.ts';
import { readRecording, Recording, type Arrival, type LoadedRecording, type Stamp } from './recording.ts';
import { NO_OUTPUT, WireHost } from './wire-host.ts';

export interface ReplayOptions {
  /** Trace mode of the replay (default 'full': every record kept, as stepping needs). */
  readonly trace?: 'full' | 'digest';
  /** Keep the world's history (stepping shows the state at any step; default true). */
  readonly history?: boolean;
  /** Called once the cluster is built, before the first arrival (a lesson starts watching here). */
  readonly onStart?: (simulation: Simulation) => void;
}

export interface ReplayResult {
  readonly simulation: Simulation;
  /** The replay's trace digest. */
  readonly digest: string;
  /** The recorded digest, if the recording was finished. */
  readonly expected: string | undefined;
  readonly matches: boolean;
  readonly arrivals: number;
}

/** The replay could not reach a recorded step and time: the runs differ. */
export class ReplayDivergedError extends KafkasimError {
  readonly code = 'REPLAY_DIVERGED';
}

export async function replayRecording(source: string | LoadedRecording | Recording, options: ReplayOptions = {}): Promise<ReplayResult> {
  const recording = toLoaded(source);
  const { header } = recording;
  const simulation = await createSimulation({ ...header.setup, trace: options.trace ?? 'full', history: options.history ?? true });
  const { kernel } = simulation;
  expectAt(kernel, header.start, 'the start of serving');
  simulation.scheduleFaults(header.schedule);
  options.onStart?.(simulation);
  const host = new WireHost({ simulation, listeners: header.listeners, output: () => NO_OUTPUT });
  for (const recorded of recording.arrivals) {
    await advanceTo(kernel, recorded, `arrival ${recorded.kind} of connection ${'conn' in recorded ? recorded.conn : '-'}`);
    const { step: _step, timeMs: _timeMs, ...arrival } = recorded;
    kernel.act(`wire ${arrival.kind}`, () => host.inject(arrival as Arrival));
  }
  if (recording.end !== undefined) await advanceTo(kernel, recording.end, 'the end of the run');
  const digest = kernel.trace.digest();
  const expected = recording.end?.digest;
  return { simulation, digest, expected, matches: expected === digest, arrivals: recording.arrivals.length };
}

function toLoaded(source: string | LoadedRecording | Recording): LoadedRecording {
  if (typeof source === 'string') return readRecording(source);
  if (source instanceof Recording) return { header: source.header, arrivals: source.arrivals, end: source.end, trace: [] };
  return source;
}

/** Runs the simulation's events up to `stamp`'s step, then its clock to `stamp`'s time. */
async function advanceTo(kernel: Kernel, stamp: Stamp, what: string): Promise<void> {
  if (kernel.currentStep < stamp.step) {
    await kernel.runUntil(() => kernel.currentStep >= stamp.step, { maxSteps: stamp.step - kernel.currentStep + 1, description: `step ${stamp.step} (${what})` });
  }
  if (kernel.nowMs < stamp.timeMs) await kernel.runFor(stamp.timeMs - kernel.nowMs);
  expectAt(kernel, stamp, what);
}

function expectAt(kernel: Kernel, stamp: Stamp, what: string): void {
  if (kernel.currentStep !== stamp.step || kernel.nowMs !== stamp.timeMs) {
    throw new ReplayDivergedError(
      `the replay reached ${what} at step ${kernel.currentStep}, ${kernel.nowMs} ms; the recording has it at step ${stamp.step}, ${stamp.timeMs} ms (the simulation changed since it was recorded, or the file was edited)`,
    );
  }
}
