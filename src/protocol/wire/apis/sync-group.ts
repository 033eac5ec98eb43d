/**
 * SyncGroup (key 14), versions 0-3 (`SyncGroupRequest`/`SyncGroupResponse`): after a join, the
 * leader sends every member's assignment and every member receives its own. v1 adds the throttle
 * time; v2 changes only semantics; v3 adds the group instance id (KIP-345).
 *
 * Assignments stay opaque bytes (the consumer protocol's assignment is the clients' business).
 * Not modelled: v4+ (flexible; v5 protocol type and name).
 */
import type { ApiDescriptor } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface SyncGroupRequestAssignment {
  readonly memberId: string;
  readonly assignment: Uint8Array;
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  /** v3+; default null. */
  readonly groupInstanceId?: string | null;
  /** Sent by the leader only; [] from the others. */
  readonly assignments: readonly SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  readonly errorCode: number;
  readonly assignment: Uint8Array;
}

export const syncGroupApi: ApiDescriptor<'SyncGroup', SyncGroupRequest, SyncGroupResponse> = {
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,

  decodeRequest(reader: WireReader, version: number): SyncGroupRequest {
    const groupId = reader.string();
    const generationId = reader.int32();
    const memberId = reader.string();
    const groupInstanceId = version >= 3 ? reader.nullableString() : undefined;
    const count = reader.arrayLength(6);
    const assignments: SyncGroupRequestAssignment[] = [];
    for (let i = 0; i < count; i++) assignments.push({ memberId: reader.string(), assignment: reader.bytes() });
    if (groupInstanceId === undefined) return { groupId, generationId, memberId, assignments };
    return { groupId, generationId, memberId, groupInstanceId, assignments };
  },

  encodeRequest(writer: WireWriter, body: SyncGroupRequest, version: number): void {
    writer.string(body.groupId);
    writer.int32(body.generationId);
    writer.string(body.memberId);
    if (version >= 3) writer.nullableString(body.groupInstanceId ?? null);
    writer.arrayLength(body.assignments.length);
    for (const assignment of body.assignments) {
      writer.string(assignment.memberId);
      writer.bytes(assignment.assignment);
    }
  },

  decodeResponse(reader: WireReader, version: number): SyncGroupResponse {
    if (version < 1) return { errorCode: reader.int16(), assignment: reader.bytes() };
    return { throttleTimeMs: reader.int32(), errorCode: reader.int16(), assignment: reader.bytes() };
  },

  encodeResponse(writer: WireWriter, body: SyncGroupResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    writer.int16(body.errorCode);
    writer.bytes(body.assignment);
  },
};
