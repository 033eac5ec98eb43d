/**
 * Metadata (API 3), 0.8.2 `KafkaApis.handleTopicMetadataRequest` / `getTopicMetadata`.
 *
 * Modelled: answered from this broker's metadata cache (fed by UpdateMetadata, so it lags
 * ZooKeeper); no topics asked means all cached topics; an unknown topic is auto-created with
 * `num.partitions` and `default.replication.factor` when `auto.create.topics.enable` and answered
 * LeaderNotAvailable (5) meanwhile, else UnknownTopicOrPartition (3); an illegal name gets
 * InvalidTopic (17); partition errors as in `metadata-cache.ts`. The offsets topic is created
 * with its own settings (`offsets.topic.*`), as 0.8.2 does.
 * Modern versions (fields of the request's later-version section in api.ts): `allTopics` (v1+'s
 * null list), `allowAutoTopicCreation` (v4+), `errorUnavailableEndpoints` false (v1+: dead
 * replicas stay listed, no code 9); every answer carries the cluster id (seeded, see
 * `cluster-id.ts`) and the controller this broker believes in (v1+).
 * Not modelled: racks, offline replicas (v5+) beyond what the caller derives from `brokers`.
 */
import { OFFSETS_TOPIC, type MetadataRequest, type TopicMetadata } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { validateTopicName } from '../admin/create-topic.ts';
import { autoCreateTopic } from '../admin/auto-create.ts';
import { brokerState } from '../broker-context.ts';
import { clusterIdOf } from '../cluster-id.ts';
import { createOffsetsTopic } from '../coordinator/placement.ts';
import { aliveBrokerEndpoints, cachedTopics, hasTopic, topicMetadata } from '../metadata-cache.ts';
import type { Handler } from './api-context.ts';

export const handleMetadata: Handler<MetadataRequest> = (api, request, channel) => {
  const { ctx } = api;
  const state = brokerState(ctx);
  const cache = state.metadata;
  const everyTopic = request.allTopics ?? request.topics.length === 0;
  const topics = everyTopic ? cachedTopics(cache) : request.topics;
  const errorUnavailableEndpoints = request.errorUnavailableEndpoints ?? true;
  // `allowAutoTopicCreation` (v4+) can only forbid: the broker's auto.create.topics.enable still decides.
  const autoCreate = request.allowAutoTopicCreation !== false && ctx.config['auto.create.topics.enable'];
  const answers: TopicMetadata[] = topics.map((topic) => {
    if (hasTopic(cache, topic)) return topicMetadata(cache, topic, errorUnavailableEndpoints);
    try {
      validateTopicName(topic);
    } catch {
      return { topic, errorCode: ErrorCode.InvalidTopic, partitions: [] };
    }
    if (!autoCreate) return { topic, errorCode: ErrorCode.UnknownTopicOrPartition, partitions: [] };
    if (topic === OFFSETS_TOPIC) {
      createOffsetsTopic(ctx, 'because a client asked for its metadata');
    } else {
      const partitions = ctx.config['num.partitions'];
      const replicationFactor = ctx.config['default.replication.factor'];
      autoCreateTopic(ctx, {
        topic,
        partitions,
        replicationFactor,
        narration: `Broker ${ctx.brokerId} auto-creates topic ${topic} (${partitions} partition(s), replication factor ${replicationFactor}) because a client asked for it.`,
      });
    }
    return { topic, errorCode: ErrorCode.LeaderNotAvailable, partitions: [] };
  });
  channel.respond({
    api: 'Metadata',
    brokers: aliveBrokerEndpoints(cache, ctx.endpointOf),
    topics: answers,
    clusterId: clusterIdOf(ctx.kernel),
    controllerId: state.controllerId,
  });
};
