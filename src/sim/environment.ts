/**
 * The runtime seam's `AsyncEnvironment` on the kernel, for code running on one node: virtual
 * time, kernel futures as deferreds, background work as tasks of that node (so they pause and
 * die with it).
 */
import type { AsyncEnvironment, Deferred, RandomSource } from '../protocol/runtime.ts';
import type { Kernel } from './kernel.ts';

export interface NodeEnvironment extends AsyncEnvironment {
  readonly node: string;
  readonly random: RandomSource;
}

export function nodeEnvironment(kernel: Kernel, node: string, randomStream: string = node): NodeEnvironment {
  const random = kernel.rng.fork(randomStream);
  return {
    node,
    random,
    nowMs: () => kernel.nowMs,
    sleep: (ms) => kernel.sleep(ms),
    deferred: <T>(label?: string): Deferred<T> => kernel.future<T>(label),
    spawn: (name, body) => {
      kernel.spawn(name, body, { node });
    },
    timer: (ms, callback) => kernel.schedule(ms, callback, { node, label: 'timer' }),
  };
}
