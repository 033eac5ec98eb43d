/**
 * Sessions of the real client against a real ZooKeeper server (tickTime 200 ms: timeouts are
 * granted within [400, 4000] ms), with a TCP proxy in between to cut the connection: what the
 * coordinator suite cannot say without faults. The same behaviour the simulated client shows in
 * test/zookeeper/sessions.test.ts: reconnection within the timeout keeps the session, its
 * ephemeral nodes and its watches; a client away longer than the timeout learns that its
 * session expired; pings keep an idle session alive; errors name the address and the problem.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isZkError, type KeeperState, type WatchedEvent } from '../../../src/protocol/zookeeper.ts';
import { RealZooKeeperClient, ZooKeeperConnectionError } from '../../../src/real/zookeeper/index.ts';
import { InvalidArgumentError } from '../../../src/sim/errors.ts';
import { requireClient, skipWithout } from '../../support/real-clients.ts';
import { expectZkError } from '../../zookeeper/coordinator-suite.ts';
import { RealHarness } from './real-harness.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { freePort, startZooKeeperServer, type ZooKeeperServerProcess } from './support/zookeeper-server.ts';

/** Polls `predicate` every 10 ms; fails naming `what` after `withinMs`. */
async function until(predicate: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipWithout('zookeeper'))('sessions on a real ZooKeeper server', () => {
  let server: ZooKeeperServerProcess | undefined;
  let h: RealHarness;
  let proxy: TcpProxy;
  beforeAll(async () => {
    requireClient('zookeeper');
    server = await startZooKeeperServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    h = await RealHarness.open(server!.address);
    proxy = await startTcpProxy(server!.port);
  });
  afterEach(async () => {
    await h.close();
    await proxy.close();
  });

  /** A session through the proxy, with every state change recorded. */
  async function proxied(sessionTimeoutMs: number): Promise<{ client: RealZooKeeperClient; states: KeeperState[] }> {
    const client = await h.openSession({ connect: proxy.address, sessionTimeoutMs });
    const states: KeeperState[] = [];
    client.onStateChange((state) => states.push(state));
    return { client, states };
  }

  it('the server grants a timeout within [2, 20] ticks; sessionId is hex and owns its ephemeral nodes', async () => {
    const short = await h.openSession({ sessionTimeoutMs: 50 });
    const long = await h.openSession({ sessionTimeoutMs: 60_000 });
    const asked = await h.openSession({ sessionTimeoutMs: 1000 });
    expect([short.sessionTimeoutMs, long.sessionTimeoutMs, asked.sessionTimeoutMs]).toEqual([400, 4000, 1000]);
    expect(short.sessionId).toMatch(/^0x[0-9a-f]+$/);
    await short.create(`${h.basePath}/e`, '', 'ephemeral');
    expect((await long.exists(`${h.basePath}/e`))?.ephemeralOwner).toBe(short.sessionId);
  });

  it('pings keep an idle session alive for several timeouts', async () => {
    const { client, states } = await proxied(1000);
    const id = client.sessionId;
    await client.create(`${h.basePath}/alive`, '', 'ephemeral');
    await sleep(3500);
    expect(states).toEqual([]);
    expect(client.state).toBe('connected');
    expect(client.sessionId).toBe(id);
    expect(await h.clients[0]!.exists(`${h.basePath}/alive`)).not.toBeNull();
  });

  it('a dropped connection is re-established within the timeout: same session, ephemeral nodes kept, watches fire for what changed meanwhile', async () => {
    const other = await h.openSession();
    const { client, states } = await proxied(4000);
    const id = client.sessionId;
    const seen: WatchedEvent[] = [];
    await client.create(`${h.basePath}/mine`, '', 'ephemeral');
    await other.create(`${h.basePath}/watched`, 'v0', 'persistent');
    await client.getData(`${h.basePath}/watched`, (event) => seen.push(event));
    proxy.block();
    await until(() => client.state === 'disconnected', 3000, 'the client noticing the cut');
    await other.setData(`${h.basePath}/watched`, 'changed while away');
    const pending = client.getData(`${h.basePath}/watched`);
    proxy.unblock();
    await until(() => client.state === 'connected', 3000, 'the reconnection');
    expect((await pending).data).toBe('changed while away');
    await h.settle();
    expect(states).toEqual(['disconnected', 'connected']);
    expect(client.sessionId).toBe(id);
    expect((await other.exists(`${h.basePath}/mine`))?.ephemeralOwner).toBe(id);
    expect(seen).toEqual([{ type: 'NodeDataChanged', path: `${h.basePath}/watched` }]);
  });

  it('a request in flight when the connection drops fails with CONNECTIONLOSS; the next one waits for the reconnection', async () => {
    const { client } = await proxied(4000);
    await client.create(`${h.basePath}/n`, 'x', 'persistent');
    proxy.block();
    const lost = client.getData(`${h.basePath}/n`);
    const error = await lost.then(
      () => undefined,
      (e: unknown) => e,
    );
    // The cut came first (the request never left) or after it was sent: either way no answer.
    if (error !== undefined) expect(isZkError(error, 'CONNECTIONLOSS')).toBe(true);
    await until(() => client.state === 'disconnected', 3000, 'the client noticing the cut');
    const later = client.getData(`${h.basePath}/n`);
    proxy.unblock();
    expect((await later).data).toBe('x');
  });

  it('a client cut off for longer than its timeout learns on return that its session expired: ephemeral nodes gone, operations SESSIONEXPIRED', async () => {
    const other = await h.openSession();
    const { client, states } = await proxied(400);
    await client.create(`${h.basePath}/gone`, '', 'ephemeral');
    const seen: WatchedEvent[] = [];
    await other.exists(`${h.basePath}/gone`, (event) => seen.push(event));
    proxy.block();
    await until(() => seen.length > 0, 5000, 'the server expiring the session');
    expect(seen).toEqual([{ type: 'NodeDeleted', path: `${h.basePath}/gone` }]);
    proxy.unblock();
    await until(() => client.state === 'expired', 5000, 'the client learning of the expiry');
    expect(states).toEqual(['disconnected', 'expired']);
    await expectZkError(client.exists(`${h.basePath}/gone`), 'SESSIONEXPIRED');
    expect(() => client.exists('bad')).toThrow(InvalidArgumentError);
  });

  it('close() ends the session for good: state closed, later operations SESSIONEXPIRED', async () => {
    const a = await h.openSession();
    await a.close();
    expect(a.state).toBe('closed');
    await expectZkError(a.getChildren('/'), 'SESSIONEXPIRED');
    await a.close();
    expect(a.state).toBe('closed');
  });

  it('connected() rejects naming the address when nothing answers there, within the connection timeout', async () => {
    const port = await freePort();
    const client = new RealZooKeeperClient({ connect: `127.0.0.1:${port}`, connectionTimeoutMs: 300, reconnectJitterMs: 20 });
    const started = performance.now();
    const error = await client.connected().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZooKeeperConnectionError);
    expect((error as Error).message).toContain(`ZooKeeper at 127.0.0.1:${port}: no session within 300 ms (last attempt: connection refused)`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(client.state).toBe('closed');
  });

  it('bad arguments are refused at the call, as by the simulated client, with nothing sent', async () => {
    const a = await h.openSession();
    expect(() => a.create('no-slash', '', 'persistent')).toThrow('ZooKeeper path must be a valid path (a path must start with /), got "no-slash"');
    expect(() => a.create(`${h.basePath}/x`, '', 'sticky' as never)).toThrow(InvalidArgumentError);
    expect(() => a.setData(`${h.basePath}/x`, 'd', -2)).toThrow('version must be');
    expect(() => new RealZooKeeperClient({ connect: 'localhost' })).toThrow('ZooKeeper address must be host:port with a port in 1..65535, got "localhost"');
    expect(() => new RealZooKeeperClient({ connect: '127.0.0.1:2181', sessionTimeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(await a.getChildren(h.basePath)).toEqual([]);
  });
});
