/**
 * Scenario: the leader crashes after acknowledging acks=1 writes its followers never fetched.
 *
 * Mechanism (Kafka 0.8.2): `KafkaApis.handleProducerOrOffsetCommitRequest` answers acks=1 as soon
 * as the leader appended; the controller (`OfflinePartitionLeaderSelector`) elects a live ISR
 * member, which never truncates (`Partition.makeLeader`); when the old leader returns,
 * `ReplicaManager.makeFollowers` truncates its log to its high watermark (read back from the
 * `replication-offset-checkpoint` file), discarding the acknowledged tail.
 */
import { describe, expect, it } from 'vitest';
import { fetchRequest, fetchedValues, produceRequest } from '../support/client.ts';
import { expectNoViolations, node, replicaValues, startCluster, traceOf, waitForIsr, waitForLeader, zkState } from '../support/cluster.ts';

describe('leader crash with acks=1', () => {
  it('loses the acknowledged but unreplicated tail: the old leader truncates it to its high watermark when it returns', async () => {
    const { sim, monitor, client } = await startCluster({
      seed: 4,
      brokers: 3,
      topics: [{ name: 't', partitions: 1, replicationFactor: 3 }],
      // Keep leadership where the failover put it (0.8.2 would move it back 5 s after a failover).
      brokerConfig: { 'auto.leader.rebalance.enable': false },
    });
    expect(sim.leaderOf('t', 0)).toBe(1);
    expect(sim.controllerId).toBe(3);

    // Two committed messages, and 6 s for the high-watermark checkpoint (every 5 s) to save HW 2.
    const committed = await client.request(1, produceRequest('t', 0, ['m0', 'm1'], { acks: -1 }));
    expect(committed.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 0, logStartOffset: 0 }]);
    await sim.runFor(6_000);
    expect(sim.brokerStates[1]!.disk.highWatermarkCheckpoint['t-0']).toBe(2);

    // The followers stop fetching; the leader still acknowledges acks=1 writes at once.
    sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    const offsets: number[] = [];
    for (const value of ['m2', 'm3', 'm4']) {
      const response = await client.request(1, produceRequest('t', 0, [value], { acks: 1 }));
      expect(response.statuses[0]!.errorCode).toBe(0);
      offsets.push(response.statuses[0]!.offset);
    }
    expect(offsets).toEqual([2, 3, 4]);
    expect(replicaValues(sim, 1, 't')).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(replicaValues(sim, 2, 't')).toEqual(['m0', 'm1']);
    expect(replicaValues(sim, 3, 't')).toEqual(['m0', 'm1']);
    expect(sim.replica(1, 't', 0)!.highWatermark).toBe(2);

    // The leader crashes (still with ISR [1,2,3]: it had no time to shrink it); broker 2, first
    // live ISR member in assignment order, is elected cleanly with leader epoch 1.
    sim.applyFault({ kind: 'broker-crash', broker: 1 });
    sim.applyFault({ kind: 'heal' });
    await waitForLeader(sim, 't', 0, 2);
    expect(zkState(sim, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    expect(traceOf(sim, 'partition.leader.elected').at(-1)!.data).toMatchObject({ leader: 2, leaderEpoch: 1, unclean: false });

    // The old leader returns as a follower, truncates 5 → 2 and rejoins the ISR.
    sim.applyFault({ kind: 'broker-restart', broker: 1 });
    await waitForIsr(sim, 't', 0, [1, 2, 3]);
    const becameFollower = traceOf(sim, 'partition.became-follower').filter((r) => r.node === node(1));
    expect(becameFollower.map((r) => r.data)).toEqual([
      { topic: 't', partition: 0, leader: 2, truncatedFrom: 5, truncatedTo: 2 },
    ]);
    expect(becameFollower[0]!.text).toContain('3 message(s) gone');
    for (const broker of [1, 2, 3]) expect(replicaValues(sim, broker, 't')).toEqual(['m0', 'm1']);

    // A consumer reading the new leader never sees the acknowledged m2–m4.
    const read = await client.request(2, fetchRequest('t', 0, 0));
    expect(fetchedValues(read.partitions[0]!)).toEqual(['m0', 'm1']);
    expect(read.partitions[0]!.highWatermark).toBe(2);
    expectNoViolations(monitor);
  });
});
