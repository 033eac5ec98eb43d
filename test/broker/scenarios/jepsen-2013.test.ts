/**
 * Scenario: Kyle Kingsbury's 2013 Jepsen test of Kafka 0.8. The ISR shrinks to the leader alone,
 * the leader keeps acknowledging acks=-1 writes by itself, then it is isolated from everything;
 * when its ZooKeeper session expires the controller must elect a stale replica or nobody.
 *
 * Mechanism (Kafka 0.8.2): `Partition.maybeShrinkIsr` leaves ISR = {leader}; acks=-1 then only
 * waits for the leader (`DelayedProduce`: leader HW ≥ required offset). On the leader's session
 * expiry `KafkaController.onBrokerFailure` runs `OfflinePartitionLeaderSelector`: no ISR member
 * is alive, so with `unclean.leader.election.enable` (0.8.2 default true) the first live assigned
 * replica leads with ISR = [it] ("There's potential data loss."). The old leader returns as a
 * follower: `makeFollowers` truncates it to its HW, its fetch is out of range, and
 * `ReplicaFetcherThread.handleOffsetOutOfRange` truncates it to the new leader's LEO; only the
 * lengths are reconciled, so its log keeps a divergent message below that.
 *
 * With the topic's `min.insync.replicas` = 2 and unclean election off (KAFKA-2114: on the topic,
 * not the broker), `Partition.appendMessagesToLeader` refuses acks=-1 writes while the ISR is
 * below 2 (NotEnoughReplicas, 19, nothing appended), the selector throws NoReplicaOnlineException
 * (the partition stays offline), `removeReplicaFromIsr` retains the last ISR member, and that
 * member is elected again when it returns: nothing acknowledged is lost.
 */
import { describe, expect, it } from 'vitest';
import { fetchRequest, fetchedValues, metadataRequest, produceRequest } from '../support/client.ts';
import { expectNoViolations, node, replicaValues, safeTopic, startCluster, traceOf, waitFor, waitForIsr, waitForLeader, zkState } from '../support/cluster.ts';

describe('the 2013 Jepsen scenario', () => {
  it('with 0.8.2 defaults, loses acknowledged acks=-1 writes: the isolated leader alone acked them and a stale replica is elected uncleanly', async () => {
    const { sim, monitor, client } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(sim.leaderOf('t', 0)).toBe(1);
    expect(sim.controllerId).toBe(3);
    await client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));

    // 1. The followers are cut off from the leader: after > 10 s the leader shrinks the ISR to itself.
    sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    await waitForIsr(sim, 't', 0, [1]);
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 0, isr: [1] });

    // 2. It acknowledges acks=-1 writes alone.
    for (const [value, offset] of [['w1', 1], ['w2', 2], ['w3', 3]] as const) {
      const response = await client.request(1, produceRequest('t', 0, [value], { acks: -1 }));
      expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset, logStartOffset: 0 }]);
    }
    expect(sim.acknowledged.filter((a) => a.requiredAcks === -1).map((a) => a.firstOffset)).toEqual([0, 1, 2, 3]);

    // 3. The leader is isolated from everything; its session expires after 6 s and the controller
    //    elects broker 2, which is not in the ISR: an unclean election, ISR [2], leader epoch 1.
    sim.applyFault({ kind: 'isolate', node: node(1) });
    await waitForLeader(sim, 't', 0, 2, 10_000);
    const elected = traceOf(sim, 'partition.leader.elected').at(-1)!;
    expect(elected.data).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2], unclean: true });
    expect(elected.text).toContain("there's potential data loss");

    // 4. Clients move to the new leader, which has only m0: a new write takes offset 1.
    const after = await client.request(2, produceRequest('t', 0, ['after'], { acks: -1 }));
    expect(after.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });

    // 5. Healed, the old leader follows broker 2: truncated to its HW (4, nothing), then out of
    //    range, then to the leader's LEO 2. Its offset 1 still holds w1, the leader's holds "after".
    sim.applyFault({ kind: 'heal' });
    await waitForIsr(sim, 't', 0, [1, 2, 3]);
    const truncated = traceOf(sim, 'log.truncated').filter((r) => r.node === node(1));
    expect(truncated.map((r) => r.data)).toEqual([{ topic: 't', partition: 0, from: 4, to: 2, reason: 'offset-out-of-range' }]);
    expect(replicaValues(sim, 2, 't')).toEqual(['m0', 'after']);
    expect(replicaValues(sim, 3, 't')).toEqual(['m0', 'after']);
    expect(replicaValues(sim, 1, 't')).toEqual(['m0', 'w1']);

    // What a consumer reads: w1, w2 and w3, acknowledged with acks=-1, are gone.
    const read = await client.request(2, fetchRequest('t', 0, 0));
    expect(fetchedValues(read.partitions[0]!)).toEqual(['m0', 'after']);
    // Kafka promises nothing for this configuration, so the no-loss checker does not watch it.
    expectNoViolations(monitor);
  });

  it('with min.insync.replicas=2 and unclean election off on the topic, loses nothing but rejects acks=-1 writes with NotEnoughReplicas (19) while under-replicated', async () => {
    const { sim, monitor, client } = await startCluster({ seed: 4, brokers: 3, topics: [safeTopic('t')] });
    expect(sim.topicConfig('t')).toMatchObject({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false });
    expect(sim.leaderOf('t', 0)).toBe(1);
    const first = await client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
    expect(first.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 });

    sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    await waitForIsr(sim, 't', 0, [1]);

    // Under-replicated: every acks=-1 write is refused before the append; acks=1 is not checked.
    for (const value of ['w1', 'w2']) {
      const refused = await client.request(1, produceRequest('t', 0, [value], { acks: -1 }));
      expect(refused.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 19, offset: -1, logStartOffset: -1 }]);
    }
    expect(replicaValues(sim, 1, 't')).toEqual(['m0']);
    expect(traceOf(sim, 'produce.rejected').map((r) => r.data['error'])).toEqual(['NotEnoughReplicas', 'NotEnoughReplicas']);

    // Isolated, the leader's session expires: nobody in the ISR is alive and the partition stays
    // offline; the controller keeps broker 1 as the last ISR member (leader -1, epoch 1).
    sim.applyFault({ kind: 'isolate', node: node(1) });
    await waitFor(sim, () => zkState(sim, 't')?.leader === -1, 'the partition to go offline', 10_000);
    expect(zkState(sim, 't')).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [1] });
    expect(traceOf(sim, 'controller.state-change-failed').at(-1)!.text).toContain('No broker in ISR for partition [t,0] is alive');
    expect(traceOf(sim, 'partition.leader.elected').filter((r) => r.data['unclean'] === true)).toEqual([]);
    // Clients learn it from any broker's metadata cache once the controller's UpdateMetadata lands.
    await waitFor(sim, () => sim.brokerStates[2]!.metadata.partitions['t-0']?.leader === -1, 'broker 2 to learn the partition is offline', 1_000);
    const metadata = await client.request(2, metadataRequest(['t']));
    expect(metadata.topics[0]!.partitions[0]).toMatchObject({ partition: 0, leader: -1, errorCode: 5 });
    const nowhere = await client.request(2, produceRequest('t', 0, ['w3'], { acks: -1 }));
    expect(nowhere.statuses[0]!.errorCode).toBe(6);

    // Healed, broker 1 (the last ISR member) is elected again with its log whole.
    sim.applyFault({ kind: 'heal' });
    await waitForLeader(sim, 't', 0, 1);
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 2 });
    await waitForIsr(sim, 't', 0, [1, 2, 3]);
    const ok = await client.request(1, produceRequest('t', 0, ['w4'], { acks: -1 }));
    expect(ok.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });
    for (const broker of [1, 2, 3]) expect(replicaValues(sim, broker, 't')).toEqual(['m0', 'w4']);
    expect(sim.acknowledged.filter((a) => a.requiredAcks === -1).map((a) => a.firstOffset)).toEqual([0, 1]);
    // The no-acknowledged-loss checker watched this safe topic at every step.
    expectNoViolations(monitor);
  });
});
