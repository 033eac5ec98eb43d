/**
 * CreateTopics (key 19) ↔ the broker's CreateTopicsRequest (through the admin path: the topic is
 * written to ZooKeeper and the controller assigns leaders). Errors per topic as codes, with a
 * message from v1; `validateOnly` (v1+) checks without creating; -1 partitions or replication
 * factor (v4+) take the broker's defaults.
 */
import { createTopicsApi, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/wire/apis/create-topics.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const createTopicsTranslator: Translator<'CreateTopics', CreateTopicsRequest, CreateTopicsResponse> = {
  api: createTopicsApi,
  translate(request, _version, context) {
    return {
      kind: 'forward',
      request: {
        api: 'CreateTopics',
        ...requestBase(context),
        timeoutMs: request.timeoutMs,
        validateOnly: request.validateOnly ?? false,
        topics: request.topics.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: t.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: a.brokerIds })),
          configs: t.configs,
        })),
      },
      response: (internal) => ({
        throttleTimeMs: 0,
        topics: expectResponse(internal, 'CreateTopics').topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })),
      }),
    };
  },
};
