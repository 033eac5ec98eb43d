/**
 * Pacing: runs the simulation's virtual time in step with wall time (or `speed` times faster),
 * and gives what arrived from the real world (connections, request frames, faults from the
 * control interface) its turn between steps. The one gateway module allowed the wall clock and
 * real timers (DESIGN §3); nothing it measures reaches the simulation except through the kernel's
 * own run calls, at step boundaries the recording notes, so a replay needs no clock at all.
 *
 * The loop: move virtual time up to the wall clock's reading (running every event due by then,
 * in slices of at most `maxSliceMs` so arrivals are not starved when the simulation lags), hand
 * the arrivals to `between`, then sleep until the next event is due or something arrives. An idle
 * cluster costs its own timers and nothing else: there is no polling.
 *
 * Not modelled: catching up lost time. When the simulation falls behind (more work than one CPU
 * can do in real time) virtual time lags the wall clock and runs flat out until it has caught up;
 * it never runs ahead of the wall clock, so an arrival is never stamped earlier than it came.
 */
import type { Kernel } from '../sim/kernel.ts';

export interface PacerOptions {
  readonly kernel: Kernel;
  /** Virtual milliseconds per wall millisecond (1 = real time). */
  readonly speed: number;
  /** Called between steps, with the clock at the wall clock's reading: inject what arrived. */
  readonly between: () => void;
  /** True when arrivals are waiting for `between`. */
  readonly pending: () => boolean;
  /** Called after each slice of virtual time (the listeners follow the brokers here). */
  readonly afterSlice?: () => void;
  /** The simulation failed (an event or a task threw): the loop has stopped. */
  readonly onError: (error: unknown) => void;
  /** Most virtual time run before arrivals get their turn again (default 20 ms). */
  readonly maxSliceMs?: number;
}

/** Wall-clock milliseconds, monotonic. */
function wallNowMs(): number {
  return performance.now();
}

export class Pacer {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxSliceMs: number;
  private startWallMs = 0;
  private startVirtualMs = 0;

  constructor(private readonly options: PacerOptions) {
    this.maxSliceMs = options.maxSliceMs ?? 20;
  }

  /** Virtual time the wall clock says it is now (never behind the kernel's clock). */
  private wallVirtualMs(): number {
    const elapsed = Math.floor((wallNowMs() - this.startWallMs) * this.options.speed);
    return Math.max(this.options.kernel.nowMs, this.startVirtualMs + elapsed);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startWallMs = wallNowMs();
    this.startVirtualMs = this.options.kernel.nowMs;
    this.loop = this.run().catch((error: unknown) => {
      this.running = false;
      this.options.onError(error);
    });
  }

  /** Something arrived: stop sleeping and give it its turn. */
  wake(): void {
    const wakeUp = this.wakeUp;
    if (wakeUp === undefined) return;
    this.wakeUp = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    wakeUp();
  }

  /** Stops after the current slice; resolves when the simulation is between steps for good. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { kernel, between, pending } = this.options;
    while (this.running) {
      const target = this.wallVirtualMs();
      const due = kernel.nextDueMs();
      if (target > kernel.nowMs || (due !== undefined && due <= kernel.nowMs)) {
        await kernel.runFor(Math.min(target - kernel.nowMs, this.maxSliceMs));
        this.options.afterSlice?.();
      }
      if (!this.running) break;
      if (pending()) {
        between();
        // What was injected is due within a link latency: look again before sleeping, but let
        // I/O in first (a macrotask), so a flood of arrivals cannot starve the sockets.
        await yieldToIo();
        continue;
      }
      const next = kernel.nextDueMs();
      if (kernel.nowMs < this.wallVirtualMs() || (next !== undefined && next <= kernel.nowMs)) {
        await yieldToIo();
        continue;
      }
      await this.sleepUntil(next);
    }
    // What arrived before `stop` still enters (a fault asked for is applied, and recorded).
    if (pending()) between();
  }

  /** Sleeps until the wall clock reaches virtual time `dueMs` (forever if undefined) or `wake`. */
  private sleepUntil(dueMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      if (dueMs === undefined) return;
      const waitMs = (dueMs - this.startVirtualMs) / this.options.speed - (wallNowMs() - this.startWallMs);
      this.timer = setTimeout(() => this.wake(), Math.max(0, Math.ceil(waitMs)));
    });
  }
}

function yieldToIo(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
