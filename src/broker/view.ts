/**
 * "The cluster at step N" as text a learner can read: the brokers and the controller, then one
 * row per partition with its leader, leader epoch and ISR as ZooKeeper holds them, and each
 * replica's log end offset and high watermark as its broker sees them.
 */
import { parsePartitionState, parseTopicAssignment } from '../protocol/zk-data.ts';
import { lookup, type ZooKeeperState } from '../zookeeper/znode-tree.ts';
import { partitionKey, type BrokersState } from './state.ts';

export interface ClusterSnapshot {
  readonly brokers: BrokersState;
  readonly zookeeper: ZooKeeperState;
}

export function renderBrokers(snapshot: ClusterSnapshot): string {
  const parts = Object.values(snapshot.brokers).map((b) => {
    const role = b.controller !== null ? `controller, epoch ${b.controller.epoch}` : b.status;
    return `broker ${b.id}: ${b.status === 'NotRunning' ? 'down' : role}`;
  });
  return parts.join(' | ');
}

export function renderPartitions(snapshot: ClusterSnapshot, options: { topics?: readonly string[] } = {}): string {
  const rows: string[][] = [];
  const topics = lookup(snapshot.zookeeper, '/brokers/topics');
  for (const topic of Object.keys(topics?.children ?? {}).sort()) {
    if (options.topics !== undefined && !options.topics.includes(topic)) continue;
    const topicNode = topics!.children[topic]!;
    const assignment = parseTopicAssignment(topicNode.data);
    for (const [partition, replicas] of [...assignment].sort((a, b) => a[0] - b[0])) {
      const stateNode = topicNode.children.partitions?.children[String(partition)]?.children.state;
      const state = stateNode === undefined ? undefined : parsePartitionState(stateNode.data);
      const key = partitionKey(topic, partition);
      const cells = replicas.map((id) => {
        const broker = snapshot.brokers[id];
        const replica = broker?.partitions[key];
        if (broker === undefined || broker.status === 'NotRunning') return `b${id} down`;
        if (replica === undefined) return `b${id} -`;
        const role = replica.leader === id ? '*' : '';
        return `b${id}${role} LEO ${replica.log.logEndOffset} HW ${replica.highWatermark}`;
      });
      rows.push([
        key,
        state === undefined ? '-' : state.leader === -1 ? 'none' : String(state.leader),
        state === undefined ? '-' : String(state.leaderEpoch),
        state === undefined ? '-' : `[${state.isr.join(',')}]`,
        cells.join('  '),
      ]);
    }
  }
  return table(['partition', 'leader', 'epoch', 'ISR', 'replicas (* = believes it leads)'], rows);
}

export function renderCluster(snapshot: ClusterSnapshot, options: { topics?: readonly string[] } = {}): string {
  return `${renderBrokers(snapshot)}\n${renderPartitions(snapshot, options)}`;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
