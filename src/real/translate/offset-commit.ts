/**
 * Offset commits ↔ the wire's OffsetCommit (key 8). 0.8's `OffsetCommit` is version 0 and only
 * 0 (a 0.8.2 broker writes it to ZooKeeper; later versions mean the group coordinator's store,
 * fenced by generation). `GroupOffsetCommit` is v1+ with the member's generation and id; v1's
 * per-partition timestamp and v2-v4's retention time are sent as "the broker's default" (-1).
 * Every partition asked is answered; one the broker left out gets Unknown (-1).
 */
import type { GroupOffsetCommitRequest, OffsetCommitRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { OffsetCommitResponse, OffsetCommitResponsePartition } from '../../protocol/wire/apis/offset-commit.ts';
import { ANY_VERSION, byPartition, groupByTopic, type ClientTranslation } from './call.ts';

type Commit = { readonly topic: string; readonly partition: number; readonly offset: number; readonly metadata: string };

function topicsOf(offsets: readonly Commit[]) {
  return groupByTopic(offsets).map(({ topic, items }) => ({
    name: topic,
    partitions: items.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: o.metadata })),
  }));
}

function errorsOf(response: OffsetCommitResponse, offsets: readonly Commit[]) {
  const answers = byPartition<OffsetCommitResponsePartition>(response.topics, (p) => p.partitionIndex);
  return offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode: answers.get(`${o.topic}/${o.partition}`)?.errorCode ?? ErrorCode.Unknown }));
}

export const offsetCommitTranslation: ClientTranslation<OffsetCommitRequest, 'OffsetCommit'> = {
  wireApi: 'OffsetCommit',
  versions: () => ({ min: 0, max: 0, why: "0.8's OffsetCommit is version 0" }),
  expectsResponse: () => true,
  toWire: (request) => ({ groupId: request.groupId, topics: topicsOf(request.offsets) }),
  fromWire: (response, request) => ({ api: 'OffsetCommit', partitions: errorsOf(response, request.offsets) }),
};

export const groupOffsetCommitTranslation: ClientTranslation<GroupOffsetCommitRequest, 'OffsetCommit'> = {
  wireApi: 'OffsetCommit',
  versions: () => ({ min: 1, max: ANY_VERSION.max, why: 'offsets kept by the group coordinator need v1+' }),
  expectsResponse: () => true,
  toWire: (request) => ({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: topicsOf(request.offsets),
  }),
  fromWire: (response, request) => ({ api: 'GroupOffsetCommit', partitions: errorsOf(response, request.offsets) }),
};
