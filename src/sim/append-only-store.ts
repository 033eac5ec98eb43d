/**
 * Append-only stores: where bulk data (a partition replica's messages) lives, outside the world
 * tree. The tree refers to a store by (id, length); because a store only ever grows, the prefix
 * of that length is what the step saw, forever. Truncation never rewrites a store: it makes a new
 * one holding references to the kept prefix (a copy of references, never of items), so stepping
 * back through history never copies messages and never sees data that was truncated later.
 */
import { InvalidArgumentError } from './errors.ts';

export class AppendOnlyStore<T> {
  private readonly items: T[];

  constructor(
    readonly id: number,
    initial: readonly T[] = [],
  ) {
    this.items = initial.slice();
  }

  get length(): number {
    return this.items.length;
  }

  append(item: T): void {
    this.items.push(item);
  }

  at(index: number): T {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.items.length) {
      throw new InvalidArgumentError('index', index, `an integer from 0 to ${this.items.length - 1}`);
    }
    return this.items[index]!;
  }

  /** Items [from, to) of the prefix of `length` items (a view a snapshot can ask for). */
  slice(from: number, to: number = this.items.length): readonly T[] {
    return this.items.slice(from, to);
  }

  /** Read-only access for hot paths that must not copy. */
  view(): readonly T[] {
    return this.items;
  }
}

export class StoreRegistry<T> {
  private readonly stores = new Map<number, AppendOnlyStore<T>>();
  private nextId = 1;

  create(initial: readonly T[] = []): AppendOnlyStore<T> {
    const store = new AppendOnlyStore<T>(this.nextId++, initial);
    this.stores.set(store.id, store);
    return store;
  }

  /** A new store holding the first `length` items of `store`. */
  truncated(store: AppendOnlyStore<T>, length: number): AppendOnlyStore<T> {
    if (!Number.isSafeInteger(length) || length < 0 || length > store.length) {
      throw new InvalidArgumentError('length', length, `an integer from 0 to ${store.length}`);
    }
    return this.create(store.slice(0, length));
  }

  get(id: number): AppendOnlyStore<T> {
    const store = this.stores.get(id);
    if (store === undefined) throw new InvalidArgumentError('store id', id, 'the id of a store in this registry');
    return store;
  }

  /** Forget a store nobody (no live component, no kept history) can refer to any more. */
  release(id: number): void {
    this.stores.delete(id);
  }
}
