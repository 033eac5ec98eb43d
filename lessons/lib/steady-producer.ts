/**
 * The article's SyncProduce as a steady loop: message i is `${prefix}${i}`, keyed by the IP
 * "192.168.2.<i>" so that its SimplePartitioner sends it to partition i % partitions, one every
 * `intervalMs` until `producing()` turns false; resolves with the producer's ledger.
 */
import type { ProducerLedger } from '../../src/client/producer/ledger.ts';
import { Producer, keyedMessage } from '../../src/client/producer/producer.ts';
import type { Runtime } from '../../src/client/runtime.ts';

export interface SteadyProducerOptions {
  readonly bootstrapServers: string;
  readonly topic: string;
  readonly acks: '1' | -1;
  readonly prefix: string;
  readonly intervalMs: number;
}

export async function produceSteadily(runtime: Runtime, options: SteadyProducerOptions, producing: () => boolean): Promise<ProducerLedger> {
  const producer = new Producer(runtime, {
    'metadata.broker.list': options.bootstrapServers,
    'partitioner.class': 'kafka.producer.partiton.SimplePartitioner',
    'request.required.acks': options.acks,
  });
  for (let i = 0; producing(); i++) {
    await producer.send(keyedMessage(options.topic, `192.168.2.${i}`, `${options.prefix}${i}`));
    await runtime.sleep(options.intervalMs);
  }
  await producer.close();
  return producer.ledger;
}
