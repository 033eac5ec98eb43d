/**
 * Group listing and description and topic creation ↔ the wire: ListGroups (key 16),
 * DescribeGroups (15, authorized operations not asked), CreateTopics (19; `validateOnly` needs v1+).
 */
import type { CreateTopicsRequest, DescribeGroupsRequest, GroupStateName, ListGroupsRequest } from '../../protocol/api.ts';
import { ANY_VERSION, type ClientTranslation } from './call.ts';

export const listGroupsTranslation: ClientTranslation<ListGroupsRequest, 'ListGroups'> = {
  wireApi: 'ListGroups',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire: () => ({}),
  fromWire: (response) => ({ api: 'ListGroups', errorCode: response.errorCode, groups: response.groups }),
};

export const describeGroupsTranslation: ClientTranslation<DescribeGroupsRequest, 'DescribeGroups'> = {
  wireApi: 'DescribeGroups',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire: (request) => ({ groups: request.groupIds, includeAuthorizedOperations: false }),
  fromWire: (response) => ({
    api: 'DescribeGroups',
    groups: response.groups.map((g) => ({
      groupId: g.groupId,
      errorCode: g.errorCode,
      // Kafka 0.10-1.0 said AwaitingSync for CompletingRebalance.
      state: (g.groupState === 'AwaitingSync' ? 'CompletingRebalance' : g.groupState) as GroupStateName | '',
      protocolType: g.protocolType,
      protocolName: g.protocolData,
      members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, metadata: m.memberMetadata, assignment: m.memberAssignment })),
    })),
  }),
};

export const createTopicsTranslation: ClientTranslation<CreateTopicsRequest, 'CreateTopics'> = {
  wireApi: 'CreateTopics',
  versions: (request) => (request.validateOnly ? { min: 1, max: ANY_VERSION.max, why: 'validateOnly needs v1+' } : ANY_VERSION),
  expectsResponse: () => true,
  toWire: (request) => ({
    timeoutMs: request.timeoutMs,
    validateOnly: request.validateOnly,
    topics: request.topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map((a) => ({ partitionIndex: a.partition, brokerIds: a.brokerIds })),
      configs: t.configs,
    })),
  }),
  fromWire: (response) => ({
    api: 'CreateTopics',
    topics: response.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage ?? null })),
  }),
};
