/**
 * Lesson 04 on a real broker (kafkasim's gateway, OS-assigned ports, both topics with 3
 * partitions): the group consumer in coordinator mode joins and leaves, range and roundrobin
 * assign on the group's leader, the claims hold, the ZooKeeper parts are skipped saying why, and
 * every assignment fact matches the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/04-assignment-algorithm.ts';
import { expectFactsSameAsSimulator, gatewayWith, runOnBroker } from './support/broker-lesson.ts';

describe('lesson 04 on a real broker (the gateway)', () => {
  const gateway = gatewayWith(['jiketest', 'jikelog']);

  it("holds its claims, says what it skipped, and its assignments match the simulator's", { timeout: 120_000 }, async () => {
    const { report, wallMs } = await runOnBroker(
      lesson,
      gateway.bootstrapServers,
      [
        'after every join and leave, every connector owns what the range definition gives it',
        'range over two topics of 3 partitions gives c1 four partitions and c2 two',
        'roundrobin gives each consumer three of the six partitions, as the definition deals them',
        'while c3 subscribed differently, no member of the group owned a partition',
        'once c3 left, c1 and c2 own the roundrobin assignment again',
      ],
      ['the registrations and owner znodes in ZooKeeper', "the claim that c3's createMessageStreams failed with ConsumerRebalanceFailed"],
    );
    expect(report.output).toContain('A live group went through 1 → 3 → 4 → 3 threads');
    await expectFactsSameAsSimulator(lesson, report);
    expect(report.facts!.facts.find((f) => f.name === 'range after "c3 joins with 1 stream"')?.value).toBe('c1-0: jiketest-0; c2-0: jiketest-1; c2-1: jiketest-2; c3-0: -');
    console.log(`lesson 04 on the gateway: ${wallMs} ms`);
  });
});
