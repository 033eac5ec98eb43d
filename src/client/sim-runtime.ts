/**
 * The simulator's backend of the client seam: the one client module that sees both sides. A
 * client runs on a node of the simulation (so a partition can cut it off and a fault can kill it);
 * its connections are simulated TCP connections to the brokers, its ZooKeeper sessions go to the
 * simulated coordinator, its time is virtual and its randomness a seeded stream of its own.
 */
import type { KafkaRequest } from '../protocol/api.ts';
import type { Simulation } from '../broker/simulation.ts';
import { nodeEnvironment } from '../sim/environment.ts';
import { ConnectionError } from '../sim/network.ts';
import { RequestTimeoutError, RpcClient } from '../sim/rpc.ts';
import { SimZooKeeperClient } from '../zookeeper/client.ts';
import { BrokerConnectionError } from './errors.ts';
import { parseHostList, type BrokerConnection, type Runtime } from './runtime.ts';

/** A runtime for client code on `node` (created if missing) of `sim`. */
export function simRuntime(sim: Simulation, node: string): Runtime {
  const kernel = sim.kernel;
  if (!kernel.hasNode(node)) kernel.addNode(node);
  const env = nodeEnvironment(kernel, node, `client/${node}`);
  return {
    ...env,
    hostName: node,
    get recording() {
      return kernel.trace.enabled;
    },
    record(kind, data, text) {
      if (kernel.trace.enabled) kernel.trace.record(node, kind, data, text);
    },
    async connect(host, port, options = {}) {
      const address = `${host}:${port}`;
      try {
        const endpoint = await sim.network.connect(node, host, port, { timeoutMs: options.timeoutMs ?? 30_000 });
        return new SimBrokerConnection(new RpcClient<KafkaRequest, unknown>(kernel, endpoint), address);
      } catch (error) {
        throw toClientError(error, address);
      }
    },
    zookeeper(connectString, options) {
      const [server] = parseHostList(connectString, 'zookeeper.connect', 2181);
      return new SimZooKeeperClient(kernel, sim.network, {
        node,
        server: server!.host,
        port: server!.port,
        sessionTimeoutMs: options.sessionTimeoutMs,
        connectionTimeoutMs: options.connectionTimeoutMs,
      });
    },
  };
}

class SimBrokerConnection implements BrokerConnection {
  constructor(
    private readonly rpc: RpcClient<KafkaRequest, unknown>,
    readonly address: string,
  ) {}

  get isOpen(): boolean {
    return this.rpc.isOpen;
  }

  async send<R extends KafkaRequest>(request: R, options: { readonly timeoutMs?: number } = {}) {
    try {
      return (await this.rpc.request(request, {
        what: request.api,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      })) as never;
    } catch (error) {
      // A socket timeout closes the channel (`BlockingChannel.disconnect`).
      this.rpc.close();
      throw toClientError(error, this.address);
    }
  }

  sendOneWay(request: KafkaRequest): void {
    // Writing to a socket the peer has closed fails (the producer then retries on a new one).
    if (!this.rpc.isOpen) throw new BrokerConnectionError('closed', this.address, `${this.address}: connection closed by the broker`);
    this.rpc.send(request);
  }

  close(): void {
    this.rpc.close();
  }
}

function toClientError(error: unknown, address: string): unknown {
  if (error instanceof ConnectionError) return new BrokerConnectionError(error.reason, address, error.message);
  if (error instanceof RequestTimeoutError) return new BrokerConnectionError('request-timeout', address, error.message);
  return error;
}
