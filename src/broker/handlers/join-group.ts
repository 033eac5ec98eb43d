/**
 * JoinGroup (API 11), Kafka 2.2 `KafkaApis.handleJoinGroupRequest` → `GroupCoordinator.handleJoinGroup`.
 *
 * Modelled: an empty group id is InvalidGroupId (24); everything else is the coordinator's
 * (`coordinator/group-coordinator.ts`): the answer waits until the rebalance completes. The
 * member's host is "/" and its client node, as Java's `InetAddress.toString` prints it.
 * Not modelled: authorisation, static membership (group.instance.id).
 */
import type { JoinGroupRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { joinError } from '../coordinator/group-coordinator.ts';
import type { Handler } from './api-context.ts';

export const handleJoinGroup: Handler<JoinGroupRequest> = (api, request, channel) => {
  if (request.groupId === '') return channel.respond(joinError(ErrorCode.InvalidGroupId));
  api.groupCoordinator.join(request, `/${channel.peer}`, (response) => channel.respond(response));
};
