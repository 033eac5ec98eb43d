/**
 * DescribeGroups (API 15), Kafka 2.2 `GroupCoordinator.handleDescribeGroup`: each group's state,
 * protocol and members as its coordinator holds them.
 *
 * Modelled: NotCoordinator (16) for a group coordinated elsewhere; a group this coordinator does
 * not hold is Dead with no members; the protocol, the members' metadata and assignments only
 * when the group is Stable (`GroupMetadata.summary`).
 * Not modelled: authorisation, authorised operations (v3+).
 */
import type { DescribeGroupsRequest } from '../../protocol/api.ts';
import type { Handler } from './api-context.ts';

export const handleDescribeGroups: Handler<DescribeGroupsRequest> = (api, request, channel) => {
  channel.respond({ api: 'DescribeGroups', groups: request.groupIds.map((groupId) => api.groupCoordinator.describe(groupId)) });
};
