/**
 * Metadata (API 3), 0.8.2 `KafkaApis.handleTopicMetadataRequest` / `getTopicMetadata`.
 *
 * Modelled: answered from this broker's metadata cache (fed by UpdateMetadata, so it lags
 * ZooKeeper); no topics asked means all cached topics; an unknown topic is auto-created with
 * `num.partitions` and `default.replication.factor` when `auto.create.topics.enable` and answered
 * LeaderNotAvailable (5) meanwhile, else UnknownTopicOrPartition (3); an illegal name gets
 * InvalidTopic (17); partition errors as in `metadata-cache.ts`.
 * Not modelled: the offsets topic's special replication factor.
 */
import type { MetadataRequest, TopicMetadata } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { causeMessage } from '../../sim/errors.ts';
import { createTopic, TopicExistsError, validateTopicName } from '../admin/create-topic.ts';
import { brokerState } from '../broker-context.ts';
import { aliveBrokerEndpoints, cachedTopics, hasTopic, topicMetadata } from '../metadata-cache.ts';
import type { ApiContext, Handler } from './api-context.ts';

export const handleMetadata: Handler<MetadataRequest> = (api, request, channel) => {
  const cache = brokerState(api.ctx).metadata;
  const topics = request.topics.length > 0 ? request.topics : cachedTopics(cache);
  const answers: TopicMetadata[] = topics.map((topic) => {
    if (hasTopic(cache, topic)) return topicMetadata(cache, topic);
    try {
      validateTopicName(topic);
    } catch {
      return { topic, errorCode: ErrorCode.InvalidTopic, partitions: [] };
    }
    if (!api.ctx.config['auto.create.topics.enable']) return { topic, errorCode: ErrorCode.UnknownTopicOrPartition, partitions: [] };
    autoCreate(api, topic);
    return { topic, errorCode: ErrorCode.LeaderNotAvailable, partitions: [] };
  });
  channel.respond({ api: 'Metadata', brokers: aliveBrokerEndpoints(cache, api.ctx.endpointOf), topics: answers });
};

const creating = new WeakMap<ApiContext['ctx'], Set<string>>();

function autoCreate(api: ApiContext, topic: string): void {
  const { ctx } = api;
  let pending = creating.get(ctx);
  if (pending === undefined) creating.set(ctx, (pending = new Set()));
  if (pending.has(topic)) return;
  pending.add(topic);
  const partitions = ctx.config['num.partitions'];
  const replicationFactor = ctx.config['default.replication.factor'];
  ctx.narrate(
    'topic.auto-creating',
    { topic, partitions, replicationFactor },
    `Broker ${ctx.brokerId} auto-creates topic ${topic} (${partitions} partition(s), replication factor ${replicationFactor}) because a client asked for it.`,
  );
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
