/**
 * Internal assertions (TigerBeetle style): preconditions, postconditions and invariants that can
 * only fail through a bug in kafkasim itself. User mistakes get `InvalidArgumentError` instead.
 */
export class AssertionFailedError extends Error {
  readonly code = 'ASSERTION_FAILED';
  constructor(message: string) {
    super(`kafkasim internal assertion failed: ${message}`);
    this.name = 'AssertionFailedError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailedError(message);
}
