/**
 * What the gateway does with requests a broker must refuse, as Kafka's `SocketServer` does: a
 * frame that does not decode or whose size is out of bounds closes that connection and no other;
 * an API key or version outside the table is answered UNSUPPORTED_VERSION (35) and the connection
 * stays usable.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayOptions } from '../../../src/gateway/index.ts';
import { decodeResponseFrame, WIRE_APIS } from '../../../src/protocol/wire/index.ts';
import { gatewayPerTest } from '../support/gateway-per-test.ts';
import { apiVersionsAnswered, rawRequestFrame, requestFrame } from './raw-connection.ts';

const { start, open } = gatewayPerTest();

async function serve(options: GatewayOptions = {}): Promise<number> {
  const gateway = await start({ brokers: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }], ...options });
  return gateway.listeners[0]!.port;
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
};

describe('frames the gateway refuses', () => {
  it('a request whose body does not decode closes that connection only', async () => {
    const port = await serve();
    const [bad, good] = [await open(port), await open(port)];
    expect(await apiVersionsAnswered(bad, 1)).toBe(true);
    expect(await apiVersionsAnswered(good, 1)).toBe(true);
    // Metadata v1 whose topic array claims 1,000 entries and holds none.
    bad.write(rawRequestFrame(3, 1, 2, int32(1000)));
    expect(await bad.closesWithin(30_000)).toBe(true);
    expect(bad.frames).toHaveLength(1); // no answer to the bad request
    expect(await apiVersionsAnswered(good, 2)).toBe(true);
    expect(await apiVersionsAnswered(await open(port), 1)).toBe(true);
  });

  it('a frame with trailing bytes after a valid body closes that connection', async () => {
    const port = await serve();
    const bad = await open(port);
    const frame = Buffer.from(requestFrame('Metadata', 0, 7, { topics: ['t'] }));
    const padded = Buffer.concat([frame, Buffer.from([1, 2, 3])]);
    padded.writeInt32BE(padded.length - 4, 0);
    bad.write(padded);
    expect(await bad.closesWithin(30_000)).toBe(true);
    expect(bad.frames).toHaveLength(0);
  });

  it('a size prefix above maxFrameBytes closes the connection at once, before the body arrives', async () => {
    const port = await serve({ maxFrameBytes: 1024 * 1024 });
    const [big, good] = [await open(port), await open(port)];
    big.write(int32(100_000_000)); // 100 MB announced; only the prefix is sent
    expect(await big.closesWithin(30_000)).toBe(true);
    expect(await apiVersionsAnswered(good, 1)).toBe(true);
  });

  it('with the default limit (100 MiB, Kafka socket.request.max.bytes) a larger or negative size closes the connection', async () => {
    const port = await serve();
    const huge = await open(port);
    huge.write(int32(100 * 1024 * 1024 + 1));
    expect(await huge.closesWithin(30_000)).toBe(true);
    const negative = await open(port);
    negative.write(int32(-1));
    expect(await negative.closesWithin(30_000)).toBe(true);
    expect(await apiVersionsAnswered(await open(port), 1)).toBe(true);
  });

  it('an ApiVersions version above the table is answered with a v0 body: UNSUPPORTED_VERSION (35) and the supported ranges', async () => {
    const port = await serve();
    const connection = await open(port);
    connection.write(rawRequestFrame(18, 3, 41)); // librdkafka asks v3 first
    const { correlationId, body } = decodeResponseFrame(await connection.frame(0), 'ApiVersions', 0);
    expect(correlationId).toBe(41);
    expect(body.errorCode).toBe(35);
    const metadata = body.apiKeys.find((api) => api.apiKey === WIRE_APIS.Metadata.key);
    expect(metadata).toEqual({ apiKey: 3, minVersion: WIRE_APIS.Metadata.minVersion, maxVersion: WIRE_APIS.Metadata.maxVersion });
    expect(await apiVersionsAnswered(connection, 42)).toBe(true); // the connection stays usable
  });

  it.each([
    ['an unknown API key', 9999, 0],
    ['a Metadata version above the table', WIRE_APIS.Metadata.key, WIRE_APIS.Metadata.maxVersion + 1],
    ['a Produce version above the table', WIRE_APIS.Produce.key, WIRE_APIS.Produce.maxVersion + 1],
    ['a negative version', WIRE_APIS.Fetch.key, -1],
  ])('%s gets UNSUPPORTED_VERSION (35) and the connection stays usable', async (_, apiKey, version) => {
    const port = await serve();
    const connection = await open(port);
    connection.write(rawRequestFrame(apiKey, version, 77, Buffer.from('whatever the body is')));
    const frame = await connection.frame(0);
    expect(Buffer.from(frame).readInt32BE(0)).toBe(77); // the correlation id
    expect(Buffer.from(frame).readInt16BE(4)).toBe(35); // the body's error code
    expect(await apiVersionsAnswered(connection, 78)).toBe(true);
  });

  it('responses on one connection come back in request order, each with its correlation id', async () => {
    const port = await serve();
    const connection = await open(port);
    // Metadata goes through the simulated broker; ApiVersions is answered by the gateway itself.
    connection.write(Buffer.concat([
      requestFrame('Metadata', 0, 1, { topics: ['t'] }),
      requestFrame('ApiVersions', 0, 2, {}),
      requestFrame('Metadata', 1, 3, { topics: null }),
      rawRequestFrame(9999, 0, 4),
    ]));
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(Buffer.from(await connection.frame(i)).readInt32BE(0));
    expect(ids).toEqual([1, 2, 3, 4]);
  });
});
