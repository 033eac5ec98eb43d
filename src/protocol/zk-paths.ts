/**
 * Kafka 0.8.2's ZooKeeper layout (`kafka.utils.ZkUtils`, `ZKGroupDirs`, `ZKGroupTopicDirs`).
 */
export const ZkPaths = {
  consumers: '/consumers',
  brokerIds: '/brokers/ids',
  brokerTopics: '/brokers/topics',
  topicConfig: '/config/topics',
  topicConfigChanges: '/config/changes',
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  reassignPartitions: '/admin/reassign_partitions',
  deleteTopics: '/admin/delete_topics',
  preferredReplicaElection: '/admin/preferred_replica_election',
} as const;

/** What `ZkUtils.setupCommonPaths` creates at broker start-up (0.8.2). */
export const KAFKA_COMMON_PATHS: readonly string[] = [
  ZkPaths.consumers,
  ZkPaths.brokerIds,
  ZkPaths.brokerTopics,
  ZkPaths.topicConfigChanges,
  ZkPaths.topicConfig,
  ZkPaths.deleteTopics,
];

export const brokerIdPath = (brokerId: number): string => `${ZkPaths.brokerIds}/${brokerId}`;
export const topicPath = (topic: string): string => `${ZkPaths.brokerTopics}/${topic}`;
export const topicPartitionsPath = (topic: string): string => `${topicPath(topic)}/partitions`;
export const partitionStatePath = (topic: string, partition: number): string =>
  `${topicPartitionsPath(topic)}/${partition}/state`;
export const topicConfigPath = (topic: string): string => `${ZkPaths.topicConfig}/${topic}`;

/** `ZKGroupDirs` and `ZKGroupTopicDirs`. */
export const consumerGroupDir = (group: string): string => `${ZkPaths.consumers}/${group}`;
export const consumerRegistryDir = (group: string): string => `${consumerGroupDir(group)}/ids`;
export const consumerIdPath = (group: string, consumerId: string): string => `${consumerRegistryDir(group)}/${consumerId}`;
export const consumerOffsetDir = (group: string, topic: string): string => `${consumerGroupDir(group)}/offsets/${topic}`;
export const consumerOffsetPath = (group: string, topic: string, partition: number): string =>
  `${consumerOffsetDir(group, topic)}/${partition}`;
export const consumerOwnerDir = (group: string, topic: string): string => `${consumerGroupDir(group)}/owners/${topic}`;
export const consumerOwnerPath = (group: string, topic: string, partition: number): string =>
  `${consumerOwnerDir(group, topic)}/${partition}`;
