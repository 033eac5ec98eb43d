/**
 * Lesson 11 on a real broker (kafkasim's gateway): both producers run the same fault-free
 * upstream, their latency is compared and the logs read back; the fault schedule and the claims
 * that depend on it are skipped, saying why; the facts that should match the simulator's do.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/11-sync-vs-async.ts';
import { expectSkipped, runOnFreshGateway } from './support/broker-lesson.ts';

describe('lesson 11 on a real broker (the gateway)', () => {
  it("holds its claims, says what it skipped and why, and its facts match the simulator's", { timeout: 60_000 }, async () => {
    const { real, wallMs, unexpected, verdict } = await runOnFreshGateway(lesson, [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }]);
    expect(wallMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual([
      'sync send() latency is higher than async on average: sync waits for the leader, async only queues',
      'without faults neither run lost a message or wrote one twice: read back, every visit of both runs is in the logs once',
    ]);
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expectSkipped(real, ['the fault schedule', 'the claims that async throughput is higher']);
    expect(real.output).toContain('== What you saw ==');
    expect(unexpected).toEqual([]);
    expect(verdict('sync send() latency above async (mean)')).toBe('same');
    expect(verdict('sync: lost')).toBe('same');
    expect(verdict('async: lost')).toBe('not compared');
  });
});
