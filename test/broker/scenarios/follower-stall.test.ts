/**
 * Scenario: both followers stop fetching (cut off from their leader, still alive in ZooKeeper).
 *
 * Mechanism (Kafka 0.8.2): the leader's `isr-expiration` task (every `replica.lag.time.max.ms`,
 * 10 s) runs `Partition.maybeShrinkIsr`: a follower that has not fetched for more than 10 s is
 * dropped and the leader writes the new ISR to the partition's state znode itself
 * (`Partition.updateIsr`, conditional on its cached zkVersion, leader epoch unchanged). The
 * controller is not told (0.8.x has no ISR-change notification). The shrink raises the high
 * watermark to the leader's LEO (`maybeIncrementLeaderHW`), which satisfies a parked acks=-1
 * produce (`DelayedProduce`: leader HW ≥ required offset) with the leader alone in the ISR.
 */
import { describe, expect, it } from 'vitest';
import { produceRequest } from '../support/client.ts';
import { expectNoViolations, node, replicaValues, startCluster, traceOf, waitForIsr, zkState } from '../support/cluster.ts';

describe('follower stall', () => {
  it('shrinks the ISR without the controller, and acks=-1 then completes with the leader alone', async () => {
    const { sim, monitor, client } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(sim.leaderOf('t', 0)).toBe(1);
    expect(sim.controllerId).toBe(3);
    await client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
    expect(zkState(sim, 't')).toEqual({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: 1, zkVersion: 0 });

    // The followers (and the controller, broker 3) are cut off from the leader, not from ZooKeeper.
    sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    const stalledAt = sim.kernel.nowMs;
    const pending = client.start(1, produceRequest('t', 0, ['m1'], { acks: -1, ackTimeoutMs: 30_000 }));
    await sim.runFor(9_000);
    expect(pending.settled).toBe(false); // the ISR still holds the followers: acks=-1 waits for them

    const response = await pending.wait();
    expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 1, logStartOffset: 0 }]);
    // Answered when the shrink landed: more than 10 s without a fetch, at an isr-expiration tick.
    expect(pending.settledAtMs! - stalledAt).toBeGreaterThan(10_000);
    expect(pending.settledAtMs! - stalledAt).toBeLessThan(20_100);

    // The leader wrote ISR [1] itself: same leader epoch, next zkVersion, the old controller epoch.
    expect(zkState(sim, 't')).toEqual({ leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1, zkVersion: 1 });
    const shrunk = traceOf(sim, 'isr.shrunk');
    expect(shrunk.map((r) => [r.node, r.data['isr']])).toEqual([[node(1), [1]]]);
    // The controller never heard of it: its cached leadership still has the full ISR.
    expect(sim.brokerStates[3]!.controller!.leadership['t-0']).toEqual({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0, controllerEpoch: 1 });
    expect(traceOf(sim, 'partition.leader.elected')).toHaveLength(1); // only the initial election
    // Acknowledged with acks=-1 although no follower has it.
    expect(replicaValues(sim, 1, 't')).toEqual(['m0', 'm1']);
    expect(replicaValues(sim, 2, 't')).toEqual(['m0']);
    expect(replicaValues(sim, 3, 't')).toEqual(['m0']);
    expect(sim.replica(1, 't', 0)!.highWatermark).toBe(2);

    // From now on acks=-1 is answered at once.
    const next = client.start(1, produceRequest('t', 0, ['m2'], { acks: -1 }));
    await next.wait();
    expect(next.response!.statuses[0]).toMatchObject({ errorCode: 0, offset: 2 });
    expect(next.settledAtMs! - next.startedAtMs).toBeLessThan(10);

    // Healed, the followers catch up and the leader adds them back (LEO ≥ HW), again by itself.
    sim.applyFault({ kind: 'heal' });
    await waitForIsr(sim, 't', 0, [1, 2, 3], 40_000);
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 0, controllerEpoch: 1 });
    expect(traceOf(sim, 'isr.expanded').every((r) => r.node === node(1))).toBe(true);
    for (const broker of [2, 3]) expect(replicaValues(sim, broker, 't')).toEqual(['m0', 'm1', 'm2']);
    expectNoViolations(monitor);
  });
});
