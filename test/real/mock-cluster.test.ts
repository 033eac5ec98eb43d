/**
 * The real runtime against librdkafka 2.0.2's mock cluster (kcat -X test.mock.num.brokers=3): a
 * broker nobody on this project wrote. Its limits: topics appear on first Metadata or Produce with
 * 4 partitions (no CreateTopics), and Metadata names controller 0 while the brokers are 1..3.
 */
import { describe } from 'vitest';
import { skipWithout } from '../support/real-clients.ts';
import { mockCluster } from './support/clusters.ts';
import { clusterScenarios } from './support/scenarios.ts';

describe.skipIf(skipWithout('kcat'))('librdkafka mock cluster', () => {
  clusterScenarios("librdkafka's mock cluster", mockCluster, { partitions: 4, controllerKnown: false });
});
