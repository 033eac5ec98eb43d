/**
 * The one table of APIs and versions the wire codec implements; ApiVersions answers from it, so a
 * client is offered exactly what is implemented.
 *
 * Every range starts at 0 and ends below the API's first flexible version (KIP-482: compact types
 * and tagged fields, which the codec does not implement). What the three default clients send
 * with these ranges, as captured from the real clients (test/protocol/wire/fixtures/client-frames.ts)
 * and checked against their code (test/protocol/wire/registry.test.ts):
 * - librdkafka 2.0.2 (kcat 1.7.1) opens with ApiVersions v3, gets the v0 fallback with
 *   UNSUPPORTED_VERSION (`codec.ts`), reads it as a flexible body, finds no ranges there and so
 *   retries with ApiVersions v0 (`rd_kafka_broker_handle_ApiVersion`); then it picks the highest
 *   version both sides implement: Metadata 4, Produce 7, ListOffsets 2, Fetch 11,
 *   FindCoordinator 2, JoinGroup 5, SyncGroup 3, Heartbeat 3, OffsetFetch 5, OffsetCommit 7,
 *   LeaveGroup 1 (kcat -L, -P, -C and -G). Record batches v2 need Produce 3+ and Fetch 4+
 *   (`rdkafka_feature.c`, MsgVer2).
 * - kafkajs 2.2.4 asks min(its highest, ours) (`lookup` in `src/protocol/requests/index.js`):
 *   ApiVersions 2, Metadata 6, Produce 7, Fetch 11, ListOffsets 3, FindCoordinator 2,
 *   JoinGroup 5, SyncGroup 3, Heartbeat 3, LeaveGroup 3, OffsetCommit 5, OffsetFetch 4,
 *   CreateTopics 3, DescribeGroups 2, ListGroups 2.
 * - kafka-python 2.0.2 probes with ApiVersions v0 and Metadata v0, infers a broker version from
 *   the ranges (`conn.py` `_infer_broker_version_from_api_versions`: Fetch v11 without Produce v8
 *   reads as Kafka 2.3) and then sends what it sends a 2.3 broker: Metadata 1, Produce 7,
 *   Fetch 4, ListOffsets 1, FindCoordinator 0, JoinGroup 2, SyncGroup 1, Heartbeat 1,
 *   LeaveGroup 1, OffsetCommit 2, OffsetFetch 1 (its admin client asks min(its highest, ours)).
 *   (Had it inferred an older Kafka it would send older versions, all registered: every range
 *   starts at 0.)
 * InitProducerId is absent: none of the three is idempotent by default, and without it librdkafka
 * does not offer `enable.idempotence`.
 */
import type { ApiDescriptor } from './api-descriptor.ts';
import { apiVersionsApi, type ApiVersionRange } from './apis/api-versions.ts';
import { createTopicsApi } from './apis/create-topics.ts';
import { describeGroupsApi } from './apis/describe-groups.ts';
import { fetchApi } from './apis/fetch.ts';
import { findCoordinatorApi } from './apis/find-coordinator.ts';
import { heartbeatApi } from './apis/heartbeat.ts';
import { joinGroupApi } from './apis/join-group.ts';
import { leaveGroupApi } from './apis/leave-group.ts';
import { listGroupsApi } from './apis/list-groups.ts';
import { listOffsetsApi } from './apis/list-offsets.ts';
import { metadataApi } from './apis/metadata.ts';
import { offsetCommitApi } from './apis/offset-commit.ts';
import { offsetFetchApi } from './apis/offset-fetch.ts';
import { produceApi } from './apis/produce.ts';
import { syncGroupApi } from './apis/sync-group.ts';

/** The registered APIs by name. */
export const WIRE_APIS = {
  Produce: produceApi,
  Fetch: fetchApi,
  ListOffsets: listOffsetsApi,
  Metadata: metadataApi,
  OffsetCommit: offsetCommitApi,
  OffsetFetch: offsetFetchApi,
  FindCoordinator: findCoordinatorApi,
  JoinGroup: joinGroupApi,
  Heartbeat: heartbeatApi,
  LeaveGroup: leaveGroupApi,
  SyncGroup: syncGroupApi,
  DescribeGroups: describeGroupsApi,
  ListGroups: listGroupsApi,
  ApiVersions: apiVersionsApi,
  CreateTopics: createTopicsApi,
} as const;

export type WireApis = typeof WIRE_APIS;
export type WireApiName = keyof WireApis;
export type WireRequestOf<N extends WireApiName> = WireApis[N] extends ApiDescriptor<N, infer Request, unknown> ? Request : never;
export type WireResponseOf<N extends WireApiName> = WireApis[N] extends ApiDescriptor<N, unknown, infer Response> ? Response : never;

const BY_KEY: ReadonlyMap<number, ApiDescriptor<WireApiName>> = new Map(
  Object.values(WIRE_APIS).map((api: ApiDescriptor<WireApiName>) => [api.key, api]),
);

/** The registered API with this key, if any. */
export function wireApiByKey(key: number): ApiDescriptor<WireApiName> | undefined {
  return BY_KEY.get(key);
}

/** Whether `version` of API `key` is implemented. */
export function isSupportedVersion(key: number, version: number): boolean {
  const api = BY_KEY.get(key);
  return api !== undefined && version >= api.minVersion && version <= api.maxVersion;
}

/** What ApiVersions answers: every registered API's range, by key. */
export const SUPPORTED_API_VERSIONS: readonly ApiVersionRange[] = [...BY_KEY.values()]
  .map((api) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey);
