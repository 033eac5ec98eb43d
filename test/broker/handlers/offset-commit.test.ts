/**
 * OffsetCommit (API 8) and OffsetFetch (API 9), version 0, as 0.8.2's
 * `KafkaApis.handleOffsetCommitRequest` / `handleOffsetFetchRequest` answer them: offsets live in
 * ZooKeeper at /consumers/<group>/offsets/<topic>/<partition>, where the high-level consumer keeps
 * them too, and any broker answers.
 */
import { describe, expect, it } from 'vitest';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import { offsetCommitRequest, offsetFetchRequest } from '../support/client.ts';
import { startCluster } from '../support/cluster.ts';

async function cluster() {
  const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 2, replicationFactor: 2 }] });
  await c.sim.runFor(100); // every broker's metadata cache knows t
  return c;
}

describe('OffsetCommit and OffsetFetch (v0, ZooKeeper)', () => {
  it('stores a committed offset at /consumers/<group>/offsets/<topic>/<partition> and reads it back from any broker', async () => {
    const c = await cluster();
    const commit = await c.client.request(2, offsetCommitRequest('g', [{ topic: 't', partition: 1, offset: 42, metadata: 'note' }]));
    expect(commit.partitions).toEqual([{ topic: 't', partition: 1, errorCode: 0 }]);
    expect(lookup(c.sim.zookeeper.state, '/consumers/g/offsets/t/1')!.data).toBe('42');
    for (const broker of [1, 3]) {
      const fetch = await c.client.request(broker, offsetFetchRequest('g', [{ topic: 't', partition: 1 }]));
      // v0 keeps no metadata: ZooKeeper holds the offset only.
      expect(fetch.partitions).toEqual([{ topic: 't', partition: 1, offset: 42, metadata: '', errorCode: 0 }]);
    }
    const again = await c.client.request(1, offsetCommitRequest('g', [{ topic: 't', partition: 1, offset: 43 }]));
    expect(again.partitions[0]!.errorCode).toBe(0);
    expect(lookup(c.sim.zookeeper.state, '/consumers/g/offsets/t/1')!.data).toBe('43');
  });

  it('answers offset -1 with UnknownTopicOrPartition (3) for a partition with no committed offset', async () => {
    const c = await cluster();
    const fetch = await c.client.request(1, offsetFetchRequest('g', [{ topic: 't', partition: 0 }]));
    expect(fetch.partitions).toEqual([{ topic: 't', partition: 0, offset: -1, metadata: '', errorCode: 3 }]);
  });

  it('refuses a topic the broker does not know (3) before anything else, writing nothing', async () => {
    const c = await cluster();
    const commit = await c.client.request(1, offsetCommitRequest('g', [{ topic: 'nope', partition: 0, offset: 5, metadata: 'x'.repeat(5_000) }]));
    expect(commit.partitions).toEqual([{ topic: 'nope', partition: 0, errorCode: 3 }]);
    expect(lookup(c.sim.zookeeper.state, '/consumers/g/offsets/nope')).toBeUndefined();
    const fetch = await c.client.request(1, offsetFetchRequest('g', [{ topic: 'nope', partition: 0 }]));
    expect(fetch.partitions).toEqual([{ topic: 'nope', partition: 0, offset: -1, metadata: '', errorCode: 3 }]);
  });

  it('refuses metadata longer than offset.metadata.max.bytes (OffsetMetadataTooLarge, 12) and keeps the old offset', async () => {
    const c = await cluster();
    await c.client.request(1, offsetCommitRequest('g', [{ topic: 't', partition: 0, offset: 7, metadata: 'x'.repeat(4096) }]));
    const tooLarge = await c.client.request(1, offsetCommitRequest('g', [
      { topic: 't', partition: 0, offset: 9, metadata: 'x'.repeat(4097) },
      { topic: 't', partition: 1, offset: 3 },
    ]));
    expect(tooLarge.partitions).toEqual([
      { topic: 't', partition: 0, errorCode: 12 },
      { topic: 't', partition: 1, errorCode: 0 },
    ]);
    expect(lookup(c.sim.zookeeper.state, '/consumers/g/offsets/t/0')!.data).toBe('7');
    expect(lookup(c.sim.zookeeper.state, '/consumers/g/offsets/t/1')!.data).toBe('3');
  });
});
