/**
 * Lesson 03 on a real broker (kafkasim's gateway, OS-assigned ports, jiketest with 3 partitions):
 * GroupConsumerTest with the connector in coordinator mode holds the lesson's claims, offsets
 * committed to the group coordinator and read back, the ZooKeeper parts skipped saying why, and
 * facts that match the simulator's; a second run on the same gateway takes a new group.
 */
import { describe, expect, it } from 'vitest';
import { connectBrokers } from '../../lessons/lib/backend.ts';
import { runLesson } from '../../lessons/lib/lesson-kit.ts';
import { lesson } from '../../lessons/03-group-consumer.ts';
import { expectFactsSameAsSimulator, gatewayWith, runOnBroker } from './support/broker-lesson.ts';

describe('lesson 03 on a real broker (the gateway)', () => {
  const gateway = gatewayWith(['jiketest']);

  it("holds its claims, says what it skipped, and records facts that match the simulator's", { timeout: 120_000 }, async () => {
    const { report, wallMs } = await runOnBroker(
      lesson,
      gateway.bootstrapServers,
      [
        'each of the 3 streams owns exactly one partition',
        'each thread printed only messages of the partition its stream owns',
        'with auto.offset.reset=largest the six older messages were skipped and the six new ones printed once',
        'the committed offset of every partition is its log end',
        'after shutdown every thread ended and the group keeps its offsets',
        'thread 0 owns two partitions and thread 1 one',
        'the group resumed at its committed offsets: exactly m13..m15, nothing printed a second time',
        'exactly one stream (thread 3) owned nothing and printed nothing until shutdown',
        'the smallest group printed every message of this run once, from offset 0',
        'across its three runs, jikegrouptest printed every message written after it first joined exactly once',
      ],
      ['the times of the auto-commits', 'the ephemeral registration and owner znodes of the group'],
    );
    await expectFactsSameAsSimulator(lesson, report);
    console.log(`lesson 03 on the gateway: ${wallMs} ms`);
  });

  it('run again on the same gateway: the group already has offsets, so the run takes a new group and its claims still hold', { timeout: 120_000 }, async () => {
    const again = await runLesson(lesson, { backend: await connectBrokers(gateway.bootstrapServers, lesson.defaultSeed) });
    expect(again.output).toContain('The group jikegrouptest already has offsets from an earlier run: this run uses jikegrouptest-2, a new group');
    expect(again.claims.filter((c) => !c.holds)).toEqual([]);
    expect(again.output).toMatch(/^It printed this run's 21 messages, m1\.\.m21, from offset 0 of every partition, after 21 older message\(s\)/m);
  });
});
