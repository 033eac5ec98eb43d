/**
 * Produce translation: the records of each partition (record batches v2, or message sets of
 * magic 0/1) become internal messages (uncompressed v2 batches kept as they arrived); partitions whose records do not decode are answered by
 * the gateway (CORRUPT_MESSAGE 2, UNSUPPORTED_COMPRESSION_TYPE 76) while the rest go on; acks = 0
 * expects no response.
 */
import { describe, expect, it } from 'vitest';
import { produceTranslator } from '../../../src/gateway/translate/produce.ts';
import { createMessage, payloadToString, producedMessages } from '../../../src/protocol/message.ts';
import { crc32c } from '../../../src/protocol/wire/crc32c.ts';
import { WireMessage, WireRecordBatch } from '../../../src/protocol/wire/message-batches.ts';
import { WireWriter } from '../../../src/protocol/wire/primitives.ts';
import { encodeMessageSet, encodeRecordBatch } from '../../../src/protocol/wire/records.ts';
import { CONTEXT, forwarded } from './support.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

function batch(records: { key: string | null; value: string }[], compression = 0): Uint8Array {
  const writer = new WireWriter();
  encodeRecordBatch(writer, { baseOffset: 0, compression, records: records.map((r) => ({ key: r.key === null ? null : bytes(r.key), value: bytes(r.value) })) });
  return writer.toBytes();
}

function messageSet(magic: 0 | 1, values: string[]): Uint8Array {
  const writer = new WireWriter();
  encodeMessageSet(writer, magic, 0, values.map((v) => ({ key: null, value: bytes(v) })));
  return writer.toBytes();
}

describe('the Produce translator', () => {
  it('turns record batches and message sets into the messages of an internal produce with the same acks and timeout', () => {
    const { request } = forwarded(
      produceTranslator.translate(
        {
          acks: -1,
          timeoutMs: 1500,
          topicData: [
            { name: 't', partitionData: [{ index: 0, records: batch([{ key: 'k1', value: 'a' }, { key: null, value: 'b' }], 1) }, { index: 1, records: messageSet(1, ['c']) }] },
            { name: 'u', partitionData: [{ index: 2, records: messageSet(0, ['d', 'e']) }] },
          ],
        },
        7,
        CONTEXT,
      ),
    );
    expect(request).toMatchObject({ api: 'Produce', clientId: 'test-client', correlationId: 7, requiredAcks: -1, ackTimeoutMs: 1500 });
    if (request.api !== 'Produce') throw new Error('not a produce');
    expect(request.data.map((d) => [d.topic, d.partition, producedMessages(d.messages).map((m) => [payloadToString(m.key), payloadToString(m.value)])])).toEqual([
      ['t', 0, [['k1', 'a'], [null, 'b']]],
      ['t', 1, [[null, 'c']]],
      ['u', 2, [[null, 'd'], [null, 'e']]],
    ]);
  });

  it('keeps uncompressed v2 batches as they arrived: one WireRecordBatch over the request bytes, no copies; gzip and legacy records as objects', () => {
    const records = Uint8Array.from(Buffer.concat([batch([{ key: 'k1', value: 'a' }]), batch([{ key: null, value: 'b' }, { key: 'k3', value: 'c' }])]));
    const gzip = batch([{ key: 'k', value: 'z' }], 1);
    const { request } = forwarded(
      produceTranslator.translate(
        { acks: 1, timeoutMs: 1500, topicData: [{ name: 't', partitionData: [{ index: 0, records }, { index: 1, records: gzip }, { index: 2, records: messageSet(1, ['m']) }] }] },
        7,
        CONTEXT,
      ),
    );
    if (request.api !== 'Produce') throw new Error('not a produce');
    const [plain, compressed, legacy] = request.data.map((d) => d.messages);
    expect(plain).toBeInstanceOf(WireRecordBatch);
    const stored = plain as WireRecordBatch;
    expect(stored.count).toBe(3);
    expect([0, 1, 2].map((i) => [payloadToString(stored.keyAt(i)), payloadToString(stored.valueAt(i))])).toEqual([['k1', 'a'], [null, 'b'], ['k3', 'c']]);
    expect(stored.valueAt(2)!.buffer).toBe(records.buffer);
    expect(stored.sizeBytes).toBe([createMessage('k1', 'a'), createMessage(null, 'b'), createMessage('k3', 'c')].reduce((n, m) => n + m.sizeBytes, 0));
    for (const objects of [compressed, legacy]) {
      expect(Array.isArray(objects)).toBe(true);
      expect((objects as readonly unknown[]).every((m) => m instanceof WireMessage)).toBe(true);
    }
    expect(producedMessages(compressed!).map((m) => payloadToString(m.value))).toEqual(['z']);
    expect(producedMessages(legacy!).map((m) => payloadToString(m.value))).toEqual(['m']);
  });

  it('answers corrupt records and unsupported codecs itself, per partition, and the broker the rest', () => {
    const corrupt = batch([{ key: 'k', value: 'v' }]);
    corrupt[corrupt.length - 1]! ^= 0xff;
    // A well-formed batch claiming snappy: attributes (int16 at 21) say codec 2, the CRC-32C (at 17) covers 21 to the end.
    const snappy = batch([{ key: 'k', value: 'v' }]);
    snappy[22] = (snappy[22]! & ~0x07) | 2;
    new DataView(snappy.buffer, snappy.byteOffset).setUint32(17, crc32c(snappy, 21));
    const { request, respond } = forwarded(
      produceTranslator.translate(
        { acks: 1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: corrupt }, { index: 1, records: batch([{ key: 'ok', value: 'ok' }]) }, { index: 2, records: snappy }] }] },
        7,
        CONTEXT,
      ),
    );
    if (request.api !== 'Produce') throw new Error('not a produce');
    expect(request.data.map((d) => d.partition)).toEqual([1]);
    const response = respond!({ api: 'Produce', statuses: [{ topic: 't', partition: 1, errorCode: 0, offset: 41, logStartOffset: 0 }] });
    expect(response).toEqual({
      throttleTimeMs: 0,
      responses: [
        {
          name: 't',
          partitionResponses: [
            { index: 0, errorCode: 2, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 },
            { index: 1, errorCode: 0, baseOffset: 41, logAppendTimeMs: -1, logStartOffset: 0 },
            { index: 2, errorCode: 76, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 },
          ],
        },
      ],
    });
  });

  it('expects no response for acks = 0', () => {
    const { respond } = forwarded(produceTranslator.translate({ acks: 0, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch([{ key: 'k', value: 'v' }]) }] }] }, 3, CONTEXT));
    expect(respond).toBeUndefined();
  });
});
