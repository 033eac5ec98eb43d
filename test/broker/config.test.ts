import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACKS_ALLOWED,
  BROKER_CONFIG_DEFAULTS,
  BROKER_CONFIG_KEYS,
  BROKER_CONFIG_SPECS,
  INT_MAX_VALUE,
  LONG_MAX_VALUE,
  TOPIC_CONFIG_KEYS,
  resolveBrokerConfig,
  resolveTopicConfig,
  topicOverridesFromProperties,
  topicOverridesToProperties,
  validateAcks,
  type BrokerConfig,
} from '../../src/broker/config.ts';
import { InvalidArgumentError, UnknownNameError } from '../../src/sim/errors.ts';
import { thrownBy } from '../sim/support.ts';

/** Lets a test pass a value of the wrong type, as JavaScript callers can. */
const untyped = (overrides: Record<string, unknown>) => overrides as unknown as Partial<BrokerConfig>;

describe('broker config: Kafka 0.8.2.2 defaults (KafkaConfig.scala, ZKConfig)', () => {
  it('no overrides gives every default of the 0.8.2.2 source', () => {
    expect(resolveBrokerConfig(undefined)).toEqual({
      'zookeeper.session.timeout.ms': 6000,
      'zookeeper.connection.timeout.ms': 6000,
      'zookeeper.sync.time.ms': 2000,
      'num.partitions': 1,
      'default.replication.factor': 1,
      'auto.create.topics.enable': true,
      'message.max.bytes': 1000012,
      'replica.lag.time.max.ms': 10000,
      'replica.lag.max.messages': 4000,
      'replica.fetch.wait.max.ms': 500,
      'replica.fetch.min.bytes': 1,
      'replica.fetch.max.bytes': 1048576,
      'replica.socket.timeout.ms': 30000,
      'replica.high.watermark.checkpoint.interval.ms': 5000,
      'replica.fetch.backoff.ms': 1000,
      'controller.socket.timeout.ms': 30000,
      'controlled.shutdown.enable': true,
      'controlled.shutdown.max.retries': 3,
      'controlled.shutdown.retry.backoff.ms': 5000,
      'auto.leader.rebalance.enable': true,
      'leader.imbalance.per.broker.percentage': 10,
      'leader.imbalance.check.interval.seconds': 300,
      'unclean.leader.election.enable': true,
      'min.insync.replicas': 1,
      'delete.topic.enable': false,
      'offset.metadata.max.bytes': 4096,
      'log.flush.interval.messages': LONG_MAX_VALUE,
      'log.flush.interval.ms': LONG_MAX_VALUE,
      'log.flush.scheduler.interval.ms': LONG_MAX_VALUE,
      port: 9092,
      // The group coordinator's keys: 0.8.2's offsets topic defaults, and Kafka 2.2's group.* defaults.
      'offsets.topic.num.partitions': 50,
      'offsets.topic.replication.factor': 3,
      'group.min.session.timeout.ms': 6000,
      'group.max.session.timeout.ms': 300000,
      'group.initial.rebalance.delay.ms': 3000,
    });
    expect(resolveBrokerConfig({})).toEqual(BROKER_CONFIG_DEFAULTS);
  });

  it('Long.MaxValue is represented by Number.MAX_SAFE_INTEGER', () => {
    expect(LONG_MAX_VALUE).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('the result is frozen, and every modelled key has a spec', () => {
    expect(Object.isFrozen(resolveBrokerConfig({ port: 9093 }))).toBe(true);
    expect(BROKER_CONFIG_KEYS).toHaveLength(35);
    expect(Object.keys(BROKER_CONFIG_DEFAULTS).sort()).toEqual([...BROKER_CONFIG_KEYS].sort());
  });

  it('an override replaces only its own key', () => {
    const config = resolveBrokerConfig({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false });
    expect(config['min.insync.replicas']).toBe(2);
    expect(config['unclean.leader.election.enable']).toBe(false);
    expect(config['num.partitions']).toBe(1);
  });

  it('a key given as undefined counts as not given', () => {
    expect(resolveBrokerConfig({ port: undefined })).toEqual(BROKER_CONFIG_DEFAULTS);
  });
});

describe('broker config: derived defaults follow their source key', () => {
  it('zookeeper.connection.timeout.ms defaults to the (overridden) session timeout, as ZKConfig does', () => {
    expect(resolveBrokerConfig({ 'zookeeper.session.timeout.ms': 40000 })['zookeeper.connection.timeout.ms']).toBe(40000);
  });

  it('an explicit connection timeout wins over the derived one', () => {
    const config = resolveBrokerConfig({ 'zookeeper.session.timeout.ms': 40000, 'zookeeper.connection.timeout.ms': 3000 });
    expect(config['zookeeper.connection.timeout.ms']).toBe(3000);
  });

  it('log.flush.interval.ms defaults to log.flush.scheduler.interval.ms', () => {
    const config = resolveBrokerConfig({ 'log.flush.scheduler.interval.ms': 1000 });
    expect(config['log.flush.interval.ms']).toBe(1000);
    expect(resolveBrokerConfig({ 'log.flush.scheduler.interval.ms': 1000, 'log.flush.interval.ms': 50 })['log.flush.interval.ms']).toBe(50);
  });
});

describe('broker config: validation', () => {
  it('an unknown key is an UnknownNameError naming it and listing the known keys', () => {
    const error = thrownBy(() => resolveBrokerConfig(untyped({ 'min.isr': 2 })));
    expect(error).toBeInstanceOf(UnknownNameError);
    const message = (error as UnknownNameError).message;
    expect(message).toContain('unknown broker config "min.isr"');
    expect(message).toContain('"min.insync.replicas"');
    expect((error as UnknownNameError).known).toEqual(BROKER_CONFIG_KEYS);
  });

  it('a non-object is rejected', () => {
    expect(thrownBy(() => resolveBrokerConfig(untyped(null as unknown as Record<string, unknown>)))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => resolveBrokerConfig(untyped([] as unknown as Record<string, unknown>)))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('a string where a number belongs is a type error (values are typed, not .properties strings)', () => {
    const error = thrownBy(() => resolveBrokerConfig(untyped({ 'zookeeper.session.timeout.ms': '6000' })));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      'broker config "zookeeper.session.timeout.ms" must be an integer (a Java int), got "6000"',
    );
  });

  it('a fraction is not an integer', () => {
    expect((thrownBy(() => resolveBrokerConfig({ 'num.partitions': 1.5 })) as Error).message).toContain(
      'must be an integer (a Java int), got 1.5',
    );
  });

  it('a number where a boolean belongs is a type error', () => {
    const error = thrownBy(() => resolveBrokerConfig(untyped({ 'delete.topic.enable': 1 })));
    expect((error as Error).message).toBe('broker config "delete.topic.enable" must be a boolean (true or false), got 1');
  });

  it("min.insync.replicas below 1 is out of Kafka's range, and the message says it is Kafka's", () => {
    const error = thrownBy(() => resolveBrokerConfig({ 'min.insync.replicas': 0 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('broker config "min.insync.replicas"');
    expect((error as Error).message).toBe(
      'broker config "min.insync.replicas" must be an integer from 1 to 2147483647 (Int.MaxValue) ' +
        '(Kafka 0.8.2: getIntInRange(1, Int.MaxValue)), got 0',
    );
  });

  it("num.partitions 0 and a negative message.max.bytes are out of Kafka's ranges", () => {
    expect(thrownBy(() => resolveBrokerConfig({ 'num.partitions': 0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => resolveBrokerConfig({ 'message.max.bytes': -1 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => resolveBrokerConfig({ 'log.flush.interval.messages': 0 }))).toBeInstanceOf(InvalidArgumentError);
  });

  it('an int key above Int.MaxValue is rejected (Kafka: toInt throws NumberFormatException)', () => {
    expect(thrownBy(() => resolveBrokerConfig({ 'controller.socket.timeout.ms': INT_MAX_VALUE + 1 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    // long keys go up to Long.MaxValue (represented by LONG_MAX_VALUE).
    expect(resolveBrokerConfig({ 'replica.lag.max.messages': LONG_MAX_VALUE })['replica.lag.max.messages']).toBe(LONG_MAX_VALUE);
  });

  it('a percentage outside 0–100 is rejected, and the message says the limit is kafkasim\'s, not Kafka\'s', () => {
    const error = thrownBy(() => resolveBrokerConfig({ 'leader.imbalance.per.broker.percentage': 150 }));
    expect((error as Error).message).toBe(
      'broker config "leader.imbalance.per.broker.percentage" must be an integer from 0 to 100 ' +
        '(a kafkasim limit; Kafka 0.8.2 reads it with getInt and accepts any int), got 150',
    );
    expect(resolveBrokerConfig({ 'leader.imbalance.per.broker.percentage': 0 })['leader.imbalance.per.broker.percentage']).toBe(0);
  });

  it('timer periods must be positive; pauses and retry counts may be 0', () => {
    expect(thrownBy(() => resolveBrokerConfig({ 'zookeeper.session.timeout.ms': 0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => resolveBrokerConfig({ 'leader.imbalance.check.interval.seconds': 0 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => resolveBrokerConfig({ 'replica.high.watermark.checkpoint.interval.ms': 0 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => resolveBrokerConfig({ 'controlled.shutdown.retry.backoff.ms': -1 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    const config = resolveBrokerConfig({ 'controlled.shutdown.max.retries': 0, 'replica.fetch.backoff.ms': 0 });
    expect(config['controlled.shutdown.max.retries']).toBe(0);
    expect(config['replica.fetch.backoff.ms']).toBe(0);
  });

  it('replica.fetch.backoff.ms is flagged as a kafkasim key in its error', () => {
    expect((thrownBy(() => resolveBrokerConfig({ 'replica.fetch.backoff.ms': -5 })) as Error).message).toContain(
      'a kafkasim key, not in 0.8.2',
    );
  });

  it('every key whose range is "kafka" quotes a Kafka check', () => {
    for (const key of BROKER_CONFIG_KEYS) {
      const spec = BROKER_CONFIG_SPECS[key];
      if (spec.range === 'kafka') expect(spec.kafkaCheck).toMatch(/getIntInRange|getLongInRange/);
    }
  });
});

describe('broker config: relations KafkaConfig requires between keys', () => {
  it('replica.fetch.max.bytes must be at least message.max.bytes (getIntInRange(messageMaxBytes, Int.MaxValue))', () => {
    const error = thrownBy(() => resolveBrokerConfig({ 'message.max.bytes': 2_000_000 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('broker config "replica.fetch.max.bytes"');
    expect((error as Error).message).toContain('from message.max.bytes (2000000)');
    expect(resolveBrokerConfig({ 'message.max.bytes': 2_000_000, 'replica.fetch.max.bytes': 2_000_000 })['replica.fetch.max.bytes']).toBe(
      2_000_000,
    );
  });

  it('replica.fetch.wait.max.ms must not exceed replica.lag.time.max.ms', () => {
    const error = thrownBy(() => resolveBrokerConfig({ 'replica.lag.time.max.ms': 400 }));
    expect((error as InvalidArgumentError).argument).toBe('broker config "replica.fetch.wait.max.ms"');
    expect((error as Error).message).toContain('at most replica.lag.time.max.ms (400)');
  });

  it('a socket timeout shorter than the fetch wait is accepted, as 0.8.2.2 accepts it (its require reads an uninitialised val)', () => {
    expect(resolveBrokerConfig({ 'replica.socket.timeout.ms': 100 })['replica.socket.timeout.ms']).toBe(100);
  });
});

describe('topic config (LogConfig overrides)', () => {
  const broker = resolveBrokerConfig({
    'log.flush.interval.messages': 10_000,
    'log.flush.scheduler.interval.ms': 2000,
    'message.max.bytes': 500_000,
    'replica.fetch.max.bytes': 1048576,
    'unclean.leader.election.enable': false,
    'min.insync.replicas': 2,
  });

  it('without overrides a topic takes the broker values KafkaServer.createLogManager passes down', () => {
    expect(resolveTopicConfig(broker, undefined)).toEqual({
      'min.insync.replicas': 1,
      'unclean.leader.election.enable': false,
      'flush.messages': 10_000,
      'flush.ms': 2000,
      'max.message.bytes': 500_000,
    });
  });

  it("0.8.2.2 ignores the broker's min.insync.replicas (KAFKA-2114); the option gives the fixed behaviour", () => {
    expect(resolveTopicConfig(broker, {})['min.insync.replicas']).toBe(1);
    expect(resolveTopicConfig(broker, {}, { inheritBrokerMinInsyncReplicas: true })['min.insync.replicas']).toBe(2);
    expect(resolveTopicConfig(broker, { 'min.insync.replicas': 3 }, { inheritBrokerMinInsyncReplicas: true })['min.insync.replicas']).toBe(3);
  });

  it('the topic override wins over the broker default', () => {
    const topic = resolveTopicConfig(broker, { 'unclean.leader.election.enable': true, 'flush.messages': 1 });
    expect(topic['unclean.leader.election.enable']).toBe(true);
    expect(topic['flush.messages']).toBe(1);
    expect(Object.isFrozen(topic)).toBe(true);
  });

  it('an unknown topic config name is an UnknownNameError listing the modelled names', () => {
    const error = thrownBy(() => resolveTopicConfig(broker, { 'retention.ms': 1000 } as never));
    expect(error).toBeInstanceOf(UnknownNameError);
    expect((error as UnknownNameError).known).toEqual(TOPIC_CONFIG_KEYS);
  });

  it('min.insync.replicas 0 is rejected (LogConfig.validateMinInSyncReplicas: "Valid values are at least 1")', () => {
    const error = thrownBy(() => resolveTopicConfig(broker, { 'min.insync.replicas': 0 }));
    expect((error as InvalidArgumentError).argument).toBe('topic config "min.insync.replicas"');
    expect((error as Error).message).toContain('must be an integer from 1 to 2147483647');
  });

  it('wrong types are rejected', () => {
    expect(thrownBy(() => resolveTopicConfig(broker, { 'unclean.leader.election.enable': 'false' } as never))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => resolveTopicConfig(broker, { 'flush.ms': -1 }))).toBeInstanceOf(InvalidArgumentError);
  });

  it('string properties from /config/topics parse as LogConfig.fromProps parses them', () => {
    expect(
      topicOverridesFromProperties({ 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'FALSE', 'flush.ms': '+100' }),
    ).toEqual({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false, 'flush.ms': 100 });
    expect(thrownBy(() => topicOverridesFromProperties({ 'min.insync.replicas': 'two' }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => topicOverridesFromProperties({ 'max.message.bytes': '2147483648' }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => topicOverridesFromProperties({ 'unclean.leader.election.enable': 'yes' }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => topicOverridesFromProperties({ 'segment.bytes': '1024' }))).toBeInstanceOf(UnknownNameError);
  });

  it('typed overrides round-trip through their string properties', () => {
    const overrides = { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false, 'flush.messages': 7 };
    const props = topicOverridesToProperties(overrides);
    expect(props).toEqual({ 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false', 'flush.messages': '7' });
    expect(topicOverridesFromProperties(props)).toEqual(overrides);
  });

  it('property: any valid override set resolves to exactly the overrides on top of the broker defaults', () => {
    const arb = fc.record(
      {
        'min.insync.replicas': fc.integer({ min: 1, max: 10 }),
        'unclean.leader.election.enable': fc.boolean(),
        'flush.messages': fc.integer({ min: 0, max: 1e9 }),
        'flush.ms': fc.integer({ min: 0, max: 1e9 }),
        'max.message.bytes': fc.integer({ min: 0, max: INT_MAX_VALUE }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (overrides) => {
        const topic = resolveTopicConfig(broker, overrides);
        const base = resolveTopicConfig(broker, {});
        expect(topic).toEqual({ ...base, ...overrides });
      }),
    );
  });
});

describe('request.required.acks (0.8.2 SyncProducerConfig: getShortInRange(-1, 1))', () => {
  it('accepts -1, 0 and 1', () => {
    expect(ACKS_ALLOWED).toEqual([-1, 0, 1]);
    for (const acks of ACKS_ALLOWED) expect(validateAcks(acks)).toBe(acks);
  });

  it('rejects anything else with the documented message', () => {
    expect((thrownBy(() => validateAcks(2)) as Error).message).toBe('request.required.acks must be one of -1, 0, 1, got 2');
    expect(thrownBy(() => validateAcks('1'))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => validateAcks(-2))).toBeInstanceOf(InvalidArgumentError);
  });
});
