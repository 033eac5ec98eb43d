/**
 * The command line's one use of the wall clock: how fast a sweep runs (runs per second for the
 * progress bar). Nothing it measures feeds back into a simulation.
 */
export function wallClockMs(): number {
  return performance.now();
}
