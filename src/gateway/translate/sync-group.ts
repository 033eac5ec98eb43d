/**
 * SyncGroup (key 14) ↔ the broker's SyncGroupRequest: the leader sends every member's
 * assignment, each member gets its own once the leader's has arrived.
 * Not modelled: static membership (the group instance id is ignored).
 */
import { syncGroupApi, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/wire/apis/sync-group.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const syncGroupTranslator: Translator<'SyncGroup', SyncGroupRequest, SyncGroupResponse> = {
  api: syncGroupApi,
  translate(request, _version, context) {
    return {
      kind: 'forward',
      request: { api: 'SyncGroup', ...requestBase(context), groupId: request.groupId, generationId: request.generationId, memberId: request.memberId, assignments: request.assignments },
      response: (internal) => {
        const answer = expectResponse(internal, 'SyncGroup');
        return { throttleTimeMs: 0, errorCode: answer.errorCode, assignment: answer.assignment };
      },
    };
  },
};
