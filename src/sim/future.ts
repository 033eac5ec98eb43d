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
  /** Queue `target.run()` as a wake-up of `task`, to run after the current event or wake-up. */
  wake(task: FutureTask, target: Runnable): void;
  /** `task` registered a wait on `future` (every registration; balanced by one `wake`). */
  waiting(task: FutureTask, future: { readonly label: string }): void;
  /**
   * A task to run a continuation registered outside any task, if the kernel is running (so the
   * continuation is drained after the event like a task's), else undefined (plain microtask).
   */
  adopt(): FutureTask | undefined;
}

/** Something the kernel runs later (an object with a method, so hot paths allocate no closure). */
export interface Runnable {
  run(): void;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** One registration through `then`: what to call when the future settles. */
class Waiter<T, R1, R2> {
  resolveNext!: (value: R1 | R2 | PromiseLike<R1 | R2>) => void;
  rejectNext!: (reason: unknown) => void;

  constructor(
    readonly task: FutureTask | undefined,
    private readonly onFulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    private readonly onRejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
  ) {}

  fulfil(value: unknown): void {
    if (typeof this.onFulfilled !== 'function') return this.resolveNext(value as R1);
    try {
      this.resolveNext(this.onFulfilled(value as T));
    } catch (error) {
      this.rejectNext(error);
    }
  }

  fail(error: unknown): void {
    if (typeof this.onRejected !== 'function') return this.rejectNext(error);
    try {
      this.resolveNext(this.onRejected(error));
    } catch (thrown) {
      this.rejectNext(thrown);
    }
  }
}

/** A wake-up that delivers a settled outcome to one waiter. */
class Delivery implements Runnable {
  constructor(
    private readonly waiter: Waiter<unknown, unknown, unknown>,
    private readonly ok: boolean,
    private readonly result: unknown,
  ) {}

  run(): void {
    if (this.ok) this.waiter.fulfil(this.result);
    else this.waiter.fail(this.result);
  }
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

export class Future<T> implements Promise<T> {
  readonly [Symbol.toStringTag] = 'Promise';
  private status: 0 | 1 | 2 = PENDING;
  private result: unknown;
  private waiters: Waiter<unknown, unknown, unknown>[] | undefined;
  private listeners: Array<(outcome: Outcome<T>) => void> | undefined;

  constructor(
    private readonly driver: FutureDriver,
    /** What waiting on this future means, for deadlock reports; a function is called only if needed. */
    private readonly description: string | (() => string) = 'a future',
  ) {}

  /** What waiting on this future means ("sleep 100 ms"), for deadlock reports. */
  get label(): string {
    return typeof this.description === 'string' ? this.description : this.description();
  }

  get settled(): boolean {
    return this.status !== PENDING;
  }

  /** The future itself, as a promise (so a Future is a `Deferred` of the runtime seam). */
  get promise(): Promise<T> {
    return this;
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
    const waiter = new Waiter<T, R1, R2>(this.driver.current, onFulfilled, onRejected);
    const next = new Promise<R1 | R2>((resolve, reject) => {
      waiter.resolveNext = resolve;
      waiter.rejectNext = reject;
    });
    if (waiter.task !== undefined) this.driver.waiting(waiter.task, this);
    if (this.status === PENDING) {
      (this.waiters ??= []).push(waiter as Waiter<unknown, unknown, unknown>);
    } else {
      this.dispatch(waiter as Waiter<unknown, unknown, unknown>);
    }
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

  private dispatch(waiter: Waiter<unknown, unknown, unknown>): void {
    const delivery = new Delivery(waiter, this.status === FULFILLED, this.result);
    const task = waiter.task ?? this.driver.adopt();
    if (task !== undefined) {
      this.driver.wake(task, delivery);
    } else {
      // Registered outside any task while the kernel is not running (top-level code awaiting a
      // result between run calls): standard promise semantics, a microtask.
      queueMicrotask(() => delivery.run());
    }
  }
}
