/**
 * Metadata translation: brokers advertised at their loopback listeners, v0's empty list and v1+'s
 * null for every topic, dead replicas left out for v0 only, v5's offline replicas, the offsets
 * topic marked internal, the broker's cluster id and controller.
 */
import { describe, expect, it } from 'vitest';
import { metadataTranslator } from '../../../src/gateway/translate/metadata.ts';
import type { MetadataResponse } from '../../../src/protocol/api.ts';
import { CONTEXT, forwarded } from './support.ts';

const ANSWER: MetadataResponse = {
  api: 'Metadata',
  clusterId: 'kafkasim-1',
  controllerId: 2,
  brokers: [
    { id: 1, host: 'broker-1', port: 9092 },
    { id: 2, host: 'broker-2', port: 9092 },
  ],
  topics: [
    { topic: 't', errorCode: 0, partitions: [{ partition: 0, leader: 1, replicas: [1, 3], isr: [1], errorCode: 0 }] },
    { topic: '__consumer_offsets', errorCode: 0, partitions: [] },
  ],
};

describe('the Metadata translator', () => {
  it.each([
    [0, [], { topics: [], allTopics: true, errorUnavailableEndpoints: true }],
    [1, null, { topics: [], allTopics: true, errorUnavailableEndpoints: false }],
    [1, [], { topics: [], allTopics: false, errorUnavailableEndpoints: false }],
    [4, ['t'], { topics: ['t'], allTopics: false, errorUnavailableEndpoints: false }],
  ])('v%i with topics %j asks the broker %j', (version, topics, expected) => {
    expect(forwarded(metadataTranslator.translate({ topics }, version, CONTEXT)).request).toMatchObject({ api: 'Metadata', ...expected });
  });

  it('passes on a v4+ refusal to auto-create', () => {
    expect(forwarded(metadataTranslator.translate({ topics: ['x'], allowAutoTopicCreation: false }, 4, CONTEXT)).request).toMatchObject({ allowAutoTopicCreation: false });
  });

  it('advertises the listeners and answers the broker cluster id, controller, offline replicas and internal topics', () => {
    const response = forwarded(metadataTranslator.translate({ topics: null }, 5, CONTEXT)).respond!(ANSWER);
    expect(response).toEqual({
      throttleTimeMs: 0,
      clusterId: 'kafkasim-1',
      controllerId: 2,
      brokers: [
        { nodeId: 1, host: '127.0.0.1', port: 9001, rack: null },
        { nodeId: 2, host: '127.0.0.1', port: 9002, rack: null },
      ],
      topics: [
        { errorCode: 0, name: 't', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 3], isrNodes: [1], offlineReplicas: [3] }] },
        { errorCode: 0, name: '__consumer_offsets', isInternal: true, partitions: [] },
      ],
    });
  });
});
