/**
 * JoinGroup (API 11): what the handler and coordinator refuse before anyone joins. (The protocol
 * itself: test/broker/coordinator/group-coordinator.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { findCoordinator, joinGroupRequest, startGroupCluster } from '../support/group.ts';

describe('JoinGroup: bad input', () => {
  it('an empty group id is InvalidGroupId (24), at any broker', async () => {
    const c = await startGroupCluster();
    for (const broker of [1, 2, 3]) expect((await c.client.request(broker, joinGroupRequest(''))).errorCode).toBe(24);
  });

  it('a session timeout outside group.min/max.session.timeout.ms is InvalidSessionTimeout (26)', async () => {
    const c = await startGroupCluster({ brokerConfig: { 'group.min.session.timeout.ms': 6000, 'group.max.session.timeout.ms': 300_000 } });
    const coordinator = await findCoordinator(c, 'g');
    expect((await c.client.request(coordinator, joinGroupRequest('g', { sessionTimeoutMs: 5999 }))).errorCode).toBe(26);
    expect((await c.client.request(coordinator, joinGroupRequest('g', { sessionTimeoutMs: 300_001 }))).errorCode).toBe(26);
    expect((await c.client.request(coordinator, joinGroupRequest('g', { sessionTimeoutMs: 6000 }))).errorCode).toBe(0);
  });

  it('a member id the coordinator never gave is UnknownMemberId (25); no protocols is InconsistentGroupProtocol (23)', async () => {
    const c = await startGroupCluster();
    const coordinator = await findCoordinator(c, 'g');
    expect((await c.client.request(coordinator, joinGroupRequest('g', { memberId: 'made-up' }))).errorCode).toBe(25);
    expect((await c.client.request(coordinator, joinGroupRequest('g', { protocols: [] }))).errorCode).toBe(23);
    expect((await c.client.request(coordinator, joinGroupRequest('g', { protocolType: '' }))).errorCode).toBe(23);
  });
});
