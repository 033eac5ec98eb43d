/**
 * OffsetCommit (API 8) and OffsetFetch (API 9), version 0: offsets kept in ZooKeeper at
 * /consumers/<group>/offsets/<topic>/<partition> (0.8.1.1/0.8.2 `KafkaApis`, v0 path), the node
 * the high-level consumer uses too.
 *
 * Modelled: a topic unknown to the metadata cache → UnknownTopicOrPartition (3), checked first;
 * metadata longer than `offset.metadata.max.bytes` → OffsetMetadataTooLarge (12); a fetch of a
 * node that does not exist answers offset -1 with UnknownTopicOrPartition (3), as 0.8.1.1 and
 * 0.8.2.2 do.
 * Not modelled: version 1 (offsets in the `__consumer_offsets` topic, coordinators).
 */
import type { OffsetCommitRequest, OffsetFetchRequest } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { consumerOffsetPath } from '../../protocol/zk-paths.ts';
import { readDataMaybeNull, updatePersistentPath } from '../../protocol/zk-utils.ts';
import { encodeConsumerOffset, parseConsumerOffset } from '../../protocol/zk-data.ts';
import { brokerState } from '../broker-context.ts';
import { hasTopic } from '../metadata-cache.ts';
import type { Handler } from './api-context.ts';

export const handleOffsetCommit: Handler<OffsetCommitRequest> = (api, request, channel) => {
  const { ctx } = api;
  const cache = brokerState(ctx).metadata;
  const maxBytes = ctx.config['offset.metadata.max.bytes'];
  ctx.env.spawn(`broker-${ctx.brokerId}/offset-commit ${request.groupId}`, async () => {
    const partitions = [];
    for (const { topic, partition, offset, metadata } of request.offsets) {
      let errorCode: number = ErrorCode.NoError;
      // 0.8.2 `handleOffsetCommitRequest` (v0): `ensureTopicExists` first, then the metadata's
      // `String.length` (UTF-16 units, as JavaScript counts) against offset.metadata.max.bytes.
      if (!hasTopic(cache, topic)) errorCode = ErrorCode.UnknownTopicOrPartition;
      else if (metadata !== undefined && metadata.length > maxBytes) errorCode = ErrorCode.OffsetMetadataTooLarge;
      else await updatePersistentPath(ctx.zk, consumerOffsetPath(request.groupId, topic, partition), encodeConsumerOffset(offset));
      partitions.push({ topic, partition, errorCode });
    }
    channel.respond({ api: 'OffsetCommit', partitions });
  });
};

export const handleOffsetFetch: Handler<OffsetFetchRequest> = (api, request, channel) => {
  const { ctx } = api;
  ctx.env.spawn(`broker-${ctx.brokerId}/offset-fetch ${request.groupId}`, async () => {
    const partitions = [];
    for (const { topic, partition } of request.partitions) {
      // `ensureTopicExists` before reading ZooKeeper (0.8.2 `handleOffsetFetchRequest`, v0).
      if (!hasTopic(brokerState(ctx).metadata, topic)) {
        partitions.push({ topic, partition, offset: -1, metadata: '', errorCode: ErrorCode.UnknownTopicOrPartition });
        continue;
      }
      const stored = await readDataMaybeNull(ctx.zk, consumerOffsetPath(request.groupId, topic, partition));
      if (stored === null) partitions.push({ topic, partition, offset: -1, metadata: '', errorCode: ErrorCode.UnknownTopicOrPartition });
      else partitions.push({ topic, partition, offset: parseConsumerOffset(stored.data), metadata: '', errorCode: ErrorCode.NoError });
    }
    channel.respond({ api: 'OffsetFetch', partitions });
  });
};
