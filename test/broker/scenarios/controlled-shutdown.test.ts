/**
 * Scenario: a clean shutdown of a broker that leads partitions.
 *
 * Mechanism (Kafka 0.8.2): with `controlled.shutdown.enable` (0.8.2 default true)
 * `KafkaServer.controlledShutdown` asks the controller first (`ControlledShutdownRequest`); the
 * controller (`KafkaController.shutdownBroker`) adds the broker to `shuttingDownBrokerIds`, moves
 * every partition it leads to another ISR member with `ControlledShutdownLeaderSelector` (ISR
 * minus the shutting-down broker, leader epoch + 1), takes it out of the ISR of the partitions it
 * follows (`OfflineReplica`), and skips partitions with a single replica (0.8.2). The broker
 * stops only when none of its replicated partitions is led by it any more.
 */
import { describe, expect, it } from 'vitest';
import { produceRequest } from '../support/client.ts';
import { expectNoViolations, node, startCluster, traceOf, waitFor, zkState } from '../support/cluster.ts';

describe('controlled shutdown', () => {
  it('moves leadership to another ISR member before the broker stops: its partitions are leaderless for one network hop, not a session timeout', async () => {
    const { sim, monitor, client } = await startCluster({
      seed: 4,
      brokers: 3,
      topics: [
        { name: 't', partitions: 3, replicationFactor: 3 },
        { name: 'solo', partitions: 3, replicationFactor: 1 },
      ],
    });
    expect([0, 1, 2].map((p) => zkState(sim, 't', p)!.leader)).toEqual([1, 2, 3]);
    expect(zkState(sim, 'solo', 0)).toMatchObject({ leader: 1, isr: [1] });
    await waitFor(sim, () => [2, 3].every((b) => sim.replica(b, 't', 0)?.leader === 1), 'the followers to know their leader', 1_000);
    await client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));

    // Watch every step for how long t-0 has no broker that believes it leads it: only the time
    // between the old leader and the new one receiving their LeaderAndIsr (one network hop),
    // where a crash costs the whole ZooKeeper session timeout (6 s).
    let leaderlessSince: number | undefined;
    let longestGapMs = 0;
    const stop = sim.kernel.onStep(() => {
      const now = sim.kernel.nowMs;
      if (sim.leaderOf('t', 0) === undefined) leaderlessSince ??= now;
      else if (leaderlessSince !== undefined) {
        longestGapMs = Math.max(longestGapMs, now - leaderlessSince);
        leaderlessSince = undefined;
      }
    });
    await sim.controlledShutdown(1);
    stop();
    expect(leaderlessSince).toBeUndefined();
    expect(longestGapMs).toBeLessThanOrEqual(2);
    expect(sim.broker(1).running).toBe(false);

    const [stopped] = traceOf(sim, 'broker.stopped');
    const [done] = traceOf(sim, 'broker.controlled-shutdown-done');
    expect(done!.node).toBe(node(1));
    expect(done!.step).toBeLessThan(stopped!.step);
    // t-0 moved to broker 2 (first of ISR [1,2,3] minus 1) before broker 1 stopped.
    const tookOver = traceOf(sim, 'partition.became-leader').filter((r) => r.data['topic'] === 't' && r.data['partition'] === 0 && r.node === node(2));
    expect(tookOver.map((r) => r.data['leaderEpoch'])).toEqual([1]);
    expect(tookOver[0]!.step).toBeLessThan(stopped!.step);
    expect(zkState(sim, 't', 0)).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    // Partitions it followed lost it from their ISR (a controller change: leader epoch + 1).
    expect(zkState(sim, 't', 1)).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    expect(zkState(sim, 't', 2)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3, 2] });
    expect(traceOf(sim, 'broker.controlled-shutdown-retry')).toEqual([]);
    expect(traceOf(sim, 'broker.unclean-shutdown')).toEqual([]);

    // The acknowledged message is on the new leader, which takes writes at once.
    const next = await client.request(2, produceRequest('t', 0, ['m1'], { acks: -1 }));
    expect(next.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });

    // solo-0 has nowhere to go (0.8.2 skips single-replica partitions): it goes offline when the
    // broker's registration disappears, and the controller empties its ISR (unclean election on).
    await waitFor(sim, () => zkState(sim, 'solo', 0)?.leader === -1, 'solo-0 to go offline', 1_000);
    expect(zkState(sim, 'solo', 0)).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [] });
    expectNoViolations(monitor);
  });

  it('gives up after controlled.shutdown.max.retries attempts, 5 s apart, when no other ISR member can take over, then shuts down anyway', async () => {
    const { sim, monitor } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(zkState(sim, 't')!.leader).toBe(1);
    // The followers fall out of the ISR: nobody can take over from broker 1.
    sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    await waitFor(sim, () => zkState(sim, 't')!.isr.length === 1, 'the ISR to shrink to [1]', 30_000);
    sim.applyFault({ kind: 'heal' });
    const startedAt = sim.kernel.nowMs;
    await sim.controlledShutdown(1);
    const retries = traceOf(sim, 'broker.controlled-shutdown-retry');
    expect(retries.map((r) => [r.data['attempt'], r.data['remaining']])).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(retries[1]!.timeMs - retries[0]!.timeMs).toBeGreaterThanOrEqual(5_000);
    expect(traceOf(sim, 'broker.unclean-shutdown').map((r) => r.node)).toEqual([node(1)]);
    expect(sim.kernel.nowMs - startedAt).toBeGreaterThanOrEqual(10_000);
    expect(sim.broker(1).running).toBe(false);
    expectNoViolations(monitor);
  });
});
