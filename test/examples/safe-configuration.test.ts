/**
 * Example (copy it into your own vitest project): a configuration Kafka 0.8.2 promises loses
 * nothing — acks=-1, min.insync.replicas=2 on the topic, unclean leader election off,
 * replication factor 3 — checked under 200 random schedules of broker crashes and restarts,
 * pauses, isolation, ZooKeeper session expiries and consumer crashes. Each run ends with the
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
        faults: {
          count: { min: 0, max: 5 },
          windowMs: 20_000,
          kinds: ['broker-crash', 'broker-restart', 'pause', 'isolate', 'session-expire', 'consumer-crash', 'consumer-restart'],
        },
      }),
    });
  }, 600_000);
});
