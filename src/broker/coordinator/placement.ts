/**
 * Which broker coordinates a group (Kafka 0.9–2.x `GroupMetadataManager.partitionFor` and
 * `KafkaApis.handleFindCoordinatorRequest`): the leader of partition
 * `abs(groupId.hashCode) % offsets.topic.num.partitions` of `__consumer_offsets`. The offsets
 * topic is created on the first lookup, as Kafka does, with `offsets.topic.num.partitions`
 * partitions and `offsets.topic.replication.factor` capped at the live brokers (0.8.2
 * `KafkaApis.getTopicMetadata`).
 *
 * Simplified: the partitions of `__consumer_offsets` carry no data. Kafka appends every offset
 * commit and group change to them and a new leader reloads the groups from its replica; here
 * the coordinator keeps committed offsets in ZooKeeper (`offset-store.ts`) and group membership
 * in memory, so leadership of the partition decides who coordinates and ZooKeeper decides what
 * survives a coordinator crash.
 */
import { OFFSETS_TOPIC } from '../../protocol/api.ts';
import { autoCreateTopic } from '../admin/auto-create.ts';
import { brokerState, type BrokerContext } from '../broker-context.ts';
import { partitionKey } from '../state.ts';

/** Java's `String.hashCode` (UTF-16 code units, 32-bit overflow). */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** `Utils.abs(groupId.hashCode) % partitions` (`Utils.abs` maps Integer.MIN_VALUE to 0). */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  const hash = javaStringHash(groupId);
  return (hash === -2_147_483_648 ? 0 : Math.abs(hash)) % partitions;
}

/** The key (`__consumer_offsets-<n>`) of the partition whose leader coordinates `groupId`. */
export function offsetsPartitionKey(ctx: BrokerContext, groupId: string): string {
  return partitionKey(OFFSETS_TOPIC, offsetsPartitionFor(groupId, ctx.config['offsets.topic.num.partitions']));
}

/** Starts creating `__consumer_offsets` in the background (at most once at a time per broker process). */
export function createOffsetsTopic(ctx: BrokerContext, why: string): void {
  const aliveBrokers = brokerState(ctx).metadata.aliveBrokers.length;
  const partitions = ctx.config['offsets.topic.num.partitions'];
  const replicationFactor = Math.max(1, Math.min(ctx.config['offsets.topic.replication.factor'], aliveBrokers));
  autoCreateTopic(ctx, {
    topic: OFFSETS_TOPIC,
    partitions,
    replicationFactor,
    narration: `Broker ${ctx.brokerId} creates the offsets topic ${OFFSETS_TOPIC} (${partitions} partition(s), replication factor ${replicationFactor}) ${why}.`,
  });
}
