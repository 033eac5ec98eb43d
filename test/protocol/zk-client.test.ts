/**
 * The I0Itec-style ZkClient Kafka's brokers and consumers use: operations retried until
 * connected, a new session (and `onNewSession`) after an expiry, persistent subscriptions.
 */
import { describe, expect, it } from 'vitest';
import { ZkClient } from '../../src/protocol/zk-client.ts';
import { nodeEnvironment } from '../../src/sim/environment.ts';
import { Kernel, Network } from '../../src/sim/index.ts';
import { SimZooKeeperClient, ZooKeeperServer } from '../../src/zookeeper/index.ts';

function setup() {
  const kernel = new Kernel({ seed: 3, trace: 'off', history: false });
  const network = new Network(kernel);
  const server = new ZooKeeperServer(kernel, network, {});
  kernel.addNode('app');
  const env = nodeEnvironment(kernel, 'app');
  const zk = new ZkClient(env, {
    name: 'app/zk-event-thread',
    connect: () => new SimZooKeeperClient(kernel, network, { node: 'app', sessionTimeoutMs: 6000 }),
  });
  const run = async <T>(body: () => Promise<T>): Promise<T> => {
    let outcome: { value: T } | { error: unknown } | undefined;
    kernel.spawn('test', async () => {
      try {
        outcome = { value: await body() };
      } catch (error) {
        outcome = { error };
      }
    }, { node: 'app' });
    await kernel.runUntil(() => outcome !== undefined, { maxSteps: 1_000_000 });
    if ('error' in outcome!) throw outcome.error;
    return outcome!.value;
  };
  return { kernel, network, server, zk, run };
}

describe('ZkClient', () => {
  it('retries an operation until the session is connected', async () => {
    const { zk, run } = setup();
    expect(zk.isConnected).toBe(false);
    const path = await run(() => zk.create('/a', 'x', 'persistent'));
    expect(path).toBe('/a');
    expect(zk.isConnected).toBe(true);
  });

  it('opens a new session after an expiry, then calls the new-session listeners and re-fires subscriptions', async () => {
    const { kernel, server, zk, run } = setup();
    await run(() => zk.create('/members', '', 'persistent'));
    const renewed: string[] = [];
    const seen: Array<string[] | null> = [];
    zk.onNewSession(() => {
      renewed.push(zk.sessionId!);
    });
    zk.subscribeChildChanges('/members', (children) => {
      seen.push(children);
    });
    await kernel.runFor(100);
    const first = zk.sessionId!;
    server.expireSession(first);
    await kernel.runUntil(() => renewed.length === 1, { maxSteps: 100_000 });
    expect(renewed[0]).not.toBe(first);
    await kernel.runFor(100);
    // I0Itec calls every subscription after a new session: the listener re-reads the children.
    expect(seen).toEqual([[]]);
  });

  it('opens the new session even while a listener on the event thread waits for a connection', async () => {
    // Regression: the renewal was queued behind a listener blocked in retry-until-connected, which
    // waited for a connection that only the renewal could make: the client never came back.
    const { kernel, server, zk, run } = setup();
    await run(() => zk.create('/members', '', 'persistent'));
    let listenerDone = false;
    zk.subscribeDataChanges('/members', {
      changed: async () => {
        // A slow listener that talks to ZooKeeper while the session dies under it.
        await kernel.sleep(50);
        await zk.readData('/members');
        listenerDone = true;
      },
      deleted: () => {},
    });
    const renewed: number[] = [];
    zk.onNewSession(() => {
      renewed.push(kernel.nowMs);
    });
    await kernel.runFor(100);
    await run(() => zk.writeData('/members', 'changed'));
    await kernel.runFor(10);
    server.expireSession(zk.sessionId!);
    await kernel.runUntil(() => renewed.length === 1 && listenerDone, { maxSteps: 200_000 });
    expect(zk.isConnected).toBe(true);
  });
});
