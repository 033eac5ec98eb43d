import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  InvalidArgumentError,
  Kernel,
  Network,
  RequestTimeoutError,
  RpcClient,
  RpcServer,
  UnknownNameError,
  type Endpoint,
  type LinkOptions,
} from '../../src/sim/index.ts';
import { thrownBy } from './support.ts';

const PORT = 9092;

interface Setup {
  k: Kernel;
  net: Network;
}

function setup(link: LinkOptions = { latencyMs: 5, jitterMs: 0 }, seed = 1, nodes = ['c', 's']): Setup {
  const k = new Kernel({ seed, trace: 'full' });
  for (const name of nodes) k.addNode(name);
  const net = new Network(k, { defaultLink: link });
  return { k, net };
}

/** Connects c → s:PORT (s accepting into `accepted`) and runs until the client has its endpoint. */
async function connected({ k, net }: Setup): Promise<{ client: Endpoint; server: Endpoint }> {
  let server: Endpoint | undefined;
  if (!net.isListening('s', PORT)) net.listen('s', PORT, (endpoint) => (server = endpoint));
  const future = net.connect('c', 's', PORT);
  await k.runUntil(() => future.settled);
  const outcome = future.outcome!;
  if (!outcome.ok) throw outcome.error;
  return { client: outcome.value, server: server! };
}

function collect(endpoint: Endpoint, k: Kernel): Array<[unknown, number]> {
  const received: Array<[unknown, number]> = [];
  endpoint.onMessage = (message) => received.push([message, k.nowMs]);
  return received;
}

function dropped(k: Kernel): Array<[string, string, unknown]> {
  return k.trace.records
    .filter((r) => r.kind === 'net.dropped')
    .map((r) => [r.data.from as string, r.data.to as string, r.data.reason]);
}

describe('Network connections', () => {
  it('connect resolves after exactly one round trip with an open endpoint on each side', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    let acceptedAt = -1;
    let server: Endpoint | undefined;
    s.net.listen('s', PORT, (endpoint) => {
      acceptedAt = s.k.nowMs;
      server = endpoint;
    });
    const future = s.net.connect('c', 's', PORT);
    let resolvedAt = -1;
    future.onSettled(() => (resolvedAt = s.k.nowMs));
    await s.k.runUntilIdle();
    expect(acceptedAt).toBe(5);
    expect(resolvedAt).toBe(10);
    const client = future.outcome?.ok ? future.outcome.value : undefined;
    expect(client?.local).toBe('c');
    expect(client?.remote).toBe('s');
    expect(client?.isOpen).toBe(true);
    expect(server?.local).toBe('s');
    expect(server?.remote).toBe('c');
    expect(s.net.openConnections('c')).toHaveLength(1);
    expect(s.net.openConnections('s')).toEqual(s.net.openConnections('c'));
  });

  it('a message sent over a link with latency 5 ms and no jitter arrives exactly 5 ms later', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    const atServer = collect(server, s.k);
    const atClient = collect(client, s.k);
    const sentAt = s.k.nowMs;
    client.send('ping');
    s.k.schedule(2, () => server.send('pong'));
    await s.k.runUntilIdle();
    expect(atServer).toEqual([['ping', sentAt + 5]]);
    expect(atClient).toEqual([['pong', sentAt + 7]]);
  });

  it('setLink changes one direction only with oneWay, both directions otherwise', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    s.net.setLink('c', 's', { latencyMs: 50 }, true);
    expect(s.net.link('c', 's')).toEqual({ latencyMs: 50, jitterMs: 0, lossRate: 0 });
    expect(s.net.link('s', 'c')).toEqual({ latencyMs: 5, jitterMs: 0, lossRate: 0 });
    const atServer = collect(server, s.k);
    const atClient = collect(client, s.k);
    const t0 = s.k.nowMs;
    client.send('up');
    server.send('down');
    await s.k.runUntilIdle();
    expect(atServer).toEqual([['up', t0 + 50]]);
    expect(atClient).toEqual([['down', t0 + 5]]);
    s.net.setLink('s', 'c', { latencyMs: 20 });
    expect(s.net.link('c', 's').latencyMs).toBe(20);
    expect(s.net.link('s', 'c').latencyMs).toBe(20);
  });

  it('every message arrives between latency and latency + jitter after it was sent, and both bounds are reached', async () => {
    const s = setup({ latencyMs: 10, jitterMs: 4 });
    const { client, server } = await connected(s);
    const received = collect(server, s.k);
    const sentAt = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      s.k.schedule(i * 20, () => {
        sentAt.set(i, s.k.nowMs);
        client.send(i);
      });
    }
    await s.k.runUntilIdle();
    const delays = received.map(([m, at]) => at - sentAt.get(m as number)!);
    expect(received).toHaveLength(300);
    expect(Math.min(...delays)).toBe(10);
    expect(Math.max(...delays)).toBe(14);
    expect(new Set(delays)).toEqual(new Set([10, 11, 12, 13, 14]));
  });

  it('delivers messages in send order on each connection and direction, whatever the latency and jitter (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 15 })), { minLength: 1, maxLength: 60 }),
        async (seed, latencyMs, jitterMs, sends) => {
          const s = setup({ latencyMs, jitterMs }, seed);
          const { client, server } = await connected(s);
          const atServer = collect(server, s.k);
          const atClient = collect(client, s.k);
          const sentAt: number[] = [];
          let time = 0;
          sends.forEach(([toServer, gap], i) => {
            time += gap;
            s.k.schedule(time, () => {
              sentAt[i] = s.k.nowMs;
              (toServer ? client : server).send(i);
            });
          });
          await s.k.runUntilIdle();
          const expectedUp = sends.flatMap(([toServer], i) => (toServer ? [i] : []));
          const expectedDown = sends.flatMap(([toServer], i) => (toServer ? [] : [i]));
          expect(atServer.map(([m]) => m)).toEqual(expectedUp);
          expect(atClient.map(([m]) => m)).toEqual(expectedDown);
          for (const [m, at] of [...atServer, ...atClient]) {
            const delay = at - sentAt[m as number]!;
            expect(delay).toBeGreaterThanOrEqual(latencyMs);
            expect(delay).toBeLessThanOrEqual(latencyMs + jitterMs);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('deliveries to a paused node wait until it resumes, then arrive in send order', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    const received = collect(server, s.k);
    const t0 = s.k.nowMs;
    s.k.pauseNode('s');
    client.send('a');
    s.k.schedule(3, () => client.send('b'));
    s.k.schedule(100, () => s.k.resumeNode('s'));
    await s.k.runUntilIdle();
    expect(received).toEqual([
      ['a', t0 + 100],
      ['b', t0 + 100],
    ]);
  });

  it('listen refuses a port already in use, and the returned function stops listening', () => {
    const s = setup();
    const stop = s.net.listen('s', PORT, () => {});
    expect(s.net.isListening('s', PORT)).toBe(true);
    const error = thrownBy(() => s.net.listen('s', PORT, () => {}));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe('port must be a port s is not already listening on, got 9092');
    stop();
    expect(s.net.isListening('s', PORT)).toBe(false);
    s.net.listen('s', PORT, () => {});
    expect(s.net.isListening('s', PORT)).toBe(true);
  });

  it('connect to a node that is not listening is refused after one round trip', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const future = s.net.connect('c', 's', PORT);
    let at = -1;
    future.onSettled(() => (at = s.k.nowMs));
    await s.k.runUntilIdle();
    expect(at).toBe(10);
    const error = future.outcome?.ok === false ? future.outcome.error : undefined;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ reason: 'refused', from: 'c', to: 's' });
    expect((error as Error).message).toBe('connection from c to s: refused (the remote process is down or not listening)');
  });

  it('connect to a killed node is refused even though its listener is still registered', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    s.net.listen('s', PORT, () => {});
    s.k.killNode('s');
    const future = s.net.connect('c', 's', PORT);
    await s.k.runUntilIdle();
    expect(future.outcome?.ok).toBe(false);
    expect((future.outcome as { error: ConnectionError }).error.reason).toBe('refused');
  });

  // BUG (network.ts listen/connect): listeners are not tied to the incarnation that registered
  // them, so after killNode + reviveNode the dead process's acceptor still accepts connections
  // (and the new process cannot listen on its port: "already listening"). Proposed fix: store
  // the node's incarnation with the acceptor and treat an older one as not listening.
  it('a revived node is not listening until its new process listens again', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const acceptedBy: string[] = [];
    s.net.listen('s', PORT, () => acceptedBy.push('old process'));
    s.k.killNode('s');
    s.k.reviveNode('s');
    expect(s.net.isListening('s', PORT)).toBe(false);
    const future = s.net.connect('c', 's', PORT);
    await s.k.runUntilIdle();
    expect(acceptedBy).toEqual([]);
    expect((future.outcome as { error: ConnectionError }).error?.reason).toBe('refused');
    s.net.listen('s', PORT, () => acceptedBy.push('new process'));
  });

  it('connect across a partition times out after the connect timeout', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    s.net.listen('s', PORT, () => {});
    s.net.partition([['c'], ['s']]);
    const future = s.net.connect('c', 's', PORT, { timeoutMs: 300 });
    let at = -1;
    future.onSettled(() => (at = s.k.nowMs));
    await s.k.runUntilIdle();
    expect(at).toBe(300);
    const error = (future.outcome as { error: ConnectionError }).error;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.reason).toBe('timeout');
    expect(error.message).toBe('connection from c to s: timed out (the remote did not answer: unreachable or paused)');
    expect(dropped(s.k)).toEqual([['c', 's', 'partitioned']]);
  });

  it('connect to a paused node succeeds (its OS answers the handshake) but the process accepts only when it resumes', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const acceptedAt: number[] = [];
    s.net.listen('s', PORT, () => acceptedAt.push(s.k.nowMs));
    s.k.pauseNode('s');
    const future = s.net.connect('c', 's', PORT, { timeoutMs: 50 });
    await s.k.runFor(60);
    expect(future.outcome?.ok).toBe(true);
    expect(acceptedAt).toEqual([]);
    s.k.resumeNode('s');
    await s.k.runFor(1);
    expect(acceptedAt).toEqual([60]);
  });

  it('connect from a killed and revived client never resolves into the new incarnation', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    let accepted = 0;
    s.net.listen('s', PORT, () => accepted++);
    const future = s.net.connect('c', 's', PORT, { timeoutMs: 100 });
    s.k.schedule(7, () => {
      s.k.killNode('c');
      s.k.reviveNode('c');
    });
    await s.k.runUntilIdle();
    expect(accepted).toBe(1);
    expect(future.settled).toBe(false); // the old process's timeout died with it
  });
});

describe('Network faults', () => {
  it('a link with lossRate 1 delivers nothing; after 15 lost retransmissions TCP gives up and resets the connection', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    const received = collect(server, s.k);
    let closedAt: number | undefined;
    client.onClose = () => (closedAt = s.k.nowMs);
    s.net.setLink('c', 's', { lossRate: 1 });
    const sentAt = s.k.nowMs;
    for (let i = 0; i < 20; i++) client.send(i);
    await s.k.runFor(60_000);
    expect(received).toEqual([]);
    expect(client.isOpen).toBe(true);
    await s.k.runUntilIdle();
    expect(received).toEqual([]);
    expect(client.isOpen).toBe(false);
    // 200 ms doubling to the 120 s cap: 200+400+…+102,400 (10 terms) + 6 × 120,000 = 924,600 ms.
    expect(closedAt).toBe(sentAt + 924_600);
    const record = s.k.trace.records.find((r) => r.kind === 'net.dropped')!;
    expect(record.text).toBe('Every retransmission of a message from c to s was lost: TCP will give up and reset the connection.');
  });

  it('a lossy link delivers every message, in order, late by retransmission timeouts; the same for the same seed', async () => {
    const run = async (seed: number) => {
      const s = setup({ latencyMs: 5, jitterMs: 0 }, seed);
      const { client, server } = await connected(s);
      const received = collect(server, s.k);
      s.net.setLink('c', 's', { lossRate: 0.5 });
      const sentAt = s.k.nowMs;
      for (let i = 0; i < 1000; i++) client.send(i);
      await s.k.runUntilIdle();
      return { messages: received.map(([m]) => m as number), times: received.map(([, t]) => t - sentAt) };
    };
    const first = await run(17);
    expect(first.messages).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // Arrival times never go back (head-of-line blocking) and some messages were retransmitted.
    expect(first.times.every((t, i) => i === 0 || t >= first.times[i - 1]!)).toBe(true);
    expect(first.times[first.times.length - 1]!).toBeGreaterThanOrEqual(5 + 200);
    expect(await run(17)).toEqual(first);
    expect((await run(18)).times).not.toEqual(first.times);
  });

  it('messages across a partition wait, with everything behind them, and flow in order when it heals', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    const received = collect(server, s.k);
    const t0 = s.k.nowMs;
    client.send('before'); // due at t0+5, but the cut comes first
    client.send('in flight'); // likewise
    s.k.schedule(2, () => s.net.partition([['c'], ['s']]));
    s.k.schedule(3, () => client.send('during'));
    s.k.schedule(10, () => s.net.heal());
    s.k.schedule(11, () => client.send('after'));
    await s.k.runUntilIdle();
    expect(received).toEqual([
      ['before', t0 + 15],
      ['in flight', t0 + 15],
      ['during', t0 + 15],
      ['after', t0 + 16],
    ]);
    expect(s.k.trace.records.filter((r) => r.kind === 'net.held').map((r) => r.data)).toEqual([{ from: 'c', to: 's', connection: 1 }]);
    expect(client.isOpen).toBe(true);
  });

  it('partition cuts only pairs in different groups; nodes in no group keep their links', () => {
    const s = setup(undefined, 1, ['a', 'b', 'c', 'd', 'e']);
    s.net.partition([['a', 'b'], ['c']]);
    expect(s.net.canReach('a', 'b')).toBe(true);
    expect(s.net.canReach('a', 'c')).toBe(false);
    expect(s.net.canReach('c', 'b')).toBe(false);
    expect(s.net.canReach('d', 'a')).toBe(true);
    expect(s.net.canReach('d', 'c')).toBe(true);
    expect(s.net.cutPairs()).toEqual([
      ['a', 'c'],
      ['b', 'c'],
    ]);
    s.net.partition([['d'], ['e']]); // cuts add up
    expect(s.net.cutPairs()).toEqual([
      ['a', 'c'],
      ['b', 'c'],
      ['d', 'e'],
    ]);
    s.net.heal('c', 'a');
    expect(s.net.canReach('a', 'c')).toBe(true);
    expect(s.net.canReach('b', 'c')).toBe(false);
    s.net.heal();
    expect(s.net.cutPairs()).toEqual([]);
  });

  it('isolate cuts a node from every other node', () => {
    const s = setup(undefined, 1, ['a', 'b', 'c']);
    s.net.isolate('b');
    expect(s.net.cutPairs()).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    expect(s.net.canReach('a', 'c')).toBe(true);
    expect(s.net.canReach('b', 'b')).toBe(true);
  });

  it('a message in flight to a node that is killed and revived is not delivered to the new incarnation', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    const received = collect(server, s.k);
    client.send('to the old process');
    s.k.schedule(2, () => s.k.killNode('s'));
    s.k.schedule(3, () => s.k.reviveNode('s'));
    s.k.schedule(4, () => client.send('sent after the revive, on the old connection'));
    await s.k.runUntilIdle();
    expect(received).toEqual([]);
  });
});

describe('RPC over the network', () => {
  async function rpcSetup(link: LinkOptions = { latencyMs: 5, jitterMs: 0 }) {
    const s = setup(link);
    const requests: Array<[unknown, number]> = [];
    const replies: Array<(response: unknown) => void> = [];
    let rpcServer: RpcServer<unknown, unknown> | undefined;
    const serverClosed: string[] = [];
    s.net.listen('s', PORT, (endpoint) => {
      rpcServer = new RpcServer<unknown, unknown>(endpoint, {
        onRequest: (body, reply) => {
          requests.push([body, s.k.nowMs]);
          if (reply !== undefined) replies.push(reply);
        },
        onClose: (reason) => serverClosed.push(`${reason}@${s.k.nowMs}`),
      });
    });
    const { client } = await connected(s);
    const rpc = new RpcClient<unknown, unknown>(s.k, client);
    return { ...s, rpc, requests, replies, server: () => rpcServer!, serverClosed };
  }

  it('a request gets its response after one round trip', async () => {
    const t = await rpcSetup();
    const t0 = t.k.nowMs;
    const response = t.rpc.request('metadata');
    t.k.schedule(5, () => t.replies[0]!('brokers: 1'));
    let at = -1;
    response.onSettled(() => (at = t.k.nowMs));
    await t.k.runUntilIdle();
    expect(t.requests).toEqual([['metadata', t0 + 5]]);
    expect(response.outcome).toEqual({ ok: true, value: 'brokers: 1' });
    expect(at).toBe(t0 + 10);
    expect(t.rpc.inFlight).toBe(0);
  });

  it('call() hands the outcome to its callback inside the event that delivers the response', async () => {
    const t = await rpcSetup();
    const t0 = t.k.nowMs;
    const outcomes: string[] = [];
    t.rpc.call('offsets', {}, (outcome) => outcomes.push(`${JSON.stringify(outcome)}@${t.k.nowMs} step ${t.k.currentStep}`));
    t.k.schedule(5, () => t.replies[0]!(42));
    let deliveryStep = -1;
    t.k.onStep((step) => {
      if (t.k.nowMs === t0 + 10 && deliveryStep < 0) deliveryStep = step;
    });
    await t.k.runUntilIdle();
    expect(outcomes).toEqual([`{"ok":true,"value":42}@${t0 + 10} step ${deliveryStep}`]);
    t.rpc.close();
    const closed: string[] = [];
    t.rpc.call('late', { timeoutMs: 10 }, (outcome) => closed.push(outcome.ok ? 'ok' : (outcome.error as ConnectionError).reason));
    expect(closed).toEqual(['closed']); // synchronously, on a closed connection
  });

  it('responses are matched to their requests by correlation id, even out of order', async () => {
    const t = await rpcSetup();
    const a = t.rpc.request('a');
    const b = t.rpc.request('b');
    t.k.schedule(5, () => {
      t.replies[1]!('for b');
      t.replies[0]!('for a');
      t.replies[0]!('ignored: a second reply');
    });
    await t.k.runUntilIdle();
    expect(a.outcome).toEqual({ ok: true, value: 'for a' });
    expect(b.outcome).toEqual({ ok: true, value: 'for b' });
  });

  it('a request without a response within timeoutMs fails with RequestTimeoutError at exactly that time; a late response is ignored', async () => {
    const t = await rpcSetup();
    const t0 = t.k.nowMs;
    const response = t.rpc.request('fetch', { timeoutMs: 100, what: 'Fetch' });
    let at = -1;
    response.onSettled(() => (at = t.k.nowMs));
    t.k.schedule(150, () => t.replies[0]!('too late'));
    await t.k.runUntilIdle();
    expect(at).toBe(t0 + 100);
    const error = (response.outcome as { error: RequestTimeoutError }).error;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ to: 's', timeoutMs: 100, what: 'Fetch' });
    expect(error.message).toBe('Fetch to s got no response within 100 ms');
    expect(t.rpc.inFlight).toBe(0);
  });

  it('a response within the timeout cancels the timeout', async () => {
    const t = await rpcSetup();
    const response = t.rpc.request('x', { timeoutMs: 100 });
    t.k.schedule(5, () => t.replies[0]!('ok'));
    await t.k.runUntilIdle();
    expect(response.outcome).toEqual({ ok: true, value: 'ok' });
  });

  it('a reset fails every request in flight with ConnectionError reason reset, then tells both sides', async () => {
    const t = await rpcSetup();
    const futures = [t.rpc.request(1), t.rpc.request(2), t.rpc.request(3, { timeoutMs: 1000 })];
    const closed: string[] = [];
    t.rpc.onClose = (reason) => closed.push(`${reason}@${t.k.nowMs} inFlight=${t.rpc.inFlight}`);
    const resetAt = t.k.nowMs + 2;
    t.k.schedule(2, () => t.net.reset(t.rpc.endpoint.connection));
    await t.k.runUntilIdle();
    for (const future of futures) {
      const error = (future.outcome as { error: ConnectionError }).error;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.reason).toBe('reset');
      expect(error.message).toBe('connection from c to s: reset');
    }
    expect(closed).toEqual([`reset@${resetAt} inFlight=0`]);
    expect(t.serverClosed).toEqual([`reset@${resetAt}`]);
    expect(t.requests).toEqual([]); // in flight when the reset came: discarded
    expect(t.rpc.isOpen).toBe(false);
    expect(t.net.openConnections()).toEqual([]);
  });

  it('a request on a closed connection fails at once with ConnectionError reason closed', async () => {
    const t = await rpcSetup();
    t.rpc.close();
    const response = t.rpc.request('late');
    expect(response.outcome?.ok).toBe(false);
    expect((response.outcome as { error: ConnectionError }).error.reason).toBe('closed');
  });

  it('closing the client fails its requests in flight with reason closed; the server sees the close one latency later', async () => {
    const t = await rpcSetup();
    const response = t.rpc.request('pending');
    const closedAt = t.k.nowMs;
    t.rpc.close();
    expect((response.outcome as { error: ConnectionError }).error.reason).toBe('closed');
    await t.k.runUntilIdle();
    expect(t.serverClosed).toEqual([`closed@${closedAt + 5}`]);
    expect(t.requests).toEqual([['pending', closedAt + 5]]); // sent before the FIN: still arrives
  });

  it('data sent before a graceful close arrives before the close', async () => {
    const s = setup({ latencyMs: 5, jitterMs: 0 });
    const { client, server } = await connected(s);
    const log: string[] = [];
    client.onMessage = (m) => log.push(`message ${String(m)}@${s.k.nowMs}`);
    client.onClose = (reason) => log.push(`${reason}@${s.k.nowMs}`);
    const t0 = s.k.nowMs;
    server.send('last words');
    server.close();
    server.send('after close: never sent');
    await s.k.runUntilIdle();
    expect(log).toEqual([`message last words@${t0 + 5}`, `closed@${t0 + 5}`]);
  });

  it('server pushes arrive in order with the responses, and reach onPush', async () => {
    const t = await rpcSetup({ latencyMs: 3, jitterMs: 6 });
    const log: string[] = [];
    t.rpc.onPush = (body) => log.push(`push ${String(body)}`);
    t.k.schedule(1, () => {
      for (const n of [1, 2, 3]) t.rpc.request(n).onSettled((o) => log.push(`response ${String(o.ok && o.value)}`));
    });
    t.k.schedule(20, () => {
      t.server().push('w1');
      t.replies[0]!('r1');
      t.server().push('w2');
      t.replies[1]!('r2');
      t.replies[2]!('r3');
      t.server().push('w3');
    });
    await t.k.runUntilIdle();
    expect(log).toEqual(['push w1', 'response r1', 'push w2', 'response r2', 'response r3', 'push w3']);
  });

  it('one-way requests reach the server without a reply function', async () => {
    const t = await rpcSetup();
    t.rpc.send('acks=0 produce');
    await t.k.runUntilIdle();
    expect(t.requests.map(([body]) => body)).toEqual(['acks=0 produce']);
    expect(t.replies).toHaveLength(0);
    expect(t.rpc.inFlight).toBe(0);
  });

  it('dropConnectionsOf with notifyPeers: each peer sees a reset one latency later and its requests fail with reason reset', async () => {
    const t = await rpcSetup({ latencyMs: 7, jitterMs: 0 });
    const response = t.rpc.request('q');
    const closed: string[] = [];
    t.rpc.onClose = (reason) => closed.push(`${reason}@${t.k.nowMs}`);
    const t0 = t.k.nowMs;
    t.k.killNode('s');
    t.net.dropConnectionsOf('s', { notifyPeers: true });
    await t.k.runUntilIdle();
    expect(closed).toEqual([`reset@${t0 + 7}`]);
    expect((response.outcome as { error: ConnectionError }).error.reason).toBe('reset');
    expect(t.serverClosed).toEqual([]); // the dead side hears nothing
    expect(t.net.openConnections()).toEqual([]);
  });

  it('dropConnectionsOf without notifyPeers: the peer hears nothing; its requests in flight only time out', async () => {
    const t = await rpcSetup();
    const response = t.rpc.request('q', { timeoutMs: 500 });
    const closed: string[] = [];
    t.rpc.onClose = (reason) => closed.push(reason);
    const t0 = t.k.nowMs;
    t.k.killNode('s');
    t.net.dropConnectionsOf('s', { notifyPeers: false });
    let at = -1;
    response.onSettled(() => (at = t.k.nowMs));
    await t.k.runUntilIdle();
    expect(closed).toEqual([]);
    expect(at).toBe(t0 + 500);
    expect((response.outcome as { error: unknown }).error).toBeInstanceOf(RequestTimeoutError);
  });

  // BUG (network.ts dropConnectionsOf/finish + Endpoint.isOpen): both ends share one
  // `Connection.open` flag, so a silent drop (power loss: "they see nothing") flips the peer's
  // `isOpen` to false at once and its next request fails immediately with reason 'closed' instead
  // of going into the void and timing out.
  it('after a silent drop the peer still believes the connection is open: a new request times out', async () => {
    const t = await rpcSetup();
    t.k.killNode('s');
    t.net.dropConnectionsOf('s', { notifyPeers: false });
    expect(t.rpc.isOpen).toBe(true);
    const response = t.rpc.request('q', { timeoutMs: 100 });
    await t.k.runUntilIdle();
    expect((response.outcome as { error: unknown }).error).toBeInstanceOf(RequestTimeoutError);
  });

  it('resetBetween resets every connection between two nodes and no other', async () => {
    const s = setup({ latencyMs: 1, jitterMs: 0 }, 1, ['c', 's', 'x']);
    s.net.listen('s', PORT, () => {});
    s.net.listen('x', PORT, () => {});
    const toS = [s.net.connect('c', 's', PORT), s.net.connect('c', 's', PORT)];
    const toX = s.net.connect('c', 'x', PORT);
    await s.k.runUntilIdle();
    expect(s.net.openConnections()).toHaveLength(3);
    s.net.resetBetween('s', 'c');
    expect(s.net.openConnections().map((c) => c.server.local)).toEqual(['x']);
    for (const f of toS) expect((f.outcome as { value: Endpoint }).value.isOpen).toBe(false);
    expect((toX.outcome as { value: Endpoint }).value.isOpen).toBe(true);
  });
});

describe('Network input checks', () => {
  const s = setup();
  const cases: Array<[string, () => unknown, typeof InvalidArgumentError | typeof UnknownNameError, string]> = [
    ['a negative latency', () => s.net.setLink('c', 's', { latencyMs: -1 }), InvalidArgumentError, 'latencyMs must be a non-negative integer, got -1'],
    ['a fractional jitter', () => s.net.setLink('c', 's', { jitterMs: 0.5 }), InvalidArgumentError, 'jitterMs must be a non-negative integer, got 0.5'],
    ['a loss rate above 1', () => s.net.setLink('c', 's', { lossRate: 2 }), InvalidArgumentError, 'lossRate must be a probability between 0 and 1, got 2'],
    ['a bad default link', () => new Network(s.k, { defaultLink: { latencyMs: -3 } }), InvalidArgumentError, 'latencyMs must be a non-negative integer, got -3'],
    ['a link to an unknown node', () => s.net.setLink('c', 'zk', {}), UnknownNameError, 'unknown node "zk"; known: "c", "s"'],
    ['listening on an unknown node', () => s.net.listen('zk', PORT, () => {}), UnknownNameError, 'unknown node "zk"; known: "c", "s"'],
    ['port 0', () => s.net.listen('s', 0, () => {}), InvalidArgumentError, 'port must be an integer from 1 to 65535, got 0'],
    ['connecting from an unknown node', () => s.net.connect('x', 's', PORT), UnknownNameError, 'unknown node "x"; known: "c", "s"'],
    ['a negative connect timeout', () => s.net.connect('c', 's', PORT, { timeoutMs: -1 }), InvalidArgumentError, 'connect timeoutMs must be a non-negative integer, got -1'],
    ['a partition with one group', () => s.net.partition([['c', 's']]), InvalidArgumentError, 'partition groups must be an array of at least two groups of node names, got [["c","s"]]'],
    ['a partition with an empty group', () => s.net.partition([['c'], []]), InvalidArgumentError, 'partition group must be a non-empty array of node names, got []'],
    ['overlapping partition groups', () => s.net.partition([['c'], ['c', 's']]), InvalidArgumentError, 'partition groups must be disjoint groups (a node appears twice), got [["c"],["c","s"]]'],
    ['a partition naming an unknown node', () => s.net.partition([['c'], ['zk']]), UnknownNameError, 'unknown node "zk"; known: "c", "s"'],
    ['isolating an unknown node', () => s.net.isolate('zk'), UnknownNameError, 'unknown node "zk"; known: "c", "s"'],
  ];
  for (const [what, call, type, message] of cases) {
    it(`rejects ${what} with ${type.name}: "${message}"`, () => {
      const error = thrownBy(call);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toBe(message);
    });
  }

  it('a rejected partition leaves the cuts as they were', () => {
    const t = setup(undefined, 1, ['a', 'b', 'c']);
    thrownBy(() => t.net.partition([['a'], ['b'], ['zz']]));
    expect(t.net.cutPairs()).toEqual([]);
  });
});
