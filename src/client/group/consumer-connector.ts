/**
 * The high-level consumer of either mode, chosen by `group.coordination` (a kafkasim key; see
 * `config.ts`): 'zookeeper' (the default) is 0.8.2's `ZookeeperConsumerConnector`
 * (`Consumer.createJavaConsumerConnector`), 'coordinator' the same API on the broker's group
 * coordinator.
 */
import type { Runtime } from '../runtime.ts';
import { resolveConsumerConfig, type ConsumerConfigInput } from './config.ts';
import type { ConsumerConnector } from './connector-base.ts';
import { ZookeeperConsumerConnector } from './connector.ts';
import { CoordinatorConsumerConnector } from './coordinator-connector.ts';

export type { ConsumerConnector } from './connector-base.ts';

/** Throws ConfigError (naming the key and what is allowed) on a bad config. */
export function createConsumerConnector(runtime: Runtime, config: ConsumerConfigInput): ConsumerConnector {
  return resolveConsumerConfig(config)['group.coordination'] === 'coordinator' ? new CoordinatorConsumerConnector(runtime, config) : new ZookeeperConsumerConnector(runtime, config);
}
