/**
 * A client application on its own simulated machine: the node its tasks run on (so a partition
 * can cut it off and a crash can kill it), the runtime its clients use, and what a lesson or a
 * test does to it. Client code itself never sees this class: it only gets `process.runtime`.
 *
 *   const app = ClientProcess.on(sim, 'consumer-1');
 *   const reader = app.run('reader', async (runtime) => { ... return values; });
 *   await sim.runUntil(() => reader.settled);
 *   reader.result();   // the body's value, or its error rethrown
 */
import type { Simulation } from '../broker/simulation.ts';
import { requireFunction, requireNonEmptyString } from '../sim/validate.ts';
import type { Runtime } from './runtime.ts';
import { simRuntime } from './sim-runtime.ts';

/** A task of a client process: its outcome once it settles. */
export class ClientTask<T> {
  private outcome: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown } | undefined;
  private settledMs: number | undefined;

  constructor(readonly name: string) {}

  /** Whether the body returned, threw, or its process was killed. */
  get settled(): boolean {
    return this.outcome !== undefined;
  }

  get settledAtMs(): number | undefined {
    return this.settledMs;
  }

  /** The body's value; undefined until it returned. */
  get value(): T | undefined {
    return this.outcome?.ok === true ? this.outcome.value : undefined;
  }

  /** What the body threw (a `ClientKilledError` when its process crashed); undefined otherwise. */
  get error(): unknown {
    return this.outcome?.ok === false ? this.outcome.error : undefined;
  }

  /** The body's value; rethrows its error; throws if it has not settled yet. */
  result(): T {
    if (this.outcome === undefined) throw new Error(`client task ${this.name} has not finished`);
    if (!this.outcome.ok) throw this.outcome.error;
    return this.outcome.value;
  }

  settle(outcome: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }, nowMs: number): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    this.settledMs = nowMs;
  }
}

/** The task's process crashed before the task finished. */
export class ClientKilledError extends Error {
  override readonly name = 'ClientKilledError';
  constructor(
    readonly task: string,
    readonly node: string,
  ) {
    super(`client task ${task} died with its process ${node}`);
  }
}

export class ClientProcess {
  /** The runtime client code on this process is given. */
  readonly runtime: Runtime;

  private constructor(
    private readonly sim: Simulation,
    readonly node: string,
  ) {
    this.runtime = simRuntime(sim, node);
  }

  /**
   * The process on `node` (the node is created when it does not exist yet). Keep one per machine:
   * the runtime's random stream is named after the node, so a second handle on the same node
   * draws the same numbers again (the same consumer id suffix, say).
   */
  static on(sim: Simulation, node: string): ClientProcess {
    requireNonEmptyString('node', node);
    return new ClientProcess(sim, node);
  }

  /** Whether the process is running (not crashed). */
  get alive(): boolean {
    return this.sim.kernel.node(this.node).alive;
  }

  /**
   * Starts `body` as a task of this process; it runs as the simulation runs. A throw is kept in
   * the returned task (it does not stop the simulation).
   */
  run<T>(name: string, body: (runtime: Runtime) => Promise<T>): ClientTask<T> {
    requireNonEmptyString('task name', name);
    requireFunction('task body', body);
    const kernel = this.sim.kernel;
    const task = new ClientTask<T>(name);
    const spawned = kernel.spawn(
      name,
      async () => {
        try {
          task.settle({ ok: true, value: await body(this.runtime) }, kernel.nowMs);
        } catch (error) {
          task.settle({ ok: false, error }, kernel.nowMs);
        }
      },
      { node: this.node, onError: 'record' },
    );
    spawned.done.onSettled((outcome) => {
      if (outcome.ok && outcome.value.status === 'killed') task.settle({ ok: false, error: new ClientKilledError(name, this.node) }, kernel.nowMs);
    });
    return task;
  }

  /**
   * Kills the process (kill -9): its tasks stop where they are, its connections are reset (brokers
   * see them close), its ZooKeeper sessions stop pinging and expire after their timeout.
   */
  crash(): void {
    this.sim.kernel.killNode(this.node);
    this.sim.network.dropConnectionsOf(this.node, { notifyPeers: true });
  }

  /** Starts the machine again after a crash, with nothing running on it. */
  restart(): void {
    this.sim.kernel.reviveNode(this.node);
  }
}
