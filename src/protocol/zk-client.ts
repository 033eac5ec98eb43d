/**
 * The ZooKeeper client Kafka 0.8 uses: I0Itec's `org.I0Itec.zkclient.ZkClient` on top of a
 * ZooKeeper session handle. Kafka's brokers and its high-level consumer rely on three of its
 * behaviours, all modelled here:
 *
 * - operations are retried until connected: a CONNECTIONLOSS or SESSIONEXPIRED waits for the
 *   connection (or a new session) and tries again (`retryUntilConnected`), so a retried create
 *   can meet its own earlier success (which `zk-utils.ts` handles as Kafka does);
 * - when the session expires, a new session is opened and `handleNewSession` listeners run
 *   (brokers re-register, consumers re-register and rebalance);
 * - subscriptions are persistent: a child or data listener is called on every change (and once
 *   after a new session), the one-shot watch being re-armed by the read that follows each event.
 * Listener calls and new-session handling run one at a time, in order, on one event "thread",
 * like I0Itec's `ZkEventThread`.
 */
import type { AsyncEnvironment, Deferred } from './runtime.ts';
import {
  isZkError,
  type CreateMode,
  type GetDataResult,
  type KeeperState,
  type Stat,
  type ZooKeeperClient,
} from './zookeeper.ts';

export type ChildListener = (children: string[] | null) => Promise<void> | void;

export interface DataListener {
  changed(data: string, stat: Stat): Promise<void> | void;
  deleted(): Promise<void> | void;
}

export interface ZkClientOptions {
  /** Opens a new session handle (called at start and after every expiry). */
  readonly connect: () => ZooKeeperClient;
  /** The "thread" name of the event loop. */
  readonly name: string;
}

type Job = () => Promise<void>;

export class ZkClient {
  private current: ZooKeeperClient;
  private readonly childListeners = new Map<string, Set<ChildListener>>();
  private readonly dataListeners = new Map<string, Set<DataListener>>();
  private readonly newSessionListeners = new Set<() => Promise<void> | void>();
  private readonly stateListeners = new Set<(state: KeeperState) => void>();
  private readonly jobs: Job[] = [];
  private wakeUp: Deferred<void> | undefined;
  private connectedWaiters: Deferred<void>[] = [];
  private closed = false;

  constructor(
    private readonly env: AsyncEnvironment,
    private readonly options: ZkClientOptions,
  ) {
    this.current = this.open();
    env.spawn(options.name, () => this.eventLoop());
  }

  /** The current session handle. */
  get handle(): ZooKeeperClient {
    return this.current;
  }

  get sessionId(): string | undefined {
    return this.current.sessionId;
  }

  get isConnected(): boolean {
    return this.current.state === 'connected';
  }

  /** Resolves when the current (or next) session is connected. */
  waitUntilConnected(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    const waiter = this.env.deferred<void>(`${this.options.name} to connect to ZooKeeper`);
    this.connectedWaiters.push(waiter);
    return waiter.promise;
  }

  /** Called (on the event thread) after an expired session has been replaced. */
  onNewSession(listener: () => Promise<void> | void): () => void {
    this.newSessionListeners.add(listener);
    return () => this.newSessionListeners.delete(listener);
  }

  onStateChange(listener: (state: KeeperState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Calls `listener` with the children of `path` (null once it is deleted) on every change. With
   * `initial`, also once when the watch is first armed, so a change between the caller's own read
   * and the arming is not missed.
   */
  subscribeChildChanges(path: string, listener: ChildListener, options: { initial?: boolean } = {}): () => void {
    let listeners = this.childListeners.get(path);
    if (listeners === undefined) this.childListeners.set(path, (listeners = new Set()));
    listeners.add(listener);
    this.enqueue(() => this.armChildWatch(path, options.initial === true ? listener : undefined));
    return () => this.unsubscribe(this.childListeners, path, listener);
  }

  /** Calls `listener` on every change or deletion of `path`'s data (and once at arming with `initial`). */
  subscribeDataChanges(path: string, listener: DataListener, options: { initial?: boolean } = {}): () => void {
    let listeners = this.dataListeners.get(path);
    if (listeners === undefined) this.dataListeners.set(path, (listeners = new Set()));
    listeners.add(listener);
    this.enqueue(() => this.armDataWatch(path, options.initial === true ? listener : undefined));
    return () => this.unsubscribe(this.dataListeners, path, listener);
  }

  // ---------------------------------------------------------------- operations (retried until connected)

  exists(path: string): Promise<boolean> {
    return this.retry(async (zk) => (await zk.exists(path)) !== null);
  }

  create(path: string, data: string, mode: CreateMode): Promise<string> {
    return this.retry((zk) => zk.create(path, data, mode));
  }

  readData(path: string): Promise<GetDataResult> {
    return this.retry((zk) => zk.getData(path));
  }

  writeData(path: string, data: string, version = -1): Promise<Stat> {
    return this.retry((zk) => zk.setData(path, data, version));
  }

  delete(path: string, version = -1): Promise<void> {
    return this.retry((zk) => zk.delete(path, version));
  }

  getChildren(path: string): Promise<string[]> {
    return this.retry((zk) => zk.getChildren(path));
  }

  /** Closes the session (its ephemeral nodes go at once) and stops the event thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeUp?.resolve();
    await this.current.close();
  }

  // ---------------------------------------------------------------- internals

  private open(): ZooKeeperClient {
    const handle = this.options.connect();
    handle.onStateChange((state) => {
      if (handle !== this.current || this.closed) return;
      for (const listener of [...this.stateListeners]) listener(state);
      if (state === 'connected') {
        const waiters = this.connectedWaiters;
        this.connectedWaiters = [];
        for (const waiter of waiters) waiter.resolve();
      } else if (state === 'expired') {
        // I0Itec's `processStateChanged` reconnects at once, on ZooKeeper's own thread: an event
        // thread task blocked in `retryUntilConnected` must not hold up the new session. Only
        // the listeners run on the event thread.
        this.current = this.open();
        this.enqueue(() => this.afterNewSession());
      }
    });
    return handle;
  }

  private async afterNewSession(): Promise<void> {
    if (this.closed) return;
    await this.waitUntilConnected();
    for (const listener of [...this.newSessionListeners]) await listener();
    // I0Itec fires every subscription after a new session: listeners re-read, watches re-arm.
    for (const path of this.childListeners.keys()) await this.armChildWatch(path, 'all');
    for (const path of this.dataListeners.keys()) await this.armDataWatch(path, 'all');
  }

  private async retry<T>(operation: (zk: ZooKeeperClient) => Promise<T>): Promise<T> {
    for (;;) {
      if (this.closed) throw new Error(`${this.options.name}: the ZooKeeper client is closed`);
      try {
        return await operation(this.current);
      } catch (error) {
        if (!isZkError(error, 'CONNECTIONLOSS') && !isZkError(error, 'SESSIONEXPIRED')) throw error;
        await this.waitUntilConnected();
      }
    }
  }

  /**
   * Reads the children with a watch (or an exists watch if the node is gone) and notifies `notify`:
   * every listener, one listener (its initial call), or none.
   */
  private async armChildWatch(path: string, notify: 'all' | ChildListener | undefined): Promise<void> {
    if (!this.childListeners.has(path)) return;
    const handle = this.current;
    const watcher = () => {
      if (handle === this.current) this.enqueue(() => this.armChildWatch(path, 'all'));
    };
    let children: string[] | null;
    try {
      children = await this.retry((zk) => zk.getChildren(path, watcher));
    } catch (error) {
      if (!isZkError(error, 'NONODE')) throw error;
      await this.retry((zk) => zk.exists(path, watcher));
      children = null;
    }
    const listeners = notify === 'all' ? [...(this.childListeners.get(path) ?? [])] : notify === undefined ? [] : [notify];
    for (const listener of listeners) await listener(children);
  }

  private async armDataWatch(path: string, notify: 'all' | DataListener | undefined): Promise<void> {
    if (!this.dataListeners.has(path)) return;
    const handle = this.current;
    const watcher = () => {
      if (handle === this.current) this.enqueue(() => this.armDataWatch(path, 'all'));
    };
    let result: GetDataResult | null;
    try {
      result = await this.retry((zk) => zk.getData(path, watcher));
    } catch (error) {
      if (!isZkError(error, 'NONODE')) throw error;
      await this.retry((zk) => zk.exists(path, watcher));
      result = null;
    }
    const listeners = notify === 'all' ? [...(this.dataListeners.get(path) ?? [])] : notify === undefined ? [] : [notify];
    for (const listener of listeners) {
      if (result === null) await listener.deleted();
      else await listener.changed(result.data, result.stat);
    }
  }

  private unsubscribe<L>(map: Map<string, Set<L>>, path: string, listener: L): void {
    const listeners = map.get(path);
    listeners?.delete(listener);
    if (listeners?.size === 0) map.delete(path);
  }

  private enqueue(job: Job): void {
    if (this.closed) return;
    this.jobs.push(job);
    this.wakeUp?.resolve();
  }

  private async eventLoop(): Promise<void> {
    while (!this.closed) {
      const job = this.jobs.shift();
      if (job === undefined) {
        this.wakeUp = this.env.deferred<void>(`a ZooKeeper event for ${this.options.name}`);
        await this.wakeUp.promise;
        this.wakeUp = undefined;
        continue;
      }
      await job();
    }
  }
}
