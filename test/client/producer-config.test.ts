/**
 * `ProducerConfig` (0.8.2, reference §5.1): Kafka's defaults, values as a Java `Properties`
 * holds them, and every mistake refused when the producer is constructed, with a ConfigError
 * naming the key and what is allowed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../../src/broker/simulation.ts';
import { ConfigError } from '../../src/client/errors.ts';
import { PRODUCER_DEFAULTS, resolveProducerConfig, type ProducerConfigInput } from '../../src/client/producer/config.ts';
import { Producer } from '../../src/client/producer/producer.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import { thrownBy } from '../sim/support.ts';

const LIST = 'broker-1:9092,broker-2:9092';

function configError(input: Record<string, unknown>): ConfigError {
  const error = thrownBy(() => resolveProducerConfig(input as ProducerConfigInput));
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('defaults and accepted values', () => {
  it("Kafka 0.8.2's defaults: acks 0, sync, 3 retries, 100 ms backoff, 10 min metadata refresh, async queue 10000 / batch 200 / 5 s / block", () => {
    expect(resolveProducerConfig({ 'metadata.broker.list': LIST })).toEqual({
      'metadata.broker.list': LIST,
      'request.required.acks': 0,
      'request.timeout.ms': 10_000,
      'producer.type': 'sync',
      'partitioner.class': 'kafka.producer.DefaultPartitioner',
      'compression.codec': 'none',
      'message.send.max.retries': 3,
      'retry.backoff.ms': 100,
      'topic.metadata.refresh.interval.ms': 600_000,
      'queue.buffering.max.ms': 5000,
      'queue.buffering.max.messages': 10_000,
      'queue.enqueue.timeout.ms': -1,
      'batch.num.messages': 200,
      'send.buffer.bytes': 102_400,
      'client.id': '',
    });
    expect(Object.keys(PRODUCER_DEFAULTS)).toHaveLength(14);
  });

  it('accepts the strings a Java Properties file holds', () => {
    const config = resolveProducerConfig({
      'metadata.broker.list': LIST,
      'request.required.acks': '-1',
      'producer.type': 'async',
      'message.send.max.retries': '0',
      'queue.enqueue.timeout.ms': '-1',
      'batch.num.messages': '50',
      'client.id': 'my-app_1.0',
    });
    expect(config).toMatchObject({ 'request.required.acks': -1, 'producer.type': 'async', 'message.send.max.retries': 0, 'batch.num.messages': 50, 'client.id': 'my-app_1.0' });
  });

  it('batch.num.messages may equal queue.buffering.max.messages; a negative refresh interval means "only after failures"', () => {
    expect(resolveProducerConfig({ 'metadata.broker.list': LIST, 'batch.num.messages': 10, 'queue.buffering.max.messages': 10 })['batch.num.messages']).toBe(10);
    expect(resolveProducerConfig({ 'metadata.broker.list': LIST, 'topic.metadata.refresh.interval.ms': -1 })['topic.metadata.refresh.interval.ms']).toBe(-1);
  });

  it('the resolved config is frozen', () => {
    expect(Object.isFrozen(resolveProducerConfig({ 'metadata.broker.list': LIST }))).toBe(true);
  });
});

describe('bad input: ConfigError naming the key and the allowed values', () => {
  it('an unknown producer.type (ProducerConfig.validateProducerType: sync or async)', () => {
    const error = configError({ 'metadata.broker.list': LIST, 'producer.type': 'fast' });
    expect(error.key).toBe('producer.type');
    expect(error.message).toBe('producer.type must be one of "sync", "async", got "fast"');
  });

  it('request.required.acks outside {-1, 0, 1} (0.8.2 getShortInRange)', () => {
    for (const acks of [2, -2, '3', 1.5]) {
      const error = configError({ 'metadata.broker.list': LIST, 'request.required.acks': acks });
      expect(error.key).toBe('request.required.acks');
      expect(error.allowed).toBe(Number.isInteger(Number(acks)) ? 'one of -1, 0, 1' : 'an integer');
    }
    expect(configError({ 'metadata.broker.list': LIST, 'request.required.acks': 2 }).message).toBe('request.required.acks must be one of -1, 0, 1, got 2');
  });

  it('batch.num.messages above queue.buffering.max.messages (ProducerConfig.validateBatchSize)', () => {
    const error = configError({ 'metadata.broker.list': LIST, 'batch.num.messages': 11, 'queue.buffering.max.messages': 10 });
    expect(error.key).toBe('batch.num.messages');
    expect(error.value).toBe(11);
    expect(error.message).toBe(
      `batch.num.messages must be at most queue.buffering.max.messages (10): "Batch size = 11 can't be larger than queue size = 10", got 11`,
    );
    // The default batch (200) against a small queue.
    expect(configError({ 'metadata.broker.list': LIST, 'queue.buffering.max.messages': 100 }).key).toBe('batch.num.messages');
  });

  it('an unknown key, listing the known ones', () => {
    const error = configError({ 'metadata.broker.list': LIST, 'retries': 3 });
    expect(error.key).toBe('retries');
    expect(error.allowed).toBe(
      'a known producer property (one of metadata.broker.list, request.required.acks, request.timeout.ms, producer.type, partitioner.class, compression.codec, message.send.max.retries, retry.backoff.ms, topic.metadata.refresh.interval.ms, queue.buffering.max.ms, queue.buffering.max.messages, queue.enqueue.timeout.ms, batch.num.messages, send.buffer.bytes, client.id)',
    );
    // A consumer key in a producer config is unknown too.
    expect(configError({ 'metadata.broker.list': LIST, 'group.id': 'g' }).key).toBe('group.id');
  });

  it('a missing or malformed metadata.broker.list', () => {
    const cases: Array<[unknown, string, string]> = [
      [undefined, 'a comma-separated list of host:port', 'undefined'],
      ['', 'a comma-separated list of host:port', '""'],
      ['broker-1', 'host:port (a port from 1 to 65535)', '"broker-1"'],
      ['broker-1:0', 'host:port (a port from 1 to 65535)', '"broker-1:0"'],
      ['broker-1:65536', 'host:port (a port from 1 to 65535)', '"broker-1:65536"'],
      ['broker-1:port', 'host:port (a port from 1 to 65535)', '"broker-1:port"'],
      [':9092', 'host:port (a port from 1 to 65535)', '":9092"'],
      ['broker-1:9092,,broker-2:9092', 'host:port (a port from 1 to 65535)', '""'],
    ];
    for (const [value, allowed, shown] of cases) {
      const error = configError(value === undefined ? {} : { 'metadata.broker.list': value });
      expect(error.key).toBe('metadata.broker.list');
      expect(error.allowed).toBe(allowed);
      expect(error.message).toBe(`metadata.broker.list must be ${allowed}, got ${shown}`);
    }
  });

  it('out-of-range and non-integer numbers', () => {
    const cases: Array<[string, unknown, string]> = [
      ['request.timeout.ms', 0, 'an integer from 1 to 2147483647'],
      ['request.timeout.ms', 'ten', 'an integer'],
      ['message.send.max.retries', -1, 'an integer from 0 to 2147483647'],
      ['retry.backoff.ms', 2.5, 'an integer'],
      ['queue.enqueue.timeout.ms', -2, 'an integer from -1 to 2147483647'],
      ['queue.buffering.max.messages', 0, 'an integer from 1 to 2147483647'],
      ['batch.num.messages', 0, 'an integer from 1 to 2147483647'],
      ['send.buffer.bytes', '', 'an integer'],
    ];
    for (const [key, value, allowed] of cases) {
      const error = configError({ 'metadata.broker.list': LIST, [key]: value });
      expect([error.key, error.allowed]).toEqual([key, allowed]);
    }
  });

  it('compression (not modelled), an unknown partitioner class, an illegal client.id', () => {
    expect(configError({ 'metadata.broker.list': LIST, 'compression.codec': 'gzip' }).message).toBe('compression.codec must be one of "none", got "gzip"');
    const partitioner = configError({ 'metadata.broker.list': LIST, 'partitioner.class': 'com.example.Mine' });
    expect(partitioner.key).toBe('partitioner.class');
    expect(partitioner.allowed).toContain('kafka.producer.DefaultPartitioner');
    // ProducerConfig.validateClientId: ASCII alphanumerics, '.', '_' and '-'.
    const client = configError({ 'metadata.broker.list': LIST, 'client.id': 'my app' });
    expect(client.message).toBe(`client.id must be a string of ASCII alphanumerics, '.', '_' and '-', got "my app"`);
  });

  it('not an object at all', () => {
    expect(configError(null as unknown as Record<string, unknown>).key).toBe('producer config');
  });
});

describe('the Producer constructor refuses bad config before doing anything', () => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await createSimulation({ seed: 1, brokers: 1 });
  });

  it('throws the ConfigError synchronously: no send thread, no connection', () => {
    const runtime = simRuntime(sim, 'producer');
    const tasksBefore = sim.kernel.liveTasks().length;
    const error = thrownBy(() => new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, 'producer.type': 'async', 'batch.num.messages': 20_000 }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('batch.num.messages');
    expect(sim.kernel.liveTasks().length).toBe(tasksBefore);
  });

  it('a valid async producer starts its send thread', () => {
    const tasksBefore = sim.kernel.liveTasks().length;
    const producer = new Producer(simRuntime(sim, 'producer'), { 'metadata.broker.list': sim.bootstrapServers, 'producer.type': 'async' });
    expect(producer.config['producer.type']).toBe('async');
    expect(sim.kernel.liveTasks().map((t) => t.name).slice(tasksBefore)).toEqual(['producer/ProducerSendThread-']);
  });
});
