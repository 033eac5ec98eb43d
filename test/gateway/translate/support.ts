/** A translation context for translator tests: brokers 1-3 listen on 127.0.0.1:9001-9003. */
import type { TranslateContext, Translation } from '../../../src/gateway/translate/translator.ts';
import type { KafkaRequest, KafkaResponse } from '../../../src/protocol/api.ts';

export const CONTEXT: TranslateContext = {
  broker: 1,
  clientId: 'test-client',
  correlationId: 7,
  advertised: (id) => (id >= 1 && id <= 3 ? { broker: id, host: '127.0.0.1', port: 9000 + id } : undefined),
};

/** The forwarded request and the response translator of a translation that must forward. */
export function forwarded<R>(translation: Translation<R>): { request: KafkaRequest; respond: ((internal: KafkaResponse) => R) | undefined } {
  if (translation.kind !== 'forward') throw new Error(`expected a forwarded request, got ${translation.kind}`);
  return { request: translation.request, respond: translation.response };
}
