/**
 * ListGroups (API 16): the groups a broker coordinates, with their protocol types.
 */
import { describe, expect, it } from 'vitest';
import { Member, findCoordinator, groupCommitRequest, listGroupsRequest, startGroupCluster } from '../support/group.ts';

describe('ListGroups', () => {
  it('lists the groups each coordinator holds: consumer groups and groups that only commit offsets', async () => {
    const c = await startGroupCluster();
    const groups = ['g', 'my-group', 'hello', 'offsets-only'];
    const coordinators = new Map<string, number>();
    for (const g of groups) coordinators.set(g, await findCoordinator(c, g));
    for (const g of ['g', 'my-group', 'hello']) {
      const m = new Member(c, g, `member-${g}`);
      m.joined(await m.startJoin(coordinators.get(g)!).wait());
    }
    await c.client.request(coordinators.get('offsets-only')!, groupCommitRequest('offsets-only', -1, '', [{ topic: 't', partition: 0, offset: 1 }]));
    const listed: { groupId: string; protocolType: string }[] = [];
    for (const broker of [1, 2, 3]) {
      const response = await c.client.request(broker, listGroupsRequest());
      expect(response.errorCode).toBe(0);
      for (const g of response.groups) {
        expect(coordinators.get(g.groupId)).toBe(broker);
        listed.push(g);
      }
    }
    expect(listed.sort((x, y) => x.groupId.localeCompare(y.groupId))).toEqual([
      { groupId: 'g', protocolType: 'consumer' },
      { groupId: 'hello', protocolType: 'consumer' },
      { groupId: 'my-group', protocolType: 'consumer' },
      { groupId: 'offsets-only', protocolType: '' },
    ]);
  });
});
