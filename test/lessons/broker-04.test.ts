/**
 * Lesson 04 on a real broker (kafkasim's gateway, OS-assigned ports, both topics with 3
 * partitions): the group consumer in coordinator mode joins and leaves, range and roundrobin
 * assign on the group's leader, the claims hold, the ZooKeeper parts are skipped saying why, and
 * every assignment fact matches the simulator's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBrokers } from '../../lessons/lib/backend.ts';
import { compareFacts } from '../../lessons/lib/facts.ts';
import { runLesson } from '../../lessons/lib/lesson-kit.ts';
import { lesson } from '../../lessons/04-assignment-algorithm.ts';
import { startGateway, type Gateway } from '../../src/gateway/index.ts';

describe('lesson 04 on a real broker (the gateway)', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway({
      brokers: 3,
      topics: [
        { name: 'jiketest', partitions: 3, replicationFactor: 2 },
        { name: 'jikelog', partitions: 3, replicationFactor: 2 },
      ],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('holds its claims, says what it skipped, and its assignments match the simulator\'s', { timeout: 120_000 }, async () => {
    const startMs = Date.now();
    const real = await runLesson(lesson, { backend: await connectBrokers(gateway.bootstrapServers, lesson.defaultSeed) });
    const wallMs = Date.now() - startMs;
    expect(real.claims.map((c) => c.statement)).toEqual([
      'after every join and leave, every connector owns what the range definition gives it',
      'range over two topics of 3 partitions gives c1 four partitions and c2 two',
      'roundrobin gives each consumer three of the six partitions, as the definition deals them',
      'while c3 subscribed differently, no member of the group owned a partition',
      'once c3 left, c1 and c2 own the roundrobin assignment again',
    ]);
    expect(real.claims.filter((c) => !c.holds)).toEqual([]);
    expect(real.output).toContain(`(on the broker(s) at ${gateway.bootstrapServers}, in real time:`);
    expect(real.run.skips).toHaveLength(2);
    for (const skipped of ['the registrations and owner znodes in ZooKeeper', "the claim that c3's createMessageStreams failed with ConsumerRebalanceFailed"]) {
      expect(real.output).toMatch(new RegExp(`^Skipped on a real broker: ${skipped.replace(/[()]/g, '\\$&')}[^:]*: \\S`, 'm'));
    }
    expect(real.output).toContain('== What you saw ==');
    expect(real.output).toContain('A live group went through 1 → 3 → 4 → 3 threads');

    const simulated = await runLesson(lesson);
    const { unexpected, lines } = compareFacts(simulated.facts!, real.facts!);
    expect(unexpected).toEqual([]);
    const verdict = (name: string) => lines.find((l) => l.startsWith(`${name}  `))?.trimEnd().split(/\s{2,}/).at(-1);
    for (const fact of real.facts!.facts) expect([fact.name, verdict(fact.name)]).toEqual([fact.name, 'same']);
    expect(real.facts!.facts.find((f) => f.name === 'range after "c3 joins with 1 stream"')?.value).toBe('c1-0: jiketest-0; c2-0: jiketest-1; c2-1: jiketest-2; c3-0: -');
    console.log(`lesson 04 on the gateway: ${wallMs} ms`);
  });
});
