/**
 * The APIs the gateway serves: one translation module per API, by key. ApiVersions answers the
 * codec's registry restricted to these keys, so a client is offered exactly what the gateway can
 * both decode and carry to the simulated broker.
 */
import type { ApiVersionRange } from '../../protocol/wire/apis/api-versions.ts';
import { SUPPORTED_API_VERSIONS } from '../../protocol/wire/registry.ts';
import { apiVersionsTranslator } from './api-versions.ts';
import { createTopicsTranslator } from './create-topics.ts';
import { describeGroupsTranslator } from './describe-groups.ts';
import { fetchTranslator } from './fetch.ts';
import { findCoordinatorTranslator } from './find-coordinator.ts';
import { heartbeatTranslator } from './heartbeat.ts';
import { joinGroupTranslator } from './join-group.ts';
import { leaveGroupTranslator } from './leave-group.ts';
import { listGroupsTranslator } from './list-groups.ts';
import { listOffsetsTranslator } from './list-offsets.ts';
import { metadataTranslator } from './metadata.ts';
import { offsetCommitTranslator } from './offset-commit.ts';
import { offsetFetchTranslator } from './offset-fetch.ts';
import { produceTranslator } from './produce.ts';
import { syncGroupTranslator } from './sync-group.ts';
import { erase, type AnyTranslator } from './translator.ts';

const TRANSLATED: readonly AnyTranslator[] = [
  erase(produceTranslator),
  erase(fetchTranslator),
  erase(listOffsetsTranslator),
  erase(metadataTranslator),
  erase(offsetCommitTranslator),
  erase(offsetFetchTranslator),
  erase(findCoordinatorTranslator),
  erase(joinGroupTranslator),
  erase(heartbeatTranslator),
  erase(leaveGroupTranslator),
  erase(syncGroupTranslator),
  erase(describeGroupsTranslator),
  erase(listGroupsTranslator),
  erase(createTopicsTranslator),
];

/** The ApiVersions table: the codec's ranges for the APIs translated here (and ApiVersions). */
export const GATEWAY_API_VERSIONS: readonly ApiVersionRange[] = SUPPORTED_API_VERSIONS.filter(
  (range) => range.apiKey === 18 || TRANSLATED.some((t) => t.api.key === range.apiKey),
);

const BY_KEY: ReadonlyMap<number, AnyTranslator> = new Map([...TRANSLATED, erase(apiVersionsTranslator(GATEWAY_API_VERSIONS))].map((t) => [t.api.key, t]));

/** The translation module for API `key`, if the gateway serves it. */
export function translatorFor(key: number): AnyTranslator | undefined {
  return BY_KEY.get(key);
}
