/**
 * The high-level consumer in 'coordinator' mode (`group.coordination=coordinator`, a kafkasim key):
 * the API of the 0.8 `ZookeeperConsumerConnector` (`createMessageStreams`, streams,
 * `commitOffsets`, `shutdown`) with its group membership run by the broker's group coordinator, as
 * Kafka 2.2's `AbstractCoordinator` and `ConsumerCoordinator` run it (eager rebalancing), so that it
 * works against brokers that no longer accept ZooKeeper consumers. Fetching, streams and
 * auto-commit scheduling are the 0.8 connector's (`connector-base.ts`, `fetcher.ts`).
 *
 * One coordinator "thread" (`ensureActiveGroup` and the heartbeat thread in one loop) moves the
 * member through `member-state.ts`:
 *   - finds the coordinator: FindCoordinator to the `bootstrap.servers` in order, then a connection
 *     to the answer; COORDINATOR_NOT_AVAILABLE (15) or no broker answering backs off
 *     `rebalance.backoff.ms`;
 *   - joins (`onJoinPrepare` first: stop fetching, drop queued chunks, auto-commit, give up the
 *     partitions): JoinGroup with protocol type "consumer" and one protocol named after
 *     `partition.assignment.strategy`, carrying the subscription as ConsumerProtocol v0 bytes
 *     (`consumer-protocol.ts`); the elected leader fetches topic metadata and computes the whole
 *     group's assignment with kafkasim's own range/roundrobin assignors (client-side assignment),
 *     over the members' consumer ids and stream counts, and sends it in SyncGroup; each member
 *     then reads its committed offsets with OffsetFetch (-1: the first fetch resets by
 *     `auto.offset.reset`) and starts fetching (`onJoinComplete`);
 *   - heartbeats every `heartbeat.interval.ms`: REBALANCE_IN_PROGRESS (27) rejoins,
 *     ILLEGAL_GENERATION (22) and UNKNOWN_MEMBER_ID (25) reset the generation (25 the member id
 *     too) and rejoin, NOT_COORDINATOR (16), COORDINATOR_NOT_AVAILABLE (15) and a broken
 *     connection forget the coordinator, which is found again (a new coordinator does not know
 *     the member: 25, and it rejoins).
 * Offsets are committed with OffsetCommit v1+ semantics (generation and member id) every
 * `auto.commit.interval.ms`, before every rejoin and at shutdown, only while Stable (Kafka's
 * `CommitFailedException` otherwise); shutdown then sends LeaveGroup.
 * Errors of JoinGroup other than those above (23, 24, 26, ...) are fatal, as in Kafka: the first
 * `createMessageStreams` rejects with GroupJoinFailedError; later, the consumer stays without
 * partitions. Not modelled: cooperative rebalancing, static membership, `max.poll.interval.ms`
 * (there is no `poll`; `rebalance.timeout.ms` is sent instead), pattern subscriptions. A shutdown
 * during a JoinGroup waits for its answer (at most the rebalance timeout).
 */
import { NO_GENERATION_ID, UNKNOWN_MEMBER_ID, type KafkaRequest, type ResponseFor, type TopicAndPartition } from '../../protocol/api.ts';
import { Mutex } from '../../protocol/concurrency.ts';
import { ErrorCode, errorName } from '../../protocol/errors.ts';
import type { Deferred } from '../../protocol/runtime.ts';
import { KafkasimError } from '../../sim/errors.ts';
import { assignPartitions, type GroupAssignment, type PartitionOwnership } from '../assignors.ts';
import { BrokerConnectionError, CommitFailedError, ConfigError, GroupJoinFailedError } from '../errors.ts';
import { fetchTopicMetadata, type HostAndPort } from '../metadata.ts';
import { parseHostList, type BrokerConnection, type Runtime } from '../runtime.ts';
import type { ConsumerConfigInput } from './config.ts';
import { ConnectorBase } from './connector-base.ts';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.ts';
import { moveMember, type MemberStateName } from './member-state.ts';
import type { KafkaStream } from './stream.ts';
import { WakeableSleep } from './wakeable-sleep.ts';

/** Errors after which the coordinator is looked up again (`coordinatorDead`). */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.ConsumerCoordinatorNotAvailable, ErrorCode.NotCoordinatorForConsumer]);

export class CoordinatorConsumerConnector extends ConnectorBase {
  private readonly bootstrap: HostAndPort[];
  private readonly rebalanceLock: Mutex;
  private memberState: MemberStateName = 'Unjoined';
  private memberId = UNKNOWN_MEMBER_ID;
  private generationId = NO_GENERATION_ID;
  private coordinator: { readonly id: number; readonly connection: BrokerConnection } | undefined;
  /** A lookup under way, shared by the heartbeat and auto-commit threads (one connection to the coordinator). */
  private finding: Promise<number | undefined> | undefined;
  private rejoinNeeded = true;
  /** `needsJoinPrepare`: the partitions held are to be given up before the next JoinGroup. */
  private needsJoinPrepare = true;
  private firstJoin: Deferred<void> | undefined;
  /** The coordinator thread's pause between heartbeats, cut short by a rejoin or shutdown. */
  private readonly pauseBetweenHeartbeats: WakeableSleep;

  constructor(runtime: Runtime, config: ConsumerConfigInput) {
    super(runtime, config);
    const servers = this.config['bootstrap.servers'];
    if (this.config['group.coordination'] !== 'coordinator' || servers === null) {
      throw new ConfigError('group.coordination', this.config['group.coordination'], "'coordinator' for a CoordinatorConsumerConnector (createConsumerConnector picks the connector of either mode)");
    }
    this.bootstrap = parseHostList(servers, 'bootstrap.servers', 9092);
    this.rebalanceLock = new Mutex(runtime, `rebalance lock of ${this.consumerId}`);
    this.pauseBetweenHeartbeats = new WakeableSleep(runtime, `the next heartbeat of ${this.consumerId}`);
    if (this.config['auto.commit.enable']) this.scheduleAutoCommit();
  }

  /** The member's state, generation and id at the coordinator (for tests and lessons). */
  get membership(): { readonly state: MemberStateName; readonly generationId: number; readonly memberId: string } {
    return { state: this.memberState, generationId: this.generationId, memberId: this.memberId };
  }

  /** Resolves after the first completed rebalance; rejects with GroupJoinFailedError if the coordinator refuses the member. */
  async createMessageStreams(topicCountMap: Readonly<Record<string, number>>): Promise<Record<string, KafkaStream[]>> {
    const result = this.createStreams(topicCountMap);
    const firstJoin = this.runtime.deferred<void>(`the first rebalance of ${this.consumerId}`);
    this.firstJoin = firstJoin;
    this.runtime.spawn(`${this.consumerId}-coordinator`, () => this.run());
    await firstJoin.promise;
    return result;
  }

  /** Commits every owned partition's consumed offset to the coordinator; CommitFailedError unless Stable and accepted. */
  async commitOffsets(): Promise<void> {
    if (!this.started) return;
    const due = [...this.topicRegistry.values()].filter((info) => info.consumedOffset >= 0 && this.checkpointed.get(info.key) !== info.consumedOffset);
    if (due.length === 0) return;
    if (this.memberState !== 'Stable') throw new CommitFailedError(this.consumerId, `it is ${this.memberState}, not a member of a stable generation`);
    const offsets = due.map((info) => ({ topic: info.topic, partition: info.partition, offset: info.consumedOffset, metadata: '' }));
    const response = await this.toCoordinator({
      api: 'GroupOffsetCommit',
      clientId: this.config['client.id'],
      correlationId: 0,
      groupId: this.group,
      generationId: this.generationId,
      memberId: this.memberId,
      offsets,
    });
    if (response === undefined) throw new CommitFailedError(this.consumerId, 'no group coordinator is reachable');
    let refused: number | undefined;
    for (const p of response.partitions) {
      const offset = offsets.find((o) => o.topic === p.topic && o.partition === p.partition)?.offset;
      if (offset === undefined) continue;
      if (p.errorCode !== ErrorCode.NoError) {
        refused ??= p.errorCode;
        continue;
      }
      this.checkpointed.set(`${p.topic}-${p.partition}`, offset);
      this.record('consumer.committed', { partition: `${p.topic}-${p.partition}`, offset }, `${this.consumerId} committed offset ${offset} of ${p.topic}-${p.partition} to the group coordinator.`);
    }
    if (refused !== undefined) {
      this.handleGroupError(refused, 'OffsetCommit');
      throw new CommitFailedError(this.consumerId, `the coordinator answered ${errorName(refused)}`);
    }
  }

  /** Stop fetching, end the streams, commit (auto-commit), leave the group. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.firstJoin?.resolve();
    this.pauseBetweenHeartbeats.wake();
    this.stopAutoCommit();
    await this.rebalanceLock.run(async () => {
      this.endStreams();
      if (this.config['auto.commit.enable']) await this.commitOffsetsLogged();
      if (this.memberId !== UNKNOWN_MEMBER_ID && this.coordinator !== undefined) {
        // `maybeLeaveGroup`: the answer does not matter; the session would expire anyway.
        await this.toCoordinator({ api: 'LeaveGroup', clientId: this.config['client.id'], correlationId: 0, groupId: this.group, memberIds: [this.memberId] });
      }
      this.coordinator?.connection.close();
      this.coordinator = undefined;
      this.moveTo('Left');
    });
    this.record('consumer.shutdown', {}, `${this.consumerId} shut down and left group ${this.group}.`);
  }

  protected brokers(): Promise<HostAndPort[]> {
    return Promise.resolve(this.bootstrap);
  }

  // ---------------------------------------------------------------- the coordinator thread

  private async run(): Promise<void> {
    while (!this.shuttingDown) {
      if (this.rejoinNeeded) {
        const outcome = await this.rebalanceLock.run(() => (this.shuttingDown ? 'done' : this.joinGroup()));
        if (outcome === 'fatal') return;
        if (outcome === 'retry') await this.pause(this.config['rebalance.backoff.ms']);
        continue;
      }
      await this.pause(this.config['heartbeat.interval.ms']);
      if (this.shuttingDown || this.rejoinNeeded) continue;
      await this.heartbeat();
    }
  }

  /** Sleeps `ms`, or less if a rejoin or shutdown is asked for meanwhile. */
  private pause(ms: number): Promise<void> {
    return this.pauseBetweenHeartbeats.sleep(ms);
  }

  private async heartbeat(): Promise<void> {
    const response = await this.toCoordinator({ api: 'Heartbeat', clientId: this.config['client.id'], correlationId: 0, groupId: this.group, generationId: this.generationId, memberId: this.memberId });
    if (response === undefined || response.errorCode === ErrorCode.NoError) return;
    this.handleGroupError(response.errorCode, 'Heartbeat');
  }

  /**
   * One `joinGroupIfNeeded` round: 'done' when Stable (or shutting down), 'again' to retry at
   * once, 'retry' after a backoff, 'fatal' when the coordinator refused the member for good.
   */
  private async joinGroup(): Promise<'done' | 'again' | 'retry' | 'fatal'> {
    if (this.coordinator === undefined && (await this.findCoordinator()) === undefined) return 'retry';
    if (this.needsJoinPrepare) await this.onJoinPrepare();
    if (this.memberState !== 'Rebalancing') this.moveTo('Rebalancing');
    const rebalanceWaitMs = this.config['rebalance.timeout.ms'] + this.config['socket.timeout.ms'];
    const join = await this.toCoordinator(
      {
        api: 'JoinGroup',
        clientId: this.config['client.id'],
        correlationId: 0,
        groupId: this.group,
        sessionTimeoutMs: this.config['session.timeout.ms'],
        rebalanceTimeoutMs: this.config['rebalance.timeout.ms'],
        memberId: this.memberId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: [{ name: this.config['partition.assignment.strategy'], metadata: encodeSubscription(this.consumerId, this.subscription) }],
        requireKnownMemberId: false,
      },
      rebalanceWaitMs,
    );
    if (join === undefined) return 'retry';
    if (join.errorCode === ErrorCode.MemberIdRequired) {
      this.memberId = join.memberId;
      return 'again';
    }
    if (join.errorCode !== ErrorCode.NoError) return this.joinFailed(join.errorCode, 'JoinGroup');
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const leader = join.leaderId === join.memberId;
    this.record(
      'consumer.group.joined',
      { generation: join.generationId, memberId: join.memberId, leader: join.leaderId, protocol: join.protocolName },
      `${this.consumerId} joined generation ${join.generationId} of group ${this.group} as ${join.memberId}${leader ? ', its leader: it computes the assignment' : ''}.`,
    );
    const assignments = leader ? await this.assign(join.members) : [];
    if (assignments === undefined) return 'retry';
    const sync = await this.toCoordinator(
      { api: 'SyncGroup', clientId: this.config['client.id'], correlationId: 0, groupId: this.group, generationId: this.generationId, memberId: this.memberId, assignments },
      rebalanceWaitMs,
    );
    if (sync === undefined) return 'retry';
    if (sync.errorCode !== ErrorCode.NoError) return this.joinFailed(sync.errorCode, 'SyncGroup');
    return this.onJoinComplete(this.decisionOf(sync.assignment));
  }

  /** `onJoinPrepare`: stop fetching, commit (auto-commit), give up the partitions. */
  private async onJoinPrepare(): Promise<void> {
    this.closeFetchers();
    if (this.config['auto.commit.enable'] && this.memberState === 'Stable') await this.commitOffsetsLogged();
    this.topicRegistry = new Map();
    this.needsJoinPrepare = false;
  }

  /** `onJoinComplete`: the committed offsets of the assigned partitions, then fetching. */
  private async onJoinComplete(decision: PartitionOwnership[]): Promise<'done' | 'again' | 'retry'> {
    const offsets = new Map<string, number>();
    if (decision.length > 0) {
      const partitions: TopicAndPartition[] = decision.map((p) => ({ topic: p.topic, partition: p.partition }));
      const fetched = await this.toCoordinator({ api: 'GroupOffsetFetch', clientId: this.config['client.id'], correlationId: 0, groupId: this.group, partitions });
      if (fetched === undefined) return 'retry';
      const failed = fetched.errorCode !== ErrorCode.NoError ? fetched.errorCode : fetched.partitions.find((p) => p.errorCode !== ErrorCode.NoError)?.errorCode;
      if (failed !== undefined) {
        // Retriable (the coordinator moved, or is loading): the member joins again.
        this.record('consumer.rebalance.error', { api: 'OffsetFetch', error: errorName(failed) }, `${this.consumerId}: the coordinator answered its OffsetFetch with ${errorName(failed)}.`);
        if (COORDINATOR_ERRORS.has(failed)) this.coordinatorDead();
        return 'retry';
      }
      for (const p of fetched.partitions) offsets.set(`${p.topic}-${p.partition}`, p.offset);
      for (const p of decision) if (!offsets.has(`${p.topic}-${p.partition}`)) offsets.set(`${p.topic}-${p.partition}`, -1);
    }
    if (this.shuttingDown) return 'done';
    this.startFetching(this.registryFor(decision, offsets));
    this.moveTo('Stable');
    this.rejoinNeeded = false;
    this.needsJoinPrepare = true;
    this.rebalances++;
    this.recordRebalanced(decision, offsets);
    this.firstJoin?.resolve();
    return 'done';
  }

  /** The leader's part (`performAssignment`): every member's share, by kafkasim's assignor. */
  private async assign(members: readonly { readonly memberId: string; readonly metadata: Uint8Array }[]): Promise<{ memberId: string; assignment: Uint8Array }[] | undefined> {
    const subscriptions: Record<string, Record<string, number>> = {};
    const memberOf = new Map<string, string>();
    for (const member of members) {
      let subscription;
      try {
        subscription = decodeSubscription(member.metadata);
      } catch {
        continue; // Not a consumer subscription: that member gets an empty assignment.
      }
      // A consumer id claimed twice (two members with the same `consumer.id`): the later goes by its member id.
      const consumerId = subscription.consumerId !== undefined && !memberOf.has(subscription.consumerId) ? subscription.consumerId : member.memberId;
      memberOf.set(consumerId, member.memberId);
      subscriptions[consumerId] = { ...subscription.streams };
    }
    const topics = [...new Set(Object.values(subscriptions).flatMap((s) => Object.keys(s)))].sort();
    let partitionsPerTopic: Record<string, number>;
    try {
      const metadata = await fetchTopicMetadata(this.runtime, this.bootstrap, topics, { clientId: this.config['client.id'], timeoutMs: this.config['socket.timeout.ms'], shuffle: false });
      partitionsPerTopic = Object.fromEntries(topics.map((topic) => [topic, metadata.topics.find((t) => t.topic === topic)?.partitions.length ?? 0]));
    } catch (error) {
      if (!(error instanceof KafkasimError)) throw error;
      this.record('consumer.rebalance.error', { error: error.message }, `${this.consumerId} cannot assign partitions: ${error.message}`);
      return undefined;
    }
    let assignment: GroupAssignment;
    try {
      assignment = assignPartitions(this.config['partition.assignment.strategy'], { subscriptions, partitionsPerTopic, consumerId: this.consumerId });
    } catch (error) {
      if (!(error instanceof KafkasimError)) throw error;
      // RoundRobin's precondition: as a failed attempt of the 0.8 connector, nobody gets partitions this
      // generation. Every member is sent its (empty) share, as Kafka's leader always sends one per member.
      this.record('consumer.rebalance.error', { error: error.message }, `${this.consumerId} cannot assign partitions: ${error.message}`);
      return [...memberOf.values()].map((memberId) => ({ memberId, assignment: encodeAssignment({ partitions: [] }) }));
    }
    this.recordAssignment(assignment, ' for the group');
    return [...memberOf].map(([consumerId, memberId]) => ({
      memberId,
      assignment: encodeAssignment({ partitions: assignment.owners.filter((p) => p.consumerId === consumerId).map((p) => ({ topic: p.topic, partition: p.partition, thread: p.threadId })) }),
    }));
  }

  /** This member's share from its SyncGroup answer, each partition on one of its own threads. */
  private decisionOf(bytes: Uint8Array): PartitionOwnership[] {
    let assignment;
    try {
      assignment = decodeAssignment(bytes);
    } catch {
      this.record('consumer.rebalance.error', { error: 'undecodable assignment' }, `${this.consumerId} cannot read the assignment the leader sent: it owns no partition this generation.`);
      return [];
    }
    const decision: PartitionOwnership[] = [];
    for (const p of assignment.partitions) {
      const streams = this.subscription[p.topic];
      if (streams === undefined) continue;
      const threadId = p.thread < streams ? p.thread : 0;
      decision.push({ topic: p.topic, partition: p.partition, owner: `${this.consumerId}-${threadId}`, consumerId: this.consumerId, threadId });
    }
    return decision.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** A JoinGroup/SyncGroup/OffsetFetch error: what to do next. */
  private joinFailed(errorCode: number, api: string): 'again' | 'retry' | 'fatal' {
    this.record('consumer.rebalance.error', { api, error: errorName(errorCode) }, `${this.consumerId}: the coordinator answered its ${api} with ${errorName(errorCode)}.`);
    if (errorCode === ErrorCode.RebalanceInProgress) return 'again';
    if (errorCode === ErrorCode.UnknownMemberId || errorCode === ErrorCode.IllegalGeneration) {
      this.resetGeneration(errorCode === ErrorCode.UnknownMemberId);
      return 'again';
    }
    if (COORDINATOR_ERRORS.has(errorCode)) {
      this.coordinatorDead();
      return 'retry';
    }
    const error = new GroupJoinFailedError(this.consumerId, this.group, errorName(errorCode));
    this.record('consumer.rebalance.gave-up', { error: error.message }, `${error.message}: it owns no partition.`);
    this.firstJoin?.reject(error);
    return 'fatal';
  }

  /** A Heartbeat or OffsetCommit error (`HeartbeatResponseHandler`, `OffsetCommitResponseHandler`). */
  private handleGroupError(errorCode: number, api: string): void {
    if (COORDINATOR_ERRORS.has(errorCode)) {
      this.coordinatorDead();
      return;
    }
    if (errorCode === ErrorCode.RebalanceInProgress || errorCode === ErrorCode.IllegalGeneration || errorCode === ErrorCode.UnknownMemberId) {
      this.record('consumer.rejoin', { api, error: errorName(errorCode) }, `${this.consumerId}'s ${api} got ${errorName(errorCode)}: it joins group ${this.group} again.`);
      if (errorCode !== ErrorCode.RebalanceInProgress) this.resetGeneration(errorCode === ErrorCode.UnknownMemberId);
      this.rejoinNeeded = true;
      this.pauseBetweenHeartbeats.wake();
    }
  }

  /** `resetGeneration`: no generation (and with `forgetMemberId`, no member id either). */
  private resetGeneration(forgetMemberId: boolean): void {
    this.generationId = NO_GENERATION_ID;
    if (forgetMemberId) this.memberId = UNKNOWN_MEMBER_ID;
    if (this.memberState !== 'Unjoined') this.moveTo('Unjoined');
    this.rejoinNeeded = true;
  }

  // ---------------------------------------------------------------- the coordinator connection

  /** `lookupCoordinator`: the coordinator's id, or undefined if none could be found now. */
  private findCoordinator(): Promise<number | undefined> {
    this.finding ??= this.lookupCoordinator().finally(() => {
      this.finding = undefined;
    });
    return this.finding;
  }

  /** FindCoordinator to each bootstrap broker in turn, then a connection to the answer. */
  private async lookupCoordinator(): Promise<number | undefined> {
    for (const { host, port } of this.bootstrap) {
      let connection: BrokerConnection | undefined;
      try {
        connection = await this.runtime.connect(host, port, { timeoutMs: this.config['socket.timeout.ms'] });
        const response = await connection.send({ api: 'FindCoordinator', clientId: this.config['client.id'], correlationId: 0, groupId: this.group }, { timeoutMs: this.config['socket.timeout.ms'] });
        if (response.errorCode !== ErrorCode.NoError) {
          this.record('consumer.coordinator-unavailable', { broker: `${host}:${port}`, error: errorName(response.errorCode) }, `${this.consumerId} asked ${host}:${port} for the coordinator of group ${this.group}: ${errorName(response.errorCode)}.`);
          return undefined;
        }
        const { id, host: coordinatorHost, port: coordinatorPort } = response.coordinator;
        const coordinatorConnection = await this.runtime.connect(coordinatorHost, coordinatorPort, { timeoutMs: this.config['socket.timeout.ms'] });
        this.coordinator = { id, connection: coordinatorConnection };
        this.record('consumer.coordinator-found', { coordinator: id }, `${this.consumerId} found the coordinator of group ${this.group}: broker ${id} (${coordinatorHost}:${coordinatorPort}).`);
        return id;
      } catch (error) {
        if (!(error instanceof BrokerConnectionError)) throw error;
      } finally {
        connection?.close();
      }
    }
    return undefined;
  }

  /** `coordinatorDead`: forget the coordinator; the next request looks it up again. */
  private coordinatorDead(): void {
    if (this.coordinator === undefined) return;
    this.record('consumer.coordinator-lost', { coordinator: this.coordinator.id }, `${this.consumerId} lost its group coordinator (broker ${this.coordinator.id}); it looks for it again.`);
    this.coordinator.connection.close();
    this.coordinator = undefined;
  }

  /** Sends to the coordinator (found first if unknown); undefined, the coordinator forgotten, if it cannot be reached. */
  private async toCoordinator<R extends KafkaRequest>(request: R, timeoutMs = this.config['socket.timeout.ms']): Promise<ResponseFor<R> | undefined> {
    if (this.coordinator === undefined) await this.findCoordinator();
    const coordinator = this.coordinator;
    if (coordinator === undefined) return undefined;
    try {
      return await coordinator.connection.send(request, { timeoutMs });
    } catch (error) {
      if (!(error instanceof BrokerConnectionError)) throw error;
      if (this.coordinator === coordinator) this.coordinatorDead();
      return undefined;
    }
  }

  private moveTo(to: MemberStateName): void {
    this.memberState = moveMember(this.memberState, to);
  }
}
