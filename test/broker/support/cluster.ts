/**
 * Building and reading simulated clusters in broker tests: a cluster with its invariant monitor
 * and a test client; what ZooKeeper holds for a partition; what a replica's log holds.
 */
import { expect } from 'vitest';
import { InvariantMonitor } from '../../../src/broker/invariants.ts';
import { createSimulation, type Simulation, type SimulationOptions, type TopicSpec } from '../../../src/broker/simulation.ts';
import { partitionKey } from '../../../src/broker/state.ts';
import type { LogRef } from '../../../src/broker/log/log.ts';
import { partitionStatePath } from '../../../src/protocol/zk-paths.ts';
import { parseControllerEpoch, parsePartitionState, type PartitionStateData } from '../../../src/protocol/zk-data.ts';
import { messagesOf, payloadToString } from '../../../src/protocol/message.ts';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { TestClient, runUntilOrDeadline } from './client.ts';

export interface Cluster {
  readonly sim: Simulation;
  readonly monitor: InvariantMonitor;
  readonly client: TestClient;
}

/** A ready cluster (every topic led) with every invariant checked after every step. */
export async function startCluster(options: SimulationOptions): Promise<Cluster> {
  const sim = await createSimulation(options);
  const monitor = new InvariantMonitor(sim);
  return { sim, monitor, client: new TestClient(sim) };
}

/** The safe configuration of a topic (0.8.2.2: set on the topic, KAFKA-2114). */
export function safeTopic(name: string, partitions = 1, replicationFactor = 3): TopicSpec {
  return { name, partitions, replicationFactor, config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false } };
}

/** The partition's `state` znode, parsed, with its data version. */
export function zkState(sim: Simulation, topic: string, partition = 0): (PartitionStateData & { zkVersion: number }) | undefined {
  const node = lookup(sim.zookeeper.state, partitionStatePath(topic, partition));
  if (node === undefined) return undefined;
  return { ...parsePartitionState(node.data), zkVersion: node.version };
}

/** The value of /controller_epoch. */
export function zkControllerEpoch(sim: Simulation): number | undefined {
  const node = lookup(sim.zookeeper.state, '/controller_epoch');
  return node === undefined ? undefined : parseControllerEpoch(node.data);
}

/** The broker ids registered in /brokers/ids. */
export function registeredBrokers(sim: Simulation): number[] {
  return Object.keys(lookup(sim.zookeeper.state, '/brokers/ids')?.children ?? {}).map(Number).sort((a, b) => a - b);
}

/** The messages a log ref holds, as (offset, value). */
export function logContents(sim: Simulation, ref: LogRef): { offset: number; value: string | null }[] {
  const batches = sim.stores.get(ref.storeId).slice(0, ref.batchCount);
  return [...messagesOf(batches)].map(({ offset, message }) => ({ offset, value: payloadToString(message.value) }));
}

/** The values in broker `broker`'s replica of the partition (its running process's view, else its disk). */
export function replicaValues(sim: Simulation, broker: number, topic: string, partition = 0): (string | null)[] {
  const key = partitionKey(topic, partition);
  const state = sim.brokerStates[broker]!;
  const ref = state.partitions[key]?.log ?? state.disk.logs[key];
  return ref === undefined ? [] : logContents(sim, ref).map((m) => m.value);
}

/** Runs until `predicate` holds, failing the test if `withinMs` of virtual time pass first. */
export function waitFor(sim: Simulation, predicate: () => boolean, what: string, withinMs = 60_000): Promise<void> {
  return runUntilOrDeadline(sim, predicate, withinMs, what);
}

/** Waits until ZooKeeper's ISR of the partition is exactly `isr` (as a set). */
export async function waitForIsr(sim: Simulation, topic: string, partition: number, isr: readonly number[], withinMs = 60_000): Promise<void> {
  const want = [...isr].sort((a, b) => a - b).join(',');
  await waitFor(
    sim,
    () => [...(zkState(sim, topic, partition)?.isr ?? [])].sort((a, b) => a - b).join(',') === want,
    `the ISR of ${topic}-${partition} to be [${want}]`,
    withinMs,
  );
}

/** Waits until broker `leader` leads the partition (it believes it, and ZooKeeper says so). */
export async function waitForLeader(sim: Simulation, topic: string, partition: number, leader: number, withinMs = 60_000): Promise<void> {
  await waitFor(
    sim,
    () => zkState(sim, topic, partition)?.leader === leader && sim.replica(leader, topic, partition)?.leader === leader,
    `broker ${leader} to lead ${topic}-${partition}`,
    withinMs,
  );
}

/** The followers of the partition's current leader, in assignment order. */
export function followersOf(sim: Simulation, topic: string, partition = 0): number[] {
  const leader = sim.leaderOf(topic, partition)!;
  return sim.replica(leader, topic, partition)!.assignedReplicas.filter((id) => id !== leader);
}

/** Fails the test with every invariant violation the monitor saw. */
export function expectNoViolations(monitor: InvariantMonitor): void {
  expect(monitor.violations).toEqual([]);
}

/** Node name of a broker. */
export function node(broker: number): string {
  return `broker-${broker}`;
}

/** Trace records of a kind (full trace mode only). */
export function traceOf(sim: Simulation, kind: string): { step: number; node: string; data: Record<string, unknown>; text: string; timeMs: number }[] {
  return sim.kernel.trace.records
    .filter((r) => r.kind === kind)
    .map((r) => ({ step: r.step, node: r.node, data: r.data as Record<string, unknown>, text: r.text, timeMs: r.timeMs }));
}
