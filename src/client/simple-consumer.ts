/**
 * Kafka 0.8.2's low-level `kafka.javaapi.consumer.SimpleConsumer`: one connection to one broker,
 * the requests of the partition consumption model sent as they are, nothing decided for the
 * caller (no leader lookup, no offset management, no retries beyond one reconnect).
 *
 * Modelled (`kafka/consumer/SimpleConsumer.scala`, `network/BlockingChannel.scala`, 0.8.2.2):
 * - the connection is opened lazily by the first request, with `soTimeout` as both the connect
 *   timeout and the socket read timeout (`BlockingChannel.connectTimeoutMs = readTimeoutMs`);
 * - `sendRequest`: on any socket error, reconnect and retry the request **once**; if the retry
 *   fails too, disconnect and throw (here a `BrokerConnectionError`). The next call reconnects;
 * - `send(TopicMetadataRequest)`, `fetch(FetchRequest)`, `getOffsetsBefore(OffsetRequest)`,
 *   `commitOffsets`/`fetchOffsets` (version 0, offsets in ZooKeeper), `earliestOrLatestOffset`;
 * - `FetchRequestBuilder`'s defaults: replicaId -1 (an ordinary consumer), maxWait 0, minBytes 0
 *   (so a fetch is answered at once, empty or not);
 * - the `FetchResponse` the Java API returns: `hasError`, `errorCode(topic, partition)`,
 *   `highWatermark(topic, partition)`, `messageSet(topic, partition)`, whose iteration yields
 *   only complete messages (`ByteBufferMessageSet`: a message cut by the fetch size is not
 *   returned; when not even one message fits, the set is empty although bytes came back).
 * - `ConsumerConfig.validateClientId`: a client id of ASCII letters, digits, '.', '_' and '-'.
 * Not modelled: the socket receive buffer (`bufferSize` is kept, it changes nothing here),
 * compression (a compressed set can return messages older than the fetch offset: the article's
 * loop skips them; nothing produces them here), request metrics.
 */
import {
  EARLIEST_TIME,
  LATEST_TIME,
  ORDINARY_CONSUMER_ID,
  type FetchPartitionData,
  type KafkaRequest,
  type MetadataResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
  type ResponseFor,
} from '../protocol/api.ts';
import { Mutex } from '../protocol/concurrency.ts';
import { ErrorCode, kafkaErrorFor } from '../protocol/errors.ts';
import type { Message, Payload } from '../protocol/message.ts';
import { BrokerConnectionError, ConfigError } from './errors.ts';
import type { BrokerConnection, Runtime } from './runtime.ts';

export interface SimpleConsumerConfig {
  readonly host: string;
  readonly port: number;
  /** Socket timeout: connect timeout and read timeout (ms). The article uses 100000. */
  readonly soTimeoutMs: number;
  /** Socket receive buffer (bytes). The article uses 64 * 1024. Kept; no effect in the simulator. */
  readonly bufferSize: number;
  readonly clientId: string;
}

export interface SimpleFetchPartition {
  readonly topic: string;
  readonly partition: number;
  /** The offset to read from. */
  readonly offset: number;
  /** Most bytes to return for this partition. */
  readonly fetchSize: number;
}

/** What `FetchRequestBuilder` builds. */
export interface SimpleFetchRequest {
  /** Default: the consumer's client id. */
  readonly clientId?: string;
  readonly partitions: readonly SimpleFetchPartition[];
  /** Default 0: answer at once. */
  readonly maxWaitMs?: number;
  /** Default 0. */
  readonly minBytes?: number;
}

/** `MessageAndOffset`: a message, its offset and the offset after it. */
export interface FetchedMessage {
  readonly offset: number;
  /** `offset + 1`: where the next read starts. */
  readonly nextOffset: number;
  readonly key: Payload | null;
  readonly value: Payload | null;
  readonly message: Message;
}

/** `ByteBufferMessageSet` of one partition of a fetch response. */
export class FetchedMessageSet implements Iterable<FetchedMessage> {
  /** The complete messages, in offset order. */
  readonly messages: readonly FetchedMessage[];
  /** Bytes of the complete messages (`validBytes`). */
  readonly validBytes: number;
  /** Bytes the broker sent, a trailing partial message included (`sizeInBytes`). */
  readonly sizeInBytes: number;
  /** The fetch size cut a message: its first bytes follow the last complete message. */
  readonly partialMessage: boolean;

  constructor(data: FetchPartitionData | undefined, fetchSize: number) {
    const messages: FetchedMessage[] = [];
    let validBytes = 0;
    for (const batch of data?.batches ?? []) {
      validBytes += batch.sizeBytes;
      for (let i = 0; i < batch.count; i++) {
        const message = batch.messageAt(i);
        const offset = batch.baseOffset + i;
        messages.push({ offset, nextOffset: offset + 1, key: message.key, value: message.value, message });
      }
    }
    this.messages = messages;
    this.validBytes = validBytes;
    this.partialMessage = data?.partialMessage ?? false;
    // A message that did not fit means the broker filled the whole fetch size.
    this.sizeInBytes = this.partialMessage ? Math.max(fetchSize, validBytes) : validBytes;
  }

  [Symbol.iterator](): Iterator<FetchedMessage> {
    return this.messages[Symbol.iterator]();
  }

  get size(): number {
    return this.messages.length;
  }
}

/** `kafka.javaapi.FetchResponse`. */
export class SimpleFetchResponse {
  constructor(
    /** Per partition: error code, high watermark, batches. */
    readonly partitions: readonly FetchPartitionData[],
    private readonly fetchSizes: ReadonlyMap<string, number>,
  ) {}

  /** True if any partition has a non-zero error code. */
  get hasError(): boolean {
    return this.partitions.some((p) => p.errorCode !== ErrorCode.NoError);
  }

  errorCode(topic: string, partition: number): number {
    return this.data(topic, partition).errorCode;
  }

  /** The leader's high watermark (-1 on error). */
  highWatermark(topic: string, partition: number): number {
    return this.data(topic, partition).highWatermark;
  }

  messageSet(topic: string, partition: number): FetchedMessageSet {
    return new FetchedMessageSet(this.data(topic, partition), this.fetchSizes.get(`${topic}-${partition}`) ?? 0);
  }

  private data(topic: string, partition: number): FetchPartitionData {
    const found = this.partitions.find((p) => p.topic === topic && p.partition === partition);
    // Scala: IllegalArgumentException("No partition %s in fetch response").
    if (found === undefined) throw new ConfigError('topic/partition', `${topic}-${partition}`, 'a partition of this fetch request');
    return found;
  }
}

/** `kafka.javaapi.OffsetResponse` for one partition. */
export interface OffsetsBefore {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly hasError: boolean;
  /** Descending; for an ordinary consumer never above the high watermark. */
  readonly offsets: readonly number[];
}

const CLIENT_ID_CHARS = /^[a-zA-Z0-9._-]*$/;

export class SimpleConsumer {
  readonly host: string;
  readonly port: number;
  readonly soTimeoutMs: number;
  readonly bufferSize: number;
  readonly clientId: string;
  private connection: BrokerConnection | undefined;
  private correlationId = 0;
  private closed = false;
  /** `lock synchronized`: one request at a time on the channel. */
  private readonly lock: Mutex;

  constructor(
    private readonly runtime: Runtime,
    config: SimpleConsumerConfig,
  ) {
    if (typeof config !== 'object' || config === null) throw new ConfigError('config', config, 'an object { host, port, soTimeoutMs, bufferSize, clientId }');
    if (typeof config.host !== 'string' || config.host.trim().length === 0) throw new ConfigError('host', config.host, 'a non-empty host name');
    if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) throw new ConfigError('port', config.port, 'an integer from 1 to 65535');
    if (!Number.isInteger(config.soTimeoutMs) || config.soTimeoutMs < 1) throw new ConfigError('soTimeoutMs', config.soTimeoutMs, 'a positive integer (ms)');
    if (!Number.isInteger(config.bufferSize) || config.bufferSize < 1) throw new ConfigError('bufferSize', config.bufferSize, 'a positive integer (bytes)');
    if (typeof config.clientId !== 'string' || !CLIENT_ID_CHARS.test(config.clientId)) {
      throw new ConfigError('clientId', config.clientId, "a string of ASCII letters, digits, '.', '_' and '-'");
    }
    this.host = config.host.trim();
    this.port = config.port;
    this.soTimeoutMs = config.soTimeoutMs;
    this.bufferSize = config.bufferSize;
    this.clientId = config.clientId;
    this.lock = new Mutex(runtime, `SimpleConsumer ${this.host}:${this.port}`);
  }

  /** `host:port`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get isConnected(): boolean {
    return this.connection?.isOpen ?? false;
  }

  /** True after `close()` (a later request still reconnects, as the Scala class does). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** `send(TopicMetadataRequest)`: metadata of `topics` (all topics if empty). */
  async send(topics: readonly string[]): Promise<MetadataResponse> {
    return this.sendRequest((correlationId) => ({ api: 'Metadata', clientId: this.clientId, correlationId, topics: [...topics] }));
  }

  /** `fetch(FetchRequest)`. */
  async fetch(request: SimpleFetchRequest): Promise<SimpleFetchResponse> {
    const clientId = request.clientId ?? this.clientId;
    const maxWait = request.maxWaitMs ?? 0;
    const minBytes = request.minBytes ?? 0;
    if (!Array.isArray(request.partitions)) throw new ConfigError('partitions', request.partitions, 'an array of { topic, partition, offset, fetchSize }');
    if (!Number.isInteger(maxWait)) throw new ConfigError('maxWaitMs', request.maxWaitMs, 'an integer (ms)');
    if (!Number.isInteger(minBytes)) throw new ConfigError('minBytes', request.minBytes, 'an integer (bytes)');
    const fetchSizes = new Map<string, number>();
    for (const p of request.partitions) {
      if (!Number.isInteger(p.offset) || p.offset < 0) throw new ConfigError('offset', p.offset, 'a non-negative integer');
      if (!Number.isInteger(p.fetchSize) || p.fetchSize < 0) throw new ConfigError('fetchSize', p.fetchSize, 'a non-negative integer (bytes)');
      fetchSizes.set(`${p.topic}-${p.partition}`, p.fetchSize);
    }
    const response = await this.sendRequest((correlationId) => ({
      api: 'Fetch',
      clientId,
      correlationId,
      replicaId: ORDINARY_CONSUMER_ID,
      maxWait,
      minBytes,
      partitions: request.partitions.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.offset, fetchSize: p.fetchSize })),
    }));
    return new SimpleFetchResponse(response.partitions, fetchSizes);
  }

  /**
   * `getOffsetsBefore(OffsetRequest)` for one partition: `time` is LATEST_TIME (-1),
   * EARLIEST_TIME (-2) or a time in ms.
   */
  async getOffsetsBefore(topic: string, partition: number, time: number, maxNumOffsets: number): Promise<OffsetsBefore> {
    if (!Number.isInteger(maxNumOffsets) || maxNumOffsets < 1) throw new ConfigError('maxNumOffsets', maxNumOffsets, 'a positive integer');
    const response = await this.sendRequest((correlationId) => ({
      api: 'Offsets',
      clientId: this.clientId,
      correlationId,
      replicaId: ORDINARY_CONSUMER_ID,
      partitions: [{ topic, partition, time, maxNumOffsets }],
    }));
    const answer = response.partitions.find((p) => p.topic === topic && p.partition === partition);
    const errorCode = answer?.errorCode ?? ErrorCode.UnknownTopicOrPartition;
    return { topic, partition, errorCode, hasError: errorCode !== ErrorCode.NoError, offsets: answer?.offsets ?? [] };
  }

  /** `earliestOrLatestOffset`: the one offset, or the typed error for the partition's code. */
  async earliestOrLatestOffset(topic: string, partition: number, earliestOrLatest: typeof EARLIEST_TIME | typeof LATEST_TIME): Promise<number> {
    const answer = await this.getOffsetsBefore(topic, partition, earliestOrLatest, 1);
    if (answer.hasError) throw kafkaErrorFor(answer.errorCode, `${topic}-${partition} on ${this.address}`);
    return answer.offsets[0]!;
  }

  /** `commitOffsets` (OffsetCommit version 0: the broker writes them to ZooKeeper). */
  async commitOffsets(
    groupId: string,
    offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number; readonly metadata?: string }[],
  ): Promise<OffsetCommitResponse> {
    return this.sendRequest((correlationId) => ({
      api: 'OffsetCommit',
      clientId: this.clientId,
      correlationId,
      groupId,
      offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
    }));
  }

  /** `fetchOffsets` (OffsetFetch version 0, from ZooKeeper). */
  async fetchOffsets(groupId: string, partitions: readonly { readonly topic: string; readonly partition: number }[]): Promise<OffsetFetchResponse> {
    return this.sendRequest((correlationId) => ({
      api: 'OffsetFetch',
      clientId: this.clientId,
      correlationId,
      groupId,
      partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    }));
  }

  /** Disconnects. A later request reconnects. */
  close(): void {
    this.disconnect();
    this.closed = true;
  }

  // ---------------------------------------------------------------- the channel

  /** `sendRequest`: one attempt, and on a socket error one reconnect and retry. */
  private async sendRequest<R extends KafkaRequest>(build: (correlationId: number) => R): Promise<ResponseFor<R>> {
    const request = build(this.correlationId++);
    return this.lock.run(async () => {
      try {
        const connection = await this.getOrMakeConnection();
        return await connection.send(request, { timeoutMs: this.soTimeoutMs });
      } catch (error) {
        if (!(error instanceof BrokerConnectionError)) throw error;
        // "Reconnect due to socket error": retry once.
        try {
          this.disconnect();
          const connection = await this.getOrMakeConnection();
          return await connection.send(request, { timeoutMs: this.soTimeoutMs });
        } catch (retryError) {
          this.disconnect();
          throw retryError;
        }
      }
    });
  }

  private async getOrMakeConnection(): Promise<BrokerConnection> {
    if (this.connection?.isOpen) return this.connection;
    this.connection = undefined;
    this.connection = await this.runtime.connect(this.host, this.port, { timeoutMs: this.soTimeoutMs });
    return this.connection;
  }

  private disconnect(): void {
    this.connection?.close();
    this.connection = undefined;
  }
}
