/**
 * The states of a coordinator-mode consumer in its group (Kafka 2.2 `AbstractCoordinator.MemberState`
 * UNJOINED / REBALANCING / STABLE, plus Left once shut down) as an explicit transition table in
 * xstate v5, used through the pure `transition()`. Events are named after the state they move to;
 * a move the table lacks is a bug in the connector.
 *
 *   Unjoined ──▶ Rebalancing ──▶ Stable          Unjoined: no generation (first start, or it was
 *      ▲             │  ▲           │                      reset by ILLEGAL_GENERATION 22 or
 *      └─────────────┘  └───────────┤                      UNKNOWN_MEMBER_ID 25).
 *      ▲                            │           Rebalancing: JoinGroup/SyncGroup under way.
 *      └────────────────────────────┘           Stable: owns its assignment, heartbeats.
 *   and any state ──▶ Left (shutdown: LeaveGroup sent; final).
 */
import { setup } from 'xstate';
import { assert } from '../../sim/assert.ts';
import { FlatTransitions } from '../../sim/flat-machine.ts';

export type MemberStateName = 'Unjoined' | 'Rebalancing' | 'Stable' | 'Left';

type MemberEvent = { type: MemberStateName };

export const memberStateMachine = setup({ types: { events: {} as MemberEvent } }).createMachine({
  id: 'member',
  initial: 'Unjoined',
  states: {
    Unjoined: { on: { Rebalancing: 'Rebalancing', Left: 'Left' } },
    Rebalancing: { on: { Stable: 'Stable', Unjoined: 'Unjoined', Left: 'Left' } },
    Stable: { on: { Rebalancing: 'Rebalancing', Unjoined: 'Unjoined', Left: 'Left' } },
    Left: { type: 'final' },
  },
});

/** The state after `from` → `to`; asserts the table allows it. */
const memberTransitions = new FlatTransitions<MemberStateName, MemberStateName>(memberStateMachine);

export function moveMember(from: MemberStateName, to: MemberStateName): MemberStateName {
  const next = memberTransitions.next(from, to);
  assert(next !== undefined, `the member table has no move from ${from} to ${to}`);
  return next;
}
