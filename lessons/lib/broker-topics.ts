/**
 * The topics a lesson uses, on a real broker: ensured to exist (kafka-python's
 * `ensure_topic_exists`: a broker that creates topics on first use does it on the metadata
 * request) and their partition counts, as the broker's Metadata says (it picks the count when it
 * creates a topic).
 */
import { KafkaClient } from '../../src/client/kafka-client.ts';
import type { Runtime } from '../../src/client/runtime.ts';

export async function brokerPartitionCounts(runtime: Runtime, bootstrapServers: string, topics: readonly string[], clientId: string): Promise<Record<string, number>> {
  const admin = await KafkaClient.create(runtime, bootstrapServers, { clientId });
  try {
    for (const topic of topics) await admin.ensureTopicExists(topic, 30_000);
    const metadata = await admin.sendMetadataRequest([...topics]);
    return Object.fromEntries(topics.map((topic) => [topic, metadata.topics.find((t) => t.topic === topic)?.partitions.length ?? 0]));
  } finally {
    admin.close();
  }
}
