/**
 * The group coordinator of one broker process (Kafka 2.2 `kafka.coordinator.group.GroupCoordinator`):
 * the classic JoinGroup/SyncGroup protocol modern clients use, next to the 0.8 ZooKeeper group
 * model, which is untouched.
 *
 * Placement (`placement.ts`): this broker coordinates a group while it leads the group's partition
 * of `__consumer_offsets`; anywhere else the group's requests get NotCoordinator (16). A group
 * held here is bound to the leader epoch it was loaded under: when leadership moves away (a
 * LeaderAndIsr or StopReplica, `unloadMovedGroups`) or away and back (found at the group's next
 * request or timer), the group is unloaded (waiting JoinGroup and SyncGroup requests get
 * NotCoordinator) and starts afresh.
 * Durability (a kafkasim simplification, see `offset-store.ts`): committed offsets are written to
 * ZooKeeper before the commit is acknowledged, so they survive a coordinator crash; membership
 * lives only in this process's memory (mirrored, as plain data, in the world tree's
 * `brokers[id].groups`), so after a crash the members find the new coordinator and rejoin, and
 * the group starts again at generation 1 there (Kafka would reload the generation from the log).
 *
 * Modelled: states Empty → PreparingRebalance → CompletingRebalance → Stable (and Dead when
 * unloaded) through the table of `group-state.ts`; member ids `<clientId>-<uuid>` drawn from a
 * seeded stream; MemberIdRequired (79) for JoinGroup v4+; the leader is the first member; the
 * first rebalance of an empty group waits `group.initial.rebalance.delay.ms`, extended while
 * members keep arriving, up to the rebalance timeout (`InitialDelayedJoin`); later rebalances
 * complete when every member has rejoined or after the largest rebalance timeout, dropping those
 * that did not (`DelayedJoin`); session timeouts from `group.min/max.session.timeout.ms`; a
 * member waiting in JoinGroup or SyncGroup is kept alive, any other member expires after its
 * session timeout without a heartbeat (or commit, or sync), which starts a rebalance; the
 * errors of Kafka 2.2 for each state (REBALANCE_IN_PROGRESS 27, UNKNOWN_MEMBER_ID 25,
 * ILLEGAL_GENERATION 22, INCONSISTENT_GROUP_PROTOCOL 23, INVALID_SESSION_TIMEOUT 26, ...).
 * Not modelled: static membership, the 5-minute join timeout of new members (KIP-394), group
 * metadata written to the offsets topic, offset retention, transactional offsets.
 */
import {
  UNKNOWN_MEMBER_ID,
  type DescribedGroup,
  type GroupOffsetCommitRequest,
  type GroupOffsetCommitResponse,
  type GroupOffsetFetchRequest,
  type GroupOffsetFetchResponse,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { causeMessage } from '../../sim/errors.ts';
import type { Rng } from '../../sim/rng.ts';
import { brokerState, type BrokerContext } from '../broker-context.ts';
import type { ReplicaManager } from '../replica-manager.ts';
import { partitionKey } from '../state.ts';
import { GroupMetadata, type MemberMetadata } from './group-metadata.ts';
import { readAllOffsets, readOffset, storeOffset } from './offset-store.ts';
import { offsetsPartitionKey } from './placement.ts';

const EMPTY = new Uint8Array(0);

type Lookup = { readonly coordinating: false } | { readonly coordinating: true; readonly epoch: number; readonly group: GroupMetadata | undefined };

export function joinError(errorCode: number, memberId = ''): JoinGroupResponse {
  return { api: 'JoinGroup', errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

function syncAnswer(errorCode: number, assignment: Uint8Array = EMPTY): SyncGroupResponse {
  return { api: 'SyncGroup', errorCode, assignment };
}

/** Answers the member's waiting JoinGroup, if any, which then waits no more. */
function answerJoin(member: MemberMetadata, response: JoinGroupResponse): void {
  const respond = member.awaitingJoin;
  member.awaitingJoin = undefined;
  respond?.(response);
}

/** Answers the member's waiting SyncGroup, if any, which then waits no more. */
function answerSync(member: MemberMetadata, response: SyncGroupResponse): void {
  const respond = member.awaitingSync;
  member.awaitingSync = undefined;
  respond?.(response);
}

export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  private memberIdStream: Rng | undefined;
  /**
   * Answers to send once the coordinator's state is consistent again. Answering sends the
   * response and lets the connection's next request in at once (`SocketServer`), which may call
   * back into the coordinator; Kafka likewise completes callbacks outside the group lock.
   */
  private readonly outbox: (() => void)[] = [];
  private flushing = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly replicaManager: ReplicaManager,
  ) {}

  // ---------------------------------------------------------------- JoinGroup

  join(request: JoinGroupRequest, clientHost: string, respond: (response: JoinGroupResponse) => void): void {
    this.run(() => this.doJoin(request, clientHost, this.later(respond)));
  }

  private doJoin(request: JoinGroupRequest, clientHost: string, respond: (response: JoinGroupResponse) => void): void {
    const { config } = this.ctx;
    const found = this.lookup(request.groupId);
    if (!found.coordinating) return respond(joinError(ErrorCode.NotCoordinatorForConsumer));
    if (request.sessionTimeoutMs < config['group.min.session.timeout.ms'] || request.sessionTimeoutMs > config['group.max.session.timeout.ms']) {
      return respond(joinError(ErrorCode.InvalidSessionTimeout));
    }
    const isNew = request.memberId === UNKNOWN_MEMBER_ID;
    if (found.group === undefined && !isNew) return respond(joinError(ErrorCode.UnknownMemberId));
    const group = found.group ?? this.createGroup(request.groupId, found.epoch);
    if (isNew) return this.joinUnknownMember(group, request, clientHost, respond);
    const pending = group.pendingMembers.get(request.memberId);
    if (pending !== undefined) {
      if (!group.supportsProtocols(request.protocolType, request.protocols)) return respond(joinError(ErrorCode.InconsistentGroupProtocol));
      pending.cancel();
      group.pendingMembers.delete(request.memberId);
      return this.addMemberAndRebalance(group, request.memberId, request, clientHost, respond);
    }
    const member = group.members.get(request.memberId);
    if (member === undefined) return respond(joinError(ErrorCode.UnknownMemberId, request.memberId));
    if (!this.fitsAsChanged(group, member, request)) return respond(joinError(ErrorCode.InconsistentGroupProtocol, request.memberId));
    const unchanged = sameProtocols(member.protocols, request.protocols);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, request, respond, `${member.memberId} rejoins`);
      case 'CompletingRebalance':
        // A repeated JoinGroup (its response was lost): the same generation again, if nothing changed.
        if (unchanged) return respond(this.joinAnswer(group, member));
        return this.updateMemberAndRebalance(group, member, request, respond, `${member.memberId} changed its protocols`);
      case 'Stable':
        if (member.memberId === group.leaderId || !unchanged) {
          return this.updateMemberAndRebalance(group, member, request, respond, member.memberId === group.leaderId ? `the leader ${member.memberId} rejoins` : `${member.memberId} changed its protocols`);
        }
        this.scheduleSessionExpiry(group, member);
        return respond(this.joinAnswer(group, member));
      case 'Empty':
      case 'Dead':
        return respond(joinError(ErrorCode.UnknownMemberId, request.memberId));
    }
  }

  private joinUnknownMember(group: GroupMetadata, request: JoinGroupRequest, clientHost: string, respond: (response: JoinGroupResponse) => void): void {
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return respond(joinError(ErrorCode.InconsistentGroupProtocol));
    const memberId = `${request.clientId}-${this.uuid()}`;
    if (request.requireKnownMemberId) {
      // KIP-394: hand out the id first; the member joins again with it (within its session timeout).
      group.pendingMembers.set(
        memberId,
        this.timer(request.sessionTimeoutMs, () => {
          if (!this.isCurrent(group) || !group.pendingMembers.has(memberId)) return;
          group.pendingMembers.delete(memberId);
          this.narrate(group, 'group.pending-member-expired', { member: memberId }, `${memberId} never joined ${group.groupId} with its new member id; forgotten.`);
          this.tryCompleteJoin(group);
        }),
      );
      this.narrate(group, 'group.member-id-required', { member: memberId }, `Group ${group.groupId} gives a new member the id ${memberId} and asks it to join again with it (MemberIdRequired).`);
      return respond(joinError(ErrorCode.MemberIdRequired, memberId));
    }
    this.addMemberAndRebalance(group, memberId, request, clientHost, respond);
  }

  private addMemberAndRebalance(group: GroupMetadata, memberId: string, request: JoinGroupRequest, clientHost: string, respond: (response: JoinGroupResponse) => void): void {
    const member: MemberMetadata = {
      memberId,
      clientId: request.clientId,
      clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      sessionTimeoutMs: request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      assignment: EMPTY,
      generationId: -1,
      awaitingJoin: respond,
      awaitingSync: undefined,
      sessionTimer: undefined,
    };
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.narrate(group, 'group.member-added', { member: memberId, leader: group.leaderId === memberId }, `${memberId} joins group ${group.groupId}${group.leaderId === memberId ? ' as its leader' : ''}.`);
    this.scheduleSessionExpiry(group, member);
    this.maybePrepareRebalance(group, `${memberId} joined`);
    this.tryCompleteJoin(group);
    this.publish(group);
  }

  private updateMemberAndRebalance(group: GroupMetadata, member: MemberMetadata, request: JoinGroupRequest, respond: (response: JoinGroupResponse) => void, reason: string): void {
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.protocols = request.protocols;
    // A second JoinGroup from the same member on another connection replaces the first, which is told to rejoin.
    answerJoin(member, joinError(ErrorCode.RebalanceInProgress, member.memberId));
    member.awaitingJoin = respond;
    this.maybePrepareRebalance(group, reason);
    this.tryCompleteJoin(group);
    this.publish(group);
  }

  private joinAnswer(group: GroupMetadata, member: MemberMetadata): JoinGroupResponse {
    const isLeader = member.memberId === group.leaderId;
    return {
      api: 'JoinGroup',
      errorCode: ErrorCode.NoError,
      generationId: group.generationId,
      protocolName: group.protocolName,
      leaderId: group.leaderId,
      memberId: member.memberId,
      members: isLeader ? [...group.members.values()].map((m) => ({ memberId: m.memberId, metadata: group.metadataOf(m) })) : [],
    };
  }

  /** A known member's JoinGroup must still fit the others (its protocol type and a shared protocol). */
  private fitsAsChanged(group: GroupMetadata, member: MemberMetadata, request: JoinGroupRequest): boolean {
    if (group.members.size === 1) return request.protocolType !== '' && request.protocols.length > 0;
    if (request.protocolType !== group.protocolType) return false;
    const names = new Set(request.protocols.map((p) => p.name));
    const others = [...group.members.values()].filter((m) => m !== member);
    return others[0]!.protocols.some((p) => names.has(p.name) && others.every((o) => o.protocols.some((q) => q.name === p.name)));
  }

  // ---------------------------------------------------------------- rebalancing

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance' || group.state === 'Empty') this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.state === 'CompletingRebalance') this.resetAssignments(group, ErrorCode.RebalanceInProgress);
    const initial = group.state === 'Empty';
    this.move(group, 'PreparingRebalance', reason);
    const timeoutMs = group.rebalanceTimeoutMs;
    if (initial) {
      const delayMs = Math.min(this.ctx.config['group.initial.rebalance.delay.ms'], timeoutMs);
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, delayMs, Math.max(timeoutMs - delayMs, 0));
    } else {
      group.joinDelay = { kind: 'rebalance', timer: this.timer(timeoutMs, () => this.onJoinDelayExpired(group)) };
      this.tryCompleteJoin(group);
    }
  }

  /** `InitialDelayedJoin`: wait; if members kept coming and time remains, wait again. */
  private scheduleInitialDelay(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    group.joinDelay = {
      kind: 'initial',
      timer: this.timer(delayMs, () => {
        if (!this.isCurrent(group)) return;
        if (group.newMemberAdded && remainingMs !== 0) {
          group.newMemberAdded = false;
          const next = Math.min(this.ctx.config['group.initial.rebalance.delay.ms'], remainingMs);
          this.scheduleInitialDelay(group, next, Math.max(remainingMs - delayMs, 0));
          return;
        }
        group.joinDelay = undefined;
        this.completeJoin(group);
      }),
    };
  }

  private onJoinDelayExpired(group: GroupMetadata): void {
    if (!this.isCurrent(group)) return;
    group.joinDelay = undefined;
    this.completeJoin(group);
  }

  /** `DelayedJoin.tryComplete`: done early once every member has rejoined. */
  private tryCompleteJoin(group: GroupMetadata): void {
    if (group.state !== 'PreparingRebalance' || group.joinDelay?.kind !== 'rebalance' || !group.allMembersJoined()) return;
    group.joinDelay.timer.cancel();
    group.joinDelay = undefined;
    this.completeJoin(group);
  }

  /** `onCompleteJoin`: drop the members that did not rejoin, start the next generation, answer the joins. */
  private completeJoin(group: GroupMetadata): void {
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === undefined) this.removeMember(group, member, 'it did not rejoin within the rebalance timeout');
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = '';
      this.move(group, 'Empty', `generation ${group.generationId} has no members`);
      this.publish(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    this.move(group, 'CompletingRebalance', `generation ${group.generationId} with ${group.members.size} member(s), leader ${group.leaderId}, protocol ${group.protocolName}`);
    for (const member of group.members.values()) {
      member.generationId = group.generationId;
      this.scheduleSessionExpiry(group, member);
      answerJoin(member, this.joinAnswer(group, member));
    }
    this.publish(group);
  }

  private resetAssignments(group: GroupMetadata, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = EMPTY;
      answerSync(member, syncAnswer(errorCode));
    }
  }

  // ---------------------------------------------------------------- SyncGroup

  sync(request: SyncGroupRequest, respond: (response: SyncGroupResponse) => void): void {
    this.run(() => this.doSync(request, this.later(respond)));
  }

  private doSync(request: SyncGroupRequest, respond: (response: SyncGroupResponse) => void): void {
    const found = this.lookup(request.groupId);
    if (!found.coordinating) return respond(syncAnswer(ErrorCode.NotCoordinatorForConsumer));
    const group = found.group;
    const member = group?.members.get(request.memberId);
    if (group === undefined || member === undefined) return respond(syncAnswer(ErrorCode.UnknownMemberId));
    if (request.generationId !== group.generationId) return respond(syncAnswer(ErrorCode.IllegalGeneration));
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return respond(syncAnswer(ErrorCode.UnknownMemberId));
      case 'PreparingRebalance':
        return respond(syncAnswer(ErrorCode.RebalanceInProgress));
      case 'Stable':
        this.scheduleSessionExpiry(group, member);
        return respond(syncAnswer(ErrorCode.NoError, member.assignment));
      case 'CompletingRebalance': {
        member.awaitingSync = respond;
        this.scheduleSessionExpiry(group, member);
        if (member.memberId !== group.leaderId) return;
        const given = new Map(request.assignments.map((a) => [a.memberId, a.assignment]));
        for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY;
        this.move(group, 'Stable', `the leader ${member.memberId} sent the assignment of generation ${group.generationId}`);
        for (const m of group.members.values()) answerSync(m, syncAnswer(ErrorCode.NoError, m.assignment));
        this.publish(group);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- Heartbeat

  heartbeat(request: HeartbeatRequest): number {
    return this.run(() => this.doHeartbeat(request));
  }

  private doHeartbeat(request: HeartbeatRequest): number {
    const found = this.lookup(request.groupId);
    if (!found.coordinating) return ErrorCode.NotCoordinatorForConsumer;
    const group = found.group;
    const member = group?.members.get(request.memberId);
    if (group === undefined || member === undefined || group.state === 'Empty' || group.state === 'Dead') return ErrorCode.UnknownMemberId;
    if (group.state === 'CompletingRebalance') return ErrorCode.RebalanceInProgress;
    if (request.generationId !== group.generationId) return ErrorCode.IllegalGeneration;
    this.scheduleSessionExpiry(group, member);
    return group.state === 'PreparingRebalance' ? ErrorCode.RebalanceInProgress : ErrorCode.NoError;
  }

  // ---------------------------------------------------------------- LeaveGroup

  leave(request: LeaveGroupRequest): LeaveGroupResponse {
    return this.run(() => this.doLeave(request));
  }

  private doLeave(request: LeaveGroupRequest): LeaveGroupResponse {
    const found = this.lookup(request.groupId);
    if (!found.coordinating) return { api: 'LeaveGroup', errorCode: ErrorCode.NotCoordinatorForConsumer, members: [] };
    const group = found.group;
    const members = request.memberIds.map((memberId) => {
      const member = group?.members.get(memberId);
      if (group === undefined || member === undefined) return { memberId, errorCode: ErrorCode.UnknownMemberId };
      this.removeMemberAndUpdateGroup(group, member, 'it left the group');
      return { memberId, errorCode: ErrorCode.NoError };
    });
    return { api: 'LeaveGroup', errorCode: ErrorCode.NoError, members };
  }

  // ---------------------------------------------------------------- membership upkeep

  private scheduleSessionExpiry(group: GroupMetadata, member: MemberMetadata): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.timer(member.sessionTimeoutMs, () => {
      if (!this.isCurrent(group) || group.members.get(member.memberId) !== member) return;
      // `shouldKeepAlive`: a member waiting on the coordinator cannot heartbeat meanwhile.
      if (member.awaitingJoin !== undefined || member.awaitingSync !== undefined) return this.scheduleSessionExpiry(group, member);
      this.removeMemberAndUpdateGroup(group, member, `its session timed out (${member.sessionTimeoutMs} ms without a heartbeat)`);
    });
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, why: string): void {
    this.removeMember(group, member, why);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, `${member.memberId} is gone`);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    this.publish(group);
  }

  private removeMember(group: GroupMetadata, member: MemberMetadata, why: string): void {
    member.sessionTimer?.cancel();
    answerJoin(member, joinError(ErrorCode.UnknownMemberId, member.memberId));
    group.remove(member.memberId);
    this.narrate(group, 'group.member-removed', { member: member.memberId, leader: group.leaderId }, `${member.memberId} is removed from group ${group.groupId}: ${why}.`);
  }

  // ---------------------------------------------------------------- offsets

  commitOffsets(request: GroupOffsetCommitRequest, respond: (response: GroupOffsetCommitResponse) => void): void {
    const all = (errorCode: number): GroupOffsetCommitResponse => ({
      api: 'GroupOffsetCommit',
      partitions: request.offsets.map(({ topic, partition }) => ({ topic, partition, errorCode })),
    });
    const found = this.run(() => this.lookup(request.groupId));
    if (!found.coordinating) return respond(all(ErrorCode.NotCoordinatorForConsumer));
    let group = found.group;
    if (group === undefined) {
      // A consumer outside group management may commit; a stale generation may not.
      if (request.generationId >= 0) return respond(all(ErrorCode.IllegalGeneration));
      group = this.createGroup(request.groupId, found.epoch);
    }
    const member = group.members.get(request.memberId);
    if (!(request.generationId < 0 && group.state === 'Empty')) {
      if (group.state === 'CompletingRebalance') return respond(all(ErrorCode.RebalanceInProgress));
      if (member === undefined) return respond(all(ErrorCode.UnknownMemberId));
      if (request.generationId !== group.generationId) return respond(all(ErrorCode.IllegalGeneration));
      this.scheduleSessionExpiry(group, member);
    }
    this.publish(group);
    const { ctx } = this;
    const maxBytes = ctx.config['offset.metadata.max.bytes'];
    const groupId = request.groupId;
    ctx.env.spawn(`broker-${ctx.brokerId}/group-offset-commit ${groupId}`, async () => {
      const partitions = [];
      for (const { topic, partition, offset, metadata } of request.offsets) {
        let errorCode: number = ErrorCode.NoError;
        if (brokerState(ctx).metadata.partitions[partitionKey(topic, partition)] === undefined) errorCode = ErrorCode.UnknownTopicOrPartition;
        else if (metadata.length > maxBytes) errorCode = ErrorCode.OffsetMetadataTooLarge;
        else {
          try {
            await storeOffset(ctx.zk, groupId, topic, partition, { offset, metadata });
          } catch (error) {
            ctx.narrate('group.offset-commit-failed', { group: groupId, topic, partition, error: causeMessage(error) }, `Broker ${ctx.brokerId} could not store group ${groupId}'s offset of ${topic}-${partition}: ${causeMessage(error)}.`);
            errorCode = ErrorCode.ConsumerCoordinatorNotAvailable;
          }
        }
        partitions.push({ topic, partition, errorCode });
      }
      respond({ api: 'GroupOffsetCommit', partitions });
    });
  }

  fetchOffsets(request: GroupOffsetFetchRequest, respond: (response: GroupOffsetFetchResponse) => void): void {
    const failed = (errorCode: number): GroupOffsetFetchResponse => ({
      api: 'GroupOffsetFetch',
      errorCode,
      partitions: (request.partitions ?? []).map(({ topic, partition }) => ({ topic, partition, offset: -1, metadata: '', errorCode })),
    });
    const found = this.run(() => this.lookup(request.groupId));
    if (!found.coordinating) return respond(failed(ErrorCode.NotCoordinatorForConsumer));
    const { ctx } = this;
    ctx.env.spawn(`broker-${ctx.brokerId}/group-offset-fetch ${request.groupId}`, async () => {
      try {
        if (request.partitions === null) {
          const all = await readAllOffsets(ctx.zk, request.groupId);
          respond({
            api: 'GroupOffsetFetch',
            errorCode: ErrorCode.NoError,
            partitions: all.map(({ topic, partition, committed }) => ({ topic, partition, offset: committed.offset, metadata: committed.metadata, errorCode: ErrorCode.NoError })),
          });
          return;
        }
        const partitions = [];
        for (const { topic, partition } of request.partitions) {
          // No committed offset: -1 and no error (Kafka 0.9+; 0.8.2's v0 answered UnknownTopicOrPartition).
          const committed = await readOffset(ctx.zk, request.groupId, topic, partition);
          partitions.push({ topic, partition, offset: committed?.offset ?? -1, metadata: committed?.metadata ?? '', errorCode: ErrorCode.NoError });
        }
        respond({ api: 'GroupOffsetFetch', errorCode: ErrorCode.NoError, partitions });
      } catch (error) {
        ctx.narrate('group.offset-fetch-failed', { group: request.groupId, error: causeMessage(error) }, `Broker ${ctx.brokerId} could not read group ${request.groupId}'s offsets: ${causeMessage(error)}.`);
        respond(failed(ErrorCode.ConsumerCoordinatorNotAvailable));
      }
    });
  }

  // ---------------------------------------------------------------- DescribeGroups / ListGroups

  describe(groupId: string): DescribedGroup {
    return this.run(() => this.doDescribe(groupId));
  }

  private doDescribe(groupId: string): DescribedGroup {
    const found = this.lookup(groupId);
    if (!found.coordinating) return { groupId, errorCode: ErrorCode.NotCoordinatorForConsumer, state: '', protocolType: '', protocolName: '', members: [] };
    const group = found.group;
    if (group === undefined) return { groupId, errorCode: ErrorCode.NoError, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    const stable = group.state === 'Stable';
    return {
      groupId,
      errorCode: ErrorCode.NoError,
      state: group.state,
      protocolType: group.protocolType,
      protocolName: stable ? group.protocolName : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? group.metadataOf(m) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  list(): ListGroupsResponse {
    return this.run(() => this.doList());
  }

  private doList(): ListGroupsResponse {
    const groups = [];
    for (const groupId of [...this.groups.keys()].sort()) {
      const found = this.lookup(groupId);
      if (found.coordinating && found.group !== undefined) groups.push({ groupId, protocolType: found.group.protocolType });
    }
    return { api: 'ListGroups', errorCode: ErrorCode.NoError, groups };
  }

  // ---------------------------------------------------------------- placement and loading

  /** `onResignation`: unloads every group whose offsets partition this broker no longer leads (after LeaderAndIsr, StopReplica). */
  unloadMovedGroups(): void {
    this.run(() => {
      for (const groupId of [...this.groups.keys()]) this.lookup(groupId);
    });
  }

  /** Whether this broker coordinates `groupId` now, and the group if it holds a current one. */
  private lookup(groupId: string): Lookup {
    const partition = this.replicaManager.partitions.get(offsetsPartitionKey(this.ctx, groupId));
    const held = this.groups.get(groupId);
    if (partition === undefined || partition.leader !== this.ctx.brokerId) {
      if (held !== undefined) this.unload(held, `broker ${this.ctx.brokerId} no longer leads ${offsetsPartitionKey(this.ctx, groupId)}`);
      return { coordinating: false };
    }
    if (held !== undefined && held.coordinatorEpoch !== partition.leaderEpoch) {
      this.unload(held, `the leadership of ${offsetsPartitionKey(this.ctx, groupId)} changed (epoch ${held.coordinatorEpoch} → ${partition.leaderEpoch})`);
      return { coordinating: true, epoch: partition.leaderEpoch, group: undefined };
    }
    return { coordinating: true, epoch: partition.leaderEpoch, group: held };
  }

  /** True while `group` is the one held here for its id, under the leadership it was loaded with. */
  private isCurrent(group: GroupMetadata): boolean {
    if (this.groups.get(group.groupId) !== group) return false;
    const found = this.lookup(group.groupId);
    return found.coordinating && found.group === group;
  }

  private createGroup(groupId: string, epoch: number): GroupMetadata {
    const group = new GroupMetadata(groupId, epoch);
    this.groups.set(groupId, group);
    this.narrate(group, 'group.created', { epoch }, `Broker ${this.ctx.brokerId} now holds group ${groupId} (it leads ${offsetsPartitionKey(this.ctx, groupId)}, leader epoch ${epoch}).`);
    this.publish(group);
    return group;
  }

  /** `onGroupUnloaded`: the group moved to another coordinator; whoever waits here is told so. */
  private unload(group: GroupMetadata, why: string): void {
    group.joinDelay?.timer.cancel();
    group.joinDelay = undefined;
    for (const timer of group.pendingMembers.values()) timer.cancel();
    group.pendingMembers.clear();
    for (const member of group.members.values()) {
      member.sessionTimer?.cancel();
      answerJoin(member, joinError(ErrorCode.NotCoordinatorForConsumer, member.memberId));
      answerSync(member, syncAnswer(ErrorCode.NotCoordinatorForConsumer));
    }
    this.groups.delete(group.groupId);
    this.move(group, 'Dead', why);
    const state = brokerState(this.ctx);
    if (state.groups !== undefined) delete state.groups[group.groupId];
  }

  private move(group: GroupMetadata, to: GroupMetadata['state'], reason: string): void {
    const from = group.transitionTo(to);
    this.narrate(
      group,
      'group.state-changed',
      { from, to, generation: group.generationId, reason },
      `Group ${group.groupId} moves from ${from} to ${to} (generation ${group.generationId}): ${reason}.`,
    );
  }

  /** Mirrors the group into the world tree. */
  private publish(group: GroupMetadata): void {
    if (this.groups.get(group.groupId) !== group) return;
    const state = brokerState(this.ctx);
    state.groups ??= {};
    state.groups[group.groupId] = {
      state: group.state,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId,
      members: [...group.members.values()].map((m) => ({ memberId: m.memberId, clientId: m.clientId, generationId: m.generationId })),
    };
  }

  /** Runs `body`, then sends the answers it queued. */
  private run<T>(body: () => T): T {
    try {
      return body();
    } finally {
      this.flush();
    }
  }

  /** `respond`, deferred to the end of the current `run`. */
  private later<T>(respond: (response: T) => void): (response: T) => void {
    return (response) => this.outbox.push(() => respond(response));
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) next();
    } finally {
      this.flushing = false;
    }
  }

  /** A timer of this process whose callback runs like a request (answers sent at its end). */
  private timer(ms: number, callback: () => void): { cancel(): void } {
    return this.ctx.env.timer(ms, () => this.run(callback));
  }

  private narrate(group: GroupMetadata, kind: string, data: Record<string, unknown>, text: string): void {
    this.ctx.narrate(kind, { broker: this.ctx.brokerId, group: group.groupId, ...data }, text);
  }

  /** A UUID-shaped id (version-4 layout) from this process's own seeded stream. */
  private uuid(): string {
    this.memberIdStream ??= this.ctx.kernel.rng.fork(`${this.ctx.env.node}#${brokerState(this.ctx).incarnation}/member-ids`);
    const rng = this.memberIdStream;
    const hex = (n: number) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + rng.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`;
  }
}

function sameProtocols(a: readonly { name: string; metadata: Uint8Array }[], b: readonly { name: string; metadata: Uint8Array }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && bytesEqual(p.metadata, b[i]!.metadata));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
}
