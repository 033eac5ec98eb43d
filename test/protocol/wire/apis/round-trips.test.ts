import { describe, expect, it } from 'vitest';
import {
  WIRE_APIS,
  WireReader,
  WireWriter,
  decodeRequestFrame,
  decodeResponseFrame,
  type WireApiName,
} from '../../../../src/protocol/wire/index.ts';
import { API_VERSIONS, SAMPLES, sampleRequestFrame, sampleResponseFrame } from '../support/samples.ts';

const requestFrame = (name: WireApiName, version: number) => sampleRequestFrame(name, version, 77, 'round-trip');
const responseFrame = (name: WireApiName, version: number) => sampleResponseFrame(name, version, 78);

describe('every API, every registered version, both directions', () => {
  it.each(API_VERSIONS)('%s v%i request decodes to exactly the body encoded (no field of another version)', (name, version) => {
    const decoded = decodeRequestFrame(requestFrame(name, version));
    expect(decoded.api).toBe(name);
    expect(decoded.header).toStrictEqual({ apiKey: WIRE_APIS[name].key, apiVersion: version, correlationId: 77, clientId: 'round-trip' });
    expect((decoded as { body: unknown }).body).toStrictEqual(SAMPLES[name].request(version));
  });

  it.each(API_VERSIONS)('%s v%i response decodes to exactly the body encoded', (name, version) => {
    const decoded = decodeResponseFrame(responseFrame(name, version), name, version);
    expect(decoded.correlationId).toBe(78);
    expect(decoded.body).toStrictEqual(SAMPLES[name].response(version));
  });

  it.each(API_VERSIONS)('%s v%i: a decoded body re-encodes to the same bytes', (name, version) => {
    const api = WIRE_APIS[name];
    for (const [frame, decode, encode] of [
      [requestFrame(name, version), api.decodeRequest, api.encodeRequest],
      [responseFrame(name, version), api.decodeResponse, api.encodeResponse],
    ] as const) {
      // Skip the headers: request header v1 ends after the client id, response header v0 after 4 bytes.
      const headerBytes = decode === api.decodeRequest ? 8 + 2 + 'round-trip'.length : 4;
      const reader = new WireReader(frame, headerBytes);
      const decoded = (decode as (r: WireReader, v: number) => unknown)(reader, version);
      reader.expectEnd();
      const writer = new WireWriter(4);
      (encode as (w: WireWriter, b: unknown, v: number) => void)(writer, decoded, version);
      expect(writer.finish()).toStrictEqual(frame.subarray(headerBytes));
    }
  });

  it('the versions differ on the wire where the schemas say they do (a v0 decoder cannot read v1 bytes)', () => {
    // Metadata v1 adds racks and the controller id: its response is longer than v0's and v0 rejects it.
    expect(() => decodeResponseFrame(responseFrame('Metadata', 1), 'Metadata', 0)).toThrow(/Metadata/);
    expect(responseFrame('Produce', 5).length).toBeGreaterThan(responseFrame('Produce', 4).length);
  });
});

describe('fields a version lacks', () => {
  it('are written as the schema default when a body omits them', () => {
    const writer = new WireWriter();
    WIRE_APIS.Metadata.encodeResponse(writer, { brokers: [{ nodeId: 1, host: 'h', port: 1 }], topics: [] }, 2);
    const decoded = WIRE_APIS.Metadata.decodeResponse(new WireReader(writer.finish()), 2);
    expect(decoded).toStrictEqual({ brokers: [{ nodeId: 1, host: 'h', port: 1, rack: null }], clusterId: null, controllerId: -1, topics: [] });
  });

  it('Fetch v4+ responses default the aborted transactions to null and v11 the preferred replica to -1', () => {
    const writer = new WireWriter();
    WIRE_APIS.Fetch.encodeResponse(writer, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 5, records: null }] }] }, 11);
    const decoded = WIRE_APIS.Fetch.decodeResponse(new WireReader(writer.finish()), 11);
    expect(decoded.responses[0]!.partitions[0]).toStrictEqual({
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 5,
      lastStableOffset: -1,
      logStartOffset: -1,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: null,
    });
  });
});

describe('version-specific meanings', () => {
  it('Metadata v0: an empty topic list means all topics (null); v1+: null means all and [] none', () => {
    const v0 = new WireWriter();
    v0.int32(0);
    expect(WIRE_APIS.Metadata.decodeRequest(new WireReader(v0.finish()), 0)).toStrictEqual({ topics: null });
    const v1 = new WireWriter();
    v1.int32(0);
    expect(WIRE_APIS.Metadata.decodeRequest(new WireReader(v1.finish()), 1)).toStrictEqual({ topics: [] });
    const v1all = new WireWriter();
    v1all.int32(-1);
    expect(WIRE_APIS.Metadata.decodeRequest(new WireReader(v1all.finish()), 1)).toStrictEqual({ topics: null });
  });

  it('Metadata v0 cannot ask for no topics: encoding [] is refused, null is written as []', () => {
    expect(() => WIRE_APIS.Metadata.encodeRequest(new WireWriter(), { topics: [] }, 0)).toThrow(/v0 cannot ask for no topics/);
    const writer = new WireWriter();
    WIRE_APIS.Metadata.encodeRequest(writer, { topics: null }, 0);
    expect([...writer.finish()]).toEqual([0, 0, 0, 0]);
  });

  it('OffsetFetch: null topics (all committed partitions) exists from v2 only', () => {
    const writer = new WireWriter();
    WIRE_APIS.OffsetFetch.encodeRequest(writer, { groupId: 'g', topics: null }, 2);
    expect(WIRE_APIS.OffsetFetch.decodeRequest(new WireReader(writer.finish()), 2)).toStrictEqual({ groupId: 'g', topics: null });
    expect(() => WIRE_APIS.OffsetFetch.encodeRequest(new WireWriter(), { groupId: 'g', topics: null }, 1)).toThrow(/needs v2/);
    // v1 has no null array: -1 is a bad length there.
    expect(() => WIRE_APIS.OffsetFetch.decodeRequest(new WireReader(writer.finish()), 1)).toThrow(/negative length -1/);
  });

  it('LeaveGroup v0-v2 name one member: a single-member list is accepted, two are refused', () => {
    const writer = new WireWriter();
    WIRE_APIS.LeaveGroup.encodeRequest(writer, { groupId: 'g', members: [{ memberId: 'm' }] }, 1);
    expect(WIRE_APIS.LeaveGroup.decodeRequest(new WireReader(writer.finish()), 1)).toStrictEqual({ groupId: 'g', memberId: 'm' });
    expect(() => WIRE_APIS.LeaveGroup.encodeRequest(new WireWriter(), { groupId: 'g', members: [{ memberId: 'a' }, { memberId: 'b' }] }, 2)).toThrow(
      /exactly one member/,
    );
    const v3 = new WireWriter();
    WIRE_APIS.LeaveGroup.encodeRequest(v3, { groupId: 'g', memberId: 'm' }, 3);
    expect(WIRE_APIS.LeaveGroup.decodeRequest(new WireReader(v3.finish()), 3)).toStrictEqual({ groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] });
  });

  it('Fetch responses write record chunks back to back, and decode them as one view', () => {
    const writer = new WireWriter();
    const chunks = [Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3)];
    WIRE_APIS.Fetch.encodeResponse(writer, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 3, records: chunks }] }] }, 4);
    const decoded = WIRE_APIS.Fetch.decodeResponse(new WireReader(writer.finish()), 4);
    expect(decoded.responses[0]!.partitions[0]!.records).toStrictEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('array counts are checked against the smallest element a version allows, never more', () => {
  // Each decoder refuses a count whose elements cannot fit in the bytes left; the bound must be
  // the true minimum, or a valid body ending in minimal elements would be refused.
  it.each([
    ['DescribeGroups', 0, { groups: [{ errorCode: 16, groupId: '', groupState: '', protocolType: '', protocolData: '', members: [] }] }],
    ['Metadata', 0, { brokers: [{ nodeId: 0, host: '', port: 0 }], topics: [{ errorCode: 0, name: '', partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, replicaNodes: [], isrNodes: [] }] }] }],
    ['Fetch', 0, { responses: [{ topic: '', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 0, records: null }] }] }],
    ['ListOffsets', 0, { topics: [{ name: '', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [] }] }] }],
    ['OffsetFetch', 1, { topics: [{ name: '', partitions: [{ partitionIndex: 0, committedOffset: 0, metadata: null, errorCode: 0 }] }] }],
    ['JoinGroup', 0, { errorCode: 0, generationId: 0, protocolName: '', leader: '', memberId: '', members: [{ memberId: '', metadata: new Uint8Array(0) }] }],
    ['LeaveGroup', 3, { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: '', groupInstanceId: null, errorCode: 0 }] }],
    ['CreateTopics', 0, { topics: [{ name: '', errorCode: 0 }] }],
    ['ListGroups', 0, { errorCode: 0, groups: [{ groupId: '', protocolType: '' }] }],
    ['ApiVersions', 0, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 0 }] }],
  ] as const)('%s v%i response with minimal elements', (name, version, body) => {
    const writer = new WireWriter();
    WIRE_APIS[name].encodeResponse(writer, body as never, version);
    const reader = new WireReader(writer.finish());
    expect(WIRE_APIS[name].decodeResponse(reader, version)).toStrictEqual(body);
    reader.expectEnd();
  });
});

describe('request array counts are bounded by the true minimum too', () => {
  it.each([
    ['Produce', 0, { acks: 1, timeoutMs: 0, topicData: [{ name: '', partitionData: [{ index: 0, records: null }] }] }],
    ['Fetch', 0, { replicaId: -1, maxWaitMs: 0, minBytes: 0, topics: [{ topic: '', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 0 }] }] }],
    ['ListOffsets', 1, { replicaId: -1, topics: [{ name: '', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }],
    ['OffsetCommit', 0, { groupId: '', topics: [{ name: '', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] }] }],
    ['OffsetFetch', 0, { groupId: '', topics: [{ name: '', partitionIndexes: [] }] }],
    ['CreateTopics', 0, { topics: [{ name: '', numPartitions: 1, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [] }], configs: [{ name: '', value: null }] }], timeoutMs: 0 }],
    ['JoinGroup', 0, { groupId: '', sessionTimeoutMs: 0, memberId: '', protocolType: '', protocols: [{ name: '', metadata: new Uint8Array(0) }] }],
    ['SyncGroup', 0, { groupId: '', generationId: 0, memberId: '', assignments: [{ memberId: '', assignment: new Uint8Array(0) }] }],
    ['LeaveGroup', 3, { groupId: '', members: [{ memberId: '', groupInstanceId: null }] }],
    ['Metadata', 1, { topics: [''] }],
    ['DescribeGroups', 0, { groups: [''] }],
  ] as const)('%s v%i request with minimal elements', (name, version, body) => {
    const writer = new WireWriter();
    WIRE_APIS[name].encodeRequest(writer, body as never, version);
    const reader = new WireReader(writer.finish());
    expect(WIRE_APIS[name].decodeRequest(reader, version)).toStrictEqual(body);
    reader.expectEnd();
  });
});
