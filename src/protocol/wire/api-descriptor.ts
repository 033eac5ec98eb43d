/**
 * What every API module exports: its key, the versions it implements, and the four codecs of its
 * request and response bodies (the headers are `frame.ts`'s). Both directions exist because both
 * sides need them: the gateway decodes requests and encodes responses, a client of a real broker
 * encodes requests and decodes responses.
 *
 * A body type holds the union of the fields of the versions implemented, named as in Kafka's
 * message schemas (`clients/src/main/resources/common/message/*.json`) in camelCase. A field
 * absent from some versions is optional: decoding leaves it undefined in those versions, and
 * encoding a version that has it writes the schema's default when it is missing (so a responder
 * can omit `throttleTimeMs`, `logStartOffset`, ...). Decoders read exactly the body (trailing
 * bytes are an error) and throw only `WireDecodeError`; they never check the version against
 * the range, which `codec.ts` does first.
 */
import type { WireReader, WireWriter } from './primitives.ts';

export interface ApiDescriptor<Name extends string = string, Request = unknown, Response = unknown> {
  readonly key: number;
  readonly name: Name;
  readonly minVersion: number;
  readonly maxVersion: number;
  decodeRequest(reader: WireReader, version: number): Request;
  encodeRequest(writer: WireWriter, body: Request, version: number): void;
  decodeResponse(reader: WireReader, version: number): Response;
  encodeResponse(writer: WireWriter, body: Response, version: number): void;
}

/** A body under construction by a decoder, which sets a version's optional fields one by one. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
