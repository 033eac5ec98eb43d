/**
 * Metadata (key 3) ↔ the broker's TopicMetadataRequest with the modern fields of api.ts, answered
 * from the broker's metadata cache. The gateway rewrites each broker's address to its loopback
 * listener (the simulated `broker-<id>:9092` means nothing to a real client).
 *
 * Modelled: v0's empty list and v1+'s null ask for every topic, v1+'s empty list for none;
 * `allowAutoTopicCreation` (v4+) can forbid auto-creation; ReplicaNotAvailable (9) and the
 * leaving-out of dead replicas are v0's only (Kafka's `errorUnavailableEndpoints`; kafkajs fails a
 * whole refresh on 9); v5's offline replicas are the listed replicas on brokers not alive;
 * `isInternal` marks the offsets topic; the cluster id and controller are the broker's.
 * Not modelled: racks (null).
 */
import { isInternalTopic } from '../../protocol/api.ts';
import { metadataApi, type MetadataRequest, type MetadataResponse, type MetadataResponseBroker } from '../../protocol/wire/apis/metadata.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const metadataTranslator: Translator<'Metadata', MetadataRequest, MetadataResponse> = {
  api: metadataApi,
  translate(request, version, context) {
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    return {
      kind: 'forward',
      request: {
        api: 'Metadata',
        ...requestBase(context),
        topics: request.topics ?? [],
        allTopics,
        errorUnavailableEndpoints: version === 0,
        ...(request.allowAutoTopicCreation === undefined ? {} : { allowAutoTopicCreation: request.allowAutoTopicCreation }),
      },
      response: (internal) => {
        const answer = expectResponse(internal, 'Metadata');
        const brokers: MetadataResponseBroker[] = [];
        const alive = new Set<number>();
        for (const broker of answer.brokers) {
          const address = context.advertised(broker.id);
          if (address === undefined) continue;
          alive.add(broker.id);
          brokers.push({ nodeId: broker.id, host: address.host, port: address.port, rack: null });
        }
        return {
          throttleTimeMs: 0,
          brokers,
          clusterId: answer.clusterId,
          controllerId: answer.controllerId,
          topics: answer.topics.map((topic) => ({
            errorCode: topic.errorCode,
            name: topic.topic,
            isInternal: isInternalTopic(topic.topic),
            partitions: topic.partitions.map((p) => ({
              errorCode: p.errorCode,
              partitionIndex: p.partition,
              leaderId: p.leader,
              replicaNodes: p.replicas,
              isrNodes: p.isr,
              offlineReplicas: p.replicas.filter((id) => !alive.has(id)),
            })),
          })),
        };
      },
    };
  },
};
