/**
 * The seam between Kafka logic and what runs it. Client code (and the shared ZooKeeper client
 * wrapper) gets time, waiting, background work and randomness only through these interfaces;
 * the simulator implements them on the kernel (virtual time, seeded streams), a real runtime on
 * Node (wall clock, sockets). Nothing here knows which one it runs on.
 */

/** A promise with its resolve and reject at hand. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Uniform draws (the simulator's come from a seeded stream). */
export interface RandomSource {
  /** A uniform float in [0, 1). */
  float(): number;
  /** A uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
}

/** What async logic needs to wait and to run in the background. */
export interface AsyncEnvironment {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
  /** `label` says what waiting on it means (for deadlock reports). */
  deferred<T>(label?: string): Deferred<T>;
  /** Runs `body` as a background "thread" named `name` (a fetcher, a send thread). */
  spawn(name: string, body: () => Promise<void>): void;
  /** Calls `callback` after `ms` unless cancelled first (for waits with a timeout). */
  timer(ms: number, callback: () => void): { cancel(): void };
}
