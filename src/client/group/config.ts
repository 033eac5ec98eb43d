/**
 * `kafka.consumer.ConsumerConfig` (0.8.2): the high-level consumer's keys and defaults. Values may
 * be numbers or the strings a Java `Properties` holds. Mistakes are ConfigErrors naming the key and
 * what is allowed, raised at construction (`ConsumerConfig.validate`).
 * `group.coordination` is kafkasim's, not Kafka's (Kafka has no such key: 0.8.2's connector only
 * knows ZooKeeper, 0.9+'s `KafkaConsumer` only the broker's group coordinator). 'zookeeper' (the
 * default) is the 0.8.2 connector above; 'coordinator' runs the same API on the broker's group
 * coordinator (`coordinator-connector.ts`) and reads the modern consumer's keys
 * `bootstrap.servers` (required there; `zookeeper.connect` is then not used), `session.timeout.ms`
 * (10,000), `heartbeat.interval.ms` (3,000, below the session timeout, as `Heartbeat` requires)
 * and `rebalance.timeout.ms` (60,000; Kafka sends `max.poll.interval.ms` there, meaningless
 * without `poll`). In 'coordinator' mode offsets are kept by the coordinator whatever
 * `offsets.storage` says.
 * Simplified: only `offsets.storage=zookeeper` (Kafka-stored offsets need the 0.8.2 offset
 * manager, not modelled); an unknown `partition.assignment.strategy` is refused where Kafka
 * silently falls back to range.
 */
import { ConfigError } from '../errors.ts';
import { parseHostList } from '../runtime.ts';

export interface ConsumerConfig {
  readonly 'group.id': string;
  /** null in 'coordinator' mode when not given (it is not used there). */
  readonly 'zookeeper.connect': string | null;
  readonly 'consumer.id': string | null;
  readonly 'socket.timeout.ms': number;
  readonly 'socket.receive.buffer.bytes': number;
  readonly 'fetch.message.max.bytes': number;
  readonly 'num.consumer.fetchers': number;
  readonly 'auto.commit.enable': boolean;
  readonly 'auto.commit.interval.ms': number;
  readonly 'queued.max.message.chunks': number;
  readonly 'rebalance.max.retries': number;
  readonly 'fetch.min.bytes': number;
  readonly 'fetch.wait.max.ms': number;
  readonly 'rebalance.backoff.ms': number;
  readonly 'refresh.leader.backoff.ms': number;
  readonly 'auto.offset.reset': 'smallest' | 'largest';
  readonly 'consumer.timeout.ms': number;
  readonly 'client.id': string;
  readonly 'zookeeper.session.timeout.ms': number;
  readonly 'zookeeper.connection.timeout.ms': number;
  readonly 'zookeeper.sync.time.ms': number;
  readonly 'offsets.storage': 'zookeeper';
  readonly 'exclude.internal.topics': boolean;
  readonly 'partition.assignment.strategy': 'range' | 'roundrobin';
  readonly 'group.coordination': 'zookeeper' | 'coordinator';
  /** 'coordinator' mode: where to ask for metadata and the coordinator (`host:port,...`); null in 'zookeeper' mode when not given. */
  readonly 'bootstrap.servers': string | null;
  readonly 'session.timeout.ms': number;
  readonly 'heartbeat.interval.ms': number;
  readonly 'rebalance.timeout.ms': number;
}

export type ConsumerConfigInput = Partial<{ [K in keyof ConsumerConfig]: ConsumerConfig[K] | string | number | boolean | null }> & {
  readonly 'group.id': string;
};

const INT_MAX = 2_147_483_647;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

const KEYS: readonly (keyof ConsumerConfig)[] = [
  'group.id',
  'zookeeper.connect',
  'consumer.id',
  'socket.timeout.ms',
  'socket.receive.buffer.bytes',
  'fetch.message.max.bytes',
  'num.consumer.fetchers',
  'auto.commit.enable',
  'auto.commit.interval.ms',
  'queued.max.message.chunks',
  'rebalance.max.retries',
  'fetch.min.bytes',
  'fetch.wait.max.ms',
  'rebalance.backoff.ms',
  'refresh.leader.backoff.ms',
  'auto.offset.reset',
  'consumer.timeout.ms',
  'client.id',
  'zookeeper.session.timeout.ms',
  'zookeeper.connection.timeout.ms',
  'zookeeper.sync.time.ms',
  'offsets.storage',
  'exclude.internal.topics',
  'partition.assignment.strategy',
  'group.coordination',
  'bootstrap.servers',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'rebalance.timeout.ms',
];

export function resolveConsumerConfig(input: ConsumerConfigInput): ConsumerConfig {
  if (typeof input !== 'object' || input === null) throw new ConfigError('consumer config', input, 'an object of Kafka consumer properties');
  for (const key of Object.keys(input)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new ConfigError(key, (input as Record<string, unknown>)[key], `a known consumer property (one of ${KEYS.join(', ')})`);
  }
  const raw = input as Record<string, unknown>;
  const groupId = raw['group.id'];
  if (typeof groupId !== 'string' || !LEGAL.test(groupId)) throw new ConfigError('group.id', groupId, "a non-empty string of ASCII alphanumerics, '.', '_' and '-'");
  const coordination = oneOf(raw, 'group.coordination', 'zookeeper', ['zookeeper', 'coordinator'] as const);
  const zookeeperConnect = raw['zookeeper.connect'] ?? null;
  if (coordination === 'zookeeper' || zookeeperConnect !== null) parseHostList(raw['zookeeper.connect'], 'zookeeper.connect', 2181);
  const bootstrapServers = raw['bootstrap.servers'] ?? null;
  if (coordination === 'coordinator' || bootstrapServers !== null) parseHostList(raw['bootstrap.servers'], 'bootstrap.servers', 9092);
  const groupSessionTimeoutMs = intIn(raw, 'session.timeout.ms', 10_000, 1);
  const heartbeatIntervalMs = intIn(raw, 'heartbeat.interval.ms', 3000, 1);
  // `Heartbeat`'s constructor: "Heartbeat must be set lower than the session timeout".
  if (heartbeatIntervalMs >= groupSessionTimeoutMs) throw new ConfigError('heartbeat.interval.ms', heartbeatIntervalMs, `an interval below session.timeout.ms (${groupSessionTimeoutMs})`);
  const syncTimeMs = intIn(raw, 'zookeeper.sync.time.ms', 2000, 0);
  const sessionTimeoutMs = intIn(raw, 'zookeeper.session.timeout.ms', 6000, 1);
  const clientId = raw['client.id'] ?? groupId;
  if (typeof clientId !== 'string' || !LEGAL.test(clientId)) throw new ConfigError('client.id', clientId, "a string of ASCII alphanumerics, '.', '_' and '-'");
  const consumerId = raw['consumer.id'] ?? null;
  if (consumerId !== null && (typeof consumerId !== 'string' || consumerId.length === 0)) throw new ConfigError('consumer.id', consumerId, 'a non-empty string, or null for an id made up of host, time and a random part');
  const config: ConsumerConfig = {
    'group.id': groupId,
    'zookeeper.connect': zookeeperConnect as string | null,
    'consumer.id': consumerId as string | null,
    'socket.timeout.ms': intIn(raw, 'socket.timeout.ms', 30_000, 1),
    'socket.receive.buffer.bytes': intIn(raw, 'socket.receive.buffer.bytes', 64 * 1024, 1),
    'fetch.message.max.bytes': intIn(raw, 'fetch.message.max.bytes', 1024 * 1024, 1),
    'num.consumer.fetchers': intIn(raw, 'num.consumer.fetchers', 1, 1),
    'auto.commit.enable': bool(raw, 'auto.commit.enable', true),
    'auto.commit.interval.ms': intIn(raw, 'auto.commit.interval.ms', 60_000, 1),
    'queued.max.message.chunks': intIn(raw, 'queued.max.message.chunks', 2, 1),
    'rebalance.max.retries': intIn(raw, 'rebalance.max.retries', 4, 1),
    'fetch.min.bytes': intIn(raw, 'fetch.min.bytes', 1, 0),
    'fetch.wait.max.ms': intIn(raw, 'fetch.wait.max.ms', 100, 0),
    'rebalance.backoff.ms': intIn(raw, 'rebalance.backoff.ms', syncTimeMs, 0),
    'refresh.leader.backoff.ms': intIn(raw, 'refresh.leader.backoff.ms', 200, 0),
    'auto.offset.reset': oneOf(raw, 'auto.offset.reset', 'largest', ['smallest', 'largest'] as const),
    'consumer.timeout.ms': intIn(raw, 'consumer.timeout.ms', -1, -1),
    'client.id': clientId,
    'zookeeper.session.timeout.ms': sessionTimeoutMs,
    'zookeeper.connection.timeout.ms': intIn(raw, 'zookeeper.connection.timeout.ms', sessionTimeoutMs, 1),
    'zookeeper.sync.time.ms': syncTimeMs,
    'offsets.storage': oneOf(raw, 'offsets.storage', 'zookeeper', ['zookeeper'] as const),
    'exclude.internal.topics': bool(raw, 'exclude.internal.topics', true),
    'partition.assignment.strategy': oneOf(raw, 'partition.assignment.strategy', 'range', ['range', 'roundrobin'] as const),
    'group.coordination': coordination,
    'bootstrap.servers': bootstrapServers as string | null,
    'session.timeout.ms': groupSessionTimeoutMs,
    'heartbeat.interval.ms': heartbeatIntervalMs,
    'rebalance.timeout.ms': intIn(raw, 'rebalance.timeout.ms', 60_000, 1),
  };
  return Object.freeze(config);
}

function intIn(raw: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const value = raw[key] ?? fallback;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > INT_MAX) {
    throw new ConfigError(key, value, `an integer from ${min} to ${INT_MAX}`);
  }
  return number;
}

function bool(raw: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = raw[key] ?? fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(key, value, 'true or false');
}

function oneOf<T extends string>(raw: Record<string, unknown>, key: string, fallback: T, allowed: readonly T[]): T {
  const value = raw[key] ?? fallback;
  if (!(allowed as readonly unknown[]).includes(value)) throw new ConfigError(key, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}
