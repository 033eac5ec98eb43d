/**
 * What cluster lessons share: a narrated simulation (full trace, history on), the tables a
 * learner needs at key moments (partitions with leader, ISR, LEO and HW per replica; a consumer
 * group's owners and committed offsets; producer ledgers), and the full state shown by `s` in
 * --step mode.
 */
import { createSimulation, type Simulation, type SimulationOptions } from '../../src/broker/simulation.ts';
import { renderCluster, table, type ClusterSnapshot } from '../../src/broker/view.ts';
import type { ProducerLedger } from '../../src/client/producer/ledger.ts';
import { lookup, type ZooKeeperState } from '../../src/zookeeper/znode-tree.ts';
import type { LessonRun } from './lesson-kit.ts';

export interface ClusterLessonOptions extends Omit<SimulationOptions, 'seed' | 'trace' | 'history'> {
  /** Trace kinds to narrate (prefixes). */
  readonly narrate: readonly string[];
  /** Kinds to leave out even if they match `narrate`. */
  readonly quiet?: readonly string[];
}

/** A ready cluster for the lesson's seed, narrated from now on (start-up is not narrated). */
export async function startCluster(run: LessonRun, options: ClusterLessonOptions): Promise<Simulation> {
  const { narrate, quiet, ...simulation } = options;
  const sim = await createSimulation({ ...simulation, seed: run.seed, trace: 'full', history: true });
  run.watch(sim.kernel, {
    kinds: narrate,
    ...(quiet === undefined ? {} : { except: quiet }),
    render: (snapshot) => renderWorld(snapshot as unknown as ClusterSnapshot),
  });
  return sim;
}

/** The whole world at a step: brokers, partitions, consumer groups. */
export function renderWorld(snapshot: ClusterSnapshot): string {
  const groups = groupNames(snapshot.zookeeper);
  return [renderCluster(snapshot), ...groups.map((group) => renderGroup(snapshot.zookeeper, group))].join('\n\n');
}

export function showCluster(run: LessonRun, sim: Simulation, topics?: readonly string[]): void {
  run.say(renderCluster(sim.kernel.world.state as unknown as ClusterSnapshot, topics === undefined ? {} : { topics }));
}

export function groupNames(zk: ZooKeeperState): string[] {
  return Object.keys(lookup(zk, '/consumers')?.children ?? {}).sort();
}

/** A consumer group as ZooKeeper holds it: members, each partition's owner and committed offset. */
export function renderGroup(zk: ZooKeeperState, group: string): string {
  const base = `/consumers/${group}`;
  const members = Object.keys(lookup(zk, `${base}/ids`)?.children ?? {}).sort();
  const owners = lookup(zk, `${base}/owners`)?.children ?? {};
  const offsets = lookup(zk, `${base}/offsets`)?.children ?? {};
  const topics = [...new Set([...Object.keys(owners), ...Object.keys(offsets)])].sort();
  const rows: string[][] = [];
  for (const topic of topics) {
    const partitions = new Set([...Object.keys(owners[topic]?.children ?? {}), ...Object.keys(offsets[topic]?.children ?? {})]);
    for (const partition of [...partitions].sort((a, b) => Number(a) - Number(b))) {
      rows.push([`${topic}-${partition}`, owners[topic]?.children[partition]?.data ?? '(none)', offsets[topic]?.children[partition]?.data ?? '-']);
    }
  }
  return `group ${group}: members ${members.length === 0 ? '(none)' : members.join(', ')}\n${table(['partition', 'owner (thread)', 'committed offset'], rows)}`;
}

export function showGroup(run: LessonRun, sim: Simulation, group: string): void {
  run.say(renderGroup(sim.zookeeper.state, group));
}

/** One row per producer: how many messages had which fate. */
export function showLedgers(run: LessonRun, ledgers: Readonly<Record<string, ProducerLedger>>): void {
  run.table(
    ['producer', 'sent', 'acknowledged', 'unknown (acks=0)', 'failed', 'dropped', 'pending', 'retried'],
    Object.entries(ledgers).map(([name, ledger]) => {
      const s = ledger.summary();
      return [name, s.sent, s.acknowledged, s.unknown, s.failed, s.dropped, s.pending, s.retried];
    }),
  );
}

/** The messages of a partition's log on one broker, as values (for claims and tables). */
export function logValues(sim: Simulation, brokerId: number, topic: string, partition: number): string[] {
  const replica = sim.replica(brokerId, topic, partition);
  if (replica === undefined) return [];
  const batches = sim.stores.get(replica.log.storeId).slice(0, replica.log.batchCount);
  return batches.flatMap((batch) => batch.messages.map((m) => String(m.value)));
}
