/**
 * A real client that sends a request and closes its connection at once (an acks=0 produce, then
 * close()) has its request handled: TCP delivers what was written before the FIN. The gateway
 * used to drop such requests when the close came while the simulated connection to the broker
 * was still being made (the client's TCP connect and ApiVersions are answered by the gateway
 * itself, so a client can send before the simulated connection exists).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/kafka-client.ts';
import { Producer, keyedMessage } from '../../src/client/producer/producer.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import { startGateway, type Gateway } from '../../src/gateway/index.ts';
import { realRuntime } from '../../src/real/index.ts';

describe('the gateway: a request, then the client closes at once', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway({ brokers: 1, topics: [{ name: 'blind', partitions: 1, replicationFactor: 1 }] });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('every message sent just before close() reaches the broker', { timeout: 30_000 }, async () => {
    const runtime = realRuntime({ seed: 1 });
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      const producer = new Producer(runtime, { 'metadata.broker.list': gateway.bootstrapServers, 'request.required.acks': 0 });
      await producer.send(keyedMessage('blind', null, `v${i}`));
      await producer.close();
    }
    const client = await KafkaClient.create(runtime, gateway.bootstrapServers);
    try {
      let values: string[] = [];
      for (let attempt = 0; attempt < 20 && values.length < rounds; attempt++) {
        await runtime.sleep(50);
        const [answer] = await client.sendFetchRequest([{ topic: 'blind', partition: 0, offset: 0, maxBytes: 1 << 20 }], { maxWaitTime: 0, minBytes: 0 });
        values = answer instanceof Error || answer === undefined ? [] : answer.batches.flatMap((b) => b.messages.map((m) => payloadToString(m.value) ?? ''));
      }
      expect(values).toEqual(Array.from({ length: rounds }, (_, i) => `v${i}`));
    } finally {
      client.close();
    }
  });
});
