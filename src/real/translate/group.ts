/**
 * The classic group protocol ↔ the wire: FindCoordinator (key 10, groups only: key type 0),
 * JoinGroup (11), SyncGroup (14), Heartbeat (12), LeaveGroup (13). Static membership is not used
 * (group instance ids null). A JoinGroup that does not expect KIP-394's MEMBER_ID_REQUIRED
 * (`requireKnownMemberId: false`) is sent as v3 at most, one that does as v4+. LeaveGroup v0-v2
 * carry one member (a request for several needs v3+).
 */
import { NO_NODE, type FindCoordinatorRequest, type HeartbeatRequest, type JoinGroupRequest, type LeaveGroupRequest, type SyncGroupRequest } from '../../protocol/api.ts';
import { ANY_VERSION, type ClientTranslation } from './call.ts';

export const findCoordinatorTranslation: ClientTranslation<FindCoordinatorRequest, 'FindCoordinator'> = {
  wireApi: 'FindCoordinator',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire: (request) => ({ key: request.groupId, keyType: 0 }),
  fromWire: (response) => ({
    api: 'FindCoordinator',
    errorCode: response.errorCode,
    coordinator: response.errorCode === 0 ? { id: response.nodeId, host: response.host, port: response.port } : NO_NODE,
  }),
};

export const joinGroupTranslation: ClientTranslation<JoinGroupRequest, 'JoinGroup'> = {
  wireApi: 'JoinGroup',
  versions: (request) =>
    request.requireKnownMemberId
      ? { min: 4, max: ANY_VERSION.max, why: 'a join that expects MEMBER_ID_REQUIRED needs v4+' }
      : { min: 0, max: 3, why: 'a join that does not expect MEMBER_ID_REQUIRED is v0-v3' },
  expectsResponse: () => true,
  toWire: (request) => ({
    groupId: request.groupId,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    memberId: request.memberId,
    groupInstanceId: null,
    protocolType: request.protocolType,
    protocols: request.protocols,
  }),
  fromWire: (response) => ({
    api: 'JoinGroup',
    errorCode: response.errorCode,
    generationId: response.generationId,
    protocolName: response.protocolName,
    leaderId: response.leader,
    memberId: response.memberId,
    members: response.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })),
  }),
};

export const syncGroupTranslation: ClientTranslation<SyncGroupRequest, 'SyncGroup'> = {
  wireApi: 'SyncGroup',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire: (request) => ({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: null,
    assignments: request.assignments,
  }),
  fromWire: (response) => ({ api: 'SyncGroup', errorCode: response.errorCode, assignment: response.assignment }),
};

export const heartbeatTranslation: ClientTranslation<HeartbeatRequest, 'Heartbeat'> = {
  wireApi: 'Heartbeat',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire: (request) => ({ groupId: request.groupId, generationId: request.generationId, memberId: request.memberId, groupInstanceId: null }),
  fromWire: (response) => ({ api: 'Heartbeat', errorCode: response.errorCode }),
};

export const leaveGroupTranslation: ClientTranslation<LeaveGroupRequest, 'LeaveGroup'> = {
  wireApi: 'LeaveGroup',
  versions: (request) => (request.memberIds.length === 1 ? ANY_VERSION : { min: 3, max: ANY_VERSION.max, why: 'leaving with other than one member needs v3+' }),
  expectsResponse: () => true,
  toWire: (request, version) =>
    version >= 3
      ? { groupId: request.groupId, members: request.memberIds.map((memberId) => ({ memberId, groupInstanceId: null })) }
      : { groupId: request.groupId, memberId: request.memberIds[0]! },
  fromWire: (response, request, version) => ({
    api: 'LeaveGroup',
    errorCode: version >= 3 ? response.errorCode : 0,
    members:
      version >= 3
        ? (response.members ?? []).map((m) => ({ memberId: m.memberId, errorCode: m.errorCode }))
        : [{ memberId: request.memberIds[0]!, errorCode: response.errorCode }],
  }),
};
