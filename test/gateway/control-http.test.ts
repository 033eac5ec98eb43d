/**
 * The loopback HTTP control endpoint: GET /state answers the cluster, POST /fault applies a fault
 * given as JSON and POST /command a control line (both answered once applied), and what does not
 * parse or validate gets 400 with the reason, the gateway serving on.
 */
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { gatewayPerTest } from './support/gateway-per-test.ts';
import { accepts } from './support/kcat-runner.ts';

const { start } = gatewayPerTest();

async function call(gateway: Gateway, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const { host, port } = gateway.controlAddress!;
  const response = await fetch(`http://${host}:${port}${path}`, { method, ...(body === undefined ? {} : { body }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the HTTP control endpoint', () => {
  it('answers the state and applies faults given as JSON or as control lines', async () => {
    const gateway = await start({ brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }], controlPort: 0 });
    const state = await call(gateway, 'GET', '/state');
    expect(state.status).toBe(200);
    expect((state.json.state as { brokers: unknown[] }).brokers).toHaveLength(3);

    const port2 = gateway.listeners.find((l) => l.broker === 2)!.port;
    const crashed = await call(gateway, 'POST', '/fault', JSON.stringify({ kind: 'broker-crash', broker: 2 }));
    expect(crashed).toEqual({ status: 200, json: { ok: true, applied: { kind: 'broker-crash', broker: 2 } } });
    expect(await accepts(port2)).toBe(false);
    expect(gateway.state().brokers.find((b) => b.id === 2)).toMatchObject({ status: 'NotRunning', listening: false });

    const isolated = await call(gateway, 'POST', '/command', 'isolate 3');
    expect(isolated.json).toEqual({ ok: true, applied: { kind: 'isolate', node: 'broker-3' } });
  });

  it('answers 400 with the reason for a fault or line that does not parse or validate, and 404 elsewhere', async () => {
    const gateway = await start({ brokers: 1, controlPort: 0 });
    expect(await call(gateway, 'POST', '/fault', '{not json')).toMatchObject({ status: 400, json: { ok: false } });
    const unknown = await call(gateway, 'POST', '/fault', JSON.stringify({ kind: 'meteor' }));
    expect(unknown.status).toBe(400);
    expect(String(unknown.json.error)).toMatch(/meteor/);
    const noBroker = await call(gateway, 'POST', '/command', 'crash 9');
    expect(noBroker.status).toBe(400);
    expect(String(noBroker.json.error)).toMatch(/9/);
    expect((await call(gateway, 'GET', '/nowhere')).status).toBe(404);
    expect((await call(gateway, 'GET', '/state')).status).toBe(200);
  });
});
