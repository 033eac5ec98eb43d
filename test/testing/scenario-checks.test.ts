/**
 * `scenarioFailures`: the standard property of a scenario run, as sentences. A broken invariant
 * is the only thing said about a run it stopped; otherwise a group that did not read to the end
 * and every broken delivery promise are reported; an empty list means the run passed.
 */
import { describe, expect, it } from 'vitest';
import { scenarioFailures, type ConsumedRecord, type ScenarioResult, type ScenarioSpec } from 'kafkasim/testing';
import { acknowledge, ProducerLedger } from '../../src/client/producer/ledger.ts';
import { createMessage } from '../../src/protocol/message.ts';
import { group, producer, smallScenario } from './support.ts';

/** A result as runScenario would return it, built by hand: `acked` messages sent, `processedOffsets` of them processed. */
function resultOf(options: {
  readonly acked: number;
  readonly processedOffsets: readonly number[];
  readonly outcome?: ScenarioResult['outcome'];
  readonly violation?: ScenarioResult['violation'];
  readonly consumerErrors?: ScenarioResult['consumerErrors'];
  readonly semantics?: 'at-least-once' | 'at-most-once';
}): ScenarioResult {
  const spec: ScenarioSpec = smallScenario({ producers: [producer({ messages: options.acked })], consumers: [group({ semantics: options.semantics ?? 'at-least-once' })] });
  const ledger = new ProducerLedger();
  for (let i = 0; i < options.acked; i++) acknowledge(ledger.record('events', null, `producer-${i}`, createMessage(null, `producer-${i}`), i), 0, i, 10 + i);
  const records: ConsumedRecord[] = options.processedOffsets.map((offset) => ({
    group: 'readers',
    member: 0,
    incarnation: 1,
    stream: 0,
    generation: 1,
    topic: 'events',
    partition: 0,
    offset,
    key: null,
    value: `producer-${offset}`,
    atMs: 100,
  }));
  return {
    spec,
    outcome: options.outcome ?? 'completed',
    violation: options.violation,
    digest: undefined,
    steps: 100,
    startMs: 10,
    virtualMs: 90,
    ledgers: { producer: ledger },
    consumed: { readers: records },
    consumerErrors: options.consumerErrors ?? [],
    simulation: undefined as never,
  };
}

describe('scenarioFailures', () => {
  it('is empty for a run that read everything it was promised', () => {
    expect(scenarioFailures(resultOf({ acked: 3, processedOffsets: [0, 1, 2] }))).toEqual([]);
  });

  it('reports a broken delivery promise as the delivery checkers word it', () => {
    const failures = scenarioFailures(resultOf({ acked: 3, processedOffsets: [0, 2] }));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('group readers (at-least-once): 1 acknowledged message(s) never processed, e.g. producer-1');
  });

  it('does not report what the pattern allows (a loss for at-most-once)', () => {
    expect(scenarioFailures(resultOf({ acked: 3, processedOffsets: [0, 2], semantics: 'at-most-once' }))).toEqual([]);
  });

  it('reports a run that did not drain, with the consumers that could not start and why', () => {
    const failures = scenarioFailures(
      resultOf({ acked: 1, processedOffsets: [0], outcome: 'not-drained', consumerErrors: [{ group: 'readers', member: 1, incarnation: 2, error: 'ConsumerRebalanceFailed' }] }),
    );
    expect(failures).toEqual(['the consumers did not read to the end within the drain timeout (readers-1: ConsumerRebalanceFailed)']);
  });

  it('says only that an invariant broke when one did: the run stopped there and nothing after it can be judged', () => {
    const violation = { invariant: 'hw-at-most-leo', step: 42, timeMs: 77, message: 'broker 1 has HW 5 > LEO 4 for events-0' };
    const failures = scenarioFailures(resultOf({ acked: 3, processedOffsets: [], outcome: 'invariant-violated', violation }));
    expect(failures).toEqual(['invariant hw-at-most-leo broken at step 42 (77 ms): broker 1 has HW 5 > LEO 4 for events-0']);
  });

  it('leaves out the checks it is told to leave out', () => {
    const bad = resultOf({ acked: 3, processedOffsets: [0], outcome: 'not-drained' });
    expect(scenarioFailures(bad)).toHaveLength(2);
    expect(scenarioFailures(bad, { drained: false })).toHaveLength(1);
    expect(scenarioFailures(bad, { drained: false })[0]).toContain('never processed');
    expect(scenarioFailures(bad, { delivery: false })).toHaveLength(1);
    expect(scenarioFailures(bad, { delivery: false })[0]).toContain('did not read to the end');
    expect(scenarioFailures(bad, { drained: false, delivery: false })).toEqual([]);
  });
});
