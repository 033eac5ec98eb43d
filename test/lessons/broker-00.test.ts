/**
 * Lesson 00 on a real broker (kafkasim's gateway): what a client sees of registration (the live
 * brokers in a Metadata answer) with its claim, and the simulator-only steps skipped saying why.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/00-kernel-and-zookeeper.ts';
import { expectClaimsHeld, gatewayForTests, runOnGateway } from './support/broker-lesson.ts';

describe('lesson 00 on a real broker (the gateway)', () => {
  const gateway = gatewayForTests({ brokers: 3 });

  it('lists the live brokers and says what it skipped and why', { timeout: 30_000 }, async () => {
    const { report, wallMs } = await runOnGateway(lesson, gateway());
    expect(wallMs).toBeLessThan(15_000);
    expectClaimsHeld(report, ['the metadata lists 3 live broker(s), each once, with a host and a port']);
    expect(report.run.skips).toHaveLength(1);
    expect(report.output).toMatch(/^Skipped on a real broker: the kernel, the ZooKeeper sessions[^:]*: they are the simulator's own; \S/m);
    expect(report.output).toContain('named 3 live broker(s): 1, 2, 3.');
  });
});
