/**
 * Lesson 14 on a real broker (kafkasim's gateway): the fault-free acks=-1 writes to both topics
 * run and are read back, Metadata shows leaders and ISR; the cut, the crashes, the unclean
 * election and the safe topic's refusals are skipped, saying why; the facts that hold without
 * faults match the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/14-unclean-leader-election.ts';
import { expectSkipped, runOnFreshGateway } from './support/broker-lesson.ts';

describe('lesson 14 on a real broker (the gateway)', () => {
  it("holds its claims, says what it skipped and why, and its facts match the simulator's", { timeout: 60_000 }, async () => {
    const { real, wallMs, unexpected, verdict } = await runOnFreshGateway(lesson, [
      { name: 'jepsen', partitions: 1, replicationFactor: 3 },
      { name: 'jepsen-safe', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false } },
    ]);
    expect(wallMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual([
      'each partition has a leader, and the leader is in its ISR (Metadata)',
      'w0..w2 were acknowledged and are in the log',
      's0..s2 were acknowledged and are in the log',
    ]);
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expectSkipped(real, [
      'the cut between the leader and its followers',
      'the leader crash, the unclean election of a stale follower',
      "the same cut around the safe topic's leader",
    ]);
    expect(real.output).toMatch(/^jepsen-safe-0 +\d+ +\d,\d,\d +\d,\d,\d$/m);
    expect(real.output).toContain('== What you saw ==');
    expect(unexpected).toEqual([]);
    expect(verdict('jepsen-safe: acknowledged writes lost')).toBe('same');
    expect(verdict('jepsen: acknowledged writes lost')).toBe('not compared');
  });
});
