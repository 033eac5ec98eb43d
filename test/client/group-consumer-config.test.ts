/**
 * `ConsumerConfig` (0.8.2, reference §4.9) and the arguments of `createMessageStreams`: Kafka's
 * defaults, and bad input refused with a ConfigError naming the key and what is allowed — at
 * construction (`ConsumerConfig.validate`) or when the streams are asked for.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../src/broker/simulation.ts';
import { ClosedError, ConfigError } from '../../src/client/errors.ts';
import { resolveConsumerConfig, type ConsumerConfigInput } from '../../src/client/group/config.ts';
import { ZookeeperConsumerConnector } from '../../src/client/group/connector.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import { thrownBy } from '../sim/support.ts';
import { runOn, zkChildren } from './client-harness.ts';

const BASE = { 'group.id': 'g', 'zookeeper.connect': 'zookeeper:2181' } as const;

function configError(input: Record<string, unknown>): ConfigError {
  const error = thrownBy(() => resolveConsumerConfig(input as ConsumerConfigInput));
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('defaults and accepted values', () => {
  it("Kafka 0.8.2's defaults (ConsumerConfig, ZKConfig)", () => {
    expect(resolveConsumerConfig(BASE)).toEqual({
      'group.id': 'g',
      'zookeeper.connect': 'zookeeper:2181',
      'consumer.id': null,
      'socket.timeout.ms': 30_000,
      'socket.receive.buffer.bytes': 65_536,
      'fetch.message.max.bytes': 1_048_576,
      'num.consumer.fetchers': 1,
      'auto.commit.enable': true,
      'auto.commit.interval.ms': 60_000,
      'queued.max.message.chunks': 2,
      'rebalance.max.retries': 4,
      'fetch.min.bytes': 1,
      'fetch.wait.max.ms': 100,
      'rebalance.backoff.ms': 2000,
      'refresh.leader.backoff.ms': 200,
      'auto.offset.reset': 'largest',
      'consumer.timeout.ms': -1,
      'client.id': 'g',
      'zookeeper.session.timeout.ms': 6000,
      'zookeeper.connection.timeout.ms': 6000,
      'zookeeper.sync.time.ms': 2000,
      'offsets.storage': 'zookeeper',
      'exclude.internal.topics': true,
      'partition.assignment.strategy': 'range',
      // kafkasim's mode key and the coordinator mode's keys (Kafka 0.9+ consumer defaults).
      'group.coordination': 'zookeeper',
      'bootstrap.servers': null,
      'session.timeout.ms': 10_000,
      'heartbeat.interval.ms': 3000,
      'rebalance.timeout.ms': 60_000,
    });
  });

  it('derived defaults follow their sources: rebalance.backoff.ms = zookeeper.sync.time.ms, connection timeout = session timeout, client.id = group.id', () => {
    const config = resolveConsumerConfig({ ...BASE, 'group.id': 'orders', 'zookeeper.sync.time.ms': 500, 'zookeeper.session.timeout.ms': 10_000 });
    expect(config).toMatchObject({ 'rebalance.backoff.ms': 500, 'zookeeper.connection.timeout.ms': 10_000, 'client.id': 'orders' });
  });

  it('accepts Properties-style strings', () => {
    const config = resolveConsumerConfig({
      ...BASE,
      'auto.commit.enable': 'false',
      'auto.commit.interval.ms': '1000',
      'consumer.timeout.ms': '-1',
      'auto.offset.reset': 'smallest',
      'partition.assignment.strategy': 'roundrobin',
    });
    expect(config).toMatchObject({ 'auto.commit.enable': false, 'auto.commit.interval.ms': 1000, 'consumer.timeout.ms': -1, 'auto.offset.reset': 'smallest', 'partition.assignment.strategy': 'roundrobin' });
  });
});

describe('bad config: ConfigError naming the key and the allowed values', () => {
  it('auto.offset.reset other than smallest or largest (ConsumerConfig.validateAutoOffsetReset)', () => {
    for (const value of ['earliest', 'latest', 'none', 'SMALLEST', '']) {
      const error = configError({ ...BASE, 'auto.offset.reset': value });
      expect(error.key).toBe('auto.offset.reset');
      expect(error.message).toBe(`auto.offset.reset must be one of "smallest", "largest", got ${JSON.stringify(value)}`);
    }
  });

  it('an unknown key, listing the known ones', () => {
    const error = configError({ ...BASE, 'fetch.size': 100 });
    expect(error.key).toBe('fetch.size');
    expect(error.allowed.startsWith('a known consumer property (one of group.id, zookeeper.connect, consumer.id,')).toBe(true);
    expect(error.allowed).toContain('partition.assignment.strategy');
    // A producer key in a consumer config.
    expect(configError({ ...BASE, 'metadata.broker.list': 'b:9092' }).key).toBe('metadata.broker.list');
  });

  it('group.id and client.id: required / ASCII alphanumerics, ".", "_" and "-" (validateChars)', () => {
    expect(configError({ 'zookeeper.connect': 'zookeeper:2181' }).message).toBe(
      `group.id must be a non-empty string of ASCII alphanumerics, '.', '_' and '-', got undefined`,
    );
    expect(configError({ ...BASE, 'group.id': 'my group' }).key).toBe('group.id');
    expect(configError({ ...BASE, 'group.id': '' }).key).toBe('group.id');
    expect(configError({ ...BASE, 'client.id': 'a/b' }).message).toBe(`client.id must be a string of ASCII alphanumerics, '.', '_' and '-', got "a/b"`);
  });

  it('a missing or malformed zookeeper.connect', () => {
    expect(configError({ 'group.id': 'g' }).message).toBe('zookeeper.connect must be a comma-separated list of host:port, got undefined');
    expect(configError({ ...BASE, 'zookeeper.connect': 'zk:port' }).message).toBe('zookeeper.connect must be host:port (a port from 1 to 65535), got "zk:port"');
    // A host alone uses ZooKeeper's port 2181.
    expect(resolveConsumerConfig({ ...BASE, 'zookeeper.connect': 'zk' })['zookeeper.connect']).toBe('zk');
  });

  it('booleans, enumerations and ranges', () => {
    const cases: Array<[string, unknown, string]> = [
      ['auto.commit.enable', 'yes', 'true or false'],
      ['exclude.internal.topics', 1, 'true or false'],
      ['offsets.storage', 'kafka', 'one of "zookeeper"'],
      ['partition.assignment.strategy', 'sticky', 'one of "range", "roundrobin"'],
      ['consumer.timeout.ms', -2, 'an integer from -1 to 2147483647'],
      ['rebalance.max.retries', 0, 'an integer from 1 to 2147483647'],
      ['queued.max.message.chunks', 0, 'an integer from 1 to 2147483647'],
      ['auto.commit.interval.ms', 0, 'an integer from 1 to 2147483647'],
      ['fetch.message.max.bytes', 'big', 'an integer from 1 to 2147483647'],
      ['zookeeper.session.timeout.ms', 2.5, 'an integer from 1 to 2147483647'],
      ['consumer.id', '', 'a non-empty string, or null for an id made up of host, time and a random part'],
    ];
    for (const [key, value, allowed] of cases) {
      const error = configError({ ...BASE, [key]: value });
      expect([error.key, error.allowed]).toEqual([key, allowed]);
    }
  });

  it('the connector constructor refuses bad config synchronously', async () => {
    const sim = await createSimulation({ seed: 1, brokers: 1 });
    const error = thrownBy(() => new ZookeeperConsumerConnector(simRuntime(sim, 'c'), { ...BASE, 'auto.offset.reset': 'earliest' } as unknown as ConsumerConfigInput));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('auto.offset.reset');
  });
});

describe('createMessageStreams arguments', () => {
  async function connector() {
    const sim = await createSimulation({ seed: 1, brokers: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }] });
    sim.kernel.addNode('c');
    const c = new ZookeeperConsumerConnector(simRuntime(sim, 'c'), { ...BASE, 'consumer.id': 'c' });
    return { sim, c };
  }

  it('streams ≤ 0 or not an integer: ConfigError naming the topic, nothing registered; the connector stays usable', async () => {
    const { sim, c } = await connector();
    for (const count of [0, -1, 1.5, Number.NaN]) {
      const task = await runOn(sim, 'c', 'create', () => c.createMessageStreams({ t: count }));
      expect(task.error).toBeInstanceOf(ConfigError);
      expect((task.error as ConfigError).key).toBe('topicCountMap.t');
      expect((task.error as ConfigError).allowed).toBe('an integer ≥ 1 (the number of streams)');
    }
    const empty = await runOn(sim, 'c', 'create', () => c.createMessageStreams({}));
    expect((empty.error as ConfigError).key).toBe('topicCountMap');
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual([]);
    const ok = await runOn(sim, 'c', 'create', () => c.createMessageStreams({ t: 2 }));
    expect(ok.result().t!.map((s) => s.threadId)).toEqual(['g_c-0', 'g_c-1']);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual(['g_c']);
  });

  it('a second createMessageStreams on the same connector is refused', async () => {
    const { sim, c } = await connector();
    (await runOn(sim, 'c', 'create', () => c.createMessageStreams({ t: 1 }))).result();
    const again = await runOn(sim, 'c', 'create again', () => c.createMessageStreams({ t: 1 }));
    expect(again.error).toBeInstanceOf(ClosedError);
  });
});
