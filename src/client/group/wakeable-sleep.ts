/**
 * A sleep that `wake()` ends early. The consumer's background threads wait long intervals
 * (`auto.commit.interval.ms`, 60 s by default; `heartbeat.interval.ms`) and must stop waiting at
 * shutdown or a rejoin: on the real runtime a plain `sleep` cannot be cut short, so a program that
 * shut its consumer down stayed alive until the next auto-commit was due. The wait is a runtime
 * future (the simulator's kernel drives it) resolved by a timer that is cancelled when woken.
 */
import type { Deferred } from '../../protocol/runtime.ts';
import type { Runtime } from '../runtime.ts';

export class WakeableSleep {
  private pending: Deferred<void> | undefined;

  constructor(
    private readonly runtime: Runtime,
    /** What the sleeper waits for, for the kernel's diagnostics ("the next heartbeat of c1"). */
    private readonly label: string,
  ) {}

  /** Resolves after `ms`, or as soon as `wake()` is called. */
  async sleep(ms: number): Promise<void> {
    const wake = this.runtime.deferred<void>(this.label);
    this.pending = wake;
    const timer = this.runtime.timer(ms, () => wake.resolve());
    await wake.promise;
    timer.cancel();
    if (this.pending === wake) this.pending = undefined;
  }

  /** Ends the sleep under way now (nothing if none is). */
  wake(): void {
    this.pending?.resolve();
  }
}
