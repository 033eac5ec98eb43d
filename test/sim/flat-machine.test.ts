import { describe, expect, it } from 'vitest';
import { setup, transition, type AnyStateMachine } from 'xstate';
import { groupStateMachine } from '../../src/broker/coordinator/group-state.ts';
import { partitionStateMachine, replicaStateMachine } from '../../src/broker/controller/state-machines.ts';
import { memberStateMachine } from '../../src/client/group/member-state.ts';
import { FlatTransitions } from '../../src/sim/flat-machine.ts';
import { zooKeeperSessionMachine } from '../../src/zookeeper/session-machine.ts';

/** What xstate itself says, the way the callers asked it before the table. */
function xstateNext(machine: AnyStateMachine, from: string, event: string): string | undefined {
  const snapshot = machine.resolveState({ value: from, context: {} });
  if (!snapshot.can({ type: event })) return undefined;
  return transition(machine, snapshot, { type: event })[0].value as string;
}

describe('FlatTransitions', () => {
  const machines = { zooKeeperSessionMachine, partitionStateMachine, replicaStateMachine, groupStateMachine, memberStateMachine };
  for (const [name, machine] of Object.entries(machines) as [string, AnyStateMachine][]) {
    it(`answers as xstate's transition() for every state and event of ${name}, asked twice`, () => {
      const states = Object.keys(machine.root.states);
      const events = [...new Set(machine.root.events.map(String))];
      const table = new FlatTransitions<string, string>(machine);
      for (let round = 0; round < 2; round++) {
        for (const from of states) {
          for (const event of events) expect(table.next(from, event), `${from} on ${event}`).toBe(xstateNext(machine, from, event));
        }
      }
    });
  }

  it('refuses a machine whose next state could depend on more than the state and the event', () => {
    const guarded = setup({ guards: { never: () => false } }).createMachine({
      id: 'guarded',
      initial: 'a',
      states: { a: { on: { GO: { target: 'b', guard: 'never' } } }, b: {} },
    });
    expect(() => new FlatTransitions(guarded)).toThrow(/no guards/);
    const nested = setup({}).createMachine({ id: 'nested', initial: 'a', states: { a: { initial: 'x', states: { x: {} } } } });
    expect(() => new FlatTransitions(nested)).toThrow(/flat/);
  });
});
