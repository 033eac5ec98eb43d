/**
 * OffsetFetch (key 9). v0 is 0.8's OffsetFetchRequest, answered by any broker from ZooKeeper
 * (0.8.2's `KafkaApis.handleOffsetFetchRequest`, versionId 0); v1+ ↔ the broker's
 * GroupOffsetFetchRequest: the group's committed offsets from its coordinator; -1 for a partition
 * with none. v1 carries a request error in every partition, v2+ also at the top; v2+'s null list
 * asks for every committed partition. Leader epochs (v5+) are -1.
 */
import type { TopicAndPartition } from '../../protocol/api.ts';
import { offsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponseTopic } from '../../protocol/wire/apis/offset-fetch.ts';
import { expectResponse, requestBase, type TranslateContext, type Translation, type Translator } from './translator.ts';

export const offsetFetchTranslator: Translator<'OffsetFetch', OffsetFetchRequest, OffsetFetchResponse> = {
  api: offsetFetchApi,
  translate(request, version, context) {
    const partitions: TopicAndPartition[] | null =
      request.topics === null ? null : request.topics.flatMap((topic) => topic.partitionIndexes.map((partition) => ({ topic: topic.name, partition })));
    if (version === 0) return zooKeeperOffsetFetch(request.groupId, partitions ?? [], context);
    return {
      kind: 'forward',
      request: { api: 'GroupOffsetFetch', ...requestBase(context), groupId: request.groupId, partitions },
      response: (internal) => {
        const answer = expectResponse(internal, 'GroupOffsetFetch');
        const byKey = new Map(answer.partitions.map((p) => [`${p.topic}/${p.partition}`, p]));
        const asked = request.topics ?? groupByTopic(answer.partitions);
        const topics: OffsetFetchResponseTopic[] = asked.map((topic) => ({
          name: topic.name,
          partitions: topic.partitionIndexes.map((partitionIndex) => {
            const found = byKey.get(`${topic.name}/${partitionIndex}`);
            return {
              partitionIndex,
              committedOffset: found?.offset ?? -1,
              committedLeaderEpoch: -1,
              metadata: found?.metadata ?? '',
              errorCode: version < 2 && answer.errorCode !== 0 ? answer.errorCode : (found?.errorCode ?? 0),
            };
          }),
        }));
        return { throttleTimeMs: 0, topics, errorCode: answer.errorCode };
      },
    };
  },
};

/** v0: 0.8's OffsetFetch, served by any broker from ZooKeeper (no top-level error in v0). */
function zooKeeperOffsetFetch(groupId: string, partitions: TopicAndPartition[], context: TranslateContext): Translation<OffsetFetchResponse> {
  return {
    kind: 'forward',
    request: { api: 'OffsetFetch', ...requestBase(context), groupId, partitions },
    response: (internal) => {
      const answer = expectResponse(internal, 'OffsetFetch');
      const topics = groupByTopic(answer.partitions).map(({ name }) => ({
        name,
        partitions: answer.partitions
          .filter((p) => p.topic === name)
          .map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, metadata: p.metadata, errorCode: p.errorCode })),
      }));
      return { throttleTimeMs: 0, topics, errorCode: 0 };
    },
  };
}

function groupByTopic(partitions: readonly TopicAndPartition[]): { name: string; partitionIndexes: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const p of partitions) {
    const list = topics.get(p.topic);
    if (list === undefined) topics.set(p.topic, [p.partition]);
    else list.push(p.partition);
  }
  return [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
