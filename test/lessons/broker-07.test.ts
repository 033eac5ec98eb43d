/**
 * Lesson 07 on a real broker (kafkasim's gateway): the four delivery patterns run with the group
 * consumer in coordinator mode; each consumer stops at its pattern's worst moment and is shut
 * down without a commit, and a second consumer of the group resumes from the committed offsets.
 * The claims hold, the kill -9 and the ZooKeeper view are skipped saying why, and the lost /
 * processed-twice counts match the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/07-delivery-semantics.ts';
import { expectClaimsHeld, gatewayForTests, runOnGateway, unexpectedDifferences } from './support/broker-lesson.ts';

describe('lesson 07 on a real broker (the gateway)', () => {
  // Kafka's 3 s delay before an empty group's first rebalance, set to 0 as in development: the
  // lesson has eight consumers join an empty group one after the other.
  const gateway = gatewayForTests({
    brokers: 3,
    topics: [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }],
    brokerConfig: { 'group.initial.rebalance.delay.ms': 0 },
  });

  it('holds its claims, says what it skipped and why, and loses / duplicates what the simulator does', { timeout: 90_000 }, async () => {
    const { report, wallMs } = await runOnGateway(lesson, gateway());
    // about 11 s on an idle machine; the margin is for a loaded one (two cores shared by several test runs).
    expect(wallMs).toBeLessThan(20_000);
    expectClaimsHeld(report, [
      'at most once: the message in hand at the crash was lost (lost ≥ 1), and nothing was processed twice',
      'at least once: nothing was lost, and the message in hand at the crash was processed twice (duplicated ≥ 1)',
      'exactly once: after the crash nothing was lost and nothing was processed twice',
      'auto-commit: the message being processed when the commit landed was lost (lost ≥ 1)',
    ]);
    expect(report.run.skips).toHaveLength(3);
    for (const skipped of ['the kill -9 of the consumer process', 'the group as ZooKeeper holds it', 'the second crash, at a moment the seed chooses']) {
      expect(report.output).toMatch(new RegExp(`^Skipped on a real broker: ${skipped}[^:]*: \\S`, 'm'));
    }
    expect(report.output).toContain('resumes from the offsets committed at the group coordinator');
    expect(report.output).toContain('== What you saw ==');
    expect(await unexpectedDifferences(lesson, report)).toEqual([]);
  });

  it("again on the same topic: earlier runs' messages are passed over, each pattern has a group of its own", { timeout: 90_000 }, async () => {
    const { report } = await runOnGateway(lesson, gateway());
    expect(report.claims.every((c) => c.holds)).toBe(true);
    expect(await unexpectedDifferences(lesson, report)).toEqual([]);
  });
});
