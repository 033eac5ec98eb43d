/**
 * Lesson 13 on a real broker (kafkasim's gateway): each acks level writes and reads back on the
 * broker, Metadata shows leaders and ISR; the slow links and the leader crash are skipped, saying
 * why, and the facts that hold with or without the crash match the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/13-acks-under-leader-crash.ts';
import { expectSkipped, runOnFreshGateway } from './support/broker-lesson.ts';

describe('lesson 13 on a real broker (the gateway)', () => {
  it("holds its claims, says what it skipped and why, and its facts match the simulator's", { timeout: 60_000 }, async () => {
    const { real, wallMs, unexpected, verdict } = await runOnFreshGateway(
      lesson,
      ['acks0', 'acks1', 'acksall'].map((name) => ({ name, partitions: 1, replicationFactor: 3 })),
    );
    expect(wallMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual([
      "every topic's partition has a leader, and the leader is in its ISR (Metadata)",
      'acks=0 acknowledged nothing (the producer never hears back); acks 1 and -1 acknowledged every message',
      'without a crash no acks level lost or duplicated anything: every message is in its log once',
    ]);
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expectSkipped(real, [
      'the slow links (500 ms) from each leader to its followers',
      'the leader crash under acks=0',
      'the leader crash under acks=1',
      'the leader crash under acks=-1',
      'the claims about what acks 0 and 1 lost in the crash',
    ]);
    expect(real.output).toMatch(/^acks0-0 +\d+ +\d,\d,\d +\d,\d,\d$/m);
    expect(real.output).toContain('== What you saw ==');
    expect(unexpected).toEqual([]);
    expect(verdict('acks=-1: acknowledged messages lost')).toBe('same');
    expect(verdict('acks=0: acknowledged (the producer never hears back)')).toBe('same');
    expect(verdict('acks=1: acknowledged messages lost in the crash')).toBe('not compared');
  });
});
