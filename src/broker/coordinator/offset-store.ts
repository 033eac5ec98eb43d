/**
 * Where group coordinators keep committed offsets: ZooKeeper, at
 * `/kafkasim/group-offsets/<group>/<topic>/<partition>`, holding `{"offset":n,"metadata":"..."}`.
 *
 * A kafkasim simplification of Kafka's offsets topic (`GroupMetadataManager.storeOffsets` appends
 * each commit to the group's `__consumer_offsets` partition with acks=-1, and a new coordinator
 * reloads them from its replica): a commit is acknowledged once ZooKeeper has it, so committed
 * offsets survive the coordinator's crash and the next leader of the group's offsets partition
 * reads them where the last one wrote them. The path is not the 0.8 ZooKeeper consumer's
 * (/consumers/<group>/offsets), so the two group models never see each other's offsets, as in
 * Kafka (OffsetFetch v0 reads ZooKeeper, v1+ the coordinator).
 * The group id is one path segment: URL-encoded (a '/' in it stays inside the segment; "." and
 * "..", which ZooKeeper refuses as names, have their dots encoded too), and the empty group id
 * (allowed for commits, as in Kafka, for consumers outside group management) is stored as a lone
 * '%', which URL encoding never produces. A topic that is not a legal topic name has no offsets.
 * Not modelled: offset retention (`offsets.retention.minutes`): offsets never expire.
 */
import type { ZkClient } from '../../protocol/zk-client.ts';
import { validateTopicName } from '../admin/create-topic.ts';
import { getChildrenParentMayNotExist, readDataMaybeNull, updatePersistentPath } from '../../protocol/zk-utils.ts';

export const GROUP_OFFSETS_ROOT = '/kafkasim/group-offsets';

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string;
}

export function groupOffsetsDir(groupId: string): string {
  const segment = groupId === '' ? '%' : groupId === '.' || groupId === '..' ? groupId.replaceAll('.', '%2E') : encodeURIComponent(groupId);
  return `${GROUP_OFFSETS_ROOT}/${segment}`;
}

export function groupOffsetPath(groupId: string, topic: string, partition: number): string {
  return `${groupOffsetsDir(groupId)}/${topic}/${partition}`;
}

export async function storeOffset(zk: ZkClient, groupId: string, topic: string, partition: number, committed: CommittedOffset): Promise<void> {
  await updatePersistentPath(zk, groupOffsetPath(groupId, topic, partition), JSON.stringify({ offset: committed.offset, metadata: committed.metadata }));
}

export async function readOffset(zk: ZkClient, groupId: string, topic: string, partition: number): Promise<CommittedOffset | null> {
  try {
    validateTopicName(topic);
  } catch {
    return null;
  }
  const stored = await readDataMaybeNull(zk, groupOffsetPath(groupId, topic, partition));
  return stored === null ? null : parseCommitted(stored.data);
}

/** Every offset the group has committed, by topic then partition. */
export async function readAllOffsets(zk: ZkClient, groupId: string): Promise<{ topic: string; partition: number; committed: CommittedOffset }[]> {
  const out: { topic: string; partition: number; committed: CommittedOffset }[] = [];
  const dir = groupOffsetsDir(groupId);
  for (const topic of (await getChildrenParentMayNotExist(zk, dir)).sort()) {
    const partitions = (await getChildrenParentMayNotExist(zk, `${dir}/${topic}`)).map(Number).sort((a, b) => a - b);
    for (const partition of partitions) {
      const committed = await readOffset(zk, groupId, topic, partition);
      if (committed !== null) out.push({ topic, partition, committed });
    }
  }
  return out;
}

function parseCommitted(data: string): CommittedOffset {
  const parsed = JSON.parse(data) as { offset: number; metadata: string };
  return { offset: parsed.offset, metadata: parsed.metadata };
}
