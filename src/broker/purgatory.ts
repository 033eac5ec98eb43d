/**
 * Requests parked until they can be answered (0.8.2 `RequestPurgatory`, `DelayedProduce`,
 * `DelayedFetch`): a produce with acks=-1 waits for the ISR to have its messages; a fetch waits
 * for `minBytes` of new data. Each is watched under the partitions it concerns, re-checked when
 * something happens to one of them (an append, a follower fetch, a new high watermark, a change
 * of leadership), and answered by its own check or by its timeout, whichever comes first.
 */
import type { Timer } from '../sim/kernel.ts';

export interface Delayed {
  /** The partitions whose events may satisfy it. */
  readonly keys: readonly string[];
  /** Answers the request if it can now; true when done. */
  tryComplete(): boolean;
  /** Answers the request as it stands (the timeout fired). */
  expire(): void;
}

interface Entry {
  readonly delayed: Delayed;
  timer: Timer | undefined;
  done: boolean;
}

export class Purgatory {
  private readonly watchers = new Map<string, Entry[]>();

  constructor(
    private readonly schedule: (delayMs: number, run: () => void) => Timer,
  ) {}

  /** Completes at once if possible; otherwise parks until a check succeeds or `timeoutMs` passes. */
  watch(delayed: Delayed, timeoutMs: number): void {
    if (delayed.tryComplete()) return;
    this.park(delayed, timeoutMs);
  }

  /**
   * Parks until a check succeeds or `timeoutMs` passes, without trying first: for a caller that
   * has just found, in the same event, that the request cannot complete yet. (Kafka checks again
   * after watching because another thread may have appended in between; here nothing runs in
   * between, and a fetch's check reads every partition again: the most frequent check there is.)
   */
  park(delayed: Delayed, timeoutMs: number): void {
    const entry: Entry = { delayed, timer: undefined, done: false };
    entry.timer = this.schedule(Math.max(0, timeoutMs), () => {
      if (entry.done) return;
      entry.done = true;
      this.forget(entry);
      delayed.expire();
    });
    for (const key of delayed.keys) {
      let list = this.watchers.get(key);
      if (list === undefined) this.watchers.set(key, (list = []));
      list.push(entry);
    }
  }

  /** Re-checks the requests watching `key` (`checkAndMaybeTrigger`). */
  check(key: string): void {
    const list = this.watchers.get(key);
    if (list === undefined) return;
    for (const entry of [...list]) {
      if (entry.done) continue;
      if (entry.delayed.tryComplete()) {
        entry.done = true;
        entry.timer?.cancel();
        this.forget(entry);
      }
    }
  }

  /** Number of parked requests, for views and tests. */
  get size(): number {
    const entries = new Set<Entry>();
    for (const list of this.watchers.values()) for (const entry of list) entries.add(entry);
    return entries.size;
  }

  private forget(entry: Entry): void {
    for (const key of entry.delayed.keys) {
      const list = this.watchers.get(key);
      if (list === undefined) continue;
      const index = list.indexOf(entry);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.watchers.delete(key);
    }
  }
}
