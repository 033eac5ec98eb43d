/**
 * DescribeGroups (key 15), versions 0-4 (`DescribeGroupsRequest`/`DescribeGroupsResponse`): a
 * group's state, protocol and members with their metadata and assignments. v1 adds the throttle
 * time; v2 changes only semantics; v3 authorized operations (KIP-430); v4 group instance ids.
 *
 * Not modelled: v5+ (flexible). The state is Kafka's name for it: "Empty", "PreparingRebalance",
 * "CompletingRebalance", "Stable", "Dead".
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface DescribeGroupsRequest {
  readonly groups: readonly string[];
  /** v3+; default false. */
  readonly includeAuthorizedOperations?: boolean;
}

export interface DescribedGroupMember {
  readonly memberId: string;
  /** v4+; default null. */
  readonly groupInstanceId?: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly memberMetadata: Uint8Array;
  readonly memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly groupState: string;
  readonly protocolType: string;
  /** The chosen protocol (assignor), "" when none. */
  readonly protocolData: string;
  readonly members: readonly DescribedGroupMember[];
  /** v3+; default -2147483648 (not requested). */
  readonly authorizedOperations?: number;
}

export interface DescribeGroupsResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  readonly groups: readonly DescribedGroup[];
}

export const describeGroupsApi: ApiDescriptor<'DescribeGroups', DescribeGroupsRequest, DescribeGroupsResponse> = {
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,

  decodeRequest(reader: WireReader, version: number): DescribeGroupsRequest {
    const groups = reader.stringArray();
    if (version < 3) return { groups };
    return { groups, includeAuthorizedOperations: reader.bool() };
  },

  encodeRequest(writer: WireWriter, body: DescribeGroupsRequest, version: number): void {
    writer.stringArray(body.groups);
    if (version >= 3) writer.bool(body.includeAuthorizedOperations ?? false);
  },

  decodeResponse(reader: WireReader, version: number): DescribeGroupsResponse {
    const throttleTimeMs = version >= 1 ? reader.int32() : undefined;
    const groupCount = reader.arrayLength(14);
    const groups: DescribedGroup[] = [];
    for (let i = 0; i < groupCount; i++) {
      const group: Mutable<DescribedGroup> = {
        errorCode: reader.int16(),
        groupId: reader.string(),
        groupState: reader.string(),
        protocolType: reader.string(),
        protocolData: reader.string(),
        members: [],
      };
      const memberCount = reader.arrayLength(14);
      const members: DescribedGroupMember[] = [];
      for (let j = 0; j < memberCount; j++) {
        const memberId = reader.string();
        const member: Mutable<DescribedGroupMember> = { memberId, clientId: '', clientHost: '', memberMetadata: EMPTY_BYTES, memberAssignment: EMPTY_BYTES };
        if (version >= 4) member.groupInstanceId = reader.nullableString();
        member.clientId = reader.string();
        member.clientHost = reader.string();
        member.memberMetadata = reader.bytes();
        member.memberAssignment = reader.bytes();
        members.push(member);
      }
      group.members = members;
      if (version >= 3) group.authorizedOperations = reader.int32();
      groups.push(group);
    }
    return throttleTimeMs === undefined ? { groups } : { throttleTimeMs, groups };
  },

  encodeResponse(writer: WireWriter, body: DescribeGroupsResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    writer.arrayLength(body.groups.length);
    for (const group of body.groups) {
      writer.int16(group.errorCode);
      writer.string(group.groupId);
      writer.string(group.groupState);
      writer.string(group.protocolType);
      writer.string(group.protocolData);
      writer.arrayLength(group.members.length);
      for (const member of group.members) {
        writer.string(member.memberId);
        if (version >= 4) writer.nullableString(member.groupInstanceId ?? null);
        writer.string(member.clientId);
        writer.string(member.clientHost);
        writer.bytes(member.memberMetadata);
        writer.bytes(member.memberAssignment);
      }
      if (version >= 3) writer.int32(group.authorizedOperations ?? -2147483648);
    }
  },
};

const EMPTY_BYTES = new Uint8Array(0);
