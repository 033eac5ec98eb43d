/**
 * A property of the group coordinator (fast-check): whatever three members do — join (one of them
 * with the JoinGroup v4+ member-id handshake; each syncs once its join succeeds), sync again,
 * heartbeat, leave, in any order and with any pauses between (so sessions and rebalances time
 * out) — after every step:
 * - at most one broker holds the group Stable, and every member of a Stable group is in the
 *   group's generation;
 * - the generation never goes back, and each generation becomes Stable at most once;
 * - the broker invariants hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JoinGroupResponse, KafkaRequest, KafkaResponse } from '../../../src/protocol/api.ts';
import type { Pending } from '../support/client.ts';
import { expectNoViolations, type Cluster } from '../support/cluster.ts';
import { Member, findCoordinator, groupView, heartbeatRequest, leaveGroupRequest, startGroupCluster, syncGroupRequest } from '../support/group.ts';

type Op = { readonly kind: 'join' | 'sync' | 'heartbeat' | 'leave'; readonly member: number } | { readonly kind: 'advance'; readonly ms: number };

const member = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), member }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), member }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('sync' as const, 'leave' as const), member }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 10_000 }) }) },
);

/** Virtual time between two operations. */
const STEP_MS = 200;

/** The test's side of one member: its id, generation, last join and the request it waits on. */
class Actor {
  lastJoin: JoinGroupResponse | undefined;
  pending: { readonly kind: Op['kind']; readonly request: Pending<KafkaResponse> } | undefined;

  constructor(
    readonly member: Member,
    readonly requireKnownMemberId: boolean,
  ) {}

  /** Takes in an answer; after a successful join, syncs at once, as consumers do. */
  settle(coordinator: number): void {
    const pending = this.pending;
    if (pending === undefined || !pending.request.settled) return;
    this.pending = undefined;
    const response = pending.request.response;
    if (response?.api !== 'JoinGroup') return;
    if (response.errorCode === 0) {
      this.member.joined(response);
      this.lastJoin = response;
      this.start(coordinator, { kind: 'sync', member: 0 });
    } else if (response.errorCode === 79) this.member.memberId = response.memberId;
    else if (response.errorCode === 25) this.member.memberId = '';
  }

  start(coordinator: number, op: Op): void {
    const m = this.member;
    const send = (request: KafkaRequest) => (this.pending = { kind: op.kind, request: m.client.start(coordinator, request) as Pending<KafkaResponse> });
    switch (op.kind) {
      case 'join':
        this.pending = { kind: 'join', request: m.startJoin(coordinator, { requireKnownMemberId: this.requireKnownMemberId }) as Pending<KafkaResponse> };
        return;
      case 'sync': {
        const join = this.lastJoin;
        if (join === undefined) return;
        const assignments = join.leaderId === m.memberId ? join.members.map((x) => ({ memberId: x.memberId, assignment: x.memberId })) : [];
        send(syncGroupRequest(m.groupId, join.generationId, m.memberId, assignments));
        return;
      }
      case 'heartbeat':
        if (m.memberId !== '') send(heartbeatRequest(m.groupId, m.generationId, m.memberId));
        return;
      case 'leave':
        if (m.memberId === '') return;
        send(leaveGroupRequest(m.groupId, [m.memberId]));
        m.memberId = '';
        this.lastJoin = undefined;
        return;
      case 'advance':
        return;
    }
  }
}

/** Checks the group after a step; returns the size of the group if it is Stable, else 0. */
function checkGroup(c: Cluster, stableGenerations: number[], lastGeneration: { value: number }): number {
  const held = [1, 2, 3].map((b) => groupView(c, b, 'g')).filter((v) => v !== undefined);
  const stable = held.filter((v) => v.state === 'Stable');
  expect(stable.length).toBeLessThanOrEqual(1);
  for (const group of stable) for (const member of group.members) expect(member.generationId).toBe(group.generationId);
  for (const group of held) {
    expect(group.generationId).toBeGreaterThanOrEqual(lastGeneration.value);
    lastGeneration.value = group.generationId;
  }
  const entered = c.sim.kernel.trace.records.filter((r) => r.kind === 'group.state-changed' && (r.data as { to: string }).to === 'Stable').map((r) => (r.data as { generation: number }).generation);
  expect(entered).toEqual([...new Set(entered)].sort((a, b) => a - b));
  stableGenerations.splice(0, stableGenerations.length, ...entered);
  return stable[0]?.members.length ?? 0;
}

describe('group coordinator properties', () => {
  it('at most one Stable generation at a time, every Stable member in it, generations only move forward', async () => {
    let sawStable = 0;
    let largestStable = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const c = await startGroupCluster({ brokerConfig: { 'group.initial.rebalance.delay.ms': 500 } });
        const coordinator = await findCoordinator(c, 'g');
        const actors = [0, 1, 2].map((i) => new Actor(new Member(c, 'g', `member-${i}`, { sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10_000 }), i === 2));
        const stableGenerations: number[] = [];
        const lastGeneration = { value: 0 };
        for (const op of ops) {
          for (const actor of actors) actor.settle(coordinator);
          if (op.kind !== 'advance') {
            const actor = actors[op.member]!;
            if (actor.pending === undefined) actor.start(coordinator, op);
          }
          await c.sim.runFor(op.kind === 'advance' ? op.ms : STEP_MS);
          largestStable = Math.max(largestStable, checkGroup(c, stableGenerations, lastGeneration));
        }
        expectNoViolations(c.monitor);
        if (stableGenerations.length > 0) sawStable++;
      }),
      { numRuns: 60, seed: 7 },
    );
    // The workload does reach Stable groups, of up to all three members (the property is not vacuous).
    expect(sawStable).toBeGreaterThan(0);
    expect(largestStable).toBe(3);
  });
});
