/**
 * LeaveGroup (API 13), Kafka 2.4 `GroupCoordinator.handleLeaveGroup` (v3+'s list of members; v0-v2
 * send one): each member leaves at once, and a group that was Stable or completing a rebalance
 * rebalances without it.
 *
 * Modelled: an empty group id is InvalidGroupId (24) for the whole request; NotCoordinator (16)
 * likewise; an unknown member (or group) is UnknownMemberId (25) for that member.
 * Not modelled: authorisation, static members (group.instance.id).
 */
import type { LeaveGroupRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Handler } from './api-context.ts';

export const handleLeaveGroup: Handler<LeaveGroupRequest> = (api, request, channel) => {
  if (request.groupId === '') return channel.respond({ api: 'LeaveGroup', errorCode: ErrorCode.InvalidGroupId, members: [] });
  channel.respond(api.groupCoordinator.leave(request));
};
