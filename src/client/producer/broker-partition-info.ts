/**
 * `BrokerPartitionInfo` and `ProducerPool` (0.8.2): the producer's cached topic metadata and its
 * connections to leaders.
 *
 * `updateInfo` asks the bootstrap brokers for metadata (shuffled, first answer wins); a topic
 * answered with an error is not cached (an older entry stays); every leader's connection is closed
 * so the next send reconnects (`ProducerPool.updateProducer`). `partitionsFor` returns the cached
 * partitions sorted by id with their leaders, refreshing once when the topic is unknown.
 */
import type { TopicMetadata } from '../../protocol/api.ts';
import { kafkaErrorFor } from '../../protocol/errors.ts';
import { ConnectionPool, fetchTopicMetadata, type HostAndPort } from '../metadata.ts';
import type { Runtime } from '../runtime.ts';

export interface PartitionAndLeader {
  readonly topic: string;
  readonly partition: number;
  /** The leader's id, or undefined when the partition has none. */
  readonly leader: number | undefined;
}

export class BrokerPartitionInfo {
  private readonly topics = new Map<string, TopicMetadata>();

  constructor(
    private readonly runtime: Runtime,
    private readonly brokers: readonly HostAndPort[],
    readonly pool: ConnectionPool,
    private readonly options: { readonly clientId: string; readonly timeoutMs: number },
  ) {}

  /** `updateInfo`: throws MetadataFetchError when no broker answers. */
  async updateInfo(topics: Iterable<string>): Promise<void> {
    const response = await fetchTopicMetadata(this.runtime, this.brokers, [...topics], this.options);
    this.pool.learn(response.brokers);
    for (const topic of response.topics) if (topic.errorCode === 0) this.topics.set(topic.topic, topic);
    for (const topic of response.topics) {
      for (const partition of topic.partitions) if (partition.leader >= 0) this.pool.close(partition.leader);
    }
  }

  /** `getBrokerPartitionInfo`. */
  async partitionsFor(topic: string): Promise<PartitionAndLeader[]> {
    let metadata = this.topics.get(topic);
    if (metadata === undefined) {
      await this.updateInfo([topic]);
      metadata = this.topics.get(topic);
      if (metadata === undefined) throw new Error(`Failed to fetch topic metadata for topic: ${topic}`);
    }
    if (metadata.partitions.length === 0) {
      if (metadata.errorCode !== 0) throw kafkaErrorFor(metadata.errorCode, topic);
      throw new Error(`Topic metadata for ${topic} has empty partition metadata and no error code`);
    }
    return metadata.partitions
      .map((p) => ({ topic, partition: p.partition, leader: p.leader >= 0 ? p.leader : undefined }))
      .sort((a, b) => a.partition - b.partition);
  }
}
