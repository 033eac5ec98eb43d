import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RoundRobinAssignmentError,
  assignPartitions,
  consumerShare,
  rangeAssign,
  roundRobinAssign,
  type AssignmentContext,
  type GroupAssignment,
} from '../../src/client/assignors.ts';
import { javaStringHashCode } from '../../src/client/partitioners.ts';
import { InvalidArgumentError, UnknownNameError } from '../../src/sim/errors.ts';
import { thrownBy } from '../sim/support.ts';

/** "thread: [topic,p], ..." lines, for compact expectations. */
function layout(assignment: GroupAssignment): Record<string, string> {
  return Object.fromEntries(
    [...assignment.byThread].map(([thread, tps]) => [thread, tps.map((tp) => `${tp.topic}-${tp.partition}`).join(' ')]),
  );
}

describe('range assignment (RangeAssignor, 0.8.2 scaladoc example)', () => {
  const ctx: AssignmentContext = {
    subscriptions: { C1: { jiketest: 2 }, C2: { jiketest: 2 } },
    partitionsPerTopic: { jiketest: 5 },
    consumerId: 'C1',
  };

  it('two consumers with two streams each, five partitions: p0,p1→C1-0; p2→C1-1; p3→C2-0; p4→C2-1', () => {
    const assignment = rangeAssign(ctx);
    expect(assignment.strategy).toBe('range');
    expect(layout(assignment)).toEqual({
      'C1-0': 'jiketest-0 jiketest-1',
      'C1-1': 'jiketest-2',
      'C2-0': 'jiketest-3',
      'C2-1': 'jiketest-4',
    });
  });

  it("the decision is the computing consumer's share, with the owner znode value", () => {
    const assignment = rangeAssign(ctx);
    expect(assignment.decision).toEqual([
      { topic: 'jiketest', partition: 0, owner: 'C1-0', consumerId: 'C1', threadId: 0 },
      { topic: 'jiketest', partition: 1, owner: 'C1-0', consumerId: 'C1', threadId: 0 },
      { topic: 'jiketest', partition: 2, owner: 'C1-1', consumerId: 'C1', threadId: 1 },
    ]);
    expect(consumerShare(assignment, 'C2').map((o) => o.partition)).toEqual([3, 4]);
    expect(rangeAssign({ ...ctx, consumerId: 'C2' }).decision).toEqual(consumerShare(assignment, 'C2'));
  });

  it('explains each step in plain English', () => {
    expect(rangeAssign(ctx).explanation).toEqual([
      'Range assignment cuts each topic separately: its partitions in id order are split into consecutive ranges, ' +
        'one per consumer thread, threads taken in string order.',
      'Topic jiketest has 5 partitions and 4 consumer threads: 5 / 4 = 1 each, and the first 5 % 4 = 1 thread gets one more',
      'Threads of jiketest in string order: C1-0, C1-1, C2-0, C2-1',
      'C1-0 gets partitions 0, 1 of jiketest',
      'C1-1 gets partition 2 of jiketest',
      'C2-0 gets partition 3 of jiketest',
      'C2-1 gets partition 4 of jiketest',
      'C1 claims [jiketest,0] for C1-0, [jiketest,1] for C1-0, [jiketest,2] for C1-1.',
    ]);
  });

  it("the article's setting: 3 partitions of jiketest, as consumers join", () => {
    const one = rangeAssign({ subscriptions: { c1: { jiketest: 1 } }, partitionsPerTopic: { jiketest: 3 }, consumerId: 'c1' });
    expect(layout(one)).toEqual({ 'c1-0': 'jiketest-0 jiketest-1 jiketest-2' });
    const two = rangeAssign({ subscriptions: { c1: { jiketest: 1 }, c2: { jiketest: 1 } }, partitionsPerTopic: { jiketest: 3 }, consumerId: 'c1' });
    expect(layout(two)).toEqual({ 'c1-0': 'jiketest-0 jiketest-1', 'c2-0': 'jiketest-2' });
    const three = rangeAssign({
      subscriptions: { c1: { jiketest: 1 }, c2: { jiketest: 1 }, c3: { jiketest: 1 } },
      partitionsPerTopic: { jiketest: 3 },
      consumerId: 'c1',
    });
    expect(layout(three)).toEqual({ 'c1-0': 'jiketest-0', 'c2-0': 'jiketest-1', 'c3-0': 'jiketest-2' });
  });

  it('more threads than partitions: the last threads get nothing, and the explanation quotes Kafka\'s warning', () => {
    const assignment = rangeAssign({
      subscriptions: { c1: { jiketest: 2 }, c2: { jiketest: 2 } },
      partitionsPerTopic: { jiketest: 3 },
      consumerId: 'c2',
    });
    expect(layout(assignment)).toEqual({ 'c1-0': 'jiketest-0', 'c1-1': 'jiketest-1', 'c2-0': 'jiketest-2', 'c2-1': '' });
    expect(assignment.explanation).toContain(
      'c2-1 gets nothing of jiketest (Kafka warns: No broker partitions consumed by consumer thread c2-1 for topic jiketest)',
    );
    expect(assignment.explanation.at(-1)).toBe('c2 claims [jiketest,2] for c2-0.');
  });

  it('threads sort as strings: "c-10-0" comes before "c-2-0"', () => {
    const assignment = rangeAssign({
      subscriptions: { 'c-2': { t: 1 }, 'c-10': { t: 1 } },
      partitionsPerTopic: { t: 3 },
      consumerId: 'c-2',
    });
    expect(layout(assignment)).toEqual({ 'c-10-0': 't-0 t-1', 'c-2-0': 't-2' });
    expect(assignment.explanation).toContain(
      'Threads of t in string order: c-10-0, c-2-0 (compared as strings, so c-10-0 comes before c-2-0)',
    );
  });

  it('and a consumer\'s thread 10 comes before its thread 2', () => {
    const assignment = rangeAssign({ subscriptions: { c1: { t: 11 } }, partitionsPerTopic: { t: 11 }, consumerId: 'c1' });
    expect([...assignment.byThread.keys()].slice(0, 4)).toEqual(['c1-0', 'c1-1', 'c1-10', 'c1-2']);
    expect(layout(assignment)['c1-10']).toBe('t-2');
  });

  it('each topic is cut separately, so the first threads get the extra partition of every topic', () => {
    const assignment = rangeAssign({
      subscriptions: { c1: { orders: 1, clicks: 1 }, c2: { orders: 1, clicks: 1 } },
      partitionsPerTopic: { orders: 3, clicks: 3 },
      consumerId: 'c1',
    });
    expect(layout(assignment)).toEqual({ 'c1-0': 'clicks-0 clicks-1 orders-0 orders-1', 'c2-0': 'clicks-2 orders-2' });
  });

  it('different subscriptions are fine for range: each topic is cut among its own subscribers', () => {
    const assignment = rangeAssign({
      subscriptions: { c1: { a: 1 }, c2: { a: 1, b: 2 } },
      partitionsPerTopic: { a: 2, b: 3 },
      consumerId: 'c2',
    });
    expect(layout(assignment)).toEqual({ 'c1-0': 'a-0', 'c2-0': 'a-1 b-0 b-1', 'c2-1': 'b-2' });
  });

  it('a topic without partitions (not created yet) leaves its threads with nothing', () => {
    const assignment = rangeAssign({ subscriptions: { c1: { ghost: 1 } }, partitionsPerTopic: {}, consumerId: 'c1' });
    expect(layout(assignment)).toEqual({ 'c1-0': '' });
    expect(assignment.explanation[1]).toBe(
      'Topic ghost has 0 partitions and 1 consumer thread: 0 / 1 = 0 each, and 0 % 1 = 0, so no thread gets more',
    );
  });
});

describe('round-robin assignment (RoundRobinAssignor, 0.8.2)', () => {
  it('deals partitions sorted by the hashCode of "[topic,partition]" to threads in string order', () => {
    // Hashes: [jiketest,0] 882807123 < [jiketest,1] 882807154 < ... < [jiketest,4] 882807247
    const assignment = roundRobinAssign({
      subscriptions: { c1: { jiketest: 2 }, c2: { jiketest: 2 } },
      partitionsPerTopic: { jiketest: 5 },
      consumerId: 'c1',
    });
    expect(javaStringHashCode('[jiketest,0]')).toBe(882807123);
    expect(layout(assignment)).toEqual({
      'c1-0': 'jiketest-0 jiketest-4',
      'c1-1': 'jiketest-1',
      'c2-0': 'jiketest-2',
      'c2-1': 'jiketest-3',
    });
  });

  it('compares hash codes as signed ints: negative hashes come first, mixing topics', () => {
    // [orders,0..2] hash to about -1.09e9 (negative), [clicks,0..2] to about +1.63e9.
    const ctx: AssignmentContext = {
      subscriptions: { c1: { orders: 1, clicks: 1 }, c2: { orders: 1, clicks: 1 } },
      partitionsPerTopic: { orders: 3, clicks: 3 },
      consumerId: 'c1',
    };
    const assignment = roundRobinAssign(ctx);
    expect(layout(assignment)).toEqual({ 'c1-0': 'orders-0 orders-2 clicks-1', 'c2-0': 'orders-1 clicks-0 clicks-2' });
    // Range would give c1 four partitions and c2 two for the same group.
    expect(rangeAssign(ctx).decision).toHaveLength(4);
    expect(assignment.decision).toHaveLength(3);
    expect(assignment.explanation).toContain(
      'Dealing: [orders,0] → c1-0, [orders,1] → c2-0, [orders,2] → c1-0, [clicks,0] → c2-0, [clicks,1] → c1-0, [clicks,2] → c2-0',
    );
  });

  it('equal hash codes keep topic (string) then partition order: the sort is stable', () => {
    // "Aa" and "BB" have the same String.hashCode, so "[Aa,0]" and "[BB,0]" tie.
    expect(javaStringHashCode('[Aa,0]')).toBe(javaStringHashCode('[BB,0]'));
    const assignment = roundRobinAssign({
      subscriptions: { c1: { BB: 1, Aa: 1 }, c2: { Aa: 1, BB: 1 } },
      partitionsPerTopic: { Aa: 1, BB: 1 },
      consumerId: 'c1',
    });
    expect(layout(assignment)).toEqual({ 'c1-0': 'Aa-0', 'c2-0': 'BB-0' });
  });

  it('rejects consumers that subscribe to different topics, with Kafka\'s message', () => {
    const error = thrownBy(() =>
      roundRobinAssign({ subscriptions: { c1: { a: 1 }, c2: { a: 1, b: 1 } }, partitionsPerTopic: { a: 2, b: 2 }, consumerId: 'c1' }),
    );
    expect(error).toBeInstanceOf(RoundRobinAssignmentError);
    expect(error).toMatchObject({ code: 'ROUND_ROBIN_PRECONDITION', topic: 'b', headTopic: 'a' });
    expect((error as Error).message).toBe(
      'requirement failed: Round-robin assignment is allowed only if all consumers in the group subscribe to the same topics, ' +
        'AND if the stream counts across topics are identical for a given consumer instance.\n' +
        'Topic b has the following available consumer streams: Set(c2-0)\n' +
        'Topic a has the following available consumer streams: Set(c1-0, c2-0)\n',
    );
  });

  it('rejects a consumer whose stream count differs between topics', () => {
    expect(
      thrownBy(() =>
        roundRobinAssign({ subscriptions: { c1: { a: 2, b: 1 } }, partitionsPerTopic: { a: 2, b: 2 }, consumerId: 'c1' }),
      ),
    ).toBeInstanceOf(RoundRobinAssignmentError);
  });

  it('different consumers may have different stream counts, as long as each uses one count for all topics', () => {
    const assignment = roundRobinAssign({
      subscriptions: { c1: { a: 2, b: 2 }, c2: { a: 1, b: 1 } },
      partitionsPerTopic: { a: 3, b: 3 },
      consumerId: 'c2',
    });
    expect([...assignment.byThread.keys()]).toEqual(['c1-0', 'c1-1', 'c2-0']);
    expect(assignment.decision).toHaveLength(2);
  });

  it('more threads than partitions leaves threads with nothing', () => {
    const assignment = roundRobinAssign({ subscriptions: { c1: { t: 3 } }, partitionsPerTopic: { t: 2 }, consumerId: 'c1' });
    expect(layout(assignment)).toEqual({ 'c1-0': 't-0', 'c1-1': 't-1', 'c1-2': '' });
    expect(assignment.explanation).toContain('c1-2 gets nothing');
  });
});

describe('input checks and strategy selection', () => {
  it('the computing consumer must be a member', () => {
    const error = thrownBy(() => rangeAssign({ subscriptions: { c1: { t: 1 } }, partitionsPerTopic: { t: 1 }, consumerId: 'c9' }));
    expect(error).toBeInstanceOf(UnknownNameError);
    expect((error as Error).message).toBe('unknown consumer "c9"; known: "c1"');
  });

  it('stream counts are at least 1 and partition counts are not negative', () => {
    expect(thrownBy(() => rangeAssign({ subscriptions: { c1: { t: 0 } }, partitionsPerTopic: { t: 1 }, consumerId: 'c1' }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => rangeAssign({ subscriptions: { c1: { t: 1 } }, partitionsPerTopic: { t: -1 }, consumerId: 'c1' }))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('partition.assignment.strategy: "roundrobin" selects round-robin, anything else range', () => {
    const ctx: AssignmentContext = { subscriptions: { c1: { t: 1 } }, partitionsPerTopic: { t: 1 }, consumerId: 'c1' };
    expect(assignPartitions('roundrobin', ctx).strategy).toBe('roundrobin');
    expect(assignPartitions('range', ctx).strategy).toBe('range');
    expect(assignPartitions('RoundRobin', ctx).strategy).toBe('range');
  });
});

// ------------------------------------------------------------------ properties

const topicNames = ['a', 'b', 'jiketest', 'orders'];

/** A group: 1..5 consumers (names with numbers of different widths), each subscribing to some topics. */
const groupArb = fc
  .record({
    consumers: fc.uniqueArray(fc.constantFrom('c1', 'c2', 'c10', 'c-2', 'c-10', 'x'), { minLength: 1, maxLength: 5 }),
    partitions: fc.tuple(...topicNames.map(() => fc.nat({ max: 12 }))),
  })
  .chain(({ consumers, partitions }) =>
    fc.record({
      subscriptions: fc.tuple(
        ...consumers.map(() =>
          fc.tuple(fc.subarray(topicNames, { minLength: 1 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 })),
        ),
      ),
      consumers: fc.constant(consumers),
      partitions: fc.constant(partitions),
      me: fc.nat({ max: consumers.length - 1 }),
    }),
  )
  .map(({ consumers, subscriptions, partitions, me }) => ({
    subscriptions: Object.fromEntries(
      consumers.map((c, i) => {
        const [topics, streams] = subscriptions[i]!;
        return [c, Object.fromEntries(topics.map((t, j) => [t, streams[j]!]))];
      }),
    ),
    partitionsPerTopic: Object.fromEntries(topicNames.map((t, i) => [t, partitions[i]!])),
    consumerId: consumers[me]!,
  }));

/** A group that meets round-robin's precondition: same topics for all, one stream count per consumer. */
const uniformGroupArb = fc
  .record({
    consumers: fc.uniqueArray(fc.constantFrom('c1', 'c2', 'c10', 'c-2', 'c-10', 'x'), { minLength: 1, maxLength: 5 }),
    topics: fc.subarray(topicNames, { minLength: 1 }),
    partitions: fc.tuple(...topicNames.map(() => fc.nat({ max: 12 }))),
  })
  .chain(({ consumers, topics, partitions }) =>
    fc.record({
      streams: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: consumers.length, maxLength: consumers.length }),
      me: fc.nat({ max: consumers.length - 1 }),
      consumers: fc.constant(consumers),
      topics: fc.constant(topics),
      partitions: fc.constant(partitions),
    }),
  )
  .map(({ consumers, topics, partitions, streams, me }) => ({
    subscriptions: Object.fromEntries(consumers.map((c, i) => [c, Object.fromEntries(topics.map((t) => [t, streams[i]!]))])),
    partitionsPerTopic: Object.fromEntries(topicNames.map((t, i) => [t, partitions[i]!])),
    consumerId: consumers[me]!,
  }));

function subscribedTopics(ctx: AssignmentContext): Set<string> {
  return new Set(Object.values(ctx.subscriptions).flatMap((s) => Object.keys(s)));
}

function checkEveryPartitionOnce(ctx: AssignmentContext, assignment: GroupAssignment): void {
  const expected = [...subscribedTopics(ctx)].flatMap((t) =>
    Array.from({ length: ctx.partitionsPerTopic[t] ?? 0 }, (_, p) => `${t}/${p}`),
  );
  const assigned = assignment.owners.map((o) => `${o.topic}/${o.partition}`);
  expect([...assigned].sort()).toEqual([...expected].sort());
  // byThread says the same as owners, and each owner subscribes to the topic.
  const fromThreads = [...assignment.byThread.values()].flatMap((tps) => tps.map((tp) => `${tp.topic}/${tp.partition}`));
  expect(fromThreads.sort()).toEqual([...expected].sort());
  for (const o of assignment.owners) {
    expect(o.owner).toBe(`${o.consumerId}-${o.threadId}`);
    expect(o.threadId).toBeLessThan(ctx.subscriptions[o.consumerId]![o.topic]!);
  }
  expect(assignment.decision).toEqual(consumerShare(assignment, ctx.consumerId));
}

describe('properties', () => {
  it('range: every partition of every subscribed topic goes to exactly one thread subscribed to it', () => {
    fc.assert(fc.property(groupArb, (ctx) => checkEveryPartitionOnce(ctx, rangeAssign(ctx))));
  });

  it('range: per topic, the threads\' partition counts differ by at most one, and the larger counts come first', () => {
    fc.assert(
      fc.property(groupArb, (ctx) => {
        const assignment = rangeAssign(ctx);
        for (const topic of subscribedTopics(ctx)) {
          const threads = Object.entries(ctx.subscriptions)
            .flatMap(([c, s]) => Array.from({ length: s[topic] ?? 0 }, (_, i) => `${c}-${i}`))
            .sort();
          const counts = threads.map((t) => assignment.byThread.get(t)!.filter((tp) => tp.topic === topic).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          expect([...counts].sort((x, y) => y - x)).toEqual(counts);
        }
      }),
    );
  });

  it('range and round-robin are deterministic, and every member computes the same group assignment', () => {
    fc.assert(
      fc.property(uniformGroupArb, (ctx) => {
        for (const assign of [rangeAssign, roundRobinAssign]) {
          const a = assign(ctx);
          expect(assign(ctx)).toEqual(a);
          for (const other of Object.keys(ctx.subscriptions)) {
            expect(assign({ ...ctx, consumerId: other }).owners).toEqual(a.owners);
          }
        }
      }),
    );
  });

  it('round-robin: every partition goes to exactly one thread, and thread totals differ by at most one', () => {
    fc.assert(
      fc.property(uniformGroupArb, (ctx) => {
        const assignment = roundRobinAssign(ctx);
        checkEveryPartitionOnce(ctx, assignment);
        const counts = [...assignment.byThread.values()].map((tps) => tps.length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('round-robin: rejects exactly the groups whose subscriptions are not uniform', () => {
    fc.assert(
      fc.property(groupArb, (ctx) => {
        const threadSets = [...subscribedTopics(ctx)].map((t) =>
          Object.entries(ctx.subscriptions)
            .flatMap(([c, s]) => Array.from({ length: s[t] ?? 0 }, (_, i) => `${c}-${i}`))
            .sort()
            .join(','),
        );
        const uniform = new Set(threadSets).size <= 1;
        if (uniform) checkEveryPartitionOnce(ctx, roundRobinAssign(ctx));
        else expect(thrownBy(() => roundRobinAssign(ctx))).toBeInstanceOf(RoundRobinAssignmentError);
      }),
    );
  });
});
