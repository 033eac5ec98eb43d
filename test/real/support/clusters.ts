/**
 * The two clusters the real runtime is tested against, behind one shape: kafkasim's own gateway
 * (started in-process, OS-assigned ports) and librdkafka's mock cluster (a kcat process holding it,
 * `startMockCluster` from bench/kcat.ts). Tests needing kcat are gated with
 * `skipWithout('kcat')` (test/support/real-clients.ts).
 */
import { startMockCluster } from '../../../bench/kcat.ts';
import { startGateway } from '../../../src/gateway/index.ts';

export interface TestCluster {
  readonly name: 'gateway' | 'mock';
  /** `host:port,host:port,...` */
  readonly bootstrap: string;
  stop(): Promise<void>;
}

/** A 3-broker gateway with `topics` (3 partitions, replication factor 2 each). */
export async function gatewayCluster(topics: readonly string[]): Promise<TestCluster> {
  const gateway = await startGateway({ brokers: 3, topics: topics.map((name) => ({ name, partitions: 3, replicationFactor: 2 })) });
  return { name: 'gateway', bootstrap: gateway.bootstrapServers, stop: () => gateway.stop() };
}

/** librdkafka 2.0.2's mock cluster of 3 brokers (topics appear on first use, 4 partitions). */
export async function mockCluster(): Promise<TestCluster> {
  const mock = await startMockCluster(3);
  return { name: 'mock', bootstrap: mock.bootstrap, stop: () => mock.stop() };
}

/** The first broker of a bootstrap list. */
export function firstBroker(bootstrap: string): { host: string; port: number } {
  const [host, port] = bootstrap.split(',')[0]!.split(':');
  return { host: host!, port: Number(port) };
}
