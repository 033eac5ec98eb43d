/**
 * Lesson 15 on a real broker (kafkasim's gateway): what a client sees of the controller's work
 * (the controller id, leaders and ISR in a Metadata answer) with its claims, and the ZooKeeper and
 * failure steps skipped saying why.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/15-controller-and-zookeeper.ts';
import { expectClaimsHeld, gatewayForTests, runOnGateway } from './support/broker-lesson.ts';

describe('lesson 15 on a real broker (the gateway)', () => {
  const gateway = gatewayForTests({ brokers: 3, topics: [{ name: 'jiketest', partitions: 3, replicationFactor: 3 }] });

  it("shows the controller, the leaders and ISRs, and says what it skipped and why", { timeout: 30_000 }, async () => {
    const { report, wallMs } = await runOnGateway(lesson, gateway());
    expect(wallMs).toBeLessThan(15_000);
    expectClaimsHeld(report, [
      expect.stringMatching(/^the metadata names a controller, broker [123], and it is one of the 3 live brokers$/),
      'each of the 3 partitions of jiketest has a live leader that is in its ISR, and its ISR is among its replicas',
    ]);
    expect(report.run.skips).toHaveLength(1);
    expect(report.output).toMatch(/^Skipped on a real broker: the znodes [^:]*: a client of a real broker reads no ZooKeeper and cannot crash or pause brokers; \S/m);
    expect(report.output).toMatch(/^jiketest-0 +\d +[123],[123],[123] +[123],[123],[123]$/m);
  });
});
