/**
 * Scenario: the controller dies, or stalls and comes back as a zombie.
 *
 * Mechanism (Kafka 0.8.2): the controller holds the ephemeral /controller znode
 * (`ZookeeperLeaderElector`); when its session ends the znode goes, every broker runs `elect`,
 * the first to create it wins and `onControllerFailover` increments /controller_epoch
 * conditionally. Every controller request carries that epoch, and a broker that has seen a newer
 * one refuses older ones (`ReplicaManager.becomeLeaderOrFollower`: StaleControllerEpoch, 11;
 * `maybeUpdateMetadataCache`: ControllerMovedException). The zombie's requests are still in
 * flight in its `ControllerChannelManager`, which resends them until they are answered.
 */
import { describe, expect, it } from 'vitest';
import { produceRequest } from '../support/client.ts';
import { expectNoViolations, node, registeredBrokers, startCluster, traceOf, waitFor, zkControllerEpoch, zkState } from '../support/cluster.ts';

describe('controller failover', () => {
  it('a crashed controller is replaced once its session expires, with controller epoch 2', async () => {
    const { sim, monitor, client } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(sim.controllerId).toBe(3);
    expect(zkControllerEpoch(sim)).toBe(1);

    sim.applyFault({ kind: 'broker-crash', broker: 3 });
    const crashedAt = sim.kernel.nowMs;
    await waitFor(sim, () => sim.controllerId !== undefined && sim.controllerId !== 3, 'a new controller', 10_000);
    // Nothing happens before ZooKeeper expires the dead controller's session (6 s).
    expect(sim.kernel.nowMs - crashedAt).toBeGreaterThanOrEqual(6_000);
    expect(sim.controllerId).toBe(2);
    expect(zkControllerEpoch(sim)).toBe(2);
    expect(sim.brokerStates[2]!.controller).toMatchObject({ epoch: 2, liveBrokers: [1, 2] });
    expect(traceOf(sim, 'controller.elected').map((r) => r.data['broker'])).toEqual([3, 2]);

    // The new controller's UpdateMetadata teaches every live broker the new epoch.
    await waitFor(sim, () => sim.brokerStates[1]!.controllerEpoch === 2 && sim.brokerStates[2]!.controllerEpoch === 2, 'brokers to see epoch 2', 1_000);
    // The partition keeps its leader; the dead controller was only a follower of it.
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 0 });
    const write = await client.request(1, produceRequest('t', 0, ['m0'], { acks: 1 }));
    expect(write.statuses[0]!.errorCode).toBe(0);

    // The old controller comes back as an ordinary broker.
    sim.applyFault({ kind: 'broker-restart', broker: 3 });
    await waitFor(sim, () => registeredBrokers(sim).includes(3), 'broker 3 to register again', 20_000);
    await sim.runFor(1_000);
    expect(sim.controllerId).toBe(2);
    expect(sim.brokerStates[3]!.controllerId).toBe(2);
    expect(sim.brokerStates[3]!.controllerEpoch).toBe(2);
    expect(zkControllerEpoch(sim)).toBe(2);
    expectNoViolations(monitor);
  });

  it('a paused controller comes back as a zombie whose requests (epoch 1) are refused by a broker that knows epoch 2', async () => {
    const { sim, monitor } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(sim.controllerId).toBe(3);
    expect(sim.leaderOf('t', 0)).toBe(1);
    await sim.runFor(1_000);
    expect(sim.replica(2, 't', 0)).toMatchObject({ leader: 1, leaderEpoch: 0 });

    // Broker 2 cannot hear controller 3; broker 1, the leader, crashes. After its session expires
    // controller 3 elects broker 2 (epoch 1 decisions), but its LeaderAndIsr to broker 2 is held
    // up in the network.
    sim.applyFault({ kind: 'partition', groups: [[node(3)], [node(2)]] });
    sim.applyFault({ kind: 'broker-crash', broker: 1 });
    await waitFor(sim, () => zkState(sim, 't')?.leader === 2, 'controller 3 to elect broker 2', 10_000);
    expect(zkState(sim, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, controllerEpoch: 1 });
    await sim.runFor(50);
    expect(sim.replica(2, 't', 0)!.leader).toBe(1); // broker 2 has not been told

    // Controller 3 freezes in a long GC pause; its session expires and broker 2 takes over.
    sim.applyFault({ kind: 'pause', node: node(3) });
    await waitFor(sim, () => sim.controllerId === 2, 'broker 2 to become the controller', 10_000);
    expect(zkControllerEpoch(sim)).toBe(2);
    await waitFor(sim, () => sim.replica(2, 't', 0)!.leader === 2, 'broker 2 to lead t-0', 1_000);
    expect(sim.brokerStates[2]!.controllerEpoch).toBe(2);

    // The network heals while 3 still sleeps: its held LeaderAndIsr (epoch 1) reaches broker 2.
    sim.applyFault({ kind: 'heal' });
    await waitFor(sim, () => traceOf(sim, 'leader-and-isr.stale-controller').length > 0, 'the zombie request to arrive', 1_000);
    const fenced = traceOf(sim, 'leader-and-isr.stale-controller')[0]!;
    expect(fenced.node).toBe(node(2));
    expect(fenced.data).toEqual({ controllerId: 3, epoch: 1, known: 2 });
    expect(fenced.text).toContain('a zombie controller is fenced');

    // Resumed, the zombie keeps resending until it learns its session is gone, then resigns.
    sim.applyFault({ kind: 'resume', node: node(3) });
    await waitFor(sim, () => sim.brokerStates[3]!.controller === null && registeredBrokers(sim).includes(3), 'the zombie to resign and register again', 10_000);
    expect(traceOf(sim, 'controller.resigned').map((r) => r.node)).toEqual([node(3)]);
    // Every epoch-1 request that reached broker 2 after it knew epoch 2 was refused, none applied.
    const refused = [...traceOf(sim, 'leader-and-isr.stale-controller'), ...traceOf(sim, 'metadata.stale-controller')];
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((r) => r.node === node(2) && r.data['epoch'] === 1 && r.data['known'] === 2)).toBe(true);
    expect(sim.brokerStates[2]!.controllerEpoch).toBe(2);
    expect(sim.controllerId).toBe(2);
    expect(sim.replica(2, 't', 0)).toMatchObject({ leader: 2, leaderEpoch: 1 });
    expectNoViolations(monitor);
  });
});
