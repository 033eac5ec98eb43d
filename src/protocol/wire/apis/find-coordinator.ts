/**
 * FindCoordinator (key 10), versions 0-2 (`FindCoordinatorRequest`/`FindCoordinatorResponse`;
 * Kafka 0.8.2's GroupCoordinatorRequest): which broker coordinates a group. v1 adds the key type
 * (0 group, 1 transaction), the throttle time and an error message; v2 changes only semantics.
 *
 * Not modelled: v3+ (flexible; v4 batches keys). Default clients ask at most v2.
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface FindCoordinatorRequest {
  /** The group id (or transactional id when `keyType` is 1). */
  readonly key: string;
  /** v1+: 0 group, 1 transaction; default 0. */
  readonly keyType?: number;
}

export interface FindCoordinatorResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  readonly errorCode: number;
  /** v1+; default null. */
  readonly errorMessage?: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export const findCoordinatorApi: ApiDescriptor<'FindCoordinator', FindCoordinatorRequest, FindCoordinatorResponse> = {
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,

  decodeRequest(reader: WireReader, version: number): FindCoordinatorRequest {
    const key = reader.string();
    if (version < 1) return { key };
    return { key, keyType: reader.int8() };
  },

  encodeRequest(writer: WireWriter, body: FindCoordinatorRequest, version: number): void {
    writer.string(body.key);
    if (version >= 1) writer.int8(body.keyType ?? 0);
  },

  decodeResponse(reader: WireReader, version: number): FindCoordinatorResponse {
    if (version < 1) return { errorCode: reader.int16(), nodeId: reader.int32(), host: reader.string(), port: reader.int32() };
    const response: Mutable<FindCoordinatorResponse> = { throttleTimeMs: reader.int32(), errorCode: reader.int16(), nodeId: 0, host: '', port: 0 };
    response.errorMessage = reader.nullableString();
    response.nodeId = reader.int32();
    response.host = reader.string();
    response.port = reader.int32();
    return response;
  },

  encodeResponse(writer: WireWriter, body: FindCoordinatorResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    writer.int16(body.errorCode);
    if (version >= 1) writer.nullableString(body.errorMessage ?? null);
    writer.int32(body.nodeId);
    writer.string(body.host);
    writer.int32(body.port);
  },
};
