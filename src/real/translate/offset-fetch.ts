/**
 * Committed offsets ↔ the wire's OffsetFetch (key 9). 0.8's `OffsetFetch` is version 0 only (a
 * 0.8.2 broker reads ZooKeeper); `GroupOffsetFetch` is v1+ (v2+ when it asks for every committed
 * partition, null). v1 carries a request error in each partition; the internal response's request
 * error is v2+'s, else 0.
 */
import type { GroupOffsetFetchRequest, OffsetFetchRequest, TopicAndPartition } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { OffsetFetchResponse } from '../../protocol/wire/apis/offset-fetch.ts';
import { ANY_VERSION, groupByTopic, type ClientTranslation } from './call.ts';

function topicsOf(partitions: readonly TopicAndPartition[]) {
  return groupByTopic(partitions).map(({ topic, items }) => ({ name: topic, partitionIndexes: items.map((p) => p.partition) }));
}

/** Every partition of the answer, or of `asked` (in its order) when given. */
function partitionsOf(response: OffsetFetchResponse, asked: readonly TopicAndPartition[] | null) {
  const answers = response.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata ?? '', errorCode: p.errorCode })),
  );
  if (asked === null) return answers;
  const byKey = new Map(answers.map((a) => [`${a.topic}/${a.partition}`, a]));
  return asked.map((p) => byKey.get(`${p.topic}/${p.partition}`) ?? { topic: p.topic, partition: p.partition, offset: -1, metadata: '', errorCode: ErrorCode.Unknown });
}

export const offsetFetchTranslation: ClientTranslation<OffsetFetchRequest, 'OffsetFetch'> = {
  wireApi: 'OffsetFetch',
  versions: () => ({ min: 0, max: 0, why: "0.8's OffsetFetch is version 0" }),
  expectsResponse: () => true,
  toWire: (request) => ({ groupId: request.groupId, topics: topicsOf(request.partitions) }),
  fromWire: (response, request) => ({ api: 'OffsetFetch', partitions: partitionsOf(response, request.partitions) }),
};

export const groupOffsetFetchTranslation: ClientTranslation<GroupOffsetFetchRequest, 'OffsetFetch'> = {
  wireApi: 'OffsetFetch',
  versions: (request) =>
    request.partitions === null
      ? { min: 2, max: ANY_VERSION.max, why: 'asking for every committed partition needs v2+' }
      : { min: 1, max: ANY_VERSION.max, why: 'offsets kept by the group coordinator need v1+' },
  expectsResponse: () => true,
  toWire: (request) => ({ groupId: request.groupId, topics: request.partitions === null ? null : topicsOf(request.partitions) }),
  fromWire: (response, request) => ({ api: 'GroupOffsetFetch', errorCode: response.errorCode ?? 0, partitions: partitionsOf(response, request.partitions) }),
};
