/**
 * OffsetCommit v1+ (API 8) with group management, Kafka 2.2 `GroupCoordinator.handleCommitOffsets`:
 * offsets kept by the group's coordinator (in ZooKeeper, see `coordinator/offset-store.ts`).
 *
 * Modelled: NotCoordinator (16) away from the coordinator; a commit from outside group management
 * (generation -1) accepted while the group has no members (and an unknown group created for
 * it), otherwise the member and generation are checked: RebalanceInProgress (27) while the group
 * completes a rebalance, UnknownMemberId (25), IllegalGeneration (22); a commit refreshes the
 * member's session. Per partition: a partition unknown to the metadata cache is
 * UnknownTopicOrPartition (3); metadata longer than `offset.metadata.max.bytes` is
 * OffsetMetadataTooLarge (12). The empty group id is accepted, as Kafka accepts it for commits.
 * Not modelled: retention times (v2-v4) and commit timestamps (v1): offsets never expire.
 */
import type { GroupOffsetCommitRequest } from '../../protocol/api.ts';
import type { Handler } from './api-context.ts';

export const handleGroupOffsetCommit: Handler<GroupOffsetCommitRequest> = (api, request, channel) => {
  api.groupCoordinator.commitOffsets(request, (response) => channel.respond(response));
};
