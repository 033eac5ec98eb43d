/**
 * OffsetCommit (key 8). v0 is 0.8's OffsetCommitRequest, answered by any broker and stored in
 * ZooKeeper (`KafkaApis.handleOffsetCommitRequest` in 0.8.2, versionId 0); v1+ ↔ the broker's
 * GroupOffsetCommitRequest: offsets kept by the group coordinator, fenced by generation and member
 * id; a commit from outside group management has generation -1 and no member.
 * Simplified: per-partition timestamps (v1), retention times (v2-v4) and leader epochs (v6+) are
 * ignored: offsets never expire.
 */
import { offsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/wire/apis/offset-commit.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const offsetCommitTranslator: Translator<'OffsetCommit', OffsetCommitRequest, OffsetCommitResponse> = {
  api: offsetCommitApi,
  translate(request, version, context) {
    const offsets = request.topics.flatMap((topic) =>
      topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata ?? '' })),
    );
    const base = requestBase(context);
    return {
      kind: 'forward',
      request:
        version === 0
          ? { api: 'OffsetCommit', ...base, groupId: request.groupId, offsets }
          : { api: 'GroupOffsetCommit', ...base, groupId: request.groupId, generationId: request.generationId ?? -1, memberId: request.memberId ?? '', offsets },
      response: (internal) => {
        const answer = version === 0 ? expectResponse(internal, 'OffsetCommit') : expectResponse(internal, 'GroupOffsetCommit');
        const errors = new Map(answer.partitions.map((p) => [`${p.topic}/${p.partition}`, p.errorCode]));
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
