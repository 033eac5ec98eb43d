/**
 * The one place in the kernel that touches a real macrotask.
 *
 * Tasks are async functions; their continuations run as microtasks. The kernel drives them one
 * at a time and knows a task has gone quiet when it registers its next wait on a kernel future.
 * When a wake-up resumes nothing the kernel can see (one element of a `Promise.all`, or a task
 * blocked on a promise the kernel does not drive), the only proof that nothing is left to run is
 * that the microtask queue has emptied, which a macrotask observes. The kernel asks for one only
 * then, and only before virtual time moves on, so most steps never pay for it.
 */
export function onNextMacrotask(callback: () => void): void {
  setImmediate(callback);
}
