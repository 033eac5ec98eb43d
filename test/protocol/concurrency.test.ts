/**
 * The bounded FIFO the consumer's chunk queues and the async producer's queue are made of:
 * whatever the sequence of offers and takes (wrapping around its ring, growing it), it hands items
 * out in the order they came, never holds more than its capacity, and says so when full.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockingQueue } from '../../src/protocol/concurrency.ts';

/** Only the queue's synchronous operations are used here: nothing may wait. */
const noWaiting = {
  deferred: () => {
    throw new Error('a synchronous operation waited');
  },
  timer: () => {
    throw new Error('a synchronous operation set a timer');
  },
};

type Operation = { kind: 'offer'; item: number } | { kind: 'poll' } | { kind: 'drain'; max: number } | { kind: 'clear' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: fc.integer().map((item) => ({ kind: 'offer' as const, item })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'poll' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((max) => ({ kind: 'drain' as const, max })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('BlockingQueue', () => {
  it('behaves as a bounded FIFO array for any sequence of offers, polls, drains and clears', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(operation, { maxLength: 400 }), (capacity, operations) => {
        const queue = new BlockingQueue<number>(noWaiting, capacity, 'the test queue');
        const model: number[] = [];
        for (const op of operations) {
          if (op.kind === 'offer') {
            const room = model.length < capacity;
            expect(queue.offer(op.item)).toBe(room);
            if (room) model.push(op.item);
          } else if (op.kind === 'poll') {
            expect(queue.pollNow()).toBe(model.shift());
          } else if (op.kind === 'drain') {
            const into: number[] = [];
            expect(queue.drainTo(into, op.max)).toBe(Math.min(op.max, model.length));
            expect(into).toEqual(model.splice(0, op.max));
          } else {
            queue.clear();
            model.length = 0;
          }
          expect(queue.size).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps order across many wraps and growths of its ring', () => {
    const queue = new BlockingQueue<number>(noWaiting, 100_000, 'a long queue');
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 200 + round * 37; i++) expect(queue.offer(next++)).toBe(true);
      for (let i = 0; i < 150 + round * 30; i++) expect(queue.pollNow()).toBe(expected++);
    }
    while (queue.size > 0) expect(queue.pollNow()).toBe(expected++);
    expect(expected).toBe(next);
  });
});
