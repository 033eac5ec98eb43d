/**
 * `kafka.producer.ProducerConfig` (0.8.2, with `SyncProducerConfig` and `AsyncProducerConfig`):
 * Kafka's keys and defaults. Values may be given as numbers or as the strings a Java
 * `Properties` holds ("1", "async"). Every mistake is a ConfigError naming the key and what is
 * allowed, raised when the producer is constructed.
 */
import { ConfigError } from '../errors.ts';
import { PARTITIONER_CLASSES, type Partitioner } from '../partitioners.ts';
import { parseHostList } from '../runtime.ts';

export interface ProducerConfig {
  /** Bootstrap brokers, `host1:port1,host2:port2` (required). */
  readonly 'metadata.broker.list': string;
  /** 0: no acknowledgement; 1: the leader wrote it; -1: the in-sync replicas have it. 0.8 default: 0. */
  readonly 'request.required.acks': -1 | 0 | 1;
  /** The broker's ack timeout and the client's socket timeout at once. */
  readonly 'request.timeout.ms': number;
  readonly 'producer.type': 'sync' | 'async';
  /** A class name from PARTITIONER_CLASSES, or a partitioner function. */
  readonly 'partitioner.class': string | Partitioner;
  /** Only `none`: compression is not modelled. */
  readonly 'compression.codec': 'none';
  /** Retries after the first attempt (total attempts = retries + 1). */
  readonly 'message.send.max.retries': number;
  /** The pause before each retry (and its metadata refresh). */
  readonly 'retry.backoff.ms': number;
  /** Refresh metadata at the start of a send when older than this; < 0: only after failures. */
  readonly 'topic.metadata.refresh.interval.ms': number;
  readonly 'queue.buffering.max.ms': number;
  readonly 'queue.buffering.max.messages': number;
  /** -1: block when the queue is full; 0: drop at once (QueueFull); > 0: wait that long. */
  readonly 'queue.enqueue.timeout.ms': number;
  readonly 'batch.num.messages': number;
  readonly 'send.buffer.bytes': number;
  readonly 'client.id': string;
}

export type ProducerConfigInput = Partial<{ [K in keyof ProducerConfig]: ProducerConfig[K] | string }> & {
  readonly 'metadata.broker.list': string;
};

export const PRODUCER_DEFAULTS: Omit<ProducerConfig, 'metadata.broker.list'> = {
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
  'send.buffer.bytes': 100 * 1024,
  'client.id': '',
};

const KEYS = ['metadata.broker.list', ...Object.keys(PRODUCER_DEFAULTS)] as (keyof ProducerConfig)[];
const INT_MAX = 2_147_483_647;

export function resolveProducerConfig(input: ProducerConfigInput): ProducerConfig {
  if (typeof input !== 'object' || input === null) throw new ConfigError('producer config', input, 'an object of Kafka producer properties');
  for (const key of Object.keys(input)) {
    if (!(KEYS as string[]).includes(key)) throw new ConfigError(key, (input as Record<string, unknown>)[key], `a known producer property (one of ${KEYS.join(', ')})`);
  }
  const get = <K extends keyof ProducerConfig>(key: K) => (input[key] ?? (PRODUCER_DEFAULTS as Partial<ProducerConfig>)[key]) as unknown;
  const brokers = get('metadata.broker.list');
  parseHostList(brokers, 'metadata.broker.list');
  const config: ProducerConfig = {
    'metadata.broker.list': brokers as string,
    'request.required.acks': oneOf('request.required.acks', toInt('request.required.acks', get('request.required.acks')), [-1, 0, 1] as const),
    'request.timeout.ms': intIn('request.timeout.ms', get('request.timeout.ms'), 1, INT_MAX),
    'producer.type': oneOf('producer.type', get('producer.type'), ['sync', 'async'] as const),
    'partitioner.class': partitioner(get('partitioner.class')),
    'compression.codec': oneOf('compression.codec', get('compression.codec'), ['none'] as const),
    'message.send.max.retries': intIn('message.send.max.retries', get('message.send.max.retries'), 0, INT_MAX),
    'retry.backoff.ms': intIn('retry.backoff.ms', get('retry.backoff.ms'), 0, INT_MAX),
    'topic.metadata.refresh.interval.ms': intIn('topic.metadata.refresh.interval.ms', get('topic.metadata.refresh.interval.ms'), -INT_MAX, INT_MAX),
    'queue.buffering.max.ms': intIn('queue.buffering.max.ms', get('queue.buffering.max.ms'), 0, INT_MAX),
    'queue.buffering.max.messages': intIn('queue.buffering.max.messages', get('queue.buffering.max.messages'), 1, INT_MAX),
    'queue.enqueue.timeout.ms': intIn('queue.enqueue.timeout.ms', get('queue.enqueue.timeout.ms'), -1, INT_MAX),
    'batch.num.messages': intIn('batch.num.messages', get('batch.num.messages'), 1, INT_MAX),
    'send.buffer.bytes': intIn('send.buffer.bytes', get('send.buffer.bytes'), 1, INT_MAX),
    'client.id': clientId(get('client.id')),
  };
  // `ProducerConfig.validateBatchSize`, in Kafka's words.
  if (config['batch.num.messages'] > config['queue.buffering.max.messages']) {
    throw new ConfigError(
      'batch.num.messages',
      config['batch.num.messages'],
      `at most queue.buffering.max.messages (${config['queue.buffering.max.messages']}): "Batch size = ${config['batch.num.messages']} can't be larger than queue size = ${config['queue.buffering.max.messages']}"`,
    );
  }
  return Object.freeze(config);
}

function toInt(key: string, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw new ConfigError(key, value, 'an integer');
  return number;
}

function intIn(key: string, value: unknown, min: number, max: number): number {
  const number = toInt(key, value);
  if (number < min || number > max) throw new ConfigError(key, value, `an integer from ${min} to ${max}`);
  return number;
}

function oneOf<T extends string | number>(key: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) throw new ConfigError(key, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}

/** `ProducerConfig.validateClientId` (`Config.validateChars`); the default "" is allowed. */
function clientId(value: unknown): string {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9._-]*$/.test(value)) throw new ConfigError('client.id', value, "a string of ASCII alphanumerics, '.', '_' and '-'");
  return value;
}

function partitioner(value: unknown): string | Partitioner {
  if (typeof value === 'function') return value as Partitioner;
  if (typeof value === 'string' && value in PARTITIONER_CLASSES) return value;
  throw new ConfigError('partitioner.class', value, `a partitioner function or one of ${Object.keys(PARTITIONER_CLASSES).join(', ')}`);
}
