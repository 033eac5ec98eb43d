/**
 * Lesson 08 on a real broker (kafkasim's gateway): the knobs run with the same clients on this
 * run's messages. The gateway sends no bytes of a message larger than the fetch size (Kafka 0.8.2
 * sends the first ones), so sections 2 and 3 are skipped saying so; fetch_size_bytes and the crash
 * costs run, the crash being the worker's own (its threads stop, no final commit). On a topic that
 * already held messages the crash section is skipped, saying why.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/08-consumer-tuning.ts';
import { expectClaimsHeld, gatewayForTests, runOnGateway, unexpectedDifferences } from './support/broker-lesson.ts';

const TOPICS = [
  { name: 'big', partitions: 1, replicationFactor: 2 },
  { name: 'jiketest', partitions: 1, replicationFactor: 2 },
];

describe('lesson 08 on a real broker (the gateway)', () => {
  const gateway = gatewayForTests({ brokers: 3, topics: TOPICS });

  it('runs fetch_size_bytes and the crash costs, skips what the broker cannot show, and matches the simulator', { timeout: 90_000 }, async () => {
    const { report: real, wallMs } = await runOnGateway(lesson, gateway());
    // about 12 s on an idle machine; the margin is for a loaded one (two cores shared by several test runs).
    expect(wallMs).toBeLessThan(20_000);
    expectClaimsHeld(real, [
      'fetch_size_bytes never reached a request: both consumers sent the same fetches, none with min_bytes 1,000,000',
      'every restart resumed exactly at the committed offset (0 when nothing was committed): redelivered = processed − committed',
      'by count alone, a crash costs processed mod N: 3 with every_n=10, 0 with every_n=1 (at 173 commits)',
      'by time alone (every second), at most a second of messages (25 here) is redelivered',
      'without auto_commit and commit(), all 173 come again',
      'with the defaults both triggers committed before the crash, independently: the count at 100, the timer after 5 s',
    ]);
    expect(real.run.skips).toHaveLength(1);
    expect(real.output).toMatch(/^Skipped on a real broker: sections 2 and 3 [^:]*: this broker sent no bytes of a message larger than the fetch size/m);
    expect(real.output).toContain('== What you saw ==');
    expect(await unexpectedDifferences(lesson, real)).toEqual([]);
  });

  it('again on the same topics: the crash section says it needs a topic that starts with this run\'s messages', { timeout: 60_000 }, async () => {
    const { report: real } = await runOnGateway(lesson, gateway());
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expect(real.run.skips).toHaveLength(2);
    expect(real.output).toMatch(/^Skipped on a real broker: the crash costs of auto_commit_every_n \/ _t \(section 5\): jiketest-0 already held 250 messages of earlier runs: \S/m);
  });
});
