import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/sim/network.ts';
import { withoutStack } from '../../src/sim/errors.ts';

describe('withoutStack', () => {
  it('makes the same error, class, name and message, with a stack of its first line only', () => {
    const error = withoutStack(() => new ConnectionError('refused', 'client-1', 'broker-2'));
    const usual = new ConnectionError('refused', 'client-1', 'broker-2');
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.name).toBe(usual.name);
    expect(error.message).toBe(usual.message);
    expect(error.reason).toBe('refused');
    expect(error.stack).toBe(`ConnectionError: ${usual.message}`);
    expect(usual.stack).toContain('\n    at ');
  });

  it('restores the stack trace limit, also when making the error throws', () => {
    const limit = Error.stackTraceLimit;
    expect(() =>
      withoutStack(() => {
        throw new RangeError('no');
      }),
    ).toThrow(RangeError);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
