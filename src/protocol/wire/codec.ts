/**
 * Whole messages: a frame's header and body together, through the registry. The gateway decodes a
 * request frame and encodes the response frame; a client of a real broker does the opposite.
 *
 * A request whose key is not registered or whose version is outside the registered range decodes
 * as unsupported, with its header only (the body's layout is unknown). Kafka answers an
 * unsupported ApiVersions version with a v0 response carrying UNSUPPORTED_VERSION (35) and the
 * supported ranges (`KafkaApis.handleApiVersionsRequest`, KIP-511), which the client uses to pick
 * a version it retries with: `encodeUnsupportedVersionResponse` writes exactly that. For other APIs
 * Kafka closes the connection; whoever answers them instead may reuse the same frame, whose body
 * starts with the error code.
 */
import { WireReader, type WireWriter } from './primitives.ts';
import { beginFrame, decodeRequestHeader, encodeRequestHeader, endFrame, type RequestHeader } from './frame.ts';
import { apiVersionsApi, type ApiVersionRange } from './apis/api-versions.ts';
import {
  SUPPORTED_API_VERSIONS,
  WIRE_APIS,
  wireApiByKey,
  type WireApiName,
  type WireRequestOf,
  type WireResponseOf,
} from './registry.ts';

/** `Errors.UNSUPPORTED_VERSION`. */
export const UNSUPPORTED_VERSION = 35;

/** A decoded request of a registered API and version. */
export type DecodedRequest = {
  readonly [N in WireApiName]: { readonly api: N; readonly header: RequestHeader; readonly body: WireRequestOf<N> };
}[WireApiName];

/** A request of an API or version that is not registered: only its header was read. */
export interface UnsupportedRequest {
  readonly api: null;
  readonly header: RequestHeader;
}

/** Decodes a request frame (without its size prefix). Throws only `WireDecodeError`. */
export function decodeRequestFrame(frame: Uint8Array): DecodedRequest | UnsupportedRequest {
  const reader = new WireReader(frame, 0, frame.length, 'request header');
  const header = decodeRequestHeader(reader);
  const api = wireApiByKey(header.apiKey);
  if (api === undefined || header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
    return { api: null, header };
  }
  reader.context = `${api.name}Request v${header.apiVersion}`;
  const body = api.decodeRequest(reader, header.apiVersion);
  reader.expectEnd();
  return { api: api.name, header, body } as DecodedRequest;
}

/** Appends a response frame (size, response header v0, body) for a request of API `name`. */
export function encodeResponseFrame<N extends WireApiName>(
  writer: WireWriter,
  name: N,
  header: RequestHeader,
  body: WireResponseOf<N>,
): void {
  const sizeAt = beginFrame(writer);
  writer.int32(header.correlationId);
  WIRE_APIS[name].encodeResponse(writer, body as never, header.apiVersion);
  endFrame(writer, sizeAt);
}

/**
 * Appends Kafka's answer to an unsupported ApiVersions version: v0, UNSUPPORTED_VERSION, the ranges
 * (the registry's, or a subset a server actually serves).
 */
export function encodeUnsupportedVersionResponse(writer: WireWriter, header: RequestHeader, ranges: readonly ApiVersionRange[] = SUPPORTED_API_VERSIONS): void {
  const sizeAt = beginFrame(writer);
  writer.int32(header.correlationId);
  apiVersionsApi.encodeResponse(writer, { errorCode: UNSUPPORTED_VERSION, apiKeys: ranges }, 0);
  endFrame(writer, sizeAt);
}

/** Appends a request frame for API `name` at `version`. */
export function encodeRequestFrame<N extends WireApiName>(
  writer: WireWriter,
  name: N,
  header: Omit<RequestHeader, 'apiKey'>,
  body: WireRequestOf<N>,
): void {
  const api = WIRE_APIS[name];
  const sizeAt = beginFrame(writer);
  encodeRequestHeader(writer, { ...header, apiKey: api.key });
  api.encodeRequest(writer, body as never, header.apiVersion);
  endFrame(writer, sizeAt);
}

/** Decodes a response frame (without its size prefix) to a request of API `name` at `version`. */
export function decodeResponseFrame<N extends WireApiName>(
  frame: Uint8Array,
  name: N,
  version: number,
): { readonly correlationId: number; readonly body: WireResponseOf<N> } {
  const api = WIRE_APIS[name];
  const reader = new WireReader(frame, 0, frame.length, 'response header');
  const correlationId = reader.int32();
  reader.context = `${api.name}Response v${version}`;
  const body = api.decodeResponse(reader, version) as WireResponseOf<N>;
  reader.expectEnd();
  return { correlationId, body };
}
