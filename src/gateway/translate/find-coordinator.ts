/**
 * FindCoordinator (key 10; GroupCoordinator in 0.9, ConsumerMetadata in 0.8.2) ↔ the broker's
 * FindCoordinatorRequest. The coordinator's address is rewritten to its loopback listener.
 * Not modelled: transaction coordinators (key type 1 gets INVALID_REQUEST (42), as from a broker
 * without transactions would be of no use to the client either).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { findCoordinatorApi, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/wire/apis/find-coordinator.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const findCoordinatorTranslator: Translator<'FindCoordinator', FindCoordinatorRequest, FindCoordinatorResponse> = {
  api: findCoordinatorApi,
  translate(request, _version, context) {
    if ((request.keyType ?? 0) !== 0) {
      return { kind: 'local', response: { throttleTimeMs: 0, errorCode: ErrorCode.InvalidRequest, errorMessage: 'only group coordinators are modelled', nodeId: -1, host: '', port: -1 } };
    }
    return {
      kind: 'forward',
      request: { api: 'FindCoordinator', ...requestBase(context), groupId: request.key },
      response: (internal) => {
        const answer = expectResponse(internal, 'FindCoordinator');
        const address = answer.errorCode === 0 ? context.advertised(answer.coordinator.id) : undefined;
        if (address === undefined) {
          const errorCode = answer.errorCode === 0 ? ErrorCode.ConsumerCoordinatorNotAvailable : answer.errorCode;
          return { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 };
        }
        return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: answer.coordinator.id, host: address.host, port: address.port };
      },
    };
  },
};
