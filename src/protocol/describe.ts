/**
 * One line of plain English per request and per response, for narration (lessons, the wire
 * gateway's log, test failure messages). Error codes are shown by their Kafka names.
 */
import { EARLIEST_TIME, LATEST_TIME, type KafkaRequest, type KafkaResponse } from './api.ts';
import { errorName } from './errors.ts';
import { payloadToString, producedCount, type MessageBatch } from './message.ts';

export function describeRequest(request: KafkaRequest): string {
  switch (request.api) {
    case 'Metadata':
      return `Metadata for ${request.topics.length === 0 ? 'all topics' : request.topics.join(', ')}`;
    case 'Produce':
      return `Produce acks=${request.requiredAcks}: ${request.data.map((d) => `${producedCount(d.messages)} to ${d.topic}-${d.partition}`).join(', ')}`;
    case 'Fetch':
      return `Fetch (max wait ${request.maxWait} ms, min ${request.minBytes} bytes) ${request.partitions
        .map((p) => `${p.topic}-${p.partition} from offset ${p.fetchOffset} (${p.fetchSize} bytes)`)
        .join(', ')}`;
    case 'Offsets':
      return `Offsets: ${request.partitions.map((p) => `${timeName(p.time)} of ${p.topic}-${p.partition}`).join(', ')}`;
    case 'OffsetCommit':
      return `OffsetCommit for group ${request.groupId}: ${request.offsets.map((o) => `${o.topic}-${o.partition} = ${o.offset}`).join(', ')}`;
    case 'OffsetFetch':
      return `OffsetFetch for group ${request.groupId}: ${request.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}`;
    case 'LeaderAndIsr':
      return `LeaderAndIsr (controller ${request.controllerId}, epoch ${request.controllerEpoch}): ${request.partitionStates
        .map((s) => `${s.topic}-${s.partition} leader ${s.leader} ISR [${s.isr.join(',')}]`)
        .join(', ')}`;
    case 'UpdateMetadata':
      return `UpdateMetadata (controller ${request.controllerId}, epoch ${request.controllerEpoch}) for ${request.partitionStates.length} partitions`;
    case 'StopReplica':
      return `StopReplica${request.deletePartitions ? ' (delete)' : ''}: ${request.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}`;
    case 'ControlledShutdown':
      return `ControlledShutdown of broker ${request.brokerId}`;
    case 'FindCoordinator':
      return `FindCoordinator for group ${request.groupId}`;
    case 'JoinGroup':
      return `JoinGroup ${request.groupId} as ${request.memberId === '' ? 'a new member' : request.memberId} (${request.protocolType}: ${request.protocols.map((p) => p.name).join(', ')})`;
    case 'SyncGroup':
      return `SyncGroup ${request.groupId} generation ${request.generationId} from ${request.memberId}${request.assignments.length > 0 ? ` with ${request.assignments.length} assignment(s)` : ''}`;
    case 'Heartbeat':
      return `Heartbeat ${request.groupId} generation ${request.generationId} from ${request.memberId}`;
    case 'LeaveGroup':
      return `LeaveGroup ${request.groupId}: ${request.memberIds.join(', ')}`;
    case 'GroupOffsetCommit':
      return `OffsetCommit for group ${request.groupId} (generation ${request.generationId}): ${request.offsets.map((o) => `${o.topic}-${o.partition} = ${o.offset}`).join(', ')}`;
    case 'GroupOffsetFetch':
      return `OffsetFetch for group ${request.groupId}: ${request.partitions === null ? 'every partition' : request.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}`;
    case 'DescribeGroups':
      return `DescribeGroups ${request.groupIds.join(', ')}`;
    case 'ListGroups':
      return 'ListGroups';
    case 'CreateTopics':
      return `CreateTopics${request.validateOnly ? ' (validate only)' : ''}: ${request.topics.map((t) => t.name).join(', ')}`;
    case 'ListOffsets':
      return `ListOffsets: ${request.partitions.map((p) => `${timeName(p.timestamp)} of ${p.topic}-${p.partition}`).join(', ')}`;
  }
}

export function describeResponse(response: KafkaResponse): string {
  switch (response.api) {
    case 'Metadata':
      return `brokers [${response.brokers.map((b) => b.id).join(',')}]; ${response.topics
        .map((t) =>
          t.errorCode !== 0
            ? `${t.topic}: ${errorName(t.errorCode)}`
            : t.partitions.map((p) => `${t.topic}-${p.partition} leader ${p.leader === -1 ? 'none' : p.leader} ISR [${p.isr.join(',')}]`).join(', '),
        )
        .join('; ')}`;
    case 'Produce':
      return response.statuses.map((s) => `${s.topic}-${s.partition}: ${s.errorCode === 0 ? `appended at offset ${s.offset}` : errorName(s.errorCode)}`).join(', ');
    case 'Fetch':
      return response.partitions
        .map((p) => (p.errorCode !== 0 ? `${p.topic}-${p.partition}: ${errorName(p.errorCode)}` : `${p.topic}-${p.partition}: ${describeBatches(p.batches)}, high watermark ${p.highWatermark}${p.partialMessage ? ', then a partial message' : ''}`))
        .join('; ');
    case 'Offsets':
      return response.partitions.map((p) => `${p.topic}-${p.partition}: ${p.errorCode === 0 ? `[${p.offsets.join(', ')}]` : errorName(p.errorCode)}`).join(', ');
    case 'OffsetCommit':
      return response.partitions.map((p) => `${p.topic}-${p.partition}: ${p.errorCode === 0 ? 'committed' : errorName(p.errorCode)}`).join(', ');
    case 'OffsetFetch':
      return response.partitions.map((p) => `${p.topic}-${p.partition}: ${p.errorCode === 0 ? `offset ${p.offset}` : errorName(p.errorCode)}`).join(', ');
    case 'LeaderAndIsr':
    case 'StopReplica':
      return `${[...response.partitions].filter((p) => p.errorCode !== 0).length === 0 ? 'done' : 'errors'}${response.errorCode === 0 ? '' : ` (${errorName(response.errorCode)})`}`;
    case 'UpdateMetadata':
      return response.errorCode === 0 ? 'done' : errorName(response.errorCode);
    case 'ControlledShutdown':
      return response.errorCode === 0
        ? `done; ${response.partitionsRemaining.length} partitions still led here`
        : `${errorName(response.errorCode)}; ${response.partitionsRemaining.length} partitions still led here`;
    case 'FindCoordinator':
      return response.errorCode === 0 ? `coordinator is broker ${response.coordinator.id}` : errorName(response.errorCode);
    case 'JoinGroup':
      return response.errorCode !== 0
        ? `${errorName(response.errorCode)}${response.memberId === '' ? '' : ` (member id ${response.memberId})`}`
        : `joined generation ${response.generationId} as ${response.memberId} (leader ${response.leaderId}, protocol ${response.protocolName}${response.members.length > 0 ? `, ${response.members.length} member(s) to assign` : ''})`;
    case 'SyncGroup':
      return response.errorCode === 0 ? `assignment of ${response.assignment.byteLength} byte(s)` : errorName(response.errorCode);
    case 'Heartbeat':
      return response.errorCode === 0 ? 'done' : errorName(response.errorCode);
    case 'LeaveGroup':
      return response.errorCode !== 0 ? errorName(response.errorCode) : response.members.map((m) => `${m.memberId}: ${m.errorCode === 0 ? 'left' : errorName(m.errorCode)}`).join(', ');
    case 'GroupOffsetCommit':
      return response.partitions.map((p) => `${p.topic}-${p.partition}: ${p.errorCode === 0 ? 'committed' : errorName(p.errorCode)}`).join(', ');
    case 'GroupOffsetFetch':
      return response.errorCode !== 0
        ? errorName(response.errorCode)
        : response.partitions.map((p) => `${p.topic}-${p.partition}: ${p.errorCode === 0 ? `offset ${p.offset}` : errorName(p.errorCode)}`).join(', ');
    case 'DescribeGroups':
      return response.groups
        .map((g) => (g.errorCode !== 0 ? `${g.groupId}: ${errorName(g.errorCode)}` : `${g.groupId}: ${g.state}, ${g.members.length} member(s)`))
        .join('; ');
    case 'ListGroups':
      return response.errorCode !== 0 ? errorName(response.errorCode) : `groups [${response.groups.map((g) => g.groupId).join(', ')}]`;
    case 'CreateTopics':
      return response.topics.map((t) => `${t.name}: ${t.errorCode === 0 ? 'created' : errorName(t.errorCode)}`).join(', ');
    case 'ListOffsets':
      return response.partitions.map((p) => `${p.topic}-${p.partition}: ${p.errorCode === 0 ? `offset ${p.offset}` : errorName(p.errorCode)}`).join(', ');
  }
}

function timeName(time: number): string {
  if (time === LATEST_TIME) return 'latest offset';
  if (time === EARLIEST_TIME) return 'earliest offset';
  return `offsets before ${time} ms`;
}

function describeBatches(batches: readonly MessageBatch[]): string {
  let count = 0;
  let first: number | undefined;
  let last = 0;
  const values: string[] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.count; i++) {
      const offset = batch.baseOffset + i;
      first ??= offset;
      last = offset;
      count++;
      if (values.length < 3) values.push(JSON.stringify(payloadToString(batch.valueAt(i))));
    }
  }
  if (count === 0) return 'no messages';
  const shown = values.join(', ') + (count > values.length ? ', ...' : '');
  return count === 1 ? `1 message at offset ${first} (${shown})` : `${count} messages at offsets ${first}..${last} (${shown})`;
}
