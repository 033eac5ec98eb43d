/**
 * Scenario: the controller misses a broker that died and came back while the controller was
 * frozen, and the broker's partitions are left with a leader that does not know it leads.
 *
 * Mechanism (Kafka 0.8.2): `BrokerChangeListener.handleChildChange` compares the ids under
 * /brokers/ids with the ids it knew (`newBrokerIds = cur − live`, `deadBrokerIds = live − cur`).
 * The watch fires once for the deletion; by the time the frozen controller reads the children
 * the restarted broker has registered again under the same id, so there is neither a new nor a
 * dead broker: no `onBrokerFailure`, no `onBrokerStartup`, no LeaderAndIsr for the new process.
 * (Kafka 2.2 added broker epochs, KIP-380, to tell two registrations of one id apart.)
 */
import { describe, expect, it } from 'vitest';
import { produceRequest } from '../support/client.ts';
import { node, registeredBrokers, startCluster, traceOf, waitFor, zkState } from '../support/cluster.ts';

describe('a broker bounce during a controller pause', () => {
  it('goes unnoticed: the restarted leader is never told it leads, and its partition refuses writes', async () => {
    const { sim, monitor, client } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(sim.controllerId).toBe(3);
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 0 });
    await sim.runFor(1_000);

    // Broker 1, the leader, crashes. Half a second before ZooKeeper expires its session, the
    // controller freezes for 2 s; broker 1 is restarted just after the expiry.
    sim.applyFault({ kind: 'broker-crash', broker: 1 });
    const [oldSession] = sim.zookeeper.sessionsOf(node(1));
    const session = sim.zookeeper.state.sessions[oldSession!]!;
    const expiresAt = session.lastHeardMs + session.timeoutMs;
    await sim.runFor(expiresAt - 500 - sim.kernel.nowMs);
    sim.applyFault({ kind: 'pause', node: node(3), durationMs: 2_000 });
    await waitFor(sim, () => !registeredBrokers(sim).includes(1), 'broker 1 to be deregistered', 1_000);
    sim.applyFault({ kind: 'broker-restart', broker: 1 });
    await waitFor(sim, () => registeredBrokers(sim).includes(1), 'broker 1 to register again', 1_000);
    expect(sim.kernel.node(node(3)).paused).toBe(true); // all while the controller was frozen

    // The controller wakes and sees the same three ids: no broker change at all.
    await sim.runFor(30_000);
    expect(traceOf(sim, 'controller.broker-change').filter((r) => r.timeMs > 1_000)).toEqual([]);
    expect(traceOf(sim, 'partition.leader.elected')).toHaveLength(1); // the initial election only
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 0 });
    // The new broker 1 process was never sent a LeaderAndIsr: it hosts nothing, leads nothing.
    expect(sim.replica(1, 't', 0)).toBeUndefined();
    expect(sim.leaderOf('t', 0)).toBeUndefined();
    const refused = await client.request(1, produceRequest('t', 0, ['lost'], { acks: 1 }));
    expect(refused.statuses[0]).toMatchObject({ errorCode: 3 }); // UnknownTopicOrPartition
    expect(monitor.violations).toEqual([]);
  });
});
