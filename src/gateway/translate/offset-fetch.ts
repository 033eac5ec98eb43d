/**
 * OffsetFetch (key 9) ↔ the broker's GroupOffsetFetchRequest: the group's committed offsets from
 * its coordinator; -1 for a partition with none. v1 carries a request error in every partition,
 * v2+ also at the top; v2+'s null list asks for every committed partition.
 * Simplified: v0 (ZooKeeper-stored offsets in Kafka 0.8.1) reads the coordinator's offsets too;
 * leader epochs (v5+) are -1.
 */
import type { TopicAndPartition } from '../../protocol/api.ts';
import { offsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponseTopic } from '../../protocol/wire/apis/offset-fetch.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const offsetFetchTranslator: Translator<'OffsetFetch', OffsetFetchRequest, OffsetFetchResponse> = {
  api: offsetFetchApi,
  translate(request, version, context) {
    const partitions: TopicAndPartition[] | null =
      request.topics === null ? null : request.topics.flatMap((topic) => topic.partitionIndexes.map((partition) => ({ topic: topic.name, partition })));
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

function groupByTopic(partitions: readonly TopicAndPartition[]): { name: string; partitionIndexes: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const p of partitions) {
    const list = topics.get(p.topic);
    if (list === undefined) topics.set(p.topic, [p.partition]);
    else list.push(p.partition);
  }
  return [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
