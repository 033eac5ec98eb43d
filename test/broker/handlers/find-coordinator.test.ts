/**
 * FindCoordinator (API 10): the group's coordinator is the leader of its `__consumer_offsets`
 * partition; the topic is created by the first lookup.
 */
import { describe, expect, it } from 'vitest';
import { offsetsPartitionFor } from '../../../src/broker/coordinator/placement.ts';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { produceRequest } from '../support/client.ts';
import { traceOf, waitFor } from '../support/cluster.ts';
import { findCoordinatorRequest, startGroupCluster } from '../support/group.ts';

describe('FindCoordinator', () => {
  it('creates the offsets topic on the first lookup and answers ConsumerCoordinatorNotAvailable (15) until it is online', async () => {
    const c = await startGroupCluster();
    const first = await c.client.request(1, findCoordinatorRequest('g'));
    expect(first).toEqual({ api: 'FindCoordinator', errorCode: 15, coordinator: { id: -1, host: '', port: -1 } });
    expect(traceOf(c.sim, 'topic.auto-creating').map((r) => r.data)).toEqual([{ topic: '__consumer_offsets', partitions: 3, replicationFactor: 3 }]);
    await waitFor(c.sim, () => lookup(c.sim.zookeeper.state, '/brokers/topics/__consumer_offsets') !== undefined, 'the offsets topic to be written');
    // Asked again meanwhile, the broker does not start a second creation.
    expect((await c.client.request(1, findCoordinatorRequest('g'))).errorCode).toBe(15);
    expect(traceOf(c.sim, 'topic.auto-creating')).toHaveLength(1);
  });

  it('names the leader of partition abs(hash(group)) % offsets.topic.num.partitions, from any broker', async () => {
    const c = await startGroupCluster();
    await c.client.request(1, findCoordinatorRequest('g'));
    await waitFor(c.sim, () => c.sim.hasLeaders('__consumer_offsets', 3), 'the offsets topic to be online');
    await c.sim.runFor(100);
    for (const group of ['g', 'my-group', 'hello']) {
      const leader = c.sim.leaderOf('__consumer_offsets', offsetsPartitionFor(group, 3));
      for (const broker of [1, 2, 3]) {
        const response = await c.client.request(broker, findCoordinatorRequest(group));
        expect(response).toEqual({ api: 'FindCoordinator', errorCode: 0, coordinator: c.sim.endpointOf(leader!) });
      }
    }
  });

  it('answers 15 while the group’s partition has no live leader', async () => {
    const c = await startGroupCluster({ brokers: 1, topics: [], brokerConfig: { 'offsets.topic.num.partitions': 1 } });
    await c.client.request(1, findCoordinatorRequest('g'));
    await waitFor(c.sim, () => c.sim.hasLeaders('__consumer_offsets', 1), 'the offsets topic to be online');
    await c.sim.runFor(100);
    expect((await c.client.request(1, findCoordinatorRequest('g'))).errorCode).toBe(0);
    c.sim.applyFault({ kind: 'broker-crash', broker: 1 });
    c.sim.brokers.get(1)!.restart();
    await c.sim.runFor(50); // up, but its cache does not know the offsets topic's leader yet
    expect((await c.client.request(1, findCoordinatorRequest('g'))).errorCode).toBe(15);
  });

  it('clients cannot produce to the offsets topic (InvalidTopic, 17)', async () => {
    const c = await startGroupCluster();
    await c.client.request(1, findCoordinatorRequest('g'));
    await waitFor(c.sim, () => c.sim.hasLeaders('__consumer_offsets', 3), 'the offsets topic to be online');
    const leader = c.sim.leaderOf('__consumer_offsets', 0)!;
    const response = await c.client.request(leader, produceRequest('__consumer_offsets', 0, ['x']));
    expect(response.statuses[0]!.errorCode).toBe(17);
  });
});
