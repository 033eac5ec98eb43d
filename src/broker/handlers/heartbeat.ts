/**
 * Heartbeat (API 12), Kafka 2.2 `KafkaApis.handleHeartbeatRequest` → `GroupCoordinator.handleHeartbeat`.
 *
 * Modelled: an empty group id is InvalidGroupId (24); the coordinator restarts the member's
 * session timer and answers 0, or RebalanceInProgress (27) to make it rejoin, IllegalGeneration
 * (22), UnknownMemberId (25), NotCoordinator (16).
 * Not modelled: authorisation.
 */
import type { HeartbeatRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Handler } from './api-context.ts';

export const handleHeartbeat: Handler<HeartbeatRequest> = (api, request, channel) => {
  const errorCode = request.groupId === '' ? ErrorCode.InvalidGroupId : api.groupCoordinator.heartbeat(request);
  channel.respond({ api: 'Heartbeat', errorCode });
};
