/**
 * A consumer group as ZooKeeper holds it, read straight from the simulated ensemble's tree (for
 * claims): the members under /consumers/<group>/ids, the owner of each partition under
 * /consumers/<group>/owners/<topic>/<p>, the committed offsets under
 * /consumers/<group>/offsets/<topic>/<p>, and a client's live session.
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import { lookup, type ZkSessionState } from '../../src/zookeeper/znode-tree.ts';

/** The consumer ids registered in the group (sorted). */
export function groupMembers(sim: Simulation, group: string): string[] {
  return Object.keys(lookup(sim.zookeeper.state, `/consumers/${group}/ids`)?.children ?? {}).sort();
}

/** A znode's data, or undefined when it does not exist. */
export function znodeData(sim: Simulation, path: string): string | undefined {
  return lookup(sim.zookeeper.state, path)?.data;
}

/** The ephemeral owner (session id) of a znode, or undefined. */
export function znodeSession(sim: Simulation, path: string): string | undefined {
  return lookup(sim.zookeeper.state, path)?.ephemeralOwner ?? undefined;
}

/** /consumers/<group>/owners/<topic>: partition → owning thread id. */
export function partitionOwners(sim: Simulation, group: string, topic: string): Map<number, string> {
  const children = lookup(sim.zookeeper.state, `/consumers/${group}/owners/${topic}`)?.children ?? {};
  return new Map(
    Object.keys(children)
      .map(Number)
      .sort((a, b) => a - b)
      .map((p) => [p, children[String(p)]!.data]),
  );
}

/** /consumers/<group>/offsets/<topic>/<p>: the committed offset, or undefined. */
export function committedOffset(sim: Simulation, group: string, topic: string, partition: number): number | undefined {
  const data = znodeData(sim, `/consumers/${group}/offsets/${topic}/${partition}`);
  return data === undefined ? undefined : Number(data);
}

/** The live ZooKeeper sessions opened from `node`. */
export function sessionsOf(sim: Simulation, node: string): ZkSessionState[] {
  return Object.values(sim.zookeeper.state.sessions)
    .filter((s) => s.client === node)
    .map((s) => ({ ...s }));
}
