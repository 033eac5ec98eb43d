/**
 * The partitions one broker hosts: `kafka.cluster.Partition` and its `Replica`s (0.8.2).
 *
 * Modelled: leader append with offsets; the high watermark as the minimum LEO over the ISR,
 * never decreasing on a leader (`maybeIncrementLeaderHW`); the leader learning a follower's LEO
 * only from its fetch offset; ISR shrink by `replica.lag.time.max.ms` (no fetch for that long)
 * and `replica.lag.max.messages`, ISR expand when a follower in AR reaches the HW, both written
 * to ZooKeeper conditionally on the cached zkVersion by the leader itself (skipped on a version
 * mismatch: "Cached zkVersion not equal to that in zookeeper, skip updating ISR"); makeLeader
 * resetting remote LEOs (so the HW waits for every ISR member to fetch once); makeFollower
 * emptying the ISR and reporting whether the leader changed (0.8.2 skips an unchanged leader).
 * Simplified: Kafka holds `leaderIsrUpdateLock` during the blocking ZooKeeper write, stalling
 * produce and fetch on that partition; here the write is asynchronous and the new ISR applies
 * when it succeeds (one ISR change at a time per partition).
 */
import type { PartitionState } from '../protocol/api.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { batchOf, producedCount, type MessageBatch, type ProducedMessages } from '../protocol/message.ts';
import { partitionStatePath } from '../protocol/zk-paths.ts';
import { conditionalUpdatePersistentPath } from '../protocol/zk-utils.ts';
import { encodePartitionState, parsePartitionState } from '../protocol/zk-data.ts';
import { assert } from '../sim/assert.ts';
import { brokerState, peekBrokerState, type BrokerContext } from './broker-context.ts';
import { Log } from './log/log.ts';
import { partitionKey, type PartitionReplicaState } from './state.ts';

export interface PartitionHooks {
  /** New data or a new HW may satisfy parked fetches. */
  unblockDelayedFetch(key: string): void;
  /** Follower progress or a new HW may satisfy parked produces (acks=-1). */
  unblockDelayedProduce(key: string): void;
}

export type AppendResult =
  | { readonly errorCode: 0; readonly firstOffset: number; readonly lastOffset: number; readonly batch: MessageBatch }
  | { readonly errorCode: number };

/** What a produce that appended nothing appended: no messages, at no offset. */
export const NOTHING_APPENDED: MessageBatch = batchOf(-1, []);

export class Partitions {
  /** Partitions with an ISR write to ZooKeeper in flight. */
  private readonly isrWrites = new Set<string>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly hooks: PartitionHooks,
  ) {}

  all(): Record<string, PartitionReplicaState> {
    return brokerState(this.ctx).partitions;
  }

  get(key: string): PartitionReplicaState | undefined {
    return this.all()[key];
  }

  /**
   * The partition for reading only (`peekBrokerState`): a fetch reads every partition it asks
   * for at each of its checks, and changes nothing.
   */
  peek(key: string): Readonly<PartitionReplicaState> | undefined {
    return peekBrokerState(this.ctx).partitions[key];
  }

  log(key: string): Log {
    const log = this.ctx.logs.get(key);
    assert(log !== undefined, `broker ${this.ctx.brokerId} has an open log for ${key}`);
    return log;
  }

  /** `getOrCreatePartition` + `getOrCreateReplica`: opens the log (from disk if it exists). */
  getOrCreate(topic: string, partition: number): PartitionReplicaState {
    const key = partitionKey(topic, partition);
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    const broker = brokerState(this.ctx);
    let log = this.ctx.logs.get(key);
    if (log === undefined) {
      const topicConfig = this.ctx.topicConfig(topic);
      const options = {
        registry: this.ctx.stores,
        flushIntervalMessages: topicConfig['flush.messages'],
        flushIntervalMs: topicConfig['flush.ms'],
        nowMs: this.ctx.kernel.nowMs,
      };
      const onDisk = broker.disk.logs[key];
      log = onDisk === undefined ? new Log(options) : Log.restore(options, onDisk);
      this.ctx.logs.set(key, log);
    }
    // The local replica's HW starts at min(checkpointed HW, LEO) (`Partition.getOrCreateReplica`).
    const checkpointed = broker.disk.highWatermarkCheckpoint[key] ?? 0;
    const state: PartitionReplicaState = {
      topic,
      partition,
      assignedReplicas: [],
      leader: null,
      leaderEpoch: -1,
      zkVersion: 0,
      controllerEpoch: 0,
      isr: [],
      highWatermark: Math.min(checkpointed, log.logEndOffset),
      log: log.ref,
      remoteReplicas: {},
      fetchingFrom: null,
    };
    broker.partitions[key] = state;
    broker.disk.logs[key] = log.ref;
    return broker.partitions[key]!;
  }

  /** Copies the log's position into the world after the log changed. */
  syncLog(key: string): void {
    const state = this.get(key);
    if (state === undefined) return;
    const ref = this.log(key).ref;
    state.log = ref;
    brokerState(this.ctx).disk.logs[key] = ref;
  }

  // ---------------------------------------------------------------- leadership

  /** `Partition.makeLeader`. */
  makeLeader(key: string, info: PartitionState): void {
    const state = this.get(key)!;
    state.controllerEpoch = info.controllerEpoch;
    state.assignedReplicas = [...info.replicas];
    state.isr = [...info.isr];
    state.leaderEpoch = info.leaderEpoch;
    state.zkVersion = info.zkVersion;
    state.leader = this.ctx.brokerId;
    state.fetchingFrom = null;
    // Remote LEOs are unknown until each follower fetches again: the HW cannot move before.
    const now = this.ctx.kernel.nowMs;
    state.remoteReplicas = {};
    for (const replica of info.replicas) {
      if (replica !== this.ctx.brokerId) state.remoteReplicas[replica] = { logEndOffset: -1, logEndOffsetUpdateTimeMs: now };
    }
    this.maybeIncrementLeaderHW(key);
  }

  /** `Partition.makeFollower`: true if the leader changed (0.8.2 skips an unchanged leader). */
  makeFollower(key: string, info: PartitionState): boolean {
    const state = this.get(key)!;
    state.controllerEpoch = info.controllerEpoch;
    state.assignedReplicas = [...info.replicas];
    state.isr = [];
    state.leaderEpoch = info.leaderEpoch;
    state.zkVersion = info.zkVersion;
    state.remoteReplicas = {};
    if (state.leader === info.leader) return false;
    state.leader = info.leader;
    return true;
  }

  isLeader(key: string): boolean {
    return this.get(key)?.leader === this.ctx.brokerId;
  }

  // ---------------------------------------------------------------- leader append

  /** `Partition.appendMessagesToLeader` (0.8.2, with the min.insync.replicas check). */
  appendMessagesToLeader(key: string, messages: ProducedMessages, requiredAcks: number): AppendResult {
    const state = this.get(key);
    if (state === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition };
    if (state.leader !== this.ctx.brokerId) return { errorCode: ErrorCode.NotLeaderForPartition };
    const minIsr = this.ctx.topicConfig(state.topic)['min.insync.replicas'];
    if (requiredAcks === -1 && state.isr.length < minIsr) return { errorCode: ErrorCode.NotEnoughReplicas };
    // An empty message set appends nothing: `Log.append` returns its first and last offsets as -1
    // (`analyzeAndValidateMessageSet` found no message), and no error.
    if (producedCount(messages) === 0) return { errorCode: 0, firstOffset: -1, lastOffset: -1, batch: NOTHING_APPENDED };
    const { firstOffset, lastOffset, batch } = this.log(key).appendAsLeader(messages, this.ctx.kernel.nowMs);
    this.syncLog(key);
    this.hooks.unblockDelayedFetch(key);
    this.maybeIncrementLeaderHW(key);
    return { errorCode: 0, firstOffset, lastOffset, batch };
  }

  // ---------------------------------------------------------------- high watermark and ISR

  /** `maybeIncrementLeaderHW`: HW = min LEO over the ISR, only ever moving forward. */
  maybeIncrementLeaderHW(key: string): void {
    const state = this.get(key);
    if (state === undefined || state.leader !== this.ctx.brokerId) return;
    let newHighWatermark = this.log(key).logEndOffset;
    for (const replica of state.isr) {
      if (replica === this.ctx.brokerId) continue;
      const remote = state.remoteReplicas[replica];
      newHighWatermark = Math.min(newHighWatermark, remote === undefined ? -1 : remote.logEndOffset);
    }
    if (newHighWatermark <= state.highWatermark) return;
    const old = state.highWatermark;
    state.highWatermark = newHighWatermark;
    this.ctx.narrate(
      'hw.advanced',
      { topic: state.topic, partition: state.partition, from: old, to: newHighWatermark },
      `Broker ${this.ctx.brokerId} moved the high watermark of ${key} from ${old} to ${newHighWatermark}: messages below it are committed.`,
    );
    this.hooks.unblockDelayedFetch(key);
    this.hooks.unblockDelayedProduce(key);
  }

  /**
   * A follower fetched from `fetchOffset`: that is all the leader learns of its LEO
   * (`updateReplicaLEO`), then `updateLeaderHWAndMaybeExpandIsr`.
   */
  recordFollowerFetch(key: string, replicaId: number, fetchOffset: number): void {
    const state = this.get(key);
    if (state === undefined || state.leader !== this.ctx.brokerId) return;
    const remote = state.remoteReplicas[replicaId];
    if (remote === undefined) return; // not an assigned replica
    remote.logEndOffset = fetchOffset;
    remote.logEndOffsetUpdateTimeMs = this.ctx.kernel.nowMs;
    // KAFKA-1097: only assigned replicas rejoin; the criterion is LEO ≥ HW, not LEO = leader LEO.
    if (!state.isr.includes(replicaId) && state.assignedReplicas.includes(replicaId) && fetchOffset >= state.highWatermark) {
      this.updateIsr(key, [...state.isr, replicaId], 'expand');
    }
    this.maybeIncrementLeaderHW(key);
  }

  /** `maybeShrinkIsr`: drops stuck followers (no fetch for lagTimeMs) and slow ones. */
  maybeShrinkIsr(key: string): void {
    const state = this.get(key);
    if (state === undefined || state.leader !== this.ctx.brokerId) return;
    const config = this.ctx.config;
    const now = this.ctx.kernel.nowMs;
    const leaderLogEndOffset = this.log(key).logEndOffset;
    const outOfSync = state.isr.filter((replica) => {
      if (replica === this.ctx.brokerId) return false;
      const remote = state.remoteReplicas[replica];
      if (remote === undefined) return true;
      const stuck = now - remote.logEndOffsetUpdateTimeMs > config['replica.lag.time.max.ms'];
      const slow = remote.logEndOffset >= 0 && leaderLogEndOffset - remote.logEndOffset > config['replica.lag.max.messages'];
      return stuck || slow;
    });
    if (outOfSync.length === 0) return;
    this.updateIsr(
      key,
      state.isr.filter((replica) => !outOfSync.includes(replica)),
      'shrink',
    );
  }

  /**
   * `checkEnoughReplicasReachOffset` (0.8.2): acks=-1 completes when the leader's HW covers the
   * request (then NotEnoughReplicasAfterAppend if the ISR is below min.insync.replicas); acks>1
   * when that many ISR members have it. Not the leader any more: NotLeaderForPartition.
   */
  checkEnoughReplicasReachOffset(key: string, requiredOffset: number, requiredAcks: number): { done: boolean; errorCode: number } {
    const state = this.get(key);
    if (state === undefined || state.leader !== this.ctx.brokerId) return { done: true, errorCode: ErrorCode.NotLeaderForPartition };
    if (requiredAcks < 0) {
      if (state.highWatermark < requiredOffset) return { done: false, errorCode: 0 };
      const minIsr = this.ctx.topicConfig(state.topic)['min.insync.replicas'];
      return { done: true, errorCode: state.isr.length >= minIsr ? ErrorCode.NoError : ErrorCode.NotEnoughReplicasAfterAppend };
    }
    const acks = state.isr.filter(
      (replica) => replica === this.ctx.brokerId || (state.remoteReplicas[replica]?.logEndOffset ?? -1) >= requiredOffset,
    ).length;
    return acks >= requiredAcks ? { done: true, errorCode: ErrorCode.NoError } : { done: false, errorCode: 0 };
  }

  /**
   * `Partition.updateIsr`: a conditional write of {leader: me, leader_epoch, isr} to the state
   * znode with the cached zkVersion; the new ISR applies only if it succeeds.
   */
  private updateIsr(key: string, newIsr: number[], change: 'shrink' | 'expand'): void {
    if (this.isrWrites.has(key)) return;
    const state = this.get(key)!;
    const { topic, partition, leaderEpoch, zkVersion, controllerEpoch } = state;
    const oldIsr = [...state.isr];
    const isr = [...newIsr];
    this.isrWrites.add(key);
    this.ctx.narrate(
      `isr.${change === 'shrink' ? 'shrinking' : 'expanding'}`,
      { topic, partition, from: oldIsr, to: isr },
      `Broker ${this.ctx.brokerId} ${change === 'shrink' ? 'shrinks' : 'expands'} the ISR of ${key} from [${oldIsr.join(',')}] to [${isr.join(',')}] and writes it to ZooKeeper.`,
    );
    const data = encodePartitionState({ controllerEpoch, leader: this.ctx.brokerId, leaderEpoch, isr });
    const leader = this.ctx.brokerId;
    this.ctx.env.spawn(`broker-${this.ctx.brokerId}/isr-update ${key}`, async () => {
      // 0.8.2 `ReplicationUtils.checkLeaderAndIsrZkData`: after a connection loss, a BADVERSION
      // can be our own retried write; it counts as success if the stored state is ours.
      const result = await conditionalUpdatePersistentPath(this.ctx.zk, partitionStatePath(topic, partition), data, zkVersion, (stored) => {
        try {
          const parsed = parsePartitionState(stored.data);
          return parsed.leader === leader && parsed.leaderEpoch === leaderEpoch && sameMembers(parsed.isr, isr);
        } catch {
          return false;
        }
      });
      this.ctx.kernel.act('isr update', () => {
        this.isrWrites.delete(key);
        const current = this.get(key);
        if (current === undefined || current.leader !== leader || current.leaderEpoch !== leaderEpoch) return;
        if (!result.succeeded) {
          this.ctx.narrate(
            'isr.skipped',
            { topic, partition, zkVersion },
            `Broker ${leader}: cached zkVersion [${zkVersion}] not equal to that in ZooKeeper, skip updating ISR of ${key} (another controller or leader has moved on).`,
          );
          return;
        }
        current.isr = isr;
        current.zkVersion = result.version;
        this.ctx.narrate(
          change === 'shrink' ? 'isr.shrunk' : 'isr.expanded',
          { topic, partition, isr, zkVersion: result.version },
          `The ISR of ${key} is now [${isr.join(',')}] (broker ${leader}, leader epoch ${leaderEpoch}).`,
        );
        this.maybeIncrementLeaderHW(key);
        this.hooks.unblockDelayedProduce(key);
      });
    });
  }
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
