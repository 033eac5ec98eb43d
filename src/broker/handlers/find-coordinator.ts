/**
 * FindCoordinator (API 10; GroupCoordinator in 0.9, ConsumerMetadata in 0.8.2), Kafka 2.2
 * `KafkaApis.handleFindCoordinatorRequest`: the group's coordinator is the leader of its
 * partition of `__consumer_offsets` (`coordinator/placement.ts`), as this broker's metadata cache
 * knows it.
 *
 * Modelled: the offsets topic created on the first lookup (with `offsets.topic.*`), answered
 * ConsumerCoordinatorNotAvailable (15, COORDINATOR_NOT_AVAILABLE) until the cache knows it; 15
 * also while the group's partition has no live leader. Any broker answers.
 * Not modelled: transaction coordinators (key type 1), authorisation.
 */
import { NO_NODE, OFFSETS_TOPIC, type FindCoordinatorRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { brokerState } from '../broker-context.ts';
import { createOffsetsTopic, offsetsPartitionKey } from '../coordinator/placement.ts';
import { hasTopic } from '../metadata-cache.ts';
import type { Handler } from './api-context.ts';

export const handleFindCoordinator: Handler<FindCoordinatorRequest> = (api, request, channel) => {
  const { ctx } = api;
  const cache = brokerState(ctx).metadata;
  const unavailable = () => channel.respond({ api: 'FindCoordinator', errorCode: ErrorCode.ConsumerCoordinatorNotAvailable, coordinator: NO_NODE });
  if (!hasTopic(cache, OFFSETS_TOPIC)) {
    createOffsetsTopic(ctx, `for the first lookup of a group coordinator (group ${request.groupId})`);
    return unavailable();
  }
  const entry = cache.partitions[offsetsPartitionKey(ctx, request.groupId)];
  if (entry === undefined || !cache.aliveBrokers.includes(entry.leader)) return unavailable();
  channel.respond({ api: 'FindCoordinator', errorCode: ErrorCode.NoError, coordinator: ctx.endpointOf(entry.leader) });
};
