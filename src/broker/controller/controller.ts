/**
 * `kafka.controller.KafkaController` (0.8.2) on one broker: the election through the ephemeral
 * /controller znode, and, while active, the cluster's control plane.
 *
 * Modelled: `elect` (read /controller, else create it; the first broker to create it wins; a
 * node left by our own expired session is waited out, ZOOKEEPER-1740); re-election when
 * /controller is deleted or our session expires (resigning first); `onControllerFailover`
 * (controller epoch read and incremented conditionally — a conflicting write aborts with
 * ControllerMovedException —, context from ZooKeeper, replica and partition state machines
 * started, UpdateMetadata to every broker, auto leader rebalance scheduled);
 * `onControllerResignation`; broker changes on /brokers/ids (`onBrokerStartup` then
 * `onBrokerFailure`); new topics on /brokers/topics; the partition and replica state machines with
 * Kafka's states, valid transitions (state-machines.ts) and leader selectors (leader-selectors.ts);
 * `removeReplicaFromIsr` (0.8.2: the last ISR member is retained when unclean election is off);
 * fencing: every state znode write is conditional on its zkVersion, and a state written by a
 * controller with a newer epoch aborts the change ("went through a soft failure"); controlled
 * shutdown (`shutdownBroker`); preferred replica election from /admin/preferred_replica_election
 * and the periodic imbalance check. Requests to brokers go through the channel manager.
 * Not modelled: partition reassignment, topic deletion, adding partitions to a topic.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { Mutex } from '../../protocol/concurrency.ts';
import {
  ZkPaths,
  partitionStatePath,
  topicPath,
} from '../../protocol/zk-paths.ts';
import {
  createEphemeralPathExpectConflictHandleZKBug,
  conditionalUpdatePersistentPath,
  createPersistentPath,
  deletePath,
  getChildrenParentMayNotExist,
  readDataMaybeNull,
} from '../../protocol/zk-utils.ts';
import {
  encodeController,
  encodeControllerEpoch,
  encodePartitionState,
  parseControllerEpoch,
  parseControllerId,
  parsePartitionState,
  parsePreferredReplicaElection,
  parseTopicAssignment,
} from '../../protocol/zk-data.ts';
import { isZkError } from '../../protocol/zookeeper.ts';
import { causeMessage } from '../../sim/errors.ts';
import { brokerState, type BrokerContext } from '../broker-context.ts';
import type { ControllerState, PartitionStateName, ReplicaStateName } from '../state.ts';
import { ControllerChannelManager } from './channel-manager.ts';
import {
  allPartitions,
  liveBrokerIds,
  liveOrShuttingDownBrokerIds,
  partitionsOnBrokers,
  ref,
  replicaKey,
  replicaRef,
  replicasForPartitions,
  replicasOnBrokers,
  type ReplicaRef,
  type TopicPartitionRef,
} from './context.ts';
import {
  controlledShutdownLeader,
  offlinePartitionLeader,
  preferredReplicaLeader,
  type LeaderAndIsr,
  type LeaderSelection,
  type LeaderSelectionInput,
} from './leader-selectors.ts';
import { ControllerBrokerRequestBatch } from './request-batch.ts';
import { canMovePartition, canMoveReplica } from './state-machines.ts';

/** Chooses a partition's new leader given what the state znode holds now. */
type Selector = (input: LeaderSelectionInput) => LeaderSelection;

/** A state change failed (Kafka's StateChangeFailedException / ControllerMovedException). */
class StateChangeFailed extends Error {}

export interface ShutdownResult {
  readonly errorCode: number;
  readonly partitionsRemaining: readonly { topic: string; partition: number }[];
}

export class KafkaController {
  private readonly lock: Mutex;
  private channels: ControllerChannelManager | undefined;
  private batch: ControllerBrokerRequestBatch | undefined;
  private listeners: Array<() => void> = [];
  private running = true;
  /** The controller this broker believes in (`ZookeeperLeaderElector.leaderId`). */
  private leaderId = -1;

  constructor(private readonly ctx: BrokerContext) {
    this.lock = new Mutex(ctx.env, `controller lock of broker ${ctx.brokerId}`);
  }

  get isActive(): boolean {
    return this.running && this.leaderId === this.ctx.brokerId;
  }

  private state(): ControllerState {
    const controller = brokerState(this.ctx).controller;
    if (controller === null) throw new StateChangeFailed(`broker ${this.ctx.brokerId} is not the controller`);
    return controller;
  }

  // ---------------------------------------------------------------- lifecycle and election

  /** `KafkaController.startup`: watch /controller, re-elect after a new session, elect now. */
  async startup(): Promise<void> {
    const zk = this.ctx.zk;
    zk.onNewSession(() =>
      this.guarded('new session', async () => {
        // `SessionExpirationListener.handleNewSession`: resign, then run for election again.
        await this.onControllerResignation();
        await this.elect();
      }),
    );
    zk.subscribeDataChanges(ZkPaths.controller, {
      changed: (data) => {
        this.leaderId = parseControllerId(data);
        brokerState(this.ctx).controllerId = this.leaderId;
      },
      deleted: () =>
        this.guarded('controller deleted', async () => {
          // `LeaderChangeListener.handleDataDeleted`: the old controller resigns, everyone elects.
          if (this.isActive) await this.onControllerResignation();
          await this.elect();
        }),
    });
    await this.guarded('startup', () => this.elect());
  }

  /** `KafkaController.shutdown` (a clean broker shutdown). */
  async shutdown(): Promise<void> {
    await this.lock.run(async () => {
      if (this.isActive) await this.onControllerResignation();
      this.running = false;
    });
  }

  /** `ZookeeperLeaderElector.elect` (0.8.2). */
  private async elect(): Promise<void> {
    if (!this.running) return;
    const zk = this.ctx.zk;
    const me = this.ctx.brokerId;
    const current = await readDataMaybeNull(zk, ZkPaths.controller);
    if (current !== null) {
      this.leaderId = parseControllerId(current.data);
      brokerState(this.ctx).controllerId = this.leaderId;
      if (this.leaderId !== -1) return;
    }
    try {
      await createEphemeralPathExpectConflictHandleZKBug(zk, {
        path: ZkPaths.controller,
        data: encodeController(me, this.ctx.kernel.nowMs),
        isOurs: (stored) => parseControllerId(stored) === me,
        backoffMs: this.ctx.config['zookeeper.session.timeout.ms'],
        sleep: (ms) => this.ctx.env.sleep(ms),
      });
    } catch (error) {
      if (isZkError(error, 'NODEEXISTS')) {
        const winner = await readDataMaybeNull(zk, ZkPaths.controller);
        this.leaderId = winner === null ? -1 : parseControllerId(winner.data);
        brokerState(this.ctx).controllerId = this.leaderId;
        return;
      }
      throw error;
    }
    this.leaderId = me;
    brokerState(this.ctx).controllerId = me;
    this.ctx.narrate('controller.elected', { broker: me }, `Broker ${me} won the controller election: it created the ephemeral /controller node first.`);
    try {
      await this.onControllerFailover();
    } catch (error) {
      // Any error during failover: resign (0.8.2 deletes /controller to trigger a new election).
      this.ctx.narrate('controller.failover-failed', { broker: me, error: causeMessage(error) }, `Controller ${me} failed to take over (${causeMessage(error)}) and resigns.`);
      await this.onControllerResignation();
      this.leaderId = -1;
      await deletePath(zk, ZkPaths.controller);
    }
  }

  /** `onControllerFailover` (0.8.2 order). */
  private async onControllerFailover(): Promise<void> {
    const zk = this.ctx.zk;
    const me = this.ctx.brokerId;
    // Read and increment the controller epoch: the fencing token of everything this controller sends.
    let epoch = 0;
    let epochZkVersion = 0;
    const stored = await readDataMaybeNull(zk, ZkPaths.controllerEpoch);
    if (stored === null) {
      try {
        await createPersistentPath(zk, ZkPaths.controllerEpoch, encodeControllerEpoch(1));
      } catch (error) {
        if (isZkError(error, 'NODEEXISTS')) throw new StateChangeFailed('Controller moved to another broker. Aborting controller startup procedure');
        throw error;
      }
      epoch = 1;
      epochZkVersion = 0;
    } else {
      const update = await conditionalUpdatePersistentPath(zk, ZkPaths.controllerEpoch, encodeControllerEpoch(parseControllerEpoch(stored.data) + 1), stored.stat.version);
      if (!update.succeeded) throw new StateChangeFailed('Controller moved to another broker. Aborting controller startup procedure');
      epoch = parseControllerEpoch(stored.data) + 1;
      epochZkVersion = update.version;
    }
    // `initializeControllerContext`.
    const liveBrokers = (await getChildrenParentMayNotExist(zk, ZkPaths.brokerIds)).map(Number).sort((a, b) => a - b);
    const topics = (await getChildrenParentMayNotExist(zk, ZkPaths.brokerTopics)).sort();
    const assignments: Record<string, number[]> = {};
    for (const topic of topics) {
      const data = await readDataMaybeNull(zk, topicPath(topic));
      if (data === null) continue;
      for (const [partition, replicas] of parseTopicAssignment(data.data)) assignments[`${topic}-${partition}`] = replicas;
    }
    const leadership: ControllerState['leadership'] = {};
    for (const key of Object.keys(assignments)) {
      const p = ref(...splitKey(key));
      const state = await readDataMaybeNull(zk, partitionStatePath(p.topic, p.partition));
      if (state === null) continue;
      const parsed = parsePartitionState(state.data);
      leadership[key] = { leader: parsed.leader, leaderEpoch: parsed.leaderEpoch, isr: [...parsed.isr], zkVersion: state.stat.version, controllerEpoch: parsed.controllerEpoch };
    }
    const broker = brokerState(this.ctx);
    broker.controller = {
      epoch,
      epochZkVersion,
      liveBrokers,
      shuttingDownBrokers: [],
      assignments,
      leadership,
      partitionStates: {},
      replicaStates: {},
    };
    broker.status = 'RunningAsController';
    this.ctx.narrate(
      'controller.failover',
      { broker: me, epoch, liveBrokers, topics },
      `Broker ${me} is the controller with epoch ${epoch}; live brokers [${liveBrokers.join(',')}], topics [${topics.join(', ')}].`,
    );
    this.channels = new ControllerChannelManager(this.ctx);
    for (const id of liveBrokers) this.channels.addBroker(id);
    this.batch = new ControllerBrokerRequestBatch(this.ctx, this.channels, () => this.state());

    // Listeners (registered after the context, as the listeners read it).
    // Each fires once when armed too: a change between the reads above and the arming is not lost.
    this.listeners.push(
      zk.subscribeChildChanges(ZkPaths.brokerIds, (children) => this.guarded('broker change', () => this.handleBrokerChange(children ?? [])), { initial: true }),
    );
    this.listeners.push(
      zk.subscribeChildChanges(ZkPaths.brokerTopics, (children) => this.guarded('topic change', () => this.handleTopicChange(children ?? [])), { initial: true }),
    );
    this.listeners.push(
      zk.subscribeDataChanges(
        ZkPaths.preferredReplicaElection,
        {
          changed: (data) => this.guarded('preferred replica election', () => this.handlePreferredReplicaElection(data)),
          deleted: () => {},
        },
        { initial: true },
      ),
    );

    // `replicaStateMachine.startup`: live replicas online, the others ineligible for deletion.
    const controller = this.state();
    for (const replica of replicasOnBrokers(controller, [...new Set(Object.values(controller.assignments).flat())])) {
      controller.replicaStates[replicaKey(replica.key, replica.replica)] = controller.liveBrokers.includes(replica.replica)
        ? 'OnlineReplica'
        : 'ReplicaDeletionIneligible';
    }
    await this.handleReplicaStateChanges(replicasOnBrokers(controller, controller.liveBrokers), 'OnlineReplica');
    // `partitionStateMachine.startup`.
    for (const p of allPartitions(controller)) {
      const leadership = controller.leadership[p.key];
      controller.partitionStates[p.key] =
        leadership === undefined ? 'NewPartition' : liveBrokerIds(controller).includes(leadership.leader) ? 'OnlinePartition' : 'OfflinePartition';
    }
    await this.triggerOnlinePartitionStateChange();
    this.sendUpdateMetadata(liveOrShuttingDownBrokerIds(this.state()));
    if (this.ctx.config['auto.leader.rebalance.enable']) this.scheduleRebalanceCheck(5000);
  }

  /** `onControllerResignation`. */
  private async onControllerResignation(): Promise<void> {
    for (const unsubscribe of this.listeners) unsubscribe();
    this.listeners = [];
    this.channels?.shutdown();
    this.channels = undefined;
    this.batch = undefined;
    const broker = brokerState(this.ctx);
    if (broker.controller !== null) {
      this.ctx.narrate('controller.resigned', { broker: this.ctx.brokerId, epoch: broker.controller.epoch }, `Broker ${this.ctx.brokerId} resigns as controller.`);
    }
    broker.controller = null;
    if (broker.status === 'RunningAsController') broker.status = 'RunningAsBroker';
  }

  // ---------------------------------------------------------------- ZooKeeper events

  /** `BrokerChangeListener.handleChildChange`: startups first, then failures. */
  private async handleBrokerChange(children: readonly string[]): Promise<void> {
    if (!this.isActive || brokerState(this.ctx).controller === null) return;
    const controller = this.state();
    const current = children.map(Number).sort((a, b) => a - b);
    const known = liveOrShuttingDownBrokerIds(controller);
    const newBrokers = current.filter((id) => !known.includes(id));
    const deadBrokers = known.filter((id) => !current.includes(id));
    controller.liveBrokers = current;
    for (const id of newBrokers) this.channels?.addBroker(id);
    for (const id of deadBrokers) this.channels?.removeBroker(id);
    if (newBrokers.length > 0 || deadBrokers.length > 0) {
      this.ctx.narrate(
        'controller.broker-change',
        { live: current, new: newBrokers, dead: deadBrokers },
        `Controller ${this.ctx.brokerId} sees brokers [${current.join(',')}] in /brokers/ids${newBrokers.length > 0 ? `; new: [${newBrokers.join(',')}]` : ''}${deadBrokers.length > 0 ? `; dead: [${deadBrokers.join(',')}]` : ''}.`,
      );
    }
    if (newBrokers.length > 0) await this.onBrokerStartup(newBrokers);
    if (deadBrokers.length > 0) await this.onBrokerFailure(deadBrokers);
  }

  private async onBrokerStartup(newBrokers: readonly number[]): Promise<void> {
    this.sendUpdateMetadata(newBrokers);
    await this.handleReplicaStateChanges(replicasOnBrokers(this.state(), newBrokers), 'OnlineReplica');
    await this.triggerOnlinePartitionStateChange();
  }

  private async onBrokerFailure(deadBrokers: readonly number[]): Promise<void> {
    const controller = this.state();
    controller.shuttingDownBrokers = controller.shuttingDownBrokers.filter((id) => !deadBrokers.includes(id));
    const withoutLeader = allPartitions(controller).filter((p) => deadBrokers.includes(controller.leadership[p.key]?.leader ?? -1));
    await this.handlePartitionStateChanges(withoutLeader, 'OfflinePartition');
    await this.triggerOnlinePartitionStateChange();
    await this.handleReplicaStateChanges(replicasOnBrokers(this.state(), deadBrokers), 'OfflineReplica');
  }

  /** `TopicChangeListener.handleChildChange`: new topics come online. */
  private async handleTopicChange(children: readonly string[]): Promise<void> {
    if (!this.isActive || brokerState(this.ctx).controller === null) return;
    const controller = this.state();
    const known = new Set(allPartitions(controller).map((p) => p.topic));
    const newTopics = [...children].sort().filter((topic) => !known.has(topic));
    if (newTopics.length === 0) return;
    const newPartitions: TopicPartitionRef[] = [];
    for (const topic of newTopics) {
      const data = await readDataMaybeNull(this.ctx.zk, topicPath(topic));
      if (data === null) continue;
      for (const [partition, replicas] of parseTopicAssignment(data.data)) {
        this.state().assignments[`${topic}-${partition}`] = replicas;
        newPartitions.push(ref(topic, partition));
      }
    }
    this.ctx.narrate('controller.new-topics', { topics: newTopics }, `Controller ${this.ctx.brokerId} sees new topic(s) ${newTopics.join(', ')} and brings their partitions online.`);
    // `onNewPartitionCreation`.
    await this.handlePartitionStateChanges(newPartitions, 'NewPartition');
    await this.handleReplicaStateChanges(replicasForPartitions(this.state(), newPartitions), 'NewReplica');
    await this.handlePartitionStateChanges(newPartitions, 'OnlinePartition', (input) =>
      offlinePartitionLeader({ ...input, uncleanLeaderElectionEnable: this.uncleanAllowed(input.topic) }),
    );
    await this.handleReplicaStateChanges(replicasForPartitions(this.state(), newPartitions), 'OnlineReplica');
  }

  private async handlePreferredReplicaElection(data: string): Promise<void> {
    if (!this.isActive || brokerState(this.ctx).controller === null) return;
    const partitions = parsePreferredReplicaElection(data).map((tp) => ref(tp.topic, tp.partition));
    this.ctx.narrate(
      'controller.preferred-election',
      { partitions: partitions.map((p) => p.key) },
      `Controller ${this.ctx.brokerId} runs a preferred replica election for ${partitions.map((p) => p.key).join(', ')}.`,
    );
    await this.handlePartitionStateChanges(partitions, 'OnlinePartition', preferredReplicaLeader);
    await deletePath(this.ctx.zk, ZkPaths.preferredReplicaElection);
  }

  // ---------------------------------------------------------------- controlled shutdown and rebalance

  /** `KafkaController.shutdownBroker`: move leadership off a broker before it stops. */
  async shutdownBroker(id: number): Promise<ShutdownResult> {
    if (!this.isActive || brokerState(this.ctx).controller === null) {
      return { errorCode: ErrorCode.StaleControllerEpoch, partitionsRemaining: [] };
    }
    return this.lock.run(async () => {
      const controller = this.state();
      if (!liveOrShuttingDownBrokerIds(controller).includes(id)) return { errorCode: ErrorCode.BrokerNotAvailable, partitionsRemaining: [] };
      if (!controller.shuttingDownBrokers.includes(id)) controller.shuttingDownBrokers.push(id);
      this.ctx.narrate('controller.controlled-shutdown', { broker: id }, `Controller ${this.ctx.brokerId} moves leadership off broker ${id}, which is shutting down.`);
      for (const p of partitionsOnBrokers(controller, [id])) {
        const state = this.state();
        const leadership = state.leadership[p.key];
        // 0.8.2 skips partitions with a single replica: there is nowhere to move them.
        if (leadership === undefined || (state.assignments[p.key]?.length ?? 0) <= 1) continue;
        if (leadership.leader === id) {
          await this.handlePartitionStateChanges([p], 'OnlinePartition', controlledShutdownLeader);
        } else {
          this.batch!.addStopReplica([id], p.topic, p.partition, false);
          this.batch!.send();
          await this.handleReplicaStateChanges([replicaRef(p, id)], 'OfflineReplica');
        }
      }
      const after = this.state();
      const remaining = allPartitions(after)
        .filter((p) => after.leadership[p.key]?.leader === id && (after.assignments[p.key]?.length ?? 0) > 1)
        .map((p) => ({ topic: p.topic, partition: p.partition }));
      return { errorCode: ErrorCode.NoError, partitionsRemaining: remaining };
    });
  }

  private scheduleRebalanceCheck(delayMs: number): void {
    this.ctx.kernel.schedule(delayMs, () => {
      if (!this.isActive) return;
      this.ctx.env.spawn(`broker-${this.ctx.brokerId}/partition-rebalance`, () => this.guarded('partition rebalance', () => this.checkAndTriggerPartitionRebalance()));
      this.scheduleRebalanceCheck(this.ctx.config['leader.imbalance.check.interval.seconds'] * 1000);
    }, { node: this.ctx.node, label: 'partition-rebalance-thread' });
  }

  /** `checkAndTriggerPartitionRebalance`: preferred election for brokers over the imbalance ratio. */
  private async checkAndTriggerPartitionRebalance(): Promise<void> {
    if (!this.isActive || brokerState(this.ctx).controller === null) return;
    const controller = this.state();
    const threshold = this.ctx.config['leader.imbalance.per.broker.percentage'] / 100;
    const byPreferred = new Map<number, TopicPartitionRef[]>();
    for (const p of allPartitions(controller)) {
      const preferred = controller.assignments[p.key]![0]!;
      if (!byPreferred.has(preferred)) byPreferred.set(preferred, []);
      byPreferred.get(preferred)!.push(p);
    }
    for (const [broker, partitions] of [...byPreferred].sort((a, b) => a[0] - b[0])) {
      const notLed = partitions.filter((p) => this.state().leadership[p.key]?.leader !== broker);
      const ratio = notLed.length / partitions.length;
      if (ratio <= threshold || !liveBrokerIds(this.state()).includes(broker)) continue;
      this.ctx.narrate(
        'controller.imbalance',
        { broker, ratio, partitions: notLed.map((p) => p.key) },
        `Controller ${this.ctx.brokerId}: broker ${broker} leads only ${partitions.length - notLed.length} of the ${partitions.length} partitions it prefers (imbalance ${Math.round(ratio * 100)}% > ${Math.round(threshold * 100)}%); moving leadership back.`,
      );
      await this.handlePartitionStateChanges(notLed, 'OnlinePartition', preferredReplicaLeader);
    }
  }

  // ---------------------------------------------------------------- partition state machine

  /** `triggerOnlinePartitionStateChange`: elect leaders for every New or Offline partition. */
  private async triggerOnlinePartitionStateChange(): Promise<void> {
    const controller = this.state();
    const candidates = allPartitions(controller).filter((p) => {
      const state = controller.partitionStates[p.key];
      return state === 'OfflinePartition' || state === 'NewPartition';
    });
    await this.handlePartitionStateChanges(candidates, 'OnlinePartition', (input) =>
      offlinePartitionLeader({ ...input, uncleanLeaderElectionEnable: this.uncleanAllowed(input.topic) }),
    );
  }

  /** `PartitionStateMachine.handleStateChanges`: one batch of requests for all the changes. */
  private async handlePartitionStateChanges(
    partitions: readonly TopicPartitionRef[],
    target: PartitionStateName,
    selector: Selector = (input) => offlinePartitionLeader({ ...input, uncleanLeaderElectionEnable: this.uncleanAllowed(input.topic) }),
  ): Promise<void> {
    if (partitions.length === 0 || this.batch === undefined) return;
    for (const p of partitions) {
      try {
        await this.changePartitionState(p, target, selector);
      } catch (error) {
        if (!(error instanceof StateChangeFailed) && !isZkError(error)) throw error;
        this.ctx.narrate(
          'controller.state-change-failed',
          { topic: p.topic, partition: p.partition, target, error: causeMessage(error) },
          `Controller ${this.ctx.brokerId}: state change of ${p.key} to ${target} failed: ${causeMessage(error)}`,
        );
      }
    }
    this.batch?.send();
  }

  private async changePartitionState(p: TopicPartitionRef, target: PartitionStateName, selector: Selector): Promise<void> {
    const from = this.state().partitionStates[p.key] ?? 'NonExistentPartition';
    if (!canMovePartition(from, target)) {
      throw new StateChangeFailed(`Partition ${p.key} should be in the ${target === 'NewPartition' ? 'NonExistentPartition' : 'New, Online or Offline'} states before moving to ${target} state. Instead it is in ${from} state`);
    }
    if (target === 'OnlinePartition') {
      if (from === 'NewPartition') await this.initializeLeaderAndIsr(p);
      else await this.electLeader(p, selector);
    }
    this.state().partitionStates[p.key] = target;
  }

  /** New → Online: leader = first live replica in AR order, ISR = all live AR, epoch 0. */
  private async initializeLeaderAndIsr(p: TopicPartitionRef): Promise<void> {
    const controller = this.state();
    const replicas = controller.assignments[p.key] ?? [];
    const live = replicas.filter((r) => liveBrokerIds(controller).includes(r));
    if (live.length === 0) {
      throw new StateChangeFailed(
        `encountered error during state change of partition ${p.key} from New to Online, assigned replicas are [${replicas.join(',')}], live brokers are [${liveBrokerIds(controller).join(',')}]. No assigned replica is alive.`,
      );
    }
    // The first live replica leads at epoch 0 (objects spelled out: see `replicaRef`).
    const leader = live[0]!;
    try {
      await createPersistentPath(this.ctx.zk, partitionStatePath(p.topic, p.partition), encodePartitionState({ leader, leaderEpoch: 0, isr: live, controllerEpoch: controller.epoch }));
    } catch (error) {
      if (isZkError(error, 'NODEEXISTS')) throw new StateChangeFailed(`LeaderAndIsr path already exists for partition ${p.key}`);
      throw error;
    }
    const state = this.state();
    state.leadership[p.key] = { leader, leaderEpoch: 0, isr: [...live], zkVersion: 0, controllerEpoch: state.epoch };
    this.narrateElection(p, leader, 0, live, 'initial');
    this.batch!.addLeaderAndIsr(live, p.topic, p.partition);
  }

  /** `electLeaderForPartition`: read the state znode, select, write conditionally, retry on conflict. */
  private async electLeader(p: TopicPartitionRef, selector: Selector): Promise<void> {
    for (;;) {
      const current = await this.readLeaderAndIsr(p);
      const selection = selector({
        topic: p.topic,
        partition: p.partition,
        assignedReplicas: this.state().assignments[p.key] ?? [],
        current: { leader: current.leader, leaderEpoch: current.leaderEpoch, isr: current.isr, zkVersion: current.zkVersion },
        liveBrokerIds: liveBrokerIds(this.state()),
        shuttingDownBrokerIds: this.state().shuttingDownBrokers,
      });
      if (!selection.ok) {
        if (selection.error === 'LeaderElectionNotNeeded') return;
        throw new StateChangeFailed(selection.message);
      }
      const chosen = selection.leaderAndIsr;
      const update = await this.writeLeaderAndIsr(p, chosen, current.zkVersion);
      if (!update.succeeded) continue;
      const state = this.state();
      state.leadership[p.key] = { leader: chosen.leader, leaderEpoch: chosen.leaderEpoch, isr: [...chosen.isr], zkVersion: update.version, controllerEpoch: state.epoch };
      this.narrateElection(p, chosen.leader, chosen.leaderEpoch, chosen.isr, selection.unclean ? 'unclean' : 'clean');
      this.batch!.addLeaderAndIsr(selection.receivers, p.topic, p.partition);
      return;
    }
  }

  // ---------------------------------------------------------------- replica state machine

  /** `ReplicaStateMachine.handleStateChanges`. */
  private async handleReplicaStateChanges(replicas: readonly ReplicaRef[], target: ReplicaStateName): Promise<void> {
    if (replicas.length === 0 || this.batch === undefined) return;
    for (const r of replicas) {
      try {
        await this.changeReplicaState(r, target);
      } catch (error) {
        if (!(error instanceof StateChangeFailed) && !isZkError(error)) throw error;
        this.ctx.narrate(
          'controller.state-change-failed',
          { topic: r.topic, partition: r.partition, replica: r.replica, target, error: causeMessage(error) },
          `Controller ${this.ctx.brokerId}: state change of replica ${r.replica} of ${r.key} to ${target} failed: ${causeMessage(error)}`,
        );
      }
    }
    this.batch?.send();
  }

  private async changeReplicaState(r: ReplicaRef, target: ReplicaStateName): Promise<void> {
    const key = replicaKey(r.key, r.replica);
    const from = this.state().replicaStates[key] ?? 'NonExistentReplica';
    if (!canMoveReplica(from, target)) {
      throw new StateChangeFailed(`Replica ${r.replica} for partition ${r.key} cannot move from ${from} to ${target}`);
    }
    const controller = this.state();
    switch (target) {
      case 'NewReplica': {
        const leadership = controller.leadership[r.key];
        if (leadership !== undefined) {
          if (leadership.leader === r.replica) throw new StateChangeFailed(`Replica ${r.replica} for partition ${r.key} cannot be moved to NewReplica state as it is being requested to become leader`);
          this.batch!.addLeaderAndIsr([r.replica], r.topic, r.partition);
        }
        break;
      }
      case 'OnlineReplica': {
        if (from === 'NewReplica') {
          const assigned = controller.assignments[r.key] ?? [];
          if (!assigned.includes(r.replica)) controller.assignments[r.key] = [...assigned, r.replica];
        } else if (controller.leadership[r.key] !== undefined) {
          this.batch!.addLeaderAndIsr([r.replica], r.topic, r.partition);
        }
        break;
      }
      case 'OfflineReplica': {
        // Stop fetching, then (an optimization) remove the dead replica from the ISR.
        this.batch!.addStopReplica([r.replica], r.topic, r.partition, false);
        if (controller.leadership[r.key] === undefined) {
          throw new StateChangeFailed(`Failed to change state of replica ${r.replica} for partition ${r.key} since the leader and isr path in zookeeper is empty`);
        }
        const updated = await this.removeReplicaFromIsr(r);
        if (updated) {
          const others = (this.state().assignments[r.key] ?? []).filter((id) => id !== r.replica);
          this.batch!.addLeaderAndIsr(others, r.topic, r.partition);
        }
        break;
      }
      default:
        break;
    }
    this.state().replicaStates[key] = target;
  }

  /**
   * `removeReplicaFromIsr` (0.8.2): re-read the state znode, fence on the controller epoch, drop
   * the replica from the ISR (leader -1 if it led; 0.8.2 keeps the last ISR member when unclean
   * election is off), leader epoch + 1, conditional write retried until it lands.
   */
  private async removeReplicaFromIsr(r: ReplicaRef): Promise<boolean> {
    for (;;) {
      const current = await this.readLeaderAndIsr(r);
      if (!current.isr.includes(r.replica)) {
        const state = this.state();
        state.leadership[r.key] = { leader: current.leader, leaderEpoch: current.leaderEpoch, isr: [...current.isr], zkVersion: current.zkVersion, controllerEpoch: state.epoch };
        return true;
      }
      const newLeader = r.replica === current.leader ? -1 : current.leader;
      let newIsr = current.isr.filter((id) => id !== r.replica);
      if (newIsr.length === 0 && !this.uncleanAllowed(r.topic)) {
        this.ctx.narrate(
          'controller.retain-isr',
          { topic: r.topic, partition: r.partition, replica: r.replica },
          `Controller ${this.ctx.brokerId} retains the last ISR member ${r.replica} of ${r.key}: unclean leader election is disabled, so only it may lead again.`,
        );
        newIsr = [...current.isr];
      }
      const next: LeaderAndIsr = { leader: newLeader, leaderEpoch: current.leaderEpoch + 1, isr: newIsr, zkVersion: current.zkVersion + 1 };
      const update = await this.writeLeaderAndIsr(r, next, current.zkVersion);
      if (!update.succeeded) continue;
      const state = this.state();
      state.leadership[r.key] = { leader: newLeader, leaderEpoch: next.leaderEpoch, isr: [...newIsr], zkVersion: update.version, controllerEpoch: state.epoch };
      this.ctx.narrate(
        'isr.shrunk',
        { topic: r.topic, partition: r.partition, isr: newIsr, leader: newLeader, by: 'controller' },
        `Controller ${this.ctx.brokerId} removed broker ${r.replica} from the ISR of ${r.key}: ISR [${newIsr.join(',')}], leader ${newLeader === -1 ? 'none' : newLeader}, leader epoch ${next.leaderEpoch}.`,
      );
      return true;
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Runs a controller action under the controller lock. A failed state change (this controller
   * was fenced or resigned meanwhile) is reported, not thrown: Kafka logs it and carries on.
   */
  private guarded(what: string, action: () => Promise<void>): Promise<void> {
    return this.lock.run(async () => {
      try {
        await action();
      } catch (error) {
        if (!(error instanceof StateChangeFailed) && !isZkError(error)) throw error;
        this.ctx.narrate('controller.error', { broker: this.ctx.brokerId, action: what, error: causeMessage(error) }, `Controller ${this.ctx.brokerId} (${what}): ${causeMessage(error)}`);
      }
    });
  }

  private async readLeaderAndIsr(p: TopicPartitionRef): Promise<LeaderAndIsr & { controllerEpoch: number }> {
    const stored = await readDataMaybeNull(this.ctx.zk, partitionStatePath(p.topic, p.partition));
    if (stored === null) throw new StateChangeFailed(`LeaderAndIsr information doesn't exist for partition ${p.key} in OnlinePartition state`);
    const parsed = parsePartitionState(stored.data);
    if (parsed.controllerEpoch > this.state().epoch) {
      throw new StateChangeFailed(
        `Leader and isr path written by another controller. This probably means the current controller with epoch ${this.state().epoch} went through a soft failure and another controller was elected with epoch ${parsed.controllerEpoch}. Aborting state change by this controller`,
      );
    }
    return { leader: parsed.leader, leaderEpoch: parsed.leaderEpoch, isr: [...parsed.isr], zkVersion: stored.stat.version, controllerEpoch: parsed.controllerEpoch };
  }

  private writeLeaderAndIsr(p: TopicPartitionRef, next: LeaderAndIsr, expectedVersion: number) {
    const data = encodePartitionState({ controllerEpoch: this.state().epoch, leader: next.leader, leaderEpoch: next.leaderEpoch, isr: [...next.isr] });
    return conditionalUpdatePersistentPath(this.ctx.zk, partitionStatePath(p.topic, p.partition), data, expectedVersion);
  }

  private sendUpdateMetadata(brokers: readonly number[]): void {
    if (this.batch === undefined) return;
    this.batch.addUpdateMetadata(brokers);
    this.batch.send();
  }

  private uncleanAllowed(topic: string): boolean {
    return this.ctx.topicConfig(topic)['unclean.leader.election.enable'];
  }

  private narrateElection(p: TopicPartitionRef, leader: number, leaderEpoch: number, isr: readonly number[], how: 'initial' | 'clean' | 'unclean'): void {
    this.ctx.narrate(
      'partition.leader.elected',
      { topic: p.topic, partition: p.partition, leader, leaderEpoch, isr: [...isr], unclean: how === 'unclean' },
      how === 'unclean'
        ? `Controller ${this.ctx.brokerId} elected broker ${leader} leader of ${p.key} from OUTSIDE the ISR (unclean election, leader epoch ${leaderEpoch}): there's potential data loss.`
        : leader === -1
          ? `Controller ${this.ctx.brokerId}: ${p.key} has no leader (leader epoch ${leaderEpoch}).`
          : `Controller ${this.ctx.brokerId} elected broker ${leader} leader of ${p.key} (leader epoch ${leaderEpoch}, ISR [${isr.join(',')}]).`,
    );
  }
}

function splitKey(key: string): [string, number] {
  const index = key.lastIndexOf('-');
  return [key.slice(0, index), Number(key.slice(index + 1))];
}
