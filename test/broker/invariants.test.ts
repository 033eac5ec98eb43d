/**
 * The group invariant of `src/broker/invariants.ts` on hand-made states (the others are exercised
 * by every cluster test through `InvariantMonitor`).
 */
import { describe, expect, it } from 'vitest';
import { stableGroupInOneGeneration } from '../../src/broker/invariants.ts';
import type { Simulation } from '../../src/broker/simulation.ts';
import type { GroupView } from '../../src/broker/state.ts';

const withGroup = (group: GroupView) => ({ brokerStates: { 2: { groups: { g: group } } } }) as unknown as Simulation;
const member = (memberId: string, generationId: number) => ({ memberId, clientId: 'c', generationId });

describe('stable-group-in-one-generation', () => {
  it('holds when every member of a Stable group is in its generation, and for groups in rebalance', () => {
    const check = stableGroupInOneGeneration();
    expect(check.check(withGroup({ state: 'Stable', generationId: 3, protocolType: 'consumer', protocolName: 'range', leaderId: 'a', members: [member('a', 3), member('b', 3)] }))).toBeUndefined();
    expect(check.check(withGroup({ state: 'PreparingRebalance', generationId: 3, protocolType: 'consumer', protocolName: 'range', leaderId: 'a', members: [member('a', 3), member('c', -1)] }))).toBeUndefined();
  });

  it('names the group, broker and member when a Stable group holds a member of another generation', () => {
    const check = stableGroupInOneGeneration();
    expect(check.check(withGroup({ state: 'Stable', generationId: 3, protocolType: 'consumer', protocolName: 'range', leaderId: 'a', members: [member('a', 3), member('b', 2)] }))).toBe(
      'group g is Stable in generation 3 on broker 2, but its member b is in generation 2',
    );
  });
});
