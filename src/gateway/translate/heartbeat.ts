/**
 * Heartbeat (key 12) ↔ the broker's HeartbeatRequest: keeps a member's session alive and tells
 * it when to rejoin (REBALANCE_IN_PROGRESS, 27).
 * Not modelled: static membership (the group instance id is ignored).
 */
import { heartbeatApi, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/wire/apis/heartbeat.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const heartbeatTranslator: Translator<'Heartbeat', HeartbeatRequest, HeartbeatResponse> = {
  api: heartbeatApi,
  translate(request, _version, context) {
    return {
      kind: 'forward',
      request: { api: 'Heartbeat', ...requestBase(context), groupId: request.groupId, generationId: request.generationId, memberId: request.memberId },
      response: (internal) => ({ throttleTimeMs: 0, errorCode: expectResponse(internal, 'Heartbeat').errorCode }),
    };
  },
};
