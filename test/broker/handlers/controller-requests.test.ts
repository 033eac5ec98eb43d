/**
 * The controller's requests (LeaderAndIsr 4, StopReplica 5, UpdateMetadata 6) and a broker's
 * ControlledShutdown (7), sent by hand the way a zombie controller or a confused broker would:
 * 0.8.2's `ReplicaManager.becomeLeaderOrFollower`, `stopReplicas`, `maybeUpdateMetadataCache` and
 * `KafkaController.shutdownBroker`.
 */
import { describe, expect, it } from 'vitest';
import type { ControlledShutdownRequest, LeaderAndIsrRequest, PartitionState, StopReplicaRequest, UpdateMetadataRequest } from '../../../src/protocol/api.ts';
import { expectNoViolations, startCluster, traceOf, waitFor, type Cluster } from '../support/cluster.ts';

/** Seed 4: broker 1 leads t-0 (leader epoch 0), brokers 2 and 3 follow, broker 3 is the controller (epoch 1). */
async function cluster(): Promise<Cluster> {
  const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
  await waitFor(c.sim, () => [2, 3].every((b) => c.sim.replica(b, 't', 0)?.leader === 1 && c.sim.brokerStates[b]!.metadata.partitions['t-0'] !== undefined), 'the cluster to settle', 1_000);
  expect(c.sim.brokerStates[2]!.controllerEpoch).toBe(1);
  return c;
}

const base = { clientId: 'id_3', correlationId: 0, controllerId: 3 };
/** t-0 with broker 2 as leader. */
const takeover = (leaderEpoch: number): PartitionState => ({ topic: 't', partition: 0, leader: 2, leaderEpoch, isr: [2, 3], zkVersion: 1, controllerEpoch: 1, replicas: [1, 2, 3] });

describe('controller requests', () => {
  it('refuses a LeaderAndIsr from an older controller epoch with StaleControllerEpoch (11) and changes nothing', async () => {
    const c = await cluster();
    const request: LeaderAndIsrRequest = { api: 'LeaderAndIsr', ...base, controllerEpoch: 0, partitionStates: [takeover(5)], leaders: [c.sim.endpointOf(2)] };
    const response = await c.client.request(2, request);
    expect(response).toEqual({ api: 'LeaderAndIsr', errorCode: 11, partitions: [] });
    expect(c.sim.replica(2, 't', 0)).toMatchObject({ leader: 1, leaderEpoch: 0 });
    expect(traceOf(c.sim, 'leader-and-isr.stale-controller').map((r) => r.data)).toEqual([{ controllerId: 3, epoch: 0, known: 1 }]);
    expectNoViolations(c.monitor);
  });

  it('refuses a LeaderAndIsr whose leader epoch is not newer with StaleLeaderEpoch (13) for that partition', async () => {
    const c = await cluster();
    const request: LeaderAndIsrRequest = { api: 'LeaderAndIsr', ...base, controllerEpoch: 1, partitionStates: [takeover(0)], leaders: [c.sim.endpointOf(2)] };
    const response = await c.client.request(2, request);
    expect(response).toEqual({ api: 'LeaderAndIsr', errorCode: 0, partitions: [{ topic: 't', partition: 0, errorCode: 13 }] });
    expect(c.sim.replica(2, 't', 0)).toMatchObject({ leader: 1, leaderEpoch: 0 });
    expectNoViolations(c.monitor);
  });

  it('refuses a StopReplica from an older controller epoch (11): the follower keeps fetching; from the current one it stops fetching and keeps its log', async () => {
    const c = await cluster();
    const stop = (controllerEpoch: number): StopReplicaRequest => ({ api: 'StopReplica', ...base, controllerEpoch, deletePartitions: false, partitions: [{ topic: 't', partition: 0 }] });
    expect(await c.client.request(2, stop(0))).toEqual({ api: 'StopReplica', errorCode: 11, partitions: [] });
    expect(c.sim.replica(2, 't', 0)!.fetchingFrom).toBe(1);
    expect(await c.client.request(2, stop(1))).toEqual({ api: 'StopReplica', errorCode: 0, partitions: [{ topic: 't', partition: 0, errorCode: 0 }] });
    expect(c.sim.replica(2, 't', 0)).toMatchObject({ fetchingFrom: null, leader: 1 });
  });

  it('refuses an UpdateMetadata from an older controller epoch, leaving the cache as it was (answered Unknown, -1, by 0.8.2.2)', async () => {
    const c = await cluster();
    const before = c.sim.brokerStates[2]!.metadata;
    const request: UpdateMetadataRequest = { api: 'UpdateMetadata', ...base, controllerEpoch: 0, partitionStates: [takeover(5)], aliveBrokers: [c.sim.endpointOf(2)] };
    expect(await c.client.request(2, request)).toEqual({ api: 'UpdateMetadata', errorCode: -1 });
    expect(c.sim.brokerStates[2]!.metadata).toEqual(before);
    expect(traceOf(c.sim, 'metadata.stale-controller').map((r) => r.data)).toEqual([{ controllerId: 3, epoch: 0, known: 1 }]);
  });

  it('answers a ControlledShutdown sent to a broker that is not the controller, or about an unknown broker, with Unknown (-1) and moves nothing', async () => {
    const c = await cluster();
    const shutdown = (brokerId: number): ControlledShutdownRequest => ({ api: 'ControlledShutdown', clientId: 'broker-1', correlationId: 0, brokerId });
    expect(await c.client.request(2, shutdown(1))).toEqual({ api: 'ControlledShutdown', errorCode: -1, partitionsRemaining: [] });
    expect(await c.client.request(3, shutdown(9))).toEqual({ api: 'ControlledShutdown', errorCode: -1, partitionsRemaining: [] });
    expect(c.sim.brokerStates[3]!.controller!.shuttingDownBrokers).toEqual([]);
    expect(c.sim.leaderOf('t', 0)).toBe(1);
  });
});
