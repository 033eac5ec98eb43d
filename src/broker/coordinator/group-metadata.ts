/**
 * One consumer group at its coordinator (Kafka 2.x `GroupMetadata` and `MemberMetadata`): its
 * state (moved only through the table of `group-state.ts`), generation, chosen protocol, leader
 * and members in join order, each with the callbacks of a JoinGroup or SyncGroup it is waiting
 * on and its session timer.
 *
 * Modelled: the leader is the first member to join (and, when it leaves, the next in join
 * order); the protocol of a generation is the one most members prefer among those every member
 * supports (`selectProtocol`; ties go to the earlier in the first member's list); a group accepts
 * a member whose protocol type matches and who shares a protocol with every member
 * (`supportsProtocols`).
 * Not modelled: static membership (KIP-345, group.instance.id), transactional offsets.
 */
import type { GroupProtocol, GroupStateName, JoinGroupResponse, SyncGroupResponse } from '../../protocol/api.ts';
import { assert } from '../../sim/assert.ts';
import { canMoveGroup } from './group-state.ts';

export interface MemberMetadata {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly GroupProtocol[];
  /** Its assignment in the current generation (empty until the leader's SyncGroup). */
  assignment: Uint8Array;
  /** The generation it last joined; -1 before its first. */
  generationId: number;
  /** Set while its JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((response: JoinGroupResponse) => void) | undefined;
  /** Set while its SyncGroup waits for the leader's assignment. */
  awaitingSync: ((response: SyncGroupResponse) => void) | undefined;
  /** Its session timer: expires it unless a heartbeat (or any group request) comes first. */
  sessionTimer: { cancel(): void } | undefined;
}

/** The wait before a rebalance completes (`InitialDelayedJoin` or `DelayedJoin` in the join purgatory). */
export interface JoinDelay {
  readonly kind: 'initial' | 'rebalance';
  readonly timer: { cancel(): void };
}

export class GroupMetadata {
  private currentState: GroupStateName = 'Empty';
  generationId = 0;
  protocolType = '';
  protocolName = '';
  leaderId = '';
  readonly members = new Map<string, MemberMetadata>();
  /** Member ids handed out with MemberIdRequired (79) and not yet joined with, with their session timers. */
  readonly pendingMembers = new Map<string, { cancel(): void }>();
  /** A member joined during the initial delay (`newMemberAdded`): the delay is extended. */
  newMemberAdded = false;
  joinDelay: JoinDelay | undefined;

  constructor(
    readonly groupId: string,
    /** The leader epoch of the offsets partition when this broker loaded the group: a newer one means the group moved away and back. */
    readonly coordinatorEpoch: number,
  ) {}

  get state(): GroupStateName {
    return this.currentState;
  }

  /** Moves to `to`; a move the table does not allow is a coordinator bug. */
  transitionTo(to: GroupStateName): GroupStateName {
    const from = this.currentState;
    assert(canMoveGroup(from, to), `group ${this.groupId} cannot move from ${from} to ${to}`);
    this.currentState = to;
    return from;
  }

  add(member: MemberMetadata): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (this.leaderId === '') this.leaderId = member.memberId;
  }

  remove(memberId: string): void {
    this.members.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? '';
  }

  /** The largest rebalance timeout of the members: how long a rebalance waits for them to rejoin. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const member of this.members.values()) if (member.awaitingJoin === undefined) return false;
    return true;
  }

  /** `supportsProtocols`: a new or changed member fits the group. */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const names = new Set(protocols.map((p) => p.name));
    return this.candidateProtocols().some((name) => names.has(name));
  }

  /** Protocols every member supports, in the first member's order of preference. */
  candidateProtocols(): string[] {
    const members = [...this.members.values()];
    if (members.length === 0) return [];
    return members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** `selectProtocol`: each member votes for its favourite candidate; the most votes win. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    assert(candidates.length > 0, `group ${this.groupId} has a protocol every member supports`);
    const votes = new Map<string, number>(candidates.map((name) => [name, 0]));
    for (const member of this.members.values()) {
      const favourite = member.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(favourite, votes.get(favourite)! + 1);
    }
    let best = candidates[0]!;
    for (const name of candidates) if (votes.get(name)! > votes.get(best)!) best = name;
    return best;
  }

  /** The member's metadata for the group's chosen protocol. */
  metadataOf(member: MemberMetadata): Uint8Array {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? new Uint8Array(0);
  }
}
