/**
 * `kafka.server.KafkaApis`: routes each request to its handler (one module per API in
 * `handlers/`, each saying what it models): the 0.8.2 APIs, then those of Kafka 0.9–2.x that
 * modern clients need (the group coordinator, CreateTopics, ListOffsets v1+).
 */
import type { KafkaRequest } from '../protocol/api.ts';
import type { ApiContext, RequestChannel } from './handlers/api-context.ts';
import { handleControlledShutdown, handleLeaderAndIsr, handleStopReplica, handleUpdateMetadata } from './handlers/controller-requests.ts';
import { handleFetch } from './handlers/fetch.ts';
import { handleMetadata } from './handlers/metadata.ts';
import { handleOffsetCommit, handleOffsetFetch } from './handlers/offset-commit.ts';
import { handleOffsets } from './handlers/offsets.ts';
import { handleProduce } from './handlers/produce.ts';
import { handleCreateTopics } from './handlers/create-topics.ts';
import { handleDescribeGroups } from './handlers/describe-groups.ts';
import { handleFindCoordinator } from './handlers/find-coordinator.ts';
import { handleGroupOffsetCommit } from './handlers/group-offset-commit.ts';
import { handleGroupOffsetFetch } from './handlers/group-offset-fetch.ts';
import { handleHeartbeat } from './handlers/heartbeat.ts';
import { handleJoinGroup } from './handlers/join-group.ts';
import { handleLeaveGroup } from './handlers/leave-group.ts';
import { handleListGroups } from './handlers/list-groups.ts';
import { handleListOffsets } from './handlers/list-offsets.ts';
import { handleSyncGroup } from './handlers/sync-group.ts';

export function handleRequest(api: ApiContext, request: KafkaRequest, channel: RequestChannel): void {
  switch (request.api) {
    case 'Produce':
      return handleProduce(api, request, channel);
    case 'Fetch':
      return handleFetch(api, request, channel);
    case 'Offsets':
      return handleOffsets(api, request, channel);
    case 'Metadata':
      return handleMetadata(api, request, channel);
    case 'LeaderAndIsr':
      return handleLeaderAndIsr(api, request, channel);
    case 'StopReplica':
      return handleStopReplica(api, request, channel);
    case 'UpdateMetadata':
      return handleUpdateMetadata(api, request, channel);
    case 'ControlledShutdown':
      return handleControlledShutdown(api, request, channel);
    case 'OffsetCommit':
      return handleOffsetCommit(api, request, channel);
    case 'OffsetFetch':
      return handleOffsetFetch(api, request, channel);
    // Kafka 0.9–2.x APIs of modern clients (through the wire gateway).
    case 'FindCoordinator':
      return handleFindCoordinator(api, request, channel);
    case 'JoinGroup':
      return handleJoinGroup(api, request, channel);
    case 'SyncGroup':
      return handleSyncGroup(api, request, channel);
    case 'Heartbeat':
      return handleHeartbeat(api, request, channel);
    case 'LeaveGroup':
      return handleLeaveGroup(api, request, channel);
    case 'GroupOffsetCommit':
      return handleGroupOffsetCommit(api, request, channel);
    case 'GroupOffsetFetch':
      return handleGroupOffsetFetch(api, request, channel);
    case 'DescribeGroups':
      return handleDescribeGroups(api, request, channel);
    case 'ListGroups':
      return handleListGroups(api, request, channel);
    case 'CreateTopics':
      return handleCreateTopics(api, request, channel);
    case 'ListOffsets':
      return handleListOffsets(api, request, channel);
  }
}
