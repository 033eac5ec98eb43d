/**
 * A real client is a node of the simulation (`wire-<n>`, listed by `state()`), with a simulated
 * connection to the broker it reached, so the simulator's network faults reach it as they reach
 * simulated clients: isolated, its requests to the broker go unanswered; healed, the simulated
 * TCP retransmits and the answer arrives, in request order with the gateway's own answers.
 */
import { describe, expect, it } from 'vitest';
import { decodeResponseFrame } from '../../src/protocol/wire/index.ts';
import { requestFrame } from './robustness/raw-connection.ts';
import { eventually } from './support/eventually.ts';
import { gatewayPerTest } from './support/gateway-per-test.ts';

const { start, open } = gatewayPerTest();

describe('network faults on real clients', () => {
  it('holds an isolated client\'s requests until the network heals, answering in order', async () => {
    const gateway = await start({ brokers: 2, topics: [{ name: 't', partitions: 1, replicationFactor: 2 }] });
    const listener = gateway.listeners[0]!;
    const client = await open(listener.port);
    await eventually('the connection to show in the state', () => gateway.state().connections.length === 1);
    const [connection] = gateway.state().connections;
    expect(connection).toEqual({ conn: 1, node: 'wire-1', broker: listener.broker });

    await gateway.applyFault({ kind: 'isolate', node: 'wire-1' });
    client.write(requestFrame('Metadata', 1, 1, { topics: ['t'] }));
    client.write(requestFrame('ApiVersions', 0, 2, {}));
    // The broker never gets the Metadata request; ApiVersions (the gateway's) waits behind it.
    await expect(client.frame(0, 500)).rejects.toThrow(/no response frame #0/);

    await gateway.applyFault({ kind: 'heal' });
    const metadata = decodeResponseFrame(await client.frame(0), 'Metadata', 1);
    expect(metadata.correlationId).toBe(1);
    expect(metadata.body.topics.map((t) => t.name)).toEqual(['t']);
    expect(decodeResponseFrame(await client.frame(1), 'ApiVersions', 0).correlationId).toBe(2);
  });
});
