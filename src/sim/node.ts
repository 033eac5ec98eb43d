/**
 * A node is a simulated process: a broker, the ZooKeeper server, a client. The kernel knows
 * three things about it: its name, whether it is paused (a GC pause or SIGSTOP: its events and
 * task wake-ups wait until it resumes), and its incarnation (bumped when the process dies, so
 * the timers, deliveries and tasks of the dead process never run).
 */
export interface SimNode {
  readonly name: string;
  paused: boolean;
  alive: boolean;
  incarnation: number;
  /** Events and task wake-ups that came due while the node was paused, in due order. */
  readonly deferred: Array<() => void>;
}

export function createNode(name: string): SimNode {
  return { name, paused: false, alive: true, incarnation: 0, deferred: [] };
}
