/**
 * Kafka 0.8.2's low-level Java `SimpleConsumer`: what a fetch returns (messages with offsets,
 * per-partition error codes, the high watermark), fetch sizes smaller than a message, offset
 * lookups, offset commits v0, and its one-reconnect retry.
 */
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../../src/broker/simulation.ts';
import { BrokerConnectionError, ConfigError } from '../../src/client/errors.ts';
import { SimpleConsumer, type SimpleConsumerConfig } from '../../src/client/simple-consumer.ts';
import { EARLIEST_TIME, LATEST_TIME } from '../../src/protocol/api.ts';
import { NotLeaderForPartitionError } from '../../src/protocol/errors.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import { cluster, produce, produceMany, runOn, runtimeOn, startOn, zkOffset } from './consumer-harness.ts';

const TOPIC = 'jiketest';

function consumerFor(sim: Simulation, broker: number, overrides: Partial<SimpleConsumerConfig> = {}): SimpleConsumer {
  const { host, port } = sim.endpointOf(broker);
  return new SimpleConsumer(runtimeOn(sim, 'consumer'), { host, port, soTimeoutMs: 100_000, bufferSize: 64 * 1024, clientId: 'Client_jiketest_0', ...overrides });
}

const run = <T>(sim: Simulation, body: () => Promise<T>) => runOn(sim, 'consumer', 'simple consumer', body);

describe('SimpleConsumer.fetch', () => {
  it('returns the messages from the fetch offset with their offsets, no error, and the high watermark', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 12, 'm', 4);
    const leader = sim.leaderOf(TOPIC, 0)!;
    const consumer = consumerFor(sim, leader);
    const response = await run(sim, () => consumer.fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 5, fetchSize: 100_000 }] }));
    expect(response.hasError).toBe(false);
    expect(response.errorCode(TOPIC, 0)).toBe(0);
    expect(response.highWatermark(TOPIC, 0)).toBe(12);
    const set = response.messageSet(TOPIC, 0);
    // Batches are returned whole from the one containing the fetch offset, except that the read
    // starts at the offset asked for.
    expect([...set].map((m) => [m.offset, m.nextOffset, payloadToString(m.value)])).toEqual(
      Array.from({ length: 7 }, (_, i) => [5 + i, 6 + i, `m${5 + i}`]),
    );
    expect(set.validBytes).toBe(5 * 28 + 2 * 29); // 12 + 14 + "m5".."m9" (2 bytes), "m10", "m11" (3 bytes)
    expect(set.partialMessage).toBe(false);
    expect(() => response.errorCode(TOPIC, 1)).toThrow(ConfigError);
  });

  it('a broker that does not lead the partition answers NotLeaderForPartition (6) with high watermark -1', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 3, 'm');
    const follower = [1, 2, 3].find((b) => b !== sim.leaderOf(TOPIC, 0))!;
    const response = await run(sim, () => consumerFor(sim, follower).fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 0, fetchSize: 1000 }] }));
    expect(response.hasError).toBe(true);
    expect(response.errorCode(TOPIC, 0)).toBe(6);
    expect(response.highWatermark(TOPIC, 0)).toBe(-1);
    expect(response.messageSet(TOPIC, 0).size).toBe(0);
  });

  it('a fetch size smaller than the message returns bytes but no complete message; a trailing partial message is left out', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    await produce(sim, TOPIC, 0, ['x'.repeat(100), 'y'.repeat(100)]); // 126 bytes each
    const consumer = consumerFor(sim, sim.leaderOf(TOPIC, 0)!);
    const fetch = (fetchSize: number) => run(sim, () => consumer.fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 0, fetchSize }] }));

    const tooSmall = (await fetch(100)).messageSet(TOPIC, 0);
    expect(tooSmall).toMatchObject({ size: 0, validBytes: 0, sizeInBytes: 100, partialMessage: true });
    const exact = (await fetch(126)).messageSet(TOPIC, 0);
    expect(exact).toMatchObject({ size: 1, validBytes: 126, sizeInBytes: 126, partialMessage: false });
    const oneAndAPart = (await fetch(200)).messageSet(TOPIC, 0);
    expect(oneAndAPart).toMatchObject({ size: 1, validBytes: 126, sizeInBytes: 200, partialMessage: true });
    expect(oneAndAPart.messages.map((m) => m.offset)).toEqual([0]);
  });

  it('a consumer sees only messages below the high watermark: the latest offset is the HW, and HW < offset < LEO is an Unknown (-1) error', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produce(sim, TOPIC, 0, ['a', 'b']);
    const leader = sim.leaderOf(TOPIC, 0)!;
    const followers = [1, 2, 3].filter((b) => b !== leader).map((b) => `broker-${b}`);
    sim.applyFault({ kind: 'partition', groups: [[`broker-${leader}`], followers] });
    const ack = await produce(sim, TOPIC, 0, ['c', 'd', 'e'], { acks: 1 }); // on the leader only
    expect(ack).toMatchObject({ errorCode: 0, offset: 2 });
    const consumer = consumerFor(sim, leader);
    const fromTwo = await run(sim, () => consumer.fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 2, fetchSize: 1000 }] }));
    expect(fromTwo.errorCode(TOPIC, 0)).toBe(0);
    expect(fromTwo.highWatermark(TOPIC, 0)).toBe(2);
    expect(fromTwo.messageSet(TOPIC, 0).size).toBe(0);
    const fromThree = await run(sim, () => consumer.fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 3, fetchSize: 1000 }] }));
    expect(fromThree.errorCode(TOPIC, 0)).toBe(-1);
    const beyond = await run(sim, () => consumer.fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 6, fetchSize: 1000 }] }));
    expect(beyond.errorCode(TOPIC, 0)).toBe(1); // OffsetOutOfRange: checked against the LEO (5)
    expect(await run(sim, () => consumer.getOffsetsBefore(TOPIC, 0, LATEST_TIME, 1))).toMatchObject({ errorCode: 0, offsets: [2] });
    expect(await run(sim, () => consumer.getOffsetsBefore(TOPIC, 0, EARLIEST_TIME, 1))).toMatchObject({ errorCode: 0, offsets: [0] });
  });

  it('maxWaitMs and minBytes park the fetch until data arrives', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    const consumer = consumerFor(sim, sim.leaderOf(TOPIC, 0)!);
    const started = sim.kernel.nowMs;
    const pending = startOn(sim, 'consumer', 'long poll', () =>
      consumer.fetch({ partitions: [{ topic: TOPIC, partition: 0, offset: 0, fetchSize: 1000 }], maxWaitMs: 5000, minBytes: 1 }),
    );
    await sim.runFor(2000);
    expect(pending.settled).toBe(false);
    await produce(sim, TOPIC, 0, ['late']);
    await sim.runUntil(() => pending.settled);
    expect(pending.settledAtMs! - started).toBeLessThan(2100);
    expect([...pending.result().messageSet(TOPIC, 0)].map((m) => payloadToString(m.value))).toEqual(['late']);
  });
});

describe('SimpleConsumer offsets and commits', () => {
  it('earliestOrLatestOffset throws the typed error of the code; commitOffsets / fetchOffsets (v0) go through ZooKeeper', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 7, 'm');
    const leader = sim.leaderOf(TOPIC, 0)!;
    const follower = [1, 2, 3].find((b) => b !== leader)!;
    expect(await run(sim, () => consumerFor(sim, leader).earliestOrLatestOffset(TOPIC, 0, LATEST_TIME))).toBe(7);
    await expect(run(sim, () => consumerFor(sim, follower).earliestOrLatestOffset(TOPIC, 0, LATEST_TIME))).rejects.toBeInstanceOf(NotLeaderForPartitionError);

    const consumer = consumerFor(sim, follower); // v0 commits work on any broker
    expect(await run(sim, () => consumer.fetchOffsets('g', [{ topic: TOPIC, partition: 0 }]))).toMatchObject({
      partitions: [{ topic: TOPIC, partition: 0, offset: -1, errorCode: 3 }],
    });
    expect(await run(sim, () => consumer.commitOffsets('g', [{ topic: TOPIC, partition: 0, offset: 5 }]))).toMatchObject({
      partitions: [{ topic: TOPIC, partition: 0, errorCode: 0 }],
    });
    expect(zkOffset(sim, 'g', TOPIC, 0)).toBe(5);
    expect(await run(sim, () => consumer.fetchOffsets('g', [{ topic: TOPIC, partition: 0 }]))).toMatchObject({
      partitions: [{ topic: TOPIC, partition: 0, offset: 5, errorCode: 0 }],
    });
  });
});

describe('SimpleConsumer connection handling', () => {
  it('connects lazily, reconnects on the next call after close() or a broken connection, and surfaces a dead broker as BrokerConnectionError', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    const broker = 2;
    const consumer = consumerFor(sim, broker);
    expect(consumer.isConnected).toBe(false);
    const metadata = await run(sim, () => consumer.send([TOPIC]));
    expect(metadata.topics[0]!.partitions).toHaveLength(1);
    expect(consumer.isConnected).toBe(true);
    consumer.close();
    expect(consumer.isConnected).toBe(false);
    expect((await run(sim, () => consumer.send([]))).brokers).toHaveLength(3);

    sim.applyFault({ kind: 'broker-crash', broker });
    await sim.runFor(100); // the RST reaches the consumer: its connection is closed
    const error = await run(sim, () => consumer.send([TOPIC])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect((error as BrokerConnectionError).reason).toBe('refused');
    expect(consumer.isConnected).toBe(false);

    sim.applyFault({ kind: 'broker-restart', broker });
    await sim.runUntil(() => sim.brokerStates[broker]!.status === 'RunningAsBroker', { maxSteps: 20_000_000 });
    // The restarted broker answers at once, from a metadata cache the controller has not filled yet.
    expect((await run(sim, () => consumer.send([]))).brokers).toEqual([]);
    await sim.runUntil(() => sim.brokerStates[broker]!.metadata.aliveBrokers.length === 3, { maxSteps: 20_000_000 });
    expect((await run(sim, () => consumer.send([]))).brokers.map((b) => b.id)).toEqual([1, 2, 3]);
  });

  it('a paused broker costs two socket timeouts: the request, then the one retry after reconnecting', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    const consumer = consumerFor(sim, 1, { soTimeoutMs: 3000 });
    await run(sim, () => consumer.send([]));
    sim.applyFault({ kind: 'pause', node: 'broker-1' });
    const started = sim.kernel.nowMs;
    const pending = startOn(sim, 'consumer', 'metadata', () => consumer.send([]));
    await sim.runUntil(() => pending.settled);
    expect(pending.error).toBeInstanceOf(BrokerConnectionError);
    expect((pending.error as BrokerConnectionError).reason).toBe('request-timeout');
    expect(pending.settledAtMs! - started).toBeGreaterThanOrEqual(6000);
    expect(pending.settledAtMs! - started).toBeLessThan(6100);
  });

  it('rejects a bad configuration with a ConfigError naming the key', () => {
    const runtime = undefined as never; // validation comes first
    const base: SimpleConsumerConfig = { host: 'broker-1', port: 9092, soTimeoutMs: 100_000, bufferSize: 65536, clientId: 'ok' };
    const cases: Array<[Partial<SimpleConsumerConfig>, string]> = [
      [{ clientId: 'Client 0' }, 'clientId'],
      [{ port: 0 }, 'port'],
      [{ soTimeoutMs: 0 }, 'soTimeoutMs'],
      [{ bufferSize: -1 }, 'bufferSize'],
      [{ host: '' }, 'host'],
    ];
    for (const [override, key] of cases) {
      const error = (() => {
        try {
          new SimpleConsumer(runtime, { ...base, ...override });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe(key);
    }
    expect(() => new SimpleConsumer(runtime, { ...base, clientId: 'Client 0' })).toThrow("clientId must be a string of ASCII letters, digits, '.', '_' and '-'");
  });
});
