/**
 * Invariant checkers (DESIGN §8): named, sitting beside the cluster (they read the world after
 * every step and change nothing), each reporting the first step it saw broken.
 *
 * - `one-leader-per-epoch`: no two brokers ever lead the same partition with the same leader epoch.
 * - `leader-in-isr-in-replicas`: in ZooKeeper, a partition's leader is in its ISR and the ISR is a
 *   subset of its assigned replicas (a leader of -1 is allowed: an offline partition).
 * - `hw-at-most-leo`: on every replica, high watermark ≤ log end offset.
 * - `leader-hw-never-decreases`: within one leader epoch, a leader's high watermark never goes back.
 * - `offsets-contiguous`: every log's batches follow each other without gap or overlap.
 * - `no-acknowledged-loss`: a message the brokers acknowledged with acks=-1, on a topic with
 *   min.insync.replicas ≥ 2 and unclean leader election off, is always in the current leader's log
 *   at its offset (the very same message). The current leader is the broker the partition's state
 *   znode names, once it leads that leader epoch (a zombie of an older epoch is not). Kafka
 *   promises nothing beyond that configuration, so the checker watches nothing else.
 * - `stable-group-in-one-generation`: every member of a group its coordinator holds Stable joined
 *   the group's current generation (Kafka's `GroupCoordinator` answers every member of a
 *   generation before any SyncGroup can make it Stable).
 */
import { KafkasimError } from '../sim/errors.ts';
import type { MessageBatch } from '../protocol/message.ts';
import { parsePartitionState, parseTopicAssignment } from '../protocol/zk-data.ts';
import { partitionStatePath } from '../protocol/zk-paths.ts';
import { lookup } from '../zookeeper/znode-tree.ts';
import type { ProduceAcknowledgement } from './handlers/api-context.ts';
import { BROKERS_SLICE, partitionKey } from './state.ts';
import type { Simulation } from './simulation.ts';

export interface InvariantViolation {
  readonly invariant: string;
  readonly step: number;
  readonly timeMs: number;
  readonly message: string;
}

/** An invariant broke; the run stops at the step that broke it. */
export class InvariantViolationError extends KafkasimError {
  readonly code = 'INVARIANT_VIOLATED';
  constructor(readonly violation: InvariantViolation) {
    super(`invariant ${violation.invariant} broken at step ${violation.step} (${violation.timeMs} ms): ${violation.message}`);
  }
}

/** What a checker reads: the brokers' slice, ZooKeeper's tree, the list of acknowledged produces. */
export type CheckedState = 'brokers' | 'zookeeper' | 'acknowledged';

export interface InvariantChecker {
  readonly name: string;
  /**
   * What the checker reads. The monitor then skips it after steps that changed none of these
   * (nothing it reads can have changed, so neither can its verdict). Omitted: it runs every step.
   */
  readonly reads?: readonly CheckedState[];
  /** A description of what is broken, or undefined. Called after every step. */
  check(sim: Simulation): string | undefined;
}

export function oneLeaderPerEpoch(): InvariantChecker {
  /** Per partition, per leader epoch, the broker seen leading with it. */
  const leaders = new Map<string, Map<number, number>>();
  return {
    name: 'one-leader-per-epoch',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      // `for...in` and nested maps: this runs after every step, so it allocates nothing.
      for (const idText in brokers) {
        const id = Number(idText);
        const partitions = brokers[id]!.partitions;
        for (const key in partitions) {
          const replica = partitions[key]!;
          if (replica.leader !== id) continue;
          let epochs = leaders.get(key);
          if (epochs === undefined) leaders.set(key, (epochs = new Map()));
          const seen = epochs.get(replica.leaderEpoch);
          if (seen === undefined) epochs.set(replica.leaderEpoch, id);
          else if (seen !== id) return `brokers ${seen} and ${id} both lead ${key} with leader epoch ${replica.leaderEpoch}`;
        }
      }
      return undefined;
    },
  };
}

export function leaderInIsrInReplicas(): InvariantChecker {
  /** ZooKeeper's zxid at the last check: without a write since, nothing can have changed. */
  let checkedZxid = -1;
  return {
    name: 'leader-in-isr-in-replicas',
    reads: ['zookeeper'],
    check(sim) {
      const zk = sim.zookeeper.state;
      if (zk.zxid === checkedZxid) return undefined;
      checkedZxid = zk.zxid;
      const topics = lookup(zk, '/brokers/topics');
      if (topics === undefined) return undefined;
      for (const [topic, topicNode] of Object.entries(topics.children)) {
        const assignment = parseTopicAssignment(topicNode.data);
        const partitions = topicNode.children.partitions;
        if (partitions === undefined) continue;
        for (const [partition, partitionNode] of Object.entries(partitions.children)) {
          const stateNode = partitionNode.children.state;
          if (stateNode === undefined) continue;
          const state = parsePartitionState(stateNode.data);
          const replicas = assignment.get(Number(partition)) ?? [];
          if (state.leader !== -1 && !state.isr.includes(state.leader)) return `${topic}-${partition}: leader ${state.leader} is not in the ISR [${state.isr.join(',')}]`;
          const outside = state.isr.filter((r) => !replicas.includes(r));
          if (outside.length > 0) return `${topic}-${partition}: ISR [${state.isr.join(',')}] has ${outside.join(',')} outside the replicas [${replicas.join(',')}]`;
        }
      }
      return undefined;
    },
  };
}

export function hwAtMostLeo(): InvariantChecker {
  return {
    name: 'hw-at-most-leo',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const id in brokers) {
        const partitions = brokers[id]!.partitions;
        for (const key in partitions) {
          const replica = partitions[key]!;
          if (replica.highWatermark > replica.log.logEndOffset) {
            return `broker ${id}, ${key}: high watermark ${replica.highWatermark} > log end offset ${replica.log.logEndOffset}`;
          }
        }
      }
      return undefined;
    },
  };
}

export function leaderHwNeverDecreases(): InvariantChecker {
  /** Per broker and partition: the epoch and broker incarnation it last led in, and its HW then. */
  const last = new Map<string, { epoch: number; incarnation: number; highWatermark: number }>();
  return {
    name: 'leader-hw-never-decreases',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const idText in brokers) {
        const id = Number(idText);
        const broker = brokers[id]!;
        const partitions = broker.partitions;
        for (const key in partitions) {
          const replica = partitions[key]!;
          if (replica.leader !== id) continue;
          const slot = id === 1 ? key : `${id}/${key}`;
          const previous = last.get(slot);
          if (previous === undefined) {
            last.set(slot, { epoch: replica.leaderEpoch, incarnation: broker.incarnation, highWatermark: replica.highWatermark });
          } else if (previous.epoch !== replica.leaderEpoch || previous.incarnation !== broker.incarnation) {
            previous.epoch = replica.leaderEpoch;
            previous.incarnation = broker.incarnation;
            previous.highWatermark = replica.highWatermark;
          } else if (replica.highWatermark < previous.highWatermark) {
            return `broker ${id} leads ${key} (epoch ${replica.leaderEpoch}) and its high watermark went from ${previous.highWatermark} back to ${replica.highWatermark}`;
          } else {
            previous.highWatermark = replica.highWatermark;
          }
        }
      }
      return undefined;
    },
  };
}

export function offsetsContiguous(): InvariantChecker {
  /** Batches already checked per store: stores only grow, so each batch is checked once. */
  const checked = new Map<number, number>();
  return {
    name: 'offsets-contiguous',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const id in brokers) {
        const partitions = brokers[id]!.partitions;
        for (const key in partitions) {
          const ref = partitions[key]!.log;
          const from = checked.get(ref.storeId) ?? 0;
          if (from >= ref.batchCount) continue;
          const batches = sim.stores.get(ref.storeId).view();
          let expected = from === 0 ? ref.logStartOffset : batches[from - 1]!.baseOffset + batches[from - 1]!.count;
          for (let i = from; i < ref.batchCount; i++) {
            const batch = batches[i]!;
            if (batch.baseOffset !== expected) return `broker ${id}, ${key}: a batch starts at ${batch.baseOffset} where ${expected} was expected`;
            expected += batch.count;
          }
          if (expected !== ref.logEndOffset) return `broker ${id}, ${key}: the batches end at ${expected} but the log end offset is ${ref.logEndOffset}`;
          checked.set(ref.storeId, ref.batchCount);
        }
      }
      return undefined;
    },
  };
}

export function noAcknowledgedLoss(): InvariantChecker {
  /** Acknowledged acks=-1 messages on safe topics, per partition. */
  const acked = new Map<string, ProduceAcknowledgement[]>();
  let seenAcks = 0;
  /**
   * Per partition, the leader's log last checked (leader, epoch, store), its batch count then, and
   * how many acknowledgements were found in it. A leader's log only grows while it leads in one
   * epoch, so with the same mark and no fewer batches only the new acknowledgements need a look.
   */
  const verified = new Map<string, { readonly leader: number; readonly epoch: number; readonly storeId: number; readonly batchCount: number; readonly acks: number }>();
  /** The partition state znode as last read, by partition, with ZooKeeper's zxid then. */
  const states = new Map<string, { readonly zxid: number; readonly state: ReturnType<typeof parsePartitionState> | undefined }>();
  return {
    name: 'no-acknowledged-loss',
    reads: ['brokers', 'zookeeper', 'acknowledged'],
    check(sim) {
      for (; seenAcks < sim.acknowledged.length; seenAcks++) {
        const ack = sim.acknowledged[seenAcks]!;
        if (ack.requiredAcks !== -1 || !isSafe(sim, ack)) continue;
        const key = partitionKey(ack.topic, ack.partition);
        if (!acked.has(key)) acked.set(key, []);
        acked.get(key)!.push(ack);
      }
      for (const [key, acks] of acked) {
        const { topic, partition } = acks[0]!;
        // The current leader is the one ZooKeeper names, once it has taken over (it believes it
        // leads with that leader epoch). A zombie that still believes in an older epoch, or a
        // named leader that is down or not told yet, is no one's current leader: nothing to check.
        const zxid = sim.zookeeper.state.zxid;
        let parsed = states.get(key);
        if (parsed === undefined || parsed.zxid !== zxid) {
          // Only a ZooKeeper write can change the partition's state znode.
          const stateNode = lookup(sim.zookeeper.state, partitionStatePath(topic, partition));
          parsed = { zxid, state: stateNode === undefined ? undefined : parsePartitionState(stateNode.data) };
          states.set(key, parsed);
        }
        const state = parsed.state;
        if (state === undefined) continue;
        const replica = state.leader < 0 ? undefined : sim.replica(state.leader, topic, partition);
        if (replica === undefined || replica.leader !== state.leader || replica.leaderEpoch !== state.leaderEpoch) continue;
        const leader = state.leader;
        const last = verified.get(key);
        const same = last !== undefined && last.leader === leader && last.epoch === replica.leaderEpoch && last.storeId === replica.log.storeId && last.batchCount <= replica.log.batchCount;
        const from = same ? last.acks : 0;
        if (from === acks.length) continue;
        const log = sim.stores.get(replica.log.storeId).view();
        for (let a = from; a < acks.length; a++) {
          const ack = acks[a]!;
          for (let i = 0; i < ack.batch.count; i++) {
            const offset = ack.firstOffset + i;
            const found = batchAt(log, replica.log.batchCount, offset);
            if (found === undefined || !found.holds(offset - found.baseOffset, ack.batch.messageAt(i))) {
              return `message ${offset} of ${key}, acknowledged by broker ${ack.broker} with acks=-1 at ${ack.timeMs} ms, is ${found === undefined ? 'missing from' : 'replaced in'} the log of leader ${leader} (epoch ${replica.leaderEpoch})`;
            }
          }
        }
        verified.set(key, { leader, epoch: replica.leaderEpoch, storeId: replica.log.storeId, batchCount: replica.log.batchCount, acks: acks.length });
      }
      return undefined;
    },
  };
}

function isSafe(sim: Simulation, ack: ProduceAcknowledgement): boolean {
  const config = sim.topicConfig(ack.topic);
  return config['min.insync.replicas'] >= 2 && !config['unclean.leader.election.enable'];
}

/** The batch holding `offset` among the first `count` batches of a log, by binary search. */
function batchAt(batches: readonly MessageBatch[], count: number, offset: number): MessageBatch | undefined {
  let low = 0;
  let high = count - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const batch = batches[mid]!;
    if (offset < batch.baseOffset) high = mid - 1;
    else if (offset >= batch.baseOffset + batch.count) low = mid + 1;
    else return batch;
  }
  return undefined;
}

export function stableGroupInOneGeneration(): InvariantChecker {
  return {
    name: 'stable-group-in-one-generation',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const idText in brokers) {
        const groups = brokers[idText]!.groups;
        if (groups === undefined) continue;
        for (const groupId in groups) {
          const group = groups[groupId]!;
          if (group.state !== 'Stable') continue;
          for (const member of group.members) {
            if (member.generationId !== group.generationId) {
              return `group ${groupId} is Stable in generation ${group.generationId} on broker ${idText}, but its member ${member.memberId} is in generation ${member.generationId}`;
            }
          }
        }
      }
      return undefined;
    },
  };
}

export function defaultInvariants(): InvariantChecker[] {
  return [oneLeaderPerEpoch(), leaderInIsrInReplicas(), hwAtMostLeo(), leaderHwNeverDecreases(), offsetsContiguous(), noAcknowledgedLoss(), stableGroupInOneGeneration()];
}

/**
 * Runs checkers after every step of a simulation. The first violation is recorded and, unless
 * `stopOnViolation` is false, stops the run: the run call rejects with InvariantViolationError.
 */
export class InvariantMonitor {
  readonly violations: InvariantViolation[] = [];
  private readonly detach: () => void;

  constructor(
    private readonly sim: Simulation,
    private readonly checkers: readonly InvariantChecker[] = defaultInvariants(),
    options: { readonly stopOnViolation?: boolean } = {},
  ) {
    const stop = options.stopOnViolation ?? true;
    const broken = new Set<string>();
    const world = sim.kernel.world;
    // Versions of what checkers read, as of the last step they ran (-1: never ran).
    let brokersSeen = -1;
    let zxidSeen = -1;
    let acksSeen = -1;
    this.detach = sim.kernel.onStep((step) => {
      const brokers = world.version(BROKERS_SLICE);
      const zxid = sim.zookeeper.state.zxid;
      const acks = sim.acknowledged.length;
      const changed = { brokers: brokers !== brokersSeen, zookeeper: zxid !== zxidSeen, acknowledged: acks !== acksSeen };
      brokersSeen = brokers;
      zxidSeen = zxid;
      acksSeen = acks;
      for (const checker of this.checkers) {
        if (broken.has(checker.name)) continue;
        if (checker.reads !== undefined && !checker.reads.some((what) => changed[what])) continue;
        const problem = checker.check(this.sim);
        if (problem === undefined) continue;
        broken.add(checker.name);
        const violation = { invariant: checker.name, step, timeMs: sim.kernel.nowMs, message: problem };
        this.violations.push(violation);
        if (sim.kernel.trace.enabled) sim.kernel.trace.record('invariants', 'invariant.violated', { ...violation }, `Invariant ${checker.name} broken: ${problem}.`);
        if (stop) throw new InvariantViolationError(violation);
      }
    });
  }

  stop(): void {
    this.detach();
  }
}
