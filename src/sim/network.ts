/**
 * The simulated network: nodes reach each other through connections that behave like TCP:
 * per-connection FIFO, reliable delivery, per-link latency (a minimum plus seeded jitter), loss
 * that costs retransmissions, partitions between arbitrary sets of nodes, and resets.
 *
 * What is modelled and what is not:
 * - Connecting sends a SYN, retransmitted after 1, 3, 7, 15, ... seconds (the initial
 *   retransmission timeout doubling) until the caller's connect timeout: a SYN lost or cut off
 *   is tried again, so a connection can still be made once a partition heals. The target
 *   machine's TCP stack answers: RST if no live process listens (refused), SYN-ACK otherwise,
 *   even while the process is paused (it accepts when it runs).
 * - On an open connection a message arrives after the link latency and never before a message
 *   sent earlier in the same direction. A message lost to the link's loss rate is retransmitted
 *   after a retransmission timeout (200 ms, doubling while it keeps being lost): it arrives late
 *   and holds up what follows (head-of-line blocking). A message that meets a cut (when sent or
 *   when due) waits, with everything behind it, until the cut heals, then flows in order. The
 *   application notices trouble only through its own timeouts, as with TCP; no bandwidth model.
 * - A graceful close (FIN) travels behind the data already sent. A reset closes both ends at
 *   once and discards what is in flight (requests on it fail, see rpc.ts).
 * - A process that dies takes its connections with it: with `notifyPeers` (a crash: its OS sends
 *   RST) the peers see a reset one latency later if the RST can reach them; without it (power
 *   loss, a pulled cable) they see nothing and their messages vanish.
 * Simplified: TCP's own give-up after ~15 minutes of failed retransmissions is not modelled.
 */
import { KafkasimError, InvalidArgumentError, UnknownNameError, withoutStack } from './errors.ts';
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
  /** Probability that a transmission is lost (data is then retransmitted; handshakes retried). */
  readonly lossRate?: number;
}

export interface Link {
  latencyMs: number;
  jitterMs: number;
  lossRate: number;
}

export const DEFAULT_LINK: Required<LinkOptions> = { latencyMs: 1, jitterMs: 1, lossRate: 0 };

/** Linux's minimum retransmission timeout: what a lost segment costs before it is sent again. */
export const RETRANSMISSION_TIMEOUT_MS = 200;
/** Linux's maximum retransmission timeout (`TCP_RTO_MAX`). */
export const MAX_RETRANSMISSION_TIMEOUT_MS = 120_000;
/** Linux's `tcp_retries2`: retransmissions of a segment before TCP gives up on the connection. */
export const MAX_RETRANSMISSIONS = 15;

/** A FIN waiting behind held data. */
const FIN = Symbol('FIN');

/** One side of a connection. */
export class Endpoint {
  /** Called with every message that arrives (in send order). */
  onMessage: (message: unknown) => void = () => {};
  /** Called once when the connection ends. */
  onClose: (reason: CloseReason) => void = () => {};
  /** Sequence number of the next message sent from this side. */
  sendSeq = 0;
  /** Sequence number of the next message this side will hand to `onMessage`. */
  receiveSeq = 0;
  /** Messages that arrived ahead of a missing one, by sequence number (TCP's receive buffer). */
  reorder: Map<number, unknown> | undefined;
  /** Messages from this side stopped by a cut, to retransmit when it heals. */
  held: Array<{ readonly seq: number; readonly message: unknown }> | undefined;
  /** This side closed or saw the close: what still arrives is discarded. */
  closed = false;
  peer!: Endpoint;
  /** The link this side sends on, as of `linkVersion` of the network (looked up once, not per message). */
  link: Link | undefined;
  linkVersion = -1;

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
  /** Endpoints with traffic held up by a cut. */
  private readonly holding = new Set<Endpoint>();
  private defaultLink: Link;
  /** Bumped whenever a link changes, so endpoints know their cached link is stale. */
  private linksVersion = 0;
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
      this.linksVersion++;
    };
    apply(from, to);
    if (!oneWay) apply(to, from);
  }

  /** Forgets every link's own settings: all links are the default link again. */
  resetLinks(): void {
    this.links.clear();
    this.linksVersion++;
  }

  /** Sets the link used between nodes that have no link of their own. */
  setDefaultLink(options: LinkOptions): void {
    this.defaultLink = validateLink({ ...this.defaultLink, ...options });
    this.linksVersion++;
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
    if (a === undefined || b === undefined) this.cuts.clear();
    else this.cuts.delete(pairKey(a, b));
    this.releaseHeld();
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
   * Opens a connection from `from` to `to`:`port`. Resolves with the local endpoint once the
   * handshake completes; rejects with `ConnectionError` refused (no live process listens) or
   * timeout (no answer within `timeoutMs`, SYN retransmissions included).
   */
  connect(from: string, to: string, port: number, options: ConnectOptions = {}): Future<Endpoint> {
    const fromNode = this.requireNode(from);
    this.requireNode(to);
    const timeoutMs = requireNonNegativeInteger('connect timeoutMs', options.timeoutMs ?? 10_000);
    const future = this.kernel.future<Endpoint>(`connection from ${from} to ${to}:${port}`);
    const fromIncarnation = fromNode.incarnation;
    let client: Endpoint | undefined;
    let accepted: Connection | undefined;
    const timer = this.kernel.schedule(timeoutMs, () => future.reject(withoutStack(() => new ConnectionError('timeout', from, to))), {
      node: from,
      label: 'net.connect.timeout',
    });
    /** The answer (SYN-ACK or RST) travels back unless it is cut off or lost. */
    const answer = (run: () => void) => {
      if (!this.passes(to, from)) return;
      this.kernel.schedule(this.delay(to, from), () => {
        if (fromNode.incarnation !== fromIncarnation || !this.canReach(to, from) || future.settled) return;
        timer.cancel();
        run();
      }, { node: from, label: 'net.connect.answer' });
    };
    const syn = () => {
      if (future.settled || fromNode.incarnation !== fromIncarnation) return;
      if (!this.passes(from, to)) return;
      // Owned by no process: the target machine's TCP stack answers the handshake.
      this.kernel.schedule(this.delay(from, to), () => {
        if (future.settled || !this.canReach(from, to)) return;
        if (accepted !== undefined) {
          // A retransmitted SYN for a connection already accepted: its SYN-ACK was lost; resend.
          answer(() => future.resolve(client!));
          return;
        }
        const toNode = this.kernel.node(to);
        const acceptor = this.listenerOf(to, port);
        if (acceptor === undefined) {
          answer(() => future.reject(withoutStack(() => new ConnectionError('refused', from, to))));
          return;
        }
        const connection = new Connection(this.nextConnectionId++, port);
        client = new Endpoint(this, connection, fromNode, fromIncarnation);
        const server = new Endpoint(this, connection, toNode, toNode.incarnation);
        client.peer = server;
        server.peer = client;
        connection.client = client;
        connection.server = server;
        accepted = connection;
        this.connections.set(connection.id, connection);
        // The process accepts when it runs (later if it is paused).
        this.kernel.schedule(0, () => acceptor(server), { node: to, label: 'net.accept' });
        answer(() => future.resolve(client!));
      }, { node: null, label: 'net.connect.syn' });
    };
    syn();
    // TCP retransmits an unanswered SYN after 1 s, then doubles the wait.
    for (let atMs = 1000, rtoMs = 1000; atMs < timeoutMs; rtoMs *= 2, atMs += rtoMs) {
      this.kernel.schedule(atMs, syn, { node: from, label: 'net.connect.syn-retransmit' });
    }
    future.onSettled((outcome) => {
      // A late handshake for a caller that gave up: close the half-open connection.
      if (!outcome.ok && accepted !== undefined && client !== undefined) this.closeGracefully(client);
    });
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
    if (!from.isOpen) return;
    this.send(from, from.sendSeq++, message);
  }

  /**
   * Sends (or retransmits) message `seq` from `from`. It arrives after the link latency (plus
   * retransmission timeouts when lost); a cut when it is due stops it until the cut heals. The
   * receiver hands messages over strictly in sequence, holding early arrivals back, so what is
   * sent later never overtakes what was sent earlier.
   */
  private send(from: Endpoint, seq: number, message: unknown): void {
    const to = from.peer;
    const link = from.linkVersion === this.linksVersion ? from.link! : this.refreshLink(from);
    const retransmissionMs = link.lossRate === 0 ? 0 : this.retransmissionMs(from.local, to.local, link);
    if (retransmissionMs === Infinity) {
      this.giveUp(from);
      return;
    }
    const delayMs = link.jitterMs === 0 ? link.latencyMs : link.latencyMs + this.rng.int(0, link.jitterMs);
    this.kernel.schedule(delayMs + retransmissionMs, () => this.deliver(from, seq, message), { node: to.local, label: 'net.deliver' });
  }

  private refreshLink(from: Endpoint): Link {
    from.link = this.links.get(linkKey(from.local, from.peer.local)) ?? this.defaultLink;
    from.linkVersion = this.linksVersion;
    return from.link;
  }

  /** A message due at its receiver. */
  private deliver(from: Endpoint, seq: number, message: unknown): void {
    const to = from.peer;
    if (!to.processAlive || from.connection.aborted || to.closed) return;
    if (!this.canReach(from.local, to.local)) {
      this.hold(from, seq, message);
      return;
    }
    this.arrive(to, seq, message);
  }

  private arrive(to: Endpoint, seq: number, message: unknown): void {
    if (seq !== to.receiveSeq) {
      (to.reorder ??= new Map()).set(seq, message);
      return;
    }
    let next: unknown = message;
    for (;;) {
      to.receiveSeq++;
      if (next === FIN) {
        this.finished(to);
        return;
      }
      to.onMessage(next);
      if (to.closed || to.reorder === undefined || !to.reorder.has(to.receiveSeq)) break;
      next = to.reorder.get(to.receiveSeq);
      to.reorder.delete(to.receiveSeq);
    }
  }

  private hold(from: Endpoint, seq: number, message: unknown): void {
    if (from.held === undefined) {
      from.held = [];
      this.holding.add(from);
      const trace = this.kernel.trace;
      if (trace.enabled) {
        trace.record(
          from.local,
          'net.held',
          { from: from.local, to: from.remote, connection: from.connection.id },
          `Traffic from ${from.local} to ${from.remote} is held up by a network partition (TCP keeps retransmitting).`,
        );
      }
    }
    from.held.push({ seq, message });
  }

  /** After a cut heals, stopped traffic is retransmitted where the path is open again. */
  private releaseHeld(): void {
    for (const from of [...this.holding]) {
      if (!from.processAlive || from.connection.aborted) {
        from.held = undefined;
        this.holding.delete(from);
        continue;
      }
      if (!this.canReach(from.local, from.remote)) continue;
      const held = from.held ?? [];
      from.held = undefined;
      this.holding.delete(from);
      for (const { seq, message } of held) this.send(from, seq, message);
    }
  }

  closeGracefully(from: Endpoint): void {
    if (!from.isOpen) {
      from.closed = true;
      return;
    }
    from.closed = true;
    if (from.peer.closed) this.connections.delete(from.connection.id);
    // The FIN is the last message of this direction: it arrives after the data sent before it.
    this.send(from, from.sendSeq++, FIN);
  }

  /** The peer's FIN arrived: this side sees the connection closed. */
  private finished(end: Endpoint): void {
    if (end.closed || !end.processAlive) return;
    end.closed = true;
    if (end.peer.closed) this.connections.delete(end.connection.id);
    end.onClose('closed');
  }

  private notifyClose(end: Endpoint, reason: CloseReason, delayMs: number): void {
    this.kernel.schedule(delayMs, () => {
      if (end.closed || !end.processAlive) return;
      end.closed = true;
      if (end.peer.closed) this.connections.delete(end.connection.id);
      end.onClose(reason);
    }, { node: end.local, label: `net.${reason}` });
  }

  /** For a SYN or an RST, which TCP does not hold: false (and a trace record) if it is lost or cut off. */
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

  /**
   * Extra delay of a data message lost on the link: each loss costs a retransmission timeout,
   * doubling up to 120 s. After 15 retransmissions (Linux `tcp_retries2`) TCP gives up: Infinity.
   */
  private retransmissionMs(from: string, to: string, link: Link): number {
    if (link.lossRate === 0) return 0;
    let extraMs = 0;
    let rtoMs = RETRANSMISSION_TIMEOUT_MS;
    for (let lost = 0; this.rng.chance(link.lossRate); lost++) {
      if (lost === MAX_RETRANSMISSIONS) return Infinity;
      extraMs += rtoMs;
      rtoMs = Math.min(rtoMs * 2, MAX_RETRANSMISSION_TIMEOUT_MS);
    }
    if (extraMs > 0 && this.kernel.trace.enabled) {
      this.kernel.trace.record(from, 'net.retransmitted', { from, to, delayMs: extraMs }, `A message from ${from} to ${to} was lost on the link and retransmitted (${extraMs} ms late).`);
    }
    return extraMs;
  }

  /** TCP gave up retransmitting: the connection breaks (ETIMEDOUT) once its retries ran out. */
  private giveUp(from: Endpoint): void {
    let totalMs = 0;
    for (let i = 0, rtoMs = RETRANSMISSION_TIMEOUT_MS; i <= MAX_RETRANSMISSIONS; i++, rtoMs = Math.min(rtoMs * 2, MAX_RETRANSMISSION_TIMEOUT_MS)) totalMs += rtoMs;
    const trace = this.kernel.trace;
    if (trace.enabled) {
      trace.record(from.local, 'net.dropped', { from: from.local, to: from.remote, reason: 'lost' }, `Every retransmission of a message from ${from.local} to ${from.remote} was lost: TCP will give up and reset the connection.`);
    }
    this.kernel.schedule(totalMs, () => this.reset(from.connection), { node: null, label: 'net.give-up' });
  }

  private delay(from: string, to: string): number {
    const link = this.links.get(linkKey(from, to)) ?? this.defaultLink;
    return link.jitterMs === 0 ? link.latencyMs : link.latencyMs + this.rng.int(0, link.jitterMs);
  }

  private dropped(from: string, to: string, reason: 'lost' | 'partitioned'): void {
    const trace = this.kernel.trace;
    if (!trace.enabled) return;
    trace.record(
      from,
      'net.dropped',
      { from, to, reason },
      `A connection handshake packet from ${from} to ${to} was ${reason === 'lost' ? 'lost on the link' : 'stopped by a network partition'}.`,
    );
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
