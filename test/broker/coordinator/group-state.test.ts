/**
 * The group states' transition table (Kafka 2.2 `GroupState` valid previous states).
 */
import { describe, expect, it } from 'vitest';
import { canMoveGroup } from '../../../src/broker/coordinator/group-state.ts';
import type { GroupStateName } from '../../../src/protocol/api.ts';

const STATES: readonly GroupStateName[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

describe('group state table', () => {
  it('allows exactly Kafka’s moves', () => {
    const allowed = STATES.flatMap((from) => STATES.filter((to) => canMoveGroup(from, to)).map((to) => `${from} → ${to}`));
    expect(allowed).toEqual([
      'Empty → PreparingRebalance',
      'Empty → Dead',
      'PreparingRebalance → Empty',
      'PreparingRebalance → CompletingRebalance',
      'PreparingRebalance → Dead',
      'CompletingRebalance → PreparingRebalance',
      'CompletingRebalance → Stable',
      'CompletingRebalance → Dead',
      'Stable → PreparingRebalance',
      'Stable → Dead',
    ]);
  });

  it('a group never skips the rebalance: Empty cannot become Stable, nor Stable complete a rebalance it has not prepared', () => {
    expect(canMoveGroup('Empty', 'Stable')).toBe(false);
    expect(canMoveGroup('Stable', 'CompletingRebalance')).toBe(false);
    expect(canMoveGroup('Dead', 'Empty')).toBe(false);
  });
});
