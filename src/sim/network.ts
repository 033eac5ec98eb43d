/**
 * The simulated network: nodes reach each other through connections with per-connection FIFO
 * delivery (like TCP), per-link latency (a minimum plus seeded jitter), random loss, partitions
 * between arbitrary sets of nodes, and connection resets.
 *
 * What is modelled and what is not:
 * - A connection is set up with one round trip: refused at once (after the round trip) if the
 *   remote process is down or not listening, never answered if the remote is unreachable (the
 *   caller's connect timeout fires).
 * - A message sent on an open connection is delivered after the link latency, never before a
 *   message sent earlier on the same connection in the same direction.
 * - A message lost to the link's loss rate or to a partition (checked when sent and again when
 *   due) is dropped and the connection stays up: like a TCP stream whose segments never get
 *   through, the application only notices through its own request timeouts. There is no
 *   bandwidth model.
 * - A reset closes both ends at once and every request in flight on it fails (see rpc.ts).
 * - A process that dies takes its connections with it: with `notifyPeers` (a crash, the OS sends
 *   RST) the peers see a reset one latency later, if they can be reached; without it (power loss,
 *   a pulled cable) they see nothing.
 */
import { KafkasimError, InvalidArgumentError, UnknownNameError } from './errors.ts';
import { Future } from './future.ts';
import type { Kernel } from './kernel.ts';
import type { Rng } from './rng.ts';
import type { SimNode } from './node.ts';
import { requireInteger, requireNonNegativeInteger, requireProbability } from './validate.ts';

export type CloseReason = 'closed' | 'reset';

/** A connection could not be made or broke; `reason` says how. */
export class ConnectionError extends KafkasimError {
  readonly code = 'CONNECTION_ERROR';
  constructor(
    readonly reason: 'refused' | 'timeout' | 'reset' | 'closed',
    readonly from: string,
    readonly to: string,
  ) {
    super(`connection from ${from} to ${to}: ${describeReason(reason)}`);
  }
}

function describeReason(reason: ConnectionError['reason']): string {
  switch (reason) {
    case 'refused':
      return 'refused (the remote process is down or not listening)';
    case 'timeout':
      return 'timed out (the remote did not answer: unreachable or paused)';
    case 'reset':
      return 'reset';
    case 'closed':
      return 'closed';
  }
}

export interface LinkOptions {
  /** Minimum one-way delay. */
  readonly latencyMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs] per message. */
  readonly jitterMs?: number;
  /** Probability that a message is lost. */
  readonly lossRate?: number;
}

interface Link {
  latencyMs: number;
  jitterMs: number;
  lossRate: number;
}

export const DEFAULT_LINK: Required<LinkOptions> = { latencyMs: 1, jitterMs: 1, lossRate: 0 };

/** One side of a connection. */
export class Endpoint {
  /** Called with every message that arrives (in send order). */
  onMessage: (message: unknown) => void = () => {};
  /** Called once when the connection ends. */
  onClose: (reason: CloseReason) => void = () => {};
  /** Virtual time before which nothing more sent from here can arrive (FIFO). */
  lastDeliveryMs = 0;
  /** This side closed or saw the close: what still arrives is discarded. */
  closed = false;
  peer!: Endpoint;

  constructor(
    private readonly network: Network,
    readonly connection: Connection,
    /** The node this side lives on. */
    readonly node: SimNode,
    readonly incarnation: number,
  ) {}

  /** The name of the node this side lives on. */
  get local(): string {
    return this.node.name;
  }

  /** False once the process this side belongs to has died. */
  get processAlive(): boolean {
    return this.node.incarnation === this.incarnation;
  }

  get remote(): string {
    return this.peer.local;
  }

  /** This side can still send: it has not closed, seen a close, or died. */
  get isOpen(): boolean {
    return !this.closed && this.processAlive;
  }

  /** Sends a message to the other side; silently nothing if the connection is closed. */
  send(message: unknown): void {
    this.network.transmit(this, message);
  }

  /** Closes the connection gracefully: the peer sees it after what was already sent. */
  close(): void {
    this.network.closeGracefully(this);
  }
}

export class Connection {
  /** Reset or torn down with a dead process: data in flight is discarded, nothing more is sent. */
  aborted = false;
  client!: Endpoint;
  server!: Endpoint;

  constructor(
    readonly id: number,
    readonly port: number,
  ) {}
}

export type Acceptor = (endpoint: Endpoint) => void;

export interface ConnectOptions {
  /** How long to wait for the remote to answer (default 10,000 ms). */
  readonly timeoutMs?: number;
}

export class Network {
  private readonly rng: Rng;
  private readonly links = new Map<string, Link>();
  private readonly cuts = new Set<string>();
  private readonly listeners = new Map<string, { readonly acceptor: Acceptor; readonly incarnation: number }>();
  private readonly connections = new Map<number, Connection>();
  private defaultLink: Link;
  private nextConnectionId = 1;

  constructor(
    private readonly kernel: Kernel,
    options: { defaultLink?: LinkOptions } = {},
  ) {
    this.rng = kernel.rng.fork('network');
    this.defaultLink = validateLink({ ...DEFAULT_LINK, ...options.defaultLink });
  }

  // ---------------------------------------------------------------- topology

  /** Sets latency, jitter and loss from `from` to `to` (both ways unless `oneWay`). */
  setLink(from: string, to: string, options: LinkOptions, oneWay = false): void {
    this.requireNode(from);
    this.requireNode(to);
    const apply = (a: string, b: string) => {
      const current = this.links.get(linkKey(a, b)) ?? this.defaultLink;
      this.links.set(linkKey(a, b), validateLink({ ...current, ...options }));
    };
    apply(from, to);
    if (!oneWay) apply(to, from);
  }

  /** Sets the link used between nodes that have no link of their own. */
  setDefaultLink(options: LinkOptions): void {
    this.defaultLink = validateLink({ ...this.defaultLink, ...options });
  }

  link(from: string, to: string): Required<LinkOptions> {
    return { ...(this.links.get(linkKey(from, to)) ?? this.defaultLink) };
  }

  /**
   * Cuts every pair of nodes that sit in different groups. Nodes in no group keep their links.
   * Cuts add up until `heal`.
   */
  partition(groups: readonly (readonly string[])[]): void {
    if (!Array.isArray(groups) || groups.length < 2) {
      throw new InvalidArgumentError('partition groups', groups, 'an array of at least two groups of node names');
    }
    const seen = new Set<string>();
    for (const group of groups) {
      if (!Array.isArray(group) || group.length === 0) {
        throw new InvalidArgumentError('partition group', group, 'a non-empty array of node names');
      }
      for (const name of group) {
        this.requireNode(name);
        if (seen.has(name)) throw new InvalidArgumentError('partition groups', groups, 'disjoint groups (a node appears twice)');
        seen.add(name);
      }
    }
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        for (const a of groups[i]!) for (const b of groups[j]!) this.cuts.add(pairKey(a, b));
      }
    }
  }

  /** Cuts `node` from every other node. */
  isolate(node: string): void {
    this.requireNode(node);
    const others = this.kernel.nodeNames().filter((n) => n !== node);
    if (others.length > 0) this.partition([[node], others]);
  }

  /** Removes every cut (or only the cut between `a` and `b`). */
  heal(a?: string, b?: string): void {
    if (a === undefined || b === undefined) {
      this.cuts.clear();
      return;
    }
    this.cuts.delete(pairKey(a, b));
  }

  canReach(from: string, to: string): boolean {
    return this.cuts.size === 0 || from === to || !this.cuts.has(pairKey(from, to));
  }

  /** The current cuts as sorted pairs, for state views and traces. */
  cutPairs(): Array<[string, string]> {
    return [...this.cuts].sort().map((key) => key.split('|') as [string, string]);
  }

  // ---------------------------------------------------------------- connections

  /** Accepts connections to `node`:`port`; returns a function that stops listening. */
  listen(node: string, port: number, acceptor: Acceptor): () => void {
    this.requireNode(node);
    requireInteger('port', port, 1, 65535);
    const key = `${node}:${port}`;
    if (this.listenerOf(node, port) !== undefined) {
      throw new InvalidArgumentError('port', port, `a port ${node} is not already listening on`);
    }
    // A listener belongs to the process that opened it: a dead incarnation's is ignored.
    const entry = { acceptor, incarnation: this.kernel.node(node).incarnation };
    this.listeners.set(key, entry);
    return () => {
      if (this.listeners.get(key) === entry) this.listeners.delete(key);
    };
  }

  isListening(node: string, port: number): boolean {
    return this.listenerOf(node, port) !== undefined;
  }

  private listenerOf(node: string, port: number): Acceptor | undefined {
    const entry = this.listeners.get(`${node}:${port}`);
    const simNode = this.kernel.node(node);
    if (entry === undefined || !simNode.alive || entry.incarnation !== simNode.incarnation) return undefined;
    return entry.acceptor;
  }

  /**
   * Opens a connection from `from` to `to`:`port`. Resolves with the local endpoint after one
   * round trip; rejects with `ConnectionError` refused (remote down or not listening) or timeout.
   */
  connect(from: string, to: string, port: number, options: ConnectOptions = {}): Future<Endpoint> {
    const fromNode = this.requireNode(from);
    this.requireNode(to);
    const timeoutMs = requireNonNegativeInteger('connect timeoutMs', options.timeoutMs ?? 10_000);
    const future = this.kernel.future<Endpoint>(`connection from ${from} to ${to}:${port}`);
    const timer = this.kernel.schedule(timeoutMs, () => future.reject(new ConnectionError('timeout', from, to)), {
      node: from,
      label: 'net.connect.timeout',
    });
    const fromIncarnation = fromNode.incarnation;
    /** The answer (SYN-ACK or RST) travels back; a cut or a lost segment means no answer. */
    const answer = (delayMs: number, run: () => void) => {
      this.kernel.schedule(delayMs, () => {
        if (fromNode.incarnation !== fromIncarnation || !this.canReach(to, from)) return;
        run();
      }, { node: from, label: 'net.connect.answer' });
    };
    if (!this.passes(from, to)) return future;
    this.kernel.schedule(this.delay(from, to), () => {
      const toNode = this.kernel.node(to);
      if (!this.canReach(from, to)) return;
      const acceptor = this.listenerOf(to, port);
      if (!this.passes(to, from)) return;
      const answerDelayMs = this.delay(to, from);
      if (acceptor === undefined) {
        answer(answerDelayMs, () => {
          timer.cancel();
          future.reject(new ConnectionError('refused', from, to));
        });
        return;
      }
      const connection = new Connection(this.nextConnectionId++, port);
      const client = new Endpoint(this, connection, fromNode, fromIncarnation);
      const server = new Endpoint(this, connection, toNode, toNode.incarnation);
      client.peer = server;
      server.peer = client;
      connection.client = client;
      connection.server = server;
      // Whatever the server sends from its acceptor travels behind the SYN-ACK.
      server.lastDeliveryMs = this.kernel.nowMs + answerDelayMs;
      this.connections.set(connection.id, connection);
      // The process accepts when it runs (later if paused); what arrives meanwhile waits behind.
      this.kernel.schedule(0, () => acceptor(server), { node: to, label: 'net.accept' });
      answer(answerDelayMs, () => {
        timer.cancel();
        if (!future.resolve(client)) this.closeGracefully(client);
      });
      // Owned by no process: the target machine's TCP stack answers the handshake (an RST for
      // a crashed process, a SYN-ACK even while the process is paused: it accepts when it runs).
    }, { node: null, label: 'net.connect.syn' });
    return future;
  }

  /** Open connections, optionally only those with an end on `node`. */
  openConnections(node?: string): Connection[] {
    return [...this.connections.values()].filter(
      (c) => node === undefined || c.client.local === node || c.server.local === node,
    );
  }

  /** Resets a connection: both ends close now, with reason `reset`. */
  reset(connection: Connection): void {
    if (connection.aborted) return;
    connection.aborted = true;
    this.connections.delete(connection.id);
    for (const end of [connection.client, connection.server]) {
      if (end.closed) continue;
      end.closed = true;
      this.kernel.schedule(0, () => {
        if (end.processAlive) end.onClose('reset');
      }, { node: end.local, label: 'net.reset' });
    }
  }

  /**
   * Ends every connection of a node whose process died. Its own ends are closed without a word
   * (the process is gone); with `notifyPeers` each peer sees a reset one latency later if the
   * RST can reach it.
   */
  dropConnectionsOf(node: string, options: { notifyPeers: boolean }): void {
    for (const connection of this.openConnections(node)) {
      // The dead side's data in flight is gone and it sends nothing more; the peer keeps an
      // open endpoint (its sends vanish) until an RST reaches it, or forever without one.
      connection.aborted = true;
      this.connections.delete(connection.id);
      for (const end of [connection.client, connection.server]) {
        if (end.local === node) {
          end.closed = true;
          continue;
        }
        if (options.notifyPeers && this.canReach(node, end.local)) this.notifyClose(end, 'reset', this.delay(node, end.local));
      }
    }
  }

  /** Resets every connection between two nodes (both ways). */
  resetBetween(a: string, b: string): void {
    for (const connection of this.openConnections(a)) {
      if (connection.client.local === b || connection.server.local === b) this.reset(connection);
    }
  }

  // ---------------------------------------------------------------- delivery (used by Endpoint)

  transmit(from: Endpoint, message: unknown): void {
    const connection = from.connection;
    if (!from.isOpen) return;
    const to = from.peer;
    if (!this.passes(from.local, to.local)) return;
    const dueMs = Math.max(this.kernel.nowMs + this.delay(from.local, to.local), from.lastDeliveryMs);
    from.lastDeliveryMs = dueMs;
    this.kernel.scheduleAt(dueMs, () => {
      if (!to.processAlive || connection.aborted || to.closed) return;
      if (!this.canReach(from.local, to.local)) {
        this.dropped(from.local, to.local, 'partitioned');
        return;
      }
      to.onMessage(message);
    }, { node: to.local, label: 'net.deliver' });
  }

  closeGracefully(from: Endpoint): void {
    if (!from.isOpen) {
      from.closed = true;
      return;
    }
    from.closed = true;
    const to = from.peer;
    if (to.closed) this.connections.delete(from.connection.id);
    // The FIN travels after the data already sent; the closing side is done at once.
    const dueMs = Math.max(this.kernel.nowMs + this.delay(from.local, to.local), from.lastDeliveryMs);
    if (this.canReach(from.local, to.local)) this.notifyClose(to, 'closed', dueMs - this.kernel.nowMs);
  }

  private notifyClose(end: Endpoint, reason: CloseReason, delayMs: number): void {
    this.kernel.schedule(delayMs, () => {
      if (end.closed || !end.processAlive) return;
      end.closed = true;
      if (end.peer.closed) this.connections.delete(end.connection.id);
      end.onClose(reason);
    }, { node: end.local, label: `net.${reason}` });
  }

  /** Draws loss for one message; false (and a trace record) if it is dropped. */
  private passes(from: string, to: string): boolean {
    if (!this.canReach(from, to)) {
      this.dropped(from, to, 'partitioned');
      return false;
    }
    const link = this.links.get(linkKey(from, to)) ?? this.defaultLink;
    if (link.lossRate > 0 && this.rng.chance(link.lossRate)) {
      this.dropped(from, to, 'lost');
      return false;
    }
    return true;
  }

  private delay(from: string, to: string): number {
    const link = this.links.get(linkKey(from, to)) ?? this.defaultLink;
    return link.jitterMs === 0 ? link.latencyMs : link.latencyMs + this.rng.int(0, link.jitterMs);
  }

  private dropped(from: string, to: string, reason: 'lost' | 'partitioned'): void {
    const trace = this.kernel.trace;
    if (!trace.enabled) return;
    trace.record(from, 'net.dropped', { from, to, reason }, `A message from ${from} to ${to} was ${reason === 'lost' ? 'lost on the link' : 'dropped by a network partition'}.`);
  }

  private requireNode(name: string) {
    if (typeof name !== 'string' || !this.kernel.hasNode(name)) {
      throw new UnknownNameError('node', String(name), this.kernel.nodeNames());
    }
    return this.kernel.node(name);
  }
}

function linkKey(from: string, to: string): string {
  return `${from}>${to}`;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function validateLink(link: Required<LinkOptions>): Link {
  return {
    latencyMs: requireNonNegativeInteger('latencyMs', link.latencyMs),
    jitterMs: requireNonNegativeInteger('jitterMs', link.jitterMs),
    lossRate: requireProbability('lossRate', link.lossRate),
  };
}
