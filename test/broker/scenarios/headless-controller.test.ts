/**
 * Scenario: a 0.8.2 race that leaves the cluster without a working controller, while a broker
 * holds /controller.
 *
 * Mechanism (Kafka 0.8.2.2): the controller dies; broker 2 is frozen (a GC pause) just before
 * ZooKeeper deletes the dead controller's /controller, and stays frozen until its own session has
 * expired too. When it wakes up it first processes the old session's "/controller deleted" event
 * (`LeaderChangeListener.handleDataDeleted` → `elect`), whose read waits for a connection, i.e.
 * for the new session; there it wins the election and fails over. Then the new-session event
 * runs `SessionExpirationListener.handleNewSession`: `onControllerResignation()` shuts its
 * controller down, and `elect` finds its own id in /controller and returns without failing over
 * again. /controller names broker 2, whose controller does nothing; nobody else runs for election
 * while the node exists. (I0Itec's `ZkClient` reconnects before queuing the new-session event
 * behind the blocked listener, which is what kafkasim's `ZkClient` does too.)
 */
import { describe, expect, it } from 'vitest';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { parseControllerId } from '../../../src/protocol/zk-data.ts';
import { node, registeredBrokers, startCluster, traceOf, waitFor, zkState } from '../support/cluster.ts';

describe('session expiry racing a controller election', () => {
  it('leaves /controller held by a broker whose controller has resigned: no controller acts any more', async () => {
    const { sim, monitor } = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    expect(sim.controllerId).toBe(3);
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, isr: [1, 2, 3] });
    await sim.runFor(1_000);

    // The controller crashes; broker 1 is cut off from ZooKeeper (so it cannot win the election).
    sim.applyFault({ kind: 'broker-crash', broker: 3 });
    sim.applyFault({ kind: 'partition', groups: [[node(1)], ['zookeeper']] });
    // Broker 2 freezes 20 ms before ZooKeeper expires the dead controller's session, for 6 s.
    const [deadSession] = sim.zookeeper.sessionsOf(node(3));
    const session = sim.zookeeper.state.sessions[deadSession!]!;
    const expiresAt = session.lastHeardMs + session.timeoutMs;
    await sim.runFor(expiresAt - 20 - sim.kernel.nowMs);
    sim.applyFault({ kind: 'pause', node: node(2), durationMs: 6_000 });
    await waitFor(sim, () => lookup(sim.zookeeper.state, '/controller') === undefined, 'the dead controller to lose /controller', 1_000);

    // Broker 2 wakes, wins with its new session, fails over, and resigns right after.
    await waitFor(sim, () => traceOf(sim, 'controller.resigned').length > 0, 'broker 2 to resign', 10_000);
    const electedAt = traceOf(sim, 'controller.elected').filter((r) => r.node === node(2)).map((r) => r.step);
    const failover = traceOf(sim, 'controller.failover').filter((r) => r.node === node(2));
    const resigned = traceOf(sim, 'controller.resigned');
    expect(electedAt).toHaveLength(1);
    expect(failover.map((r) => r.data['epoch'])).toEqual([2]);
    expect(resigned.map((r) => r.node)).toEqual([node(2)]);
    expect(failover[0]!.step).toBeLessThan(resigned[0]!.step);

    // Everything heals and broker 3 returns; a minute later nobody has acted as controller.
    sim.applyFault({ kind: 'heal' });
    sim.applyFault({ kind: 'broker-restart', broker: 3 });
    await waitFor(sim, () => registeredBrokers(sim).join(',') === '1,2,3', 'every broker to register', 20_000);
    await sim.runFor(60_000);
    expect(parseControllerId(lookup(sim.zookeeper.state, '/controller')!.data)).toBe(2);
    expect(sim.controllerId).toBeUndefined(); // no broker holds a controller context
    expect(sim.broker(2).controller!.isActive).toBe(true); // yet broker 2 believes it is the controller
    expect(traceOf(sim, 'controller.failover')).toHaveLength(2); // broker 3 at start-up, broker 2 once
    // The restarted broker 3 was never told about t-0, and its ISR entry was never repaired.
    expect(sim.replica(3, 't', 0)).toBeUndefined();
    expect(zkState(sim, 't')).toMatchObject({ leader: 1, leaderEpoch: 0, isr: [1, 2] });
    expect(monitor.violations).toEqual([]);
  });
});
