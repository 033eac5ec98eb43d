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
