/**
 * Heartbeat (key 12), versions 0-3 (`HeartbeatRequest`/`HeartbeatResponse`): a member of a stable
 * group says it is alive; the answer's error tells it to rejoin (REBALANCE_IN_PROGRESS 27) or
 * that it was fenced (ILLEGAL_GENERATION 22, UNKNOWN_MEMBER_ID 25). v1 adds the throttle time;
 * v2 changes only semantics; v3 adds the group instance id (KIP-345).
 *
 * Not modelled: v4+ (flexible).
 */
import type { ApiDescriptor } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  /** v3+; default null. */
  readonly groupInstanceId?: string | null;
}

export interface HeartbeatResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  readonly errorCode: number;
}

export const heartbeatApi: ApiDescriptor<'Heartbeat', HeartbeatRequest, HeartbeatResponse> = {
  key: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,

  decodeRequest(reader: WireReader, version: number): HeartbeatRequest {
    const groupId = reader.string();
    const generationId = reader.int32();
    const memberId = reader.string();
    if (version < 3) return { groupId, generationId, memberId };
    return { groupId, generationId, memberId, groupInstanceId: reader.nullableString() };
  },

  encodeRequest(writer: WireWriter, body: HeartbeatRequest, version: number): void {
    writer.string(body.groupId);
    writer.int32(body.generationId);
    writer.string(body.memberId);
    if (version >= 3) writer.nullableString(body.groupInstanceId ?? null);
  },

  decodeResponse(reader: WireReader, version: number): HeartbeatResponse {
    if (version < 1) return { errorCode: reader.int16() };
    return { throttleTimeMs: reader.int32(), errorCode: reader.int16() };
  },

  encodeResponse(writer: WireWriter, body: HeartbeatResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    writer.int16(body.errorCode);
  },
};
