/**
 * DescribeGroups (key 15) ↔ the broker's DescribeGroupsRequest: each group's state, protocol and
 * members (with metadata and assignment while Stable), from the broker coordinating it.
 * Not modelled: authorized operations (v3+: Int32.MIN_VALUE, "not asked"), static members.
 */
import { describeGroupsApi, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../../protocol/wire/apis/describe-groups.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

/** `MessageUtil`'s "authorized operations not requested". */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const describeGroupsTranslator: Translator<'DescribeGroups', DescribeGroupsRequest, DescribeGroupsResponse> = {
  api: describeGroupsApi,
  translate(request, _version, context) {
    return {
      kind: 'forward',
      request: { api: 'DescribeGroups', ...requestBase(context), groupIds: request.groups },
      response: (internal) => ({
        throttleTimeMs: 0,
        groups: expectResponse(internal, 'DescribeGroups').groups.map((g) => ({
          errorCode: g.errorCode,
          groupId: g.groupId,
          groupState: g.state,
          protocolType: g.protocolType,
          protocolData: g.protocolName,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: null,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        })),
      }),
    };
  },
};
