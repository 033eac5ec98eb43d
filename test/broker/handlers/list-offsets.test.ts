/**
 * ListOffsets v1+ (API 2): one offset per partition, by Kafka 2.2's
 * `handleListOffsetRequestV1AndAbove`; the log has no timestamps.
 */
import { describe, expect, it } from 'vitest';
import { produceRequest } from '../support/client.ts';
import { startCluster } from '../support/cluster.ts';
import { listOffsetsRequest } from '../support/group.ts';

async function cluster() {
  const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 2, replicationFactor: 2 }] });
  await c.sim.runFor(100);
  return c;
}

describe('ListOffsets v1+', () => {
  it('LATEST (-1) is the high watermark for consumers and the log end for a follower id; EARLIEST (-2) the log start; timestamps -1', async () => {
    const c = await cluster();
    const leader = c.sim.leaderOf('t', 0)!;
    await c.client.request(leader, produceRequest('t', 0, ['a', 'b', 'c'], { acks: -1 }));
    const follower = c.sim.brokerStates[leader]!.partitions['t-0']!.assignedReplicas.find((r) => r !== leader)!;
    // Stop the follower so the next write stays above the high watermark.
    c.sim.applyFault({ kind: 'broker-crash', broker: follower });
    await c.client.request(leader, produceRequest('t', 0, ['d'], { acks: 1 }));
    const consumer = await c.client.request(leader, listOffsetsRequest([{ topic: 't', partition: 0, timestamp: -1 }]));
    expect(consumer.partitions).toEqual([{ topic: 't', partition: 0, errorCode: 0, timestamp: -1, offset: 3 }]);
    const asFollower = await c.client.request(leader, listOffsetsRequest([{ topic: 't', partition: 0, timestamp: -1 }], follower));
    expect(asFollower.partitions).toEqual([{ topic: 't', partition: 0, errorCode: 0, timestamp: -1, offset: 4 }]);
    const earliest = await c.client.request(leader, listOffsetsRequest([{ topic: 't', partition: 0, timestamp: -2 }]));
    expect(earliest.partitions).toEqual([{ topic: 't', partition: 0, errorCode: 0, timestamp: -1, offset: 0 }]);
  });

  it('a time is UnsupportedForMessageFormat (43): 0.8.2 messages carry no timestamps', async () => {
    const c = await cluster();
    const leader = c.sim.leaderOf('t', 0)!;
    const response = await c.client.request(leader, listOffsetsRequest([{ topic: 't', partition: 0, timestamp: 1_000 }]));
    expect(response.partitions).toEqual([{ topic: 't', partition: 0, errorCode: 43, timestamp: -1, offset: -1 }]);
  });

  it('NotLeaderForPartition (6) from a follower, UnknownTopicOrPartition (3), InvalidRequest (42) for a partition asked twice', async () => {
    const c = await cluster();
    const leader = c.sim.leaderOf('t', 0)!;
    const follower = c.sim.brokerStates[leader]!.partitions['t-0']!.assignedReplicas.find((r) => r !== leader)!;
    const notLeader = await c.client.request(follower, listOffsetsRequest([{ topic: 't', partition: 0, timestamp: -1 }]));
    expect(notLeader.partitions[0]!.errorCode).toBe(6);
    // The debugging id (-2) may ask any replica.
    expect((await c.client.request(follower, listOffsetsRequest([{ topic: 't', partition: 0, timestamp: -2 }], -2))).partitions[0]!.errorCode).toBe(0);
    const bad = await c.client.request(leader, listOffsetsRequest([
      { topic: 'nope', partition: 0, timestamp: -1 },
      { topic: 't', partition: 0, timestamp: -1 },
      { topic: 't', partition: 0, timestamp: -2 },
    ]));
    expect(bad.partitions.map((p) => p.errorCode)).toEqual([3, 42, 42]);
  });
});
