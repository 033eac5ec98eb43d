/**
 * Scenario: the leader freezes in a GC pause longer than its ZooKeeper session timeout, and comes
 * back believing it still leads.
 *
 * Mechanism (Kafka 0.8.2): while it is frozen its session expires, the controller elects another
 * ISR member with leader epoch + 1 (`OfflinePartitionLeaderSelector`). On waking, the old leader
 * still answers requests that queued up meanwhile as leader of epoch 0: an acks=1 write is
 * appended and acknowledged (a zombie write). It cannot change anything shared: its ISR write to
 * the state znode is conditional on its cached zkVersion and is skipped (`Partition.updateIsr`:
 * "Cached zkVersion ... not equal to that in zookeeper, skip updating ISR"), so an acks=-1 write
 * never commits. When its client notices the expired session it registers again, the controller
 * sends it a LeaderAndIsr with the new leader (`onBrokerStartup`), and `makeFollowers` truncates
 * the zombie writes away. The parked acks=-1 produce is not re-checked by the demotion and ends
 * in RequestTimedOut (7) at its ackTimeoutMs (0.8.2 re-checks only on follower fetches and HW
 * changes).
 */
import { describe, expect, it } from 'vitest';
import { TestClient, fetchRequest, fetchedValues, produceRequest } from '../support/client.ts';
import { expectNoViolations, node, replicaValues, startCluster, traceOf, waitFor, waitForIsr, zkState } from '../support/cluster.ts';

describe('GC-paused leader', () => {
  it('comes back as a zombie: its acks=1 write is acknowledged then truncated, its acks=-1 write times out, its ISR write is fenced', async () => {
    const { sim, monitor, client } = await startCluster({
      seed: 4,
      brokers: 3,
      topics: [{ name: 't', partitions: 1, replicationFactor: 3 }],
      brokerConfig: { 'auto.leader.rebalance.enable': false },
    });
    expect(sim.leaderOf('t', 0)).toBe(1);
    await client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
    await sim.runFor(1_000);

    sim.applyFault({ kind: 'pause', node: node(1), durationMs: 10_000 });
    const pausedAt = sim.kernel.nowMs;
    await sim.runFor(100);
    // Two producers that still believe broker 1 leads: their requests wait in its socket.
    const zombieAcks1 = client.start(1, produceRequest('t', 0, ['zombie-acks1'], { acks: 1 }));
    const zombieAcksAll = client.start(1, produceRequest('t', 0, ['zombie-acks-all'], { acks: -1, ackTimeoutMs: 5_000 }));

    // Its session expires; broker 2 is elected with leader epoch 1 and takes a write.
    await waitFor(sim, () => zkState(sim, 't')?.leader === 2, 'broker 2 to be elected', 10_000);
    expect(zkState(sim, 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    const other = new TestClient(sim, 'client-2');
    const real = await other.request(2, produceRequest('t', 0, ['real'], { acks: -1 }));
    expect(real.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });

    // Broker 1 wakes up still leading epoch 0 and serves the queued requests.
    await waitFor(sim, () => zombieAcks1.settled, 'the zombie acks=1 write to be answered', 15_000);
    expect(zombieAcks1.response!.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 1, logStartOffset: 0 }]);
    const resumedAt = pausedAt + 10_000;
    expect(sim.acknowledged.filter((a) => a.broker === 1 && a.requiredAcks === 1).map((a) => [a.firstOffset, a.timeMs])).toEqual([[1, resumedAt]]);

    // Its attempt to shrink the ISR is refused by ZooKeeper (zkVersion 0 is stale).
    await waitFor(sim, () => traceOf(sim, 'isr.skipped').length > 0, 'the zombie ISR write to fail', 5_000);
    expect(traceOf(sim, 'isr.skipped').map((r) => [r.node, r.data['zkVersion']])).toEqual([[node(1), 0]]);
    expect(zkState(sim, 't')).toMatchObject({ leader: 2, leaderEpoch: 1 });

    // Demoted by the controller, it truncates the zombie writes (HW 1) and follows broker 2.
    await waitFor(sim, () => sim.replica(1, 't', 0)?.leader === 2, 'broker 1 to follow broker 2', 5_000);
    const demoted = traceOf(sim, 'partition.became-follower').filter((r) => r.node === node(1)).at(-1)!;
    expect(demoted.data).toMatchObject({ leader: 2, truncatedFrom: 3, truncatedTo: 1 });

    // The acks=-1 zombie write was never committed: RequestTimedOut (7) at its 5 s timeout, with
    // the offset it had been appended at.
    const timedOut = await zombieAcksAll.wait();
    expect(timedOut.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 7, offset: 2, logStartOffset: 0 }]);
    expect(traceOf(sim, 'produce.timed-out').map((r) => [r.node, r.timeMs])).toEqual([[node(1), resumedAt + 5_000]]);

    await waitForIsr(sim, 't', 0, [1, 2, 3]);
    for (const broker of [1, 2, 3]) expect(replicaValues(sim, broker, 't')).toEqual(['m0', 'real']);
    const read = await client.request(2, fetchRequest('t', 0, 0));
    expect(fetchedValues(read.partitions[0]!)).toEqual(['m0', 'real']);
    // A zombie still answering as leader of epoch 0 never coexists with another epoch-0 leader.
    expectNoViolations(monitor);
  });
});
