/**
 * Concurrency primitives for async code on the runtime seam (they work on the simulator's
 * kernel and on a real runtime alike): a mutex (Kafka's controller lock), and a bounded blocking
 * queue (the consumer's chunk queue, the async producer's queue).
 */
import type { AsyncEnvironment, Deferred } from './runtime.ts';

/** A FIFO mutex: `run` waits for the lock, runs `body`, releases it even if `body` throws. */
export class Mutex {
  private locked = false;
  private readonly waiters: Deferred<void>[] = [];

  constructor(
    private readonly env: Pick<AsyncEnvironment, 'deferred'>,
    private readonly name: string,
  ) {}

  get isLocked(): boolean {
    return this.locked;
  }

  async run<T>(body: () => Promise<T> | T): Promise<T> {
    if (this.locked) {
      const waiter = this.env.deferred<void>(`the ${this.name} lock`);
      this.waiters.push(waiter);
      await waiter.promise;
    }
    this.locked = true;
    try {
      return await body();
    } finally {
      const next = this.waiters.shift();
      if (next === undefined) this.locked = false;
      else next.resolve();
    }
  }
}

/**
 * A bounded FIFO queue with Java's `BlockingQueue` operations (`offer`, `put`, timed `offer`,
 * `poll` with a timeout, `take`), plus `drainTo` to take what is there without waiting.
 */
export class BlockingQueue<T> {
  /**
   * A ring of slots, its length a power of two, doubled when full: the async producer's queue
   * holds up to `queue.buffering.max.messages` (10,000) messages in turn, and an array used as a
   * FIFO (push, then cut off the consumed head) reallocated and copied them again and again.
   */
  private ring: (T | undefined)[] = new Array<T | undefined>(16);
  private head = 0;
  private count = 0;
  private readonly takers: Deferred<void>[] = [];
  private readonly putters: Deferred<void>[] = [];

  constructor(
    private readonly env: Pick<AsyncEnvironment, 'deferred' | 'timer'>,
    readonly capacity: number,
    private readonly name: string,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Adds if there is room; false otherwise (`offer`). */
  offer(item: T): boolean {
    if (this.count >= this.capacity) return false;
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = item;
    this.count++;
    this.takers.shift()?.resolve();
    return true;
  }

  /** Adds, waiting for room as long as it takes (`put`). */
  async put(item: T): Promise<void> {
    while (!this.offer(item)) await this.waitFor(this.putters, `room in ${this.name}`);
  }

  /** Adds, waiting for room at most `timeoutMs`; false if there was none (`offer(e, timeout)`). */
  async offerWithin(item: T, timeoutMs: number): Promise<boolean> {
    if (this.offer(item)) return true;
    if (timeoutMs <= 0) return false;
    await this.waitFor(this.putters, `room in ${this.name}`, timeoutMs);
    return this.offer(item);
  }

  /** Takes the head if there is one, without waiting. */
  pollNow(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.ring[this.head] as T;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.count--;
    this.putters.shift()?.resolve();
    return item;
  }

  /** Takes the head, waiting at most `timeoutMs` for one (`poll(timeout)`); undefined on timeout. */
  async poll(timeoutMs: number): Promise<T | undefined> {
    const now = this.pollNow();
    if (now !== undefined || timeoutMs <= 0) return now;
    await this.waitFor(this.takers, `an item in ${this.name}`, timeoutMs);
    return this.pollNow();
  }

  /** Takes the head, waiting as long as it takes (`take`). */
  async take(): Promise<T> {
    for (;;) {
      const item = this.pollNow();
      if (item !== undefined) return item;
      await this.waitFor(this.takers, `an item in ${this.name}`);
    }
  }

  /** Moves up to `max` items into `into` without waiting; returns how many. */
  drainTo(into: T[], max = Infinity): number {
    let moved = 0;
    while (moved < max) {
      const item = this.pollNow();
      if (item === undefined) break;
      into.push(item);
      moved++;
    }
    return moved;
  }

  /** Resolves once there is room (or the queue was cleared), without adding anything. */
  async waitForRoom(): Promise<void> {
    if (this.size < this.capacity) return;
    await this.waitFor(this.putters, `room in ${this.name}`);
  }

  clear(): void {
    const dropped = this.size;
    this.ring = new Array<T | undefined>(16);
    this.head = 0;
    this.count = 0;
    for (let i = 0; i < dropped; i++) this.putters.shift()?.resolve();
  }

  /** Doubles the ring, its items moved to the front in order. */
  private grow(): void {
    const old = this.ring;
    const ring = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) ring[i] = old[(this.head + i) & (old.length - 1)];
    this.ring = ring;
    this.head = 0;
  }

  /** Waits to be woken (true) or for the timeout (false). */
  private async waitFor(queue: Deferred<void>[], label: string, timeoutMs?: number): Promise<boolean> {
    const waiter = this.env.deferred<void>(label);
    queue.push(waiter);
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : this.env.timer(timeoutMs, () => {
            timedOut = true;
            const index = queue.indexOf(waiter);
            if (index >= 0) queue.splice(index, 1);
            waiter.resolve();
          });
    await waiter.promise;
    timer?.cancel();
    return !timedOut;
  }
}
