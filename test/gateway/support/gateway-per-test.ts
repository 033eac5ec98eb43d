/**
 * A gateway that lives for one test, and the raw connections the test opens to it: all closed
 * after the test, passed or failed, so no listener or socket outlives it into the next one.
 */
import { afterEach } from 'vitest';
import { startGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/index.ts';
import { RawConnection } from '../robustness/raw-connection.ts';

export interface GatewayPerTest {
  start(options: GatewayOptions): Promise<Gateway>;
  open(port: number): Promise<RawConnection>;
}

/** Call at the top of a test file: registers the cleanup that runs after each of its tests. */
export function gatewayPerTest(): GatewayPerTest {
  let gateway: Gateway | undefined;
  const connections: RawConnection[] = [];
  afterEach(async () => {
    for (const c of connections.splice(0)) c.destroy();
    await gateway?.stop();
    gateway = undefined;
  });
  return {
    async start(options) {
      gateway = await startGateway(options);
      return gateway;
    },
    async open(port) {
      const connection = await RawConnection.open(port);
      connections.push(connection);
      return connection;
    },
  };
}
