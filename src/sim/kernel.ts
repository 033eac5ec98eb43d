/**
 * The simulation kernel: virtual time, the event queue, nodes, tasks, randomness, the trace and
 * the world's history. It knows nothing about Kafka.
 *
 * A run alternates between two things:
 *  1. the next event (the earliest (timeMs, seq) in the queue) runs synchronously; virtual time
 *     jumps to its due time, so an idle cluster costs only its own timers;
 *  2. every task that event woke runs, one at a time in wake order, until it waits again on a
 *     kernel future (or finishes). Tasks are async functions (client code written like the
 *     seed's threads); the kernel resumes them through their futures.
 * An event and the task work it caused form one step: one trace position, one history snapshot.
 *
 * Determinism: no wall clock, no `Math.random`; same seed, same configuration, same inputs give
 * the same sequence of steps.
 */
import { assert } from './assert.ts';
import { StoreRegistry } from './append-only-store.ts';
import {
  DeadlockError,
  EventFailedError,
  IdleBeforeConditionError,
  InvalidArgumentError,
  StepLimitError,
  TaskFailedError,
  UnknownNameError,
} from './errors.ts';
import { EventQueue, ScheduledEvent } from './event-queue.ts';
import { Future, type FutureDriver, type Runnable } from './future.ts';
import { onNextMacrotask } from './macrotask.ts';
import { createNode, type SimNode } from './node.ts';
import { Rng } from './rng.ts';
import { Trace, type TraceMode } from './trace.ts';
import { requireFunction, requireInteger, requireNonEmptyString, requireNonNegativeInteger } from './validate.ts';
import { World, type WorldState } from './world.ts';

export interface KernelOptions {
  /** The root seed; every random stream of the run is forked from it. */
  readonly seed: number;
  /** `full` (default) keeps every trace record; `digest` only hashes them; `off` records nothing. */
  readonly trace?: TraceMode;
  /** Keep one snapshot of the world per step (default true). */
  readonly history?: boolean;
}

export interface Timer {
  readonly timeMs: number;
  cancel(): void;
}

export interface ScheduleOptions {
  /**
   * The node whose process owns the event: a paused node delays it, a crashed one drops it.
   * Default: the running task's node; null: the kernel itself (never paused or killed).
   */
  readonly node?: string | null;
  /** What the event is, for error reports. */
  readonly label?: string;
}

export type TaskState = 'ready' | 'running' | 'waiting' | 'done' | 'failed' | 'killed';

export type TaskOutcome =
  | { readonly status: 'done' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'killed' };

export interface SpawnOptions {
  /** The node the task runs on: pausing the node freezes the task, killing it kills the task. */
  readonly node?: string;
  /**
   * What a throw does: `fail-run` (default) makes the current run call reject with a
   * `TaskFailedError`; `record` only records it (the task's `done` future reports it).
   */
  readonly onError?: 'fail-run' | 'record';
}

export class Task {
  state: TaskState = 'ready';
  /** Waits registered on kernel futures whose wake-up has not been queued yet. */
  pendingWaits = 0;
  /** What the task waits on, when waiting (a future, or a description). */
  waitingOn: { readonly label: string } | string | undefined;
  /** Settles when the task finishes, fails or is killed. Never rejects. */
  readonly done: Future<TaskOutcome>;

  constructor(
    readonly name: string,
    readonly node: SimNode | undefined,
    readonly incarnation: number,
    readonly onError: 'fail-run' | 'record',
    driver: FutureDriver,
  ) {
    this.done = new Future<TaskOutcome>(driver, `task ${name} to finish`);
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'killed';
  }
}

interface Wake {
  readonly task: Task;
  readonly target: Runnable;
}

export interface RunUntilOptions {
  /** Stop with `StepLimitError` after this many steps (default 10,000,000). */
  readonly maxSteps?: number;
  /** What the predicate waits for, for the error message. */
  readonly description?: string;
}

const DEFAULT_MAX_STEPS = 10_000_000;
const IDLE = Symbol('idle');
/**
 * Microtask turns to wait for a resumed task to wait again before proving it with a macrotask.
 * Each nested async return costs a few turns, so real code (a ZooKeeper call through three helper
 * layers) takes dozens; a task that waits again early ends the wait early, so a generous budget
 * costs nothing in the common case.
 */
const QUIET_TICKS = 256;
const FEW_QUIET_TICKS = 4;

/**
 * What the kernel awaits to let one microtask turn pass. Awaiting an already resolved native
 * promise takes the same single turn as `await null` but allocates no new promise for the value:
 * a resumed task costs about one turn per message on the consumer's hot path.
 */
const ONE_TURN: Promise<void> = Promise.resolve();

export class Kernel implements FutureDriver {
  readonly seed: number;
  readonly rng: Rng;
  readonly trace: Trace;
  readonly world: World<WorldState>;
  /** Append-only stores for bulk data referenced from the world by (id, length). */
  readonly stores = new StoreRegistry<unknown>();

  private readonly queue = new EventQueue();
  private readonly nodes = new Map<string, SimNode>();
  private readonly tasks = new Set<Task>();
  private ready: Wake[] = [];
  private readyHead = 0;
  private seq = 0;
  private time = 0;
  private steps = 0;
  private inEvent = false;
  private pendingFailure: TaskFailedError | undefined;
  private readonly stepListeners: Array<(step: number) => void> = [];

  private runningTask: Task | undefined;
  /** The running task signalled that it waits again (or finished). */
  private quiet = false;
  /** A wake-up ended without that signal: settle before virtual time moves on. */
  private uncertain = false;
  /** Tasks waiting on something other than a kernel future. */
  private readonly foreignBlocked = new Set<Task>();

  constructor(options: KernelOptions) {
    this.seed = requireInteger('seed', options?.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    this.rng = Rng.root(this.seed);
    this.trace = new Trace(this, options.trace ?? 'full');
    this.world = new World({ history: options.history ?? true });
  }

  /** Virtual time in integer milliseconds. */
  get nowMs(): number {
    return this.time;
  }

  /** Number of steps run so far (the current step while one runs). */
  get currentStep(): number {
    return this.steps;
  }

  get current(): Task | undefined {
    return this.runningTask;
  }

  /** Events still queued (cancelled ones included until they come due). */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /**
   * When the next step is due: now if task wake-ups are queued, else the due time of the earliest
   * live event, else undefined (nothing scheduled). How a driver that paces virtual time to wall
   * time (the gateway) knows how long it may sleep.
   */
  nextDueMs(): number | undefined {
    if (this.hasWakes()) return this.time;
    return this.queue.peekLive()?.timeMs;
  }

  // ---------------------------------------------------------------- nodes

  addNode(name: string): SimNode {
    requireNonEmptyString('node name', name);
    if (this.nodes.has(name)) throw new InvalidArgumentError('node name', name, 'a name not already in use');
    const node = createNode(name);
    this.nodes.set(name, node);
    return node;
  }

  node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new UnknownNameError('node', name, [...this.nodes.keys()]);
    return node;
  }

  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** Freezes a node: its events and task wake-ups wait until `resumeNode`. */
  pauseNode(name: string): void {
    this.node(name).paused = true;
  }

  /** Unfreezes a node: what came due while it was paused runs now, in due order. */
  resumeNode(name: string): void {
    const node = this.node(name);
    if (!node.paused) return;
    node.paused = false;
    const deferred = node.deferred.splice(0);
    for (const release of deferred) release();
  }

  /**
   * Kills a node's process: its pending events never run, its tasks are killed, and whatever it
   * scheduled under its old incarnation is ignored. The node stays down until `reviveNode`.
   */
  killNode(name: string): void {
    const node = this.node(name);
    node.incarnation++;
    node.alive = false;
    node.paused = false;
    node.deferred.length = 0;
    for (const task of [...this.tasks]) {
      if (task.node === node) this.finishTask(task, { status: 'killed' });
    }
  }

  /** Brings a killed node back as a new process (a new incarnation). */
  reviveNode(name: string): void {
    const node = this.node(name);
    node.alive = true;
    node.paused = false;
  }

  // ---------------------------------------------------------------- events

  /** Runs `run` after `delayMs` of virtual time, as its own step. */
  schedule(delayMs: number, run: () => void, options: ScheduleOptions = {}): Timer {
    requireNonNegativeInteger('delayMs', delayMs);
    return this.enqueue(this.time + delayMs, run, options);
  }

  /** Runs `run` at virtual time `timeMs` (not before now). */
  scheduleAt(timeMs: number, run: () => void, options: ScheduleOptions = {}): Timer {
    requireInteger('timeMs', timeMs, this.time);
    return this.enqueue(timeMs, run, options);
  }

  private enqueue(timeMs: number, run: () => void, options: ScheduleOptions): Timer {
    requireFunction('run', run);
    const node =
      options.node === undefined ? this.runningTask?.node : options.node === null ? undefined : this.node(options.node);
    const event = new ScheduledEvent(timeMs, this.seq++, options.label ?? 'event', node, node?.incarnation ?? 0, run);
    this.queue.push(event);
    return event;
  }

  // ---------------------------------------------------------------- futures and tasks

  future<T>(label?: string | (() => string)): Future<T> {
    return new Future<T>(this, label);
  }

  /** A future that resolves after `ms` of virtual time (on the calling task's node). */
  sleep(ms: number): Future<void> {
    requireNonNegativeInteger('sleep ms', ms);
    const future = new Future<void>(this, `sleep ${ms} ms`);
    this.enqueue(this.time + ms, () => future.resolve(), { label: 'sleep' });
    return future;
  }

  /** Starts async code as a named task; it first runs at the next step of a run call. */
  spawn(name: string, body: () => unknown, options: SpawnOptions = {}): Task {
    requireNonEmptyString('task name', name);
    requireFunction('task body', body);
    const node = options.node === undefined ? this.runningTask?.node : this.node(options.node);
    const task = new Task(name, node, node?.incarnation ?? 0, options.onError ?? 'fail-run', this);
    if (node !== undefined && !node.alive) {
      // A dead process starts nothing.
      task.state = 'killed';
      task.done.resolve({ status: 'killed' });
      return task;
    }
    this.tasks.add(task);
    this.wake(task, {
      run: () => {
        let result: unknown;
        try {
          result = body();
        } catch (error) {
          this.taskThrew(task, error);
          return;
        }
        Promise.resolve(result).then(
          () => this.finishTask(task, { status: 'done' }),
          (error: unknown) => this.taskThrew(task, error),
        );
      },
    });
    return task;
  }

  /** Live tasks (not finished), in spawn order. */
  liveTasks(): Task[] {
    return [...this.tasks];
  }

  wake(task: Task, target: Runnable): void {
    if (task.pendingWaits > 0) task.pendingWaits--;
    this.ready.push({ task, target });
  }

  waiting(task: Task, future: { readonly label: string }): void {
    task.pendingWaits++;
    this.foreignBlocked.delete(task);
    if (!task.finished) {
      task.state = 'waiting';
      task.waitingOn = future;
    }
    if (task === this.runningTask) this.signalQuiet();
  }

  adopt(): Task | undefined {
    if (!this.inEvent) return undefined;
    // Not in `tasks`: an adopted continuation never counts as a live task for deadlock checks.
    return new Task('(continuation outside any task)', undefined, 0, 'fail-run', this);
  }

  private taskThrew(task: Task, error: unknown): void {
    if (task.finished) return;
    const failure = new TaskFailedError(task.name, this.time, error);
    if (this.trace.enabled) {
      this.trace.record(task.node?.name ?? 'kernel', 'task.failed', { task: task.name, error: failure.message }, failure.message);
    }
    if (task.onError === 'fail-run') this.pendingFailure ??= failure;
    this.finishTask(task, { status: 'failed', error });
  }

  private finishTask(task: Task, outcome: TaskOutcome): void {
    if (task.finished) return;
    task.state = outcome.status;
    task.waitingOn = undefined;
    this.tasks.delete(task);
    this.foreignBlocked.delete(task);
    task.done.resolve(outcome);
    if (task === this.runningTask) this.signalQuiet();
  }

  private signalQuiet(): void {
    this.quiet = true;
  }

  /**
   * Runs queued task wake-ups, one task at a time. After each, the kernel lets the microtask
   * queue turn until the task signals that it waits again (it registered on a kernel future, or
   * finished). A task resumed through `await` signals within a few turns; a wake-up that resumes
   * nothing (one element of a `Promise.all`) or a task blocked on a promise the kernel does not
   * drive never signals: after QUIET_TICKS turns the kernel moves on and marks the instant
   * uncertain, to be settled by one real macrotask before virtual time advances.
   */
  private async drainWakes(): Promise<void> {
    while (this.readyHead < this.ready.length) {
      const wake = this.ready[this.readyHead]!;
      this.readyHead++;
      const { task } = wake;
      if (task.finished) continue;
      const node = task.node;
      if (node !== undefined && node.incarnation !== task.incarnation) {
        this.finishTask(task, { status: 'killed' });
        continue;
      }
      if (node?.paused) {
        // Re-queued as an event on resume, so it keeps its place among the node's deferred events.
        node.deferred.push(() => this.enqueue(this.time, () => this.ready.push(wake), { node: node.name, label: 'task wake-up' }));
        continue;
      }
      this.runningTask = task;
      task.state = 'running';
      task.waitingOn = undefined;
      this.quiet = false;
      wake.target.run();
      // A task with other waits still registered was most likely not resumed (an element of a
      // Promise.all): give it a few turns, then move on. A task with no other wait was resumed:
      // it runs until it waits again, however many turns that takes.
      const budget = task.pendingWaits > 0 ? FEW_QUIET_TICKS : QUIET_TICKS;
      for (let ticks = 0; !this.quiet && ticks < budget; ticks++) await ONE_TURN;
      if (!this.quiet && task.pendingWaits === 0) {
        // A macrotask runs only once the microtask queue is empty: by then the task waits
        // on a kernel future (quiet) or on something the kernel does not drive.
        await new Promise<void>((resolve) => onNextMacrotask(resolve));
      }
      if (!this.quiet) {
        this.uncertain = true;
        if (task.state === 'running') {
          task.state = 'waiting';
          if (task.pendingWaits > 0) {
            task.waitingOn = 'one of several futures';
          } else {
            task.waitingOn = 'a promise the kernel does not drive';
            this.foreignBlocked.add(task);
          }
        }
      }
      this.runningTask = undefined;
    }
    this.ready = [];
    this.readyHead = 0;
  }

  /**
   * Gives tasks blocked on promises the kernel does not drive the chance to resume after an
   * event, which may have settled their promise (a watcher callback resolving a plain Promise).
   */
  private async drainForeign(): Promise<void> {
    const sole = this.foreignBlocked.size === 1 ? [...this.foreignBlocked][0]! : undefined;
    this.runningTask = sole;
    this.quiet = false;
    for (let ticks = 0; !this.quiet && ticks < QUIET_TICKS; ticks++) await ONE_TURN;
    this.runningTask = undefined;
    if (this.hasWakes()) await this.drainWakes();
  }

  /** Lets every pending microtask run (one real macrotask) when an instant was left uncertain. */
  private async settle(): Promise<void> {
    this.uncertain = false;
    await new Promise<void>((resolve) => onNextMacrotask(resolve));
  }

  /** True if the loop must settle before running `event` (or before stopping). */
  private mustSettle(event: ScheduledEvent | undefined): boolean {
    return this.uncertain && (event === undefined || event.timeMs > this.time);
  }

  // ---------------------------------------------------------------- steps

  /** Calls `listener(step)` after every step (invariant checkers sit here, beside the system). */
  onStep(listener: (step: number) => void): () => void {
    this.stepListeners.push(listener);
    return () => {
      const index = this.stepListeners.indexOf(listener);
      if (index >= 0) this.stepListeners.splice(index, 1);
    };
  }

  /**
   * Runs `mutation` now as a step of its own, outside any event: how top-level code (a test, a
   * lesson, a fault applied by hand) changes the world between run calls.
   */
  act<T>(label: string, mutation: () => T): T {
    if (this.inEvent) return mutation();
    this.steps++;
    this.inEvent = true;
    this.world.beginStep();
    try {
      return mutation();
    } catch (error) {
      throw this.asEventFailure(error, 'kernel', label);
    } finally {
      this.world.endStep(this.steps);
      this.inEvent = false;
      this.afterStep();
    }
  }

  /** Runs the next event (and the task work it causes). False when nothing is scheduled. */
  async step(): Promise<boolean> {
    this.assertNotInEvent();
    let next = this.next(Infinity);
    if (next instanceof Promise) next = await next;
    if (next === IDLE) return false;
    const draining = this.runStep(next);
    if (draining !== undefined) await draining;
    return true;
  }

  /** Runs every event due within the next `ms` of virtual time, then moves the clock to the end. */
  async runFor(ms: number): Promise<void> {
    requireNonNegativeInteger('runFor ms', ms);
    this.assertNotInEvent();
    const endMs = this.time + ms;
    for (;;) {
      let next = this.next(endMs);
      if (next instanceof Promise) next = await next;
      if (next === IDLE) break;
      const draining = this.runStep(next);
      if (draining !== undefined) await draining;
    }
    if (this.queue.peekLive() === undefined) this.checkDeadlock();
    this.time = endMs;
  }

  /** Runs until `predicate()` holds (checked before the first step and after every step). */
  async runUntil(predicate: () => boolean, options: RunUntilOptions = {}): Promise<void> {
    requireFunction('predicate', predicate);
    const maxSteps = requireInteger('maxSteps', options.maxSteps ?? DEFAULT_MAX_STEPS, 1);
    this.assertNotInEvent();
    let budget = maxSteps;
    while (!predicate()) {
      if (budget-- === 0) throw new StepLimitError(maxSteps, this.time, options.description ?? 'the condition');
      let next = this.next(Infinity);
      if (next instanceof Promise) next = await next;
      if (next === IDLE) {
        this.checkDeadlock();
        throw new IdleBeforeConditionError(this.time);
      }
      const draining = this.runStep(next);
      if (draining !== undefined) await draining;
    }
  }

  /** Runs until no event is scheduled. Periodic timers (session pings) never let that happen. */
  async runUntilIdle(options: { maxSteps?: number } = {}): Promise<void> {
    const maxSteps = requireInteger('maxSteps', options.maxSteps ?? DEFAULT_MAX_STEPS, 1);
    this.assertNotInEvent();
    for (let steps = 0; ; steps++) {
      if (steps === maxSteps && (this.hasWakes() || this.queue.peekLive() !== undefined)) {
        throw new StepLimitError(maxSteps, this.time, 'idleness');
      }
      let next = this.next(Infinity);
      if (next instanceof Promise) next = await next;
      if (next === IDLE) break;
      const draining = this.runStep(next);
      if (draining !== undefined) await draining;
    }
    this.checkDeadlock();
  }

  /**
   * What the next step runs: queued wake-ups first (`undefined`), else the next event due by
   * `endMs` (taken off the queue), else IDLE. Settles an uncertain instant before time moves on.
   * Returns a promise only when it has to settle.
   */
  private next(endMs: number): ScheduledEvent | undefined | typeof IDLE | Promise<ScheduledEvent | undefined | typeof IDLE> {
    if (this.hasWakes()) return undefined;
    const upcoming = this.queue.peekLive();
    if (this.mustSettle(upcoming === undefined || upcoming.timeMs > endMs ? undefined : upcoming)) {
      return this.settle().then(() => this.next(endMs));
    }
    return this.nextLiveEvent(endMs) ?? IDLE;
  }

  private hasWakes(): boolean {
    return this.readyHead < this.ready.length;
  }

  /**
   * Pops cancelled and dead events off the top and returns the next event due by `endMs`
   * (removed from the queue), or undefined. Events of paused nodes are set aside on the node.
   */
  private nextLiveEvent(endMs: number): ScheduledEvent | undefined {
    for (;;) {
      const event = this.queue.peekLive();
      if (event === undefined || event.timeMs > endMs) return undefined;
      this.queue.pop();
      const node = event.node;
      if (node !== undefined) {
        if (node.incarnation !== event.incarnation || !node.alive) continue;
        if (node.paused) {
          this.time = event.timeMs;
          // Still cancellable while set aside and after it is queued again on resume: the handle
          // its owner holds is this event's.
          const run = event.run;
          node.deferred.push(() => {
            if (!event.cancelled) this.enqueue(this.time, () => event.cancelled || run(), { node: node.name, label: event.label });
          });
          continue;
        }
      }
      return event;
    }
  }

  /**
   * Runs one step: the event synchronously, then the tasks it woke. Returns a promise only when
   * there are tasks to drain, so a step that wakes no task never awaits.
   */
  private runStep(event: ScheduledEvent | undefined): Promise<void> | undefined {
    if (this.beginStep(event)) return this.drainWakes().finally(() => this.endStep());
    if (this.foreignBlocked.size > 0) return this.drainForeign().finally(() => this.endStep());
    this.endStep();
    return undefined;
  }

  /**
   * Opens a step and runs its event synchronously. True if tasks were woken, in which case the
   * caller drains them (`drainWakes`) before `endStep`; a step without wake-ups never awaits.
   */
  private beginStep(event: ScheduledEvent | undefined): boolean {
    if (event !== undefined) {
      assert(event.timeMs >= this.time, 'virtual time never goes back');
      this.time = event.timeMs;
    }
    this.steps++;
    this.inEvent = true;
    this.world.beginStep();
    if (event !== undefined) {
      try {
        event.run();
      } catch (error) {
        this.endStep(false);
        throw this.asEventFailure(error, event.node?.name ?? 'kernel', event.label);
      }
    }
    return this.hasWakes();
  }

  private endStep(notify = true): void {
    this.world.endStep(this.steps);
    this.inEvent = false;
    if (notify) this.afterStep();
  }

  private afterStep(): void {
    for (const listener of this.stepListeners) listener(this.steps);
    const failure = this.pendingFailure;
    if (failure !== undefined) {
      this.pendingFailure = undefined;
      throw failure;
    }
  }

  private asEventFailure(error: unknown, node: string, label: string): Error {
    if (error instanceof EventFailedError) return error;
    const failure = new EventFailedError(this.steps, this.time, node, label, error);
    if (this.trace.enabled) {
      this.trace.record(node, 'kernel.event.failed', { label, error: failure.message }, failure.message);
    }
    return failure;
  }

  private checkDeadlock(): void {
    if (this.tasks.size === 0) return;
    const waiting = [...this.tasks].map((t) => `${t.name} (${describeWait(t)})`);
    throw new DeadlockError(waiting, this.time);
  }

  private assertNotInEvent(): void {
    if (this.inEvent) {
      throw new InvalidArgumentError('run call', 'a run call inside a step', 'made from outside the simulation (not from a task or an event)');
    }
  }
}

function describeWait(task: Task): string {
  const on = task.waitingOn;
  if (on === undefined) return task.state;
  return typeof on === 'string' ? on : on.label;
}
