/**
 * A client application on a real broker, as `ClientProcess` is on the simulator: its tasks run
 * on the real runtime (the wall clock), each kept as a `ClientTask`, and `crash()` kills it as
 * `kill -9` would: every connection it opened is closed (the brokers see them close) without a
 * goodbye, and nothing of it runs again: its timers never fire, and its sleeps, connects and
 * requests never end (so no loop of it can spin). That is the client side of a crash; the broker
 * is not touched.
 *
 * Lesson helpers written for the simulator's client processes (partition-reader.ts) take a
 * `TaskRunner`, which both `ClientProcess` and `RealProcess` are.
 */
import { ClientKilledError, ClientTask } from '../../src/client/client-process.ts';
import type { BrokerConnection, Runtime } from '../../src/client/runtime.ts';

/** What a task runner offers lesson helpers: `ClientProcess.run` (simulator) or `RealProcess.run` (broker). */
export interface TaskRunner {
  run<T>(name: string, body: (runtime: Runtime) => Promise<T>): ClientTask<T>;
}

export class RealProcess implements TaskRunner {
  /** The runtime client code on this process is given. */
  readonly runtime: Runtime;
  private dead = false;
  private readonly connections = new Set<BrokerConnection>();
  private readonly tasks = new Set<ClientTask<unknown>>();
  /** Its pending timers (sleeps included): cancelled when it dies, so that nothing of it keeps node running. */
  private readonly timers = new Set<{ cancel(): void }>();

  constructor(
    private readonly base: Runtime,
    readonly node: string,
  ) {
    const never = () => new Promise<never>(() => {});
    this.runtime = {
      ...base,
      sleep: (ms) => (this.dead ? never() : new Promise<void>((resolve) => void this.timer(ms, resolve))),
      timer: (ms, callback) => this.timer(ms, callback),
      spawn: (name, body) => base.spawn(name, () => (this.dead ? never() : body())),
      connect: async (host, port, options) => {
        if (this.dead) return never();
        const connection = await base.connect(host, port, options);
        if (this.dead) {
          connection.close();
          return never();
        }
        this.connections.add(connection);
        return this.guarded(connection);
      },
    };
  }

  /** `connection`, whose requests never end once the process is dead (those under way fail as the connection closes). */
  private guarded(connection: BrokerConnection): BrokerConnection {
    const dead = () => this.dead;
    return {
      get address() {
        return connection.address;
      },
      get isOpen() {
        return connection.isOpen;
      },
      send: (request, options) => (dead() ? new Promise<never>(() => {}) : connection.send(request, options)),
      sendOneWay: (request) => void (dead() || connection.sendOneWay(request)),
      close: () => connection.close(),
    };
  }

  /** Whether the process is running (not crashed). */
  get alive(): boolean {
    return !this.dead;
  }

  /** Starts `body` as a task of this process; a throw is kept in the returned task. */
  run<T>(name: string, body: (runtime: Runtime) => Promise<T>): ClientTask<T> {
    const task = new ClientTask<T>(name);
    this.tasks.add(task as ClientTask<unknown>);
    body(this.runtime).then(
      (value) => task.settle({ ok: true, value }, this.base.nowMs()),
      (error: unknown) => task.settle({ ok: false, error }, this.base.nowMs()),
    );
    return task;
  }

  /** `base.timer`, tracked until it fires or is cancelled; a dead process's never fires. */
  private timer(ms: number, callback: () => void): { cancel(): void } {
    if (this.dead) return { cancel: () => {} };
    const handle = this.base.timer(ms, () => {
      this.timers.delete(handle);
      if (!this.dead) callback();
    });
    this.timers.add(handle);
    return {
      cancel: () => {
        this.timers.delete(handle);
        handle.cancel();
      },
    };
  }

  /** The program ended (after its shutdown): as a crash, nothing of it runs any more. */
  exit(): void {
    this.crash();
  }

  /** Kills the process: its connections are closed without a word, its timers cancelled, its tasks end as killed. */
  crash(): void {
    this.dead = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    for (const task of this.tasks) task.settle({ ok: false, error: new ClientKilledError(task.name, this.node) }, this.base.nowMs());
  }
}
