/**
 * DescribeGroups (API 15): each group as its coordinator holds it (`GroupMetadata.summary`).
 */
import { describe, expect, it } from 'vitest';
import { Member, describeGroupsRequest, findCoordinator, startGroupCluster, syncGroupRequest } from '../support/group.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('DescribeGroups', () => {
  it('a Stable group with its protocol, members, client ids and hosts, metadata and assignments', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'g');
    const a = new Member(c, 'g', 'member-a');
    a.joined(await a.startJoin(coordinator).wait());
    const during = await c.client.request(coordinator, describeGroupsRequest(['g']));
    // Not Stable yet: no protocol, no metadata or assignment.
    expect(during.groups).toEqual([
      { groupId: 'g', errorCode: 0, state: 'CompletingRebalance', protocolType: 'consumer', protocolName: '', members: [{ memberId: a.memberId, clientId: 'member-a', clientHost: '/member-a', metadata: new Uint8Array(0), assignment: new Uint8Array(0) }] },
    ]);
    await a.client.request(coordinator, syncGroupRequest('g', 1, a.memberId, [{ memberId: a.memberId, assignment: 'all of t' }]));
    const stable = await c.client.request(coordinator, describeGroupsRequest(['g']));
    const [group] = stable.groups;
    expect(group).toMatchObject({ groupId: 'g', errorCode: 0, state: 'Stable', protocolType: 'consumer', protocolName: 'range' });
    expect(group!.members.map((m) => [m.memberId, text(m.metadata), text(m.assignment)])).toEqual([[a.memberId, 'range', 'all of t']]);
  });

  it('a group the coordinator does not hold is Dead; one held elsewhere is NotCoordinator (16)', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'g');
    const other = [1, 2, 3].find((b) => b !== coordinator)!;
    const response = await c.client.request(coordinator, describeGroupsRequest(['g']));
    expect(response.groups).toEqual([{ groupId: 'g', errorCode: 0, state: 'Dead', protocolType: '', protocolName: '', members: [] }]);
    expect((await c.client.request(other, describeGroupsRequest(['g']))).groups[0]).toMatchObject({ errorCode: 16, state: '' });
  });
});
