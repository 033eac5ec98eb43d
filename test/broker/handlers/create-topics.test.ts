/**
 * CreateTopics (API 19) through 0.8.2's admin path, errors as codes per topic (Kafka 2.2
 * `AdminManager.createTopics`).
 */
import { describe, expect, it } from 'vitest';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { startCluster, type Cluster } from '../support/cluster.ts';
import { creatableTopic, createTopicsRequest } from '../support/group.ts';

async function cluster(): Promise<{ c: Cluster; controller: number }> {
  const c = await startCluster({ seed: 3, brokers: 3, topics: [{ name: 'existing', partitions: 1, replicationFactor: 1 }] });
  await c.sim.runFor(100);
  return { c, controller: c.sim.controllerId! };
}

describe('CreateTopics', () => {
  it('creates topics at the controller; with a timeout, answers once every new partition has a leader', async () => {
    const { c, controller } = await cluster();
    const response = await c.client.request(controller, createTopicsRequest([creatableTopic('fresh', { numPartitions: 3, replicationFactor: 2 })], { timeoutMs: 5000 }));
    expect(response).toEqual({ api: 'CreateTopics', topics: [{ name: 'fresh', errorCode: 0, errorMessage: null }] });
    expect(c.sim.hasLeaders('fresh', 3)).toBe(true);
    expect(c.sim.brokerStates[controller]!.metadata.partitions['fresh-2']!.replicas).toHaveLength(2);
  });

  it('takes explicit assignments, -1 for the broker defaults (v4+), and topic configs', async () => {
    const { c, controller } = await cluster();
    const response = await c.client.request(
      controller,
      createTopicsRequest(
        [
          creatableTopic('placed', { numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [3, 1] }, { partition: 1, brokerIds: [1, 2] }] }),
          creatableTopic('defaults', { numPartitions: -1, replicationFactor: -1, configs: [{ name: 'min.insync.replicas', value: '1' }] }),
        ],
        { timeoutMs: 5000 },
      ),
    );
    expect(response.topics.map((t) => t.errorCode)).toEqual([0, 0]);
    expect(JSON.parse(lookup(c.sim.zookeeper.state, '/brokers/topics/placed')!.data).partitions).toEqual({ '0': [3, 1], '1': [1, 2] });
    expect(c.sim.hasLeaders('defaults', 1)).toBe(true); // num.partitions 1
    expect(JSON.parse(lookup(c.sim.zookeeper.state, '/config/topics/defaults')!.data).config).toEqual({ 'min.insync.replicas': '1' });
  });

  it('answers each bad topic with its error code and Kafka’s message, and creates none of them', async () => {
    const { c, controller } = await cluster();
    const response = await c.client.request(
      controller,
      createTopicsRequest([
        creatableTopic('existing'),
        creatableTopic('zero', { numPartitions: 0 }),
        creatableTopic('too-many', { replicationFactor: 4 }),
        creatableTopic('none', { replicationFactor: 0 }),
        creatableTopic('bad name!'),
        creatableTopic('twice'),
        creatableTopic('twice'),
        creatableTopic('both', { numPartitions: 2, assignments: [{ partition: 0, brokerIds: [1] }] }),
        creatableTopic('gap', { numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 1, brokerIds: [1] }] }),
        creatableTopic('dup', { numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [1, 1] }] }),
        creatableTopic('unknown-config', { configs: [{ name: 'retention.ms', value: '1000' }] }),
        creatableTopic('null-config', { configs: [{ name: 'min.insync.replicas', value: null }] }),
      ]),
    );
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['existing', 36],
      ['zero', 37],
      ['too-many', 38],
      ['none', 38],
      ['bad name!', 17],
      ['twice', 42],
      ['twice', 42],
      ['both', 42],
      ['gap', 39],
      ['dup', 39],
      ['unknown-config', 40],
      ['null-config', 42],
    ]);
    expect(response.topics[0]!.errorMessage).toBe("Topic 'existing' already exists.");
    expect(response.topics[2]!.errorMessage).toBe('Replication factor: 4 larger than available brokers: 3.');
    await c.sim.runFor(1000);
    for (const name of ['zero', 'too-many', 'twice', 'both', 'gap', 'dup', 'unknown-config']) expect(lookup(c.sim.zookeeper.state, `/brokers/topics/${name}`)).toBeUndefined();
  });

  it('validateOnly checks and creates nothing', async () => {
    const { c, controller } = await cluster();
    const response = await c.client.request(controller, createTopicsRequest([creatableTopic('dry', { numPartitions: 2 }), creatableTopic('existing')], { validateOnly: true }));
    expect(response.topics.map((t) => t.errorCode)).toEqual([0, 36]);
    await c.sim.runFor(1000);
    expect(lookup(c.sim.zookeeper.state, '/brokers/topics/dry')).toBeUndefined();
  });

  it('a broker that is not the controller answers NotController (41)', async () => {
    const { c, controller } = await cluster();
    const other = [1, 2, 3].find((b) => b !== controller)!;
    const response = await c.client.request(other, createTopicsRequest([creatableTopic('fresh')]));
    expect(response.topics).toEqual([{ name: 'fresh', errorCode: 41, errorMessage: 'This is not the correct controller for this cluster.' }]);
  });
});
