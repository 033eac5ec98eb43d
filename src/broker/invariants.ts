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
import { lookup, type ZNode } from '../zookeeper/znode-tree.ts';
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

/**
 * A znode's data parsed, kept per znode while its data stays the same. The checkers that read
 * ZooKeeper run again after every write anywhere in the tree (a consumer's offset commit, say),
 * and most of what they read has not changed since: parsing it again would give the same answer.
 * The parsed values are shared: read them, never change them.
 */
export class ParsedZnodes<T> {
  private readonly parsed = new WeakMap<ZNode, { readonly data: string; readonly value: T }>();

  constructor(private readonly parse: (data: string) => T) {}

  of(node: ZNode): T {
    const kept = this.parsed.get(node);
    if (kept !== undefined && kept.data === node.data) return kept.value;
    const value = this.parse(node.data);
    this.parsed.set(node, { data: node.data, value });
    return value;
  }
}

/**
 * The simulation's broker ids in order: the keys of its brokers slice, without `for...in` over
 * them, which costs more than a checker's whole work on a broker (integer keys are enumerated
 * anew, as strings, at every loop). A simulation's brokers are fixed when it is created.
 */
class BrokerIds {
  private brokers: Simulation['brokers'] | undefined;
  private ids: readonly number[] = [];

  of(sim: Simulation): readonly number[] {
    if (this.brokers !== sim.brokers) {
      this.brokers = sim.brokers;
      this.ids = [...sim.brokers.keys()].sort((a, b) => a - b);
    }
    return this.ids;
  }
}

/**
 * Per broker, the version of its state (`world.version(BROKERS_SLICE, id)`) when a checker last
 * read it. Most steps touch one broker at most: a checker whose verdict on a broker depends only on
 * that broker's state, and on what it noted there before, skips the brokers no one touched since
 * (the same state gives the same verdict and notes nothing new).
 */
class BrokersSeen {
  private readonly brokerIds = new BrokerIds();
  /** Per broker id, the version last seen. */
  private readonly versions: number[] = [];
  /** Reused by every call: this runs after every step, so it allocates nothing. */
  private readonly changedIds: number[] = [];

  /** The ids of the brokers whose state may have changed since the last call, in order. */
  changed(sim: Simulation): readonly number[] {
    const world = sim.kernel.world;
    this.changedIds.length = 0;
    for (const id of this.brokerIds.of(sim)) {
      const version = world.version(BROKERS_SLICE, id);
      if (this.versions[id] === version) continue;
      this.versions[id] = version;
      this.changedIds.push(id);
    }
    return this.changedIds;
  }
}

export function oneLeaderPerEpoch(): InvariantChecker {
  /** Per partition, per leader epoch, the broker seen leading with it. */
  const leaders = new Map<string, Map<number, number>>();
  const seen = new BrokersSeen();
  return {
    name: 'one-leader-per-epoch',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      // Nested maps: this runs after every step, so it allocates nothing.
      for (const id of seen.changed(sim)) {
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
  const assignments = new ParsedZnodes(parseTopicAssignment);
  const states = new ParsedZnodes(parsePartitionState);
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
        const assignment = assignments.of(topicNode);
        const partitions = topicNode.children.partitions;
        if (partitions === undefined) continue;
        for (const [partition, partitionNode] of Object.entries(partitions.children)) {
          const stateNode = partitionNode.children.state;
          if (stateNode === undefined) continue;
          const state = states.of(stateNode);
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
  const seen = new BrokersSeen();
  return {
    name: 'hw-at-most-leo',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const id of seen.changed(sim)) {
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
  /**
   * Per broker, per partition: the epoch and broker incarnation it last led in, and its HW then
   * (nested maps: this runs after every step, so it allocates nothing).
   */
  const last = new Map<number, Map<string, { epoch: number; incarnation: number; highWatermark: number }>>();
  const seen = new BrokersSeen();
  return {
    name: 'leader-hw-never-decreases',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const id of seen.changed(sim)) {
        const broker = brokers[id]!;
        const partitions = broker.partitions;
        let led = last.get(id);
        if (led === undefined) last.set(id, (led = new Map()));
        for (const key in partitions) {
          const replica = partitions[key]!;
          if (replica.leader !== id) continue;
          const previous = led.get(key);
          if (previous === undefined) {
            led.set(key, { epoch: replica.leaderEpoch, incarnation: broker.incarnation, highWatermark: replica.highWatermark });
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
  const seen = new BrokersSeen();
  return {
    name: 'offsets-contiguous',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const id of seen.changed(sim)) {
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
  /** What the checker holds per partition with acknowledged acks=-1 messages on a safe topic. */
  interface Watched {
    readonly key: string;
    readonly topic: string;
    readonly partition: number;
    /** The partition's acknowledgements, in order. */
    readonly acks: ProduceAcknowledgement[];
    /** The partition state znode as last read, and ZooKeeper's zxid then. */
    zxid: number;
    state: ReturnType<typeof parsePartitionState> | undefined;
    /**
     * The leader's log last checked (leader, epoch, store), its batch count then, and how many
     * acknowledgements were found in it. A leader's log only grows while it leads in one epoch,
     * so with the same mark and no fewer batches only the new acknowledgements need a look.
     */
    verified: { readonly leader: number; readonly epoch: number; readonly storeId: number; readonly batchCount: number; readonly acks: number } | undefined;
    /**
     * What the verdict last depended on: ZooKeeper's zxid, the named leader's state version
     * (`world.version(BROKERS_SLICE, leader)`; -1 without a leader) and the acknowledgements
     * then. With all three the same, the same verdict: the partition needs no look.
     */
    inputs: { zxid: number; leaderVersion: number; acks: number };
  }
  const watched = new Map<string, Watched>();
  const states = new ParsedZnodes(parsePartitionState);
  let seenAcks = 0;
  return {
    name: 'no-acknowledged-loss',
    reads: ['brokers', 'zookeeper', 'acknowledged'],
    check(sim) {
      for (; seenAcks < sim.acknowledged.length; seenAcks++) {
        const ack = sim.acknowledged[seenAcks]!;
        if (ack.requiredAcks !== -1 || !isSafe(sim, ack)) continue;
        const key = partitionKey(ack.topic, ack.partition);
        let entry = watched.get(key);
        if (entry === undefined) {
          entry = { key, topic: ack.topic, partition: ack.partition, acks: [], zxid: -1, state: undefined, verified: undefined, inputs: { zxid: -1, leaderVersion: -1, acks: 0 } };
          watched.set(key, entry);
        }
        entry.acks.push(ack);
      }
      const zxid = sim.zookeeper.state.zxid;
      const world = sim.kernel.world;
      for (const entry of watched.values()) {
        const { key, topic, partition, acks } = entry;
        // The current leader is the one ZooKeeper names, once it has taken over (it believes it
        // leads with that leader epoch). A zombie that still believes in an older epoch, or a
        // named leader that is down or not told yet, is no one's current leader: nothing to check.
        if (entry.zxid !== zxid) {
          // Only a ZooKeeper write can change the partition's state znode.
          const stateNode = lookup(sim.zookeeper.state, partitionStatePath(topic, partition));
          entry.zxid = zxid;
          entry.state = stateNode === undefined ? undefined : states.of(stateNode);
        }
        const state = entry.state;
        if (state === undefined) continue;
        const leaderVersion = state.leader < 0 ? -1 : world.version(BROKERS_SLICE, state.leader);
        const inputs = entry.inputs;
        if (inputs.zxid === zxid && inputs.leaderVersion === leaderVersion && inputs.acks === acks.length) continue;
        inputs.zxid = zxid;
        inputs.leaderVersion = leaderVersion;
        inputs.acks = acks.length;
        const replica = state.leader < 0 ? undefined : sim.brokerStates[state.leader]?.partitions[key];
        if (replica === undefined || replica.leader !== state.leader || replica.leaderEpoch !== state.leaderEpoch) continue;
        const leader = state.leader;
        const last = entry.verified;
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
        entry.verified = { leader, epoch: replica.leaderEpoch, storeId: replica.log.storeId, batchCount: replica.log.batchCount, acks: acks.length };
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
  const brokerIds = new BrokerIds();
  return {
    name: 'stable-group-in-one-generation',
    reads: ['brokers'],
    check(sim) {
      const brokers = sim.brokerStates;
      for (const id of brokerIds.of(sim)) {
        const groups = brokers[id]!.groups;
        if (groups === undefined) continue;
        for (const groupId in groups) {
          const group = groups[groupId]!;
          if (group.state !== 'Stable') continue;
          for (const member of group.members) {
            if (member.generationId !== group.generationId) {
              return `group ${groupId} is Stable in generation ${group.generationId} on broker ${id}, but its member ${member.memberId} is in generation ${member.generationId}`;
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

const READ_BITS: Readonly<Record<CheckedState, number>> = { brokers: 1, zookeeper: 2, acknowledged: 4 };
/** The bit of checkers without `reads`, set after every step. */
const EVERY_STEP = 8;

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
    // What each checker reads, as bits: the test after every step allocates nothing.
    const reads = this.checkers.map((checker) => (checker.reads === undefined ? EVERY_STEP : checker.reads.reduce((bits, what) => bits | READ_BITS[what], 0)));
    // Versions of what checkers read, as of the last step they ran (-1: never ran).
    let brokersSeen = -1;
    let zxidSeen = -1;
    let acksSeen = -1;
    this.detach = sim.kernel.onStep((step) => {
      const brokers = world.version(BROKERS_SLICE);
      const zxid = sim.zookeeper.state.zxid;
      const acks = sim.acknowledged.length;
      const changed = EVERY_STEP | (brokers !== brokersSeen ? READ_BITS.brokers : 0) | (zxid !== zxidSeen ? READ_BITS.zookeeper : 0) | (acks !== acksSeen ? READ_BITS.acknowledged : 0);
      brokersSeen = brokers;
      zxidSeen = zxid;
      acksSeen = acks;
      for (let i = 0; i < this.checkers.length; i++) {
        if ((reads[i]! & changed) === 0) continue;
        const checker = this.checkers[i]!;
        if (broken.has(checker.name)) continue;
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
