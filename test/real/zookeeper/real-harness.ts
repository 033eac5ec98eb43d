/**
 * The real backend of the coordinator suite: sessions are `RealZooKeeperClient`s connected to a
 * real ZooKeeper server (started by the test file). Each test gets a fresh persistent base node,
 * made and finally removed (with everything under it) by an admin session of the harness's own.
 *
 * `run` just awaits the body: time is real. `settle` makes a round trip on every open session:
 * the server queues a watch notification on a connection before it answers the request that
 * caused it, and answers each connection in order, so once a later request of that session is
 * answered, every notification due to it has been delivered.
 */
import { RealZooKeeperClient, type RealZooKeeperClientOptions } from '../../../src/real/zookeeper/index.ts';
import type { CoordinatorHarness, SessionOptions } from '../../zookeeper/coordinator-suite.ts';

let harnessCount = 0;

export class RealHarness implements CoordinatorHarness {
  readonly clients: RealZooKeeperClient[] = [];

  private constructor(
    readonly address: string,
    private readonly admin: RealZooKeeperClient,
    readonly basePath: string,
  ) {}

  /** Connects the admin session and creates the base node. */
  static async open(address: string): Promise<RealHarness> {
    const admin = new RealZooKeeperClient({ connect: address });
    await admin.connected();
    const basePath = await admin.create(`/kafkasim-test-${process.pid}-${++harnessCount}`, '', 'persistent');
    return new RealHarness(address, admin, basePath);
  }

  /** A new session handle (to the server unless `connect` says otherwise), connecting as it is made. */
  newClient(options: Partial<RealZooKeeperClientOptions> = {}): RealZooKeeperClient {
    const client = new RealZooKeeperClient({ connect: this.address, reconnectJitterMs: 50, ...options });
    this.clients.push(client);
    return client;
  }

  async openSession(options: SessionOptions & Partial<RealZooKeeperClientOptions> = {}): Promise<RealZooKeeperClient> {
    const client = this.newClient(options);
    await client.connected();
    return client;
  }

  run<T>(body: () => Promise<T>): Promise<T> {
    return body();
  }

  async settle(): Promise<void> {
    await Promise.all(this.clients.filter((c) => c.state === 'connected').map((c) => c.exists('/')));
  }

  /** Closes every session, then removes the base node and everything under it. */
  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    this.clients.length = 0;
    await this.removeTree(this.basePath);
    await this.admin.close();
  }

  private async removeTree(path: string): Promise<void> {
    for (const child of await this.admin.getChildren(path)) await this.removeTree(`${path}/${child}`);
    await this.admin.delete(path);
  }
}
