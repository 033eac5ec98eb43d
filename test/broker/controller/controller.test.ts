/**
 * The controller's leadership moves other than failures: preferred replica election (manual,
 * through /admin/preferred_replica_election, and 0.8.2's automatic leader rebalance).
 *
 * Mechanism (Kafka 0.8.2): `PreferredReplicaElectionListener` → `onPreferredReplicaElection` →
 * `PreferredReplicaPartitionLeaderSelector` (the first assigned replica leads if it is alive and
 * in the ISR; ISR unchanged; leader epoch + 1), then the admin path is deleted. With
 * `auto.leader.rebalance.enable` (0.8.2 default true) `checkAndTriggerPartitionRebalance` runs 5 s
 * after the controller's failover and every `leader.imbalance.check.interval.seconds` (300) and
 * does the same for a broker whose imbalance exceeds 10 %.
 */
import { describe, expect, it } from 'vitest';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { produceRequest } from '../support/client.ts';
import { expectNoViolations, startCluster, traceOf, waitFor, waitForIsr, waitForLeader, zkState, type Cluster } from '../support/cluster.ts';

/** Seed 4 (AR [1,2,3], controller 3): broker 1 crashes, broker 2 takes over, broker 1 returns to the ISR. */
async function failedOver(autoRebalance: boolean): Promise<Cluster> {
  const c = await startCluster({
    seed: 4,
    brokers: 3,
    topics: [{ name: 't', partitions: 1, replicationFactor: 3 }],
    brokerConfig: { 'auto.leader.rebalance.enable': autoRebalance },
  });
  await c.client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
  c.sim.applyFault({ kind: 'broker-crash', broker: 1 });
  await waitForLeader(c.sim, 't', 0, 2);
  c.sim.applyFault({ kind: 'broker-restart', broker: 1 });
  await waitForIsr(c.sim, 't', 0, [1, 2, 3]);
  expect(zkState(c.sim, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3, 1] });
  return c;
}

describe('preferred replica election', () => {
  it('moves leadership back to the first assigned replica, keeping the ISR, with leader epoch + 1, and clears the admin path', async () => {
    const c = await failedOver(false);
    await c.sim.runFor(10_000);
    expect(zkState(c.sim, 't')!.leader).toBe(2); // nothing moves it back by itself
    await c.sim.preferredReplicaElection([{ topic: 't', partition: 0 }]);
    await waitForLeader(c.sim, 't', 0, 1, 1_000);
    expect(zkState(c.sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 2, isr: [2, 3, 1] });
    expect(traceOf(c.sim, 'controller.preferred-election').map((r) => r.data)).toEqual([{ partitions: ['t-0'] }]);
    await waitFor(c.sim, () => lookup(c.sim.zookeeper.state, '/admin/preferred_replica_election') === undefined, 'the admin path to be deleted', 1_000);
    const write = await c.client.request(1, produceRequest('t', 0, ['m1'], { acks: -1 }));
    expect(write.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });
    expectNoViolations(c.monitor);
  });

  it('refuses when the preferred replica is not alive: leadership stays', async () => {
    const c = await failedOver(false);
    c.sim.applyFault({ kind: 'broker-crash', broker: 1 });
    await waitFor(c.sim, () => !c.sim.brokerStates[3]!.controller!.liveBrokers.includes(1), 'the controller to see broker 1 gone', 10_000);
    await c.sim.preferredReplicaElection([{ topic: 't', partition: 0 }]);
    await waitFor(c.sim, () => traceOf(c.sim, 'controller.state-change-failed').length > 0, 'the election to fail', 1_000);
    expect(traceOf(c.sim, 'controller.state-change-failed').at(-1)!.text).toContain('Preferred replica 1 for partition [t,0] is either not alive or not in the isr');
    expect(zkState(c.sim, 't')).toMatchObject({ leader: 2 });
    expectNoViolations(c.monitor);
  });

  it('0.8.2 automatic leader rebalance moves leadership back at the next imbalance check (every 300 s)', async () => {
    const c = await failedOver(true);
    const elections = () => traceOf(c.sim, 'partition.leader.elected').length;
    const before = elections();
    // The controller (broker 3) started its checks 5 s after its own failover, at startup.
    await c.sim.runFor(250_000);
    expect(zkState(c.sim, 't')!.leader).toBe(2);
    await waitForLeader(c.sim, 't', 0, 1, 60_000);
    expect(elections()).toBe(before + 1);
    const imbalance = traceOf(c.sim, 'controller.imbalance');
    expect(imbalance.map((r) => r.data)).toEqual([{ broker: 1, ratio: 1, partitions: ['t-0'] }]);
    const controllerStartedAt = traceOf(c.sim, 'controller.failover')[0]!.timeMs;
    expect(imbalance[0]!.timeMs).toBe(controllerStartedAt + 5_000 + 300_000);
    expect(zkState(c.sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 2 });
    expectNoViolations(c.monitor);
  });
});
