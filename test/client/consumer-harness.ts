/**
 * Test support for the consumer tests: a cluster, raw Produce requests from a producer node
 * over the client seam (the producer library is written elsewhere), and client code run as a
 * kernel task on its own node.
 */
import { createSimulation, type Simulation, type SimulationOptions } from '../../src/broker/simulation.ts';
import type { KafkaRequest, ProducePartitionStatus } from '../../src/protocol/api.ts';
import { createMessage, payloadToString, type Payload } from '../../src/protocol/message.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import type { Runtime } from '../../src/client/runtime.ts';
import { lookup } from '../../src/zookeeper/znode-tree.ts';
import { Log } from '../../src/broker/log/log.ts';
import { startOn } from './client-harness.ts';

export { startOn, type Started } from './client-harness.ts';

export async function cluster(options: Partial<SimulationOptions> & { topics: SimulationOptions['topics'] }): Promise<Simulation> {
  return createSimulation({ seed: 7, brokers: 3, ...options });
}

export interface ProduceOptions {
  readonly acks?: number;
  readonly node?: string;
  /** Send to this broker instead of the current leader. */
  readonly broker?: number;
  readonly key?: Payload | null;
}

/** One Produce request (one batch) of `values` to `topic`-`partition`; runs the simulation until answered. */
export async function produce(
  sim: Simulation,
  topic: string,
  partition: number,
  values: readonly Payload[],
  options: ProduceOptions = {},
): Promise<ProducePartitionStatus> {
  const node = options.node ?? 'producer';
  const runtime = simRuntime(sim, node);
  const broker = options.broker ?? sim.leaderOf(topic, partition);
  if (broker === undefined) throw new Error(`${topic}-${partition} has no leader`);
  const endpoint = sim.endpointOf(broker);
  return runOn(sim, node, `produce ${topic}-${partition}`, async () => {
    const connection = await runtime.connect(endpoint.host, endpoint.port);
    try {
      const response = await connection.send({
        api: 'Produce',
        clientId: 'test-producer',
        correlationId: 0,
        requiredAcks: options.acks ?? -1,
        ackTimeoutMs: 10_000,
        data: [{ topic, partition, messages: values.map((v) => createMessage(options.key ?? null, v)) }],
      });
      return response.statuses[0]!;
    } finally {
      connection.close();
    }
  });
}

/** `count` messages "<prefix><i>" in batches of `batch`. */
export async function produceMany(sim: Simulation, topic: string, partition: number, count: number, prefix: string, batch = 10): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const values = Array.from({ length: Math.min(batch, count - i) }, (_, j) => `${prefix}${i + j}`);
    const status = await produce(sim, topic, partition, values);
    if (status.errorCode !== 0) throw new Error(`produce failed with code ${status.errorCode}`);
  }
}

/** Runs `body` as a task on `node` and the simulation until it settles; returns or throws its outcome. */
export async function runOn<T>(sim: Simulation, node: string, name: string, body: () => Promise<T>, maxMs = 600_000): Promise<T> {
  const task = startOn(sim, node, name, body);
  const deadline = sim.kernel.nowMs + maxMs;
  await sim.runUntil(() => task.settled || sim.kernel.nowMs > deadline, { maxSteps: 50_000_000, description: name });
  return task.result();
}

export function runtimeOn(sim: Simulation, node: string): Runtime {
  return simRuntime(sim, node);
}

/** The values in a broker's log of the partition (all of it, not only below the HW). */
export function logValues(sim: Simulation, broker: number, topic: string, partition: number): string[] {
  const replica = sim.replica(broker, topic, partition);
  if (replica === undefined) return [];
  const log = Log.restore({ registry: sim.stores, nowMs: sim.kernel.nowMs }, replica.log);
  return [...log.messages()].map((m) => payloadToString(m.message.value) ?? '');
}

/** The committed offset kafka-python / the high-level consumer stored in ZooKeeper, or undefined. */
export function zkOffset(sim: Simulation, group: string, topic: string, partition: number): number | undefined {
  const node = lookup(sim.zookeeper.state, `/consumers/${group}/offsets/${topic}/${partition}`);
  return node === undefined ? undefined : Number(node.data);
}

/** Kills a client process: its tasks die, its connections are reset. */
export function crashClient(sim: Simulation, node: string): void {
  sim.kernel.killNode(node);
  sim.network.dropConnectionsOf(node, { notifyPeers: true });
}


/** A runtime that records every request its connections send (to see what a client asks for). */
export function recordingRuntime(sim: Simulation, node: string): { runtime: Runtime; requests: KafkaRequest[] } {
  const inner = simRuntime(sim, node);
  const requests: KafkaRequest[] = [];
  const runtime: Runtime = {
    ...inner,
    async connect(host, port, options) {
      const connection = await inner.connect(host, port, options);
      return {
        get address() {
          return connection.address;
        },
        get isOpen() {
          return connection.isOpen;
        },
        send(request, sendOptions) {
          requests.push(request);
          return connection.send(request, sendOptions);
        },
        sendOneWay(request) {
          requests.push(request);
          connection.sendOneWay(request);
        },
        close() {
          connection.close();
        },
      };
    },
  };
  return { runtime, requests };
}
