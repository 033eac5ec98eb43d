/**
 * ApiVersions (key 18), answered by the gateway itself: the versions it can serve are a property
 * of the codec and of the translation modules, not of the simulated 0.8.2 broker (which predates
 * KIP-35). The table is the codec's registry restricted to the APIs the gateway translates.
 *
 * A version outside the table (librdkafka opens with v3) gets Kafka's fallback from the session:
 * a v0 response with UNSUPPORTED_VERSION (35) and the same table, from which the client picks.
 */
import { apiVersionsApi, type ApiVersionRange, type ApiVersionsRequest, type ApiVersionsResponse } from '../../protocol/wire/apis/api-versions.ts';
import type { Translator } from './translator.ts';

export function apiVersionsTranslator(table: readonly ApiVersionRange[]): Translator<'ApiVersions', ApiVersionsRequest, ApiVersionsResponse> {
  const response: ApiVersionsResponse = { errorCode: 0, apiKeys: table, throttleTimeMs: 0 };
  return {
    api: apiVersionsApi,
    translate: () => ({ kind: 'local', response }),
  };
}
