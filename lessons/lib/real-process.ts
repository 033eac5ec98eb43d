/**
 * A client process on a real broker's side of the seam: the lesson's own Node process, whose
 * tasks run on the real runtime (wall clock, TCP). It has `ClientProcess`'s `run` (a task whose
 * outcome is kept, never thrown), so helpers written for the simulator's client processes
 * (partition-reader.ts) run unchanged on a broker. There is no crash or restart: a client cannot
 * kill -9 itself here and come back; `killableRuntime` stops one where it stands.
 */
import { ClientTask } from '../../src/client/client-process.ts';
import type { BrokerConnection, Runtime } from '../../src/client/runtime.ts';

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

/**
 * A real process the lesson can kill, as far as a client can kill itself: after `kill()` its
 * threads stop where they are (sleeps and timers never end, spawned threads never start), its
 * connections are closed and no new one is opened. What the broker sees is what kill -9 leaves:
 * no final commit, nothing more from it.
 */
export function killableRuntime(runtime: Runtime): { readonly runtime: Runtime; kill(): void } {
  let killed = false;
  const open = new Set<BrokerConnection>();
  const never = () => new Promise<never>(() => {});
  const wrapped: Runtime = {
    ...runtime,
    sleep: async (ms) => {
      await runtime.sleep(ms);
      if (killed) await never();
    },
    timer: (ms, callback) => runtime.timer(ms, () => (killed ? undefined : callback())),
    spawn: (name, body) => runtime.spawn(name, async () => (killed ? undefined : body())),
    connect: async (host, port, options) => {
      if (killed) await never();
      const connection = await runtime.connect(host, port, options);
      if (killed) {
        connection.close();
        await never();
      }
      open.add(connection);
      return connection;
    },
  };
  return {
    runtime: wrapped,
    kill() {
      killed = true;
      for (const connection of open) connection.close();
      open.clear();
    },
  };
}
