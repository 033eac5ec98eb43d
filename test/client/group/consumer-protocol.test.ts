/**
 * ConsumerProtocol v0 bytes (Kafka `ConsumerProtocol`): what coordinator-mode members put in
 * JoinGroup metadata and SyncGroup assignments, readable by real clients through the gateway.
 */
import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../../src/client/group/consumer-protocol.ts';
import { WireDecodeError } from '../../../src/protocol/wire/errors.ts';
import { WireWriter } from '../../../src/protocol/wire/primitives.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('subscription', () => {
  it('version 0, the topics in order, and the consumer id and stream counts as JSON user data', () => {
    const bytes = encodeSubscription('g_c1', { t: 2, a: 1 });
    const json = JSON.stringify({ consumerId: 'g_c1', streams: { t: 2, a: 1 } });
    expect(hex(bytes)).toBe(`0000` + `00000002` + `0001${hex(Buffer.from('a'))}` + `0001${hex(Buffer.from('t'))}` + `${json.length.toString(16).padStart(8, '0')}${hex(Buffer.from(json))}`);
    expect(decodeSubscription(bytes)).toEqual({ topics: ['a', 't'], consumerId: 'g_c1', streams: { a: 1, t: 2 } });
  });

  it("a Java client's subscription (no or foreign user data): no consumer id, one stream per topic", () => {
    const writer = new WireWriter();
    writer.int16(1);
    writer.stringArray(['t', 'u']);
    writer.nullableBytes(null);
    writer.int32(0); // v1's owned partitions, ignored
    expect(decodeSubscription(writer.toBytes())).toEqual({ topics: ['t', 'u'], consumerId: undefined, streams: { t: 1, u: 1 } });
  });

  it('bytes that are not a subscription: WireDecodeError', () => {
    expect(() => decodeSubscription(new Uint8Array([0, 0, 0, 0, 0, 9]))).toThrow(WireDecodeError);
  });
});

describe('assignment', () => {
  it('round trip: partitions by topic, each with its thread index', () => {
    const partitions = [
      { topic: 't', partition: 0, thread: 0 },
      { topic: 't', partition: 2, thread: 1 },
      { topic: 'u', partition: 1, thread: 0 },
    ];
    expect(decodeAssignment(encodeAssignment({ partitions }))).toEqual({ partitions });
  });

  it('the empty assignment the coordinator gives a member the leader left out, and one without thread indexes', () => {
    expect(decodeAssignment(new Uint8Array(0))).toEqual({ partitions: [] });
    const writer = new WireWriter();
    writer.int16(0);
    writer.int32(1);
    writer.string('t');
    writer.int32Array([1, 2]);
    writer.nullableBytes(null);
    expect(decodeAssignment(writer.toBytes())).toEqual({
      partitions: [
        { topic: 't', partition: 1, thread: 0 },
        { topic: 't', partition: 2, thread: 0 },
      ],
    });
  });
});
