/**
 * Test support for the producer, group-consumer and delivery tests: client code run as kernel
 * tasks on client nodes, and readers for what the cluster holds (broker logs, trace records,
 * the consumer group's znodes).
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import { partitionKey } from '../../src/broker/state.ts';
import { messagesOf, payloadToString } from '../../src/protocol/message.ts';
import { lookup } from '../../src/zookeeper/znode-tree.ts';
import { parsePartitionState } from '../../src/protocol/zk-data.ts';
import type { KafkaRequest, ProduceRequest } from '../../src/protocol/api.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import type { BrokerConnection, Runtime } from '../../src/client/runtime.ts';
import { createConsumerConnector, type ConsumerConnector } from '../../src/client/group/consumer-connector.ts';
import type { ConsumerConfigInput } from '../../src/client/group/config.ts';
import type { KafkaStream } from '../../src/client/group/stream.ts';

export interface Started<T> {
  readonly settled: boolean;
  readonly failed: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
  readonly settledAtMs: number | undefined;
  /** The value, or the error thrown; fails if not settled. */
  result(): T;
}

/** Starts `body` as a kernel task on `node`; the test keeps driving the simulation. */
export function startOn<T>(sim: Simulation, node: string, name: string, body: () => Promise<T>): Started<T> {
  if (!sim.kernel.hasNode(node)) sim.kernel.addNode(node);
  const state = { settled: false, failed: false, value: undefined as T | undefined, error: undefined as unknown, settledAtMs: undefined as number | undefined };
  sim.kernel.spawn(
    name,
    async () => {
      try {
        state.value = await body();
      } catch (error) {
        state.failed = true;
        state.error = error;
      } finally {
        state.settled = true;
        state.settledAtMs = sim.kernel.nowMs;
      }
    },
    { node },
  );
  return {
    get settled() {
      return state.settled;
    },
    get failed() {
      return state.failed;
    },
    get value() {
      return state.value;
    },
    get error() {
      return state.error;
    },
    get settledAtMs() {
      return state.settledAtMs;
    },
    result() {
      if (!state.settled) throw new Error(`${name} did not finish`);
      if (state.failed) throw state.error;
      return state.value as T;
    },
  };
}

/** Runs `body` as a task on `node` and the simulation until it settles (at most `maxMs`). */
export async function runOn<T>(sim: Simulation, node: string, name: string, body: () => Promise<T>, maxMs = 600_000): Promise<Started<T>> {
  const task = startOn(sim, node, name, body);
  const deadline = sim.kernel.nowMs + maxMs;
  await sim.runUntil(() => task.settled || sim.kernel.nowMs > deadline, { maxSteps: 20_000_000, description: name });
  if (!task.settled) throw new Error(`${name} did not finish within ${maxMs} ms`);
  return task;
}

/** Runs until `predicate` holds; throws if `withinMs` of virtual time pass first. */
export async function runUntilWithin(sim: Simulation, predicate: () => boolean, what: string, withinMs = 120_000): Promise<void> {
  const deadline = sim.kernel.nowMs + withinMs;
  await sim.runUntil(() => predicate() || sim.kernel.nowMs > deadline, { maxSteps: 20_000_000, description: what });
  if (!predicate()) throw new Error(`${what}: not within ${withinMs} ms (now ${sim.kernel.nowMs} ms)`);
}

/** The values in broker `broker`'s replica of the partition, in offset order. */
export function logValues(sim: Simulation, broker: number, topic: string, partition: number): (string | null)[] {
  const key = partitionKey(topic, partition);
  const state = sim.brokerStates[broker];
  const ref = state?.partitions[key]?.log ?? state?.disk.logs[key];
  if (ref === undefined) return [];
  const batches = sim.stores.get(ref.storeId).slice(0, ref.batchCount);
  return [...messagesOf(batches)].map(({ message }) => payloadToString(message.value));
}

/** The values of the partition as its current leader holds them. */
export function leaderLogValues(sim: Simulation, topic: string, partition: number): (string | null)[] {
  const leader = sim.leaderOf(topic, partition);
  if (leader === undefined) throw new Error(`${topic}-${partition} has no leader`);
  return logValues(sim, leader, topic, partition);
}

export interface TraceRecord {
  readonly step: number;
  readonly timeMs: number;
  readonly node: string;
  readonly kind: string;
  readonly data: Record<string, unknown>;
  readonly text: string;
}

/** Trace records of a kind, optionally only from one node. */
export function traceOf(sim: Simulation, kind: string, node?: string): TraceRecord[] {
  return (sim.kernel.trace.records as readonly TraceRecord[]).filter((r) => r.kind === kind && (node === undefined || r.node === node));
}

/** The children of a znode (sorted), or [] when it does not exist. */
export function zkChildren(sim: Simulation, path: string): string[] {
  return Object.keys(lookup(sim.zookeeper.state, path)?.children ?? {}).sort();
}

/** A znode's data, or undefined. */
export function zkData(sim: Simulation, path: string): string | undefined {
  return lookup(sim.zookeeper.state, path)?.data;
}

/** `/consumers/<group>/owners/<topic>`: partition → owning thread id. */
export function zkOwners(sim: Simulation, group: string, topic: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const p of zkChildren(sim, `/consumers/${group}/owners/${topic}`)) out[Number(p)] = zkData(sim, `/consumers/${group}/owners/${topic}/${p}`)!;
  return out;
}

/** The offset committed to `/consumers/<group>/offsets/<topic>/<partition>`, or undefined. */
export function zkOffset(sim: Simulation, group: string, topic: string, partition: number): number | undefined {
  const data = zkData(sim, `/consumers/${group}/offsets/${topic}/${partition}`);
  return data === undefined ? undefined : Number(data);
}

export interface SentRequest {
  readonly timeMs: number;
  /** `host:port` of the broker. */
  readonly address: string;
  readonly request: KafkaRequest;
  /** One-way (a produce with acks=0). */
  readonly oneWay: boolean;
}

/** A runtime that records every request the client sends to brokers (api, time, contents). */
export function spyRuntime(sim: Simulation, node: string): { runtime: Runtime; sent: SentRequest[] } {
  const inner = simRuntime(sim, node);
  const sent: SentRequest[] = [];
  const runtime: Runtime = {
    ...inner,
    get recording() {
      return inner.recording;
    },
    async connect(host, port, options) {
      const connection = await inner.connect(host, port, options);
      const wrapped: BrokerConnection = {
        address: connection.address,
        get isOpen() {
          return connection.isOpen;
        },
        send(request, sendOptions) {
          sent.push({ timeMs: sim.kernel.nowMs, address: connection.address, request, oneWay: false });
          return connection.send(request, sendOptions);
        },
        sendOneWay(request) {
          connection.sendOneWay(request);
          sent.push({ timeMs: sim.kernel.nowMs, address: connection.address, request, oneWay: true });
        },
        close() {
          connection.close();
        },
      };
      return wrapped;
    },
  };
  return { runtime, sent };
}

/** The produce requests among `sent`. */
export function produceRequests(sent: readonly SentRequest[]): Array<SentRequest & { readonly request: ProduceRequest }> {
  return sent.filter((s): s is SentRequest & { request: ProduceRequest } => s.request.api === 'Produce');
}

/** The leader ZooKeeper records for the partition (-1: none), or undefined before the controller wrote it. */
export function zkLeader(sim: Simulation, topic: string, partition: number): number | undefined {
  const data = zkData(sim, `/brokers/topics/${topic}/partitions/${partition}/state`);
  return data === undefined ? undefined : parsePartitionState(data).leader;
}

/** Crashes broker `broker` and runs until the controller has recorded every partition it led as offline or moved. */
export async function crashBrokerAndWait(sim: Simulation, broker: number, partitions: ReadonlyArray<readonly [string, number]>): Promise<void> {
  sim.applyFault({ kind: 'broker-crash', broker });
  await runUntilWithin(sim, () => partitions.every(([t, p]) => zkLeader(sim, t, p) !== broker), `the controller to move the partitions of broker ${broker}`);
}

export interface Consumed {
  readonly consumer: string;
  readonly thread: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: string | null;
  readonly timeMs: number;
}

export interface GroupMember {
  readonly node: string;
  readonly connector: ConsumerConnector;
  /** Every message handed out by any of its streams, in order. */
  readonly consumed: Consumed[];
  /** The streams, once createMessageStreams returned. */
  streams: Record<string, KafkaStream[]> | undefined;
  /** What createMessageStreams threw, if it did. */
  startError: unknown;
}

/**
 * A high-level consumer of either mode (`group.coordination`) on its own node (`consumer.id` = the node name): createMessageStreams,
 * then one task per stream that records every message (unless `iterate` is false).
 */
export function startGroupConsumer(
  sim: Simulation,
  node: string,
  config: Omit<ConsumerConfigInput, 'zookeeper.connect'> & { 'zookeeper.connect'?: string },
  topicCountMap: Record<string, number>,
  options: { iterate?: boolean; runtime?: Runtime } = {},
): GroupMember {
  if (!sim.kernel.hasNode(node)) sim.kernel.addNode(node);
  const connector = createConsumerConnector(options.runtime ?? simRuntime(sim, node), {
    'zookeeper.connect': 'zookeeper:2181',
    'consumer.id': node,
    ...config,
  });
  const member: GroupMember = { node, connector, consumed: [], streams: undefined, startError: undefined };
  sim.kernel.spawn(
    `${node}/main`,
    async () => {
      try {
        member.streams = await connector.createMessageStreams(topicCountMap);
      } catch (error) {
        member.startError = error;
        return;
      }
      if (options.iterate === false) return;
      for (const streams of Object.values(member.streams)) {
        for (const stream of streams) {
          sim.kernel.spawn(
            `${node}/${stream.threadId}`,
            async () => {
              for await (const m of stream) {
                member.consumed.push({
                  consumer: node,
                  thread: stream.threadId,
                  topic: m.topic,
                  partition: m.partition,
                  offset: m.offset,
                  value: payloadToString(m.value),
                  timeMs: sim.kernel.nowMs,
                });
              }
            },
            { node },
          );
        }
      }
    },
    { node },
  );
  return member;
}

/** owned() as "topic-partition" → thread id. */
export function ownedBy(member: GroupMember): Record<string, string> {
  return Object.fromEntries(member.connector.owned().map((o) => [`${o.topic}-${o.partition}`, o.threadId]));
}
