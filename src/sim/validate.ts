/**
 * Argument checks that raise `InvalidArgumentError` naming the argument, the value and what is
 * allowed. Used at every public entry point; internal invariants use `assert` instead.
 */
import { InvalidArgumentError } from './errors.ts';

export function requireInteger(argument: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(argument, value, integerRange(min, max));
  }
  return value;
}

export function requireNonNegativeInteger(argument: string, value: unknown): number {
  return requireInteger(argument, value, 0);
}

export function requireProbability(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError(argument, value, 'a probability between 0 and 1');
  }
  return value;
}

export function requireNonEmptyString(argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(argument, value, 'a non-empty string');
  }
  return value;
}

export function requireOneOf<T extends string | number>(argument: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError(argument, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value as T;
}

export function requireFunction(argument: string, value: unknown): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, value, 'a function');
}

function integerRange(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return 'an integer';
  if (max === Infinity) return min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
  if (min === -Infinity) return `an integer ≤ ${max}`;
  return `an integer from ${min} to ${max}`;
}
