/**
 * SyncGroup (API 14), Kafka 2.2 `KafkaApis.handleSyncGroupRequest` → `GroupCoordinator.handleSyncGroup`.
 *
 * Modelled: an empty group id is InvalidGroupId (24); the rest is the coordinator's: a follower's
 * SyncGroup waits for the leader's, which carries every member's assignment.
 * Not modelled: authorisation; the protocol type and name checks of v5+.
 */
import type { SyncGroupRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Handler } from './api-context.ts';

export const handleSyncGroup: Handler<SyncGroupRequest> = (api, request, channel) => {
  if (request.groupId === '') return channel.respond({ api: 'SyncGroup', errorCode: ErrorCode.InvalidGroupId, assignment: new Uint8Array(0) });
  api.groupCoordinator.sync(request, (response) => channel.respond(response));
};
