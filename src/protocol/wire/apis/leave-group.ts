/**
 * LeaveGroup (key 13), versions 0-3 (`LeaveGroupRequest`/`LeaveGroupResponse`): members leave a
 * group, which rebalances without waiting for their session to expire. v1 adds the throttle time;
 * v2 changes only semantics; v3 leaves a batch of members, each with its group instance id, and
 * answers an error per member (KIP-345).
 *
 * Not modelled: v4+ (flexible; v5 reason).
 */
import { InvalidArgumentError } from '../../../sim/errors.ts';
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface MemberIdentity {
  readonly memberId: string;
  /** Default null. */
  readonly groupInstanceId?: string | null;
}

export interface LeaveGroupRequest {
  readonly groupId: string;
  /** v0-v2: the one member leaving. */
  readonly memberId?: string;
  /** v3+: the members leaving. */
  readonly members?: readonly MemberIdentity[];
}

export interface LeaveGroupMemberResponse {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: number;
}

export interface LeaveGroupResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  readonly errorCode: number;
  /** v3+; default []. */
  readonly members?: readonly LeaveGroupMemberResponse[];
}

const NO_MEMBERS: readonly LeaveGroupMemberResponse[] = [];

export const leaveGroupApi: ApiDescriptor<'LeaveGroup', LeaveGroupRequest, LeaveGroupResponse> = {
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,

  decodeRequest(reader: WireReader, version: number): LeaveGroupRequest {
    const groupId = reader.string();
    if (version < 3) return { groupId, memberId: reader.string() };
    const count = reader.arrayLength(4);
    const members: MemberIdentity[] = [];
    for (let i = 0; i < count; i++) members.push({ memberId: reader.string(), groupInstanceId: reader.nullableString() });
    return { groupId, members };
  },

  encodeRequest(writer: WireWriter, body: LeaveGroupRequest, version: number): void {
    writer.string(body.groupId);
    if (version < 3) {
      writer.string(singleMemberId(body));
      return;
    }
    const members = body.members ?? (body.memberId === undefined ? [] : [{ memberId: body.memberId }]);
    writer.arrayLength(members.length);
    for (const member of members) {
      writer.string(member.memberId);
      writer.nullableString(member.groupInstanceId ?? null);
    }
  },

  decodeResponse(reader: WireReader, version: number): LeaveGroupResponse {
    if (version < 1) return { errorCode: reader.int16() };
    const response: Mutable<LeaveGroupResponse> = { throttleTimeMs: reader.int32(), errorCode: reader.int16() };
    if (version >= 3) {
      const count = reader.arrayLength(6);
      const members: LeaveGroupMemberResponse[] = [];
      for (let i = 0; i < count; i++) members.push({ memberId: reader.string(), groupInstanceId: reader.nullableString(), errorCode: reader.int16() });
      response.members = members;
    }
    return response;
  },

  encodeResponse(writer: WireWriter, body: LeaveGroupResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    writer.int16(body.errorCode);
    if (version >= 3) {
      const members = body.members ?? NO_MEMBERS;
      writer.arrayLength(members.length);
      for (const member of members) {
        writer.string(member.memberId);
        writer.nullableString(member.groupInstanceId);
        writer.int16(member.errorCode);
      }
    }
  },
};

/** v0-v2 name one member: `memberId`, or the only one of `members`. */
function singleMemberId(body: LeaveGroupRequest): string {
  if (body.memberId !== undefined) return body.memberId;
  if (body.members?.length === 1) return body.members[0]!.memberId;
  throw new InvalidArgumentError('LeaveGroupRequest v0-v2 members', body.members, 'a memberId or exactly one member');
}
