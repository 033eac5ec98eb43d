/**
 * Topic creation a broker starts on its own (0.8.2 `KafkaApis.getTopicMetadata`, and the offsets
 * topic on the first coordinator lookup): `AdminUtils.createTopic` in the background, at most one
 * attempt in flight per topic and broker process. The caller answers its client at once (with
 * LeaderNotAvailable or ConsumerCoordinatorNotAvailable): the topic appears once the controller
 * has brought its partitions online. Losing the race to another broker (the topic exists) is
 * silent, as in Kafka; any other failure is narrated.
 */
import { causeMessage } from '../../sim/errors.ts';
import type { BrokerContext } from '../broker-context.ts';
import { createTopic, TopicExistsError } from './create-topic.ts';

export interface AutoCreateOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Why, for the trace ("Broker 2 auto-creates topic t ... because a client asked for it."). */
  readonly narration: string;
}

const creating = new WeakMap<BrokerContext, Set<string>>();

export function autoCreateTopic(ctx: BrokerContext, options: AutoCreateOptions): void {
  const { topic, partitions, replicationFactor } = options;
  let pending = creating.get(ctx);
  if (pending === undefined) creating.set(ctx, (pending = new Set()));
  if (pending.has(topic)) return;
  pending.add(topic);
  ctx.narrate('topic.auto-creating', { topic, partitions, replicationFactor }, options.narration);
  ctx.env.spawn(`broker-${ctx.brokerId}/auto-create ${topic}`, async () => {
    try {
      await createTopic(ctx.zk, { topic, partitions, replicationFactor, rng: ctx.env.random });
    } catch (error) {
      if (!(error instanceof TopicExistsError)) {
        ctx.narrate('topic.auto-create-failed', { topic, error: causeMessage(error) }, `Broker ${ctx.brokerId} could not auto-create ${topic}: ${causeMessage(error)}`);
      }
    } finally {
      pending.delete(topic);
    }
  });
}
