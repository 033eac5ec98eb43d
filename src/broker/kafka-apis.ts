/**
 * `kafka.server.KafkaApis`: routes each request to its handler (one module per API in
 * `handlers/`, each saying what it models).
 */
import type { KafkaRequest } from '../protocol/api.ts';
import type { ApiContext, RequestChannel } from './handlers/api-context.ts';
import { handleControlledShutdown, handleLeaderAndIsr, handleStopReplica, handleUpdateMetadata } from './handlers/controller-requests.ts';
import { handleFetch } from './handlers/fetch.ts';
import { handleMetadata } from './handlers/metadata.ts';
import { handleOffsetCommit, handleOffsetFetch } from './handlers/offset-commit.ts';
import { handleOffsets } from './handlers/offsets.ts';
import { handleProduce } from './handlers/produce.ts';

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
  }
}
