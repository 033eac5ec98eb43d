/**
 * The backend-independent coordinator semantics (test/zookeeper/coordinator-suite.ts), run
 * against a real ZooKeeper server (Debian's zookeeper 3.8, standalone, started here on loopback)
 * through `RealZooKeeperClient`: the same tests the simulated coordinator passes.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { requireClient, skipWithout } from '../../support/real-clients.ts';
import { defineCoordinatorSuite } from '../../zookeeper/coordinator-suite.ts';
import { RealHarness } from './real-harness.ts';
import { startZooKeeperServer, type ZooKeeperServerProcess } from './support/zookeeper-server.ts';

describe.skipIf(skipWithout('zookeeper'))('coordinator semantics on a real ZooKeeper server', () => {
  let server: ZooKeeperServerProcess | undefined;
  beforeAll(async () => {
    requireClient('zookeeper');
    server = await startZooKeeperServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  defineCoordinatorSuite('real ZooKeeper 3.8', () => RealHarness.open(server!.address));
});
