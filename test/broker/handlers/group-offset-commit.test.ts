/**
 * OffsetCommit v1+ (API 8) and OffsetFetch v1+ (API 9) at the group coordinator: the handler's
 * own rules. (Generations and failover: test/broker/coordinator/group-coordinator.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { findCoordinator, groupCommitRequest, groupFetchRequest, startGroupCluster } from '../support/group.ts';

describe('OffsetCommit and OffsetFetch at the coordinator', () => {
  it('accept the empty group id, as Kafka does for consumers outside group management', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, '');
    const commit = await c.client.request(coordinator, groupCommitRequest('', -1, '', [{ topic: 't', partition: 1, offset: 3 }]));
    expect(commit.partitions).toEqual([{ topic: 't', partition: 1, errorCode: 0 }]);
    const fetch = await c.client.request(coordinator, groupFetchRequest('', [{ topic: 't', partition: 1 }]));
    expect(fetch.partitions).toEqual([{ topic: 't', partition: 1, offset: 3, metadata: '', errorCode: 0 }]);
  });

  it('keep group ids with a slash inside one ZooKeeper path segment', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'team/app');
    await c.client.request(coordinator, groupCommitRequest('team/app', -1, '', [{ topic: 't', partition: 0, offset: 8 }]));
    const other = await findCoordinator(c, 'team');
    expect((await c.client.request(other, groupFetchRequest('team', null))).partitions).toEqual([]);
    expect((await c.client.request(coordinator, groupFetchRequest('team/app', null))).partitions).toEqual([{ topic: 't', partition: 0, offset: 8, metadata: '', errorCode: 0 }]);
  });

  it('answer -1 for a topic that cannot exist, and keep the groups "." and ".." apart from their parents', async () => {
    const c = await startGroupCluster();
    for (const group of ['.', '..']) {
      const coordinator = await findCoordinator(c, group);
      expect((await c.client.request(coordinator, groupCommitRequest(group, -1, '', [{ topic: 't', partition: 0, offset: group.length }]))).partitions[0]!.errorCode).toBe(0);
      expect((await c.client.request(coordinator, groupFetchRequest(group, null))).partitions).toEqual([{ topic: 't', partition: 0, offset: group.length, metadata: '', errorCode: 0 }]);
      const odd = await c.client.request(coordinator, groupFetchRequest(group, [{ topic: '../..', partition: 0 }, { topic: '', partition: 0 }]));
      expect(odd.partitions.map((p) => [p.offset, p.errorCode])).toEqual([[-1, 0], [-1, 0]]);
    }
  });
});
