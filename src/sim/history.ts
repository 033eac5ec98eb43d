/**
 * History: one immutable snapshot of the world per step, so a run can be inspected at any step
 * and stepped forward and backward. Snapshots share structure (immer), so a step that changes
 * one partition costs only the path to that partition. Message payloads never live here: logs are
 * append-only stores referenced by (id, length) (see `append-only-store.ts`).
 */
import { InvalidArgumentError } from './errors.ts';

export class History<S> {
  private readonly snapshots: S[];

  constructor(initial: S) {
    this.snapshots = [initial];
  }

  /** The last step recorded (0 before the first event). */
  get lastStep(): number {
    return this.snapshots.length - 1;
  }

  /** The world as it was after `step` (step 0 is the initial state). */
  at(step: number): S {
    if (!Number.isSafeInteger(step) || step < 0 || step > this.lastStep) {
      throw new InvalidArgumentError('step', step, `an integer from 0 to ${this.lastStep}`);
    }
    return this.snapshots[step]!;
  }

  record(step: number, snapshot: S): void {
    // Steps are consecutive; a step number can only be skipped if a component created steps
    // outside the kernel, which fills the gap with the unchanged state.
    while (this.snapshots.length < step) this.snapshots.push(this.snapshots[this.snapshots.length - 1]!);
    this.snapshots[step] = snapshot;
  }

  replaceLatest(snapshot: S): void {
    this.snapshots[this.snapshots.length - 1] = snapshot;
  }

  /** Every leaf that differs between two steps. */
  diff(fromStep: number, toStep: number): Change[] {
    const changes: Change[] = [];
    diffValues(this.at(fromStep), this.at(toStep), [], changes);
    return changes;
  }

  /** A cursor for stepping through the run. */
  cursor(step = 0): HistoryCursor<S> {
    return new HistoryCursor(this, step);
  }
}

export interface Change {
  readonly path: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
}

export class HistoryCursor<S> {
  constructor(
    private readonly history: History<S>,
    private position: number,
  ) {
    history.at(position);
  }

  get step(): number {
    return this.position;
  }

  get state(): S {
    return this.history.at(this.position);
  }

  /** Moves one step forward; false at the last step. */
  forward(): boolean {
    if (this.position >= this.history.lastStep) return false;
    this.position++;
    return true;
  }

  /** Moves one step back; false at step 0. */
  back(): boolean {
    if (this.position === 0) return false;
    this.position--;
    return true;
  }

  seek(step: number): void {
    this.history.at(step);
    this.position = step;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function diffValues(before: unknown, after: unknown, path: string[], out: Change[]): void {
  if (Object.is(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) {
      diffValues(before[key], Object.prototype.hasOwnProperty.call(after, key) ? after[key] : undefined, [...path, key], out);
    }
    for (const key of Object.keys(after)) {
      if (!Object.prototype.hasOwnProperty.call(before, key)) diffValues(undefined, after[key], [...path, key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    if (before.every((item, i) => Object.is(item, after[i]))) return;
    if (before.some((item) => typeof item === 'object' && item !== null)) {
      before.forEach((item, i) => diffValues(item, after[i], [...path, String(i)], out));
      return;
    }
  }
  out.push({ path, before, after });
}
