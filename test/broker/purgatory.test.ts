import { describe, expect, it } from 'vitest';
import { Purgatory, type Delayed } from '../../src/broker/purgatory.ts';
import type { Timer } from '../../src/sim/kernel.ts';

/** A purgatory whose timeouts fire when the test says so. */
function purgatory() {
  const timers: Array<() => void> = [];
  const schedule = (_delayMs: number, run: () => void) => {
    timers.push(run);
    return { timeMs: 0, cancel: () => {} } satisfies Timer;
  };
  return { purgatory: new Purgatory(schedule), fireTimers: () => timers.splice(0).forEach((run) => run()) };
}

/** A request that completes once `ready` is set; it counts its checks. */
function request(keys: string[]) {
  const state = { ready: false, checks: 0, answer: undefined as string | undefined };
  const delayed: Delayed = {
    keys,
    tryComplete: () => {
      state.checks++;
      if (!state.ready) return false;
      state.answer = 'complete';
      return true;
    },
    expire: () => {
      state.answer = 'expired';
    },
  };
  return { state, delayed };
}

describe('Purgatory', () => {
  it('watch tries the request first and does not park it when it completes', () => {
    const { purgatory: p } = purgatory();
    const { state, delayed } = request(['t-0']);
    state.ready = true;
    p.watch(delayed, 100);
    expect([state.checks, state.answer, p.size]).toEqual([1, 'complete', 0]);
  });

  it('park does not try first; a later check of one of its keys completes it', () => {
    const { purgatory: p, fireTimers } = purgatory();
    const { state, delayed } = request(['t-0', 't-1']);
    p.park(delayed, 100);
    expect([state.checks, state.answer, p.size]).toEqual([0, undefined, 1]);
    p.check('t-1');
    expect([state.checks, p.size]).toEqual([1, 1]);
    state.ready = true;
    p.check('t-0');
    expect([state.checks, state.answer, p.size]).toEqual([2, 'complete', 0]);
    fireTimers();
    expect(state.answer).toBe('complete');
  });

  it('a parked request not completed by its timeout expires', () => {
    const { purgatory: p, fireTimers } = purgatory();
    const { state, delayed } = request(['t-0']);
    p.park(delayed, 100);
    fireTimers();
    expect([state.answer, p.size]).toEqual(['expired', 0]);
  });
});
