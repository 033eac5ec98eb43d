/**
 * The group coordinator (Kafka 2.2 `GroupCoordinator`): the classic JoinGroup/SyncGroup protocol
 * as a modern consumer runs it, one client node per member, against a 3-broker cluster whose
 * offsets topic has 3 partitions and no initial rebalance delay unless a test sets one.
 */
import { describe, expect, it } from 'vitest';
import type { JoinGroupResponse } from '../../../src/protocol/api.ts';
import { lookup } from '../../../src/zookeeper/znode-tree.ts';
import type { Cluster } from '../support/cluster.ts';
import {
  Member,
  findCoordinator,
  groupCommitRequest,
  groupFetchRequest,
  groupView,
  heartbeatRequest,
  joinGroupRequest,
  leaveGroupRequest,
  protocol,
  startGroupCluster,
  syncGroupRequest,
} from '../support/group.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Joins every member, 10 ms apart (so they arrive in member order); returns the responses in member order. */
async function joinAll(coordinator: number, members: readonly Member[]): Promise<JoinGroupResponse[]> {
  const pending = [];
  for (const m of members) {
    pending.push(m.startJoin(coordinator));
    await m.c.sim.runFor(10);
  }
  const responses: JoinGroupResponse[] = [];
  for (const p of pending) responses.push(await p.wait());
  responses.forEach((r, i) => members[i]!.joined(r));
  return responses;
}

/** Joins and syncs every member (the leader assigns "<member node>" to each); the group ends Stable. */
async function stableGroup(c: Cluster, coordinator: number, members: readonly Member[]): Promise<void> {
  const joins = await joinAll(coordinator, members);
  const leader = members.find((m) => m.memberId === joins[0]!.leaderId)!;
  const followers = members.filter((m) => m !== leader).map((m) => m.client.start(coordinator, syncGroupRequest(m.groupId, m.generationId, m.memberId)));
  const assignments = members.map((m) => ({ memberId: m.memberId, assignment: m.client.node }));
  const sync = await leader.client.request(coordinator, syncGroupRequest(leader.groupId, leader.generationId, leader.memberId, assignments));
  expect(sync.errorCode).toBe(0);
  for (const f of followers) expect((await f.wait()).errorCode).toBe(0);
  expect(groupView(c, coordinator, members[0]!.groupId)?.state).toBe('Stable');
}

async function setUp(memberCount: number, options: Parameters<typeof startGroupCluster>[0] = {}) {
  const c = await startGroupCluster(options);
  const coordinator = await findCoordinator(c, 'g');
  const members = Array.from({ length: memberCount }, (_, i) => new Member(c, 'g', `member-${'abc'[i]}`));
  return { c, coordinator, members };
}

describe('joining and syncing', () => {
  it('one member: generation 1, it leads, it alone gets the member list, and its own assignment back from SyncGroup', async () => {
    const { c, coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    const [join] = await joinAll(coordinator, [a]);
    expect(join).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leaderId: join!.memberId });
    // Member ids are "<clientId>-<uuid>", drawn from the coordinator's seeded stream.
    expect(join!.memberId).toMatch(/^member-a-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(join!.members.map((m) => [m.memberId, text(m.metadata)])).toEqual([[a.memberId, 'range']]);
    expect(groupView(c, coordinator, 'g')).toMatchObject({ state: 'CompletingRebalance', generationId: 1, leaderId: a.memberId });
    const sync = await a.client.request(coordinator, syncGroupRequest('g', 1, a.memberId, [{ memberId: a.memberId, assignment: 't-0,t-1' }]));
    expect(sync.errorCode).toBe(0);
    expect(text(sync.assignment)).toBe('t-0,t-1');
    expect(groupView(c, coordinator, 'g')?.state).toBe('Stable');
    expect((await a.client.request(coordinator, heartbeatRequest('g', 1, a.memberId))).errorCode).toBe(0);
  });

  it('three members: one generation, the first to join leads, followers wait in SyncGroup for the leader and get their own assignment', async () => {
    const { c, coordinator, members } = await setUp(3);
    const joins = await joinAll(coordinator, members);
    expect(new Set(joins.map((j) => j.generationId))).toEqual(new Set([1]));
    expect(new Set(joins.map((j) => j.leaderId))).toEqual(new Set([members[0]!.memberId]));
    expect(joins[0]!.members.map((m) => m.memberId)).toEqual(members.map((m) => m.memberId));
    expect(joins[1]!.members).toEqual([]);
    expect(joins[2]!.members).toEqual([]);
    const [a, b, cc] = members as [Member, Member, Member];
    const bSync = b.client.start(coordinator, syncGroupRequest('g', 1, b.memberId));
    await c.sim.runFor(1000);
    expect(bSync.settled).toBe(false); // waits for the leader
    const assignments = [
      { memberId: a.memberId, assignment: 'A' },
      { memberId: b.memberId, assignment: 'B' },
    ];
    expect(text((await a.client.request(coordinator, syncGroupRequest('g', 1, a.memberId, assignments))).assignment)).toBe('A');
    expect(text((await bSync.wait()).assignment)).toBe('B');
    // A member the leader left out gets an empty assignment.
    const late = await cc.client.request(coordinator, syncGroupRequest('g', 1, cc.memberId));
    expect(late).toEqual({ api: 'SyncGroup', errorCode: 0, assignment: new Uint8Array(0) });
  });

  it('waits group.initial.rebalance.delay.ms for more members before the first generation, extending the wait while they keep coming', async () => {
    const { c, coordinator, members } = await setUp(3, { brokerConfig: { 'group.initial.rebalance.delay.ms': 3000 } });
    const [a, b, cc] = members as [Member, Member, Member];
    const start = c.sim.kernel.nowMs;
    const aJoin = a.startJoin(coordinator);
    await c.sim.runFor(2000);
    const bJoin = b.startJoin(coordinator);
    await c.sim.runFor(2000); // 4 s in: the first 3 s delay saw b arrive, so a second delay runs
    expect(aJoin.settled).toBe(false);
    const cJoin = cc.startJoin(coordinator);
    const responses = [await aJoin.wait(), await bJoin.wait(), await cJoin.wait()];
    expect(responses.map((r) => r.generationId)).toEqual([1, 1, 1]);
    expect(responses[0]!.members).toHaveLength(3);
    // 3 delays of 3 s: b arrived during the first, c during the second, nobody during the third.
    expect(aJoin.settledAtMs! - start).toBeGreaterThanOrEqual(9000);
    expect(aJoin.settledAtMs! - start).toBeLessThan(9100);
  });

  it('picks the protocol most members prefer among those all support', async () => {
    const { c, coordinator, members } = await setUp(3);
    const [a, b, cc] = members as [Member, Member, Member];
    const pending = [a.startJoin(coordinator, { protocols: [protocol('range'), protocol('roundrobin')] })];
    await c.sim.runFor(10);
    pending.push(b.startJoin(coordinator, { protocols: [protocol('roundrobin'), protocol('range'), protocol('sticky')] }));
    await c.sim.runFor(10);
    pending.push(cc.startJoin(coordinator, { protocols: [protocol('roundrobin'), protocol('range')] }));
    const responses = [];
    for (const p of pending) responses.push(await p.wait());
    expect(responses.map((r) => r.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
    // The leader gets each member's metadata for the chosen protocol.
    expect(responses[0]!.members.map((m) => text(m.metadata))).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });

  it('refuses a member whose protocol type or protocols do not fit the group (InconsistentGroupProtocol, 23)', async () => {
    const { coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await joinAll(coordinator, [a]);
    expect((await b.startJoin(coordinator, { protocols: [protocol('sticky')] }).wait()).errorCode).toBe(23);
    expect((await b.startJoin(coordinator, { protocolType: 'connect' }).wait()).errorCode).toBe(23);
  });

  it('JoinGroup v4+ (requireKnownMemberId): MemberIdRequired (79) with a new id first, then a join with that id', async () => {
    const { coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    const first = await a.startJoin(coordinator, { requireKnownMemberId: true }).wait();
    expect(first).toMatchObject({ errorCode: 79, generationId: -1, leaderId: '' });
    expect(first.memberId).toMatch(/^member-a-/);
    a.memberId = first.memberId;
    const second = await a.startJoin(coordinator, { requireKnownMemberId: true }).wait();
    expect(second).toMatchObject({ errorCode: 0, generationId: 1, memberId: first.memberId, leaderId: first.memberId });
  });

  it('forgets a member id handed out with MemberIdRequired if the member does not join with it within its session timeout', async () => {
    const { c, coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    const first = await a.startJoin(coordinator, { requireKnownMemberId: true, sessionTimeoutMs: 6000 }).wait();
    await c.sim.runFor(6000);
    expect(c.sim.kernel.trace.records.filter((r) => r.kind === 'group.pending-member-expired').map((r) => (r.data as { member: string }).member)).toEqual([first.memberId]);
    a.memberId = first.memberId;
    expect((await a.startJoin(coordinator, { requireKnownMemberId: true }).wait()).errorCode).toBe(25);
  });

  it('a heartbeat while the group waits for the leader’s assignment is told RebalanceInProgress (27), as in Kafka 2.2', async () => {
    const { c, coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    await joinAll(coordinator, [a]);
    expect(groupView(c, coordinator, 'g')?.state).toBe('CompletingRebalance');
    expect((await a.client.request(coordinator, heartbeatRequest('g', 1, a.memberId))).errorCode).toBe(27);
  });

  it('the same seed gives the same member ids, generations and trace', async () => {
    const run = async () => {
      const { c, coordinator, members } = await setUp(2);
      await stableGroup(c, coordinator, members);
      return c.sim.kernel.trace.records.filter((r) => r.kind.startsWith('group.')).map((r) => `${r.timeMs} ${r.node} ${r.text}`);
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(5);
    expect(await run()).toEqual(first);
  });

  it('a repeated JoinGroup while the group completes the rebalance answers the same generation again', async () => {
    const { coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    const [first] = await joinAll(coordinator, [a]);
    const again = await a.startJoin(coordinator).wait();
    expect(again).toEqual(first);
  });
});

describe('membership over time', () => {
  it('a member that stops heartbeating expires after its session timeout, and the others rebalance without it', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    // a heartbeats every 3 s, b never again: b's 10 s session runs out.
    const errors: number[] = [];
    for (let i = 0; i < 5; i++) {
      await c.sim.runFor(3000);
      errors.push((await a.client.request(coordinator, heartbeatRequest('g', 1, a.memberId))).errorCode);
    }
    expect(errors.slice(0, 3)).toEqual([0, 0, 0]);
    expect(errors.at(-1)).toBe(27); // RebalanceInProgress: rejoin
    expect(groupView(c, coordinator, 'g')?.members.map((m) => m.memberId)).toEqual([a.memberId]);
    const [rejoin] = await joinAll(coordinator, [a]);
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: 2, leaderId: a.memberId });
    expect(rejoin!.members.map((m) => m.memberId)).toEqual([a.memberId]);
    // b comes back with its old id: unknown now.
    expect((await b.client.request(coordinator, heartbeatRequest('g', 1, b.memberId))).errorCode).toBe(25);
  });

  it('a member that keeps heartbeating but does not rejoin is dropped when the largest rebalance timeout runs out', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    const start = c.sim.kernel.nowMs;
    const aJoin = a.startJoin(coordinator, { rebalanceTimeoutMs: 20_000 }); // a rejoins; b only heartbeats
    const heard: number[] = [];
    while (!aJoin.settled) {
      await c.sim.runFor(3000);
      heard.push((await b.client.request(coordinator, heartbeatRequest('g', 1, b.memberId))).errorCode);
    }
    // Heartbeats keep b in the group (told to rejoin) until b's 30 s rebalance timeout, the group's largest, ends the wait.
    expect(heard.slice(0, -1).every((code) => code === 27)).toBe(true);
    expect(heard.at(-1)).toBe(25);
    expect(aJoin.settledAtMs! - start).toBeGreaterThanOrEqual(30_000);
    expect(aJoin.settledAtMs! - start).toBeLessThan(30_100);
    const response = aJoin.response!;
    expect(response).toMatchObject({ errorCode: 0, generationId: 2 });
    expect(response.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('a member that neither rejoins nor heartbeats during a rebalance expires with its session, which completes the rebalance', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    const start = c.sim.kernel.nowMs;
    const response = await a.startJoin(coordinator).wait();
    expect(response.members.map((m) => m.memberId)).toEqual([a.memberId]);
    // b's last word was its SyncGroup, at the end of `stableGroup`: its 10 s session ran out first.
    expect(c.sim.kernel.nowMs - start).toBeLessThan(10_000);
    expect(c.sim.kernel.trace.records.some((r) => r.kind === 'group.member-removed' && r.text.includes('its session timed out'))).toBe(true);
  });

  it('the leader rejoining starts a rebalance: the others hear RebalanceInProgress (27) and all meet in the next generation', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    const aJoin = a.startJoin(coordinator);
    await c.sim.runFor(100);
    expect(groupView(c, coordinator, 'g')?.state).toBe('PreparingRebalance');
    expect((await b.client.request(coordinator, heartbeatRequest('g', 1, b.memberId))).errorCode).toBe(27);
    // b's SyncGroup of the old generation is refused too, as a rebalance is on.
    expect((await b.client.request(coordinator, syncGroupRequest('g', 1, b.memberId))).errorCode).toBe(27);
    const bJoin = b.startJoin(coordinator);
    const [ra, rb] = [await aJoin.wait(), await bJoin.wait()];
    expect([ra.generationId, rb.generationId]).toEqual([2, 2]);
    expect(ra.leaderId).toBe(a.memberId);
  });

  it('a leaving member is gone at once; the rest rebalance; an unknown one gets UnknownMemberId (25)', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    const leave = await a.client.request(coordinator, leaveGroupRequest('g', [a.memberId, 'nobody']));
    expect(leave).toEqual({ api: 'LeaveGroup', errorCode: 0, members: [{ memberId: a.memberId, errorCode: 0 }, { memberId: 'nobody', errorCode: 25 }] });
    // The leader left: b leads now.
    expect(groupView(c, coordinator, 'g')).toMatchObject({ state: 'PreparingRebalance', leaderId: b.memberId });
    const [rb] = await joinAll(coordinator, [b]);
    expect(rb).toMatchObject({ generationId: 2, leaderId: b.memberId });
  });

  it('the last member leaving empties the group: a new generation with no members', async () => {
    const { c, coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    await stableGroup(c, coordinator, [a]);
    await a.client.request(coordinator, leaveGroupRequest('g', [a.memberId]));
    expect(groupView(c, coordinator, 'g')).toMatchObject({ state: 'Empty', generationId: 2, members: [], leaderId: '' });
  });

  it('narrates each state change in the trace', async () => {
    const { c, coordinator, members } = await setUp(1);
    await stableGroup(c, coordinator, members);
    const lines = c.sim.kernel.trace.records.filter((r) => r.kind === 'group.state-changed').map((r) => r.text);
    expect(lines).toEqual([
      expect.stringMatching(/^Group g moves from Empty to PreparingRebalance \(generation 0\): member-a-.* joined\.$/),
      expect.stringMatching(/^Group g moves from PreparingRebalance to CompletingRebalance \(generation 1\): generation 1 with 1 member\(s\), leader member-a-.*, protocol range\.$/),
      expect.stringMatching(/^Group g moves from CompletingRebalance to Stable \(generation 1\): the leader member-a-.* sent the assignment of generation 1\.$/),
    ]);
  });
});

describe('generation fencing', () => {
  it('after a rebalance, the old generation is refused for heartbeats, syncs and commits (IllegalGeneration, 22)', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    await stableGroup(c, coordinator, [a, b]); // generation 2
    expect(a.generationId).toBe(2);
    expect((await a.client.request(coordinator, heartbeatRequest('g', 1, a.memberId))).errorCode).toBe(22);
    expect((await a.client.request(coordinator, syncGroupRequest('g', 1, a.memberId))).errorCode).toBe(22);
    const stale = await a.client.request(coordinator, groupCommitRequest('g', 1, a.memberId, [{ topic: 't', partition: 0, offset: 5 }]));
    expect(stale.partitions).toEqual([{ topic: 't', partition: 0, errorCode: 22 }]);
    const current = await a.client.request(coordinator, groupCommitRequest('g', 2, a.memberId, [{ topic: 't', partition: 0, offset: 5 }]));
    expect(current.partitions).toEqual([{ topic: 't', partition: 0, errorCode: 0 }]);
  });

  it('commits while the group completes a rebalance are refused (RebalanceInProgress, 27); from strangers (UnknownMemberId, 25)', async () => {
    const { coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    await joinAll(coordinator, [a]);
    const during = await a.client.request(coordinator, groupCommitRequest('g', 1, a.memberId, [{ topic: 't', partition: 0, offset: 1 }]));
    expect(during.partitions[0]!.errorCode).toBe(27);
    await a.client.request(coordinator, syncGroupRequest('g', 1, a.memberId, []));
    const stranger = await a.client.request(coordinator, groupCommitRequest('g', 1, 'someone-else', [{ topic: 't', partition: 0, offset: 1 }]));
    expect(stranger.partitions[0]!.errorCode).toBe(25);
    // A commit from outside group management (generation -1) is refused while the group has members...
    const outside = await a.client.request(coordinator, groupCommitRequest('g', -1, '', [{ topic: 't', partition: 0, offset: 1 }]));
    expect(outside.partitions[0]!.errorCode).toBe(25);
  });
});

describe('committed offsets', () => {
  it('commits and fetches offsets with metadata; a partition never committed answers -1 with no error', async () => {
    const { c, coordinator, members } = await setUp(1);
    const [a] = members as [Member];
    await stableGroup(c, coordinator, [a]);
    const commit = await a.client.request(coordinator, groupCommitRequest('g', 1, a.memberId, [
      { topic: 't', partition: 0, offset: 42, metadata: 'note' },
      { topic: 't', partition: 3, offset: 7 },
    ]));
    expect(commit.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    const fetch = await a.client.request(coordinator, groupFetchRequest('g', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]));
    expect(fetch).toEqual({
      api: 'GroupOffsetFetch',
      errorCode: 0,
      partitions: [
        { topic: 't', partition: 0, offset: 42, metadata: 'note', errorCode: 0 },
        { topic: 't', partition: 1, offset: -1, metadata: '', errorCode: 0 },
      ],
    });
    const all = await a.client.request(coordinator, groupFetchRequest('g', null));
    expect(all.partitions.map((p) => [p.partition, p.offset])).toEqual([[0, 42], [3, 7]]);
    // Kept in ZooKeeper by the coordinator, apart from the 0.8 consumers' /consumers/<group>/offsets.
    expect(JSON.parse(lookup(c.sim.zookeeper.state, '/kafkasim/group-offsets/g/t/0')!.data)).toEqual({ offset: 42, metadata: 'note' });
    expect(lookup(c.sim.zookeeper.state, '/consumers/g')).toBeUndefined();
  });

  it('refuses unknown partitions (3) and metadata over offset.metadata.max.bytes (12), per partition', async () => {
    const { c, coordinator } = await setUp(0);
    const commit = await c.client.request(coordinator, groupCommitRequest('g', -1, '', [
      { topic: 't', partition: 9, offset: 1 },
      { topic: 'nope', partition: 0, offset: 1 },
      { topic: 't', partition: 0, offset: 1, metadata: 'x'.repeat(4097) },
      { topic: 't', partition: 1, offset: 1, metadata: 'x'.repeat(4096) },
    ]));
    expect(commit.partitions.map((p) => p.errorCode)).toEqual([3, 3, 12, 0]);
  });

  it('a consumer outside group management (generation -1) commits to a group with no members, which the coordinator then lists', async () => {
    const { c, coordinator } = await setUp(0);
    const commit = await c.client.request(coordinator, groupCommitRequest('g', -1, '', [{ topic: 't', partition: 2, offset: 9 }]));
    expect(commit.partitions[0]!.errorCode).toBe(0);
    expect(groupView(c, coordinator, 'g')).toMatchObject({ state: 'Empty', generationId: 0, protocolType: '' });
    // ...but a commit naming a generation for a group the coordinator does not know is stale.
    const stale = await c.client.request(await findCoordinator(c, 'other'), groupCommitRequest('other', 3, 'm', [{ topic: 't', partition: 2, offset: 9 }]));
    expect(stale.partitions[0]!.errorCode).toBe(22);
  });
});

describe('away from the coordinator', () => {
  it('every group request to another broker gets NotCoordinator (16)', async () => {
    const { c, coordinator } = await setUp(0);
    const other = [1, 2, 3].find((b) => b !== coordinator)!;
    expect((await c.client.request(other, joinGroupRequest('g'))).errorCode).toBe(16);
    expect((await c.client.request(other, syncGroupRequest('g', 1, 'm'))).errorCode).toBe(16);
    expect((await c.client.request(other, heartbeatRequest('g', 1, 'm'))).errorCode).toBe(16);
    expect((await c.client.request(other, leaveGroupRequest('g', ['m']))).errorCode).toBe(16);
    expect((await c.client.request(other, groupCommitRequest('g', -1, '', [{ topic: 't', partition: 0, offset: 1 }]))).partitions[0]!.errorCode).toBe(16);
    const fetch = await c.client.request(other, groupFetchRequest('g', [{ topic: 't', partition: 0 }]));
    expect(fetch.errorCode).toBe(16);
    expect(fetch.partitions[0]!.errorCode).toBe(16);
  });
});

describe('coordinator crash and failover', () => {
  it('members lose the coordinator, find the new leader of the offsets partition, rejoin as new members, and the committed offsets are still there', async () => {
    const { c, coordinator, members } = await setUp(2);
    const [a, b] = members as [Member, Member];
    await stableGroup(c, coordinator, [a, b]);
    await a.client.request(coordinator, groupCommitRequest('g', 1, a.memberId, [{ topic: 't', partition: 0, offset: 11 }, { topic: 't', partition: 1, offset: 12 }]));

    c.sim.applyFault({ kind: 'broker-crash', broker: coordinator });
    // The old coordinator is unreachable.
    await expect(a.client.request(coordinator, heartbeatRequest('g', 1, a.memberId))).rejects.toThrow();
    expect(c.sim.brokerStates[coordinator]!.groups).toBeUndefined(); // membership was memory only

    // Until the controller notices the crash, the brokers' metadata still names the dead coordinator.
    let next = coordinator;
    while (next === coordinator) {
      await c.sim.runFor(500);
      next = await findCoordinator(c, 'g', a.client);
    }
    // The new coordinator never heard of these members.
    expect((await a.client.request(next, heartbeatRequest('g', 1, a.memberId))).errorCode).toBe(25);
    const fetched = await a.client.request(next, groupFetchRequest('g', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]));
    expect(fetched.partitions.map((p) => p.offset)).toEqual([11, 12]);
    a.memberId = '';
    b.memberId = '';
    await stableGroup(c, next, [a, b]);
    expect(groupView(c, next, 'g')).toMatchObject({ state: 'Stable', generationId: 1 });

    // The old coordinator comes back as a follower of the offsets partition: NotCoordinator.
    c.sim.brokers.get(coordinator)!.restart();
    await c.sim.runFor(10_000);
    expect((await a.client.request(coordinator, heartbeatRequest('g', 1, a.memberId))).errorCode).toBe(16);
  });

  it('a coordinator that loses leadership of the offsets partition unloads its groups at once: a waiting JoinGroup gets NotCoordinator (16)', async () => {
    const { c, coordinator, members } = await setUp(1, { brokerConfig: { 'group.initial.rebalance.delay.ms': 3000 } });
    const [a] = members as [Member];
    const pending = a.startJoin(coordinator);
    await c.sim.runFor(100);
    expect(groupView(c, coordinator, 'g')?.state).toBe('PreparingRebalance');
    // A controlled shutdown moves leadership away before the process stops; the join is still in its initial delay.
    const broker = c.sim.brokers.get(coordinator)!;
    c.sim.kernel.spawn('test/shutdown', () => broker.shutdown(), { node: broker.node });
    await c.sim.runUntil(() => pending.settled);
    expect(pending.response).toMatchObject({ errorCode: 16 });
    expect(c.sim.kernel.trace.records.some((r) => r.kind === 'group.state-changed' && r.text.includes('to Dead'))).toBe(true);
  });
});
