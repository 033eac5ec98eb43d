/**
 * ListOffsets (key 2): v0 ↔ the 0.8.2 OffsetRequest (up to `maxNumOffsets` offsets before a
 * time, the log end offset for -1), v1+ ↔ the broker's ListOffsetsRequest (one offset: the high
 * watermark for -1, the log start offset for -2, with timestamp -1; offsets by time are
 * UNSUPPORTED_FOR_MESSAGE_FORMAT (43), the 0.8.2 log keeping no timestamps). The isolation level
 * (v2+) is passed on and means nothing without transactions.
 */
import type { OffsetPartitionRequest } from '../../protocol/api.ts';
import { listOffsetsApi, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/wire/apis/list-offsets.ts';
import { expectResponse, requestBase, type Translator } from './translator.ts';

export const listOffsetsTranslator: Translator<'ListOffsets', ListOffsetsRequest, ListOffsetsResponse> = {
  api: listOffsetsApi,
  translate(request, version, context) {
    if (version === 0) {
      const partitions: OffsetPartitionRequest[] = request.topics.flatMap((topic) =>
        topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, time: p.timestamp, maxNumOffsets: p.maxNumOffsets ?? 1 })),
      );
      return {
        kind: 'forward',
        request: { api: 'Offsets', ...requestBase(context), replicaId: request.replicaId, partitions },
        response: (internal) => {
          const answers = expectResponse(internal, 'Offsets').partitions;
          let i = 0;
          return {
            topics: request.topics.map((topic) => ({
              name: topic.name,
              partitions: topic.partitions.map((p) => {
                const answer = answers[i++]!;
                return { partitionIndex: p.partitionIndex, errorCode: answer.errorCode, oldStyleOffsets: answer.offsets };
              }),
            })),
          };
        },
      };
    }
    const partitions = request.topics.flatMap((topic) => topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, timestamp: p.timestamp })));
    return {
      kind: 'forward',
      request: { api: 'ListOffsets', ...requestBase(context), replicaId: request.replicaId, isolationLevel: request.isolationLevel ?? 0, partitions },
      response: (internal) => {
        const answers = expectResponse(internal, 'ListOffsets').partitions;
        let i = 0;
        return {
          throttleTimeMs: 0,
          topics: request.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitions.map((p) => {
              const answer = answers[i++]!;
              return { partitionIndex: p.partitionIndex, errorCode: answer.errorCode, timestamp: answer.timestamp, offset: answer.offset };
            }),
          })),
        };
      },
    };
  },
};
