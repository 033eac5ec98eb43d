/**
 * ListGroups (key 16) ↔ the broker's ListGroupsRequest: the groups this broker coordinates (a
 * client asks every broker and merges the answers).
 */
import { listGroupsApi, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/wire/apis/list-groups.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const listGroupsTranslator: Translator<'ListGroups', ListGroupsRequest, ListGroupsResponse> = {
  api: listGroupsApi,
  translate(_request, _version, context) {
    return {
      kind: 'forward',
      request: { api: 'ListGroups', ...requestBase(context) },
      response: (internal) => {
        const answer = expectResponse(internal, 'ListGroups');
        return { throttleTimeMs: 0, errorCode: answer.errorCode, groups: answer.groups };
      },
    };
  },
};
