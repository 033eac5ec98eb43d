/**
 * The simulated backend of the coordinator suite: one kernel, one network, one ZooKeeper server
 * on node `zookeeper`, and one client node per session (`client-1`, `client-2`, ...).
 *
 * Client code runs as a kernel task (`run`): the kernel is driven until the task finishes, with
 * a virtual deadline so a task that waits forever fails the test instead of spinning through
 * millions of heartbeat steps. Everything else (faults, time) is driven directly through
 * `kernel` and `network`, which the simulation-only tests use.
 */
import type { Watcher, WatchedEvent, KeeperState } from '../../src/protocol/zookeeper.ts';
import { Kernel, Network, type LinkOptions, type TraceMode, type TraceRecord } from '../../src/sim/index.ts';
import { SimZooKeeperClient, ZooKeeperServer, type SimZooKeeperClientOptions } from '../../src/zookeeper/index.ts';
import { lookup, type ZNode, type ZkSessionState } from '../../src/zookeeper/znode-tree.ts';
import type { CoordinatorHarness, SessionOptions } from './coordinator-suite.ts';

export interface SimHarnessOptions {
  readonly seed?: number;
  /** Keep a world snapshot per step (default true: the server then works on immer drafts). */
  readonly history?: boolean;
  readonly trace?: TraceMode;
  readonly tickTimeMs?: number;
  readonly kafkaPaths?: boolean;
  /** The default link between all nodes (the network's default is 1 ms + 0..1 ms jitter). */
  readonly link?: LinkOptions;
}

export interface ClientOptions extends Omit<SimZooKeeperClientOptions, 'node'> {
  /** The node to run on (created if missing); default a new `client-N`. */
  readonly node?: string;
}

export interface RunOptions {
  /** Run the task on this node (a paused node freezes it, a killed node kills it). */
  readonly node?: string;
  /** Fail if the task has not finished within this much virtual time (default 10 minutes). */
  readonly withinMs?: number;
}

/** A state change as a client saw it, with the virtual time. */
export interface StateChange {
  readonly state: KeeperState;
  readonly atMs: number;
}

/** A watch event as a watcher saw it, with the virtual time and the watcher's tag. */
export interface SeenEvent extends WatchedEvent {
  readonly tag: string;
  readonly atMs: number;
}

export interface StartedOutcome {
  readonly ok: boolean;
  /** The value, or the error. */
  readonly value: unknown;
}

export interface Started {
  settled(): boolean;
  outcome(): StartedOutcome | undefined;
}

export class SimHarness implements CoordinatorHarness {
  readonly kernel: Kernel;
  readonly network: Network;
  readonly server: ZooKeeperServer;
  readonly clients: SimZooKeeperClient[] = [];
  private nodeCount = 0;
  private taskCount = 0;

  constructor(options: SimHarnessOptions = {}) {
    this.kernel = new Kernel({ seed: options.seed ?? 1, history: options.history ?? true, trace: options.trace ?? 'full' });
    this.network = new Network(this.kernel, options.link === undefined ? {} : { defaultLink: options.link });
    this.server = new ZooKeeperServer(this.kernel, this.network, {
      ...(options.tickTimeMs === undefined ? {} : { tickTimeMs: options.tickTimeMs }),
      kafkaPaths: options.kafkaPaths ?? false,
    });
  }

  /** A new client handle (it starts connecting when the kernel next runs). */
  newClient(options: ClientOptions = {}): SimZooKeeperClient {
    const node = options.node ?? `client-${++this.nodeCount}`;
    if (!this.kernel.hasNode(node)) this.kernel.addNode(node);
    const { node: _ignored, ...rest } = options;
    const client = new SimZooKeeperClient(this.kernel, this.network, { ...rest, node });
    this.clients.push(client);
    return client;
  }

  async openSession(options: SessionOptions & ClientOptions = {}): Promise<SimZooKeeperClient> {
    const client = this.newClient(options);
    await this.run(() => client.connected(), { node: client.node });
    return client;
  }

  /** Runs `body` as a kernel task and drives the kernel until it finishes; rethrows its error. */
  async run<T>(body: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    const name = `test-task-${++this.taskCount}`;
    let value: T | undefined;
    const task = this.kernel.spawn(
      name,
      async () => {
        value = await body();
      },
      { ...(options.node === undefined ? {} : { node: options.node }), onError: 'record' },
    );
    const deadline = this.kernel.nowMs + (options.withinMs ?? 600_000);
    await this.kernel.runUntil(() => task.finished || this.kernel.nowMs > deadline, { description: `${name} to finish` });
    if (!task.finished) {
      const waitingOn = task.waitingOn;
      const what = waitingOn === undefined ? task.state : typeof waitingOn === 'string' ? waitingOn : waitingOn.label;
      throw new Error(`${name} did not finish within ${options.withinMs ?? 600_000} virtual ms (waiting on ${what})`);
    }
    const outcome = task.done.outcome;
    if (outcome === undefined || !outcome.ok) throw new Error(`${name}: no outcome`);
    if (outcome.value.status === 'failed') throw outcome.value.error;
    if (outcome.value.status === 'killed') throw new Error(`${name} was killed`);
    return value as T;
  }

  /** Starts `body` as a task without driving the kernel; `settled()` says whether it finished. */
  start(body: () => Promise<unknown>, options: { node?: string } = {}): Started {
    const name = `test-task-${++this.taskCount}`;
    let result: StartedOutcome | undefined;
    this.kernel.spawn(
      name,
      async () => {
        try {
          result = { ok: true, value: await body() };
        } catch (error) {
          result = { ok: false, value: error };
        }
      },
      { ...(options.node === undefined ? {} : { node: options.node }), onError: 'record' },
    );
    return { settled: () => result !== undefined, outcome: () => result };
  }

  /** Lets pending deliveries happen (100 virtual ms: latency is 1–2 ms per hop). */
  async settle(ms = 100): Promise<void> {
    await this.kernel.runFor(ms);
  }

  async close(): Promise<void> {
    this.clients.length = 0;
  }

  // ---------------------------------------------------------------- views for assertions

  /** The server's record of a live session, or undefined. */
  session(id: string | undefined): ZkSessionState | undefined {
    return id === undefined ? undefined : this.server.state.sessions[id];
  }

  node(path: string): ZNode | undefined {
    return lookup(this.server.state, path);
  }

  /** Trace records whose kind is `kind` (exactly). */
  records(kind: string): TraceRecord[] {
    return this.kernel.trace.records.filter((r) => r.kind === kind);
  }

  /** Records every state change of `client` from now on. */
  states(client: SimZooKeeperClient): StateChange[] {
    const seen: StateChange[] = [];
    client.onStateChange((state) => seen.push({ state, atMs: this.kernel.nowMs }));
    return seen;
  }

  /** A watcher that appends what it sees to `into`. */
  watcher(into: SeenEvent[], tag: string): Watcher {
    return (event) => into.push({ tag, type: event.type, path: event.path, atMs: this.kernel.nowMs });
  }

  /** Runs until the server's last-heard time of `sessionId` moves (a ping or request arrived). */
  async untilHeard(sessionId: string): Promise<number> {
    const before = this.session(sessionId)!.lastHeardMs;
    await this.kernel.runUntil(() => (this.session(sessionId)?.lastHeardMs ?? before) !== before, {
      description: `session ${sessionId} to be heard from`,
    });
    return this.session(sessionId)!.lastHeardMs;
  }
}

/** The harness factory the coordinator suite uses. */
export function simHarness(options: SimHarnessOptions = {}): () => SimHarness {
  return () => new SimHarness(options);
}
