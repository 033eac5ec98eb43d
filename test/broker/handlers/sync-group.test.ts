/**
 * SyncGroup (API 14): bad input. (The protocol: test/broker/coordinator/group-coordinator.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { findCoordinator, startGroupCluster, syncGroupRequest } from '../support/group.ts';

describe('SyncGroup: bad input', () => {
  it('an empty group id is InvalidGroupId (24); an unknown group or member is UnknownMemberId (25)', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'g');
    expect(await c.client.request(coordinator, syncGroupRequest('', 1, 'm'))).toEqual({ api: 'SyncGroup', errorCode: 24, assignment: new Uint8Array(0) });
    expect((await c.client.request(coordinator, syncGroupRequest('g', 1, 'm'))).errorCode).toBe(25);
  });
});
