/**
 * `runScenario` runs one scenario the way Jepsen runs a test: the cluster starts, the workload
 * runs while the faults happen at their times (counted from the start of the workload), then
 * everything is repaired and the consumers read to the end. Invariants are checked after every
 * step; the result holds what the delivery checkers need.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkScenarioDelivery,
  deliveryViolations,
  runScenario,
  scenarioArbitrary,
  scenarioFailures,
  validateScenario,
  type InvariantChecker,
  type ScenarioResult,
  type ScenarioSpec,
} from 'kafkasim/testing';
import { cutBrokersApart, group, producer, runOn, SLOW, smallScenario } from './support.ts';

function valuesOf(result: ScenarioResult, groupName = 'readers'): Set<string> {
  return new Set(result.consumed[groupName]!.map((r) => String(r.value)));
}

function acknowledgedValues(result: ScenarioResult, producerName = 'producer'): string[] {
  return result.ledgers[producerName]!.entries.filter((e) => e.fate === 'acknowledged').map((e) => String(e.value));
}

/** What a run did, without the simulation object: for comparing two runs. */
function observable(result: ScenarioResult) {
  return {
    outcome: result.outcome,
    steps: result.steps,
    startMs: result.startMs,
    virtualMs: result.virtualMs,
    ledgers: Object.fromEntries(
      Object.entries(result.ledgers).map(([name, ledger]) => [
        name,
        { summary: ledger.summary(), entries: ledger.entries.map((e) => ({ value: e.value, fate: e.fate, partition: e.partition, offset: e.offset, attempts: e.attempts, settledAtMs: e.settledAtMs })) },
      ]),
    ),
    consumed: result.consumed,
    consumerErrors: result.consumerErrors,
  };
}

describe('runScenario', () => {
  describe('a fault-free run', () => {
    const spec = smallScenario({ partitions: 3, producers: [producer({ messages: 30 })], consumers: [group({ members: 2 })] });

    it('completes with every acknowledged message processed and no anomaly', { timeout: SLOW }, async () => {
      let startedAt: number | undefined;
      const result = await runScenario(spec, { onStart: (sim) => (startedAt = sim.kernel.nowMs) });
      expect(result.outcome).toBe('completed');
      expect(result.violation).toBeUndefined();
      expect(result.consumerErrors).toEqual([]);
      expect(result.spec).toBe(spec);
      // onStart is called once the cluster is up, just before the workload starts.
      expect(startedAt).toBe(result.startMs);
      expect(result.startMs).toBeGreaterThan(0);
      expect(result.steps).toBeGreaterThan(0);
      expect(result.digest).toBeUndefined();

      const summary = result.ledgers.producer!.summary();
      expect(summary).toMatchObject({ sent: 30, acknowledged: 30, failed: 0, pending: 0 });
      // The producer sends `<name>-<i>`; every one of them was processed.
      const expected = Array.from({ length: 30 }, (_, i) => `producer-${i}`);
      expect(acknowledgedValues(result).sort()).toEqual([...expected].sort());
      expect([...valuesOf(result)].sort()).toEqual([...expected].sort());
      for (const record of result.consumed.readers!) {
        expect([0, 1]).toContain(record.member);
        expect(record.topic).toBe('events');
        expect(record.incarnation).toBe(1);
      }

      const [anomalies] = checkScenarioDelivery(result);
      expect(anomalies!.lost).toEqual([]);
      expect(anomalies!.redelivered).toEqual([]);
      expect(anomalies!.processed).toBe(30);
      expect(scenarioFailures(result)).toEqual([]);
    });

    it('does not depend on the trace mode: off and digest runs are the same run', { timeout: SLOW }, async () => {
      const off = await runScenario(spec, { trace: 'off' });
      const digest = await runScenario(spec, { trace: 'digest' });
      expect(off.digest).toBeUndefined();
      expect(digest.digest).toMatch(/^[0-9a-f]{16,}$/);
      expect(observable(digest)).toEqual(observable(off));
    });

    it('gives the same digest for the same scenario, whatever is kept (digest, full trace, history), and another for another seed', { timeout: SLOW }, async () => {
      const first = await runScenario(spec, { trace: 'digest' });
      const second = await runScenario(spec, { trace: 'digest' });
      const full = await runScenario(spec, { trace: 'full', history: true });
      expect(second.digest).toBe(first.digest);
      expect(full.digest).toBe(first.digest);
      expect(full.simulation.kernel.trace.records.length).toBeGreaterThan(0);
      const otherSeed = await runScenario({ ...spec, seed: spec.seed + 1 }, { trace: 'digest' });
      expect(otherSeed.digest).not.toBe(first.digest);
    });
  });

  describe('determinism under faults', () => {
    const scenarios = scenarioArbitrary({
      cluster: { brokers: 3, topics: [{ name: 'events', partitions: 2, replicationFactor: 3 }] },
      workload: { producers: [producer({ messages: 20, config: { 'request.required.acks': '1' } })], consumers: [group({ members: 2 })] },
      faults: { count: { min: 1, max: 3 }, windowMs: 2000, kinds: ['broker-crash', 'pause', 'isolate', 'consumer-crash', 'session-expire'] },
    });

    it('runs a generated scenario the same way with the trace off, as a digest, or in full with history (the last two with one digest)', { timeout: SLOW * 2 }, async () => {
      await fc.assert(
        fc.asyncProperty(scenarios, async (spec) => {
          const off = await runScenario(spec, { trace: 'off' });
          const digest = await runScenario(spec, { trace: 'digest' });
          const full = await runScenario(spec, { trace: 'full', history: true });
          expect(observable(digest)).toEqual(observable(off));
          expect(observable(full)).toEqual(observable(off));
          expect(full.digest).toBe(digest.digest);
        }),
        { numRuns: 3, seed: 17 },
      );
    });
  });

  describe('faults', () => {
    it('applies each fault at its time after the start of the workload, and repairs at the end of the fault window', { timeout: SLOW }, async () => {
      const spec = smallScenario({
        producers: [producer({ messages: 10 })],
        faults: [
          { atMs: 40, fault: { kind: 'broker-crash', broker: 2 } },
          { atMs: 900, fault: { kind: 'broker-restart', broker: 2 } },
        ],
        faultWindowMs: 1500,
      });
      const result = await runScenario(spec, { trace: 'full' });
      const faults = result.simulation.kernel.trace.records.filter((r) => r.kind.startsWith('fault.'));
      expect(faults.map((r) => r.timeMs - result.startMs)).toEqual([40, 900, 1500]);
      expect(faults.at(-1)!.kind).toBe('fault.repair');
      expect(result.outcome).toBe('completed');
      expect(scenarioFailures(result)).toEqual([]);
    });

    it('loses nothing at least once when a consumer member crashes and is restarted', { timeout: SLOW }, async () => {
      const spec = smallScenario({
        producers: [producer({ messages: 30, intervalMs: 100 })],
        consumers: [group({ members: 2, semantics: 'at-least-once' })],
        faults: [
          { atMs: 600, fault: { kind: 'consumer-crash', group: 'readers', member: 0 } },
          { atMs: 1500, fault: { kind: 'consumer-restart', group: 'readers', member: 0 } },
        ],
      });
      const result = await runScenario(spec);
      expect(result.outcome).toBe('completed');
      const records = result.consumed.readers!;
      // The crash happened (member 0 processed as its first process) and the restart did (as its second).
      expect(records.some((r) => r.member === 0 && r.incarnation === 1)).toBe(true);
      expect(records.some((r) => r.member === 0 && r.incarnation === 2)).toBe(true);
      const [anomalies] = checkScenarioDelivery(result);
      expect(anomalies!.acknowledged).toBe(30);
      expect(anomalies!.lost).toEqual([]);
      expect(deliveryViolations(anomalies!)).toEqual([]);
      expect(scenarioFailures(result)).toEqual([]);
    });

    it('restarts a crashed consumer member at the end of the fault window (repair), even without a restart fault', { timeout: SLOW }, async () => {
      const spec = smallScenario({
        producers: [producer({ messages: 30, intervalMs: 100 })],
        consumers: [group({ members: 2 })],
        faults: [{ atMs: 600, fault: { kind: 'consumer-crash', group: 'readers', member: 1 } }],
        faultWindowMs: 1500,
      });
      const result = await runScenario(spec);
      expect(result.outcome).toBe('completed');
      const restarted = result.consumed.readers!.filter((r) => r.member === 1 && r.incarnation === 2);
      expect(restarted.length).toBeGreaterThan(0);
      expect(Math.min(...restarted.map((r) => r.atMs))).toBeGreaterThanOrEqual(result.startMs + 1500);
      expect(checkScenarioDelivery(result)[0]!.lost).toEqual([]);
    });
  });

  describe('invariants', () => {
    it("stops at the first step a checker fails: outcome 'invariant-violated' with the checker's name, step, time and words", { timeout: SLOW }, async () => {
      let failAtStep = Infinity;
      let sawAtStep: number | undefined;
      let calls = 0;
      const checker: InvariantChecker = {
        name: 'at-most-forty-steps',
        check(sim) {
          calls++;
          if (sim.kernel.currentStep < failAtStep) return undefined;
          sawAtStep ??= sim.kernel.currentStep;
          return `step ${sim.kernel.currentStep} is past the limit`;
        },
      };
      const result = await runScenario(smallScenario(), {
        invariants: [checker],
        onStart: (sim) => (failAtStep = sim.kernel.currentStep + 40),
      });
      expect(result.outcome).toBe('invariant-violated');
      expect(sawAtStep).toBeDefined();
      expect(result.violation).toEqual({
        invariant: 'at-most-forty-steps',
        step: sawAtStep,
        timeMs: expect.any(Number),
        message: `step ${sawAtStep} is past the limit`,
      });
      // The run stopped there: no step after the violation ran, and the checker was not asked again.
      expect(result.steps).toBe(sawAtStep);
      expect(result.violation!.timeMs).toBe(result.startMs + result.virtualMs);
      expect(calls).toBeGreaterThanOrEqual(40);
      expect(scenarioFailures(result)).toEqual([`invariant at-most-forty-steps broken at step ${sawAtStep} (${result.violation!.timeMs} ms): step ${sawAtStep} is past the limit`]);
    });

    it('stops the workload where the invariant broke (a checker on what the brokers acknowledged)', { timeout: SLOW }, async () => {
      const fewAcks: InvariantChecker = {
        name: 'fewer-than-five-acknowledgements',
        check: (sim) => (sim.acknowledged.length < 5 ? undefined : `${sim.acknowledged.length} produce requests acknowledged`),
      };
      const result = await runScenario(smallScenario({ producers: [producer({ messages: 30 })] }), { invariants: [fewAcks] });
      expect(result.outcome).toBe('invariant-violated');
      expect(result.violation!.invariant).toBe('fewer-than-five-acknowledgements');
      expect(result.ledgers.producer!.summary().acknowledged).toBeLessThan(30);
    });

    it('runs no checker when given none', { timeout: SLOW }, async () => {
      const result = await runScenario(smallScenario({ producers: [producer({ messages: 5 })] }), { invariants: [] });
      expect(result.outcome).toBe('completed');
      expect(result.violation).toBeUndefined();
    });
  });

  describe('draining', () => {
    it("gives up after the drain timeout: outcome 'not-drained', and the standard checks say so", { timeout: SLOW }, async () => {
      // One message a second: the producer cannot be done 1 ms after the (empty) fault window.
      const spec = smallScenario({ producers: [producer({ messages: 30, intervalMs: 1000 })], drainTimeoutMs: 1 });
      const result = await runScenario(spec);
      expect(result.outcome).toBe('not-drained');
      expect(result.violation).toBeUndefined();
      expect(result.virtualMs).toBeLessThan(1000);
      const failures = scenarioFailures(result);
      expect(failures[0]).toContain('did not read to the end within the drain timeout');
      expect(scenarioFailures(result, { drained: false, delivery: false })).toEqual([]);
    });

    // Regression: with acks=1 the run stopped once the group reached a high watermark still below
    // acknowledged offsets (followers catching up after the repair), and called those messages lost.
    it('reads to the end: once a run completes, running it longer processes nothing more', { timeout: SLOW }, async () => {
      const spec: ScenarioSpec = smallScenario({
        seed: 3,
        partitions: 2,
        producers: [producer({ messages: 20, config: { 'request.required.acks': '1' } })],
        consumers: [group({ members: 1 })],
        faults: cutBrokersApart(0),
        faultWindowMs: 5000,
      });
      const result = await runScenario(spec);
      expect(result.outcome).toBe('completed');
      expect(result.ledgers.producer!.summary().acknowledged).toBe(20);
      const processedAtTheEnd = result.consumed.readers!.length;
      const lostAtTheEnd = checkScenarioDelivery(result)[0]!.lost.length;
      await runOn(result.simulation, 30_000);
      const lostLater = checkScenarioDelivery(result)[0]!.lost.length;
      // What the report called lost must stay lost; the group must have had nothing left to read.
      expect({ processed: result.consumed.readers!.length, lost: lostLater }).toEqual({ processed: processedAtTheEnd, lost: lostAtTheEnd });
    });
  });

  // Regression: the workload's stream loop did not catch the ConsumerTimeout the 0.8 iterator throws
  // with consumer.timeout.ms set, and the run failed halfway.
  it('runs every scenario validateScenario accepts to an outcome: a group with consumer.timeout.ms does not crash the run', { timeout: SLOW }, async () => {
    const spec = smallScenario({
      partitions: 1,
      producers: [producer({ messages: 5, intervalMs: 500 })],
      consumers: [group({ members: 1, config: { 'consumer.timeout.ms': 100 } })],
    });
    try {
      validateScenario(spec);
    } catch {
      return; // rejected up front: as good as running it
    }
    const result = await runScenario(spec);
    expect(['completed', 'not-drained', 'invariant-violated']).toContain(result.outcome);
  });

  it('rejects a bad scenario with a typed error before creating anything', async () => {
    let started = false;
    await expect(runScenario(smallScenario({ producers: [producer({ topic: 'nope' })] }), { onStart: () => (started = true) })).rejects.toMatchObject({
      code: 'UNKNOWN_NAME',
      value: 'nope',
    });
    expect(started).toBe(false);
  });
});
