/**
 * Typed errors of the simulation kernel. Every error a user can cause names the bad value and
 * what is allowed; every error the kernel raises about its own run (deadlock, step limit, a
 * handler that threw inside an event) says where and when it happened.
 */

export abstract class KafkasimError extends Error {
  /** A stable, machine-readable code (`INVALID_ARGUMENT`, `DEADLOCK`, ...). */
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Makes an error without capturing a stack trace; its class, name and message are unchanged. For
 * errors that are results, not bugs: a ZooKeeper answer (NoNode), a connection refused or closed
 * under pending requests. They are made inside event callbacks, where a stack would show only the
 * kernel's dispatch, never the code that waits for the result, and by the thousand in a long run:
 * capturing a stack costs microseconds, about as much as a whole simulation step.
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A caller passed a value outside what a function accepts. */
export class InvalidArgumentError extends KafkasimError {
  readonly code = 'INVALID_ARGUMENT';
  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${argument} must be ${allowed}, got ${describeValue(value)}`);
  }
}

/** A name that should refer to a registered node, task or stream does not. */
export class UnknownNameError extends KafkasimError {
  readonly code = 'UNKNOWN_NAME';
  constructor(
    readonly kind: string,
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(
      `unknown ${kind} ${JSON.stringify(value)}; known: ${known.length === 0 ? '(none)' : known.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  }
}

/** Every task waits and no event is scheduled: nothing can ever wake them. */
export class DeadlockError extends KafkasimError {
  readonly code = 'DEADLOCK';
  constructor(
    readonly waitingTasks: readonly string[],
    readonly timeMs: number,
  ) {
    super(
      `deadlock at ${timeMs} ms: every task waits and no event is scheduled; waiting: ${waitingTasks.join(', ')}`,
    );
  }
}

/** `runUntil` reached its step budget before the predicate held. */
export class StepLimitError extends KafkasimError {
  readonly code = 'STEP_LIMIT';
  constructor(
    readonly maxSteps: number,
    readonly timeMs: number,
    what: string,
  ) {
    super(`${what} did not happen within ${maxSteps} steps (virtual time ${timeMs} ms)`);
  }
}

/** The event queue ran dry before `runUntil`'s predicate held (and no task was waiting). */
export class IdleBeforeConditionError extends KafkasimError {
  readonly code = 'IDLE';
  constructor(readonly timeMs: number) {
    super(`the simulation became idle at ${timeMs} ms before the condition held`);
  }
}

/** A handler threw inside an event: a bug in a component, reported with its place in the run. */
export class EventFailedError extends KafkasimError {
  readonly code = 'EVENT_FAILED';
  constructor(
    readonly step: number,
    readonly timeMs: number,
    readonly node: string,
    readonly label: string,
    cause: unknown,
  ) {
    super(
      `event ${JSON.stringify(label)} on ${node} failed at step ${step} (${timeMs} ms): ${causeMessage(cause)}`,
      { cause },
    );
  }
}

/** A task (async user code driven by the kernel) threw. */
export class TaskFailedError extends KafkasimError {
  readonly code = 'TASK_FAILED';
  constructor(
    readonly task: string,
    readonly timeMs: number,
    cause: unknown,
  ) {
    super(`task ${JSON.stringify(task)} failed at ${timeMs} ms: ${causeMessage(cause)}`, { cause });
  }
}

/** An operation that needs a live component was called after it stopped. */
export class StateError extends KafkasimError {
  readonly code = 'INVALID_STATE';
}

export function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}
