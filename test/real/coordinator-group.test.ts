/**
 * The coordinator-mode group consumer over the wire (the real runtime): two members in one group
 * consume every message of a topic exactly once, against kafkasim's gateway and against
 * librdkafka 2.0.2's mock cluster (topics appear on first use with 4 partitions; its first
 * rebalance is delayed about 3 s).
 */
import { describe, expect, it } from 'vitest';
import { createConsumerConnector, type ConsumerConnector } from '../../src/client/group/consumer-connector.ts';
import type { KafkaStream } from '../../src/client/group/stream.ts';
import { Producer, keyedMessage } from '../../src/client/producer/producer.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import { realRuntime } from '../../src/real/index.ts';
import { skipWithout } from '../support/real-clients.ts';
import { gatewayCluster, mockCluster, type TestCluster } from './support/clusters.ts';

const TOPIC = 'real-group';
const COUNT = 40;

async function consumeEverythingOnce(cluster: TestCluster): Promise<void> {
  const runtime = realRuntime({ seed: 7, hostName: 'test-host' });
  const producer = new Producer(runtime, { 'metadata.broker.list': cluster.bootstrap, 'request.required.acks': -1, 'client.id': 'real-group-producer', 'request.timeout.ms': 5_000 });
  try {
    await producer.send(...Array.from({ length: COUNT }, (_, i) => keyedMessage(TOPIC, `k${i}`, `m${i}`)));
  } finally {
    await producer.close();
  }
  const consumed: string[] = [];
  const members: ConsumerConnector[] = ['a', 'b'].map((id) =>
    createConsumerConnector(runtime, {
      'group.id': `real-group-${cluster.name}`,
      'consumer.id': id,
      'group.coordination': 'coordinator',
      'bootstrap.servers': cluster.bootstrap,
      'auto.offset.reset': 'smallest',
      'socket.timeout.ms': 10_000,
      'rebalance.timeout.ms': 10_000,
    }),
  );
  const iterate = async (stream: KafkaStream) => {
    for await (const m of stream) consumed.push(payloadToString(m.value)!);
  };
  try {
    const streams = await Promise.all(members.map((m) => m.createMessageStreams({ [TOPIC]: 1 })));
    const loops = streams.flatMap((s) => s[TOPIC]!.map(iterate));
    const deadline = Date.now() + 20_000;
    while (consumed.length < COUNT && Date.now() < deadline) await runtime.sleep(100);
    // Both members got partitions, and nothing more arrives.
    await runtime.sleep(500);
    expect(members.map((m) => m.owned().length > 0)).toEqual([true, true]);
    await Promise.all(members.map((m) => m.shutdown()));
    await Promise.all(loops);
  } finally {
    await Promise.all(members.map((m) => m.shutdown()));
  }
  expect(consumed.sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `m${i}`).sort());
}

describe('the coordinator-mode group consumer over the wire', () => {
  it('against the kafkasim gateway: two members consume every message once', async () => {
    const cluster = await gatewayCluster([TOPIC]);
    try {
      await consumeEverythingOnce(cluster);
    } finally {
      await cluster.stop();
    }
  }, 60_000);

  it.skipIf(skipWithout('kcat'))("against librdkafka's mock cluster: two members consume every message once", async () => {
    const cluster = await mockCluster();
    try {
      await consumeEverythingOnce(cluster);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
