/**
 * OffsetCommit (key 8) ↔ the broker's GroupOffsetCommitRequest: offsets kept by the group
 * coordinator, fenced by generation and member id (v1+); a commit from outside group management
 * has generation -1 and no member.
 * Simplified: v0 (ZooKeeper-stored offsets in Kafka 0.8.1) goes to the coordinator too, as a
 * commit from outside group management; per-partition timestamps (v1), retention times (v2-v4)
 * and leader epochs (v6+) are ignored: offsets never expire.
 */
import { offsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/wire/apis/offset-commit.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const offsetCommitTranslator: Translator<'OffsetCommit', OffsetCommitRequest, OffsetCommitResponse> = {
  api: offsetCommitApi,
  translate(request, _version, context) {
    const offsets = request.topics.flatMap((topic) =>
      topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata ?? '' })),
    );
    return {
      kind: 'forward',
      request: { api: 'GroupOffsetCommit', ...requestBase(context), groupId: request.groupId, generationId: request.generationId ?? -1, memberId: request.memberId ?? '', offsets },
      response: (internal) => {
        const errors = new Map(expectResponse(internal, 'GroupOffsetCommit').partitions.map((p) => [`${p.topic}/${p.partition}`, p.errorCode]));
        return {
          throttleTimeMs: 0,
          topics: request.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(`${topic.name}/${p.partitionIndex}`) ?? ErrorCode.Unknown })),
          })),
        };
      },
    };
  },
};
