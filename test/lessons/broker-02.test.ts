/**
 * Lesson 02 on a real broker (kafkasim's gateway): the fault-free part of the failover lesson runs
 * (findLeader, the read loop from the log start, a restart beyond the log end), its claims hold,
 * the crashes and the unclean election are skipped saying why, and its facts match the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/02-partition-consumer-failover.ts';
import { expectClaimsHeld, gatewayForTests, runOnGateway, unexpectedDifferences } from './support/broker-lesson.ts';

describe('lesson 02 on a real broker (the gateway)', () => {
  const gateway = gatewayForTests({ brokers: 3, topics: [{ name: 'jiketest', partitions: 1, replicationFactor: 3 }] });

  it('runs the fault-free part, holds its claims and says what it skipped and why; facts match the simulator', { timeout: 60_000 }, async () => {
    const { report, wallMs } = await runOnGateway(lesson, gateway());
    expect(wallMs).toBeLessThan(15_000);
    expectClaimsHeld(report, [
      expect.stringMatching(/^findLeader named the leader the metadata names, broker \d+ \(127\.0\.0\.1:\d+\), and the loop started at the earliest offset, 0$/),
      "run 1 read this run's 6 message(s) of jiketest-0 once each, in offset order, at the offsets the broker acknowledged",
      "run 2's first fetch got OffsetOutOfRange and the loop reset readOffset from 9 to the latest offset, 6",
      'run 2 then read the 2 message(s) written since into jiketest-0, once each',
    ]);
    expect(report.run.skips).toHaveLength(2);
    for (const skipped of ['the leader crash of step 3', 'the unclean election of step 4']) {
      expect(report.output).toMatch(new RegExp(`^Skipped on a real broker: ${skipped}[^:]*: \\S`, 'm'));
    }
    expect(report.output).toContain('== What you saw ==');
    expect(await unexpectedDifferences(lesson, report)).toEqual([]);
  });

  it("on a topic that already holds messages: the claims are about this run's messages", { timeout: 60_000 }, async () => {
    const { report } = await runOnGateway(lesson, gateway());
    expect(report.claims.every((c) => c.holds)).toBe(true);
    expect(report.claims[2]!.statement).toBe("run 2's first fetch got OffsetOutOfRange and the loop reset readOffset from 17 to the latest offset, 14");
  });
});
