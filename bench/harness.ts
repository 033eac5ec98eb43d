/**
 * The benchmark harness: each figure is measured after a warm-up run, printed in a table, and
 * written to bench/results.json (`{ "<name>": { "value": n, "unit": "..." } }`) so runs can be
 * compared. Figures state the mode they measure (trace and history on or off). Nothing here
 * passes or fails: speed is reported, never asserted.
 */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure measures and in which mode ("trace off, history off"). */
  readonly mode: string;
  /** The target, for the table ("≥ 2,000,000"). */
  readonly target?: string;
}

export interface BenchSuite {
  readonly name: string;
  /**
   * Environment variables the suite's process runs with, and every process it starts, unless the
   * bench was started with them set (`npm run bench` runs each suite in a process of its own).
   */
  readonly env?: Readonly<Record<string, string>>;
  run(): Promise<Figure[]>;
}

/** Wall-clock milliseconds of `body`, after `warmups` untimed runs; the best of `repeats`. */
export async function timeMs(body: () => Promise<void> | void, options: { warmups?: number; repeats?: number } = {}): Promise<number> {
  const { warmups = 1, repeats = 3 } = options;
  for (let i = 0; i < warmups; i++) await body();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await body();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

/** Heap bytes in use after a full collection (needs node --expose-gc). */
export function heapUsedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the benchmarks with node --expose-gc (npm run bench does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A record count from environment variable `name` (unset or empty: `fallback`); anything but a positive integer throws, naming it. */
export function countFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive integer`);
  return n;
}

export function formatNumber(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
