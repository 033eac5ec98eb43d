/**
 * `ControllerBrokerRequestBatch` (0.8.2): state changes add entries; at the end of a batch the
 * controller sends one LeaderAndIsr per broker, then one UpdateMetadata per broker (every
 * LeaderAndIsr entry also updates the metadata of every live or shutting-down broker), then
 * StopReplica requests.
 */
import type { PartitionState, TopicAndPartition } from '../../protocol/api.ts';
import type { BrokerContext } from '../broker-context.ts';
import { partitionKey, type ControllerState } from '../state.ts';
import type { ControllerChannelManager } from './channel-manager.ts';
import { liveOrShuttingDownBrokerIds } from './context.ts';

export class ControllerBrokerRequestBatch {
  private readonly leaderAndIsr = new Map<number, Map<string, PartitionState>>();
  private readonly updateMetadata = new Map<number, Map<string, PartitionState>>();
  private readonly stopReplica = new Map<number, { deletePartitions: boolean; partitions: TopicAndPartition[] }[]>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly channels: ControllerChannelManager,
    private readonly controller: () => ControllerState,
  ) {}

  addLeaderAndIsr(brokerIds: readonly number[], topic: string, partition: number): void {
    const state = this.partitionState(topic, partition);
    if (state === undefined) return;
    for (const brokerId of brokerIds) {
      if (brokerId < 0) continue;
      let entries = this.leaderAndIsr.get(brokerId);
      if (entries === undefined) this.leaderAndIsr.set(brokerId, (entries = new Map()));
      entries.set(partitionKey(topic, partition), state);
    }
    this.addUpdateMetadata(liveOrShuttingDownBrokerIds(this.controller()), [{ topic, partition }]);
  }

  /** UpdateMetadata for `partitions` (all partitions with a leader if none given) to `brokerIds`. */
  addUpdateMetadata(brokerIds: readonly number[], partitions?: readonly TopicAndPartition[]): void {
    const controller = this.controller();
    const targets =
      partitions ??
      Object.keys(controller.leadership).map((key) => {
        const index = key.lastIndexOf('-');
        return { topic: key.slice(0, index), partition: Number(key.slice(index + 1)) };
      });
    for (const brokerId of brokerIds) {
      let entries = this.updateMetadata.get(brokerId);
      if (entries === undefined) this.updateMetadata.set(brokerId, (entries = new Map()));
      for (const { topic, partition } of targets) {
        const state = this.partitionState(topic, partition);
        if (state !== undefined) entries.set(partitionKey(topic, partition), state);
      }
    }
  }

  addStopReplica(brokerIds: readonly number[], topic: string, partition: number, deletePartitions: boolean): void {
    for (const brokerId of brokerIds) {
      let requests = this.stopReplica.get(brokerId);
      if (requests === undefined) this.stopReplica.set(brokerId, (requests = []));
      let request = requests.find((r) => r.deletePartitions === deletePartitions);
      if (request === undefined) requests.push((request = { deletePartitions, partitions: [] }));
      request.partitions.push({ topic, partition });
    }
  }

  /** `sendRequestsToBrokers`: LeaderAndIsr, then UpdateMetadata, then StopReplica. */
  send(): void {
    const controller = this.controller();
    const base = { clientId: `id_${this.ctx.brokerId}`, correlationId: 0, controllerId: this.ctx.brokerId, controllerEpoch: controller.epoch };
    const liveOrShuttingDown = liveOrShuttingDownBrokerIds(controller);
    for (const [brokerId, entries] of this.leaderAndIsr) {
      const partitionStates = [...entries.values()];
      const leaderIds = new Set(partitionStates.map((s) => s.leader));
      const leaders = liveOrShuttingDown.filter((id) => leaderIds.has(id)).map((id) => this.ctx.endpointOf(id));
      this.channels.sendRequest(brokerId, { api: 'LeaderAndIsr', ...base, partitionStates, leaders });
    }
    for (const [brokerId, entries] of this.updateMetadata) {
      const aliveBrokers = liveOrShuttingDown.map((id) => this.ctx.endpointOf(id));
      this.channels.sendRequest(brokerId, { api: 'UpdateMetadata', ...base, partitionStates: [...entries.values()], aliveBrokers });
    }
    for (const [brokerId, requests] of this.stopReplica) {
      for (const request of requests) this.channels.sendRequest(brokerId, { api: 'StopReplica', ...base, ...request });
    }
    this.leaderAndIsr.clear();
    this.updateMetadata.clear();
    this.stopReplica.clear();
  }

  private partitionState(topic: string, partition: number): PartitionState | undefined {
    const controller = this.controller();
    const key = partitionKey(topic, partition);
    const leadership = controller.leadership[key];
    const replicas = controller.assignments[key];
    if (leadership === undefined || replicas === undefined) return undefined;
    return {
      topic,
      partition,
      leader: leadership.leader,
      leaderEpoch: leadership.leaderEpoch,
      isr: [...leadership.isr],
      zkVersion: leadership.zkVersion,
      controllerEpoch: leadership.controllerEpoch,
      replicas: [...replicas],
    };
  }
}
