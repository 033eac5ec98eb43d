/**
 * The transitions of a flat xstate machine, looked up in a table instead of run through xstate's
 * `transition()` each time. The machine stays the one source of truth: each entry is computed by
 * xstate itself (`can`, then `transition`) the first time it is asked for, and kept. That is
 * exact because the table only accepts machines whose next state depends on nothing but the
 * state and the event: flat string states, no guards, no eventless or delayed transitions.
 *
 * Why: `transition()` creates an inert actor and its initial snapshot on every call (~10 µs);
 * kafkasim asks these tables on hot paths (a ZooKeeper session's every state change, the
 * controller's state machines for every replica of every partition).
 */
import { transition, type AnyStateMachine } from 'xstate';
import { assert } from './assert.ts';

export class FlatTransitions<S extends string, E extends string> {
  /** Per state, per event: the next state, or null when the machine has no such transition. */
  private readonly table = new Map<string, Map<string, S | null>>();

  constructor(private readonly machine: AnyStateMachine) {
    for (const state of Object.values(machine.root.states)) {
      assert(Object.keys(state.states).length === 0, `the ${machine.id} machine is flat (state ${state.key} has child states)`);
      assert(state.always === undefined && state.after.length === 0, `the ${machine.id} machine has no eventless or delayed transitions (state ${state.key})`);
      for (const definitions of state.transitions.values()) {
        for (const definition of definitions) {
          assert(definition.guard === undefined, `the ${machine.id} machine has no guards (state ${state.key}, event ${definition.eventType})`);
        }
      }
    }
  }

  /** The state after `event` in state `from`, or undefined if the machine has no such transition. */
  next(from: S, event: E): S | undefined {
    let row = this.table.get(from);
    if (row === undefined) this.table.set(from, (row = new Map()));
    let next = row.get(event);
    if (next === undefined) {
      next = this.compute(from, event);
      row.set(event, next);
    }
    return next ?? undefined;
  }

  private compute(from: S, event: E): S | null {
    const snapshot = this.machine.resolveState({ value: from, context: {} });
    if (!snapshot.can({ type: event })) return null;
    const [after] = transition(this.machine, snapshot, { type: event });
    const value: unknown = after.value;
    assert(typeof value === 'string', `the ${this.machine.id} machine's states are flat`);
    return value as S;
  }
}
