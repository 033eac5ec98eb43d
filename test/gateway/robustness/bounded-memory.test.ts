/**
 * Memory per connection is bounded: a client that pipelines requests and never reads the answers
 * is pushed back through TCP (the gateway stops reading it once `maxBacklogBytes` of requests or
 * responses are pending) instead of having everything it sends buffered; a size prefix above
 * `maxFrameBytes` closes the connection before any of the body is kept. Other connections are
 * served meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { gatewayPerTest } from '../support/gateway-per-test.ts';
import { apiVersionsAnswered, requestFrame } from './raw-connection.ts';

const { start, open } = gatewayPerTest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `bytes` worth of back-to-back copies of `frame`. */
function pipelined(frame: Uint8Array, bytes: number): Buffer {
  const count = Math.ceil(bytes / frame.length);
  const out = Buffer.alloc(count * frame.length);
  for (let i = 0; i < count; i++) out.set(frame, i * frame.length);
  return out;
}

const MiB = 1024 * 1024;

describe('bounded memory per connection', () => {
  it.each([
    ['ApiVersions (answered by the gateway)', requestFrame('ApiVersions', 0, 1, {})],
    ['Metadata (answered by the simulated broker)', requestFrame('Metadata', 0, 1, { topics: ['t'] })],
  ])('a client that pipelines 64 MiB of %s requests without reading is pushed back, not buffered', async (_, frame) => {
    const gateway = await start({ brokers: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }], maxBacklogBytes: 1 * MiB });
    const port = gateway.listeners[0]!.port;
    const greedy = await open(port);
    greedy.socket.pause(); // never reads a response
    const requests = pipelined(frame, 64 * MiB);
    // In 64 KiB writes: Node counts a write as pending until all of it is in the kernel.
    for (let at = 0; at < requests.length; at += 64 * 1024) greedy.write(requests.subarray(at, at + 64 * 1024));
    // Let the gateway take what it will; loopback socket buffers hold a few MiB on each side.
    let previous = -1;
    for (let i = 0; i < 100 && greedy.socket.writableLength !== previous; i++) {
      previous = greedy.socket.writableLength;
      await sleep(200);
    }
    const accepted = requests.length - greedy.socket.writableLength;
    expect(greedy.open).toBe(true);
    expect(accepted, `the gateway accepted ${(accepted / MiB).toFixed(1)} MiB of 64`).toBeLessThan(24 * MiB);
    expect(accepted).toBeGreaterThan(0);
    // Meanwhile another connection is served.
    expect(await apiVersionsAnswered(await open(port), 1)).toBe(true);
  });

  it('once the client reads its responses the gateway reads on, and every request is answered in order', async () => {
    const gateway = await start({ brokers: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }], maxBacklogBytes: 64 * 1024 });
    const connection = await open(gateway.listeners[0]!.port);
    connection.socket.pause();
    const COUNT = 20_000;
    const frames = Buffer.concat(Array.from({ length: COUNT }, (_, i) => requestFrame('ApiVersions', 0, i, {})));
    connection.write(frames);
    await sleep(500);
    expect(connection.frames.length).toBe(0);
    connection.socket.resume();
    const last = await connection.frame(COUNT - 1, 60_000);
    expect(Buffer.from(last).readInt32BE(0)).toBe(COUNT - 1);
    expect(connection.frames.every((f, i) => Buffer.from(f).readInt32BE(0) === i)).toBe(true);
  });

  it('a 100 MB size prefix above maxFrameBytes is refused while the body trickles in: the connection closes, nothing is kept', async () => {
    const gateway = await start({ brokers: 1, maxFrameBytes: 8 * MiB });
    const port = gateway.listeners[0]!.port;
    const trickler = await open(port);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(100_000_000);
    trickler.write(prefix);
    let sent = 0;
    while (trickler.open && sent < 200) {
      trickler.write(Buffer.alloc(1024, 1));
      sent++;
      await sleep(5);
    }
    expect(await trickler.closesWithin(30_000)).toBe(true);
    expect(await apiVersionsAnswered(await open(port), 1)).toBe(true);
  });
});
