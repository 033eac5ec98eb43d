/**
 * Which partition of `__consumer_offsets` (and so which broker) coordinates a group: Kafka's
 * `Utils.abs(groupId.hashCode) % offsets.topic.num.partitions`.
 */
import { describe, expect, it } from 'vitest';
import { javaStringHash, offsetsPartitionFor } from '../../../src/broker/coordinator/placement.ts';

describe('offsets partition of a group', () => {
  it('hashes as Java’s String.hashCode, with 32-bit overflow', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('Aa')).toBe(javaStringHash('BB')); // Java's best-known collision, 2112
    expect(javaStringHash('my-group')).toBe(-1906497762);
  });

  it('takes Utils.abs of the hash (Integer.MIN_VALUE, the hash of "polygenelubricants", maps to 0) modulo the partition count', () => {
    expect(javaStringHash('polygenelubricants')).toBe(-2_147_483_648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
    expect(offsetsPartitionFor('my-group', 50)).toBe(12); // abs(-1906497762) % 50
  });
});
