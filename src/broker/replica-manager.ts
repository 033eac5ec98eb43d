/**
 * `kafka.server.ReplicaManager` (0.8.2): the partitions this broker hosts and how they change
 * role when the controller says so.
 *
 * Modelled: LeaderAndIsr handling (`becomeLeaderOrFollower`): stale controller epochs rejected
 * whole (11), stale leader epochs per partition (13), partitions not assigned here ignored; become
 * leader (stop fetching, reset follower positions); become follower (skip an unchanged leader,
 * stop fetching, truncate the log to the local high watermark, fetch from the new leader's LEO);
 * StopReplica; the `isr-expiration` task every `replica.lag.time.max.ms`; the high-watermark
 * checkpoint every `replica.high.watermark.checkpoint.interval.ms` (started after the first
 * LeaderAndIsr); the log flusher every `log.flush.scheduler.interval.ms` when configured.
 */
import type {
  LeaderAndIsrRequest,
  LeaderAndIsrResponse,
  StopReplicaRequest,
  StopReplicaResponse,
} from '../protocol/api.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { LONG_MAX_VALUE } from './config.ts';
import { brokerState, type BrokerContext } from './broker-context.ts';
import { Partitions } from './partition.ts';
import { Purgatory } from './purgatory.ts';
import { ReplicaFetcherManager } from './replica-fetcher.ts';
import { partitionKey } from './state.ts';

export class ReplicaManager {
  readonly partitions: Partitions;
  readonly producePurgatory: Purgatory;
  readonly fetchPurgatory: Purgatory;
  readonly fetchers: ReplicaFetcherManager;
  private checkpointStarted = false;
  private shuttingDown = false;

  constructor(private readonly ctx: BrokerContext) {
    const schedule = (delayMs: number, run: () => void) => ctx.kernel.schedule(delayMs, run, { node: ctx.node, label: 'purgatory' });
    this.producePurgatory = new Purgatory(schedule);
    this.fetchPurgatory = new Purgatory(schedule);
    this.partitions = new Partitions(ctx, {
      unblockDelayedFetch: (key) => this.fetchPurgatory.check(key),
      unblockDelayedProduce: (key) => this.producePurgatory.check(key),
    });
    this.fetchers = new ReplicaFetcherManager(ctx, this);
  }

  /** `ReplicaManager.startup`: the isr-expiration task. */
  startup(): void {
    this.every(this.ctx.config['replica.lag.time.max.ms'], 'isr-expiration', () => {
      for (const key of Object.keys(this.partitions.all())) this.partitions.maybeShrinkIsr(key);
    });
    const flushMs = this.ctx.config['log.flush.scheduler.interval.ms'];
    if (flushMs < LONG_MAX_VALUE) {
      this.every(flushMs, 'log-flusher', () => {
        for (const [key, log] of this.ctx.logs) if (log.flushIfDue(this.ctx.kernel.nowMs)) this.partitions.syncLog(key);
      });
    }
  }

  /** Stops fetching and checkpoints high watermarks (a clean shutdown). */
  shutdown(): void {
    this.shuttingDown = true;
    this.fetchers.shutdown();
    this.checkpointHighWatermarks();
  }

  // ---------------------------------------------------------------- LeaderAndIsr

  becomeLeaderOrFollower(request: LeaderAndIsrRequest): LeaderAndIsrResponse {
    const broker = brokerState(this.ctx);
    const me = this.ctx.brokerId;
    if (request.controllerEpoch < broker.controllerEpoch) {
      this.ctx.narrate(
        'leader-and-isr.stale-controller',
        { controllerId: request.controllerId, epoch: request.controllerEpoch, known: broker.controllerEpoch },
        `Broker ${me} ignores LeaderAndIsr from controller ${request.controllerId} with epoch ${request.controllerEpoch}: it knows epoch ${broker.controllerEpoch} (a zombie controller is fenced).`,
      );
      return { api: 'LeaderAndIsr', errorCode: ErrorCode.StaleControllerEpoch, partitions: [] };
    }
    broker.controllerEpoch = request.controllerEpoch;
    const results = new Map<string, number>();
    const toLead: typeof request.partitionStates[number][] = [];
    const toFollow: typeof request.partitionStates[number][] = [];
    for (const info of request.partitionStates) {
      const key = partitionKey(info.topic, info.partition);
      const partition = this.partitions.getOrCreate(info.topic, info.partition);
      if (partition.leaderEpoch < info.leaderEpoch) {
        if (info.replicas.includes(me)) (info.leader === me ? toLead : toFollow).push(info);
        else {
          this.ctx.narrate(
            'leader-and-isr.not-assigned',
            { topic: info.topic, partition: info.partition },
            `Broker ${me} ignores LeaderAndIsr for ${key}: it is not in the assigned replicas [${info.replicas.join(',')}].`,
          );
        }
      } else {
        results.set(key, ErrorCode.StaleLeaderEpoch);
        this.ctx.narrate(
          'leader-and-isr.stale-epoch',
          { topic: info.topic, partition: info.partition, epoch: info.leaderEpoch, current: partition.leaderEpoch },
          `Broker ${me} ignores LeaderAndIsr for ${key}: leader epoch ${info.leaderEpoch} is not newer than its ${partition.leaderEpoch}.`,
        );
      }
    }
    this.makeLeaders(toLead, results);
    this.makeFollowers(toFollow, request, results);
    if (!this.checkpointStarted) {
      // Started after the first LeaderAndIsr, so every partition is populated before checkpoints.
      this.checkpointStarted = true;
      this.every(this.ctx.config['replica.high.watermark.checkpoint.interval.ms'], 'highwatermark-checkpoint', () =>
        this.checkpointHighWatermarks(),
      );
    }
    return {
      api: 'LeaderAndIsr',
      errorCode: ErrorCode.NoError,
      partitions: request.partitionStates.map((info) => ({
        topic: info.topic,
        partition: info.partition,
        errorCode: results.get(partitionKey(info.topic, info.partition)) ?? ErrorCode.NoError,
      })),
    };
  }

  private makeLeaders(infos: readonly LeaderAndIsrRequest['partitionStates'][number][], results: Map<string, number>): void {
    if (infos.length === 0) return;
    this.fetchers.removeFetcherForPartitions(infos.map((info) => partitionKey(info.topic, info.partition)));
    for (const info of infos) {
      const key = partitionKey(info.topic, info.partition);
      results.set(key, ErrorCode.NoError);
      this.partitions.makeLeader(key, info);
      this.ctx.narrate(
        'partition.became-leader',
        { topic: info.topic, partition: info.partition, leaderEpoch: info.leaderEpoch, isr: info.isr },
        `Broker ${this.ctx.brokerId} is now the leader of ${key} (leader epoch ${info.leaderEpoch}, ISR [${info.isr.join(',')}]).`,
      );
      this.producePurgatory.check(key);
      this.fetchPurgatory.check(key);
    }
  }

  private makeFollowers(
    infos: readonly LeaderAndIsrRequest['partitionStates'][number][],
    request: LeaderAndIsrRequest,
    results: Map<string, number>,
  ): void {
    if (infos.length === 0) return;
    const changed: string[] = [];
    for (const info of infos) {
      const key = partitionKey(info.topic, info.partition);
      results.set(key, ErrorCode.NoError);
      if (!request.leaders.some((leader) => leader.id === info.leader)) {
        this.ctx.narrate(
          'partition.leader-unavailable',
          { topic: info.topic, partition: info.partition, leader: info.leader },
          `Broker ${this.ctx.brokerId} cannot follow ${key}: its new leader ${info.leader} is unavailable.`,
        );
        continue;
      }
      if (this.partitions.makeFollower(key, info)) changed.push(key);
      else {
        this.ctx.narrate(
          'partition.follower-unchanged',
          { topic: info.topic, partition: info.partition, leader: info.leader },
          `Broker ${this.ctx.brokerId} keeps following broker ${info.leader} for ${key} (same leader: no truncation).`,
        );
      }
      // No purgatory check here: 0.8.2 `ReplicaManager.makeFollowers` does not touch the
      // purgatories, and a follower's partition sees no leader append or HW change to re-check
      // them. A produce parked on a deposed leader (acks=-1) ends in RequestTimedOut (7) at its
      // ackTimeoutMs, its data left in the log to be truncated; a parked fetch answers
      // NotLeaderForPartition (6) at its maxWait.
    }
    this.fetchers.removeFetcherForPartitions(changed);
    for (const key of changed) {
      const state = this.partitions.get(key)!;
      const log = this.partitions.log(key);
      const before = log.logEndOffset;
      // Truncate to the local HW: messages above it may not exist on the new leader.
      log.truncateTo(state.highWatermark);
      this.partitions.syncLog(key);
      this.ctx.narrate(
        'partition.became-follower',
        { topic: state.topic, partition: state.partition, leader: state.leader, truncatedFrom: before, truncatedTo: log.logEndOffset },
        before > log.logEndOffset
          ? `Broker ${this.ctx.brokerId} follows broker ${state.leader} for ${key} and truncates its log from ${before} to its high watermark ${log.logEndOffset}: ${before - log.logEndOffset} message(s) gone.`
          : `Broker ${this.ctx.brokerId} now follows broker ${state.leader} for ${key} from offset ${log.logEndOffset}.`,
      );
    }
    if (!this.shuttingDown) {
      for (const key of changed) {
        const state = this.partitions.get(key)!;
        this.fetchers.addFetcherForPartition(key, state.leader!, this.partitions.log(key).logEndOffset);
      }
    }
  }

  // ---------------------------------------------------------------- StopReplica

  stopReplicas(request: StopReplicaRequest): StopReplicaResponse {
    const broker = brokerState(this.ctx);
    if (request.controllerEpoch < broker.controllerEpoch) {
      return { api: 'StopReplica', errorCode: ErrorCode.StaleControllerEpoch, partitions: [] };
    }
    broker.controllerEpoch = request.controllerEpoch;
    const keys = request.partitions.map((tp) => partitionKey(tp.topic, tp.partition));
    this.fetchers.removeFetcherForPartitions(keys);
    for (const key of keys) {
      if (!request.deletePartitions) continue;
      delete broker.partitions[key];
      delete broker.disk.logs[key];
      delete broker.disk.highWatermarkCheckpoint[key];
      this.ctx.logs.delete(key);
    }
    return {
      api: 'StopReplica',
      errorCode: ErrorCode.NoError,
      partitions: request.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode: ErrorCode.NoError })),
    };
  }

  // ---------------------------------------------------------------- periodic work

  checkpointHighWatermarks(): void {
    const broker = brokerState(this.ctx);
    for (const [key, state] of Object.entries(broker.partitions)) {
      if (broker.disk.highWatermarkCheckpoint[key] !== state.highWatermark) broker.disk.highWatermarkCheckpoint[key] = state.highWatermark;
    }
  }

  private every(periodMs: number, name: string, run: () => void): void {
    const tick = () => {
      if (!this.ctx.alive() || this.shuttingDown) return;
      run();
      this.ctx.kernel.schedule(periodMs, tick, { node: this.ctx.node, label: name });
    };
    this.ctx.kernel.schedule(periodMs, tick, { node: this.ctx.node, label: name });
  }
}
