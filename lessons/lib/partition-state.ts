/**
 * Questions lessons ask about one partition: what its ZooKeeper state znode says (leader, leader
 * epoch, ISR: the controller's and the leader's decisions), and whether it is fully in sync again
 * after a fault (every assigned replica in the ISR, following the leader, with the leader's log
 * end offset, and the high watermark at the end of the log).
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import { parsePartitionState, type PartitionStateData } from '../../src/protocol/zk-data.ts';
import { lookup } from '../../src/zookeeper/znode-tree.ts';

/** /brokers/topics/<topic>/partitions/<p>/state (leader -1: offline). */
export function zkPartitionState(sim: Simulation, topic: string, partition: number): PartitionStateData {
  const node = lookup(sim.zookeeper.state, `/brokers/topics/${topic}/partitions/${partition}/state`);
  if (node === undefined) throw new Error(`no state znode for ${topic}-${partition}`);
  return parsePartitionState(node.data);
}

/** Every assigned replica is in the ISR, follows the leader and holds the whole log, HW included. */
export function fullyInSync(sim: Simulation, topic: string, partition: number): boolean {
  const leader = sim.leaderOf(topic, partition);
  if (leader === undefined) return false;
  const state = sim.replica(leader, topic, partition)!;
  const leo = state.log.logEndOffset;
  if (state.highWatermark !== leo || state.isr.length !== state.assignedReplicas.length) return false;
  return state.assignedReplicas.every((id) => {
    const replica = sim.replica(id, topic, partition);
    return replica !== undefined && replica.leader === leader && replica.log.logEndOffset === leo && (id === leader || replica.fetchingFrom === leader);
  });
}
