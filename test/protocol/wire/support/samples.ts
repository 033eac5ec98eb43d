/**
 * One request and one response body per API and version, with every field that version has set
 * to a non-default value and no field it lacks: the specification the round-trip tests check each
 * codec against (a field a version lacks must not come back from decoding it), and seeds for the
 * fuzz tests' mutations, also as whole frames. Field presence per version follows Kafka's message
 * schemas (`clients/src/main/resources/common/message/*.json`).
 */
import {
  WIRE_APIS,
  WireWriter,
  encodeRequestFrame,
  encodeResponseFrame,
  type WireApiName,
  type WireRequestOf,
  type WireResponseOf,
} from '../../../../src/protocol/wire/index.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
/** `{ [key]: value }` when `present`, else `{}`: spread into a body for a version-dependent field. */
const when = <K extends string, V>(present: boolean, key: K, value: V) => (present ? ({ [key]: value } as { [P in K]: V }) : {});

type Samples = { readonly [N in WireApiName]: { request(v: number): WireRequestOf<N>; response(v: number): WireResponseOf<N> } };

export const SAMPLES: Samples = {
  ApiVersions: {
    request: () => ({}),
    response: (v) => ({
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 0, maxVersion: 7 },
        { apiKey: 18, minVersion: 0, maxVersion: 2 },
      ],
      ...when(v >= 1, 'throttleTimeMs', 5),
    }),
  },
  Metadata: {
    request: (v) => ({ topics: ['alpha', 'beta'], ...when(v >= 4, 'allowAutoTopicCreation', false) }),
    response: (v) => ({
      ...when(v >= 3, 'throttleTimeMs', 7),
      brokers: [
        { nodeId: 1, host: '127.0.0.1', port: 9092, ...when(v >= 1, 'rack', 'rack-a') },
        { nodeId: 2, host: 'host-2', port: 9093, ...when(v >= 1, 'rack', null) },
      ],
      ...when(v >= 2, 'clusterId', 'cluster-x'),
      ...when(v >= 1, 'controllerId', 2),
      topics: [
        {
          errorCode: 0,
          name: 'alpha',
          ...when(v >= 1, 'isInternal', true),
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1], ...when(v >= 5, 'offlineReplicas', [2]) },
            { errorCode: 5, partitionIndex: 1, leaderId: -1, replicaNodes: [2], isrNodes: [], ...when(v >= 5, 'offlineReplicas', []) },
          ],
        },
        { errorCode: 3, name: 'missing', ...when(v >= 1, 'isInternal', false), partitions: [] },
      ],
    }),
  },
  Produce: {
    request: (v) => ({
      ...when(v >= 3, 'transactionalId', 'tx-1'),
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ name: 'alpha', partitionData: [{ index: 0, records: bytes(1, 2, 3) }, { index: 2, records: null }] }],
    }),
    response: (v) => ({
      responses: [
        {
          name: 'alpha',
          partitionResponses: [
            { index: 0, errorCode: 0, baseOffset: 42, ...when(v >= 2, 'logAppendTimeMs', 1_700_000_000_000), ...when(v >= 5, 'logStartOffset', 3) },
            { index: 2, errorCode: 6, baseOffset: -1, ...when(v >= 2, 'logAppendTimeMs', -1), ...when(v >= 5, 'logStartOffset', -1) },
          ],
        },
      ],
      ...when(v >= 1, 'throttleTimeMs', 9),
    }),
  },
  Fetch: {
    request: (v) => ({
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      ...when(v >= 3, 'maxBytes', 52_428_800),
      ...when(v >= 4, 'isolationLevel', 1),
      ...when(v >= 7, 'sessionId', 12),
      ...when(v >= 7, 'sessionEpoch', 3),
      topics: [
        {
          topic: 'alpha',
          partitions: [
            { partition: 0, ...when(v >= 9, 'currentLeaderEpoch', 4), fetchOffset: 100, ...when(v >= 5, 'logStartOffset', 2), partitionMaxBytes: 1_048_576 },
          ],
        },
      ],
      ...when(v >= 7, 'forgottenTopicsData', [{ topic: 'beta', partitions: [1, 2] }]),
      ...when(v >= 11, 'rackId', 'rack-a'),
    }),
    response: (v) => ({
      ...when(v >= 1, 'throttleTimeMs', 1),
      ...when(v >= 7, 'errorCode', 0),
      ...when(v >= 7, 'sessionId', 12),
      responses: [
        {
          topic: 'alpha',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 120,
              ...when(v >= 4, 'lastStableOffset', 118),
              ...when(v >= 5, 'logStartOffset', 2),
              ...when(v >= 4, 'abortedTransactions', [{ producerId: 7, firstOffset: 101 }]),
              ...when(v >= 11, 'preferredReadReplica', -1),
              records: bytes(9, 8, 7),
            },
            {
              partitionIndex: 1,
              errorCode: 1,
              highWatermark: -1,
              ...when(v >= 4, 'lastStableOffset', -1),
              ...when(v >= 5, 'logStartOffset', -1),
              ...when(v >= 4, 'abortedTransactions', null),
              ...when(v >= 11, 'preferredReadReplica', 2),
              records: null,
            },
          ],
        },
      ],
    }),
  },
  ListOffsets: {
    request: (v) => ({
      replicaId: -1,
      ...when(v >= 2, 'isolationLevel', 1),
      topics: [
        {
          name: 'alpha',
          partitions: [
            { partitionIndex: 0, timestamp: -2, ...when(v === 0, 'maxNumOffsets', 1) },
            { partitionIndex: 1, timestamp: 1_700_000_000_000, ...when(v === 0, 'maxNumOffsets', 5) },
          ],
        },
      ],
    }),
    response: (v) => ({
      ...when(v >= 2, 'throttleTimeMs', 3),
      topics: [
        {
          name: 'alpha',
          partitions: [
            { partitionIndex: 0, errorCode: 0, ...when(v === 0, 'oldStyleOffsets', [10, 0]), ...when(v >= 1, 'timestamp', -1), ...when(v >= 1, 'offset', 10) },
            { partitionIndex: 1, errorCode: 6, ...when(v === 0, 'oldStyleOffsets', []), ...when(v >= 1, 'timestamp', -1), ...when(v >= 1, 'offset', -1) },
          ],
        },
      ],
    }),
  },
  FindCoordinator: {
    request: (v) => ({ key: 'group-1', ...when(v >= 1, 'keyType', 0) }),
    response: (v) => ({
      ...when(v >= 1, 'throttleTimeMs', 0),
      errorCode: 0,
      ...when(v >= 1, 'errorMessage', 'fine'),
      nodeId: 2,
      host: '127.0.0.1',
      port: 40_002,
    }),
  },
  JoinGroup: {
    request: (v) => ({
      groupId: 'group-1',
      sessionTimeoutMs: 10_000,
      ...when(v >= 1, 'rebalanceTimeoutMs', 300_000),
      memberId: 'member-a',
      ...when(v >= 5, 'groupInstanceId', 'instance-a'),
      protocolType: 'consumer',
      protocols: [
        { name: 'range', metadata: bytes(0, 1, 2) },
        { name: 'roundrobin', metadata: bytes() },
      ],
    }),
    response: (v) => ({
      ...when(v >= 2, 'throttleTimeMs', 0),
      errorCode: 0,
      generationId: 3,
      protocolName: 'range',
      leader: 'member-a',
      memberId: 'member-a',
      members: [
        { memberId: 'member-a', ...when(v >= 5, 'groupInstanceId', 'instance-a'), metadata: bytes(0, 1, 2) },
        { memberId: 'member-b', ...when(v >= 5, 'groupInstanceId', null), metadata: bytes(3) },
      ],
    }),
  },
  SyncGroup: {
    request: (v) => ({
      groupId: 'group-1',
      generationId: 3,
      memberId: 'member-a',
      ...when(v >= 3, 'groupInstanceId', null),
      assignments: [
        { memberId: 'member-a', assignment: bytes(1, 1) },
        { memberId: 'member-b', assignment: bytes(2) },
      ],
    }),
    response: (v) => ({ ...when(v >= 1, 'throttleTimeMs', 0), errorCode: 27, assignment: bytes(1, 1) }),
  },
  Heartbeat: {
    request: (v) => ({ groupId: 'group-1', generationId: 3, memberId: 'member-a', ...when(v >= 3, 'groupInstanceId', 'instance-a') }),
    response: (v) => ({ ...when(v >= 1, 'throttleTimeMs', 0), errorCode: 22 }),
  },
  LeaveGroup: {
    request: (v) =>
      v < 3
        ? { groupId: 'group-1', memberId: 'member-a' }
        : { groupId: 'group-1', members: [{ memberId: 'member-a', groupInstanceId: null }, { memberId: 'member-b', groupInstanceId: 'instance-b' }] },
    response: (v) => ({
      ...when(v >= 1, 'throttleTimeMs', 0),
      errorCode: 0,
      ...when(v >= 3, 'members', [{ memberId: 'member-a', groupInstanceId: null, errorCode: 25 }]),
    }),
  },
  OffsetCommit: {
    request: (v) => ({
      groupId: 'group-1',
      ...when(v >= 1, 'generationId', 3),
      ...when(v >= 1, 'memberId', 'member-a'),
      ...when(v >= 7, 'groupInstanceId', null),
      ...when(v >= 2 && v <= 4, 'retentionTimeMs', -1),
      topics: [
        {
          name: 'alpha',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 57,
              ...when(v >= 6, 'committedLeaderEpoch', 2),
              ...when(v === 1, 'commitTimestamp', 1_700_000_000_000),
              committedMetadata: 'meta',
            },
            { partitionIndex: 1, committedOffset: 0, ...when(v >= 6, 'committedLeaderEpoch', -1), ...when(v === 1, 'commitTimestamp', -1), committedMetadata: null },
          ],
        },
      ],
    }),
    response: (v) => ({
      ...when(v >= 3, 'throttleTimeMs', 0),
      topics: [{ name: 'alpha', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }] }],
    }),
  },
  OffsetFetch: {
    request: () => ({ groupId: 'group-1', topics: [{ name: 'alpha', partitionIndexes: [0, 1] }] }),
    response: (v) => ({
      ...when(v >= 3, 'throttleTimeMs', 0),
      topics: [
        {
          name: 'alpha',
          partitions: [
            { partitionIndex: 0, committedOffset: 57, ...when(v >= 5, 'committedLeaderEpoch', 2), metadata: 'meta', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1, ...when(v >= 5, 'committedLeaderEpoch', -1), metadata: null, errorCode: 0 },
          ],
        },
      ],
      ...when(v >= 2, 'errorCode', 0),
    }),
  },
  CreateTopics: {
    request: (v) => ({
      topics: [
        { name: 'alpha', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'min.insync.replicas', value: '2' }] },
        { name: 'beta', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [{ name: 'x', value: null }] },
      ],
      timeoutMs: 5_000,
      ...when(v >= 1, 'validateOnly', true),
    }),
    response: (v) => ({
      ...when(v >= 2, 'throttleTimeMs', 0),
      topics: [
        { name: 'alpha', errorCode: 0, ...when(v >= 1, 'errorMessage', null) },
        { name: 'beta', errorCode: 36, ...when(v >= 1, 'errorMessage', 'Topic already exists.') },
      ],
    }),
  },
  DescribeGroups: {
    request: (v) => ({ groups: ['group-1', 'group-2'], ...when(v >= 3, 'includeAuthorizedOperations', true) }),
    response: (v) => ({
      ...when(v >= 1, 'throttleTimeMs', 0),
      groups: [
        {
          errorCode: 0,
          groupId: 'group-1',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            {
              memberId: 'member-a',
              ...when(v >= 4, 'groupInstanceId', null),
              clientId: 'client-a',
              clientHost: '/127.0.0.1',
              memberMetadata: bytes(0, 1),
              memberAssignment: bytes(2, 3),
            },
          ],
          ...when(v >= 3, 'authorizedOperations', -2_147_483_648),
        },
        { errorCode: 16, groupId: 'group-2', groupState: '', protocolType: '', protocolData: '', members: [], ...when(v >= 3, 'authorizedOperations', 0) },
      ],
    }),
  },
  ListGroups: {
    request: () => ({}),
    response: (v) => ({ ...when(v >= 1, 'throttleTimeMs', 0), errorCode: 0, groups: [{ groupId: 'group-1', protocolType: 'consumer' }] }),
  },
};

/** Every registered (API, version). */
export const API_VERSIONS: ReadonlyArray<readonly [WireApiName, number]> = (Object.keys(WIRE_APIS) as WireApiName[]).flatMap((name) => {
  const api = WIRE_APIS[name];
  return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => [name, api.minVersion + i] as const);
});

/** The sample request of `name` v`version` as a frame after its size prefix: request header v1, then the body. */
export function sampleRequestFrame(name: WireApiName, version: number, correlationId: number, clientId: string): Uint8Array {
  const writer = new WireWriter(16);
  encodeRequestFrame(writer, name, { apiVersion: version, correlationId, clientId }, SAMPLES[name].request(version) as never);
  return writer.toBytes().subarray(4);
}

/** The sample response of `name` v`version` as a frame after its size prefix: response header v0, then the body. */
export function sampleResponseFrame(name: WireApiName, version: number, correlationId: number): Uint8Array {
  const writer = new WireWriter(16);
  const header = { apiKey: WIRE_APIS[name].key, apiVersion: version, correlationId, clientId: null };
  encodeResponseFrame(writer, name, header, SAMPLES[name].response(version) as never);
  return writer.toBytes().subarray(4);
}
