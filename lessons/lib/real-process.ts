/**
 * A client process on a real broker's side of the seam: the lesson's own Node process, whose
 * tasks run on the real runtime (wall clock, TCP). It has `ClientProcess`'s `run` (a task whose
 * outcome is kept, never thrown), so helpers written for the simulator's client processes
 * (partition-reader.ts) run unchanged on a broker. There is no crash or restart: a client cannot
 * kill -9 itself here and come back.
 */
import { ClientTask } from '../../src/client/client-process.ts';
import type { Runtime } from '../../src/client/runtime.ts';

/** What a task runner offers lesson helpers: `ClientProcess.run` (simulator) or `realProcess(runtime).run`. */
export interface TaskRunner {
  run<T>(name: string, body: (runtime: Runtime) => Promise<T>): ClientTask<T>;
}

/** Runs tasks on `runtime` (a real broker's runtime), settling each when its body returns or throws. */
export function realProcess(runtime: Runtime): TaskRunner & { readonly runtime: Runtime } {
  return {
    runtime,
    run<T>(name: string, body: (runtime: Runtime) => Promise<T>): ClientTask<T> {
      const task = new ClientTask<T>(name);
      body(runtime).then(
        (value) => task.settle({ ok: true, value }, runtime.nowMs()),
        (error: unknown) => task.settle({ ok: false, error }, runtime.nowMs()),
      );
      return task;
    },
  };
}
