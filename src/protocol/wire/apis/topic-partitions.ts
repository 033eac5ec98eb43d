/**
 * The topic → partitions array that ListOffsets, OffsetCommit and OffsetFetch share, as a type and
 * its codec: an array of topics, each a name and an array of partition entries. Only the
 * partition entry differs per API and version, so the caller reads or writes that one (with the
 * same reader or writer) and these functions the nesting around it.
 */
import type { WireReader, WireWriter } from '../primitives.ts';

export interface TopicPartitions<Partition> {
  readonly name: string;
  readonly partitions: readonly Partition[];
}

/** The smallest topic entry: an empty name (int16 length) and an empty partition array (int32). */
const MIN_TOPIC_BYTES = 6;

/**
 * Reads the topics array. `minPartitionBytes` is the smallest encoding of one partition entry in
 * this version, so that a forged count fails before anything is allocated for it.
 */
export function readTopicPartitions<Partition>(
  reader: WireReader,
  minPartitionBytes: number,
  readPartition: () => Partition,
): TopicPartitions<Partition>[] {
  const topicCount = reader.arrayLength(MIN_TOPIC_BYTES);
  const topics: TopicPartitions<Partition>[] = [];
  for (let i = 0; i < topicCount; i++) {
    const name = reader.string();
    const partitionCount = reader.arrayLength(minPartitionBytes);
    const partitions: Partition[] = [];
    for (let j = 0; j < partitionCount; j++) partitions.push(readPartition());
    topics.push({ name, partitions });
  }
  return topics;
}

export function writeTopicPartitions<Partition>(
  writer: WireWriter,
  topics: readonly TopicPartitions<Partition>[],
  writePartition: (partition: Partition) => void,
): void {
  writer.arrayLength(topics.length);
  for (const topic of topics) {
    writer.string(topic.name);
    writer.arrayLength(topic.partitions.length);
    for (const partition of topic.partitions) writePartition(partition);
  }
}
