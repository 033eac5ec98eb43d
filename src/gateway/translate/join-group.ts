/**
 * JoinGroup (key 11) ↔ the broker's JoinGroupRequest: the coordinator answers when the
 * rebalance completes (or at once with an error). v0 has no rebalance timeout: the session
 * timeout stands for it, as in Kafka. v4+ members without an id first get MEMBER_ID_REQUIRED
 * (79) with one (KIP-394).
 * Not modelled: static membership (v5's group instance id is ignored: every member is dynamic).
 */
import { joinGroupApi, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/wire/apis/join-group.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const joinGroupTranslator: Translator<'JoinGroup', JoinGroupRequest, JoinGroupResponse> = {
  api: joinGroupApi,
  translate(request, version, context) {
    return {
      kind: 'forward',
      request: {
        api: 'JoinGroup',
        ...requestBase(context),
        groupId: request.groupId,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs ?? request.sessionTimeoutMs,
        memberId: request.memberId,
        protocolType: request.protocolType,
        protocols: request.protocols,
        requireKnownMemberId: version >= 4,
      },
      response: (internal) => {
        const answer = expectResponse(internal, 'JoinGroup');
        return {
          throttleTimeMs: 0,
          errorCode: answer.errorCode,
          generationId: answer.generationId,
          protocolName: answer.protocolName,
          leader: answer.leaderId,
          memberId: answer.memberId,
          members: answer.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, metadata: m.metadata })),
        };
      },
    };
  },
};
