/**
 * Offsets (API 2) as 0.8.2's `KafkaApis.handleOffsetRequest` and `fetchOffsetsBefore` answer it:
 * LatestTime (-1) is the HW for an ordinary consumer and the LEO for followers and the debugging
 * id; EarliestTime (-2) is the log start; offsets come in descending order.
 */
import { describe, expect, it } from 'vitest';
import { EARLIEST_TIME, LATEST_TIME } from '../../../src/protocol/api.ts';
import { offsetsRequest, produceRequest } from '../support/client.ts';
import { node, startCluster, waitFor, type Cluster } from '../support/cluster.ts';

/** Seed 4, broker 1 leads t-0. m0 committed (HW 1); m1, m2 on the leader only (LEO 3). */
async function highWatermarkBehind(): Promise<Cluster> {
  const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
  await waitFor(c.sim, () => [2, 3].every((b) => c.sim.replica(b, 't', 0)?.leader === 1), 'the followers to follow broker 1', 1_000);
  await c.client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
  c.sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
  await c.client.request(1, produceRequest('t', 0, ['m1', 'm2'], { acks: 1 }));
  expect(c.sim.replica(1, 't', 0)).toMatchObject({ highWatermark: 1, log: { logEndOffset: 3 } });
  return c;
}

describe('Offsets', () => {
  it('LatestTime is the high watermark for a consumer and the log end offset for a follower or the debugging id', async () => {
    const c = await highWatermarkBehind();
    const latest = async (replicaId: number, maxNumOffsets = 1) =>
      (await c.client.request(1, offsetsRequest('t', 0, LATEST_TIME, { replicaId, maxNumOffsets }))).partitions[0]!;
    expect(await latest(-1)).toEqual({ topic: 't', partition: 0, errorCode: 0, offsets: [1] });
    expect(await latest(2)).toEqual({ topic: 't', partition: 0, errorCode: 0, offsets: [3] });
    expect(await latest(-2)).toEqual({ topic: 't', partition: 0, errorCode: 0, offsets: [3] });
    // Descending, down to the log start; a consumer's list starts at the HW instead of the LEO.
    expect((await latest(2, 5)).offsets).toEqual([3, 0]);
    expect((await latest(-1, 5)).offsets).toEqual([1, 0]);
  });

  it('EarliestTime is the log start offset; an empty log answers 0 for both', async () => {
    const c = await highWatermarkBehind();
    const earliest = await c.client.request(1, offsetsRequest('t', 0, EARLIEST_TIME, { maxNumOffsets: 3 }));
    expect(earliest.partitions[0]).toEqual({ topic: 't', partition: 0, errorCode: 0, offsets: [0] });

    const empty = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 'e', partitions: 1, replicationFactor: 1 }] });
    const leader = empty.sim.leaderOf('e', 0)!;
    for (const time of [LATEST_TIME, EARLIEST_TIME]) {
      const response = await empty.client.request(leader, offsetsRequest('e', 0, time, { maxNumOffsets: 3 }));
      expect(response.partitions[0]).toEqual({ topic: 'e', partition: 0, errorCode: 0, offsets: [0] });
    }
  });

  it('only the leader answers (NotLeaderForPartition, 6), except to the debugging id; an unknown partition gets 3', async () => {
    const c = await highWatermarkBehind();
    const follower = await c.client.request(2, offsetsRequest('t', 0, LATEST_TIME));
    expect(follower.partitions[0]).toEqual({ topic: 't', partition: 0, errorCode: 6, offsets: [] });
    // Broker 2's own replica: m0 only (it was cut off before m1).
    const debugging = await c.client.request(2, offsetsRequest('t', 0, LATEST_TIME, { replicaId: -2 }));
    expect(debugging.partitions[0]).toEqual({ topic: 't', partition: 0, errorCode: 0, offsets: [1] });
    const unknown = await c.client.request(1, offsetsRequest('t', 9, LATEST_TIME));
    expect(unknown.partitions[0]).toEqual({ topic: 't', partition: 9, errorCode: 3, offsets: [] });
  });
});
