/**
 * Metadata ↔ the wire's Metadata (key 3). An internal request with no topics asks for every topic
 * (0.8's meaning: v0's empty list, v1+'s null); `allTopics: false` with no topics asks for none,
 * which only v1+ can say. `allowAutoTopicCreation` is sent from v4. The answer's brokers, topics
 * and partitions are taken as they are (partitions in partition order); the cluster id (v2+) is ''
 * and the controller (v1+) -1 where the version has none.
 * Not modelled: racks and offline replicas (the internal response has no place for them).
 */
import type { MetadataRequest } from '../../protocol/api.ts';
import { ANY_VERSION, type ClientTranslation } from './call.ts';

export const metadataTranslation: ClientTranslation<MetadataRequest, 'Metadata'> = {
  wireApi: 'Metadata',
  versions: (request) =>
    request.allTopics === false && request.topics.length === 0 ? { min: 1, max: ANY_VERSION.max, why: 'asking for no topics needs v1+' } : ANY_VERSION,
  expectsResponse: () => true,
  toWire(request) {
    const all = request.allTopics ?? request.topics.length === 0;
    return {
      topics: all ? null : [...request.topics],
      ...(request.allowAutoTopicCreation === undefined ? {} : { allowAutoTopicCreation: request.allowAutoTopicCreation }),
    };
  },
  fromWire(response) {
    return {
      api: 'Metadata',
      brokers: response.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port })),
      clusterId: response.clusterId ?? '',
      controllerId: response.controllerId ?? -1,
      topics: response.topics.map((t) => ({
        topic: t.name,
        errorCode: t.errorCode,
        partitions: [...t.partitions]
          .sort((a, b) => a.partitionIndex - b.partitionIndex)
          .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes, errorCode: p.errorCode })),
      })),
    };
  },
};
