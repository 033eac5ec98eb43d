import { describe, expect, it } from 'vitest';
import { WireWriter, decodeRequestFrame, encodeRequestFrame, isSupportedVersion, type DecodedRequest } from '../../../src/protocol/wire/index.ts';
import { decodeRecords, encodeRecordBatch, readRecordBatches } from '../../../src/protocol/wire/records.ts';
import { CLIENT_FRAMES } from './fixtures/client-frames.ts';

const frames = CLIENT_FRAMES.map((frame) => ({ ...frame, bytes: Uint8Array.from(Buffer.from(frame.hex, 'hex')) }));
const registered = frames.filter((frame) => frame.api !== null);
const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());

describe('requests captured from kcat (librdkafka 2.0.2), kafka-python 2.0.2 and kafkajs 2.2.4', () => {
  it('cover the APIs each client needs by default', () => {
    const apis = (client: string) => new Set(registered.filter((f) => f.client === client).map((f) => `${f.api} v${f.version}`));
    expect(apis('librdkafka')).toEqual(
      new Set(['ApiVersions v0', 'Metadata v4', 'Produce v7', 'ListOffsets v2', 'Fetch v11', 'FindCoordinator v2', 'JoinGroup v5', 'SyncGroup v3', 'Heartbeat v3', 'OffsetFetch v5', 'OffsetCommit v7', 'LeaveGroup v1']),
    );
    expect(apis('kafka-python')).toEqual(
      new Set(['ApiVersions v0', 'Metadata v0', 'Metadata v1', 'Produce v7', 'FindCoordinator v0', 'JoinGroup v2', 'SyncGroup v1', 'OffsetFetch v1', 'ListOffsets v1', 'Fetch v4', 'OffsetCommit v2', 'LeaveGroup v1']),
    );
    expect(apis('kafkajs')).toEqual(
      new Set(['ApiVersions v2', 'Metadata v6', 'Produce v7', 'CreateTopics v3', 'ListOffsets v3', 'ListGroups v2', 'FindCoordinator v2', 'DescribeGroups v2', 'JoinGroup v5', 'SyncGroup v3', 'OffsetFetch v4', 'Fetch v11', 'OffsetCommit v5', 'LeaveGroup v3']),
    );
  });

  it.each(registered.map((f) => [f.client, f.api, f.version, f] as const))('%s %s v%i decodes and re-encodes to the same bytes', (_client, api, version, frame) => {
    expect(isSupportedVersion(Number.parseInt(frame.hex.slice(0, 4), 16), version)).toBe(true);
    const decoded = decodeRequestFrame(frame.bytes) as DecodedRequest;
    expect(decoded.api).toBe(api);
    const { apiKey: _apiKey, ...header } = decoded.header;
    const writer = new WireWriter();
    encodeRequestFrame(writer, decoded.api, header, decoded.body as never);
    expect(Buffer.from(writer.finish().subarray(4)).toString('hex')).toBe(frame.hex);
  });

  it("librdkafka's first request, ApiVersions v3 (flexible), is unsupported and its header still reads", () => {
    const [first] = frames.filter((f) => f.api === null);
    expect(first!.client).toBe('librdkafka');
    expect(decodeRequestFrame(first!.bytes)).toStrictEqual({ api: null, header: { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' } });
  });

  const produced = registered.filter((f) => f.api === 'Produce');
  const expectedRecords: Record<string, Array<[string, string]>> = {
    librdkafka: [1, 2, 3, 4, 5].map((i) => [`k${i}`, 'v']),
    'kafka-python': [0, 1, 2, 3, 4].map((i) => [`k${i}`, `v${i}`]),
    kafkajs: [1, 2, 3, 4, 5].map((i) => [`k${i}`, `v${i}`]),
  };

  it.each(produced.map((f) => [f.client, f] as const))('%s: the produced record batch passes its CRC and holds the 5 records sent', (client, frame) => {
    const request = decodeRequestFrame(frame.bytes);
    if (request.api !== 'Produce') throw new Error('not a produce request');
    const [batch, ...others] = readRecordBatches(request.body.topicData[0]!.partitionData[0]!.records!, { verifyCrc: true });
    expect(others).toEqual([]);
    const records = decodeRecords(batch!);
    expect(records.map((r) => [text(r.key), text(r.value)])).toEqual(expectedRecords[client]);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
  });

  it.each(produced.map((f) => [f.client, f] as const))('%s: encoding the same records gives the same batch, byte for byte', (_client, frame) => {
    const request = decodeRequestFrame(frame.bytes);
    if (request.api !== 'Produce') throw new Error('not a produce request');
    const [batch] = readRecordBatches(request.body.topicData[0]!.partitionData[0]!.records!);
    const writer = new WireWriter();
    encodeRecordBatch(writer, {
      baseOffset: batch!.baseOffset,
      partitionLeaderEpoch: batch!.partitionLeaderEpoch,
      producerId: batch!.producerId,
      producerEpoch: batch!.producerEpoch,
      baseSequence: batch!.baseSequence,
      records: decodeRecords(batch!).map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers })),
    });
    expect(writer.finish()).toStrictEqual(batch!.bytes);
  });
});
