/**
 * Simulation-only session semantics: heartbeats, expiry under network cuts and node pauses,
 * what the client sees (states, CONNECTIONLOSS, SESSIONEXPIRED), timeout negotiation, the Kafka
 * common paths. These need virtual time and fault injection, so they run on the simulated
 * harness only.
 *
 * Timing facts used below (SimZooKeeperClient, ZooKeeper's ClientCnxn): with a granted timeout
 * T the client's read timeout is R = floor(2T/3) and it pings after P = floor(R/2) ms without
 * sending anything (T = 6000: R = 4000, P = 2000). The server expires a session exactly T after
 * it last heard from it. A client that gives up on its connection reconnects after a random
 * 0..999 ms pause; a connection attempt nobody answers waits `connectionTimeoutMs` (default T).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KAFKA_COMMON_PATHS } from '../../src/protocol/zk-paths.ts';
import { isZkError } from '../../src/protocol/zookeeper.ts';
import type { SimZooKeeperClient } from '../../src/zookeeper/index.ts';
import { allPaths } from '../../src/zookeeper/znode-tree.ts';
import { expectZkError } from './coordinator-suite.ts';
import { SimHarness, type SeenEvent } from './sim-harness.ts';

/** Latency 1 ms, no jitter: every time in a run can be computed by hand. */
const EXACT = { latencyMs: 1, jitterMs: 0 } as const;

const readTimeout = (t: number) => Math.floor((2 * t) / 3);
const pingInterval = (t: number) => Math.floor(readTimeout(t) / 2);

describe('heartbeats', () => {
  it.each([
    [6000, 2000],
    [9000, 3000],
    [30000, 10000],
  ])('an idle client with timeout %i ms pings every %i ms (a third of the timeout)', async (timeoutMs, expectedInterval) => {
    expect(pingInterval(timeoutMs)).toBe(expectedInterval);
    const h = new SimHarness({ link: EXACT, history: false });
    const a = await h.openSession({ sessionTimeoutMs: timeoutMs });
    // Connect: SYN at 1 ms, answer at 2, ConnectRequest reaches the server at 3, answer at 4.
    expect(h.kernel.nowMs).toBe(4);
    const heard = [h.session(a.sessionId)!.lastHeardMs];
    h.kernel.onStep(() => {
      const now = h.session(a.sessionId)?.lastHeardMs;
      if (now !== undefined && now !== heard.at(-1)) heard.push(now);
    });
    await h.kernel.runFor(10 * expectedInterval + 100);
    // Pings leave at 4 + k·P and reach the server 1 ms later.
    expect(heard).toEqual([3, ...Array.from({ length: 10 }, (_, k) => 5 + (k + 1) * expectedInterval)]);
  });

  it('an idle session never expires: one virtual hour of pings keeps it alive', async () => {
    const h = new SimHarness({ link: EXACT, history: false });
    const a = await h.openSession({ sessionTimeoutMs: 6000 });
    await h.run(() => a.create('/alive', 'yes', 'ephemeral'));
    // The create left at 4 ms (answered at 6); pings leave 2000 ms after the last send.
    expect(h.kernel.nowMs).toBe(6);
    await h.kernel.runFor(3_600_000);
    expect(h.records('zk.session.expired')).toEqual([]);
    expect(h.records('zk.client.timeout')).toEqual([]);
    expect(a.state).toBe('connected');
    expect(h.node('/alive')?.ephemeralOwner).toBe(a.sessionId);
    // Pings leave at 4 + k·2000 and arrive 1 ms later; the run ends at 3,600,006 ms.
    expect(h.session(a.sessionId)!.lastHeardMs).toBe(5 + 1800 * 2000);
  });

  it('requests count as traffic: a client that writes every second sends no ping', async () => {
    const h = new SimHarness({ link: EXACT, history: false });
    const a = await h.openSession({ sessionTimeoutMs: 6000 });
    await h.run(() => a.create('/n', '', 'persistent'));
    const heard = [h.session(a.sessionId)!.lastHeardMs];
    h.kernel.onStep(() => {
      const now = h.session(a.sessionId)!.lastHeardMs;
      if (now !== heard.at(-1)) heard.push(now);
    });
    const start = h.kernel.nowMs;
    await h.run(async () => {
      for (let i = 0; i < 10; i++) {
        await h.kernel.sleep(1000 - 2);
        await a.setData('/n', `${i}`);
      }
    });
    // Each write leaves 998 ms after the previous answer and reaches the server 1 ms later; no
    // ping ever fits in between (it would need 2000 ms without sending).
    expect(heard).toEqual([start - 1, ...Array.from({ length: 10 }, (_, i) => start + (i + 1) * 1000 - 1)]);
  });
});

describe('expiry when the client is cut off', () => {
  it('a client cut off for longer than its timeout: exact expiry, ephemerals deleted, watchers fire, the client sees disconnected then expired', async () => {
    const T = 6000;
    const h = new SimHarness({ link: EXACT, kafkaPaths: true });
    const a = h.newClient({ sessionTimeoutMs: T });
    const aStates = h.states(a);
    await h.run(() => a.connected());
    const b = await h.openSession({ sessionTimeoutMs: T });
    const seen: SeenEvent[] = [];
    await h.run(async () => {
      await a.create('/brokers/ids/1', '{"host":"a"}', 'ephemeral');
      await b.getData('/brokers/ids/1', h.watcher(seen, 'broker'));
      await b.getChildren('/brokers/ids', h.watcher(seen, 'ids'));
    });
    // Two pings later the cut falls right after a ping reached the server: its answer is lost,
    // so the client last heard the previous answer, P - 1 ms before the cut.
    await h.untilHeard(a.sessionId!);
    const L = await h.untilHeard(a.sessionId!);
    expect(h.kernel.nowMs).toBe(L);
    h.network.isolate(a.node);
    await h.kernel.runFor(T + 2000);
    h.network.heal();
    await h.kernel.runFor(2 * T);

    const expired = h.records('zk.session.expired');
    expect(expired.map((r) => [r.timeMs, r.data])).toEqual([
      [L + T, { session: a.sessionId, client: a.node, ephemerals: ['/brokers/ids/1'] }],
    ]);
    expect(h.records('zk.node.deleted').map((r) => [r.timeMs, r.data['path']])).toEqual([[L + T, '/brokers/ids/1']]);
    expect(h.node('/brokers/ids/1')).toBeUndefined();
    expect(h.server.sessionsOf(a.node)).toEqual([]);
    expect(seen.map((e) => [e.tag, e.type, e.path, e.atMs])).toEqual([
      ['broker', 'NodeDeleted', '/brokers/ids/1', L + T + 1],
      ['ids', 'NodeChildrenChanged', '/brokers/ids', L + T + 1],
    ]);
    // The client gives up R after the last answer it heard (the one before the lost one).
    const lastAnswer = L - pingInterval(T) + 1;
    expect(h.records('zk.client.timeout').map((r) => [r.timeMs, r.data['silentMs']])).toEqual([[lastAnswer + readTimeout(T), readTimeout(T)]]);
    expect(aStates.map((s) => s.state)).toEqual(['connected', 'disconnected', 'expired']);
    expect(aStates[1]!.atMs).toBe(lastAnswer + readTimeout(T));
    const healedAt = L + T + 2000;
    expect(aStates[2]!.atMs).toBeGreaterThan(healedAt);
    // It learns of the expiry from the server's answer to its reconnection, one hop earlier.
    expect(h.records('zk.session.refused').map((r) => [r.timeMs + 1, r.data['session']])).toEqual([[aStates[2]!.atMs, a.sessionId]]);
    expect(b.state).toBe('connected');
  });

  // Margins. A cut at c heals at c + d. The server last heard the client at L ≤ c and expires it
  // at exactly L + T. Long cuts, d ≥ T + 10: L + T ≤ c + T < c + d, so it always expires (10 ms is
  // more than the 1–2 ms latency, only for clarity). Short cuts, d ≤ P - 10: the client last
  // heard an answer less than P + 4 ms (a ping interval plus a round trip of at most 4 ms) before
  // c, so it gives up no earlier than c + R - P - 4 = c + P - 4 > c + d: every reconnection
  // attempt is made after the heal and succeeds at once, by c + P + 999 + 6 < L + T. Between the
  // two the outcome depends on the ping phase and on a reconnection attempt made during the cut,
  // which waits a whole connection timeout (see the failing test further down).
  const T = 6000;
  const P = pingInterval(T);
  const cutKinds = fc.constantFrom('isolate', 'partition');

  async function cutRun(seed: number, phaseMs: number, cutMs: number, kind: 'isolate' | 'partition') {
    const h = new SimHarness({ seed, history: false });
    const a = h.newClient({ sessionTimeoutMs: T });
    const states = h.states(a);
    await h.run(() => a.connected());
    await h.run(() => a.create('/e', '', 'ephemeral'));
    const b = await h.openSession({ sessionTimeoutMs: T });
    const seen: SeenEvent[] = [];
    await h.run(() => b.exists('/e', h.watcher(seen, 'b')));
    await h.kernel.runFor(phaseMs);
    const cutAt = h.kernel.nowMs;
    const lastHeard = h.session(a.sessionId)!.lastHeardMs;
    if (kind === 'isolate') h.network.isolate(a.node);
    else h.network.partition([[a.node], [h.server.node]]);
    await h.kernel.runFor(cutMs);
    h.network.heal();
    await h.kernel.runFor(3 * T);
    return { h, a, states, seen, cutAt, lastHeard };
  }

  it('property: a cut shorter than the ping interval (minus a margin) never expires the session', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: T }), fc.integer({ min: 0, max: P - 10 }), cutKinds, async (seed, phase, d, kind) => {
        const { h, a, states, seen } = await cutRun(seed, phase, d, kind);
        expect(h.records('zk.session.expired')).toEqual([]);
        expect(a.state).toBe('connected');
        expect(h.session(a.sessionId)?.client).toBe(a.node);
        expect(h.node('/e')?.ephemeralOwner).toBe(a.sessionId);
        expect(seen).toEqual([]);
        // It may have given up on the connection once (a lost ping), but only to reconnect.
        expect(states.map((s) => s.state).join(' ')).toMatch(/^connected( disconnected connected)*$/);
      }),
      { numRuns: 100 },
    );
  });

  it('property: a cut longer than the timeout (plus a margin) always expires the session at exactly last-heard + timeout', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: T }), fc.integer({ min: T + 10, max: 3 * T }), cutKinds, async (seed, phase, d, kind) => {
        const { h, a, states, seen, cutAt, lastHeard } = await cutRun(seed, phase, d, kind);
        expect(lastHeard).toBeLessThanOrEqual(cutAt);
        expect(h.records('zk.session.expired').map((r) => [r.timeMs, r.data['session']])).toEqual([[lastHeard + T, a.sessionId]]);
        expect(h.node('/e')).toBeUndefined();
        expect(seen.map((e) => e.type)).toEqual(['NodeDeleted']);
        expect(a.state).toBe('expired');
        expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'expired']);
        expect(states[1]!.atMs).toBeLessThan(lastHeard + T);
        expect(states[2]!.atMs).toBeGreaterThan(cutAt + d);
      }),
      { numRuns: 100 },
    );
  });

  // BUG (see the report): a reconnection attempt made during a cut sends a SYN that is dropped
  // and never retransmitted, then waits the whole connection timeout (= the session timeout), so
  // a session expires after a cut far shorter than its timeout. Here T = 12 s and the cut lasts
  // 5.5 s, starting right after a ping reached the server: the client gives up ~4 s into the cut
  // and tries again within a second, still inside the cut. With TCP, the SYN is retransmitted
  // 1 s and 3 s later, so the client is back by ~8 s after the cut began, long before L + 12 s.
  it('a cut of less than half the session timeout does not expire the session', async () => {
    for (const seed of [1, 2, 3]) {
      const h = new SimHarness({ seed, history: false });
      const a = await h.openSession({ sessionTimeoutMs: 12_000 });
      await h.run(() => a.create('/e', '', 'ephemeral'));
      await h.untilHeard(a.sessionId!);
      await h.untilHeard(a.sessionId!);
      h.network.isolate(a.node);
      await h.kernel.runFor(5500);
      h.network.heal();
      await h.kernel.runFor(30_000);
      expect({ seed, expiries: h.records('zk.session.expired').length, state: a.state }).toEqual({ seed, expiries: 0, state: 'connected' });
    }
  });
});

describe('what the client sees', () => {
  /**
   * A client (with ephemeral `/e`) cut off right after a ping reached the server (at the returned
   * `lastHeard`): it last heard an answer P - 1 ms earlier, so it gives up at lastHeard + P + 1.
   */
  async function cutUntilDisconnected(h: SimHarness, timeoutMs = 6000, connectionTimeoutMs?: number, before?: (client: SimZooKeeperClient) => Promise<unknown>) {
    const a = h.newClient({ sessionTimeoutMs: timeoutMs, ...(connectionTimeoutMs === undefined ? {} : { connectionTimeoutMs }) });
    const states = h.states(a);
    await h.run(() => a.connected());
    await h.run(() => a.create('/e', 'initial', 'ephemeral'));
    if (before !== undefined) await h.run(() => before(a));
    await h.untilHeard(a.sessionId!);
    const lastHeard = await h.untilHeard(a.sessionId!);
    h.network.isolate(a.node);
    return { a, states, lastHeard };
  }

  it('connected → disconnected → connected when it gets back in time; same session, ephemerals and watches kept', async () => {
    const h = new SimHarness({ link: EXACT });
    const b = await h.openSession();
    const seen: SeenEvent[] = [];
    await h.run(() => b.create('/w', 'v0', 'persistent'));
    const { a, states, lastHeard } = await cutUntilDisconnected(h, 6000, undefined, (client) => client.getData('/w', h.watcher(seen, 'a')));
    const sessionId = a.sessionId;
    await h.kernel.runUntil(() => a.state === 'disconnected');
    const disconnectedAt = h.kernel.nowMs;
    expect(disconnectedAt).toBe(lastHeard + 2001);
    h.network.heal();
    await h.kernel.runUntil(() => a.state === 'connected');
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'connected']);
    // Reconnects after a pause of 0..999 ms, plus two round trips (TCP, then ConnectRequest).
    expect(states[2]!.atMs - disconnectedAt).toBeGreaterThanOrEqual(4);
    expect(states[2]!.atMs - disconnectedAt).toBeLessThanOrEqual(999 + 4);
    expect(h.records('zk.session.reconnected').map((r) => [r.timeMs, r.data])).toEqual([[states[2]!.atMs - 1, { session: sessionId, client: a.node }]]);
    expect(a.sessionId).toBe(sessionId);
    expect(h.node('/e')?.ephemeralOwner).toBe(sessionId);
    // The watch set before the cut is still there.
    await h.run(() => b.setData('/w', 'v1'));
    await h.settle();
    expect(seen.map((e) => [e.type, e.path])).toEqual([['NodeDataChanged', '/w']]);
    expect(h.records('zk.session.expired')).toEqual([]);
  });

  it('operations issued while disconnected wait and complete after the reconnection', async () => {
    const h = new SimHarness({ link: EXACT });
    const { a, states } = await cutUntilDisconnected(h);
    await h.kernel.runUntil(() => a.state === 'disconnected');
    let doneAt = -1;
    const pending = h.start(
      async () => {
        const path = await a.create('/later', 'queued', 'persistent');
        doneAt = h.kernel.nowMs;
        return path;
      },
      { node: a.node },
    );
    await h.kernel.runFor(0);
    expect(pending.settled()).toBe(false);
    h.network.heal();
    await h.kernel.runUntil(() => pending.settled());
    expect(pending.outcome()).toEqual({ ok: true, value: '/later' });
    const reconnectedAt = states[2]!.atMs;
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'connected']);
    // Sent when the session came back, answered one round trip later.
    expect(doneAt).toBe(reconnectedAt + 2);
    expect(h.records('zk.node.created').filter((r) => r.data['path'] === '/later').map((r) => r.timeMs)).toEqual([reconnectedAt + 1]);
  });

  it('an operation in flight when the client gives up on the connection fails with CONNECTIONLOSS, yet may still happen: held in the cut, it reaches the server when the cut heals', async () => {
    const h = new SimHarness({ link: EXACT });
    // A short connection timeout, so that an attempt made during the cut does not outlast the session.
    const { a, states, lastHeard } = await cutUntilDisconnected(h, 6000, 500);
    const inFlight = h.start(() => a.setData('/e', 'lost'), { node: a.node });
    await h.kernel.runUntil(() => inFlight.settled());
    const error = inFlight.outcome()!.value;
    expect(isZkError(error, 'CONNECTIONLOSS')).toBe(true);
    expect((error as { path?: string }).path).toBe('/e');
    expect(h.kernel.nowMs).toBe(lastHeard + 2001);
    expect(states[1]!.atMs).toBe(lastHeard + 2001);
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected']);
    h.network.heal();
    await h.kernel.runUntil(() => a.state === 'connected');
    // TCP kept retransmitting the request; CONNECTIONLOSS means "may or may not have happened".
    const got = await h.run(() => a.getData('/e'));
    expect(got).toMatchObject({ data: 'lost', stat: { version: 1 } });
  });

  it('an operation in flight when the connection is reset fails with CONNECTIONLOSS at once; the client reconnects', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = h.newClient();
    const states = h.states(a);
    await h.run(() => a.connected());
    await h.run(() => a.create('/e', 'initial', 'ephemeral'));
    const inFlight = h.start(() => a.setData('/e', 'lost'), { node: a.node });
    await h.kernel.runFor(0);
    const resetAt = h.kernel.nowMs;
    h.network.resetBetween(a.node, h.server.node);
    await h.kernel.runUntil(() => inFlight.settled());
    expect(isZkError(inFlight.outcome()!.value, 'CONNECTIONLOSS')).toBe(true);
    expect(h.kernel.nowMs).toBe(resetAt);
    await h.kernel.runUntil(() => a.state === 'connected');
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'connected']);
    expect(await h.run(() => a.getData('/e'))).toMatchObject({ data: 'initial' });
  });

  it('after expiry, waiting operations and every later operation fail with SESSIONEXPIRED', async () => {
    const h = new SimHarness({ link: EXACT });
    const { a, states, lastHeard } = await cutUntilDisconnected(h);
    await h.kernel.runUntil(() => a.state === 'disconnected');
    const waiting = h.start(() => a.getData('/e'), { node: a.node });
    await h.kernel.runFor(7000);
    expect(h.records('zk.session.expired').map((r) => r.timeMs)).toEqual([lastHeard + 6000]);
    expect(waiting.settled()).toBe(false);
    h.network.heal();
    await h.kernel.runUntil(() => waiting.settled());
    expect(isZkError(waiting.outcome()!.value, 'SESSIONEXPIRED')).toBe(true);
    expect(a.state).toBe('expired');
    expect(h.kernel.nowMs).toBe(states[2]!.atMs);
    const before = h.kernel.nowMs;
    await h.run(async () => {
      await expectZkError(a.getData('/e'), 'SESSIONEXPIRED');
      await expectZkError(a.create('/x', '', 'persistent'), 'SESSIONEXPIRED');
      await expectZkError(a.exists('/'), 'SESSIONEXPIRED');
    });
    expect(h.kernel.nowMs).toBe(before);
    await h.run(() => a.close());
    expect(a.state).toBe('expired');
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'expired']);
  });

  it('close() while disconnected cannot reach the server: the ephemerals live until the session expires', async () => {
    const h = new SimHarness({ link: EXACT });
    const { a, states } = await cutUntilDisconnected(h);
    await h.kernel.runUntil(() => a.state === 'disconnected');
    const sessionId = a.sessionId!;
    await h.run(() => a.close());
    expect(a.state).toBe('closed');
    h.network.heal();
    // The pings held in the cut still reach the server after the heal and refresh the session:
    // it expires one timeout after the server last heard from it, and never closes.
    await h.kernel.runFor(100);
    const lastHeard = h.server.state.sessions[sessionId]!.lastHeardMs;
    expect(lastHeard).toBeGreaterThan(h.kernel.nowMs - 100);
    await h.kernel.runFor(lastHeard + 6000 - 1 - h.kernel.nowMs);
    expect(h.node('/e')?.ephemeralOwner).toBe(sessionId);
    await h.kernel.runFor(1);
    expect(h.node('/e')).toBeUndefined();
    expect(h.records('zk.session.expired').map((r) => [r.timeMs, r.data['ephemerals']])).toEqual([[lastHeard + 6000, ['/e']]]);
    expect(h.records('zk.session.closed')).toEqual([]);
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'closed']);
  });

  it('close() ends the session on the server; later operations fail with SESSIONEXPIRED; a second close() is harmless', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = await h.openSession();
    const states = h.states(a);
    await h.run(async () => {
      await a.create('/e1', '', 'ephemeral');
      await a.create('/e2', '', 'ephemeral');
      await a.close();
      await a.close();
      await expectZkError(a.getData('/'), 'SESSIONEXPIRED');
    });
    expect(a.state).toBe('closed');
    expect(states.map((s) => s.state)).toEqual(['closed']);
    expect(h.records('zk.session.closed').map((r) => r.data)).toEqual([{ session: a.sessionId, client: a.node, ephemerals: ['/e2', '/e1'] }]);
    expect(h.server.sessionsOf(a.node)).toEqual([]);
    expect(allPaths(h.server.state)).toEqual([]);
  });

  // BUG (see the report): the server closes the connection while the client is cut off, so the
  // FIN is lost; when the client's read timeout fires, RpcClient.close() is a no-op on a
  // connection that is no longer open, onClose never runs, and the client stays `connected`
  // forever: it never reconnects, never learns its session expired, and every operation fails
  // with CONNECTIONLOSS. ZooKeeper's client closes its socket and reconnects on a read timeout.
  it('a client whose connection the server closed while it was cut off still reconnects and learns it expired', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = h.newClient();
    const states = h.states(a);
    await h.run(() => a.connected());
    h.network.isolate(a.node);
    h.server.expireSession(a.sessionId!);
    await h.kernel.runFor(1000);
    h.network.heal();
    await h.kernel.runFor(20_000);
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'expired']);
  });
});

describe('a paused client node (GC pause)', () => {
  it('a pause longer than the timeout expires the session; the zombie learns it only after waking, and its write never applies', async () => {
    const T = 6000;
    const h = new SimHarness({ link: EXACT });
    const a = h.newClient({ sessionTimeoutMs: T });
    const states = h.states(a);
    await h.run(() => a.connected());
    const b = await h.openSession({ sessionTimeoutMs: T });
    const seen: SeenEvent[] = [];
    await h.run(async () => {
      await a.create('/controller', '{"brokerid":1}', 'ephemeral');
      await a.create('/data', 'v0', 'persistent');
      await b.exists('/controller', h.watcher(seen, 'b'));
    });
    const L = await h.untilHeard(a.sessionId!);
    h.kernel.pauseNode(a.node);
    await h.kernel.runFor(T + 2000);
    expect(h.records('zk.session.expired').map((r) => r.timeMs)).toEqual([L + T]);
    expect(seen.map((e) => [e.type, e.atMs])).toEqual([['NodeDeleted', L + T + 1]]);
    // Frozen, the client still believes it is connected.
    expect(a.state).toBe('connected');
    h.kernel.resumeNode(a.node);
    const zombie = h.start(() => a.setData('/data', 'zombie write'), { node: a.node });
    await h.kernel.runUntil(() => zombie.settled());
    expect(isZkError(zombie.outcome()!.value, 'CONNECTIONLOSS')).toBe(true);
    await h.kernel.runFor(3 * T);
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'expired']);
    expect(await h.run(() => b.getData('/data'))).toMatchObject({ data: 'v0', stat: { version: 0 } });
    await h.run(() => expectZkError(a.setData('/data', 'zombie again'), 'SESSIONEXPIRED'));
    expect(h.node('/controller')).toBeUndefined();
  });

  it('a pause shorter than the ping interval changes nothing', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = h.newClient();
    const states = h.states(a);
    await h.run(() => a.connected());
    await h.run(() => a.create('/e', '', 'ephemeral'));
    await h.untilHeard(a.sessionId!);
    h.kernel.pauseNode(a.node);
    await h.kernel.runFor(1500);
    h.kernel.resumeNode(a.node);
    await h.kernel.runFor(20_000);
    expect(states.map((s) => s.state)).toEqual(['connected']);
    expect(h.node('/e')?.ephemeralOwner).toBe(a.sessionId);
  });
});

describe('server.expireSession', () => {
  it('expires a session at once: ephemerals deleted, watchers fire, the client learns it when it reconnects', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = h.newClient();
    const states = h.states(a);
    await h.run(() => a.connected());
    const b = await h.openSession();
    const seen: SeenEvent[] = [];
    await h.run(async () => {
      await a.create('/lock', '', 'persistent');
      await a.create('/lock/owner', 'a', 'ephemeral');
      await b.getChildren('/lock', h.watcher(seen, 'b'));
    });
    await h.kernel.runFor(500);
    const now = h.kernel.nowMs;
    h.server.expireSession(a.sessionId!);
    expect(h.node('/lock/owner')).toBeUndefined();
    expect(h.server.sessionsOf(a.node)).toEqual([]);
    expect(h.records('zk.session.expired').map((r) => [r.timeMs, r.data['ephemerals']])).toEqual([[now, ['/lock/owner']]]);
    await h.kernel.runFor(3000);
    expect(seen.map((e) => [e.type, e.path, e.atMs])).toEqual([['NodeChildrenChanged', '/lock', now + 1]]);
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'expired']);
    // The server closes the connection (FIN at now + 1); the client reconnects within a second.
    expect(states[1]!.atMs).toBe(now + 1);
    expect(states[2]!.atMs - states[1]!.atMs).toBeLessThanOrEqual(999 + 4);
    expect(b.state).toBe('connected');
  });
});

describe('timeout negotiation', () => {
  it.each([
    [6000, 6000],
    [40000, 40000],
    [100000, 40000],
    [1000, 4000],
    [3999, 4000],
    [4000, 4000],
    [40001, 40000],
  ])('with tickTime 2000, asking for %i ms grants %i ms', async (asked, granted) => {
    const h = new SimHarness({ link: EXACT });
    const a = await h.openSession({ sessionTimeoutMs: asked });
    expect(a.sessionTimeoutMs).toBe(granted);
    expect(h.session(a.sessionId)!.timeoutMs).toBe(granted);
    expect(h.records('zk.session.created').map((r) => r.data['timeoutMs'])).toEqual([granted]);
    expect(h.server.negotiateTimeoutMs(asked)).toBe(granted);
  });

  it('the bounds follow tickTime: [2, 20] ticks', () => {
    const h = new SimHarness({ tickTimeMs: 500 });
    expect([100, 1000, 5000, 10000, 10001, 60000].map((t) => h.server.negotiateTimeoutMs(t))).toEqual([1000, 1000, 5000, 10000, 10000, 10000]);
  });

  it('the granted timeout, not the asked one, governs expiry and the ping interval', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = await h.openSession({ sessionTimeoutMs: 100_000 });
    const heard: number[] = [];
    h.kernel.onStep(() => {
      const now = h.session(a.sessionId)?.lastHeardMs;
      if (now !== undefined && now !== heard.at(-1)) heard.push(now);
    });
    await h.kernel.runFor(30_000);
    // Connected at 3 (server) / 4 (client); pings every floor(floor(80000/3)/2) = 13,333 ms from 4 ms.
    expect(heard).toEqual([3, 13_338, 26_671]);
    const L = h.session(a.sessionId)!.lastHeardMs;
    h.network.isolate(a.node);
    await h.kernel.runFor(45_000);
    expect(h.records('zk.session.expired').map((r) => r.timeMs)).toEqual([L + 40_000]);
  });
});

describe('Kafka common paths', () => {
  it('kafkaPaths: true creates the persistent paths of ZkUtils.setupCommonPaths, and nothing else', async () => {
    const h = new SimHarness({ kafkaPaths: true });
    expect(allPaths(h.server.state)).toEqual([
      '/admin',
      '/admin/delete_topics',
      '/brokers',
      '/brokers/ids',
      '/brokers/topics',
      '/config',
      '/config/changes',
      '/config/topics',
      '/consumers',
    ]);
    expect([...KAFKA_COMMON_PATHS].sort()).toEqual(['/admin/delete_topics', '/brokers/ids', '/brokers/topics', '/config/changes', '/config/topics', '/consumers']);
    const a = await h.openSession();
    const stats = await h.run(async () => Promise.all(KAFKA_COMMON_PATHS.map((path) => a.getData(path))));
    for (const { data, stat } of stats) {
      expect(data).toBe('');
      expect(stat).toMatchObject({ ephemeralOwner: null, version: 0, numChildren: 0 });
    }
    expect(await h.run(() => a.getChildren('/'))).toEqual(['admin', 'brokers', 'config', 'consumers']);
  });

  it('without kafkaPaths the tree is empty', async () => {
    const h = new SimHarness();
    expect(allPaths(h.server.state)).toEqual([]);
    const a = await h.openSession();
    expect(await h.run(() => a.getChildren('/'))).toEqual([]);
  });
});

describe('messages lost in a cut (network faults)', () => {
  /** A client cut off just after it heard a ping answer (so it will not give up soon). */
  async function setUp(h: SimHarness) {
    const a = h.newClient();
    const states = h.states(a);
    await h.run(() => a.connected());
    const b = await h.openSession();
    await h.run(() => b.create('/w', 'v0', 'persistent'));
    await h.untilHeard(a.sessionId!);
    await h.kernel.runFor(10);
    return { a, b, states };
  }

  // BUG (see the report): the network drops the message and keeps the connection open, so the
  // request is gone for good while later pings get through; the client has no request timeout
  // and its read timeout never fires. Over TCP the request is retransmitted after the heal.
  it('an operation whose request is dropped by a short cut still completes (or fails) instead of hanging', async () => {
    const h = new SimHarness({ link: EXACT });
    const { a } = await setUp(h);
    h.network.isolate(a.node);
    const op = h.start(() => a.getData('/w'), { node: a.node });
    await h.kernel.runFor(500);
    h.network.heal();
    await h.kernel.runFor(12_000);
    expect(op.settled()).toBe(true);
  });

  // BUG (see the report): same cause, on the server's side: the watch notification pushed
  // during the cut is dropped and never resent; the server has already removed the watch.
  it('a watch notification dropped by a short cut is still delivered', async () => {
    const h = new SimHarness({ link: EXACT });
    const { a, b } = await setUp(h);
    const seen: SeenEvent[] = [];
    await h.run(() => a.getData('/w', h.watcher(seen, 'a')));
    h.network.isolate(a.node);
    await h.run(() => b.setData('/w', 'v1'));
    await h.kernel.runFor(500);
    h.network.heal();
    await h.kernel.runFor(12_000);
    expect(h.records('zk.session.expired')).toEqual([]);
    expect(seen.map((e) => [e.type, e.path])).toEqual([['NodeDataChanged', '/w']]);
  });

  // BUG (see the report): the client reconnects to its live session on a new connection, but
  // the event the server pushed on the old one is lost. ZooKeeper's client re-sends its watches
  // with the last zxid it saw (SetWatches) and the server fires what changed since.
  it('a watch that fired while the client was cut off is delivered after it reconnects to the same session', async () => {
    const h = new SimHarness({ link: EXACT });
    const a = h.newClient({ connectionTimeoutMs: 500 });
    const states = h.states(a);
    await h.run(() => a.connected());
    const b = await h.openSession();
    const seen: SeenEvent[] = [];
    await h.run(async () => {
      await b.create('/w', 'v0', 'persistent');
      await a.getData('/w', h.watcher(seen, 'a'));
    });
    await h.untilHeard(a.sessionId!);
    h.network.isolate(a.node);
    await h.run(() => b.setData('/w', 'v1'));
    await h.kernel.runUntil(() => a.state === 'disconnected');
    await h.kernel.runFor(200);
    h.network.heal();
    await h.kernel.runFor(10_000);
    expect(states.map((s) => s.state)).toEqual(['connected', 'disconnected', 'connected']);
    expect(h.records('zk.session.expired')).toEqual([]);
    expect(seen.map((e) => [e.type, e.path])).toEqual([['NodeDataChanged', '/w']]);
  });
});
