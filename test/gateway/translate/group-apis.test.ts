/**
 * The group and admin translators: each wire version's fields onto the broker's modern internal
 * requests (src/protocol/api.ts) and the answers back, with what older versions lack filled in
 * as Kafka does.
 */
import { describe, expect, it } from 'vitest';
import { createTopicsTranslator } from '../../../src/gateway/translate/create-topics.ts';
import { describeGroupsTranslator } from '../../../src/gateway/translate/describe-groups.ts';
import { findCoordinatorTranslator } from '../../../src/gateway/translate/find-coordinator.ts';
import { joinGroupTranslator } from '../../../src/gateway/translate/join-group.ts';
import { leaveGroupTranslator } from '../../../src/gateway/translate/leave-group.ts';
import { listOffsetsTranslator } from '../../../src/gateway/translate/list-offsets.ts';
import { offsetCommitTranslator } from '../../../src/gateway/translate/offset-commit.ts';
import { offsetFetchTranslator } from '../../../src/gateway/translate/offset-fetch.ts';
import { CONTEXT, forwarded } from './support.ts';

const META = new Uint8Array([1, 2, 3]);

describe('FindCoordinator', () => {
  it('answers the coordinator at its listener', () => {
    const { request, respond } = forwarded(findCoordinatorTranslator.translate({ key: 'g' }, 0, CONTEXT));
    expect(request).toMatchObject({ api: 'FindCoordinator', groupId: 'g' });
    expect(respond!({ api: 'FindCoordinator', errorCode: 0, coordinator: { id: 2, host: 'broker-2', port: 9092 } })).toMatchObject({ errorCode: 0, nodeId: 2, host: '127.0.0.1', port: 9002 });
  });

  it('answers COORDINATOR_NOT_AVAILABLE for a coordinator without a listener, and passes errors on', () => {
    const { respond } = forwarded(findCoordinatorTranslator.translate({ key: 'g' }, 2, CONTEXT));
    expect(respond!({ api: 'FindCoordinator', errorCode: 0, coordinator: { id: 9, host: 'broker-9', port: 9092 } })).toMatchObject({ errorCode: 15, nodeId: -1 });
    expect(respond!({ api: 'FindCoordinator', errorCode: 15, coordinator: { id: -1, host: '', port: -1 } })).toMatchObject({ errorCode: 15, nodeId: -1, port: -1 });
  });

  it('answers a transaction coordinator lookup itself with INVALID_REQUEST', () => {
    const translation = findCoordinatorTranslator.translate({ key: 'tx', keyType: 1 }, 1, CONTEXT);
    expect(translation).toMatchObject({ kind: 'local', response: { errorCode: 42, nodeId: -1 } });
  });
});

describe('JoinGroup', () => {
  const body = { groupId: 'g', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: META }] };

  it.each([
    [0, { rebalanceTimeoutMs: 10_000, requireKnownMemberId: false }],
    [1, { rebalanceTimeoutMs: 60_000, requireKnownMemberId: false }],
    [4, { rebalanceTimeoutMs: 60_000, requireKnownMemberId: true }],
  ])('v%i asks %j', (version, expected) => {
    const wire = version === 0 ? body : { ...body, rebalanceTimeoutMs: 60_000 };
    expect(forwarded(joinGroupTranslator.translate(wire, version, CONTEXT)).request).toMatchObject({ api: 'JoinGroup', groupId: 'g', sessionTimeoutMs: 10_000, ...expected });
  });

  it('answers the generation, leader and members', () => {
    const { respond } = forwarded(joinGroupTranslator.translate(body, 5, CONTEXT));
    expect(respond!({ api: 'JoinGroup', errorCode: 0, generationId: 3, protocolName: 'range', leaderId: 'm1', memberId: 'm1', members: [{ memberId: 'm1', metadata: META }] })).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 3,
      protocolName: 'range',
      leader: 'm1',
      memberId: 'm1',
      members: [{ memberId: 'm1', groupInstanceId: null, metadata: META }],
    });
  });
});

describe('LeaveGroup', () => {
  it('v0-v2 carry one member and answer its error when the request has none', () => {
    const { request, respond } = forwarded(leaveGroupTranslator.translate({ groupId: 'g', memberId: 'm1' }, 1, CONTEXT));
    expect(request).toMatchObject({ api: 'LeaveGroup', memberIds: ['m1'] });
    expect(respond!({ api: 'LeaveGroup', errorCode: 0, members: [{ memberId: 'm1', errorCode: 25 }] })).toEqual({ throttleTimeMs: 0, errorCode: 25 });
  });

  it('v3+ carry a list and answer per member', () => {
    const { request, respond } = forwarded(leaveGroupTranslator.translate({ groupId: 'g', members: [{ memberId: 'a' }, { memberId: 'b' }] }, 3, CONTEXT));
    expect(request).toMatchObject({ memberIds: ['a', 'b'] });
    expect(respond!({ api: 'LeaveGroup', errorCode: 0, members: [{ memberId: 'a', errorCode: 0 }, { memberId: 'b', errorCode: 25 }] })).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [
        { memberId: 'a', groupInstanceId: null, errorCode: 0 },
        { memberId: 'b', groupInstanceId: null, errorCode: 25 },
      ],
    });
  });
});

describe('OffsetCommit and OffsetFetch', () => {
  it('commits v0 as 0.8 did, to ZooKeeper through any broker; v1+ to the coordinator with the generation and member', () => {
    const topics = [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }, { partitionIndex: 1, committedOffset: 7, committedMetadata: 'm' }] }];
    const v0 = forwarded(offsetCommitTranslator.translate({ groupId: 'g', topics }, 0, CONTEXT));
    expect(v0.request).toEqual({ api: 'OffsetCommit', clientId: CONTEXT.clientId, correlationId: CONTEXT.correlationId, groupId: 'g', offsets: [{ topic: 't', partition: 0, offset: 5, metadata: '' }, { topic: 't', partition: 1, offset: 7, metadata: 'm' }] });
    expect(v0.respond!({ api: 'OffsetCommit', partitions: [{ topic: 't', partition: 0, errorCode: 0 }, { topic: 't', partition: 1, errorCode: 0 }] }).topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    expect(forwarded(offsetCommitTranslator.translate({ groupId: 'g', topics }, 1, CONTEXT)).request).toMatchObject({ api: 'GroupOffsetCommit', generationId: -1, memberId: '' });
    const { request, respond } = forwarded(offsetCommitTranslator.translate({ groupId: 'g', generationId: 4, memberId: 'm1', topics }, 2, CONTEXT));
    expect(request).toMatchObject({ generationId: 4, memberId: 'm1', offsets: [{ topic: 't', partition: 0, offset: 5, metadata: '' }, { topic: 't', partition: 1, offset: 7, metadata: 'm' }] });
    expect(respond!({ api: 'GroupOffsetCommit', partitions: [{ topic: 't', partition: 1, errorCode: 22 }, { topic: 't', partition: 0, errorCode: 0 }] })).toEqual({
      throttleTimeMs: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }] }],
    });
  });

  it('fetches v0 offsets as 0.8 did, from ZooKeeper through any broker', () => {
    const v0 = forwarded(offsetFetchTranslator.translate({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }, 0, CONTEXT));
    expect(v0.request).toEqual({ api: 'OffsetFetch', clientId: CONTEXT.clientId, correlationId: CONTEXT.correlationId, groupId: 'g', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] });
    const answered = v0.respond!({ api: 'OffsetFetch', partitions: [{ topic: 't', partition: 0, offset: 9, metadata: 'x', errorCode: 0 }, { topic: 't', partition: 1, offset: -1, metadata: '', errorCode: 0 }] });
    expect(answered.topics).toEqual([
      { name: 't', partitions: [
        { partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, metadata: 'x', errorCode: 0 },
        { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ] },
    ]);
  });

  it('fetches offsets: -1 for none, a request error in every partition for v1, and every committed partition for v2+ null', () => {
    const v1 = forwarded(offsetFetchTranslator.translate({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }, 1, CONTEXT));
    expect(v1.request).toMatchObject({ api: 'GroupOffsetFetch', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] });
    const answered = v1.respond!({ api: 'GroupOffsetFetch', errorCode: 0, partitions: [{ topic: 't', partition: 0, offset: 9, metadata: 'x', errorCode: 0 }] });
    expect(answered.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, metadata: 'x', errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    const notCoordinator = v1.respond!({ api: 'GroupOffsetFetch', errorCode: 16, partitions: [] });
    expect(notCoordinator.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([16, 16]);

    const all = forwarded(offsetFetchTranslator.translate({ groupId: 'g', topics: null }, 2, CONTEXT));
    expect(all.request).toMatchObject({ partitions: null });
    const every = all.respond!({ api: 'GroupOffsetFetch', errorCode: 0, partitions: [{ topic: 'a', partition: 1, offset: 3, metadata: '', errorCode: 0 }, { topic: 'b', partition: 0, offset: 4, metadata: '', errorCode: 0 }, { topic: 'a', partition: 0, offset: 2, metadata: '', errorCode: 0 }] });
    expect(every.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      ['a', [[1, 3], [0, 2]]],
      ['b', [[0, 4]]],
    ]);
    expect(every.errorCode).toBe(0);
  });
});

describe('ListOffsets', () => {
  it('v0 asks the 0.8.2 OffsetRequest and answers its list', () => {
    const { request, respond } = forwarded(listOffsetsTranslator.translate({ replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1, maxNumOffsets: 3 }] }] }, 0, CONTEXT));
    expect(request).toMatchObject({ api: 'Offsets', partitions: [{ topic: 't', partition: 0, time: -1, maxNumOffsets: 3 }] });
    expect(respond!({ api: 'Offsets', partitions: [{ topic: 't', partition: 0, errorCode: 0, offsets: [12, 0] }] }).topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [12, 0] }]);
  });

  it('v1+ asks one offset per partition and answers it with its timestamp', () => {
    const { request, respond } = forwarded(listOffsetsTranslator.translate({ replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 2, timestamp: -2 }] }] }, 2, CONTEXT));
    expect(request).toMatchObject({ api: 'ListOffsets', isolationLevel: 1, partitions: [{ topic: 't', partition: 2, timestamp: -2 }] });
    expect(respond!({ api: 'ListOffsets', partitions: [{ topic: 't', partition: 2, errorCode: 0, timestamp: -1, offset: 4 }] })).toEqual({
      throttleTimeMs: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 0, timestamp: -1, offset: 4 }] }],
    });
  });
});

describe('DescribeGroups and CreateTopics', () => {
  it('describes groups with their members', () => {
    const { request, respond } = forwarded(describeGroupsTranslator.translate({ groups: ['g'] }, 2, CONTEXT));
    expect(request).toMatchObject({ api: 'DescribeGroups', groupIds: ['g'] });
    const described = respond!({
      api: 'DescribeGroups',
      groups: [{ groupId: 'g', errorCode: 0, state: 'Stable', protocolType: 'consumer', protocolName: 'range', members: [{ memberId: 'm', clientId: 'c', clientHost: '/wire-1', metadata: META, assignment: META }] }],
    });
    expect(described.groups[0]).toMatchObject({ groupId: 'g', groupState: 'Stable', protocolData: 'range', members: [{ memberId: 'm', clientId: 'c', clientHost: '/wire-1', memberMetadata: META, memberAssignment: META }] });
  });

  it('creates topics with their assignments and configs, validate-only absent before v1', () => {
    const { request, respond } = forwarded(
      createTopicsTranslator.translate(
        { timeoutMs: 5000, topics: [{ name: 'n', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [{ name: 'min.insync.replicas', value: '2' }] }] },
        0,
        CONTEXT,
      ),
    );
    expect(request).toMatchObject({ api: 'CreateTopics', timeoutMs: 5000, validateOnly: false, topics: [{ name: 'n', assignments: [{ partition: 0, brokerIds: [1, 2] }], configs: [{ name: 'min.insync.replicas', value: '2' }] }] });
    expect(respond!({ api: 'CreateTopics', topics: [{ name: 'n', errorCode: 36, errorMessage: 'exists' }] })).toEqual({ throttleTimeMs: 0, topics: [{ name: 'n', errorCode: 36, errorMessage: 'exists' }] });
  });
});
