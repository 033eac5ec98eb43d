/**
 * ListGroups (API 16), Kafka 2.2 `GroupCoordinator.handleListGroups`: the groups this broker
 * coordinates, with their protocol types ('' for groups that only commit offsets).
 *
 * Simplified: a coordinator knows the groups that reached it since it took over their offsets
 * partition (Kafka reloads every group from the partition; here a group that only ever committed
 * offsets under a previous coordinator is listed once it commits or joins again).
 */
import type { ListGroupsRequest } from '../../protocol/api.ts';
import type { Handler } from './api-context.ts';

export const handleListGroups: Handler<ListGroupsRequest> = (api, _request, channel) => {
  channel.respond(api.groupCoordinator.list());
};
