/**
 * The named scenario families (`npx kafkasim check --scenario <name>`): each has a unique name,
 * a description, says whether it should pass, and generates valid scenarios of its shape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { namedScenario, producerAndGroup, threeBrokerCluster, validateScenario, NAMED_SCENARIOS } from 'kafkasim/testing';

describe('threeBrokerCluster', () => {
  it('is 3 brokers and one topic `events` of 3 partitions with 3 replicas, with the topic properties given', () => {
    expect(threeBrokerCluster({ 'min.insync.replicas': 2 })).toEqual({
      brokers: 3,
      topics: [{ name: 'events', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    });
  });
});

describe('producerAndGroup', () => {
  it('is one sync producer with the acks and retries given, and one 2-member at-least-once group on `events`', () => {
    const workload = producerAndGroup({ messages: 12, acks: 1, retries: 5 });
    expect(workload.producers).toEqual([
      { name: 'producer', topic: 'events', messages: 12, config: { 'request.required.acks': '1', 'message.send.max.retries': '5', 'producer.type': 'sync' } },
    ]);
    expect(workload.consumers).toEqual([{ group: 'readers', topic: 'events', members: 2, semantics: 'at-least-once' }]);
    expect(producerAndGroup({ messages: 1, acks: -1 }).producers[0]!.config!['message.send.max.retries']).toBe('3');
  });

  it('takes an async producer and another delivery pattern when asked', () => {
    const workload = producerAndGroup({ messages: 1, acks: -1, producerType: 'async', semantics: 'auto-commit' });
    expect(workload.producers[0]!.config!['producer.type']).toBe('async');
    expect(workload.consumers[0]!.semantics).toBe('auto-commit');
  });
});

describe('NAMED_SCENARIOS', () => {
  it('has unique names, each found by namedScenario, and an unknown name finds nothing', () => {
    const names = NAMED_SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const family of NAMED_SCENARIOS) expect(namedScenario(family.name)).toBe(family);
    expect(namedScenario('nope')).toBeUndefined();
  });

  it('includes the safe configuration (expected to pass) and acks-1 (expected to find failures)', () => {
    expect(namedScenario('safe')?.expectedToPass).toBe(true);
    expect(namedScenario('acks-1')?.expectedToPass).toBe(false);
  });

  it.each(NAMED_SCENARIOS.map((family) => [family.name, family] as const))('%s generates valid scenarios on a 3-broker cluster', (_name, family) => {
    expect(family.description.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(family.scenarios, (spec) => {
        expect(() => validateScenario(spec)).not.toThrow();
        expect(spec.cluster.brokers).toBe(3);
        for (const { atMs } of spec.faults) expect(atMs).toBeLessThanOrEqual(spec.faultWindowMs!);
      }),
      { numRuns: 30 },
    );
  });

  it('safe: acks=-1, min.insync.replicas=2, unclean election off, so acknowledged messages must survive', () => {
    fc.assert(
      fc.property(namedScenario('safe')!.scenarios, (spec) => {
        expect(spec.cluster.topics[0]!.config).toMatchObject({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false });
        expect(spec.workload.producers[0]!.config!['request.required.acks']).toBe('-1');
      }),
      { numRuns: 10 },
    );
  });
});
