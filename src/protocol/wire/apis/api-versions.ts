/**
 * ApiVersions (key 18), versions 0-2: which APIs and versions the broker implements
 * (`ApiVersionsRequest`/`ApiVersionsResponse`, KIP-35). The request has no fields before v3.
 *
 * Not modelled: v3 (flexible; adds the client software name and version, KIP-511). A client asking
 * v3 (librdkafka does) gets what Kafka answers an ApiVersions version it does not know: a v0
 * response with UNSUPPORTED_VERSION (35) listing the supported versions (`codec.ts`), and retries
 * with a version it finds there.
 */
import type { ApiDescriptor } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export type ApiVersionsRequest = Record<string, never>;

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface ApiVersionsResponse {
  readonly errorCode: number;
  readonly apiKeys: readonly ApiVersionRange[];
  /** v1+. */
  readonly throttleTimeMs?: number;
}

const EMPTY: ApiVersionsRequest = {};

export const apiVersionsApi: ApiDescriptor<'ApiVersions', ApiVersionsRequest, ApiVersionsResponse> = {
  key: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: () => EMPTY,
  encodeRequest: () => {},
  decodeResponse(reader: WireReader, version: number): ApiVersionsResponse {
    const errorCode = reader.int16();
    const count = reader.arrayLength(6);
    const apiKeys: ApiVersionRange[] = [];
    for (let i = 0; i < count; i++) apiKeys.push({ apiKey: reader.int16(), minVersion: reader.int16(), maxVersion: reader.int16() });
    if (version < 1) return { errorCode, apiKeys };
    return { errorCode, apiKeys, throttleTimeMs: reader.int32() };
  },
  encodeResponse(writer: WireWriter, body: ApiVersionsResponse, version: number): void {
    writer.int16(body.errorCode);
    writer.arrayLength(body.apiKeys.length);
    for (const api of body.apiKeys) {
      writer.int16(api.apiKey);
      writer.int16(api.minVersion);
      writer.int16(api.maxVersion);
    }
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
  },
};
