/**
 * The world: the observable state of the whole simulation as one tree of plain data.
 *
 * With history on, the tree is immutable: each step opens one immer draft (lazily, on the first
 * access inside the step), components mutate the draft, and the step's end finishes it into the
 * next snapshot, sharing every untouched subtree with the previous one. With history off there
 * is no draft: components mutate the one live tree in place, at no cost. The same component code
 * runs in both modes, because immer recipes are plain mutations.
 *
 * Components own slices (`zookeeper`, `brokers`, ...) registered before the run starts, and
 * must re-read their slice from `state` at every event (a draft does not outlive its step).
 */
import { createDraft, finishDraft, freeze, setAutoFreeze, type Draft } from 'immer';
import { assert } from './assert.ts';
import { InvalidArgumentError } from './errors.ts';
import { History } from './history.ts';

// Snapshots are frozen by immer only where they are new; the live tree of history-off mode is
// never passed through immer, so freezing cannot get in its way.
setAutoFreeze(true);

export type WorldState = Record<string, unknown>;

interface SliceVersions {
  /** Every touch of the slice. */
  touches: number;
  /** The touches that named no part (any part may have changed). */
  whole: number;
  /** Per part (a small integer: a broker id), the touches that named it. */
  parts: number[];
}

export class World<S extends WorldState = WorldState> {
  readonly history: History<S> | undefined;
  /** Per slice, how many times components took it, or one of its parts, to change it (see `touch`). */
  private readonly versions = new Map<string, SliceVersions>();
  private committed: S;
  private draft: Draft<S> | undefined;
  private inStep = false;

  constructor(options: { history: boolean }) {
    this.committed = {} as S;
    this.history = options.history ? new History<S>(this.committed) : undefined;
  }

  /**
   * The tree to read and mutate. Inside a step with history on, a draft of the last snapshot;
   * otherwise the tree itself (read-only outside steps when history is on).
   */
  get state(): S {
    if (this.history === undefined || !this.inStep) return this.committed;
    this.draft ??= createDraft(this.committed);
    return this.draft as S;
  }

  /** The last committed snapshot (immutable when history is on). */
  get snapshot(): S {
    return this.committed;
  }

  /** Adds a component's slice before the run starts. */
  addSlice<K extends string>(name: K, initial: unknown): void {
    assert(!this.inStep, 'slices are added outside steps');
    if (Object.prototype.hasOwnProperty.call(this.committed, name)) {
      throw new InvalidArgumentError('slice name', name, 'a name not already registered in the world');
    }
    this.committed = { ...this.committed, [name]: initial } as S;
    // With history on, snapshots are immutable from the start: nothing may rewrite step 0.
    if (this.history !== undefined) this.committed = freeze(this.committed, true);
    this.history?.replaceLatest(this.committed);
  }

  /**
   * A component is about to change `slice` (or may): observers that only read it (invariant
   * checkers) compare `version(slice)` between steps and skip the work when nothing could have
   * changed. Components whose slice accessor calls this need no other bookkeeping. With `part`
   * (a broker's id in the brokers slice), only that part may change: observers that read the
   * slice part by part compare `version(slice, part)` and skip the parts no one touched.
   */
  touch(slice: string, part?: number): void {
    let versions = this.versions.get(slice);
    if (versions === undefined) this.versions.set(slice, (versions = { touches: 0, whole: 0, parts: [] }));
    versions.touches++;
    if (part === undefined) versions.whole++;
    else versions.parts[part] = (versions.parts[part] ?? 0) + 1;
  }

  /**
   * How many times `slice` was touched so far; with `part`, how many times that part or the whole
   * slice (a touch without a part: any part may have changed) was.
   */
  version(slice: string, part?: number): number {
    const versions = this.versions.get(slice);
    if (versions === undefined) return 0;
    if (part === undefined) return versions.touches;
    return versions.whole + (versions.parts[part] ?? 0);
  }

  beginStep(): void {
    assert(!this.inStep, 'steps do not nest');
    this.inStep = true;
  }

  /** Closes the step and records its snapshot (the previous one again if nothing changed). */
  endStep(step: number): void {
    assert(this.inStep, 'endStep follows beginStep');
    this.inStep = false;
    if (this.draft !== undefined) {
      this.committed = finishDraft(this.draft) as S;
      this.draft = undefined;
    }
    this.history?.record(step, this.committed);
  }
}
