/**
 * A single ZooKeeper server as a node on the simulated network. Brokers and consumers reach it
 * over connections like any other peer, so a network partition can cut them off and their
 * sessions expire.
 *
 * Modelled: sessions with a negotiated timeout (clamped to [2, 20] × tickTimeMs, ZooKeeper's
 * defaults), expiry of a session not heard from within its timeout (any request or ping counts),
 * deletion of its ephemeral nodes with their watches fired, reconnection of a live session from
 * a new connection, "session expired" answered to a client that comes back too late, one-shot
 * data/exists/child watches that belong to the connection they were set on and are re-registered by
 * the client's SetWatches when it reconnects (those whose node changed since the client's last
 * zxid fire at once), persistent/ephemeral/sequential nodes, versions and conditional updates
 * (see znode-tree.ts), close, a request frame longer than `jute.maxbuffer` (1 MiB − 1) dropping
 * the connection.
 * Not modelled: an ensemble (one server, no leader election, no persistence across a server
 * crash), expiry buckets rounded to ticks (expiry is exact), ACLs, auth, multi-ops, sync.
 */
import { ZkErrorCode, isEphemeral, isSequential, type WatchEventType } from '../protocol/zookeeper.ts';
import { KAFKA_COMMON_PATHS } from '../protocol/zk-paths.ts';
import { InvalidArgumentError } from '../sim/errors.ts';
import type { Kernel } from '../sim/kernel.ts';
import type { Network } from '../sim/network.ts';
import { RpcServer } from '../sim/rpc.ts';
import { requireInteger } from '../sim/validate.ts';
import { JUTE_MAX_BUFFER, ZOOKEEPER_PORT, requestFrameBytes, type ZkRequest, type ZkResponse, type ZkWatchNotification } from './messages.ts';
import { WatchRegistry } from './watch-registry.ts';
import {
  childNames,
  createNode,
  deleteNode,
  emptyZooKeeperState,
  lookup,
  setNodeData,
  statOf,
  type ZooKeeperState,
} from './znode-tree.ts';

export interface ZooKeeperServerOptions {
  /** The server's node name (default `zookeeper`). */
  readonly node?: string;
  readonly port?: number;
  /** ZooKeeper's tickTime (default 2000); session timeouts are clamped to [2, 20] ticks. */
  readonly tickTimeMs?: number;
  /** Create Kafka 0.8.2's common paths (`ZkUtils.setupCommonPaths`) before the run. */
  readonly kafkaPaths?: boolean;
}

interface SessionRuntime {
  /** The session's current connection, if any. */
  connection: ServerConnection | undefined;
  readonly ephemerals: Set<string>;
}

interface ServerConnection {
  readonly id: number;
  readonly server: RpcServer<ZkRequest, ZkResponse>;
  sessionId: string | undefined;
}

export const ZOOKEEPER_SLICE = 'zookeeper';

export class ZooKeeperServer {
  readonly node: string;
  readonly port: number;
  readonly tickTimeMs: number;
  private readonly watches = new WatchRegistry();
  private readonly sessions = new Map<string, SessionRuntime>();
  /** Open connections by id (the watch owners). */
  private readonly connections = new Map<number, ServerConnection>();
  private nextSession = 1;
  private nextConnection = 1;

  constructor(
    private readonly kernel: Kernel,
    network: Network,
    options: ZooKeeperServerOptions = {},
  ) {
    this.node = options.node ?? 'zookeeper';
    this.port = requireInteger('zookeeper port', options.port ?? ZOOKEEPER_PORT, 1, 65535);
    this.tickTimeMs = requireInteger('tickTimeMs', options.tickTimeMs ?? 2000, 1);
    if (!kernel.hasNode(this.node)) kernel.addNode(this.node);
    kernel.world.addSlice(ZOOKEEPER_SLICE, emptyZooKeeperState());
    if (options.kafkaPaths) for (const path of KAFKA_COMMON_PATHS) this.seedPath(path);
    network.listen(this.node, this.port, (endpoint) => {
      const connection: ServerConnection = {
        id: this.nextConnection++,
        server: new RpcServer<ZkRequest, ZkResponse>(endpoint, {
          onRequest: (request, reply) => {
            if (reply === undefined) return;
            if (request.op === 'connect') {
              this.connect(request, connection, endpoint.remote, (response) => reply(this.stamped(response)));
              return;
            }
            const bytes = requestFrameBytes(request);
            if (bytes > JUTE_MAX_BUFFER) {
              this.narrate(
                'zk.request.too-long',
                { session: connection.sessionId ?? null, op: request.op, bytes },
                `ZooKeeper drops the connection of session ${connection.sessionId}: a ${request.op} request of ${bytes} bytes is longer than jute.maxbuffer (${JUTE_MAX_BUFFER}).`,
              );
              this.closeConnection(connection);
              return;
            }
            const sessionId = connection.sessionId;
            if (sessionId === undefined || !this.sessions.has(sessionId)) {
              reply(this.stamped({ err: ZkErrorCode.SESSIONEXPIRED }));
              return;
            }
            reply(this.stamped(this.handle(sessionId, connection.id, request)));
          },
          onClose: () => this.connectionClosed(connection),
        }),
        sessionId: undefined,
      };
      this.connections.set(connection.id, connection);
    });
  }

  /**
   * The response with the server's last zxid (`ReplyHeader.zxid`). Responses are fresh objects
   * made for this reply, so the zxid is set on them: copying them is the hot path of every ping.
   */
  private stamped(response: Omit<ZkResponse, 'zxid'>): ZkResponse {
    (response as unknown as { zxid: number }).zxid = this.state.zxid;
    return response as ZkResponse;
  }

  /** The tree and sessions (a snapshot outside steps, the draft inside one). */
  get state(): ZooKeeperState {
    return this.kernel.world.state[ZOOKEEPER_SLICE] as ZooKeeperState;
  }

  /** Number of watches registered (for views and tests). */
  get watchCount(): number {
    return this.watches.count();
  }

  /** Negotiated timeout for a requested one (`ZooKeeperServer.processConnectRequest`). */
  negotiateTimeoutMs(requestedMs: number): number {
    return Math.min(Math.max(requestedMs, 2 * this.tickTimeMs), 20 * this.tickTimeMs);
  }

  /** Ends a session now, as if it had timed out (the "expire a session" fault). */
  expireSession(sessionId: string): void {
    if (!this.sessions.has(sessionId)) {
      throw new InvalidArgumentError('session id', sessionId, `a live session (${[...this.sessions.keys()].join(', ') || 'none'})`);
    }
    this.kernel.act('zk expire session', () => this.endSession(sessionId, 'expired'));
  }

  /** Live session ids of a client node, oldest first. */
  sessionsOf(clientNode: string): string[] {
    return Object.values(this.state.sessions)
      .filter((s) => s.client === clientNode)
      .map((s) => s.id);
  }

  /** Creates a persistent path (and its parents) directly, before or between runs. */
  seedPath(path: string, data = ''): void {
    this.kernel.act('zk seed', () => {
      const parts = path.split('/').filter((p) => p.length > 0);
      for (let i = 1; i <= parts.length; i++) {
        const prefix = `/${parts.slice(0, i).join('/')}`;
        if (lookup(this.state, prefix) !== undefined) continue;
        createNode(this.state, {
          path: prefix,
          data: i === parts.length ? data : '',
          ephemeralOwner: null,
          sequential: false,
          nowMs: this.kernel.nowMs,
        });
      }
    });
  }

  // ---------------------------------------------------------------- sessions

  private connect(
    request: Extract<ZkRequest, { op: 'connect' }>,
    connection: ServerConnection,
    client: string,
    reply: (response: Omit<ZkResponse, 'zxid'>) => void,
  ): void {
    const state = this.state;
    if (request.sessionId !== undefined) {
      const session = state.sessions[request.sessionId];
      const runtime = this.sessions.get(request.sessionId);
      if (session === undefined || runtime === undefined) {
        this.narrate('zk.session.refused', { session: request.sessionId, client }, `ZooKeeper tells ${client} that session ${request.sessionId} has expired.`);
        reply({ err: 0, expired: true });
        connection.server.close();
        return;
      }
      // `processConnectRequest` closes the session's previous connection (and with it its watches).
      const stale = runtime.connection;
      runtime.connection = connection;
      connection.sessionId = session.id;
      if (stale !== undefined && stale !== connection) this.closeConnection(stale);
      session.lastHeardMs = this.kernel.nowMs;
      session.connected = true;
      this.narrate('zk.session.reconnected', { session: session.id, client }, `${client} reconnected to its session ${session.id}.`);
      reply({ err: 0, sessionId: session.id, timeoutMs: session.timeoutMs });
      if (request.watches !== undefined) this.setWatches(connection, request.lastZxid, request.watches);
      return;
    }
    const id = `0x${(0x100 + this.nextSession++).toString(16)}`;
    const timeoutMs = this.negotiateTimeoutMs(request.timeoutMs);
    state.sessions[id] = { id, client, timeoutMs, lastHeardMs: this.kernel.nowMs, connected: true };
    this.sessions.set(id, { connection, ephemerals: new Set() });
    connection.sessionId = id;
    this.narrate(
      'zk.session.created',
      { session: id, client, timeoutMs },
      `ZooKeeper opened session ${id} for ${client} (timeout ${timeoutMs} ms${timeoutMs !== request.timeoutMs ? `, asked ${request.timeoutMs} ms` : ''}).`,
    );
    this.scheduleExpiry(id, timeoutMs);
    reply({ err: 0, sessionId: id, timeoutMs });
  }

  /**
   * `DataTree.setWatches`: re-registers a reconnecting client's watches on its new connection,
   * firing at once those whose node changed after the last transaction the client saw.
   */
  private setWatches(
    connection: ServerConnection,
    lastZxid: number,
    watches: NonNullable<Extract<ZkRequest, { op: 'connect' }>['watches']>,
  ): void {
    const zxid = this.state.zxid;
    const send = (type: ZkWatchNotification['type'], path: string) => connection.server.push({ type, path, zxid } satisfies ZkWatchNotification);
    for (const path of watches.data) {
      const node = lookup(this.state, path);
      if (node === undefined) send('NodeDeleted', path);
      else if (node.mzxid > lastZxid) send('NodeDataChanged', path);
      else this.watches.addDataWatch(path, connection.id);
    }
    for (const path of watches.exist) {
      if (lookup(this.state, path) !== undefined) send('NodeCreated', path);
      else this.watches.addDataWatch(path, connection.id);
    }
    for (const path of watches.child) {
      const node = lookup(this.state, path);
      if (node === undefined) send('NodeDeleted', path);
      else if (node.pzxid > lastZxid) send('NodeChildrenChanged', path);
      else this.watches.addChildWatch(path, connection.id);
    }
  }

  private connectionClosed(connection: ServerConnection): void {
    this.connections.delete(connection.id);
    this.watches.dropWatcher(connection.id);
    const sessionId = connection.sessionId;
    const runtime = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (runtime?.connection !== connection) return;
    runtime.connection = undefined;
    const session = this.state.sessions[sessionId!];
    if (session !== undefined) session.connected = false;
  }

  private closeConnection(connection: ServerConnection): void {
    this.connectionClosed(connection);
    connection.server.close();
  }

  /** Checks expiry lazily: one timer per session, re-armed from the last time it was heard. */
  private scheduleExpiry(sessionId: string, delayMs: number): void {
    this.kernel.schedule(
      delayMs,
      () => {
        const session = this.state.sessions[sessionId];
        if (session === undefined) return;
        const silentMs = this.kernel.nowMs - session.lastHeardMs;
        if (silentMs >= session.timeoutMs) this.endSession(sessionId, 'expired');
        else this.scheduleExpiry(sessionId, session.timeoutMs - silentMs);
      },
      { node: this.node, label: 'zk.session.expiry-check' },
    );
  }

  private endSession(sessionId: string, how: 'expired' | 'closed'): void {
    const runtime = this.sessions.get(sessionId);
    const session = this.state.sessions[sessionId];
    if (runtime === undefined || session === undefined) return;
    const ephemerals = [...runtime.ephemerals].sort().reverse();
    this.narrate(
      `zk.session.${how}`,
      { session: sessionId, client: session.client, ephemerals },
      how === 'expired'
        ? `ZooKeeper expired session ${sessionId} of ${session.client} (not heard from for ${this.kernel.nowMs - session.lastHeardMs} ms, timeout ${session.timeoutMs} ms)${ephemerals.length > 0 ? `; deleting ${ephemerals.join(', ')}` : ''}.`
        : `Session ${sessionId} of ${session.client} closed${ephemerals.length > 0 ? `; deleting ${ephemerals.join(', ')}` : ''}.`,
    );
    for (const path of ephemerals) this.removeNode(path, -1, sessionId);
    delete this.state.sessions[sessionId];
    this.sessions.delete(sessionId);
    const connection = runtime.connection;
    if (connection !== undefined) {
      this.watches.dropWatcher(connection.id);
      if (how === 'expired') this.closeConnection(connection);
    }
  }

  // ---------------------------------------------------------------- operations

  private handle(sessionId: string, connectionId: number, request: Exclude<ZkRequest, { op: 'connect' }>): Omit<ZkResponse, 'zxid'> {
    const state = this.state;
    state.sessions[sessionId]!.lastHeardMs = this.kernel.nowMs;
    switch (request.op) {
      case 'ping':
        return { err: 0 };
      case 'create': {
        const ephemeral = isEphemeral(request.mode);
        const result = createNode(state, {
          path: request.path,
          data: request.data,
          ephemeralOwner: ephemeral ? sessionId : null,
          sequential: isSequential(request.mode),
          nowMs: this.kernel.nowMs,
        });
        if (result.code !== 0 || !('value' in result)) return { err: result.code };
        const path = result.value;
        if (ephemeral) this.sessions.get(sessionId)!.ephemerals.add(path);
        this.narrate(
          'zk.node.created',
          { path, mode: request.mode, session: sessionId, data: request.data },
          `ZooKeeper created ${request.mode.replace('_', ' ')} ${path}${ephemeral ? ` for session ${sessionId}` : ''}.`,
        );
        this.fire(path, 'NodeCreated');
        this.fire(parentPath(path), 'NodeChildrenChanged');
        return { err: 0, path };
      }
      case 'delete': {
        const code = this.removeNode(request.path, request.version, sessionId);
        return { err: code };
      }
      case 'setData': {
        const result = setNodeData(state, request.path, request.data, request.version, this.kernel.nowMs);
        if (result.code !== 0 || !('value' in result)) return { err: result.code };
        this.narrate(
          'zk.node.changed',
          { path: request.path, version: result.value.version, data: request.data, session: sessionId },
          `ZooKeeper set ${request.path} to ${abbreviate(request.data)} (version ${result.value.version}).`,
        );
        this.fire(request.path, 'NodeDataChanged');
        return { err: 0, stat: result.value };
      }
      case 'exists': {
        const node = lookup(state, request.path);
        if (request.watch) this.watches.addDataWatch(request.path, connectionId);
        return { err: 0, stat: node === undefined ? null : statOf(node) };
      }
      case 'getData': {
        const node = lookup(state, request.path);
        if (node === undefined) return { err: ZkErrorCode.NONODE };
        if (request.watch) this.watches.addDataWatch(request.path, connectionId);
        return { err: 0, data: node.data, stat: statOf(node) };
      }
      case 'getChildren': {
        const node = lookup(state, request.path);
        if (node === undefined) return { err: ZkErrorCode.NONODE };
        if (request.watch) this.watches.addChildWatch(request.path, connectionId);
        return { err: 0, children: childNames(node) };
      }
      case 'close':
        this.endSession(sessionId, 'closed');
        return { err: 0 };
    }
  }

  private removeNode(path: string, version: number, sessionId: string): number {
    const result = deleteNode(this.state, path, version);
    if (result.code !== 0 || !('value' in result)) return result.code;
    const owner = result.value.ephemeralOwner;
    if (owner !== null) this.sessions.get(owner)?.ephemerals.delete(path);
    this.narrate(
      'zk.node.deleted',
      { path, session: sessionId, ephemeral: owner !== null },
      `ZooKeeper deleted ${owner !== null ? 'ephemeral ' : ''}${path}.`,
    );
    this.fire(path, 'NodeDeleted');
    this.fire(parentPath(path), 'NodeChildrenChanged');
    return ZkErrorCode.OK;
  }

  private fire(path: string, type: WatchEventType): void {
    for (const connectionId of this.watches.trigger(path, type)) {
      const connection = this.connections.get(connectionId);
      if (connection === undefined) continue;
      const session = connection.sessionId === undefined ? undefined : this.state.sessions[connection.sessionId];
      this.narrate(
        'zk.watch.fired',
        { session: connection.sessionId ?? null, client: session?.client ?? null, type, path },
        `Watch fired for ${session?.client ?? connection.sessionId}: ${type} on ${path}.`,
      );
      connection.server.push({ type, path, zxid: this.state.zxid } satisfies ZkWatchNotification);
    }
  }

  private narrate(kind: string, data: Record<string, unknown>, text: string): void {
    if (this.kernel.trace.enabled) this.kernel.trace.record(this.node, kind, data, text);
  }
}

function parentPath(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

function abbreviate(data: string): string {
  return data.length <= 80 ? JSON.stringify(data) : `${JSON.stringify(data.slice(0, 77))}…`;
}
