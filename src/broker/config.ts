/**
 * Broker configuration (Kafka 0.8.2's `kafka.server.KafkaConfig`, plus `ZKConfig` for the
 * `zookeeper.*` keys) and per-topic overrides (`kafka.log.LogConfig`), keyed by Kafka's own
 * property names so a learner can copy a line from a real `server.properties` or from
 * `kafka-topics.sh --config` and see the same behaviour.
 *
 * Only the keys the simulator acts on are modelled. Every default was checked against
 * `core/src/main/scala/kafka/server/KafkaConfig.scala` at tag 0.8.2.2; the `group.*` keys of the
 * modern group coordinator, absent from 0.8.2, against tag 2.2.0.
 *
 * Validation follows Kafka where Kafka validates: `KafkaConfig` reads some keys with
 * `getIntInRange`/`getLongInRange` and `require`s two relations between keys, and those ranges are
 * enforced here with Kafka's bounds. Most keys, though, Kafka reads with plain `getInt`/`getLong`
 * and accepts any 32/64-bit value, including negative timeouts. For those kafkasim adds the
 * smallest range in which the value means something to the simulator (a timer period must be
 * positive, a percentage lies in 0–100) and says in the error that the limit is kafkasim's, not
 * Kafka's. `BROKER_CONFIG_SPECS` records, per key, which of the two applies.
 *
 * Values are typed (numbers and booleans), not the strings of a `.properties` file: Kafka's
 * `Long.MaxValue` cannot be represented in a JavaScript number and is written `LONG_MAX_VALUE`
 * (`Number.MAX_SAFE_INTEGER`), which is "never" for every duration and count the simulator uses.
 */
import { InvalidArgumentError, UnknownNameError } from '../sim/errors.ts';

/** Kafka's `Long.MaxValue`, as the largest integer a JavaScript number holds exactly. */
export const LONG_MAX_VALUE = Number.MAX_SAFE_INTEGER;
/** Java's `Integer.MAX_VALUE` (`Int.MaxValue`). */
export const INT_MAX_VALUE = 2_147_483_647;
/** Java's `Integer.MIN_VALUE` (`Int.MinValue`). */
export const INT_MIN_VALUE = -2_147_483_648;

/** `MessageSet.LogOverhead`: the offset (8 bytes) and size (4 bytes) in front of every message in a log. */
const LOG_OVERHEAD = 12;

/**
 * The broker settings kafkasim uses, by Kafka 0.8.2 property name. Numbers are Java `int`s unless
 * the comment says `long`; every duration is in the unit its name says.
 */
export interface BrokerConfig {
  /** ZooKeeper session timeout (`ZKConfig.zkSessionTimeoutMs`). A broker that misses it is declared dead. */
  readonly 'zookeeper.session.timeout.ms': number;
  /** How long the ZooKeeper client waits to connect (`ZKConfig`); defaults to the session timeout. */
  readonly 'zookeeper.connection.timeout.ms': number;
  /** How far a ZooKeeper follower may lag its leader (`ZKConfig`); brokers read but do not use it. */
  readonly 'zookeeper.sync.time.ms': number;
  /** Partitions of an auto-created topic. */
  readonly 'num.partitions': number;
  /** Replication factor of an auto-created topic. */
  readonly 'default.replication.factor': number;
  /** Create a topic when a client asks for metadata of a topic that does not exist. */
  readonly 'auto.create.topics.enable': boolean;
  /** Largest message set a produce request may carry per partition (1000000 + `MessageSet.LogOverhead`). */
  readonly 'message.max.bytes': number;
  /** (long) A follower that has not fetched for this long leaves the ISR. */
  readonly 'replica.lag.time.max.ms': number;
  /** (long) A follower this many messages behind the leader leaves the ISR. */
  readonly 'replica.lag.max.messages': number;
  /** Longest time a follower's fetch waits at the leader for `replica.fetch.min.bytes`. */
  readonly 'replica.fetch.wait.max.ms': number;
  /** Bytes a follower's fetch waits for before the leader answers. */
  readonly 'replica.fetch.min.bytes': number;
  /** Bytes per partition a follower asks for in one fetch (`ConsumerConfig.FetchSize`). */
  readonly 'replica.fetch.max.bytes': number;
  /** Socket timeout of a follower's fetch connection (`ConsumerConfig.SocketTimeout`). */
  readonly 'replica.socket.timeout.ms': number;
  /** (long) How often the high watermarks are written to `replication-offset-checkpoint`. */
  readonly 'replica.high.watermark.checkpoint.interval.ms': number;
  /**
   * How long a follower's fetcher sleeps after a failed fetch before trying again.
   *
   * NOT a Kafka 0.8.2 setting. In 0.8.2 `AbstractFetcherThread.processFetchRequest` logs the error
   * and `ReplicaFetcherThread.handlePartitionsWithErrors` does nothing ("the controller will make
   * the changes accordingly"), so a follower whose leader is gone retries at once, in a tight loop
   * (KAFKA-1461). Kafka 0.9.0 added this key (int, default 1000, at least 0); kafkasim uses it so a
   * simulated follower does not fill the event queue while it waits for the controller.
   */
  readonly 'replica.fetch.backoff.ms': number;
  /** Socket timeout of the controller's channels to the brokers. */
  readonly 'controller.socket.timeout.ms': number;
  /** Move leadership away before stopping (0.8.2 default true; 0.8.0 and 0.8.1 default false). */
  readonly 'controlled.shutdown.enable': boolean;
  /** Attempts at a controlled shutdown (`while (remainingRetries > 0)`: 0 means none). */
  readonly 'controlled.shutdown.max.retries': number;
  /** Pause between controlled-shutdown attempts. */
  readonly 'controlled.shutdown.retry.backoff.ms': number;
  /** Let the controller move leadership back to preferred replicas (0.8.2 default true). */
  readonly 'auto.leader.rebalance.enable': boolean;
  /** Allowed share of a broker's preferred partitions led elsewhere before a rebalance, in percent. */
  readonly 'leader.imbalance.per.broker.percentage': number;
  /** How often the controller checks the leader imbalance. */
  readonly 'leader.imbalance.check.interval.seconds': number;
  /** Elect a replica outside the ISR when no ISR member is alive (0.8.2; earlier versions always did). */
  readonly 'unclean.leader.election.enable': boolean;
  /**
   * Fewest ISR members for an acks=-1 produce to succeed. In 0.8.2.2 this broker-level value is
   * read and validated but never reaches a topic (KAFKA-2114): see `resolveTopicConfig`.
   */
  readonly 'min.insync.replicas': number;
  /** Let `kafka-topics.sh --delete` really delete (default false: the request stays pending). */
  readonly 'delete.topic.enable': boolean;
  /** Largest metadata string an offset commit may carry (`OffsetManagerConfig.DefaultMaxMetadataSize`). */
  readonly 'offset.metadata.max.bytes': number;
  /** (long) Messages appended to a log before it is flushed. */
  readonly 'log.flush.interval.messages': number;
  /** (long) Longest time a message stays unflushed; defaults to `log.flush.scheduler.interval.ms`. */
  readonly 'log.flush.interval.ms': number;
  /** (long) How often the log flusher looks for logs to flush. */
  readonly 'log.flush.scheduler.interval.ms': number;
  /** The port the broker listens on (0.8.0/0.8.1 default 6667, 0.8.2 default 9092). */
  readonly port: number;
  // The group coordinator of modern clients (Kafka 0.9–2.x `KafkaConfig`; 0.8.2 has only the two
  // offsets.topic keys, with the same defaults). See `coordinator/group-coordinator.ts`.
  /** Partitions of `__consumer_offsets`; a group's coordinator leads partition `abs(hash(group)) % this`. */
  readonly 'offsets.topic.num.partitions': number;
  /** Replication factor of `__consumer_offsets`, capped at the live brokers when it is created (as 0.8.2 does). */
  readonly 'offsets.topic.replication.factor': number;
  /** Shortest session timeout a JoinGroup may ask for (InvalidSessionTimeout, 26, below it). */
  readonly 'group.min.session.timeout.ms': number;
  /** Longest session timeout a JoinGroup may ask for (Kafka 0.10.1–2.2: 300000; 2.3+: 1800000). */
  readonly 'group.max.session.timeout.ms': number;
  /**
   * How long the first rebalance of an empty group waits for more members (KIP-134, Kafka 0.11+),
   * extended by the same delay while members keep joining, up to the rebalance timeout.
   */
  readonly 'group.initial.rebalance.delay.ms': number;
}

export type BrokerConfigKey = keyof BrokerConfig;

/** How one configuration key is typed, defaulted and checked. */
export interface ConfigKeySpec {
  /** `int` and `long` as in Java; `long` values are limited to safe integers. */
  readonly type: 'int' | 'long' | 'boolean';
  /** Inclusive bounds of an `int`/`long` key (absent for booleans). */
  readonly min?: number;
  readonly max?: number;
  /**
   * `kafka`: the bounds are Kafka's own check (quoted in `kafkaCheck`). `kafkasim`: Kafka accepts
   * any value of the type and the bounds are the simulator's. `type`: only the type is checked.
   */
  readonly range: 'kafka' | 'kafkasim' | 'type';
  /** How Kafka 0.8.2 reads the key, for error messages and lessons. */
  readonly kafkaCheck: string;
}

const int = (min: number, range: ConfigKeySpec['range'], kafkaCheck: string, max = INT_MAX_VALUE): ConfigKeySpec => ({
  type: 'int',
  min,
  max,
  range,
  kafkaCheck,
});
const long = (min: number, range: ConfigKeySpec['range'], kafkaCheck: string): ConfigKeySpec => ({
  type: 'long',
  min,
  max: LONG_MAX_VALUE,
  range,
  kafkaCheck,
});
const bool = (kafkaCheck: string): ConfigKeySpec => ({ type: 'boolean', range: 'type', kafkaCheck });

/** Per key: type, bounds and where the bounds come from (see the module comment). */
export const BROKER_CONFIG_SPECS: Readonly<Record<BrokerConfigKey, ConfigKeySpec>> = Object.freeze({
  'zookeeper.session.timeout.ms': int(1, 'kafkasim', 'getInt'),
  'zookeeper.connection.timeout.ms': int(1, 'kafkasim', 'getInt'),
  'zookeeper.sync.time.ms': int(0, 'kafkasim', 'getInt'),
  'num.partitions': int(1, 'kafka', 'getIntInRange(1, Int.MaxValue)'),
  // AdminUtils.assignReplicasToBrokers would reject 0 at auto-creation ("replication factor must be larger than 0").
  'default.replication.factor': int(1, 'kafkasim', 'getInt'),
  'auto.create.topics.enable': bool('getBoolean'),
  'message.max.bytes': int(0, 'kafka', 'getIntInRange(0, Int.MaxValue)'),
  'replica.lag.time.max.ms': long(0, 'kafkasim', 'getLong'),
  'replica.lag.max.messages': long(0, 'kafkasim', 'getLong'),
  'replica.fetch.wait.max.ms': int(0, 'kafkasim', 'getInt'),
  'replica.fetch.min.bytes': int(0, 'kafkasim', 'getInt'),
  // The lower bound is message.max.bytes, checked after every key is known (see crossChecks).
  'replica.fetch.max.bytes': int(0, 'kafka', 'getIntInRange(message.max.bytes, Int.MaxValue)'),
  // A Java socket timeout of 0 means "wait forever", which a simulation cannot schedule.
  'replica.socket.timeout.ms': int(1, 'kafkasim', 'getInt'),
  // Timer periods: KafkaScheduler.schedule hands them to scheduleAtFixedRate, which rejects periods <= 0.
  'replica.high.watermark.checkpoint.interval.ms': long(1, 'kafkasim', 'getLong'),
  'replica.fetch.backoff.ms': int(0, 'kafkasim', 'not in 0.8.2; Kafka 0.9.0 defines it as an int, atLeast(0)'),
  'controller.socket.timeout.ms': int(1, 'kafkasim', 'getInt'),
  'controlled.shutdown.enable': bool('getBoolean'),
  'controlled.shutdown.max.retries': int(0, 'kafkasim', 'getInt'),
  'controlled.shutdown.retry.backoff.ms': int(0, 'kafkasim', 'getInt'),
  'auto.leader.rebalance.enable': bool('getBoolean'),
  'leader.imbalance.per.broker.percentage': int(0, 'kafkasim', 'getInt', 100),
  'leader.imbalance.check.interval.seconds': int(1, 'kafkasim', 'getInt'),
  'unclean.leader.election.enable': bool('getBoolean'),
  'min.insync.replicas': int(1, 'kafka', 'getIntInRange(1, Int.MaxValue)'),
  'delete.topic.enable': bool('getBoolean'),
  'offset.metadata.max.bytes': int(0, 'kafkasim', 'getInt'),
  'log.flush.interval.messages': long(1, 'kafka', 'getLongInRange(1, Long.MaxValue)'),
  'log.flush.interval.ms': long(0, 'kafkasim', 'getLong'),
  'log.flush.scheduler.interval.ms': long(1, 'kafkasim', 'getLong'),
  port: int(0, 'kafkasim', 'getInt', 65_535),
  'offsets.topic.num.partitions': int(1, 'kafka', 'getIntInRange(1, Int.MaxValue)'),
  'offsets.topic.replication.factor': int(1, 'kafka', 'getIntInRange(1, Int.MaxValue)'),
  'group.min.session.timeout.ms': int(0, 'kafkasim', 'not in 0.8.2; Kafka 0.9+ defines it as an int'),
  'group.max.session.timeout.ms': int(0, 'kafkasim', 'not in 0.8.2; Kafka 0.9+ defines it as an int'),
  'group.initial.rebalance.delay.ms': int(0, 'kafkasim', 'not in 0.8.2; Kafka 0.11+ defines it as an int'),
} satisfies Record<BrokerConfigKey, ConfigKeySpec>);

/** The modelled broker keys, in `KafkaConfig`-like order (ZooKeeper first). */
export const BROKER_CONFIG_KEYS: readonly BrokerConfigKey[] = Object.freeze(
  Object.keys(BROKER_CONFIG_SPECS) as BrokerConfigKey[],
);

/** Keys whose default is another key's value, as Kafka computes them (`ZKConfig`, `KafkaConfig`). */
const DERIVED_DEFAULTS: Readonly<Partial<Record<BrokerConfigKey, BrokerConfigKey>>> = {
  'zookeeper.connection.timeout.ms': 'zookeeper.session.timeout.ms',
  'log.flush.interval.ms': 'log.flush.scheduler.interval.ms',
};

/** Kafka 0.8.2.2's defaults, with the derived ones computed from the other defaults. */
export const BROKER_CONFIG_DEFAULTS: BrokerConfig = Object.freeze({
  'zookeeper.session.timeout.ms': 6000,
  'zookeeper.connection.timeout.ms': 6000,
  'zookeeper.sync.time.ms': 2000,
  'num.partitions': 1,
  'default.replication.factor': 1,
  'auto.create.topics.enable': true,
  'message.max.bytes': 1_000_000 + LOG_OVERHEAD,
  'replica.lag.time.max.ms': 10_000,
  'replica.lag.max.messages': 4000,
  'replica.fetch.wait.max.ms': 500,
  'replica.fetch.min.bytes': 1,
  'replica.fetch.max.bytes': 1024 * 1024,
  'replica.socket.timeout.ms': 30_000,
  'replica.high.watermark.checkpoint.interval.ms': 5000,
  'replica.fetch.backoff.ms': 1000,
  'controller.socket.timeout.ms': 30_000,
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
  'offsets.topic.num.partitions': 50,
  'offsets.topic.replication.factor': 3,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 300_000,
  'group.initial.rebalance.delay.ms': 3000,
});

/**
 * Kafka 0.8.2.2's defaults with `overrides` applied and checked. A derived default (connection
 * timeout = session timeout, flush interval = flush scheduler interval) follows an overridden
 * source key unless it is overridden itself. A key given as `undefined` counts as not given.
 *
 * @throws UnknownNameError for a key kafkasim does not model (the message lists the known keys).
 * @throws InvalidArgumentError naming the key (`broker config "min.insync.replicas"`), the value
 *   and the allowed values, for a wrong type, a value out of range, or a broken relation between
 *   keys that `KafkaConfig` `require`s.
 */
export function resolveBrokerConfig(overrides: Partial<BrokerConfig> | undefined): BrokerConfig {
  const given = checkedOverrides('broker config', overrides, BROKER_CONFIG_KEYS);
  const out: Record<string, number | boolean> = {};
  for (const key of BROKER_CONFIG_KEYS) {
    if (key in given) {
      out[key] = checkValue(`broker config ${JSON.stringify(key)}`, given[key], BROKER_CONFIG_SPECS[key]);
    }
  }
  for (const key of BROKER_CONFIG_KEYS) {
    if (key in out) continue;
    const source = DERIVED_DEFAULTS[key];
    out[key] = source !== undefined && source in out ? out[source]! : BROKER_CONFIG_DEFAULTS[key];
  }
  const config = out as unknown as BrokerConfig;
  crossChecks(config);
  return Object.freeze(config);
}

/**
 * The relations `KafkaConfig` checks between keys.
 *
 * `KafkaConfig` also has `require(replicaFetchWaitMaxMs <= replicaSocketTimeoutMs, ...)`, but it
 * sits above the `val replicaFetchWaitMaxMs` it reads, so (Scala initialises a class body's vals
 * in order) it compares against the field's initial 0 and only rejects a negative socket timeout.
 * kafkasim reproduces that: a socket timeout shorter than the fetch wait is accepted, and followers
 * then time out on idle fetches, as a 0.8.2 broker configured that way would.
 */
function crossChecks(config: BrokerConfig): void {
  const messageMax = config['message.max.bytes'];
  if (config['replica.fetch.max.bytes'] < messageMax) {
    throw new InvalidArgumentError(
      'broker config "replica.fetch.max.bytes"',
      config['replica.fetch.max.bytes'],
      `an integer from message.max.bytes (${messageMax}) to ${INT_MAX_VALUE}, so a follower can fetch the largest ` +
        'message a producer may write (KafkaConfig: getIntInRange("replica.fetch.max.bytes", (messageMaxBytes, Int.MaxValue)))',
    );
  }
  const lag = config['replica.lag.time.max.ms'];
  if (config['replica.fetch.wait.max.ms'] > lag) {
    throw new InvalidArgumentError(
      'broker config "replica.fetch.wait.max.ms"',
      config['replica.fetch.wait.max.ms'],
      `at most replica.lag.time.max.ms (${lag}), so an idle follower's fetch returns before it counts as stuck ` +
        '(KafkaConfig: require(replicaFetchWaitMaxMs <= replicaLagTimeMaxMs))',
    );
  }
}

// ------------------------------------------------------------------ topic-level overrides

/**
 * Per-topic overrides (`/config/topics/<topic>`), by `LogConfig` property name. Kafka 0.8.2 knows
 * 16 names (`LogConfig.ConfigNames`: segment, retention, cleanup, index settings too); kafkasim
 * models these five.
 */
export interface TopicConfig {
  /** `LogConfig.MinInSyncReplicasProp`. */
  readonly 'min.insync.replicas': number;
  /** `LogConfig.UncleanLeaderElectionEnableProp`. */
  readonly 'unclean.leader.election.enable': boolean;
  /** (long) `LogConfig.FlushMessagesProp`: the topic's `log.flush.interval.messages`. */
  readonly 'flush.messages': number;
  /** (long) `LogConfig.FlushMsProp`: the topic's `log.flush.interval.ms`. */
  readonly 'flush.ms': number;
  /** `LogConfig.MaxMessageBytesProp`: the topic's `message.max.bytes`. */
  readonly 'max.message.bytes': number;
}

export type TopicConfigKey = keyof TopicConfig;

/**
 * `LogConfig.validate` checks names, `min.insync.replicas >= 1` (`validateMinInSyncReplicas`) and
 * that each value parses (`toInt`, `toLong`, `toBoolean`); it has no other bounds. The lower bound
 * 0 on the other numbers is kafkasim's: a negative flush interval or message size has no meaning.
 */
export const TOPIC_CONFIG_SPECS: Readonly<Record<TopicConfigKey, ConfigKeySpec>> = Object.freeze({
  'min.insync.replicas': int(1, 'kafka', 'LogConfig.validateMinInSyncReplicas: at least 1'),
  'unclean.leader.election.enable': bool('String.toBoolean'),
  'flush.messages': long(0, 'kafkasim', 'String.toLong'),
  'flush.ms': long(0, 'kafkasim', 'String.toLong'),
  'max.message.bytes': int(0, 'kafkasim', 'String.toInt'),
} satisfies Record<TopicConfigKey, ConfigKeySpec>);

export const TOPIC_CONFIG_KEYS: readonly TopicConfigKey[] = Object.freeze(
  Object.keys(TOPIC_CONFIG_SPECS) as TopicConfigKey[],
);

export interface ResolveTopicConfigOptions {
  /**
   * Whether a topic without its own `min.insync.replicas` takes the broker's value. Kafka 0.8.2.2
   * does not: `KafkaServer.createLogManager` builds the default `LogConfig` without
   * `minInSyncReplicas`, so every topic gets `LogConfig.Defaults.MinInSyncReplicas` (1) whatever
   * the broker says (KAFKA-2114, fixed after 0.8.2). Default false, as in 0.8.2.2; true gives the
   * fixed behaviour.
   */
  readonly inheritBrokerMinInsyncReplicas?: boolean;
}

/**
 * A topic's effective settings: its overrides, else the broker's values, as 0.8.2.2 combines them.
 *
 * - `flush.messages`, `flush.ms`, `max.message.bytes` default to the broker's
 *   `log.flush.interval.messages`, `log.flush.interval.ms`, `message.max.bytes`
 *   (`KafkaServer.createLogManager` builds the default `LogConfig` from them).
 * - `unclean.leader.election.enable` defaults to the broker's: the controller evaluates
 *   `LogConfig.fromProps(config.props.props, topicOverrides)`, with the broker's raw properties,
 *   which use the same property name, as defaults (`OfflinePartitionLeaderSelector`).
 * - `min.insync.replicas` defaults to 1, not the broker's value (KAFKA-2114); see
 *   `ResolveTopicConfigOptions.inheritBrokerMinInsyncReplicas`.
 *
 * @throws UnknownNameError for a name outside `TOPIC_CONFIG_KEYS`.
 * @throws InvalidArgumentError (`topic config "min.insync.replicas"`) for a wrong type or range.
 */
export function resolveTopicConfig(
  broker: BrokerConfig,
  overrides: Partial<TopicConfig> | undefined,
  options: ResolveTopicConfigOptions = {},
): TopicConfig {
  const given = checkedOverrides('topic config', overrides, TOPIC_CONFIG_KEYS);
  const defaults: TopicConfig = {
    'min.insync.replicas': options.inheritBrokerMinInsyncReplicas === true ? broker['min.insync.replicas'] : 1,
    'unclean.leader.election.enable': broker['unclean.leader.election.enable'],
    'flush.messages': broker['log.flush.interval.messages'],
    'flush.ms': broker['log.flush.interval.ms'],
    'max.message.bytes': broker['message.max.bytes'],
  };
  const out: Record<string, number | boolean> = {};
  for (const key of TOPIC_CONFIG_KEYS) {
    out[key] =
      key in given ? checkValue(`topic config ${JSON.stringify(key)}`, given[key], TOPIC_CONFIG_SPECS[key]) : defaults[key];
  }
  return Object.freeze(out as unknown as TopicConfig);
}

/**
 * Typed overrides from the string properties stored in `/config/topics/<topic>` (see
 * `parseTopicConfigData` in `protocol/zk-data.ts`), parsed as `LogConfig.fromProps` parses them:
 * `toInt`/`toLong` (an optional sign and decimal digits, within the type's range) and Scala's
 * `toBoolean` ("true"/"false" in any letter case).
 *
 * @throws UnknownNameError for a name outside `TOPIC_CONFIG_KEYS`.
 * @throws InvalidArgumentError for a value that does not parse.
 */
export function topicOverridesFromProperties(props: Readonly<Record<string, string>>): Partial<TopicConfig> {
  const out: Record<string, number | boolean> = {};
  for (const [key, text] of Object.entries(props)) {
    if (!(TOPIC_CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new UnknownNameError('topic config', key, TOPIC_CONFIG_KEYS);
    }
    const spec = TOPIC_CONFIG_SPECS[key as TopicConfigKey];
    const argument = `topic config ${JSON.stringify(key)}`;
    if (typeof text !== 'string') throw new InvalidArgumentError(argument, text, 'a string property value');
    if (spec.type === 'boolean') {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        throw new InvalidArgumentError(argument, text, '"true" or "false" (Scala String.toBoolean)');
      }
      out[key] = lower === 'true';
    } else {
      const bound = spec.type === 'int' ? 'Int' : 'Long';
      const value = /^[+-]?[0-9]+$/.test(text) ? Number(text) : Number.NaN;
      const [lo, hi] = spec.type === 'int' ? [INT_MIN_VALUE, INT_MAX_VALUE] : [-LONG_MAX_VALUE, LONG_MAX_VALUE];
      if (!Number.isSafeInteger(value) || value < lo || value > hi) {
        throw new InvalidArgumentError(argument, text, `a decimal ${bound.toLowerCase()} (String.to${bound})`);
      }
      out[key] = value === 0 ? 0 : value; // "-0" parses to 0, as in Java
    }
  }
  return out as Partial<TopicConfig>;
}

/** The string properties to store in `/config/topics/<topic>` for typed overrides (`LogConfig.toProps` style). */
export function topicOverridesToProperties(overrides: Partial<TopicConfig>): Record<string, string> {
  const given = checkedOverrides('topic config', overrides, TOPIC_CONFIG_KEYS);
  const out: Record<string, string> = {};
  for (const key of TOPIC_CONFIG_KEYS) {
    if (key in given) out[key] = String(checkValue(`topic config ${JSON.stringify(key)}`, given[key], TOPIC_CONFIG_SPECS[key]));
  }
  return out;
}

// ------------------------------------------------------------------ producer acks

/** The values 0.8.2 accepts for `request.required.acks`. */
export const ACKS_ALLOWED = Object.freeze([-1, 0, 1] as const);
export type RequiredAcks = (typeof ACKS_ALLOWED)[number];

/**
 * Checks a producer's `request.required.acks`. 0.8.2 reads it with
 * `getShortInRange("request.required.acks", 0, (-1, 1))` (`SyncProducerConfigShared`); 0.8.0 and
 * 0.8.1 accepted any short (a broker then treated acks > 1 as "wait for that many ISR members").
 *
 * @throws InvalidArgumentError `request.required.acks must be one of -1, 0, 1, got 2`.
 */
export function validateAcks(value: unknown): RequiredAcks {
  if (typeof value !== 'number' || !(ACKS_ALLOWED as readonly number[]).includes(value)) {
    throw new InvalidArgumentError('request.required.acks', value, 'one of -1, 0, 1');
  }
  return (value === 0 ? 0 : value) as RequiredAcks; // -0 counts as 0
}

// ------------------------------------------------------------------ shared checks

function checkedOverrides<K extends string>(
  what: string,
  overrides: unknown,
  known: readonly K[],
): Partial<Record<K, unknown>> {
  if (overrides === undefined) return {};
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new InvalidArgumentError(what, overrides, `an object of ${what} properties keyed by Kafka property name`);
  }
  const out: Partial<Record<K, unknown>> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (!(known as readonly string[]).includes(key)) throw new UnknownNameError(what, key, known);
    if (value !== undefined) out[key as K] = value;
  }
  return out;
}

function checkValue(argument: string, value: unknown, spec: ConfigKeySpec): number | boolean {
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, value, 'a boolean (true or false)');
    return value;
  }
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(argument, value, `an integer (a Java ${spec.type})`);
  }
  if (value < min || value > max) {
    throw new InvalidArgumentError(argument, value, `an integer from ${bound(min)} to ${bound(max)} ${rangeNote(spec)}`);
  }
  return value === 0 ? 0 : value; // never -0
}

function bound(n: number): string {
  if (n === INT_MAX_VALUE) return `${n} (Int.MaxValue)`;
  if (n === LONG_MAX_VALUE) return `${n} (LONG_MAX_VALUE, standing for Long.MaxValue)`;
  return String(n);
}

function rangeNote(spec: ConfigKeySpec): string {
  if (spec.range === 'kafka') return `(Kafka 0.8.2: ${spec.kafkaCheck})`;
  if (spec.kafkaCheck.startsWith('not in 0.8.2')) return `(a kafkasim key, ${spec.kafkaCheck})`;
  return `(a kafkasim limit; Kafka 0.8.2 reads it with ${spec.kafkaCheck} and accepts any ${spec.type})`;
}
