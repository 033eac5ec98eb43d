/**
 * The client-side translations against the gateway's (src/gateway/translate), through the codec,
 * for every version: what the real runtime writes, the gateway reads back as the same internal
 * request; what the gateway writes from an internal response, the real runtime reads back as the
 * same. The two sides were written apart, so each checks the other. Plus the record-set rules of
 * `translate/records.ts` (a cut entry, records before the fetch offset).
 */
import { describe, expect, it } from 'vitest';
import { fetchTranslator } from '../../src/gateway/translate/fetch.ts';
import { listOffsetsTranslator } from '../../src/gateway/translate/list-offsets.ts';
import { metadataTranslator } from '../../src/gateway/translate/metadata.ts';
import { produceTranslator } from '../../src/gateway/translate/produce.ts';
import type { TranslateContext, Translation } from '../../src/gateway/translate/translator.ts';
import type { FetchRequest, FetchResponse, KafkaResponse, MetadataRequest, OffsetRequest, ProduceRequest } from '../../src/protocol/api.ts';
import { batchOf, createMessage, messagesOf, payloadToString, producedMessages } from '../../src/protocol/message.ts';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../src/protocol/wire/codec.ts';
import { WireWriter } from '../../src/protocol/wire/primitives.ts';
import { encodeRecordBatch } from '../../src/protocol/wire/records.ts';
import { WIRE_APIS, type WireApiName, type WireRequestOf, type WireResponseOf } from '../../src/protocol/wire/registry.ts';
import { fetchTranslation } from '../../src/real/translate/fetch.ts';
import { metadataTranslation } from '../../src/real/translate/metadata.ts';
import { offsetsTranslation } from '../../src/real/translate/offsets.ts';
import { produceTranslation } from '../../src/real/translate/produce.ts';
import { fetchedBatches } from '../../src/real/translate/records.ts';

const context: TranslateContext = { broker: 1, clientId: 'c', correlationId: 5, advertised: (id) => ({ broker: id, host: '127.0.0.1', port: 9000 + id }) as never };

/** The wire request as the gateway decodes it, at `version`. */
function overTheWire<N extends WireApiName>(api: N, version: number, body: WireRequestOf<N>): WireRequestOf<N> {
  const writer = new WireWriter(256);
  encodeRequestFrame(writer, api, { apiVersion: version, correlationId: 5, clientId: 'c' }, body);
  const frame = writer.finish().subarray(4);
  const decoded = decodeRequestFrame(frame);
  return (decoded as unknown as { body: WireRequestOf<N> }).body;
}

function responseOverTheWire<N extends WireApiName>(api: N, version: number, body: WireResponseOf<N>): WireResponseOf<N> {
  const writer = new WireWriter(256);
  encodeResponseFrame(writer, api, { apiKey: WIRE_APIS[api].key, apiVersion: version, correlationId: 5, clientId: 'c' }, body);
  return decodeResponseFrame(writer.finish().subarray(4), api, version).body;
}

function forwarded(translation: Translation<unknown>) {
  if (translation.kind !== 'forward') throw new Error('expected a forwarded request');
  return translation;
}

const versions = (api: WireApiName) => [...Array(WIRE_APIS[api].maxVersion + 1).keys()];

describe('Produce', () => {
  const request: ProduceRequest = {
    api: 'Produce',
    clientId: 'c',
    correlationId: 5,
    requiredAcks: -1,
    ackTimeoutMs: 1500,
    data: [
      { topic: 'a', partition: 0, messages: [createMessage('k1', 'v1'), createMessage(null, 'v2')] },
      { topic: 'b', partition: 2, messages: [createMessage(new Uint8Array([1, 2]), null)] },
      { topic: 'a', partition: 1, messages: [createMessage('k3', 'héllo')] },
    ],
  };

  it.each(versions('Produce'))('v%i: the gateway reads back the same messages, and its answer reads back as the statuses', (version) => {
    const body = overTheWire('Produce', version, produceTranslation.toWire(request, version));
    const { request: internal, response } = forwarded(produceTranslator.translate(body, version, context));
    const produce = internal as ProduceRequest;
    expect(produce).toMatchObject({ requiredAcks: -1, ackTimeoutMs: 1500 });
    const text = (p: ProduceRequest['data'][number]) => producedMessages(p.messages).map((m) => [m.key === null ? null : payloadToString(m.key), m.value === null ? null : payloadToString(m.value)]);
    // Partitions are grouped under their topics on the wire.
    const grouped = [request.data[0]!, request.data[2]!, request.data[1]!];
    expect(produce.data.map((p) => [p.topic, p.partition, text(p)])).toEqual(grouped.map((p) => [p.topic, p.partition, text(p)]));
    const brokerAnswer: KafkaResponse = {
      api: 'Produce',
      statuses: [
        { topic: 'a', partition: 0, errorCode: 0, offset: 40, logStartOffset: 3 },
        { topic: 'b', partition: 2, errorCode: 6, offset: -1, logStartOffset: -1 },
        { topic: 'a', partition: 1, errorCode: 0, offset: 7, logStartOffset: 0 },
      ],
    };
    const wire = responseOverTheWire('Produce', version, response!(brokerAnswer) as WireResponseOf<'Produce'>);
    const statuses = produceTranslation.fromWire(wire, request, version).statuses;
    expect(statuses.map((s) => [s.topic, s.partition, s.errorCode, s.offset, s.logStartOffset])).toEqual([
      ['a', 0, 0, 40, version >= 5 ? 3 : -1],
      ['b', 2, 6, -1, -1],
      ['a', 1, 0, 7, version >= 5 ? 0 : -1],
    ]);
  });
});

describe('Fetch', () => {
  const request: FetchRequest = {
    api: 'Fetch',
    clientId: 'c',
    correlationId: 5,
    replicaId: -1,
    maxWait: 250,
    minBytes: 1,
    partitions: [
      { topic: 'a', partition: 0, fetchOffset: 10, fetchSize: 4096 },
      { topic: 'b', partition: 1, fetchOffset: 0, fetchSize: 100 },
    ],
  };

  it.each(versions('Fetch'))('v%i: the gateway reads back the same fetch, and its batches read back at their offsets', (version) => {
    const body = overTheWire('Fetch', version, fetchTranslation.toWire(request, version));
    const internal = forwarded(fetchTranslator.translate(body, version, context));
    expect((internal.request as FetchRequest).partitions).toEqual(request.partitions);
    expect(internal.request).toMatchObject({ maxWait: 250, minBytes: 1, replicaId: -1 });
    const brokerAnswer: FetchResponse = {
      api: 'Fetch',
      partitions: [
        { topic: 'a', partition: 0, errorCode: 0, highWatermark: 14, logStartOffset: 2, batches: [batchOf(10, [createMessage('k', 'v10'), createMessage(null, 'v11')]), batchOf(12, [createMessage('k', 'v12')])], partialMessage: false },
        { topic: 'b', partition: 1, errorCode: 1, highWatermark: -1, logStartOffset: -1, batches: [], partialMessage: false },
      ],
    };
    const wire = responseOverTheWire('Fetch', version, internal.response!(brokerAnswer) as WireResponseOf<'Fetch'>);
    const read = fetchTranslation.fromWire(wire, request, version).partitions;
    expect(read.map((p) => [p.topic, p.partition, p.errorCode, p.highWatermark, p.logStartOffset, p.partialMessage])).toEqual([
      ['a', 0, 0, 14, version >= 5 ? 2 : -1, false],
      ['b', 1, 1, -1, -1, false],
    ]);
    expect([...messagesOf(read[0]!.batches)].map((m) => [m.offset, payloadToString(m.message.key), payloadToString(m.message.value)])).toEqual([
      [10, 'k', 'v10'],
      [11, null, 'v11'],
      [12, 'k', 'v12'],
    ]);
  });
});

describe('Metadata', () => {
  it.each(versions('Metadata'))('v%i: all topics, and a list, read back as the gateway answers them', (version) => {
    for (const topics of [[], ['x', 'y']]) {
      const request: MetadataRequest = { api: 'Metadata', clientId: 'c', correlationId: 5, topics };
      const body = overTheWire('Metadata', version, metadataTranslation.toWire(request, version));
      const internal = forwarded(metadataTranslator.translate(body, version, context)).request as MetadataRequest;
      expect(internal.topics).toEqual(topics);
      expect(internal.allTopics).toBe(topics.length === 0);
    }
    const request: MetadataRequest = { api: 'Metadata', clientId: 'c', correlationId: 5, topics: ['x'] };
    const translation = forwarded(metadataTranslator.translate(overTheWire('Metadata', version, metadataTranslation.toWire(request, version)), version, context));
    const brokerAnswer: KafkaResponse = {
      api: 'Metadata',
      brokers: [{ id: 1, host: 'broker-1', port: 9092 }, { id: 2, host: 'broker-2', port: 9092 }],
      clusterId: 'cid',
      controllerId: 2,
      topics: [{ topic: 'x', errorCode: 0, partitions: [{ partition: 1, leader: 2, replicas: [2, 1], isr: [2], errorCode: 0 }, { partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], errorCode: 0 }] }],
    };
    const read = metadataTranslation.fromWire(responseOverTheWire('Metadata', version, translation.response!(brokerAnswer) as WireResponseOf<'Metadata'>), request, version);
    expect(read.brokers).toEqual([{ id: 1, host: '127.0.0.1', port: 9001 }, { id: 2, host: '127.0.0.1', port: 9002 }]);
    expect(read.controllerId).toBe(version >= 1 ? 2 : -1);
    expect(read.clusterId).toBe(version >= 2 ? 'cid' : '');
    expect(read.topics[0]!.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1, 2], [1, 2]],
      [1, 2, [2, 1], [2]],
    ]);
  });
});

describe('Offsets', () => {
  it.each(versions('ListOffsets'))('v%i: earliest and latest read back (v0: the offsets list; v1+: one offset)', (version) => {
    const request: OffsetRequest = { api: 'Offsets', clientId: 'c', correlationId: 5, replicaId: -1, partitions: [{ topic: 'a', partition: 0, time: -1, maxNumOffsets: 3 }, { topic: 'a', partition: 1, time: -2, maxNumOffsets: 1 }] };
    const translation = forwarded(listOffsetsTranslator.translate(overTheWire('ListOffsets', version, offsetsTranslation.toWire(request, version)), version, context));
    const internal = translation.request;
    let answer: KafkaResponse;
    if (version === 0) {
      expect(internal).toMatchObject({ api: 'Offsets', partitions: request.partitions });
      answer = { api: 'Offsets', partitions: [{ topic: 'a', partition: 0, errorCode: 0, offsets: [20, 10, 0] }, { topic: 'a', partition: 1, errorCode: 0, offsets: [5] }] };
    } else {
      expect(internal).toMatchObject({ api: 'ListOffsets', partitions: [{ topic: 'a', partition: 0, timestamp: -1 }, { topic: 'a', partition: 1, timestamp: -2 }] });
      answer = { api: 'ListOffsets', partitions: [{ topic: 'a', partition: 0, errorCode: 0, timestamp: -1, offset: 20 }, { topic: 'a', partition: 1, errorCode: 0, timestamp: -1, offset: 5 }] };
    }
    const read = offsetsTranslation.fromWire(responseOverTheWire('ListOffsets', version, translation.response!(answer) as WireResponseOf<'ListOffsets'>), request, version);
    expect(read.partitions.map((p) => p.offsets)).toEqual(version === 0 ? [[20, 10, 0], [5]] : [[20], [5]]);
  });
});

describe('fetched record sets', () => {
  function batch(baseOffset: number, values: string[]): Uint8Array {
    const writer = new WireWriter(256);
    encodeRecordBatch(writer, { baseOffset, records: values.map((v) => ({ key: null, value: new TextEncoder().encode(v) })) });
    return writer.toBytes();
  }

  it('drops records before the fetch offset (a batch comes whole) and reports a cut entry as a partial message', () => {
    const first = batch(5, ['a', 'b', 'c']);
    const second = batch(8, ['d', 'e']);
    const records = new Uint8Array(first.length + second.length - 3);
    records.set(first, 0);
    records.set(second.subarray(0, second.length - 3), first.length);
    const { batches, partialMessage } = fetchedBatches(records, 6);
    expect(partialMessage).toBe(true);
    expect([...messagesOf(batches)].map((m) => [m.offset, payloadToString(m.message.value)])).toEqual([
      [6, 'b'],
      [7, 'c'],
    ]);
    expect(fetchedBatches(first, 0)).toMatchObject({ partialMessage: false });
    expect(fetchedBatches(null, 0)).toEqual({ batches: [], partialMessage: false });
  });

  it('starts a new batch at a gap in offsets', () => {
    const a = batch(0, ['x']);
    const b = batch(4, ['y', 'z']);
    const records = new Uint8Array(a.length + b.length);
    records.set(a, 0);
    records.set(b, a.length);
    expect(fetchedBatches(records, 0).batches.map((x) => [x.baseOffset, x.messages.length])).toEqual([
      [0, 1],
      [4, 2],
    ]);
  });
});
