/**
 * What a client can see of a real cluster's membership and leadership: one Metadata request (the
 * live brokers, the controller for v1+, each partition's leader, replicas and ISR), printed as
 * tables. For the lessons about the simulator's internals (kernel, ZooKeeper, controller) on a
 * broker, where this is all that remains visible.
 */
import { KafkaClient } from '../../src/client/kafka-client.ts';
import type { MetadataResponse } from '../../src/protocol/api.ts';
import type { LessonBackend } from './backend.ts';
import type { LessonRun } from './lesson-kit.ts';

/** Asks the brokers for metadata (of `topics`, created on first use where the broker does; none: every topic) and prints it. */
export async function showBrokerMetadata(run: LessonRun, backend: LessonBackend & { kind: 'broker' }, topics: readonly string[] = []): Promise<MetadataResponse> {
  const client = await KafkaClient.create(backend.runtime, backend.bootstrapServers, { clientId: `lesson-${run.lesson.id}` });
  let metadata: MetadataResponse;
  try {
    for (const topic of topics) await client.ensureTopicExists(topic, 30_000);
    metadata = await client.sendMetadataRequest(topics);
  } finally {
    client.close();
  }
  run.say(`Metadata from ${backend.bootstrapServers}: the live brokers${metadata.controllerId >= 0 ? ' and the controller' : ''}:`);
  run.table(
    ['broker', 'host:port', 'controller'],
    [...metadata.brokers].sort((a, b) => a.id - b.id).map((b) => [b.id, `${b.host}:${b.port}`, b.id === metadata.controllerId ? 'yes' : '']),
  );
  const partitions = metadata.topics.filter((t) => !t.topic.startsWith('__')).flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p })));
  if (partitions.length > 0) {
    run.table(
      ['partition', 'leader', 'replicas', 'isr'],
      partitions.map((p) => [`${p.topic}-${p.partition}`, p.leader, p.replicas.join(','), p.isr.join(',')]),
    );
  }
  return metadata;
}
