/**
 * LeaveGroup (API 13): bad input. (Leaving a live group: test/broker/coordinator/group-coordinator.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { findCoordinator, leaveGroupRequest, startGroupCluster } from '../support/group.ts';

describe('LeaveGroup: bad input', () => {
  it('an empty group id is InvalidGroupId (24) for the whole request; members of an unknown group are UnknownMemberId (25) each', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'g');
    expect(await c.client.request(coordinator, leaveGroupRequest('', ['m']))).toEqual({ api: 'LeaveGroup', errorCode: 24, members: [] });
    expect(await c.client.request(coordinator, leaveGroupRequest('g', ['m', 'n']))).toEqual({
      api: 'LeaveGroup',
      errorCode: 0,
      members: [{ memberId: 'm', errorCode: 25 }, { memberId: 'n', errorCode: 25 }],
    });
  });
});
