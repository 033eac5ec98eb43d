/** The coordinator-mode member's transition table (`AbstractCoordinator.MemberState` plus Left). */
import { describe, expect, it } from 'vitest';
import { moveMember, type MemberStateName } from '../../../src/client/group/member-state.ts';

const STATES: readonly MemberStateName[] = ['Unjoined', 'Rebalancing', 'Stable', 'Left'];
const ALLOWED: Record<MemberStateName, readonly MemberStateName[]> = {
  Unjoined: ['Rebalancing', 'Left'],
  Rebalancing: ['Unjoined', 'Stable', 'Left'],
  Stable: ['Unjoined', 'Rebalancing', 'Left'],
  Left: [],
};

describe('member states', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
        if (allowed) expect(moveMember(from, to)).toBe(to);
        else expect(() => moveMember(from, to)).toThrow(`the member table has no move from ${from} to ${to}`);
      });
    }
  }
});
