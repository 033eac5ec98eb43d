/**
 * Lesson 12 on a real broker (kafkasim's gateway): every step runs on the broker's partition
 * counts and holds its claims; the fixed keys land where they land on the simulator when the
 * counts are the same (a `match` fact), and a different count makes them a `placement` fact.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/12-partitioners.ts';
import { expectSkipped, runOnFreshGateway } from './support/broker-lesson.ts';

const CLAIMS = (partitions: number, servers: number) => [
  `every keyed message went to abs(key.hashCode) % ${partitions}`,
  'the same key always landed on the same partition',
  'with the default interval, all 30 null-key messages went to one partition',
  'between two refreshes every null-key message went to the same partition',
  'the partition changed, and only at a refresh',
  `every message went to (last number of its IP) % ${partitions}`,
  `SimplePartitioner sent every server message to (last number) % ${servers}${10 % servers === 0 ? ': all to partition 0' : ''}`,
  "the hash sent every server's messages to abs(hashCode) % partitions, using more partitions than SimplePartitioner",
  'a null key never reached the partitioner; an empty key did, every time',
  '"" has no \'.\', so SimplePartitioner put it on partition 0',
];

describe('lesson 12 on a real broker (the gateway)', () => {
  it("with the simulator's partition counts: holds its claims, skips nothing, and the same keys land on the same partitions", { timeout: 60_000 }, async () => {
    const { real, wallMs, unexpected, verdict } = await runOnFreshGateway(lesson, [
      { name: 'jiketest', partitions: 3, replicationFactor: 2 },
      { name: 'servers', partitions: 5, replicationFactor: 2 },
    ]);
    expect(wallMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual(CLAIMS(3, 5));
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expectSkipped(real, []);
    expect(real.output).toContain('== What you saw ==');
    expect(unexpected).toEqual([]);
    expect(verdict('servers: per partition, SimplePartitioner')).toBe('same');
    expect(verdict('servers: per partition, default (hash)')).toBe('same');
    expect(verdict('custom partitioner calls: null keys / empty keys')).toBe('same');
  });

  it('with other partition counts: the claims follow the broker\'s counts and the fixed keys\' placement is an expected difference', { timeout: 60_000 }, async () => {
    const { real, unexpected, verdict } = await runOnFreshGateway(lesson, [
      { name: 'jiketest', partitions: 4, replicationFactor: 2 },
      { name: 'servers', partitions: 4, replicationFactor: 2 },
    ]);
    expect(real.claims.map((c) => c.statement)).toEqual(CLAIMS(4, 4));
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expect(unexpected).toEqual([]);
    expect(verdict('partitions of jiketest / servers')).toBe('differs (expected: placement)');
    expect(verdict('servers: per partition, default (hash)')).toBe('differs (expected: placement)');
  });
});
