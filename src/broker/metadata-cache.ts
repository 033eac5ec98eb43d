/**
 * `kafka.server.MetadataCache` (0.8.2): what this broker knows of the cluster from the
 * controller's UpdateMetadata requests. Client Metadata requests are answered from here, never
 * from ZooKeeper, so what clients see of leaders lags ZooKeeper by one controller round trip.
 */
import type { BrokerEndpoint, PartitionMetadata, PartitionState, TopicMetadata } from '../protocol/api.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { partitionKey, type MetadataCacheState } from './state.ts';

/** `MetadataCache.updateCache`: replaces the entries the request carries and the live brokers. */
export function updateMetadataCache(
  cache: MetadataCacheState,
  partitionStates: readonly PartitionState[],
  aliveBrokers: readonly number[],
): void {
  cache.aliveBrokers = [...aliveBrokers].sort((a, b) => a - b);
  for (const state of partitionStates) {
    cache.partitions[partitionKey(state.topic, state.partition)] = {
      topic: state.topic,
      partition: state.partition,
      leader: state.leader,
      leaderEpoch: state.leaderEpoch,
      isr: [...state.isr],
      replicas: [...state.replicas],
      controllerEpoch: state.controllerEpoch,
    };
  }
}

/** Topics known to the cache, sorted. */
export function cachedTopics(cache: MetadataCacheState): string[] {
  const topics = new Set<string>();
  for (const entry of Object.values(cache.partitions)) topics.add(entry.topic);
  return [...topics].sort();
}

export function hasTopic(cache: MetadataCacheState, topic: string): boolean {
  for (const entry of Object.values(cache.partitions)) if (entry.topic === topic) return true;
  return false;
}

/**
 * `MetadataCache.getTopicMetadata` for known topics: a partition whose leader is not alive has
 * LeaderNotAvailable (5) and no leader; one with a replica or ISR member down has
 * ReplicaNotAvailable (9) with its leader still given (the 0.8 producer ignores code 9).
 * With `errorUnavailableEndpoints` false (Kafka 0.10+ for Metadata v1+), replicas and ISR members
 * on dead brokers stay listed and code 9 is never given.
 */
export function topicMetadata(cache: MetadataCacheState, topic: string, errorUnavailableEndpoints = true): TopicMetadata {
  const alive = new Set(cache.aliveBrokers);
  const partitions: PartitionMetadata[] = Object.values(cache.partitions)
    .filter((entry) => entry.topic === topic)
    .sort((a, b) => a.partition - b.partition)
    .map((entry) => {
      const replicas = errorUnavailableEndpoints ? entry.replicas.filter((r) => alive.has(r)) : [...entry.replicas];
      const isr = errorUnavailableEndpoints ? entry.isr.filter((r) => alive.has(r)) : [...entry.isr];
      if (!alive.has(entry.leader)) {
        return { partition: entry.partition, leader: -1, replicas, isr, errorCode: ErrorCode.LeaderNotAvailable };
      }
      const errorCode =
        replicas.length < entry.replicas.length || isr.length < entry.isr.length ? ErrorCode.ReplicaNotAvailable : ErrorCode.NoError;
      return { partition: entry.partition, leader: entry.leader, replicas, isr, errorCode };
    });
  return { topic, errorCode: ErrorCode.NoError, partitions };
}

export function aliveBrokerEndpoints(cache: MetadataCacheState, endpointOf: (id: number) => BrokerEndpoint): BrokerEndpoint[] {
  return cache.aliveBrokers.map(endpointOf);
}
