/**
 * Heartbeat (API 12): bad input. (Session timeouts: test/broker/coordinator/group-coordinator.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { findCoordinator, heartbeatRequest, startGroupCluster } from '../support/group.ts';

describe('Heartbeat: bad input', () => {
  it('an empty group id is InvalidGroupId (24); an unknown group or member is UnknownMemberId (25)', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'g');
    expect(await c.client.request(coordinator, heartbeatRequest('', 1, 'm'))).toEqual({ api: 'Heartbeat', errorCode: 24 });
    expect((await c.client.request(coordinator, heartbeatRequest('g', 1, 'm'))).errorCode).toBe(25);
  });
});
