import { describe, expect, it } from 'vitest';
import {
  SUPPORTED_API_VERSIONS,
  WireDecodeError,
  WireWriter,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeUnsupportedVersionResponse,
} from '../../../src/protocol/wire/index.ts';
import { encodeRecordBatch } from '../../../src/protocol/wire/records.ts';

/** Bytes from hex written with spaces and comments (`# ...` to the end of a line) for readability. */
function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));
}

function written(encode: (writer: WireWriter) => void): Uint8Array {
  const writer = new WireWriter(8);
  encode(writer);
  return writer.toBytes();
}

// Golden frames derived by hand from https://kafka.apache.org/protocol (request header v1:
// api_key int16, api_version int16, correlation_id int32, client_id nullable string; response
// header v0: correlation_id), independently of the codec.
describe('golden bytes from the protocol specification', () => {
  const apiVersionsV0Request = hex(`
    0000000d    # size 13
    0012 0000   # ApiVersions (18) v0
    00000001    # correlation id 1
    0003 616263 # client id "abc"
                # (ApiVersions v0 has no body)
  `);

  it('ApiVersions v0 request', () => {
    expect(written((w) => encodeRequestFrame(w, 'ApiVersions', { apiVersion: 0, correlationId: 1, clientId: 'abc' }, {}))).toStrictEqual(apiVersionsV0Request);
    expect(decodeRequestFrame(apiVersionsV0Request.subarray(4))).toStrictEqual({
      api: 'ApiVersions',
      header: { apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'abc' },
      body: {},
    });
  });

  it('ApiVersions v0 response', () => {
    const frame = hex(`
      00000016        # size 22
      00000001        # correlation id 1
      0000            # error code 0
      00000002        # 2 api keys
      0000 0000 0007  # Produce 0-7
      0012 0000 0002  # ApiVersions 0-2
    `);
    const body = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 7 }, { apiKey: 18, minVersion: 0, maxVersion: 2 }] };
    const header = { apiKey: 18, apiVersion: 0, correlationId: 1, clientId: null };
    expect(written((w) => encodeResponseFrame(w, 'ApiVersions', header, body))).toStrictEqual(frame);
    expect(decodeResponseFrame(frame.subarray(4), 'ApiVersions', 0)).toStrictEqual({ correlationId: 1, body });
  });

  it('Metadata v0 request for two topics', () => {
    const frame = hex(`
      00000018    # size 24
      0003 0000   # Metadata (3) v0
      0000002a    # correlation id 42
      ffff        # client id null
      00000002    # 2 topics
      0001 61     # "a"
      0005 616c706861 # "alpha"
    `);
    expect(written((w) => encodeRequestFrame(w, 'Metadata', { apiVersion: 0, correlationId: 42, clientId: null }, { topics: ['a', 'alpha'] }))).toStrictEqual(frame);
    expect(decodeRequestFrame(frame.subarray(4))).toMatchObject({ api: 'Metadata', body: { topics: ['a', 'alpha'] } });
  });

  // The record batch is the one kafka-python 2.0.2's DefaultRecordBatchBuilder builds for one
  // record (key "k", value "v", timestamp 1000): its CRC-32C comes from kafka-python, not from us.
  const batch = hex(`
    0000000000000000  # base offset 0
    0000003a          # batch length 58
    00000000          # partition leader epoch 0
    02                # magic 2
    716a6189          # crc32c of attributes..end
    0000              # attributes: no compression, CreateTime
    00000000          # last offset delta 0
    00000000000003e8  # first timestamp 1000
    00000000000003e8  # max timestamp 1000
    ffffffffffffffff  # producer id -1
    ffff              # producer epoch -1
    ffffffff          # base sequence -1
    00000001          # 1 record
    10                # record length 8 (zigzag varint)
    00                # record attributes
    00                # timestamp delta 0
    00                # offset delta 0
    02 6b             # key length 1, "k"
    02 76             # value length 1, "v"
    00                # 0 headers
  `);

  it('a record batch v2 as kafka-python builds it', () => {
    expect(written((w) => encodeRecordBatch(w, { baseOffset: 0, partitionLeaderEpoch: 0, records: [{ key: hex('6b'), value: hex('76'), timestamp: 1000 }] }))).toStrictEqual(batch);
  });

  it('Produce v3 request carrying that batch', () => {
    const frame = hex(`
      0000006c    # size 108
      0000 0003   # Produce (0) v3
      00000007    # correlation id 7
      0001 63     # client id "c"
      ffff        # transactional id null
      ffff        # acks -1
      00007530    # timeout 30000 ms
      00000001    # 1 topic
      0001 74     # "t"
      00000001    # 1 partition
      00000000    # partition 0
      00000046    # records: 70 bytes
    ` + Buffer.from(batch).toString('hex'));
    const body = { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }] };
    expect(written((w) => encodeRequestFrame(w, 'Produce', { apiVersion: 3, correlationId: 7, clientId: 'c' }, body))).toStrictEqual(frame);
    expect(decodeRequestFrame(frame.subarray(4))).toStrictEqual({ api: 'Produce', header: { apiKey: 0, apiVersion: 3, correlationId: 7, clientId: 'c' }, body });
  });
});

describe('requests outside the registry', () => {
  it('an unknown API key decodes as unsupported, header only', () => {
    const frame = hex('0063 0000 00000005 ffff deadbeef'); // key 99 with some body
    expect(decodeRequestFrame(frame)).toStrictEqual({ api: null, header: { apiKey: 99, apiVersion: 0, correlationId: 5, clientId: null } });
  });

  it('a registered API at a version above its range decodes as unsupported, its body unread', () => {
    const frame = hex('0003 0007 00000005 ffff 00'); // Metadata v7: not registered
    expect(decodeRequestFrame(frame)).toStrictEqual({ api: null, header: { apiKey: 3, apiVersion: 7, correlationId: 5, clientId: null } });
  });

  it('a negative version is unsupported too', () => {
    expect(decodeRequestFrame(hex('0003 ffff 00000005 ffff'))).toMatchObject({ api: null, header: { apiVersion: -1 } });
  });

  it('an unsupported ApiVersions version gets the v0 body with UNSUPPORTED_VERSION (35) and every registered range', () => {
    // librdkafka's first request: ApiVersions v3 (flexible: tagged fields after the client id, compact strings).
    const request = decodeRequestFrame(hex('0012 0003 00000001 0007 72646b61666b61 00 0b 6c696272646b61666b61 06 322e302e32 00'));
    expect(request.api).toBeNull();
    const frame = written((w) => encodeUnsupportedVersionResponse(w, request.header));
    const expected = new WireWriter();
    expected.int32(4 + 2 + 4 + 6 * SUPPORTED_API_VERSIONS.length);
    expected.int32(1); // correlation id
    expected.int16(35);
    expected.int32(SUPPORTED_API_VERSIONS.length);
    for (const range of SUPPORTED_API_VERSIONS) {
      expected.int16(range.apiKey);
      expected.int16(range.minVersion);
      expected.int16(range.maxVersion);
    }
    expect(frame).toStrictEqual(expected.toBytes());
    const decoded = decodeResponseFrame(frame.subarray(4), 'ApiVersions', 0);
    expect(decoded.body.errorCode).toBe(35);
    expect(decoded.body.apiKeys).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 2 });
    expect(decoded.body.apiKeys).toHaveLength(15);
  });
});

describe('the unsupported-version answer for a server serving part of the registry', () => {
  it('lists the ranges it is given', () => {
    const header = { apiKey: 18, apiVersion: 9, correlationId: 3, clientId: null };
    const ranges = [{ apiKey: 18, minVersion: 0, maxVersion: 2 }];
    const frame = written((w) => encodeUnsupportedVersionResponse(w, header, ranges));
    expect(decodeResponseFrame(frame.subarray(4), 'ApiVersions', 0).body).toStrictEqual({ errorCode: 35, apiKeys: ranges });
  });
});

describe('malformed frames', () => {
  it('trailing bytes after a body are an error naming the request', () => {
    const frame = hex('0012 0000 00000001 ffff 00');
    expect(() => decodeRequestFrame(frame)).toThrow(WireDecodeError);
    expect(() => decodeRequestFrame(frame)).toThrow(/ApiVersionsRequest v0: end .* 1 unexpected trailing bytes/);
  });

  it('a truncated header or body says what it was reading and where', () => {
    expect(() => decodeRequestFrame(hex('0003 00'))).toThrow(/request header: int16 at byte 2: needs 2 bytes, 1 left/);
    expect(() => decodeRequestFrame(hex('0003 0001 00000001 ffff 0000'))).toThrow(/MetadataRequest v1: int32 at byte 10/);
  });

  it('a response frame with trailing bytes is an error too', () => {
    expect(() => decodeResponseFrame(hex('00000001 0000 0000'), 'Heartbeat', 0)).toThrow(/HeartbeatResponse v0: end/);
  });
});
