/**
 * The states of a consumer group at its coordinator (Kafka 2.x `GroupState`, with the valid
 * previous states of each as in `GroupMetadata.assertValidTransition`) as an explicit transition
 * table in xstate v5, used through the pure `transition()`. Events are named after the state they
 * move to; a move the table lacks is a bug in the coordinator (Kafka throws IllegalStateException).
 *
 *   Empty ──▶ PreparingRebalance ──▶ CompletingRebalance ──▶ Stable
 *     ▲            │    ▲                   │                  │
 *     └────────────┘    └───────────────────┴──────────────────┘
 *   and any state ──▶ Dead (the group is unloaded: its coordinator moved).
 */
import { setup } from 'xstate';
import type { GroupStateName } from '../../protocol/api.ts';
import { assert } from '../../sim/assert.ts';
import { FlatTransitions } from '../../sim/flat-machine.ts';

type GroupEvent = { type: GroupStateName };

export const groupStateMachine = setup({ types: { events: {} as GroupEvent } }).createMachine({
  id: 'group',
  initial: 'Empty',
  states: {
    Empty: { on: { PreparingRebalance: 'PreparingRebalance', Dead: 'Dead' } },
    PreparingRebalance: { on: { CompletingRebalance: 'CompletingRebalance', Empty: 'Empty', Dead: 'Dead' } },
    CompletingRebalance: { on: { Stable: 'Stable', PreparingRebalance: 'PreparingRebalance', Dead: 'Dead' } },
    Stable: { on: { PreparingRebalance: 'PreparingRebalance', Dead: 'Dead' } },
    Dead: { type: 'final' },
  },
});

const groupTransitions = new FlatTransitions<GroupStateName, GroupStateName>(groupStateMachine);

/** True if the table allows `from` → `to`. */
export function canMoveGroup(from: GroupStateName, to: GroupStateName): boolean {
  const next = groupTransitions.next(from, to);
  if (next === undefined) return false;
  assert(next === to, `the group table moves ${from} to ${to}`);
  return true;
}
