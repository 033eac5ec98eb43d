/**
 * The client-side translations by internal request type. The controller-to-broker requests
 * (LeaderAndIsr, UpdateMetadata, StopReplica, ControlledShutdown) have none: a client never
 * sends them, and a real broker takes them only from its controller.
 */
import type { KafkaRequest } from '../../protocol/api.ts';
import type { WireApiName } from '../../protocol/wire/registry.ts';
import { createTopicsTranslation, describeGroupsTranslation, listGroupsTranslation } from './admin.ts';
import type { ClientTranslation } from './call.ts';
import { fetchTranslation } from './fetch.ts';
import { findCoordinatorTranslation, heartbeatTranslation, joinGroupTranslation, leaveGroupTranslation, syncGroupTranslation } from './group.ts';
import { metadataTranslation } from './metadata.ts';
import { groupOffsetCommitTranslation, offsetCommitTranslation } from './offset-commit.ts';
import { groupOffsetFetchTranslation, offsetFetchTranslation } from './offset-fetch.ts';
import { listOffsetsTranslation, offsetsTranslation } from './offsets.ts';
import { produceTranslation } from './produce.ts';

export type { ClientTranslation } from './call.ts';

type ClientApi = Exclude<KafkaRequest['api'], 'LeaderAndIsr' | 'UpdateMetadata' | 'StopReplica' | 'ControlledShutdown'>;

/** Each entry is typed by its own module; the table checks that every client request type has one. */
const TRANSLATIONS = {
  Metadata: metadataTranslation,
  Produce: produceTranslation,
  Fetch: fetchTranslation,
  Offsets: offsetsTranslation,
  ListOffsets: listOffsetsTranslation,
  OffsetCommit: offsetCommitTranslation,
  OffsetFetch: offsetFetchTranslation,
  GroupOffsetCommit: groupOffsetCommitTranslation,
  GroupOffsetFetch: groupOffsetFetchTranslation,
  FindCoordinator: findCoordinatorTranslation,
  JoinGroup: joinGroupTranslation,
  SyncGroup: syncGroupTranslation,
  Heartbeat: heartbeatTranslation,
  LeaveGroup: leaveGroupTranslation,
  DescribeGroups: describeGroupsTranslation,
  ListGroups: listGroupsTranslation,
  CreateTopics: createTopicsTranslation,
} satisfies { readonly [A in ClientApi]: { readonly wireApi: WireApiName } };

/** The translation of `request`'s type, or undefined for the controller-to-broker requests. */
export function translationFor<R extends KafkaRequest>(request: R): ClientTranslation<R, WireApiName> | undefined {
  return (TRANSLATIONS as unknown as Record<string, ClientTranslation<R, WireApiName> | undefined>)[request.api];
}
