/**
 * `AdminUtils.createTopic` (0.8.2): validate the name (`Topic.validate`), assign replicas over the
 * live brokers read from /brokers/ids (`assignReplicasToBrokers`), write the topic's config
 * overrides to /config/topics/<topic>, then its assignment to /brokers/topics/<topic>: the
 * controller sees the new child of /brokers/topics and brings the partitions online.
 */
import { KafkasimError } from '../../sim/errors.ts';
import type { RandomSource } from '../../protocol/runtime.ts';
import type { ZkClient } from '../../protocol/zk-client.ts';
import { ZkPaths, topicConfigPath, topicPath } from '../../protocol/zk-paths.ts';
import { createPersistentPath, getChildrenParentMayNotExist } from '../../protocol/zk-utils.ts';
import { encodeTopicAssignment, encodeTopicConfig } from '../../protocol/zk-data.ts';
import { isZkError } from '../../protocol/zookeeper.ts';
import { topicOverridesToProperties, type TopicConfig } from '../config.ts';
import { assignReplicasToBrokers } from './assign-replicas.ts';

/** `TopicExistsException`. */
export class TopicExistsError extends KafkasimError {
  readonly code = 'TOPIC_EXISTS';
  constructor(readonly topic: string) {
    super(`Topic "${topic}" already exists.`);
  }
}

/** `InvalidTopicException` from `Topic.validate`. */
export class InvalidTopicNameError extends KafkasimError {
  readonly code = 'INVALID_TOPIC';
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`topic name ${JSON.stringify(topic)} is illegal, ${reason}`);
  }
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 255;

/** `Topic.validate`: throws InvalidTopicNameError. */
export function validateTopicName(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0) throw new InvalidTopicNameError(String(topic), "can't be empty");
  if (topic === '.' || topic === '..') throw new InvalidTopicNameError(topic, 'cannot be "." or ".."');
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicNameError(topic, `can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
  }
  if (!LEGAL_TOPIC.test(topic)) {
    throw new InvalidTopicNameError(topic, "contains a character other than ASCII alphanumerics, '.', '_' and '-'");
  }
}

export interface CreateTopicOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config?: Partial<TopicConfig>;
  readonly rng: RandomSource;
  /** Replicas per partition chosen by the caller (CreateTopics with explicit assignments); otherwise assigned over the live brokers. */
  readonly assignment?: ReadonlyMap<number, readonly number[]>;
}

/** Returns the assignment written (partition → replicas). */
export async function createTopic(zk: ZkClient, options: CreateTopicOptions): Promise<Map<number, number[]>> {
  validateTopicName(options.topic);
  const assignment = options.assignment !== undefined
    ? new Map([...options.assignment].map(([partition, replicas]) => [partition, [...replicas]]))
    : assignReplicasToBrokers(await liveBrokers(zk), options.partitions, options.replicationFactor, { rng: options.rng });
  if (await zk.exists(topicPath(options.topic))) throw new TopicExistsError(options.topic);
  await writeTopicConfig(zk, options.topic, options.config ?? {});
  try {
    await createPersistentPath(zk, topicPath(options.topic), encodeTopicAssignment(assignment));
  } catch (error) {
    if (isZkError(error, 'NODEEXISTS')) throw new TopicExistsError(options.topic);
    throw error;
  }
  return assignment;
}

/** The registered brokers, by id (`ZkUtils.getSortedBrokerList`). */
export async function liveBrokers(zk: ZkClient): Promise<number[]> {
  return (await getChildrenParentMayNotExist(zk, ZkPaths.brokerIds)).map(Number).sort((a, b) => a - b);
}

async function writeTopicConfig(zk: ZkClient, topic: string, config: Partial<TopicConfig>): Promise<void> {
  const data = encodeTopicConfig(topicOverridesToProperties(config));
  try {
    await createPersistentPath(zk, topicConfigPath(topic), data);
  } catch (error) {
    if (!isZkError(error, 'NODEEXISTS')) throw error;
    await zk.writeData(topicConfigPath(topic), data);
  }
}
