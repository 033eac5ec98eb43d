/**
 * The kernel's event queue: a binary min-heap ordered by (timeMs, seq). `seq` is the insertion
 * sequence number, so events due at the same virtual time run in the order they were scheduled,
 * never in an order left to a sort. Cancelled events stay in the heap and are skipped when popped
 * (lazy deletion keeps cancel O(1)).
 */
import type { SimNode } from './node.ts';

export class ScheduledEvent {
  cancelled = false;

  constructor(
    readonly timeMs: number,
    readonly seq: number,
    readonly label: string,
    /** The node whose process scheduled the event; undefined for the kernel itself. */
    readonly node: SimNode | undefined,
    /** The node's incarnation when scheduled: a crashed process's events never run. */
    readonly incarnation: number,
    readonly run: () => void,
  ) {}

  /** The event will not run (no effect if it already has). */
  cancel(): void {
    this.cancelled = true;
  }
}

export class EventQueue {
  private heap: ScheduledEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: ScheduledEvent): void {
    const heap = this.heap;
    let index = heap.length;
    heap.push(event);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(event, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  peek(): ScheduledEvent | undefined {
    return this.heap[0];
  }

  pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const length = heap.length;
    if (length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        const child = right < length && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }

  /** Drops cancelled events at the top so `peek` shows the next event that will really run. */
  peekLive(): ScheduledEvent | undefined {
    let top = this.heap[0];
    while (top !== undefined && top.cancelled) {
      this.pop();
      top = this.heap[0];
    }
    return top;
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}
