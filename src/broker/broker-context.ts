/**
 * What every part of one running broker process shares: its identity and configuration, the
 * kernel and network it runs on, its ZooKeeper client, its open logs, and the way to read and
 * change its slice of the world. One context per incarnation: a crash discards it whole.
 */
import type { ZkClient } from '../protocol/zk-client.ts';
import type { Kernel } from '../sim/kernel.ts';
import type { Network } from '../sim/network.ts';
import type { NodeEnvironment } from '../sim/environment.ts';
import type { StoreRegistry } from '../sim/append-only-store.ts';
import type { MessageBatch } from '../protocol/message.ts';
import type { BrokerEndpoint } from '../protocol/api.ts';
import type { BrokerConfig, TopicConfig } from './config.ts';
import type { Log } from './log/log.ts';
import { BROKERS_SLICE, type BrokerState, type BrokersState } from './state.ts';

export interface BrokerContext {
  readonly brokerId: number;
  /** The node name (`broker-1`). */
  readonly node: string;
  readonly config: BrokerConfig;
  readonly kernel: Kernel;
  readonly network: Network;
  readonly env: NodeEnvironment;
  readonly zk: ZkClient;
  readonly stores: StoreRegistry<MessageBatch>;
  /** Open logs of this process by partition key (the files on disk, opened). */
  readonly logs: Map<string, Log>;
  /** Topic-level configuration (defaults from the broker's, overrides from /config/topics). */
  topicConfig(topic: string): TopicConfig;
  /** How to reach broker `id` (the simulation's address book: host = node name). */
  endpointOf(id: number): BrokerEndpoint;
  /** True while this incarnation is the running one. */
  readonly alive: () => boolean;
  /** `Runtime.halt(1)`: the process dies at once, without any cleanup (its disk is kept). */
  halt(reason: string): void;
  /** Records a trace line from this broker. */
  narrate(kind: string, data: Record<string, unknown>, text: string): void;
}

/** This broker's slice of the world (a draft inside a step). */
export function brokerState(context: Pick<BrokerContext, 'kernel' | 'brokerId'>): BrokerState {
  const world = context.kernel.world;
  world.touch(BROKERS_SLICE, context.brokerId);
  return (world.state[BROKERS_SLICE] as BrokersState)[context.brokerId]!;
}

/**
 * This broker's slice for reading only, without touching the world (a draft inside a step): for
 * hot read paths. Nothing read through it may be changed, or the invariant checkers, which skip
 * the brokers no one touched, would not see the change.
 */
export function peekBrokerState(context: Pick<BrokerContext, 'kernel' | 'brokerId'>): Readonly<BrokerState> {
  return (context.kernel.world.state[BROKERS_SLICE] as BrokersState)[context.brokerId]!;
}

/** Every broker's slice (read-only use: another broker's state is not this broker's to change). */
export function allBrokerStates(kernel: Kernel): BrokersState {
  kernel.world.touch(BROKERS_SLICE);
  return kernel.world.state[BROKERS_SLICE] as BrokersState;
}
