/**
 * Example (copy it into your own vitest project): a configuration Kafka 0.8.2 promises loses
 * nothing — acks=-1, min.insync.replicas=2 on the topic, unclean leader election off,
 * replication factor 3 — checked under 200 random schedules of broker crashes and restarts,
 * GC pauses, ZooKeeper session expiries and consumer crashes, one at a time. Each run ends with the
 * faults repaired and the consumers reading to the end; then every acknowledged message must
 * have been processed (at least once) and no invariant may have broken on the way.
 */
import { describe, it } from 'vitest';
import { assertScenarios, scenarioArbitrary } from 'kafkasim/testing';

describe('a safe Kafka 0.8.2 configuration', () => {
  it('loses no acknowledged message under random broker, network and consumer faults', async () => {
    await assertScenarios({
      property: 'safe configuration loses nothing',
      numRuns: 200,
      seed: 20261123,
      scenarios: scenarioArbitrary({
        cluster: {
          brokers: 3,
          topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false } }],
        },
        workload: {
          producers: [{ name: 'checkout', topic: 'orders', messages: 100, config: { 'request.required.acks': '-1' } }],
          consumers: [{ group: 'billing', topic: 'orders', members: 2, semantics: 'at-least-once' }],
        },
        // Kafka 0.8.2 keeps its promise when faults come one at a time, each repaired and the ISR
        // whole again before the next: overlapping crashes can lose a message (KAFKA-1211), and a
        // controller away from ZooKeeper longer than its session misbehaves (KIP-380). Try
        // `npx kafkasim check --scenario overlapping` to watch fast-check find those.
        faults: {
          count: { min: 0, max: 4 },
          windowMs: 20_000,
          kinds: ['broker-crash', 'pause', 'session-expire', 'consumer-crash'],
          pauseMsMax: 4_000,
          oneAtATime: { durationMs: { min: 500, max: 10_000 }, settleMs: 15_000 },
        },
      }),
    });
  }, 600_000);
});
