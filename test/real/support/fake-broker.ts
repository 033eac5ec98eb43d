/**
 * Misbehaving brokers for the bad-input tests, on loopback with an OS-assigned port: one that
 * accepts and never answers, and one that answers ApiVersions as told (ranges of its own, an
 * UNSUPPORTED_VERSION fallback, or a closed connection as a pre-0.10 broker gives) and then
 * answers nothing else, or Metadata with one broker.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ApiVersionRange } from '../../../src/protocol/wire/apis/api-versions.ts';
import { UNSUPPORTED_VERSION, decodeRequestFrame, encodeResponseFrame, encodeUnsupportedVersionResponse } from '../../../src/protocol/wire/codec.ts';
import { FrameReader } from '../../../src/protocol/wire/frame.ts';
import { WireWriter } from '../../../src/protocol/wire/primitives.ts';
import { SUPPORTED_API_VERSIONS } from '../../../src/protocol/wire/registry.ts';

export interface FakeBroker {
  readonly host: string;
  readonly port: number;
  /** `apiKey/apiVersion` of every request received, in order. */
  readonly received: string[];
  stop(): Promise<void>;
}

export interface FakeBrokerBehaviour {
  /**
   * 'silent': never answer anything; 'close': close the connection on ApiVersions (Kafka before
   * 0.10); otherwise the ranges to answer ApiVersions with.
   */
  readonly apiVersions: 'silent' | 'close' | readonly ApiVersionRange[];
  /** Highest ApiVersions version answered normally (above: the v0 UNSUPPORTED_VERSION fallback). Default 2. */
  readonly apiVersionsMax?: number;
  /** Answer Metadata (with this one broker and no topics); otherwise stay silent after ApiVersions. */
  readonly answerMetadata?: boolean;
}

export async function startFakeBroker(behaviour: FakeBrokerBehaviour): Promise<FakeBroker> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const frames = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      for (let frame = frames.next(); frame !== null; frame = frames.next()) {
        const request = decodeRequestFrame(frame);
        received.push(`${request.header.apiKey}/${request.header.apiVersion}`);
        if (behaviour.apiVersions === 'silent') continue;
        const writer = new WireWriter(256);
        if (request.header.apiKey === 18) {
          if (behaviour.apiVersions === 'close') {
            socket.destroy();
            return;
          }
          if (request.header.apiVersion > (behaviour.apiVersionsMax ?? 2) || request.api === null) {
            encodeUnsupportedVersionResponse(writer, request.header, behaviour.apiVersions);
          } else {
            encodeResponseFrame(writer, 'ApiVersions', request.header, { errorCode: 0, apiKeys: behaviour.apiVersions, throttleTimeMs: 0 });
          }
        } else if (request.api === 'Metadata' && behaviour.answerMetadata) {
          const { port } = server.address() as { port: number };
          encodeResponseFrame(writer, 'Metadata', request.header, { brokers: [{ nodeId: 1, host: '127.0.0.1', port }], controllerId: 1, topics: [] });
        } else continue;
        socket.write(writer.finish());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: '127.0.0.1',
    port,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The codec's ranges with `apiKey`'s replaced (or removed when `range` is null). */
export function rangesWith(apiKey: number, range: { min: number; max: number } | null): ApiVersionRange[] {
  return SUPPORTED_API_VERSIONS.flatMap((r) => (r.apiKey !== apiKey ? [r] : range === null ? [] : [{ apiKey, minVersion: range.min, maxVersion: range.max }]));
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export { UNSUPPORTED_VERSION };
