/**
 * The controller's requests to brokers and a broker's request to the controller:
 * LeaderAndIsr (API 4), StopReplica (5), UpdateMetadata (6), ControlledShutdown (7).
 *
 * Modelled: every request from a controller with an epoch older than the highest this broker
 * has seen is rejected (a zombie controller is fenced): LeaderAndIsr and StopReplica answer
 * StaleControllerEpoch (11); the rest is `ReplicaManager.becomeLeaderOrFollower`, `stopReplicas`,
 * `maybeUpdateMetadataCache` and `KafkaController.shutdownBroker` (only the active controller
 * moves leadership). After LeaderAndIsr and StopReplica the group coordinator unloads the groups
 * whose `__consumer_offsets` partition this broker no longer leads (Kafka 0.9+ `onLeadershipChange`).
 * A stale UpdateMetadata and a ControlledShutdown that fails (not the controller, unknown broker)
 * are answered Unknown (-1), not 11 or 8: in 0.8.2.2 `maybeUpdateMetadataCache` and
 * `shutdownBroker` throw (`ControllerMovedException`, `BrokerNotAvailableException`), and
 * `UpdateMetadataRequest.handleError` / `ControlledShutdownRequest.handleError` map
 * `e.getCause` (null) instead of `e.getClass`, which `ErrorMapping.codeFor` answers UnknownCode.
 */
import type { ControlledShutdownRequest, LeaderAndIsrRequest, StopReplicaRequest, UpdateMetadataRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { brokerState } from '../broker-context.ts';
import { updateMetadataCache } from '../metadata-cache.ts';
import type { Handler } from './api-context.ts';

export const handleLeaderAndIsr: Handler<LeaderAndIsrRequest> = (api, request, channel) => {
  const response = api.replicaManager.becomeLeaderOrFollower(request);
  // Kafka 0.9+ `onLeadershipChange`: groups whose offsets partition moved away are unloaded now.
  api.groupCoordinator.unloadMovedGroups();
  channel.respond(response);
};

export const handleStopReplica: Handler<StopReplicaRequest> = (api, request, channel) => {
  const response = api.replicaManager.stopReplicas(request);
  api.groupCoordinator.unloadMovedGroups();
  channel.respond(response);
};

export const handleUpdateMetadata: Handler<UpdateMetadataRequest> = (api, request, channel) => {
  const broker = brokerState(api.ctx);
  if (request.controllerEpoch < broker.controllerEpoch) {
    api.ctx.narrate(
      'metadata.stale-controller',
      { controllerId: request.controllerId, epoch: request.controllerEpoch, known: broker.controllerEpoch },
      `Broker ${api.ctx.brokerId} ignores UpdateMetadata from controller ${request.controllerId} with epoch ${request.controllerEpoch}: it knows epoch ${broker.controllerEpoch}.`,
    );
    // `UpdateMetadataRequest.handleError`: codeFor(e.getCause) = UnknownCode (see above).
    channel.respond({ api: 'UpdateMetadata', errorCode: ErrorCode.Unknown });
    return;
  }
  updateMetadataCache(broker.metadata, request.partitionStates, request.aliveBrokers.map((b) => b.id));
  broker.controllerEpoch = request.controllerEpoch;
  channel.respond({ api: 'UpdateMetadata', errorCode: ErrorCode.NoError });
};

export const handleControlledShutdown: Handler<ControlledShutdownRequest> = (api, request, channel) => {
  const { ctx, controller } = api;
  ctx.env.spawn(`broker-${ctx.brokerId}/controlled-shutdown ${request.brokerId}`, async () => {
    const result = await controller.shutdownBroker(request.brokerId);
    // `ControlledShutdownRequest.handleError`: codeFor(e.getCause) = UnknownCode (see above).
    const errorCode = result.errorCode === ErrorCode.NoError ? ErrorCode.NoError : ErrorCode.Unknown;
    channel.respond({ api: 'ControlledShutdown', errorCode, partitionsRemaining: errorCode === ErrorCode.NoError ? result.partitionsRemaining : [] });
  });
};
