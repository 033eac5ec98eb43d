/**
 * A ZooKeeper session handle over the simulated network: the simulated backend of the
 * `ZooKeeperClient` interface that brokers and the group consumer use.
 *
 * Modelled on the ZooKeeper Java client (`ClientCnxn`, `ZKWatchManager`):
 * - it connects as soon as it is created; the server grants a timeout within its limits;
 * - it pings when it has sent nothing for a third of the session timeout, and considers the
 *   connection lost when it has heard nothing for two thirds (the read timeout): in-flight
 *   operations then fail with CONNECTIONLOSS, the state becomes `disconnected`, and it reconnects
 *   to the same session after a random pause of up to a second;
 * - operations made while disconnected wait for the reconnection; when the server answers the
 *   reconnection with "expired", the handle becomes `expired` for good: waiting operations fail
 *   with SESSIONEXPIRED and its watches are gone (open a new handle, as Kafka's ZkClient does);
 * - watches are one-shot and registered when the operation succeeds; an event fires every
 *   watcher registered for it, once each, in registration order (data watches via getData or
 *   exists on an existing node, exist watches via exists on a missing one, child watches via
 *   getChildren); on reconnection the client sends its watches with the last zxid it saw
 *   (`SetWatches`) so that what changed meanwhile still fires.
 * Not modelled: several servers to choose from, read-only mode, SASL, chroot.
 */
import { requireCreateMode, requireData, requirePath, requireVersion } from '../protocol/zk-arguments.ts';
import {
  isSequential,
  ZkError,
  ZkErrorCode,
  type CreateMode,
  type GetDataResult,
  type KeeperState,
  type Stat,
  type WatchedEvent,
  type Watcher,
  type ZooKeeperClient,
} from '../protocol/zookeeper.ts';
import { withoutStack } from '../sim/errors.ts';
import type { Future, Outcome } from '../sim/future.ts';
import type { Kernel, Timer } from '../sim/kernel.ts';
import type { Network } from '../sim/network.ts';
import type { Rng } from '../sim/rng.ts';
import { RpcClient } from '../sim/rpc.ts';
import { requireInteger } from '../sim/validate.ts';
import { ZOOKEEPER_PORT, type ZkRequest, type ZkResponse, type ZkWatchNotification } from './messages.ts';
import { nextSessionState, type SessionEvent } from './session-machine.ts';

export interface SimZooKeeperClientOptions {
  /** The node the client runs on (its traffic crosses the network from there). */
  readonly node: string;
  /** The ZooKeeper server's node (default `zookeeper`). */
  readonly server?: string;
  readonly port?: number;
  /** The session timeout to ask for (default 6000, Kafka's `zookeeper.session.timeout.ms`). */
  readonly sessionTimeoutMs?: number;
  /** How long one connection attempt may take (default: the session timeout). */
  readonly connectionTimeoutMs?: number;
}

interface Operation {
  readonly request: Exclude<ZkRequest, { op: 'connect' }>;
  readonly path: string;
  /** Called with the server's answer, or with the ZooKeeper error that ended the operation. */
  done(outcome: Outcome<ZkResponse>): void;
}

class PendingOperation<T> implements Operation {
  constructor(
    readonly request: Exclude<ZkRequest, { op: 'connect' }>,
    readonly path: string,
    private readonly future: Future<T>,
    private readonly decode: (response: ZkResponse) => T,
  ) {}

  done(outcome: Outcome<ZkResponse>): void {
    if (outcome.ok) this.future.resolve(this.decode(outcome.value));
    else this.future.reject(outcome.error);
  }
}

const instanceCounts = new WeakMap<Kernel, Map<string, number>>();

export class SimZooKeeperClient implements ZooKeeperClient {
  readonly node: string;
  private readonly server: string;
  private readonly port: number;
  private readonly requestedTimeoutMs: number;
  private readonly connectionTimeoutMs: number;
  private readonly rng: Rng;
  private sessionState: KeeperState = 'connecting';
  private session: string | undefined;
  private grantedTimeoutMs: number;
  private rpc: RpcClient<ZkRequest, ZkResponse> | undefined;
  private readonly waiting: Operation[] = [];
  private lastHeardMs = 0;
  private lastSentMs = 0;
  private heartbeat: Timer | undefined;
  private readonly dataWatchers = new Map<string, Watcher[]>();
  private readonly existWatchers = new Map<string, Watcher[]>();
  private readonly childWatchers = new Map<string, Watcher[]>();
  /** The last transaction id the client saw in a response or an event. */
  private lastZxid = 0;
  private readonly stateListeners = new Set<(state: KeeperState) => void>();
  private readonly firstConnection: Future<void>;

  constructor(
    private readonly kernel: Kernel,
    private readonly network: Network,
    options: SimZooKeeperClientOptions,
  ) {
    this.node = kernel.node(options.node).name;
    this.server = options.server ?? 'zookeeper';
    this.port = options.port ?? ZOOKEEPER_PORT;
    this.requestedTimeoutMs = requireInteger('sessionTimeoutMs', options.sessionTimeoutMs ?? 6000, 1);
    this.connectionTimeoutMs = requireInteger('connectionTimeoutMs', options.connectionTimeoutMs ?? this.requestedTimeoutMs, 1);
    this.grantedTimeoutMs = this.requestedTimeoutMs;
    // One stream per handle a node opens, so a node's second session draws independently.
    const counts = instanceCounts.get(kernel) ?? new Map<string, number>();
    instanceCounts.set(kernel, counts);
    const index = (counts.get(this.node) ?? 0) + 1;
    counts.set(this.node, index);
    this.rng = kernel.rng.fork(`zookeeper-client/${this.node}/${index}`);
    this.firstConnection = kernel.future<void>(`${this.node} to connect to ZooKeeper`);
    this.attempt();
  }

  get sessionId(): string | undefined {
    return this.session;
  }

  get state(): KeeperState {
    return this.sessionState;
  }

  get sessionTimeoutMs(): number {
    return this.grantedTimeoutMs;
  }

  /** Resolves once the session is first established; rejects if it expires or closes first. */
  connected(): Future<void> {
    return this.firstConnection;
  }

  onStateChange(listener: (state: KeeperState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  // ---------------------------------------------------------------- operations

  create(path: string, data: string, mode: CreateMode): Future<string> {
    requirePath(path, isSequential(mode));
    requireCreateMode(mode);
    requireData(data);
    return this.submit({ op: 'create', path, data, mode }, path, (r) => r.path!);
  }

  delete(path: string, version = -1): Future<void> {
    requirePath(path);
    requireVersion(version);
    return this.submit<void>({ op: 'delete', path, version }, path, () => undefined);
  }

  exists(path: string, watcher?: Watcher): Future<Stat | null> {
    requirePath(path);
    return this.submit({ op: 'exists', path, watch: watcher !== undefined }, path, (r) => {
      if (watcher !== undefined) register(r.stat ? this.dataWatchers : this.existWatchers, path, watcher);
      return r.stat ?? null;
    });
  }

  getData(path: string, watcher?: Watcher): Future<GetDataResult> {
    requirePath(path);
    return this.submit({ op: 'getData', path, watch: watcher !== undefined }, path, (r) => {
      if (watcher !== undefined) register(this.dataWatchers, path, watcher);
      return { data: r.data!, stat: r.stat! };
    });
  }

  setData(path: string, data: string, version = -1): Future<Stat> {
    requirePath(path);
    requireData(data);
    requireVersion(version);
    return this.submit({ op: 'setData', path, data, version }, path, (r) => r.stat!);
  }

  getChildren(path: string, watcher?: Watcher): Future<string[]> {
    requirePath(path);
    return this.submit({ op: 'getChildren', path, watch: watcher !== undefined }, path, (r) => {
      if (watcher !== undefined) register(this.childWatchers, path, watcher);
      return [...r.children!];
    });
  }

  close(): Future<void> {
    const done = this.kernel.future<void>(`${this.node} to close its ZooKeeper session`);
    const wasConnected = this.sessionState === 'connected';
    if (!this.move('CLOSE')) {
      done.resolve();
      return done;
    }
    this.failWaiting(ZkErrorCode.SESSIONEXPIRED);
    this.heartbeat?.cancel();
    const rpc = this.rpc;
    this.rpc = undefined;
    if (rpc === undefined || !wasConnected) {
      rpc?.close();
      done.resolve();
      return done;
    }
    rpc.request({ op: 'close' }, { what: 'ZooKeeper close', timeoutMs: this.grantedTimeoutMs }).onSettled(() => {
      rpc.close();
      done.resolve();
    });
    return done;
  }

  // ---------------------------------------------------------------- connection

  private attempt(): void {
    const incarnation = this.kernel.node(this.node).incarnation;
    this.network.connect(this.node, this.server, this.port, { timeoutMs: this.connectionTimeoutMs }).onSettled((outcome) => {
      if (this.kernel.node(this.node).incarnation !== incarnation) return;
      if (this.isFinal()) {
        if (outcome.ok) outcome.value.close();
        return;
      }
      if (!outcome.ok) {
        this.retryLater();
        return;
      }
      const rpc = new RpcClient<ZkRequest, ZkResponse>(this.kernel, outcome.value);
      const deliver = outcome.value.onMessage;
      outcome.value.onMessage = (message) => {
        this.lastHeardMs = this.kernel.nowMs;
        deliver(message);
      };
      rpc.onPush = (event) => this.deliverWatch(event as ZkWatchNotification);
      rpc.onClose = () => this.connectionLost(rpc);
      this.rpc = rpc;
      rpc
        .request(
          {
            op: 'connect',
            sessionId: this.session,
            timeoutMs: this.requestedTimeoutMs,
            lastZxid: this.lastZxid,
            ...(this.session === undefined
              ? {}
              : { watches: { data: [...this.dataWatchers.keys()], exist: [...this.existWatchers.keys()], child: [...this.childWatchers.keys()] } }),
          },
          { timeoutMs: this.connectionTimeoutMs, what: 'ZooKeeper connect' },
        )
        .onSettled((answer) => {
          if (rpc !== this.rpc || this.isFinal()) return;
          if (!answer.ok) {
            rpc.close();
            return;
          }
          if (answer.value.expired) {
            this.expire();
            return;
          }
          this.lastZxid = Math.max(this.lastZxid, answer.value.zxid);
          this.session = answer.value.sessionId;
          this.grantedTimeoutMs = answer.value.timeoutMs!;
          this.lastHeardMs = this.kernel.nowMs;
          this.lastSentMs = this.kernel.nowMs;
          this.move('CONNECTED');
          this.firstConnection.resolve();
          this.armHeartbeat();
          for (const operation of this.waiting.splice(0)) this.send(operation);
        });
    });
  }

  private retryLater(): void {
    // ClientCnxn sleeps up to a second between attempts so clients do not reconnect in lockstep.
    this.kernel.schedule(this.rng.int(0, 999), () => this.attempt(), { node: this.node, label: 'zk.client.reconnect' });
  }

  private connectionLost(rpc: RpcClient<ZkRequest, ZkResponse>): void {
    if (rpc !== this.rpc) return;
    this.rpc = undefined;
    this.heartbeat?.cancel();
    if (this.isFinal()) return;
    if (this.sessionState === 'connected') this.move('CONNECTION_LOST');
    this.retryLater();
  }

  private expire(): void {
    const rpc = this.rpc;
    this.rpc = undefined;
    this.heartbeat?.cancel();
    this.move('EXPIRED');
    rpc?.close();
    this.dataWatchers.clear();
    this.existWatchers.clear();
    this.childWatchers.clear();
    this.failWaiting(ZkErrorCode.SESSIONEXPIRED);
    this.firstConnection.reject(new ZkError(ZkErrorCode.SESSIONEXPIRED, undefined));
  }

  private get readTimeoutMs(): number {
    return Math.floor((this.grantedTimeoutMs * 2) / 3);
  }

  private get pingIntervalMs(): number {
    return Math.floor(this.readTimeoutMs / 2);
  }

  /** One lazy timer: due at the next ping or the read timeout, whichever is first. */
  private armHeartbeat(): void {
    const dueMs = Math.min(this.lastSentMs + this.pingIntervalMs, this.lastHeardMs + this.readTimeoutMs);
    this.heartbeat = this.kernel.scheduleAt(Math.max(dueMs, this.kernel.nowMs), () => this.beat(), {
      node: this.node,
      label: 'zk.client.heartbeat',
    });
  }

  private beat(): void {
    const rpc = this.rpc;
    if (rpc === undefined || this.sessionState !== 'connected') return;
    const now = this.kernel.nowMs;
    if (now - this.lastHeardMs >= this.readTimeoutMs) {
      this.narrate('zk.client.timeout', { session: this.session, silentMs: now - this.lastHeardMs }, `${this.node} heard nothing from ZooKeeper for ${now - this.lastHeardMs} ms and drops the connection.`);
      rpc.close();
      return;
    }
    if (now - this.lastSentMs >= this.pingIntervalMs) {
      this.lastSentMs = now;
      rpc.request({ op: 'ping' }, { what: 'ZooKeeper ping' }).onSettled(() => {});
    }
    this.armHeartbeat();
  }

  // ---------------------------------------------------------------- requests

  /** Sends an operation now, or when connected; its future settles with `decode(response)`. */
  private submit<T>(request: Operation['request'], path: string, decode: (response: ZkResponse) => T): Future<T> {
    const future = this.kernel.future<T>(() => `ZooKeeper ${request.op} ${path}`);
    const operation = new PendingOperation(request, path, future, decode);
    if (this.isFinal()) operation.done({ ok: false, error: new ZkError(ZkErrorCode.SESSIONEXPIRED, path) });
    else if (this.sessionState === 'connected' && this.rpc !== undefined) this.send(operation);
    else this.waiting.push(operation);
    return future;
  }

  private send(operation: Operation): void {
    const rpc = this.rpc!;
    this.lastSentMs = this.kernel.nowMs;
    rpc.call(operation.request, {}, (outcome) => {
      if (!outcome.ok) {
        operation.done({ ok: false, error: withoutStack(() => new ZkError(ZkErrorCode.CONNECTIONLOSS, operation.path)) });
        return;
      }
      const response = outcome.value;
      this.lastZxid = Math.max(this.lastZxid, response.zxid);
      if (response.err === 0) {
        operation.done(outcome);
        return;
      }
      operation.done({ ok: false, error: withoutStack(() => new ZkError(response.err, operation.path)) });
      if (response.err === ZkErrorCode.SESSIONEXPIRED) this.expire();
    });
  }

  private failWaiting(code: number): void {
    for (const operation of this.waiting.splice(0)) operation.done({ ok: false, error: withoutStack(() => new ZkError(code, operation.path)) });
  }

  private deliverWatch(notification: ZkWatchNotification): void {
    const { type, path } = notification;
    this.lastZxid = Math.max(this.lastZxid, notification.zxid);
    // `ZKWatchManager.materialize` collects into a set: a watcher registered as both a data and
    // a child watch is called once.
    const watchers = new Set<Watcher>();
    if (type !== 'NodeChildrenChanged') {
      for (const watcher of take(this.dataWatchers, path)) watchers.add(watcher);
      for (const watcher of take(this.existWatchers, path)) watchers.add(watcher);
    }
    if (type === 'NodeChildrenChanged' || type === 'NodeDeleted') for (const watcher of take(this.childWatchers, path)) watchers.add(watcher);
    const event: WatchedEvent = { type, path };
    for (const watcher of watchers) watcher(event);
  }

  // ---------------------------------------------------------------- state

  private isFinal(): boolean {
    return this.sessionState === 'expired' || this.sessionState === 'closed';
  }

  /** Applies a session event through the transition table; false if it does not apply. */
  private move(event: SessionEvent['type']): boolean {
    const from = this.sessionState;
    const to = nextSessionState(from, event);
    if (to === undefined) return false;
    this.sessionState = to;
    if (to !== from) {
      this.narrate(`zk.client.${to}`, { session: this.session ?? null, from }, describeState(this.node, to, this.session));
      for (const listener of [...this.stateListeners]) listener(to);
    }
    return true;
  }

  private narrate(kind: string, data: Record<string, unknown>, text: string): void {
    if (this.kernel.trace.enabled) this.kernel.trace.record(this.node, kind, data, text);
  }
}

function describeState(node: string, state: KeeperState, session: string | undefined): string {
  switch (state) {
    case 'connected':
      return `${node} is connected to ZooKeeper (session ${session}).`;
    case 'disconnected':
      return `${node} lost its connection to ZooKeeper; session ${session} may still be alive on the server.`;
    case 'expired':
      return `${node} learned that its ZooKeeper session ${session} has expired.`;
    case 'closed':
      return `${node} closed its ZooKeeper session${session === undefined ? '' : ` ${session}`}.`;
    case 'connecting':
      return `${node} is connecting to ZooKeeper.`;
  }
}

function register(map: Map<string, Watcher[]>, path: string, watcher: Watcher): void {
  const list = map.get(path);
  if (list === undefined) map.set(path, [watcher]);
  else if (!list.includes(watcher)) list.push(watcher);
}

function take(map: Map<string, Watcher[]>, path: string): Watcher[] {
  const list = map.get(path);
  if (list === undefined) return [];
  map.delete(path);
  return list;
}
