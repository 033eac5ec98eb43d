/**
 * `startGateway` itself: listeners on consecutive ports from a base port, a schedule of faults
 * at virtual times after serving starts, virtual time that never runs ahead of the wall clock ×
 * speed, faults checked before they are queued, options checked with typed errors, and a stop that
 * closes every port.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway/index.ts';
import { InvalidArgumentError, KafkasimError } from '../../src/sim/errors.ts';
import { gatewayPerTest } from './support/gateway-per-test.ts';
import { eventually } from './support/eventually.ts';
import { accepts } from './support/kcat-runner.ts';

const { start } = gatewayPerTest();

/** A base port with `count` free ports after it (asked of the OS, then released). */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    });
    if (base + count > 65535) continue;
    const free = await Promise.all(Array.from({ length: count }, (_, i) => accepts(base + i).then((taken) => !taken)));
    if (free.every(Boolean)) return base;
  }
}

describe('startGateway', () => {
  it('listens on basePort + i - 1 for broker i and advertises exactly those', async () => {
    const base = await freePorts(3);
    const gateway = await start({ brokers: 3, basePort: base });
    expect(gateway.listeners).toEqual([1, 2, 3].map((broker, i) => ({ broker, host: '127.0.0.1', port: base + i })));
    expect(gateway.bootstrapServers).toBe(`127.0.0.1:${base},127.0.0.1:${base + 1},127.0.0.1:${base + 2}`);
    for (const { port } of gateway.listeners) expect(await accepts(port)).toBe(true);
  });

  it('applies a scheduled fault at its virtual time after serving starts', async () => {
    const gateway = await start({ brokers: 2, speed: 20, schedule: [{ atMs: 200, fault: { kind: 'broker-crash', broker: 2 } }] });
    const servedAt = gateway.simulation.kernel.nowMs;
    const port = gateway.listeners[1]!.port;
    await eventually('broker 2 to crash on schedule', () => gateway.state().brokers[1]!.status === 'NotRunning');
    expect(gateway.simulation.kernel.nowMs).toBeGreaterThanOrEqual(servedAt + 200);
    await eventually("broker 2's port to refuse", async () => !(await accepts(port)));
    expect(await accepts(gateway.listeners[0]!.port)).toBe(true);
  });

  it('never runs virtual time ahead of the wall clock times the speed', async () => {
    const gateway = await start({ brokers: 1, speed: 5 });
    const kernel = gateway.simulation.kernel;
    const virtualStart = kernel.nowMs;
    const wallStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const virtual = kernel.nowMs - virtualStart;
    const wall = performance.now() - wallStart;
    expect(virtual).toBeGreaterThan(0);
    expect(virtual).toBeLessThanOrEqual(Math.ceil(wall * 5) + 1);
  });

  it('checks a fault before queueing it, and refuses faults once stopped', async () => {
    const gateway = await start({ brokers: 1 });
    expect(() => gateway.applyFault({ kind: 'broker-crash', broker: 4 })).toThrow(KafkasimError);
    expect(() => gateway.applyFault({ kind: 'meteor' })).toThrow(/meteor/);
    const port = gateway.listeners[0]!.port;
    await gateway.stop();
    expect(await accepts(port)).toBe(false);
    await expect(gateway.applyFault({ kind: 'heal' })).rejects.toThrow(/a running gateway/);
    await gateway.stop();
  });

  it.each([
    [{ host: '0.0.0.0' as '127.0.0.1' }, /gateway host.*127\.0\.0\.1/],
    [{ basePort: 70000 }, /gateway basePort/],
    [{ speed: 0 }, /gateway speed/],
    [{ maxFrameBytes: -1 }, /gateway maxFrameBytes/],
    [{ brokers: 0 }, /brokers/],
    [{ record: true as const, trace: 'off' as const }, /gateway trace.*when recording/],
  ])('rejects %j with a typed error naming the option', async (options, message) => {
    await expect(startGateway(options)).rejects.toThrow(message);
    await expect(startGateway(options)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('reports ports that are taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      await expect(startGateway({ brokers: 1, basePort: port })).rejects.toThrow(/ports free on 127\.0\.0\.1/);
    } finally {
      blocker.close();
    }
  });
});
