/**
 * kafka-python 0.9.5's `KafkaClient` (`kafka/client.py`, `kafka/conn.py`): the broker-aware
 * plumbing under its consumers and producers. No ZooKeeper, no group membership.
 *
 * Modelled:
 * - `KafkaClient(hosts, client_id='kafka-python', timeout=120)`: the host list ("h:p,h:p", default
 *   port 9092) is shuffled (`collect_hosts(randomize=True)`); construction loads the metadata of
 *   every topic (`create` here, since it is asynchronous);
 * - one connection per (host, port), opened lazily, closed on a socket error and reopened by the
 *   next request (`KafkaConnection.reinit`); the socket timeout bounds connects and requests;
 * - `_send_broker_unaware_request` (metadata): each host in turn until one answers, else
 *   `KafkaUnavailableError('All servers failed to process request')`;
 * - `load_metadata_for_topics(*topics)`: resets the topics' metadata (all of it when none is
 *   named), records brokers, partitions and leaders; a topic named explicitly with
 *   UnknownTopicOrPartition or LeaderNotAvailable raises; a partition without a leader maps to
 *   no broker; ReplicaNotAvailable is ignored;
 * - `_get_leader_for_partition`: cached leader, else reload the topic's metadata; unknown
 *   partition ⇒ `UnknownTopicOrPartitionError`, no leader ⇒ `LeaderNotAvailableError`;
 * - `_send_broker_aware_request`: payloads grouped by leader, one request per broker (sent
 *   concurrently); a connection failure turns that broker's payloads into `FailedPayloadsError`s
 *   and resets **all** metadata; responses in payload order;
 * - `send_fetch_request` / `send_offset_request` / `send_offset_commit_request` /
 *   `send_offset_fetch_request` (v0, to the partition's leader; the broker stores offsets in
 *   ZooKeeper) with `fail_on_error`: raise the first failed payload or error code (after
 *   resetting the topic's metadata for UnknownTopicOrPartition and NotLeaderForPartition), else
 *   return failures inline.
 * Not modelled: produce requests (the producer library is elsewhere), ConsumerMetadata /
 * offsets in Kafka (`send_offset_fetch_request_kafka`), `copy`/`reinit` for threads (a
 * `KafkaConnection` is thread-local in Python; here requests on one connection are answered in
 * order, so sharing it is safe).
 */
import type {
  BrokerEndpoint,
  FetchPartitionData,
  MetadataResponse,
  OffsetPartitionResponse,
  PartitionMetadata,
  KafkaRequest,
  ResponseFor,
} from '../protocol/api.ts';
import { ErrorCode, KafkaError, kafkaErrorFor } from '../protocol/errors.ts';
import { BrokerConnectionError, ConfigError, FetchSizeTooSmallError } from './errors.ts';
import { parseHostPort, type BrokerConnection, type Runtime } from './runtime.ts';

/** `DEFAULT_SOCKET_TIMEOUT_SECONDS = 120`. */
export const DEFAULT_SOCKET_TIMEOUT_MS = 120_000;
/** `DEFAULT_KAFKA_PORT`. */
export const DEFAULT_KAFKA_PORT = 9092;
/** `KafkaClient.CLIENT_ID`. */
export const DEFAULT_CLIENT_ID = 'kafka-python';

/** `KafkaUnavailableError`: no host of the list answered a metadata request. */
export class KafkaUnavailableError extends Error {
  readonly code = 'KAFKA_UNAVAILABLE';
  override readonly name = 'KafkaUnavailableError';
  constructor(
    readonly hosts: readonly string[],
    readonly lastError: unknown,
  ) {
    super(`All servers failed to process request (tried ${hosts.join(', ')})`, { cause: lastError });
  }
}

/** `FailedPayloadsError`: the request for this payload could not be sent or answered. */
export class FailedPayloadsError extends Error {
  readonly code = 'FAILED_PAYLOADS';
  override readonly name = 'FailedPayloadsError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly broker: string,
    cause: unknown,
  ) {
    super(`the request for ${topic}-${partition} to ${broker} failed${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause });
  }
}

/**
 * kafka-python's `KafkaError` family: what its consumer catches as "a Kafka error" (broker error
 * codes, failed payloads, connection errors, no server available, fetch size too small).
 */
export function isKafkaPythonError(error: unknown): boolean {
  return (
    error instanceof KafkaError ||
    error instanceof FailedPayloadsError ||
    error instanceof KafkaUnavailableError ||
    error instanceof BrokerConnectionError ||
    error instanceof FetchSizeTooSmallError
  );
}

export interface KafkaClientOptions {
  /** `client_id` (default 'kafka-python'). */
  readonly clientId?: string;
  /** Socket timeout in ms (`timeout`, default 120 s): connects and each request. */
  readonly timeoutMs?: number;
  /** Shuffle the host list (`collect_hosts(randomize=True)`, default true). */
  readonly randomizeHosts?: boolean;
}

/** `FetchRequest(topic, partition, offset, max_bytes)`. */
export interface FetchPayload {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly maxBytes: number;
}

/** `OffsetRequest(topic, partition, time, max_offsets)`. */
export interface OffsetPayload {
  readonly topic: string;
  readonly partition: number;
  readonly time: number;
  readonly maxOffsets: number;
}

/** `OffsetCommitRequest(topic, partition, offset, metadata)`. */
export interface OffsetCommitPayload {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata?: string | null;
}

/** `OffsetFetchRequest(topic, partition)`. */
export interface OffsetFetchPayload {
  readonly topic: string;
  readonly partition: number;
}

export interface OffsetCommitPartitionResponse {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
}

export interface OffsetFetchPartitionResponse {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
  readonly errorCode: number;
}

export interface SendOptions {
  /** Raise the first failure (default true); false returns failures inline. */
  readonly failOnError?: boolean;
}

export interface FetchSendOptions extends SendOptions {
  /** `max_wait_time` (ms, default 100). */
  readonly maxWaitTime?: number;
  /** `min_bytes` (default 4096). */
  readonly minBytes?: number;
}

interface Payload {
  readonly topic: string;
  readonly partition: number;
}

export class KafkaClient {
  readonly clientId: string;
  readonly timeoutMs: number;
  /** The bootstrap hosts, in the (shuffled) order they are tried. */
  readonly hosts: readonly { readonly host: string; readonly port: number }[];
  /** broker id → endpoint (`self.brokers`). */
  readonly brokers = new Map<number, BrokerEndpoint>();
  /** topic → partition → metadata (`self.topic_partitions`). */
  readonly topicPartitions = new Map<string, Map<number, PartitionMetadata>>();
  /** "topic-partition" → leader, or null when the partition has none (`self.topics_to_brokers`). */
  private readonly topicsToBrokers = new Map<string, BrokerEndpoint | null>();
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private correlationId = 0;

  private constructor(
    private readonly runtime: Runtime,
    hosts: string | readonly string[],
    options: KafkaClientOptions,
  ) {
    const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    if (typeof clientId !== 'string') throw new ConfigError('clientId', clientId, 'a string');
    const timeoutMs = options.timeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new ConfigError('timeoutMs', options.timeoutMs, 'a positive integer (ms)');
    this.clientId = clientId;
    this.timeoutMs = timeoutMs;
    this.hosts = collectHosts(runtime, hosts, options.randomizeHosts ?? true);
  }

  /** `KafkaClient(hosts)`: builds the client and loads the metadata of every topic. */
  static async create(runtime: Runtime, hosts: string | readonly string[], options: KafkaClientOptions = {}): Promise<KafkaClient> {
    const client = new KafkaClient(runtime, hosts, options);
    await client.loadMetadataForTopics();
    return client;
  }

  // ---------------------------------------------------------------- metadata

  /** `load_metadata_for_topics(*topics)`. */
  async loadMetadataForTopics(...topics: string[]): Promise<void> {
    if (topics.length > 0) this.resetTopicMetadata(...topics);
    else this.resetAllMetadata();
    const response = await this.sendMetadataRequest(topics);
    this.brokers.clear();
    for (const broker of response.brokers) this.brokers.set(broker.id, broker);
    for (const topicMetadata of response.topics) {
      const { topic } = topicMetadata;
      if (topicMetadata.errorCode !== ErrorCode.NoError) {
        const explicit = topics.includes(topic);
        if (topicMetadata.errorCode === ErrorCode.UnknownTopicOrPartition || topicMetadata.errorCode === ErrorCode.LeaderNotAvailable) {
          if (explicit) throw kafkaErrorFor(topicMetadata.errorCode, topic);
          continue; // "Error loading topic metadata" (logged)
        }
        // kafka-python's check_error raises any other code too.
        throw kafkaErrorFor(topicMetadata.errorCode, topic);
      }
      const partitions = new Map<number, PartitionMetadata>();
      this.topicPartitions.set(topic, partitions);
      for (const partitionMetadata of topicMetadata.partitions) {
        const { partition, leader } = partitionMetadata;
        partitions.set(partition, partitionMetadata);
        const key = tpKey(topic, partition);
        if (partitionMetadata.errorCode === ErrorCode.LeaderNotAvailable) {
          this.topicsToBrokers.set(key, null); // "No leader for topic"
          continue;
        }
        if (partitionMetadata.errorCode !== ErrorCode.NoError && partitionMetadata.errorCode !== ErrorCode.ReplicaNotAvailable) {
          throw kafkaErrorFor(partitionMetadata.errorCode, key);
        }
        // An unknown broker id: kafka-python fakes BrokerMetadata(leader, None, None).
        this.topicsToBrokers.set(key, this.brokers.get(leader) ?? { id: leader, host: '', port: 0 });
      }
    }
  }

  /** `reset_topic_metadata(*topics)`. */
  resetTopicMetadata(...topics: string[]): void {
    for (const topic of topics) {
      for (const key of [...this.topicsToBrokers.keys()]) if (key.startsWith(`${topic}\u0000`)) this.topicsToBrokers.delete(key);
      this.topicPartitions.delete(topic);
    }
  }

  /** `reset_all_metadata()`. */
  resetAllMetadata(): void {
    this.topicsToBrokers.clear();
    this.topicPartitions.clear();
  }

  hasMetadataForTopic(topic: string): boolean {
    return (this.topicPartitions.get(topic)?.size ?? 0) > 0;
  }

  /** `get_partition_ids_for_topic`: sorted; empty if the topic is not in the metadata. */
  getPartitionIdsForTopic(topic: string): number[] {
    return [...(this.topicPartitions.get(topic)?.keys() ?? [])].sort((a, b) => a - b);
  }

  get topics(): string[] {
    return [...this.topicPartitions.keys()];
  }

  /** The cached leader of a partition (undefined: not cached; null: no leader). */
  cachedLeader(topic: string, partition: number): BrokerEndpoint | null | undefined {
    return this.topicsToBrokers.get(tpKey(topic, partition));
  }

  /** `ensure_topic_exists(topic, timeout=30)`: poll metadata every 500 ms until the topic has partitions. */
  async ensureTopicExists(topic: string, timeoutMs = 30_000): Promise<void> {
    const start = this.runtime.nowMs();
    while (!this.hasMetadataForTopic(topic)) {
      if (this.runtime.nowMs() > start + timeoutMs) throw new KafkaUnavailableError([`Unable to create topic ${topic}`], undefined);
      try {
        await this.loadMetadataForTopics(topic);
      } catch (error) {
        if (!(error instanceof KafkaError) || error.code !== ErrorCode.LeaderNotAvailable) throw error;
      }
      await this.runtime.sleep(500);
    }
  }

  /** `_get_leader_for_partition`. */
  async leaderFor(topic: string, partition: number): Promise<BrokerEndpoint> {
    const key = tpKey(topic, partition);
    const cached = this.topicsToBrokers.get(key);
    if (cached !== undefined && cached !== null) return cached;
    await this.loadMetadataForTopics(topic);
    const meta = this.topicPartitions.get(topic)?.get(partition);
    if (meta === undefined) throw kafkaErrorFor(ErrorCode.UnknownTopicOrPartition, `${topic}-${partition}`);
    if (meta.leader === -1) throw kafkaErrorFor(ErrorCode.LeaderNotAvailable, `${topic}-${partition}`);
    return this.brokers.get(meta.leader) ?? { id: meta.leader, host: '', port: 0 };
  }

  // ---------------------------------------------------------------- requests

  /** `send_metadata_request(topics)`: broker-unaware, each host in turn. */
  async sendMetadataRequest(topics: readonly string[] = []): Promise<MetadataResponse> {
    let lastError: unknown;
    for (const { host, port } of this.hosts) {
      try {
        return await this.request(host, port, (correlationId) => ({ api: 'Metadata', clientId: this.clientId, correlationId, topics: [...topics] }));
      } catch (error) {
        if (!(error instanceof BrokerConnectionError)) throw error;
        lastError = error; // "Error sending request ... trying next server"
      }
    }
    throw new KafkaUnavailableError(this.hosts.map((h) => `${h.host}:${h.port}`), lastError);
  }

  /** `send_fetch_request(payloads, fail_on_error, max_wait_time=100, min_bytes=4096)`. */
  async sendFetchRequest(payloads: readonly FetchPayload[], options: FetchSendOptions = {}): Promise<Array<FetchPartitionData | FailedPayloadsError>> {
    const maxWait = Math.trunc(options.maxWaitTime ?? 100);
    const minBytes = options.minBytes ?? 4096;
    const responses = await this.sendBrokerAware(
      payloads,
      (group, correlationId) => ({
        api: 'Fetch',
        clientId: this.clientId,
        correlationId,
        replicaId: -1,
        maxWait,
        minBytes,
        partitions: group.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.offset, fetchSize: p.maxBytes })),
      }),
      (response) => response.partitions,
    );
    return this.checked(responses, options.failOnError ?? true);
  }

  /** `send_offset_request(payloads, fail_on_error)`. */
  async sendOffsetRequest(payloads: readonly OffsetPayload[], options: SendOptions = {}): Promise<Array<OffsetPartitionResponse | FailedPayloadsError>> {
    const responses = await this.sendBrokerAware(
      payloads,
      (group, correlationId) => ({
        api: 'Offsets',
        clientId: this.clientId,
        correlationId,
        replicaId: -1,
        partitions: group.map((p) => ({ topic: p.topic, partition: p.partition, time: p.time, maxNumOffsets: p.maxOffsets })),
      }),
      (response) => response.partitions,
    );
    return this.checked(responses, options.failOnError ?? true);
  }

  /** `send_offset_commit_request(group, payloads, fail_on_error)` (version 0: ZooKeeper). */
  async sendOffsetCommitRequest(
    group: string,
    payloads: readonly OffsetCommitPayload[],
    options: SendOptions = {},
  ): Promise<Array<OffsetCommitPartitionResponse | FailedPayloadsError>> {
    const responses = await this.sendBrokerAware(
      payloads,
      (batch, correlationId) => ({
        api: 'OffsetCommit',
        clientId: this.clientId,
        correlationId,
        groupId: group,
        offsets: batch.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset, metadata: p.metadata ?? '' })),
      }),
      (response) => response.partitions,
    );
    return this.checked(responses, options.failOnError ?? true);
  }

  /** `send_offset_fetch_request(group, payloads, fail_on_error)` (version 0: ZooKeeper). */
  async sendOffsetFetchRequest(
    group: string,
    payloads: readonly OffsetFetchPayload[],
    options: SendOptions = {},
  ): Promise<Array<OffsetFetchPartitionResponse | FailedPayloadsError>> {
    const responses = await this.sendBrokerAware(
      payloads,
      (batch, correlationId) => ({
        api: 'OffsetFetch',
        clientId: this.clientId,
        correlationId,
        groupId: group,
        partitions: batch.map((p) => ({ topic: p.topic, partition: p.partition })),
      }),
      (response) => response.partitions,
    );
    return this.checked(responses, options.failOnError ?? true);
  }

  /** Closes every connection. */
  close(): void {
    for (const key of [...this.connections.keys()]) this.dropConnection(key);
  }

  // ---------------------------------------------------------------- plumbing

  /** `_send_broker_aware_request`. */
  private async sendBrokerAware<P extends Payload, R extends KafkaRequest, A extends Payload>(
    payloads: readonly P[],
    build: (group: readonly P[], correlationId: number) => R,
    answers: (response: ResponseFor<R>) => readonly A[],
  ): Promise<Array<A | FailedPayloadsError>> {
    const responses = new Map<string, A | FailedPayloadsError>();
    const byBroker = new Map<string, { broker: BrokerEndpoint; payloads: P[] }>();
    for (const payload of payloads) {
      let leader: BrokerEndpoint;
      try {
        leader = await this.leaderFor(payload.topic, payload.partition);
      } catch (error) {
        if (!(error instanceof KafkaUnavailableError)) throw error;
        responses.set(tpKey(payload.topic, payload.partition), new FailedPayloadsError(payload.topic, payload.partition, '(no broker answered)', error));
        continue;
      }
      const key = `${leader.id}`;
      let entry = byBroker.get(key);
      if (entry === undefined) byBroker.set(key, (entry = { broker: leader, payloads: [] }));
      entry.payloads.push(payload);
    }
    let brokerFailures = 0;
    await Promise.all(
      [...byBroker.values()].map(async ({ broker, payloads: group }) => {
        try {
          const response = await this.request(broker.host, broker.port, (correlationId) => build(group, correlationId));
          for (const answer of answers(response)) responses.set(tpKey(answer.topic, answer.partition), answer);
        } catch (error) {
          if (!(error instanceof BrokerConnectionError)) throw error;
          brokerFailures++;
          for (const p of group) responses.set(tpKey(p.topic, p.partition), new FailedPayloadsError(p.topic, p.partition, `${broker.host}:${broker.port}`, error));
        }
      }),
    );
    // "Connection errors generally mean stale metadata ... reset metadata on all errors to be safe"
    if (brokerFailures > 0) this.resetAllMetadata();
    return payloads.map((p) => {
      const answer = responses.get(tpKey(p.topic, p.partition));
      // A broker that left a partition out of its answer: treat like a failed payload.
      return answer ?? new FailedPayloadsError(p.topic, p.partition, '(no answer for this partition)', undefined);
    });
  }

  /** `fail_on_error`: raise the first failure (`_raise_on_response_error`), else return all. */
  private checked<A extends { readonly topic: string; readonly errorCode: number; readonly partition: number }>(
    responses: Array<A | FailedPayloadsError>,
    failOnError: boolean,
  ): Array<A | FailedPayloadsError> {
    if (!failOnError) return responses;
    for (const response of responses) {
      if (response instanceof FailedPayloadsError) throw response;
      if (response.errorCode !== ErrorCode.NoError) {
        if (response.errorCode === ErrorCode.UnknownTopicOrPartition || response.errorCode === ErrorCode.NotLeaderForPartition) {
          this.resetTopicMetadata(response.topic);
        }
        throw kafkaErrorFor(response.errorCode, `${response.topic}-${response.partition}`);
      }
    }
    return responses;
  }

  /** One request on the (host, port) connection; a socket error closes it (the next request reconnects). */
  private async request<R extends KafkaRequest>(host: string, port: number, build: (correlationId: number) => R): Promise<ResponseFor<R>> {
    const key = `${host}:${port}`;
    this.correlationId = (this.correlationId + 1) % 2 ** 31;
    const request = build(this.correlationId);
    try {
      const connection = await this.connection(host, port);
      return await connection.send(request, { timeoutMs: this.timeoutMs });
    } catch (error) {
      if (error instanceof BrokerConnectionError) this.dropConnection(key);
      throw error;
    }
  }

  private async connection(host: string, port: number): Promise<BrokerConnection> {
    const key = `${host}:${port}`;
    const existing = this.connections.get(key);
    if (existing !== undefined) {
      const open = await existing.catch(() => undefined);
      if (open?.isOpen) return open;
      if (this.connections.get(key) === existing) this.connections.delete(key);
    }
    if (host === '') throw new BrokerConnectionError('unreachable', key, 'the broker is not in the metadata');
    const opening = this.runtime.connect(host, port, { timeoutMs: this.timeoutMs });
    this.connections.set(key, opening);
    try {
      return await opening;
    } catch (error) {
      if (this.connections.get(key) === opening) this.connections.delete(key);
      throw error;
    }
  }

  private dropConnection(key: string): void {
    const existing = this.connections.get(key);
    this.connections.delete(key);
    void existing?.then(
      (c) => c.close(),
      () => undefined,
    );
  }
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** `collect_hosts(hosts, randomize)`. */
function collectHosts(runtime: Runtime, hosts: string | readonly string[], randomize: boolean): Array<{ host: string; port: number }> {
  const list = typeof hosts === 'string' ? hosts.trim().split(',') : Array.isArray(hosts) ? hosts : undefined;
  if (list === undefined || list.length === 0) throw new ConfigError('hosts', hosts, 'a comma-separated "host:port" list or an array of "host:port"');
  const result = list.map((entry) => parseHostPort(String(entry), 'hosts', DEFAULT_KAFKA_PORT));
  if (randomize) {
    for (let i = result.length - 1; i > 0; i--) {
      const j = runtime.random.int(0, i);
      [result[i], result[j]] = [result[j]!, result[i]!];
    }
  }
  return result;
}
