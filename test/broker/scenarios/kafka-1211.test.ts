/**
 * Scenario: the limit of 0.8.2's safe configuration (KAFKA-1211). Even with the topic's
 * min.insync.replicas = 2, unclean election off and acks=-1, a second failure during a failover
 * can lose an acknowledged message.
 *
 * Mechanism (Kafka 0.8.2): a follower learns the leader's high watermark one fetch late
 * (`ReplicaFetcherThread.processPartitionData`), so right after an acknowledgement its HW is
 * below the message. When its leader changes, `ReplicaManager.makeFollowers` truncates it to
 * that HW before it fetches from the new leader. If the new leader then fails too, the truncated
 * follower is still in the ISR and is elected cleanly (`OfflinePartitionLeaderSelector`) without
 * the message. Kafka 0.11 replaced HW truncation by leader epochs (KIP-101) to close this window.
 * When the old leader returns its log is longer than the new leader's and, unclean election being
 * off, `ReplicaFetcherThread.handleOffsetOutOfRange` halts it rather than truncate.
 */
import { describe, expect, it } from 'vitest';
import { InvariantMonitor } from '../../../src/broker/invariants.ts';
import { createSimulation } from '../../../src/broker/simulation.ts';
import { TestClient, fetchRequest, produceRequest } from '../support/client.ts';
import { node, replicaValues, safeTopic, traceOf, waitFor, zkState } from '../support/cluster.ts';

describe('KAFKA-1211', () => {
  it('0.8.2 loses an acknowledged acks=-1 write in the safe configuration when the new leader fails before a truncated follower refetched', async () => {
    const sim = await createSimulation({ seed: 4, brokers: 3, topics: [safeTopic('t')] });
    // Watch without stopping: the run is meant to break no-acknowledged-loss.
    const monitor = new InvariantMonitor(sim, undefined, { stopOnViolation: false });
    const client = new TestClient(sim);
    expect(sim.leaderOf('t', 0)).toBe(1);
    expect(sim.controllerId).toBe(3);

    const acked = await client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
    expect(acked.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 0, logStartOffset: 0 }]);
    // 1. The leader freezes at once: both followers hold m0 but still believe HW 0.
    sim.applyFault({ kind: 'pause', node: node(1), durationMs: 20_000 });
    for (const follower of [2, 3]) expect(sim.replica(follower, 't', 0)).toMatchObject({ highWatermark: 0, log: { logEndOffset: 1 } });

    // 2. Four seconds later broker 2 crashes; ZooKeeper still lists it until its session expires.
    await sim.runFor(4_000);
    sim.applyFault({ kind: 'broker-crash', broker: 2 });

    // 3. Broker 1's session expires first: the controller elects broker 2 (first live ISR member in
    //    assignment order, as far as ZooKeeper knows), and broker 3 truncates to its HW to follow it.
    await waitFor(sim, () => zkState(sim, 't')?.leader === 2, 'broker 2 to be elected', 10_000);
    expect(zkState(sim, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    await waitFor(sim, () => sim.replica(3, 't', 0)?.leader === 2, 'broker 3 to follow broker 2', 1_000);
    const truncated = traceOf(sim, 'partition.became-follower').filter((r) => r.node === node(3)).at(-1)!;
    expect(truncated.data).toMatchObject({ leader: 2, truncatedFrom: 1, truncatedTo: 0 });
    expect(replicaValues(sim, 3, 't')).toEqual([]);

    // 4. Broker 2's session expires: broker 3, alone in the ISR, is elected cleanly, without m0.
    await waitFor(sim, () => zkState(sim, 't')?.leader === 3 && sim.replica(3, 't', 0)?.leader === 3, 'broker 3 to lead', 10_000);
    expect(zkState(sim, 't')).toMatchObject({ leader: 3, leaderEpoch: 2, isr: [3] });
    expect(traceOf(sim, 'partition.leader.elected').every((r) => r.data['unclean'] === false)).toBe(true);
    expect(monitor.violations.map((v) => [v.invariant, v.message])).toEqual([
      ['no-acknowledged-loss', 'message 0 of t-0, acknowledged by broker 1 with acks=-1 at ' + sim.acknowledged[0]!.timeMs + ' ms, is missing from the log of leader 3 (epoch 2)'],
    ]);
    const read = await client.request(3, fetchRequest('t', 0, 0));
    expect(read.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0, batches: [] });

    // 5. The old leader wakes up, follows broker 3, finds its own log longer and halts.
    await waitFor(sim, () => traceOf(sim, 'broker.halted').length > 0, 'broker 1 to halt', 30_000);
    expect(traceOf(sim, 'broker.halted').map((r) => r.node)).toEqual([node(1)]);
    expect(traceOf(sim, 'broker.halted')[0]!.text).toContain('log truncation is not allowed for topic t');
    expect(sim.broker(1).running).toBe(false);
    expect(replicaValues(sim, 1, 't')).toEqual(['m0']); // still on its disk, never served again
  });
});
