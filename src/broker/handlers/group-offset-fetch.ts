/**
 * OffsetFetch v1+ (API 9) served by the group coordinator, Kafka 2.2 `GroupCoordinator.handleFetchOffsets`.
 *
 * Modelled: NotCoordinator (16) away from the coordinator (in `errorCode` and in every partition
 * asked); a partition with no committed offset answers -1 with no error (Kafka 0.9+; v0 answered
 * UnknownTopicOrPartition); `partitions` null (v2+) answers every committed partition. Offsets
 * are read from ZooKeeper, so a new coordinator serves what the last one committed.
 * Not modelled: authorisation; the pending transactional offsets of v7+.
 */
import type { GroupOffsetFetchRequest } from '../../protocol/api.ts';
import type { Handler } from './api-context.ts';

export const handleGroupOffsetFetch: Handler<GroupOffsetFetchRequest> = (api, request, channel) => {
  api.groupCoordinator.fetchOffsets(request, (response) => channel.respond(response));
};
