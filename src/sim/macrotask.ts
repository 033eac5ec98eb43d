/**
 * The one place in the kernel that touches a real macrotask.
 *
 * Tasks are async functions; their continuations run as microtasks. The kernel drives them one
 * at a time and knows a task has gone quiet when it registers its next wait on a kernel future.
 * When a task instead waits on a promise the kernel does not drive (a plain Promise shared
 * between tasks, say), no such signal comes: the only proof that nothing is left to run is that
 * the microtask queue has emptied, which a macrotask observes. The watchdog armed here fires
 * only then, so a run that never stalls never pays for a macrotask.
 */
export function onNextMacrotask(callback: () => void): void {
  setImmediate(callback);
}
