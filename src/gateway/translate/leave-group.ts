/**
 * LeaveGroup (key 13) ↔ the broker's LeaveGroupRequest. v0-v2 carry one member and answer one
 * error (the request's, else the member's); v3+ carry a list and answer per member (KIP-345).
 * Not modelled: static membership (group instance ids are answered null).
 */
import { leaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/wire/apis/leave-group.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const leaveGroupTranslator: Translator<'LeaveGroup', LeaveGroupRequest, LeaveGroupResponse> = {
  api: leaveGroupApi,
  translate(request, version, context) {
    const memberIds = version >= 3 ? (request.members ?? []).map((m) => m.memberId) : [request.memberId ?? ''];
    return {
      kind: 'forward',
      request: { api: 'LeaveGroup', ...requestBase(context), groupId: request.groupId, memberIds },
      response: (internal) => {
        const answer = expectResponse(internal, 'LeaveGroup');
        if (version < 3) return { throttleTimeMs: 0, errorCode: answer.errorCode !== 0 ? answer.errorCode : (answer.members[0]?.errorCode ?? 0) };
        return {
          throttleTimeMs: 0,
          errorCode: answer.errorCode,
          members: answer.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, errorCode: m.errorCode })),
        };
      },
    };
  },
};
