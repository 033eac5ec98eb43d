/**
 * Lesson 09 on a real broker (kafkasim's gateway): the calm sends run and are read back, the
 * lost acknowledgement and the latency claim are skipped, saying why, and the facts that should
 * match the simulator's do on a fresh gateway.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/09-sync-producer.ts';
import { expectSkipped, runOnFreshGateway } from './support/broker-lesson.ts';

describe('lesson 09 on a real broker (the gateway)', () => {
  it("holds its claims, says what it skipped and why, and its facts match the simulator's", { timeout: 60_000 }, async () => {
    const { real, wallMs, unexpected, verdict } = await runOnFreshGateway(lesson, [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }]);
    expect(wallMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual([
      'every message went to partition x % 3 of its key 192.168.2.x, and was acknowledged',
      'each send() returned only once its message was acknowledged, with its offset: the caller waits (sync)',
      "every message is in its partition's log once, at the offset its acknowledgement named, and nothing else was written there",
      'every message was acknowledged, none failed or retried',
    ]);
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expect(real.digest).toBeUndefined();
    expectSkipped(real, ['the claim that each send after the first took under 20 ms', 'the lost acknowledgement of message 11']);
    expect(real.output).toContain('SyncProduce → 127.0.0.1:');
    expect(real.output).toContain('== What you saw ==');
    expect(unexpected).toEqual([]);
    expect(verdict('calm messages acknowledged')).toBe('same');
    expect(verdict('calm messages in the log at their acknowledged offset')).toBe('same');
    expect(verdict('duplicates from a lost acknowledgement')).toBe('not compared');
  });
});
