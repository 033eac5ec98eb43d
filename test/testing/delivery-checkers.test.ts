/**
 * The delivery checkers compare what producers were told (their ledgers) with what a group
 * processed. Each anomaly is found when it happened and never reported when it did not; each
 * delivery pattern promises to avoid some of them, and only broken promises become sentences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkGroupDelivery,
  checkScenarioDelivery,
  deliveryViolations,
  expectations,
  CONSUMER_SEMANTICS,
  type Anomaly,
  type ConsumedRecord,
  type ConsumerSemantics,
  type DeliveryAnomalies,
  type ScenarioResult,
} from 'kafkasim/testing';
import { acknowledge, ProducerLedger, settle, type LedgerEntry } from '../../src/client/producer/ledger.ts';
import { createMessage } from '../../src/protocol/message.ts';

const ANOMALIES: readonly Anomaly[] = ['lost', 'redelivered', 'duplicatedInLog', 'nonMonotonic', 'skipped', 'unexpected'];

type Fate = 'acknowledged' | 'failed' | 'unknown' | 'dropped' | 'pending';

interface Sent {
  readonly value: string;
  readonly fate?: Fate;
  readonly partition?: number;
  readonly offset?: number;
}

function ledgerOf(sent: readonly Sent[], topic = 't'): ProducerLedger {
  const ledger = new ProducerLedger();
  for (const [i, s] of sent.entries()) {
    const entry = ledger.record(topic, null, s.value, createMessage(null, s.value), i);
    const fate = s.fate ?? 'acknowledged';
    if (fate === 'acknowledged') acknowledge(entry, s.partition ?? 0, s.offset ?? i, 100 + i);
    else if (fate !== 'pending') settle(entry, fate, 100 + i, fate === 'failed' ? 'gave up' : undefined);
  }
  return ledger;
}

function processed(partition: number, offset: number, value: string, at: Partial<ConsumedRecord> = {}): ConsumedRecord {
  return { group: 'g', member: 0, incarnation: 1, stream: 0, generation: 1, topic: 't', partition, offset, key: null, value, atMs: 0, ...at };
}

function check(ledgers: readonly ProducerLedger[], records: readonly ConsumedRecord[], semantics: ConsumerSemantics = 'at-least-once'): DeliveryAnomalies {
  return checkGroupDelivery({ group: 'g', semantics, ledgers, records });
}

/** The anomaly kinds with at least one finding. */
function found(anomalies: DeliveryAnomalies): Anomaly[] {
  return ANOMALIES.filter((a) => (anomalies[a] as readonly unknown[]).length > 0);
}

describe('checkGroupDelivery', () => {
  it('finds nothing when every acknowledged message was processed once, in order', () => {
    const ledger = ledgerOf([
      { value: 'a', partition: 0, offset: 0 },
      { value: 'b', partition: 1, offset: 0 },
      { value: 'c', partition: 0, offset: 1 },
    ]);
    const result = check([ledger], [processed(0, 0, 'a'), processed(1, 0, 'b'), processed(0, 1, 'c')]);
    expect(found(result)).toEqual([]);
    expect(result).toMatchObject({ group: 'g', semantics: 'at-least-once', sent: 3, acknowledged: 3, processed: 3 });
  });

  describe('lost', () => {
    it('reports an acknowledged message no member processed, with its ledger entry', () => {
      const ledger = ledgerOf([
        { value: 'a', offset: 0 },
        { value: 'b', offset: 1 },
        { value: 'c', offset: 2 },
      ]);
      const result = check([ledger], [processed(0, 0, 'a'), processed(0, 2, 'c')]);
      expect(result.lost.map((e) => e.value)).toEqual(['b']);
      expect(result.lost[0]).toBe(ledger.entries[1]);
      expect(found(result)).toEqual(['lost']);
    });

    it('does not count messages that were never acknowledged (failed, dropped, acks=0, pending) as lost', () => {
      const ledger = ledgerOf([
        { value: 'a', offset: 0 },
        { value: 'failed', fate: 'failed' },
        { value: 'dropped', fate: 'dropped' },
        { value: 'acks0', fate: 'unknown' },
        { value: 'pending', fate: 'pending' },
      ]);
      const result = check([ledger], [processed(0, 0, 'a')]);
      expect(result.lost).toEqual([]);
      expect(result.sent).toBe(5);
      expect(result.acknowledged).toBe(1);
    });

    it('counts a message acknowledged by any of several producers', () => {
      const first = ledgerOf([{ value: 'p-0', offset: 0 }]);
      const second = ledgerOf([{ value: 'q-0', offset: 1 }]);
      const result = check([first, second], [processed(0, 0, 'p-0')]);
      expect(result.lost.map((e) => e.value)).toEqual(['q-0']);
      expect(result.sent).toBe(2);
    });
  });

  describe('redelivered', () => {
    it('reports a partition offset processed more than once, with how many times', () => {
      const ledger = ledgerOf([
        { value: 'a', offset: 0 },
        { value: 'b', offset: 1 },
      ]);
      const records = [
        processed(0, 0, 'a'),
        processed(0, 1, 'b'),
        // a restarted member reads from the last commit again
        processed(0, 0, 'a', { incarnation: 2 }),
        processed(0, 1, 'b', { incarnation: 2 }),
        processed(0, 1, 'b', { member: 1 }),
      ];
      const result = check([ledger], records);
      expect(result.redelivered).toEqual([
        { partition: 0, offset: 0, times: 2 },
        { partition: 0, offset: 1, times: 3 },
      ]);
      expect(found(result)).toEqual(['redelivered']);
    });

    it('does not confuse the same offset of two partitions with a redelivery', () => {
      const ledger = ledgerOf([
        { value: 'a', partition: 0, offset: 0 },
        { value: 'b', partition: 1, offset: 0 },
      ]);
      expect(found(check([ledger], [processed(0, 0, 'a'), processed(1, 0, 'b')]))).toEqual([]);
    });
  });

  describe('duplicatedInLog', () => {
    it('reports one ledger message found at two offsets (a producer retry after a lost acknowledgement)', () => {
      const ledger = ledgerOf([
        { value: 'a', offset: 0 },
        { value: 'b', offset: 2 },
      ]);
      const result = check([ledger], [processed(0, 0, 'a'), processed(0, 1, 'b'), processed(0, 2, 'b')]);
      expect(result.duplicatedInLog).toEqual([{ value: 'b', offsets: ['0@1', '0@2'] }]);
      expect(result.redelivered).toEqual([]);
      expect(result.processed).toBe(2);
    });

    it('does not report a redelivery of one offset as a duplicate in the log', () => {
      const ledger = ledgerOf([{ value: 'a', offset: 0 }]);
      const result = check([ledger], [processed(0, 0, 'a'), processed(0, 0, 'a', { member: 1 })]);
      expect(result.duplicatedInLog).toEqual([]);
      expect(result.redelivered).toHaveLength(1);
    });
  });

  describe('nonMonotonic', () => {
    const ledger = ledgerOf(Array.from({ length: 6 }, (_, i) => ({ value: `m${i}`, offset: i })));

    it('reports a position going back within one member process, stream and generation', () => {
      const result = check([ledger], [processed(0, 0, 'm0'), processed(0, 1, 'm1'), processed(0, 2, 'm2'), processed(0, 1, 'm1')]);
      expect(result.nonMonotonic).toEqual([{ by: 'g-0#1/0', partition: 0, from: 2, to: 1 }]);
    });

    it('reports the same offset twice in a row in one span as a backward jump', () => {
      const result = check([ledger], [processed(0, 0, 'm0'), processed(0, 0, 'm0')]);
      expect(result.nonMonotonic).toEqual([{ by: 'g-0#1/0', partition: 0, from: 0, to: 0 }]);
    });

    it('allows going back after a rebalance, a restart, in another stream or on another partition', () => {
      const cases: Partial<ConsumedRecord>[] = [{ generation: 2 }, { incarnation: 2 }, { stream: 1 }, { member: 1 }];
      for (const at of cases) {
        const result = check([ledger], [processed(0, 0, 'm0'), processed(0, 1, 'm1'), processed(0, 0, 'm0', at), processed(0, 1, 'm1', at)]);
        expect(result.nonMonotonic).toEqual([]);
      }
      const otherPartition = ledgerOf([
        { value: 'x', partition: 0, offset: 5 },
        { value: 'y', partition: 1, offset: 0 },
      ]);
      expect(check([otherPartition], [processed(0, 5, 'x'), processed(1, 0, 'y')]).nonMonotonic).toEqual([]);
    });
  });

  describe('skipped', () => {
    const ledger = ledgerOf(Array.from({ length: 4 }, (_, i) => ({ value: `m${i}`, offset: i })));

    it('reports a jump over offsets the log holds (someone else processed them)', () => {
      const result = check([ledger], [processed(0, 0, 'm0'), processed(0, 3, 'm3'), processed(0, 1, 'm1', { member: 1 }), processed(0, 2, 'm2', { member: 1 })]);
      expect(result.skipped).toEqual([{ by: 'g-0#1/0', partition: 0, from: 0, to: 3 }]);
    });

    it('does not report a gap nobody processed anything in (the log has no messages there, as far as anyone saw)', () => {
      const gappy = ledgerOf([
        { value: 'm0', offset: 0 },
        { value: 'm5', offset: 5 },
      ]);
      expect(check([gappy], [processed(0, 0, 'm0'), processed(0, 5, 'm5')]).skipped).toEqual([]);
    });

    it('does not report a jump in a new span (after a rebalance the position may move on)', () => {
      const result = check([ledger], [processed(0, 0, 'm0'), processed(0, 3, 'm3', { generation: 2 }), processed(0, 1, 'm1', { member: 1 }), processed(0, 2, 'm2', { member: 1 })]);
      expect(result.skipped).toEqual([]);
    });
  });

  describe('unexpected', () => {
    it('reports processed messages no producer sent', () => {
      const ledger = ledgerOf([{ value: 'a', offset: 0 }]);
      const stranger = processed(0, 1, 'stranger');
      const result = check([ledger], [processed(0, 0, 'a'), stranger]);
      expect(result.unexpected).toEqual([stranger]);
      expect(found(result)).toEqual(['unexpected']);
    });

    it('matches values given as bytes to the values producers sent as text', () => {
      const ledger = ledgerOf([{ value: 'a', offset: 0 }]);
      const result = check([ledger], [processed(0, 0, 'ignored', { value: new TextEncoder().encode('a') })]);
      expect(found(result)).toEqual([]);
    });
  });
});

describe('expectations', () => {
  it('at-most-once promises no redelivery, but may lose messages', () => {
    expect(expectations('at-most-once')).toContain('redelivered');
    expect(expectations('at-most-once')).not.toContain('lost');
  });

  it('at-least-once and auto-commit promise no loss, but may redeliver', () => {
    for (const semantics of ['at-least-once', 'auto-commit'] as const) {
      expect(expectations(semantics)).toContain('lost');
      expect(expectations(semantics)).not.toContain('redelivered');
    }
  });

  it('exactly-once promises neither loss nor redelivery', () => {
    expect(expectations('exactly-once')).toEqual(expect.arrayContaining(['lost', 'redelivered']));
  });

  it('every pattern promises positions that never go back and no strangers; none can promise against producer duplicates', () => {
    for (const semantics of CONSUMER_SEMANTICS) {
      expect(expectations(semantics)).toEqual(expect.arrayContaining(['nonMonotonic', 'unexpected']));
      expect(expectations(semantics)).not.toContain('duplicatedInLog');
    }
  });
});

describe('deliveryViolations', () => {
  // One acknowledged message lost (b) and one offset processed twice (a).
  const ledger = ledgerOf([
    { value: 'a', offset: 0 },
    { value: 'b', offset: 1 },
  ]);
  const records = [processed(0, 0, 'a'), processed(0, 0, 'a', { incarnation: 2 })];

  it('says nothing when nothing went wrong', () => {
    for (const semantics of CONSUMER_SEMANTICS) expect(deliveryViolations(check([ledger], [processed(0, 0, 'a'), processed(0, 1, 'b')], semantics))).toEqual([]);
  });

  it('reports a loss only for patterns that promise none, as a sentence naming the group, the pattern, the count and an example', () => {
    const atLeastOnce = deliveryViolations(check([ledger], records, 'at-least-once'));
    expect(atLeastOnce).toHaveLength(1);
    expect(atLeastOnce[0]).toContain('group g (at-least-once)');
    expect(atLeastOnce[0]).toContain('1 acknowledged message(s) never processed');
    expect(atLeastOnce[0]).toContain('b acknowledged at t-0 offset 1');
  });

  it('reports a redelivery only for patterns that promise none', () => {
    const atMostOnce = deliveryViolations(check([ledger], records, 'at-most-once'));
    expect(atMostOnce).toHaveLength(1);
    expect(atMostOnce[0]).toContain('group g (at-most-once)');
    expect(atMostOnce[0]).toContain('1 offset(s) processed more than once');
    expect(atMostOnce[0]).toContain('partition 0 offset 0 2 times');
  });

  it('reports both for exactly-once', () => {
    const sentences = deliveryViolations(check([ledger], records, 'exactly-once'));
    expect(sentences).toHaveLength(2);
    expect(sentences.join('\n')).toContain('never processed');
    expect(sentences.join('\n')).toContain('more than once');
  });

  it('never reports producer duplicates or skips, which no pattern promises to avoid', () => {
    const dupLedger = ledgerOf([
      { value: 'a', offset: 0 },
      { value: 'b', offset: 2 },
      { value: 'c', offset: 3 },
    ]);
    const anomalies = check([dupLedger], [
      processed(0, 0, 'a'),
      processed(0, 1, 'b'),
      processed(0, 3, 'c'),
      processed(0, 2, 'b', { member: 1 }),
    ]);
    expect(found(anomalies).sort()).toEqual(['duplicatedInLog', 'skipped']);
    for (const semantics of CONSUMER_SEMANTICS) expect(deliveryViolations({ ...anomalies, semantics })).toEqual([]);
  });
});

describe('checkScenarioDelivery', () => {
  it("checks each group against the producers of its own topic only", () => {
    const onT = ledgerOf([{ value: 'x-0', offset: 0 }], 't');
    const onU = ledgerOf([{ value: 'y-0', offset: 0 }], 'u');
    const result = {
      spec: {
        seed: 0,
        cluster: { brokers: 1, topics: [] },
        workload: {
          producers: [
            { name: 'x', topic: 't', messages: 1 },
            { name: 'y', topic: 'u', messages: 1 },
          ],
          consumers: [
            { group: 'g', topic: 't', members: 1, semantics: 'at-least-once' },
            { group: 'h', topic: 'u', members: 1, semantics: 'at-most-once' },
          ],
        },
        faults: [],
      },
      ledgers: { x: onT, y: onU },
      consumed: { g: [processed(0, 0, 'x-0')], h: [] },
    } as unknown as ScenarioResult;
    const [g, h] = checkScenarioDelivery(result);
    expect(g).toMatchObject({ group: 'g', semantics: 'at-least-once', sent: 1, processed: 1 });
    expect(found(g!)).toEqual([]);
    expect(h).toMatchObject({ group: 'h', semantics: 'at-most-once', sent: 1, processed: 0 });
    expect(h!.lost.map((e) => e.value)).toEqual(['y-0']);
  });
});

describe('properties', () => {
  /** Messages spread over partitions, acknowledged at increasing offsets per partition, consumed in some interleaving. */
  const perfectDelivery = fc
    .record({
      partitions: fc.integer({ min: 1, max: 4 }),
      members: fc.integer({ min: 1, max: 3 }),
      placement: fc.array(fc.nat(), { minLength: 0, maxLength: 40 }),
      interleaving: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
      firstOffsets: fc.array(fc.nat({ max: 1000 }), { minLength: 4, maxLength: 4 }),
    })
    .map(({ partitions, members, placement, interleaving, firstOffsets }) => {
      const next = firstOffsets.slice(0, partitions);
      const sent: Sent[] = placement.map((p, i) => {
        const partition = p % partitions;
        return { value: `producer-${i}`, partition, offset: next[partition]!++ };
      });
      const ledger = ledgerOf(sent);
      // Each partition's messages in offset order; the group's processing interleaves partitions.
      const queues = Array.from({ length: partitions }, (_, p) => ledger.entries.filter((e) => e.partition === p));
      const records: ConsumedRecord[] = [];
      for (let i = 0; queues.some((q) => q.length > 0); i++) {
        const open = queues.filter((q) => q.length > 0);
        const entry: LedgerEntry = open[(interleaving[i % interleaving.length] ?? 0) % open.length]!.shift()!;
        records.push(processed(entry.partition!, entry.offset!, entry.value as string, { member: entry.partition! % members }));
      }
      return { ledger, records };
    });

  it('a perfect delivery (every acknowledged message processed once, offsets increasing per partition) has no anomaly', () => {
    fc.assert(
      fc.property(perfectDelivery, ({ ledger, records }) => {
        for (const semantics of CONSUMER_SEMANTICS) {
          const anomalies = check([ledger], records, semantics);
          expect(found(anomalies)).toEqual([]);
          expect(anomalies.processed).toBe(ledger.entries.length);
          expect(anomalies.acknowledged).toBe(ledger.entries.length);
          expect(deliveryViolations(anomalies)).toEqual([]);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('deleting k processed records makes exactly those k messages lost, and nothing else', () => {
    fc.assert(
      fc.property(
        perfectDelivery.chain(({ ledger, records }) =>
          fc.record({ ledger: fc.constant(ledger), records: fc.constant(records), deleted: fc.uniqueArray(fc.nat({ max: Math.max(0, records.length - 1) }), { maxLength: records.length }) }),
        ),
        ({ ledger, records, deleted }) => {
          const kept = records.filter((_, i) => !deleted.includes(i));
          const anomalies = check([ledger], kept, 'at-least-once');
          const lostValues = deleted.map((i) => records[i]!.value).sort();
          expect(anomalies.lost.map((e) => e.value as string).sort()).toEqual(lostValues);
          expect(found(anomalies)).toEqual(deleted.length === 0 ? [] : ['lost']);
          expect(anomalies.processed).toBe(records.length - deleted.length);
          const sentences = deliveryViolations(anomalies);
          expect(sentences).toHaveLength(deleted.length === 0 ? 0 : 1);
          if (deleted.length > 0) expect(sentences[0]).toContain(`${deleted.length} acknowledged message(s) never processed`);
          // at-most-once allows loss: the same anomalies break none of its promises.
          expect(deliveryViolations({ ...anomalies, semantics: 'at-most-once' })).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
