/**
 * What the control interface's `state` answers: the cluster as a script needs it (JSON) and as a
 * person reads it (the same table lessons print). Leaders and ISRs are ZooKeeper's (the
 * controller's decisions); each replica's log end offset and high watermark are its broker's.
 * Read between steps only.
 */
import type { Simulation } from '../broker/simulation.ts';
import { partitionKey } from '../broker/state.ts';
import { renderCluster } from '../broker/view.ts';
import { parsePartitionState, parseTopicAssignment } from '../protocol/zk-data.ts';
import { lookup } from '../zookeeper/znode-tree.ts';
import type { ListenerAddress } from './recording.ts';

export interface BrokerView {
  readonly id: number;
  /** The broker's lifecycle status (`NotRunning` when down). */
  readonly status: string;
  /** Where real clients reach it. */
  readonly address: string;
  /** Whether its listener accepts connections now. */
  readonly listening: boolean;
}

export interface ReplicaView {
  readonly broker: number;
  /** Undefined when the broker is down or does not host the partition yet. */
  readonly logEndOffset?: number;
  readonly highWatermark?: number;
}

export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  /** -1 when there is none. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly ReplicaView[];
}

export interface ConnectionView {
  readonly conn: number;
  /** The client's node in the simulation. */
  readonly node: string;
  /** The broker whose listener it reached. */
  readonly broker: number;
}

export interface GatewayState {
  readonly step: number;
  readonly virtualMs: number;
  /** The active controller, or -1. */
  readonly controller: number;
  readonly brokers: readonly BrokerView[];
  readonly partitions: readonly PartitionView[];
  /** Real client connections open now: each is node `wire-<conn>` (what network faults name). */
  readonly connections: readonly ConnectionView[];
  /** The same, as a table. */
  readonly text: string;
}

export function gatewayState(sim: Simulation, listeners: readonly ListenerAddress[], listening: (broker: number) => boolean, connections: readonly ConnectionView[]): GatewayState {
  const brokerStates = sim.brokerStates;
  const zookeeper = sim.zookeeper.state;
  const brokers = listeners.map((l) => ({
    id: l.broker,
    status: brokerStates[l.broker]?.status ?? 'NotRunning',
    address: `${l.host}:${l.port}`,
    listening: listening(l.broker),
  }));
  const partitions: PartitionView[] = [];
  const topics = lookup(zookeeper, '/brokers/topics');
  for (const topic of Object.keys(topics?.children ?? {}).sort()) {
    const topicNode = topics!.children[topic]!;
    for (const [partition, assigned] of [...parseTopicAssignment(topicNode.data)].sort((a, b) => a[0] - b[0])) {
      const stateNode = topicNode.children.partitions?.children[String(partition)]?.children.state;
      const state = stateNode === undefined ? undefined : parsePartitionState(stateNode.data);
      const key = partitionKey(topic, partition);
      partitions.push({
        topic,
        partition,
        leader: state?.leader ?? -1,
        leaderEpoch: state?.leaderEpoch ?? -1,
        isr: state?.isr ?? [],
        replicas: assigned.map((broker) => {
          const replica = brokerStates[broker]?.status === 'NotRunning' ? undefined : brokerStates[broker]?.partitions[key];
          return replica === undefined ? { broker } : { broker, logEndOffset: replica.log.logEndOffset, highWatermark: replica.highWatermark };
        }),
      });
    }
  }
  return {
    step: sim.kernel.currentStep,
    virtualMs: sim.kernel.nowMs,
    controller: sim.controllerId ?? -1,
    brokers,
    partitions,
    connections,
    text: renderCluster({ brokers: brokerStates, zookeeper }),
  };
}
