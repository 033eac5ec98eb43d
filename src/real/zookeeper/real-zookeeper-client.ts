/**
 * A ZooKeeper session handle over a real ZooKeeper server (3.x): the real backend of the
 * `ZooKeeperClient` interface, behaving as the simulated one (`src/zookeeper/client.ts`) so that
 * code using it cannot tell the two apart: the same argument checks and errors, the same session
 * states (through the same transition table), the same watch bookkeeping.
 *
 * Modelled on the ZooKeeper Java client (`ClientCnxn`, `ZKWatchManager`):
 * - it connects as soon as it is created; the server grants a timeout within its limits;
 * - it pings when it has sent nothing for a third of the session timeout, and drops the
 *   connection when it has heard nothing for two thirds (the read timeout): in-flight operations
 *   then fail with CONNECTIONLOSS, the state becomes `disconnected`, and it reconnects to the same
 *   server and session (id and password, last zxid seen) after a random pause;
 * - operations made while disconnected wait for the reconnection; when the server answers it
 *   with "session expired" (a timeout of 0), the handle becomes `expired` for good: waiting
 *   operations fail with SESSIONEXPIRED and its watches are gone;
 * - watches are one-shot and registered when the operation succeeds (exists also on NONODE); an
 *   event calls every watcher registered for it once, in registration order; after reconnecting,
 *   the client sends its watches with SetWatches so that what changed meanwhile still fires;
 * - getChildren answers sorted, as the interface promises (the server's order is a hash set's).
 * Not modelled: several servers, chroot, read-only mode, auth and ACLs other than open, multi.
 */
import { requireCreateMode, requireData, requirePath, requireVersion } from '../../protocol/zk-arguments.ts';
import {
  ZkError,
  ZkErrorCode,
  isSequential,
  type CreateMode,
  type GetDataResult,
  type KeeperState,
  type Stat,
  type WatchedEvent,
  type Watcher,
  type ZooKeeperClient,
} from '../../protocol/zookeeper.ts';
import type { RandomSource } from '../../protocol/runtime.ts';
import { InvalidArgumentError } from '../../sim/errors.ts';
import { Rng } from '../../sim/rng.ts';
import { requireInteger, requireNonEmptyString } from '../../sim/validate.ts';
import { nextSessionState, type SessionEvent } from '../../zookeeper/session-machine.ts';
import { PASSWORD_BYTES, decodeStat, hexSessionId, type JuteReader, type Request, type WatcherEvent } from './jute.ts';
import { ZooKeeperConnection, ZooKeeperConnectionError, type Reply } from './zookeeper-connection.ts';

export interface RealZooKeeperClientOptions {
  /** The server, `host:port`. */
  readonly connect: string;
  /** The session timeout to ask for (default 6000, Kafka's `zookeeper.session.timeout.ms`). */
  readonly sessionTimeoutMs?: number;
  /**
   * How long one connection attempt may take, and how long `connected()` waits for the first
   * session before giving up and closing the handle (default 6000, Kafka's
   * `zookeeper.connection.timeout.ms`: real time, so not tied to a short session timeout).
   */
  readonly connectionTimeoutMs?: number;
  /** The longest random pause before a reconnection attempt (default 1000, as `ClientCnxn`). */
  readonly reconnectJitterMs?: number;
  /** Draws the reconnection pauses (default: the seeded stream `zookeeper` of seed 1, never Math.random). */
  readonly random?: RandomSource;
}

interface Operation {
  readonly request: Exclude<Request, { op: 'ping' | 'setWatches' }>;
  readonly path: string | undefined;
  /** Called with the server's reply, or with the ZooKeeper error that ended the operation. */
  done(reply: Reply | ZkError): void;
}

export class RealZooKeeperClient implements ZooKeeperClient {
  readonly host: string;
  readonly port: number;
  private readonly requestedTimeoutMs: number;
  private readonly connectionTimeoutMs: number;
  private readonly reconnectJitterMs: number;
  private sessionState: KeeperState = 'connecting';
  private session = 0n;
  private password: Uint8Array = new Uint8Array(PASSWORD_BYTES);
  private grantedTimeoutMs: number;
  private connection: ZooKeeperConnection | undefined;
  private readonly waiting: Operation[] = [];
  private heartbeat: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly dataWatchers = new Map<string, Watcher[]>();
  private readonly existWatchers = new Map<string, Watcher[]>();
  private readonly childWatchers = new Map<string, Watcher[]>();
  /** The last transaction id the client saw in a reply. */
  private lastZxid = 0;
  private lastProblem = 'no answer yet';
  private readonly stateListeners = new Set<(state: KeeperState) => void>();
  private readonly firstConnection: Promise<void>;
  private settleFirst!: { resolve: () => void; reject: (error: Error) => void };
  private readonly firstTimer: ReturnType<typeof setTimeout>;
  private readonly random: RandomSource;

  constructor(options: RealZooKeeperClientOptions) {
    [this.host, this.port] = parseAddress(options.connect);
    this.requestedTimeoutMs = requireInteger('sessionTimeoutMs', options.sessionTimeoutMs ?? 6000, 1);
    this.connectionTimeoutMs = requireInteger('connectionTimeoutMs', options.connectionTimeoutMs ?? 6000, 1);
    this.reconnectJitterMs = requireInteger('reconnectJitterMs', options.reconnectJitterMs ?? 1000, 0);
    this.random = options.random ?? Rng.root(1).fork('zookeeper');
    this.grantedTimeoutMs = this.requestedTimeoutMs;
    this.firstConnection = new Promise<void>((resolve, reject) => (this.settleFirst = { resolve, reject }));
    // Nobody need wait for it: a handle that never connects must not raise an unhandled rejection.
    this.firstConnection.catch(() => {});
    this.firstTimer = setTimeout(() => {
      if (this.sessionState !== 'connecting') return;
      this.settleFirst.reject(
        new ZooKeeperConnectionError(this.address, `no session within ${this.connectionTimeoutMs} ms (last attempt: ${this.lastProblem})`),
      );
      void this.close();
    }, this.connectionTimeoutMs);
    this.attempt();
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get sessionId(): string | undefined {
    return this.session === 0n ? undefined : hexSessionId(this.session);
  }

  get state(): KeeperState {
    return this.sessionState;
  }

  get sessionTimeoutMs(): number {
    return this.grantedTimeoutMs;
  }

  /**
   * Resolves once the session is first established; rejects with a `ZooKeeperConnectionError`
   * (the address and the last problem) if that takes longer than the connection timeout, or with
   * SESSIONEXPIRED if the handle is closed first.
   */
  connected(): Promise<void> {
    return this.firstConnection;
  }

  onStateChange(listener: (state: KeeperState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  // ---------------------------------------------------------------- operations

  create(path: string, data: string, mode: CreateMode): Promise<string> {
    requirePath(path, isSequential(mode));
    requireCreateMode(mode);
    requireData(data);
    return this.submit({ op: 'create', path, data, mode }, path, (r) => r.string('created path'));
  }

  delete(path: string, version = -1): Promise<void> {
    requirePath(path);
    requireVersion(version);
    return this.submit({ op: 'delete', path, version }, path, () => undefined);
  }

  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    requirePath(path);
    return this.submit(
      { op: 'exists', path, watch: watcher !== undefined },
      path,
      (r) => {
        const stat = decodeStat(r);
        if (watcher !== undefined) register(this.dataWatchers, path, watcher);
        return stat;
      },
      (err) => {
        // `ExistsWatchRegistration`: a watch on a missing node is an exist watch.
        if (err !== ZkErrorCode.NONODE) return undefined;
        if (watcher !== undefined) register(this.existWatchers, path, watcher);
        return { value: null };
      },
    );
  }

  getData(path: string, watcher?: Watcher): Promise<GetDataResult> {
    requirePath(path);
    return this.submit({ op: 'getData', path, watch: watcher !== undefined }, path, (r) => {
      const data = (r.bytes('data') ?? Buffer.alloc(0)).toString('utf8');
      const stat = decodeStat(r);
      if (watcher !== undefined) register(this.dataWatchers, path, watcher);
      return { data, stat };
    });
  }

  setData(path: string, data: string, version = -1): Promise<Stat> {
    requirePath(path);
    requireData(data);
    requireVersion(version);
    return this.submit({ op: 'setData', path, data, version }, path, (r) => decodeStat(r));
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    requirePath(path);
    return this.submit({ op: 'getChildren2', path, watch: watcher !== undefined }, path, (r) => {
      const children = r.strings('children').sort();
      decodeStat(r);
      if (watcher !== undefined) register(this.childWatchers, path, watcher);
      return children;
    });
  }

  /** Ends the session; when connected, waits for the server to delete its ephemeral nodes. */
  async close(): Promise<void> {
    const wasConnected = this.sessionState === 'connected';
    if (!this.move('CLOSE')) return;
    clearTimeout(this.firstTimer);
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    this.failWaiting(ZkErrorCode.SESSIONEXPIRED);
    this.settleFirst.reject(new ZkError(ZkErrorCode.SESSIONEXPIRED, undefined));
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined) return;
    if (wasConnected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.grantedTimeoutMs);
        connection.send({ op: 'closeSession' }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    connection.end();
  }

  // ---------------------------------------------------------------- connection

  private attempt(): void {
    this.retryTimer = undefined;
    const reconnecting = this.session !== 0n;
    ZooKeeperConnection.open({
      host: this.host,
      port: this.port,
      timeoutMs: this.connectionTimeoutMs,
      request: { lastZxidSeen: this.lastZxid, timeoutMs: this.requestedTimeoutMs, sessionId: this.session, password: this.password },
    }).then(
      ({ connection, response }) => {
        if (this.isFinal()) {
          connection.end();
          return;
        }
        if (response.timeoutMs <= 0) {
          connection.end('the session has expired');
          this.expire();
          return;
        }
        this.connection = connection;
        connection.onReplyHeader = (header) => {
          if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
        };
        connection.onNotification = (event) => this.deliverWatch(event);
        connection.onClose = (error) => this.connectionLost(connection, error);
        this.session = response.sessionId;
        this.password = response.password;
        this.grantedTimeoutMs = response.timeoutMs;
        if (reconnecting && this.watchCount() > 0) {
          connection.setWatches({
            op: 'setWatches',
            relativeZxid: this.lastZxid,
            data: [...this.dataWatchers.keys()],
            exist: [...this.existWatchers.keys()],
            child: [...this.childWatchers.keys()],
          });
        }
        this.move('CONNECTED');
        clearTimeout(this.firstTimer);
        this.settleFirst.resolve();
        this.armHeartbeat();
        for (const operation of this.waiting.splice(0)) this.send(operation);
      },
      (error: ZooKeeperConnectionError) => {
        this.lastProblem = error.problem;
        if (!this.isFinal()) this.retryLater();
      },
    );
  }

  private retryLater(): void {
    // ClientCnxn sleeps up to a second between attempts so clients do not reconnect in lockstep.
    this.retryTimer = setTimeout(() => this.attempt(), this.random.int(0, Math.max(0, this.reconnectJitterMs - 1)));
  }

  private connectionLost(connection: ZooKeeperConnection, error: ZooKeeperConnectionError): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    this.lastProblem = error.problem;
    this.stopHeartbeat();
    if (this.isFinal()) return;
    this.move('CONNECTION_LOST');
    this.retryLater();
  }

  private expire(): void {
    const connection = this.connection;
    this.connection = undefined;
    this.stopHeartbeat();
    clearTimeout(this.firstTimer);
    this.move('EXPIRED');
    connection?.end('the session has expired');
    this.dataWatchers.clear();
    this.existWatchers.clear();
    this.childWatchers.clear();
    this.failWaiting(ZkErrorCode.SESSIONEXPIRED);
    this.settleFirst.reject(new ZkError(ZkErrorCode.SESSIONEXPIRED, undefined));
  }

  private get readTimeoutMs(): number {
    return Math.floor((this.grantedTimeoutMs * 2) / 3);
  }

  private get pingIntervalMs(): number {
    return Math.floor(this.readTimeoutMs / 2);
  }

  /** One timer: due at the next ping or the read timeout, whichever is first. */
  private armHeartbeat(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    const dueMs = Math.min(connection.lastSentMs + this.pingIntervalMs, connection.lastHeardMs + this.readTimeoutMs);
    this.heartbeat = setTimeout(() => this.beat(connection), Math.max(0, dueMs - performance.now()));
  }

  private stopHeartbeat(): void {
    clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
  }

  private beat(connection: ZooKeeperConnection): void {
    if (connection !== this.connection || this.sessionState !== 'connected') return;
    const now = performance.now();
    const silentMs = now - connection.lastHeardMs;
    if (silentMs >= this.readTimeoutMs) {
      connection.end(`heard nothing for ${Math.round(silentMs)} ms (read timeout ${this.readTimeoutMs} ms)`);
      return;
    }
    if (now - connection.lastSentMs >= this.pingIntervalMs) connection.ping();
    this.armHeartbeat();
  }

  // ---------------------------------------------------------------- requests

  /**
   * Sends an operation now, or when connected. Its promise resolves with `decode(reply)`, or with
   * `onError(err)`'s value when that handles the error code, and rejects with a `ZkError` otherwise.
   */
  private submit<T>(
    request: Operation['request'],
    path: string,
    decode: (reader: JuteReader) => T,
    onError: (err: number) => { value: T } | undefined = () => undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const operation: Operation = {
        request,
        path,
        done: (reply) => {
          if (reply instanceof ZkError) {
            reject(reply);
            return;
          }
          const { header, reader } = reply;
          if (header.err === ZkErrorCode.OK) {
            resolve(decode(reader));
            return;
          }
          const handled = onError(header.err);
          if (handled !== undefined) resolve(handled.value);
          else reject(new ZkError(header.err, path));
        },
      };
      if (this.isFinal()) operation.done(new ZkError(ZkErrorCode.SESSIONEXPIRED, path));
      else if (this.sessionState === 'connected' && this.connection !== undefined) this.send(operation);
      else this.waiting.push(operation);
    });
  }

  private send(operation: Operation): void {
    this.connection!.send(operation.request, (reply) => {
      if (reply instanceof ZooKeeperConnectionError) {
        operation.done(new ZkError(ZkErrorCode.CONNECTIONLOSS, operation.path));
        return;
      }
      operation.done(reply);
      if (reply.header.err === ZkErrorCode.SESSIONEXPIRED) this.expire();
    });
  }

  private failWaiting(code: number): void {
    for (const operation of this.waiting.splice(0)) operation.done(new ZkError(code, operation.path));
  }

  private watchCount(): number {
    return this.dataWatchers.size + this.existWatchers.size + this.childWatchers.size;
  }

  private deliverWatch({ type, path }: WatcherEvent): void {
    // `ZKWatchManager.materialize` collects into a set: a watcher registered as both a data and
    // a child watch is called once.
    const watchers = new Set<Watcher>();
    if (type !== 'NodeChildrenChanged') {
      for (const watcher of take(this.dataWatchers, path)) watchers.add(watcher);
      for (const watcher of take(this.existWatchers, path)) watchers.add(watcher);
    }
    if (type === 'NodeChildrenChanged' || type === 'NodeDeleted') for (const watcher of take(this.childWatchers, path)) watchers.add(watcher);
    const event: WatchedEvent = { type, path };
    for (const watcher of watchers) {
      try {
        watcher(event);
      } catch (error) {
        // A watcher's bug is its caller's to see (uncaught), not a reason to drop the connection.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
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
    if (to !== from) for (const listener of [...this.stateListeners]) listener(to);
    return true;
  }
}

/** `host:port` → [host, port]; an IPv6 host is written in brackets (`[::1]:2181`). */
function parseAddress(address: unknown): [string, number] {
  requireNonEmptyString('ZooKeeper address', address);
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address as string);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port < 1 || port > 65535) throw new InvalidArgumentError('ZooKeeper address', address, 'host:port with a port in 1..65535');
  return [match[1] ?? match[2]!, port];
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
