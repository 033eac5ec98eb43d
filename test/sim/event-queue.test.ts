import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, ScheduledEvent } from '../../src/sim/event-queue.ts';

function event(timeMs: number, seq: number, label = `e${seq}`): ScheduledEvent {
  return new ScheduledEvent(timeMs, seq, label, undefined, 0, () => {});
}

function drain(queue: EventQueue): ScheduledEvent[] {
  const out: ScheduledEvent[] = [];
  for (let e = queue.pop(); e !== undefined; e = queue.pop()) out.push(e);
  return out;
}

describe('EventQueue', () => {
  it('pops events in order of due time, whatever order they were pushed in', () => {
    const queue = new EventQueue();
    for (const [t, s] of [[30, 0], [10, 1], [20, 2], [0, 3], [15, 4]] as const) queue.push(event(t, s));
    expect(drain(queue).map((e) => e.timeMs)).toEqual([0, 10, 15, 20, 30]);
  });

  it('pops events due at the same time in insertion order (seq), never in an order left to a sort', () => {
    const queue = new EventQueue();
    // 20 events at one time, pushed in seq order, interleaved with earlier and later ones.
    let seq = 0;
    for (let i = 0; i < 20; i++) {
      queue.push(event(5, seq++, `same-${i}`));
      queue.push(event(i % 2 === 0 ? 1 : 9, seq++));
    }
    const labels = drain(queue)
      .filter((e) => e.timeMs === 5)
      .map((e) => e.label);
    expect(labels).toEqual(Array.from({ length: 20 }, (_, i) => `same-${i}`));
  });

  it('orders any set of events by (timeMs, seq) (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const queue = new EventQueue();
        times.forEach((t, seq) => queue.push(event(t, seq)));
        expect(queue.size).toBe(times.length);
        const popped = drain(queue).map((e) => [e.timeMs, e.seq]);
        const expected = times.map((t, seq) => [t, seq]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
        expect(popped).toEqual(expected);
        expect(queue.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('peek shows the next event without removing it; pop and peek on an empty queue give undefined', () => {
    const queue = new EventQueue();
    expect(queue.peek()).toBeUndefined();
    expect(queue.pop()).toBeUndefined();
    const a = event(3, 0);
    queue.push(event(7, 1));
    queue.push(a);
    expect(queue.peek()).toBe(a);
    expect(queue.size).toBe(2);
    expect(queue.pop()).toBe(a);
    expect(queue.size).toBe(1);
  });

  it('keeps cancelled events until they reach the top, where peekLive drops them', () => {
    const queue = new EventQueue();
    const first = event(1, 0);
    const second = event(2, 1);
    const third = event(3, 2);
    queue.push(first);
    queue.push(second);
    queue.push(third);
    first.cancel();
    second.cancel();
    expect(queue.size).toBe(3); // lazy deletion: cancel is O(1)
    expect(queue.peekLive()).toBe(third);
    expect(queue.size).toBe(1);
    third.cancel();
    expect(queue.peekLive()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('peekLive does not drop a live event that sits behind a cancelled one further down', () => {
    const queue = new EventQueue();
    const top = event(1, 0);
    const later = event(9, 1);
    queue.push(top);
    queue.push(later);
    later.cancel();
    expect(queue.peekLive()).toBe(top);
    expect(queue.size).toBe(2);
  });
});
