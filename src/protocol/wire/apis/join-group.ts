/**
 * JoinGroup (key 11), versions 0-5 (`JoinGroupRequest`/`JoinGroupResponse`): a member joins a
 * group's rebalance with the protocols (assignors) it supports and their metadata; the answer
 * names the generation, the chosen protocol, the leader and (to the leader only) every member's
 * metadata. v1 adds the rebalance timeout; v2 the throttle time; v3 changes only semantics; v4
 * means the member must rejoin with the id in a MEMBER_ID_REQUIRED (79) answer (KIP-394); v5 adds
 * static membership's group instance id (KIP-345).
 *
 * Protocol metadata stays opaque bytes (the consumer protocol's subscription is the clients'
 * business; the coordinator only hands it to the leader).
 * Not modelled: v6+ (flexible; v7 protocol type in the response).
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface JoinGroupRequestProtocol {
  readonly name: string;
  readonly metadata: Uint8Array;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  /** v1+; default -1 (v0: the session timeout serves as both). */
  readonly rebalanceTimeoutMs?: number;
  /** "" on a first join. */
  readonly memberId: string;
  /** v5+; default null. */
  readonly groupInstanceId?: string | null;
  /** "consumer" for consumer groups. */
  readonly protocolType: string;
  readonly protocols: readonly JoinGroupRequestProtocol[];
}

export interface JoinGroupResponseMember {
  readonly memberId: string;
  /** v5+; default null. */
  readonly groupInstanceId?: string | null;
  readonly metadata: Uint8Array;
}

export interface JoinGroupResponse {
  /** v2+; default 0. */
  readonly throttleTimeMs?: number;
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leader: string;
  readonly memberId: string;
  /** Every member, for the leader; [] for the others. */
  readonly members: readonly JoinGroupResponseMember[];
}

export const joinGroupApi: ApiDescriptor<'JoinGroup', JoinGroupRequest, JoinGroupResponse> = {
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,

  decodeRequest(reader: WireReader, version: number): JoinGroupRequest {
    const request: Mutable<JoinGroupRequest> = { groupId: reader.string(), sessionTimeoutMs: reader.int32(), memberId: '', protocolType: '', protocols: [] };
    if (version >= 1) request.rebalanceTimeoutMs = reader.int32();
    request.memberId = reader.string();
    if (version >= 5) request.groupInstanceId = reader.nullableString();
    request.protocolType = reader.string();
    const count = reader.arrayLength(6);
    const protocols: JoinGroupRequestProtocol[] = [];
    for (let i = 0; i < count; i++) protocols.push({ name: reader.string(), metadata: reader.bytes() });
    request.protocols = protocols;
    return request;
  },

  encodeRequest(writer: WireWriter, body: JoinGroupRequest, version: number): void {
    writer.string(body.groupId);
    writer.int32(body.sessionTimeoutMs);
    if (version >= 1) writer.int32(body.rebalanceTimeoutMs ?? -1);
    writer.string(body.memberId);
    if (version >= 5) writer.nullableString(body.groupInstanceId ?? null);
    writer.string(body.protocolType);
    writer.arrayLength(body.protocols.length);
    for (const protocol of body.protocols) {
      writer.string(protocol.name);
      writer.bytes(protocol.metadata);
    }
  },

  decodeResponse(reader: WireReader, version: number): JoinGroupResponse {
    const response: Mutable<JoinGroupResponse> = { errorCode: 0, generationId: 0, protocolName: '', leader: '', memberId: '', members: [] };
    if (version >= 2) response.throttleTimeMs = reader.int32();
    response.errorCode = reader.int16();
    response.generationId = reader.int32();
    response.protocolName = reader.string();
    response.leader = reader.string();
    response.memberId = reader.string();
    const count = reader.arrayLength(6);
    const members: JoinGroupResponseMember[] = [];
    for (let i = 0; i < count; i++) {
      const memberId = reader.string();
      members.push(version >= 5 ? { memberId, groupInstanceId: reader.nullableString(), metadata: reader.bytes() } : { memberId, metadata: reader.bytes() });
    }
    response.members = members;
    return response;
  },

  encodeResponse(writer: WireWriter, body: JoinGroupResponse, version: number): void {
    if (version >= 2) writer.int32(body.throttleTimeMs ?? 0);
    writer.int16(body.errorCode);
    writer.int32(body.generationId);
    writer.string(body.protocolName);
    writer.string(body.leader);
    writer.string(body.memberId);
    writer.arrayLength(body.members.length);
    for (const member of body.members) {
      writer.string(member.memberId);
      if (version >= 5) writer.nullableString(member.groupInstanceId ?? null);
      writer.bytes(member.metadata);
    }
  },
};
