/**
 * Future: the kernel's promise. Tasks `await` it like any promise; event handlers, which never
 * await, subscribe with `onSettled` and are called synchronously inside the event that settles
 * it.
 *
 * A continuation registered by a task (through `then`, which is what `await` calls) is not run
 * when the future settles: it is queued as a wake-up of that task, and the kernel runs queued
 * wake-ups one task at a time after the event. Registration is also how the kernel learns that a
 * task has gone quiet (it is waiting again), which is what makes task interleaving deterministic
 * without a macrotask per step.
 */

export interface FutureTask {
  readonly name: string;
}

/** What a future needs from the kernel that drives it. */
export interface FutureDriver {
  /** The task whose code is running now, if any. */
  readonly current: FutureTask | undefined;
  /** Queue `run` as a wake-up of `task`, to run after the current event or wake-up. */
  wake(task: FutureTask, run: () => void): void;
  /** `task` registered a wait on a future described by `label`. */
  waiting(task: FutureTask, label: string): void;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

interface Waiter {
  readonly task: FutureTask | undefined;
  readonly fulfil: (value: unknown) => void;
  readonly fail: (error: unknown) => void;
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

export class Future<T> implements Promise<T> {
  readonly [Symbol.toStringTag] = 'Promise';
  private status: 0 | 1 | 2 = PENDING;
  private result: unknown;
  private waiters: Waiter[] | undefined;
  private listeners: Array<(outcome: Outcome<T>) => void> | undefined;

  constructor(
    private readonly driver: FutureDriver,
    /** What waiting on this future means, for deadlock reports ("sleep 100 ms"). */
    readonly label: string = 'a future',
  ) {}

  get settled(): boolean {
    return this.status !== PENDING;
  }

  /** The outcome once settled. */
  get outcome(): Outcome<T> | undefined {
    if (this.status === FULFILLED) return { ok: true, value: this.result as T };
    if (this.status === REJECTED) return { ok: false, error: this.result };
    return undefined;
  }

  /** Settles with a value; false (and no effect) if already settled. */
  resolve(value: T): boolean {
    if (this.status !== PENDING) return false;
    this.status = FULFILLED;
    this.result = value;
    this.flush();
    return true;
  }

  /** Settles with an error; false (and no effect) if already settled. */
  reject(error: unknown): boolean {
    if (this.status !== PENDING) return false;
    this.status = REJECTED;
    this.result = error;
    this.flush();
    return true;
  }

  /**
   * Calls `listener` synchronously when the future settles (at once if it already has). For
   * event handlers: the callback runs inside the event that settled the future.
   */
  onSettled(listener: (outcome: Outcome<T>) => void): void {
    const outcome = this.outcome;
    if (outcome !== undefined) {
      listener(outcome);
      return;
    }
    (this.listeners ??= []).push(listener);
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let resolveNext!: (value: R1 | R2 | PromiseLike<R1 | R2>) => void;
    let rejectNext!: (reason: unknown) => void;
    const next = new Promise<R1 | R2>((resolve, reject) => {
      resolveNext = resolve;
      rejectNext = reject;
    });
    const waiter: Waiter = {
      task: this.driver.current,
      fulfil: (value) => {
        if (typeof onFulfilled !== 'function') return resolveNext(value as R1);
        try {
          resolveNext(onFulfilled(value as T));
        } catch (error) {
          rejectNext(error);
        }
      },
      fail: (error) => {
        if (typeof onRejected !== 'function') return rejectNext(error);
        try {
          resolveNext(onRejected(error));
        } catch (thrown) {
          rejectNext(thrown);
        }
      },
    };
    if (this.status === PENDING) {
      (this.waiters ??= []).push(waiter);
    } else {
      this.dispatch(waiter);
    }
    if (waiter.task !== undefined) this.driver.waiting(waiter.task, this.label);
    return next;
  }

  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then(
      (value) => {
        onFinally?.();
        return value;
      },
      (error: unknown) => {
        onFinally?.();
        throw error;
      },
    );
  }

  private flush(): void {
    const listeners = this.listeners;
    const waiters = this.waiters;
    this.listeners = undefined;
    this.waiters = undefined;
    if (listeners !== undefined) {
      const outcome = this.outcome!;
      for (const listener of listeners) listener(outcome);
    }
    if (waiters !== undefined) for (const waiter of waiters) this.dispatch(waiter);
  }

  private dispatch(waiter: Waiter): void {
    const run = this.status === FULFILLED ? () => waiter.fulfil(this.result) : () => waiter.fail(this.result);
    if (waiter.task !== undefined) {
      this.driver.wake(waiter.task, run);
    } else {
      // Registered outside any task (top-level test code awaiting a result): standard promise
      // semantics, the continuation runs as a microtask.
      queueMicrotask(run);
    }
  }
}
