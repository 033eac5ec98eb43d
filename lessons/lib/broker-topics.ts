/**
 * What a client can see of topics on a real broker, for lessons run with --broker: each topic's
 * partitions with leader, replicas and ISR from a Metadata request (the topic ensured first, as
 * kafka-python's ensure_topic_exists does, so a broker that creates topics on first use creates
 * it), the log end offsets (ListOffsets, latest), and a partition's messages read back with
 * plain fetches. Nothing here is the simulator's: a broker is seen only through its answers.
 */
import { KafkaClient } from '../../src/client/kafka-client.ts';
import type { Runtime } from '../../src/client/runtime.ts';
import type { PartitionMetadata } from '../../src/protocol/api.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import type { LessonBackend } from './backend.ts';
import type { LessonRun } from './lesson-kit.ts';

type Broker = LessonBackend & { kind: 'broker' };

/** A message as the broker's log holds it. */
export interface LoggedMessage {
  readonly offset: number;
  readonly value: string;
}

/** A client of the broker for the lesson's own looks (metadata, offsets, reading back). */
export async function brokerClient(backend: Broker, clientId: string): Promise<KafkaClient> {
  return KafkaClient.create(backend.runtime, backend.bootstrapServers, { clientId, timeoutMs: 10_000 });
}

/**
 * Ensures each topic exists, prints its partitions (leader, replicas, ISR) as Metadata gives
 * them, and returns them by topic, sorted by partition.
 */
export async function showBrokerTopics(run: LessonRun, client: KafkaClient, topics: readonly string[]): Promise<Map<string, PartitionMetadata[]>> {
  for (const topic of topics) await client.ensureTopicExists(topic, 30_000);
  const metadata = await client.sendMetadataRequest(topics);
  const byTopic = new Map<string, PartitionMetadata[]>();
  for (const topic of topics) {
    const partitions = [...(metadata.topics.find((t) => t.topic === topic)?.partitions ?? [])].sort((a, b) => a.partition - b.partition);
    byTopic.set(topic, partitions);
  }
  run.say(`The brokers at ${client.hosts.map((h) => `${h.host}:${h.port}`).join(',')} name ${metadata.brokers.length} broker(s) (Metadata):`);
  run.table(
    ['partition', 'leader', 'replicas', 'isr'],
    topics.flatMap((topic) => byTopic.get(topic)!.map((p) => [`${topic}-${p.partition}`, p.leader, p.replicas.join(','), p.isr.join(',')])),
  );
  return byTopic;
}

/** Each partition's log end offset (ListOffsets, time -1), in partition order. */
export async function logEndOffsets(client: KafkaClient, topic: string, partitions: number): Promise<number[]> {
  const answers = await client.sendOffsetRequest(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, time: -1, maxOffsets: 1 })));
  const ends = new Array<number>(partitions).fill(0);
  for (const answer of answers) if (!(answer instanceof Error)) ends[answer.partition] = answer.offsets[0] ?? 0;
  return ends;
}

/** The messages of `topic`-`partition` from `fromOffset` up to the high watermark. */
export async function readBack(client: KafkaClient, topic: string, partition: number, fromOffset: number): Promise<LoggedMessage[]> {
  const messages: LoggedMessage[] = [];
  let offset = fromOffset;
  for (;;) {
    const [answer] = await client.sendFetchRequest([{ topic, partition, offset, maxBytes: 1024 * 1024 }], { maxWaitTime: 0, minBytes: 0 });
    if (answer === undefined || answer instanceof Error) throw answer ?? new Error(`no answer fetching ${topic}-${partition}`);
    for (const batch of answer.batches) {
      for (let i = 0; i < batch.count; i++) {
        if (batch.baseOffset + i >= offset) messages.push({ offset: batch.baseOffset + i, value: payloadToString(batch.valueAt(i)) ?? '' });
      }
    }
    const next = messages.length === 0 ? offset : Math.max(offset, messages.at(-1)!.offset + 1);
    if (next >= answer.highWatermark || next === offset) return messages;
    offset = next;
  }
}

/**
 * Every partition's messages from `fromOffsets`, read again (every 100 ms) until `enough` holds
 * or `timeoutMs` passes: a message is readable only once the ISR has it (the high watermark), and
 * an acks=0 producer does not wait even for the leader. Returns the last reading either way.
 */
export async function readBackUntil(
  runtime: Runtime,
  client: KafkaClient,
  topic: string,
  fromOffsets: readonly number[],
  enough: (logs: readonly LoggedMessage[][]) => boolean,
  timeoutMs = 5_000,
): Promise<LoggedMessage[][]> {
  const deadline = runtime.nowMs() + timeoutMs;
  for (;;) {
    const logs = await Promise.all(fromOffsets.map((from, partition) => readBack(client, topic, partition, from)));
    if (enough(logs) || runtime.nowMs() >= deadline) return logs;
    await runtime.sleep(100);
  }
}

/** Ensures each topic exists and returns its partition count as the broker's Metadata says. */
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
