/**
 * 0.8's OffsetRequest (`Offsets`) and the newer `ListOffsets`, both ↔ the wire's ListOffsets
 * (key 2). v0 answers up to `maxNumOffsets` offsets before a time (0.8.2's exact meaning); v1+
 * answers one offset (KIP-79), so an `Offsets` request on v1+ gets at most one offset, none on
 * error or when the broker has none (-1). A `ListOffsets` request sent as v0 asks for one offset
 * and reports timestamp -1.
 */
import type { ListOffsetsRequest, OffsetPartitionResponse, OffsetRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ListOffsetsPartitionResponse } from '../../protocol/wire/apis/list-offsets.ts';
import { ANY_VERSION, byPartition, groupByTopic, type ClientTranslation } from './call.ts';

export const offsetsTranslation: ClientTranslation<OffsetRequest, 'ListOffsets'> = {
  wireApi: 'ListOffsets',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire(request) {
    return {
      replicaId: request.replicaId,
      isolationLevel: 0,
      topics: groupByTopic(request.partitions).map(({ topic, items }) => ({
        name: topic,
        partitions: items.map((p) => ({ partitionIndex: p.partition, timestamp: p.time, maxNumOffsets: p.maxNumOffsets })),
      })),
    };
  },
  fromWire(response, request, version) {
    const answers = byPartition<ListOffsetsPartitionResponse>(response.topics, (p) => p.partitionIndex);
    const partitions: OffsetPartitionResponse[] = request.partitions.map((p) => {
      const answer = answers.get(`${p.topic}/${p.partition}`);
      if (answer === undefined) return { topic: p.topic, partition: p.partition, errorCode: ErrorCode.Unknown, offsets: [] };
      const offsets = version === 0 ? (answer.oldStyleOffsets ?? []) : answer.errorCode === 0 && (answer.offset ?? -1) >= 0 ? [answer.offset!] : [];
      return { topic: p.topic, partition: p.partition, errorCode: answer.errorCode, offsets };
    });
    return { api: 'Offsets', partitions };
  },
};

export const listOffsetsTranslation: ClientTranslation<ListOffsetsRequest, 'ListOffsets'> = {
  wireApi: 'ListOffsets',
  versions: () => ANY_VERSION,
  expectsResponse: () => true,
  toWire(request) {
    return {
      replicaId: request.replicaId,
      isolationLevel: request.isolationLevel,
      topics: groupByTopic(request.partitions).map(({ topic, items }) => ({
        name: topic,
        partitions: items.map((p) => ({ partitionIndex: p.partition, timestamp: p.timestamp, maxNumOffsets: 1 })),
      })),
    };
  },
  fromWire(response, request, version) {
    const answers = byPartition<ListOffsetsPartitionResponse>(response.topics, (p) => p.partitionIndex);
    return {
      api: 'ListOffsets',
      partitions: request.partitions.map((p) => {
        const answer = answers.get(`${p.topic}/${p.partition}`);
        if (answer === undefined) return { topic: p.topic, partition: p.partition, errorCode: ErrorCode.Unknown, timestamp: -1, offset: -1 };
        const offset = version === 0 ? (answer.oldStyleOffsets?.[0] ?? -1) : (answer.offset ?? -1);
        return { topic: p.topic, partition: p.partition, errorCode: answer.errorCode, timestamp: version === 0 ? -1 : (answer.timestamp ?? -1), offset };
      }),
    };
  },
};
