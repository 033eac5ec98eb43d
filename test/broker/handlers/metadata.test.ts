/**
 * Metadata (API 3) as 0.8.2's `KafkaApis.getTopicMetadata` and `MetadataCache.getTopicMetadata`
 * answer it: from the broker's cache (fed by the controller's UpdateMetadata), auto-creating an
 * unknown topic when `auto.create.topics.enable`.
 */
import { describe, expect, it } from 'vitest';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { metadataRequest } from '../support/client.ts';
import { expectNoViolations, startCluster, traceOf, waitFor } from '../support/cluster.ts';

describe('Metadata', () => {
  it('auto-creates an unknown topic: LeaderNotAvailable (5) with no partitions, then the topic appears with num.partitions and default.replication.factor', async () => {
    const c = await startCluster({ seed: 4, brokers: 3, brokerConfig: { 'num.partitions': 2, 'default.replication.factor': 2 } });
    const first = await c.client.request(2, metadataRequest(['fresh']));
    expect(first.topics).toEqual([{ topic: 'fresh', errorCode: 5, partitions: [] }]);
    expect(traceOf(c.sim, 'topic.auto-creating').map((r) => [r.node, r.data])).toEqual([['broker-2', { topic: 'fresh', partitions: 2, replicationFactor: 2 }]]);

    await waitFor(c.sim, () => c.sim.brokerStates[2]!.metadata.partitions['fresh-1'] !== undefined, 'broker 2 to learn of fresh', 2_000);
    const second = await c.client.request(2, metadataRequest(['fresh']));
    expect(second.topics).toHaveLength(1);
    const [topic] = second.topics;
    expect(topic!.errorCode).toBe(0);
    expect(topic!.partitions.map((p) => p.partition)).toEqual([0, 1]);
    for (const p of topic!.partitions) {
      expect(p.errorCode).toBe(0);
      expect(p.replicas).toHaveLength(2);
      expect(p.leader).toBe(p.replicas[0]);
      expect([...p.isr].sort()).toEqual([...p.replicas].sort());
    }
    expect(second.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expectNoViolations(c.monitor);
  });

  it('answers UnknownTopicOrPartition (3) when auto-create is off, and creates nothing', async () => {
    const c = await startCluster({ seed: 4, brokers: 3, brokerConfig: { 'auto.create.topics.enable': false } });
    const response = await c.client.request(1, metadataRequest(['nope']));
    expect(response.topics).toEqual([{ topic: 'nope', errorCode: 3, partitions: [] }]);
    await c.sim.runFor(5_000);
    expect(lookup(c.sim.zookeeper.state, '/brokers/topics/nope')).toBeUndefined();
    expect(traceOf(c.sim, 'topic.auto-creating')).toEqual([]);
  });

  it('gives ReplicaNotAvailable (9) with the leader when a replica is down, LeaderNotAvailable (5) without one when the leader is', async () => {
    const c = await startCluster({
      seed: 4,
      brokers: 3,
      topics: [
        { name: 't', partitions: 1, replicationFactor: 3 },
        { name: 'solo', partitions: 3, replicationFactor: 1 },
      ],
    });
    expect(c.sim.leaderOf('t', 0)).toBe(1);
    expect(c.sim.leaderOf('solo', 2)).toBe(3);
    c.sim.applyFault({ kind: 'broker-crash', broker: 3 });
    // Once ZooKeeper drops broker 3 the controller (broker 2 after failover) tells every broker.
    await waitFor(c.sim, () => c.sim.brokerStates[1]!.metadata.aliveBrokers.join(',') === '1,2', 'broker 1 to learn broker 3 is gone', 10_000);
    await c.sim.runFor(100);
    const response = await c.client.request(1, metadataRequest(['t', 'solo']));
    expect(response.brokers.map((b) => b.id)).toEqual([1, 2]);
    const [t, solo] = response.topics;
    expect(t!.partitions).toEqual([{ partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], errorCode: 9 }]);
    expect(solo!.partitions[2]).toEqual({ partition: 2, leader: -1, replicas: [], isr: [], errorCode: 5 });
    expect(solo!.partitions.slice(0, 2).map((p) => p.errorCode)).toEqual([0, 0]);
  });

  it('describes every cached topic, sorted, when asked for none; any broker answers', async () => {
    const c = await startCluster({
      seed: 4,
      brokers: 3,
      topics: [
        { name: 'b', partitions: 1, replicationFactor: 1 },
        { name: 'a', partitions: 2, replicationFactor: 2 },
      ],
    });
    await c.sim.runFor(100);
    for (const broker of [1, 2, 3]) {
      const response = await c.client.request(broker, metadataRequest([]));
      expect(response.topics.map((t) => [t.topic, t.partitions.length, t.errorCode])).toEqual([
        ['a', 2, 0],
        ['b', 1, 0],
      ]);
    }
  });

  it('names the cluster (a 22-character id drawn from the seed, the same on every broker) and the controller the broker believes in (v1+)', async () => {
    const c = await startCluster({ seed: 4, brokers: 3 });
    const answers = [];
    for (const broker of [1, 2, 3]) answers.push(await c.client.request(broker, metadataRequest([])));
    expect(new Set(answers.map((a) => a.clusterId)).size).toBe(1);
    expect(answers[0]!.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(answers.map((a) => a.controllerId)).toEqual([c.sim.controllerId, c.sim.controllerId, c.sim.controllerId]);
    const other = await startCluster({ seed: 5, brokers: 1 });
    expect((await other.client.request(1, metadataRequest([]))).clusterId).not.toBe(answers[0]!.clusterId);
  });

  it('modern requests: allTopics false with no topics asks for none; allowAutoTopicCreation false never creates', async () => {
    const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }] });
    await c.sim.runFor(100);
    const none = await c.client.request(1, { ...metadataRequest([]), allTopics: false });
    expect(none.topics).toEqual([]);
    expect(none.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    const all = await c.client.request(1, { ...metadataRequest(['ignored']), allTopics: true });
    expect(all.topics.map((t) => t.topic)).toEqual(['t']);
    const noCreate = await c.client.request(1, { ...metadataRequest(['fresh']), allowAutoTopicCreation: false });
    expect(noCreate.topics).toEqual([{ topic: 'fresh', errorCode: 3, partitions: [] }]);
    expect(traceOf(c.sim, 'topic.auto-creating')).toEqual([]);
  });

  it('with errorUnavailableEndpoints false (v1+), dead replicas stay listed and ReplicaNotAvailable (9) is never given', async () => {
    const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    c.sim.applyFault({ kind: 'broker-crash', broker: 3 });
    await waitFor(c.sim, () => c.sim.brokerStates[1]!.metadata.aliveBrokers.join(',') === '1,2', 'broker 1 to learn broker 3 is gone', 10_000);
    await c.sim.runFor(100);
    const response = await c.client.request(1, { ...metadataRequest(['t']), errorUnavailableEndpoints: false });
    // Broker 3 is still in the cached ISR (the leader has not shrunk it yet): listed, as replica and ISR member.
    expect(response.topics[0]!.partitions).toEqual([{ partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], errorCode: 0 }]);
    const v0 = await c.client.request(1, metadataRequest(['t']));
    expect(v0.topics[0]!.partitions).toEqual([{ partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], errorCode: 9 }]);
  });

  it('creates the offsets topic with offsets.topic.num.partitions and offsets.topic.replication.factor capped at the live brokers', async () => {
    const c = await startCluster({ seed: 4, brokers: 2, brokerConfig: { 'offsets.topic.num.partitions': 4 } });
    await c.sim.runFor(100); // the metadata cache knows the live brokers
    const first = await c.client.request(1, metadataRequest(['__consumer_offsets']));
    expect(first.topics).toEqual([{ topic: '__consumer_offsets', errorCode: 5, partitions: [] }]);
    await waitFor(c.sim, () => c.sim.hasLeaders('__consumer_offsets', 4), 'the offsets topic to be online');
    await c.sim.runFor(100);
    const second = await c.client.request(1, metadataRequest(['__consumer_offsets']));
    expect(second.topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([2, 2, 2, 2]);
  });
});
