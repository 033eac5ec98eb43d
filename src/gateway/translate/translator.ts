/**
 * What a translation module is: for one API, how a decoded wire request becomes an internal
 * request to the simulated broker (`src/protocol/api.ts`), and how the broker's response becomes
 * the wire response of the version the client asked. Some requests the gateway answers itself
 * (ApiVersions: the version table is the gateway's, not the simulated broker's).
 */
import type { KafkaRequest, KafkaResponse } from '../../protocol/api.ts';
import type { ApiDescriptor } from '../../protocol/wire/api-descriptor.ts';
import type { ListenerAddress } from '../recording.ts';

export interface TranslateContext {
  /** The broker this connection reaches. */
  readonly broker: number;
  readonly clientId: string;
  readonly correlationId: number;
  /** Where real clients reach broker `id` (undefined for an id with no listener). */
  advertised(brokerId: number): ListenerAddress | undefined;
}

export type Translation<Response> =
  /** The gateway answers at once (in order with the connection's other responses). */
  | { readonly kind: 'local'; readonly response: Response }
  /**
   * The broker answers `request`; `response` turns its answer into the wire response, or is
   * undefined when the client expects none (a produce with acks = 0).
   */
  | { readonly kind: 'forward'; readonly request: KafkaRequest; readonly response: ((internal: KafkaResponse) => Response) | undefined };

export interface Translator<Name extends string = string, Request = never, Response = unknown> {
  readonly api: ApiDescriptor<Name, Request, Response>;
  translate(request: Request, version: number, context: TranslateContext): Translation<Response>;
}

/** A translator with its body types forgotten: the session hands each one its own API's decoded body. */
export type AnyTranslator = Translator<string, unknown, unknown>;

export function erase<N extends string, Request, Response>(translator: Translator<N, Request, Response>): AnyTranslator {
  return translator as unknown as AnyTranslator;
}

/** The internal request's identity fields from the wire header. */
export function requestBase(context: TranslateContext): { clientId: string; correlationId: number } {
  return { clientId: context.clientId, correlationId: context.correlationId };
}

/** Narrows an internal response to the API it must be (a broker answering otherwise is a bug). */
export function expectResponse<A extends KafkaResponse['api']>(response: KafkaResponse, api: A): Extract<KafkaResponse, { api: A }> {
  if (response.api !== api) throw new TypeError(`expected a ${api} response from the simulated broker, got ${response.api}`);
  return response as Extract<KafkaResponse, { api: A }>;
}
