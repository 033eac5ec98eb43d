/**
 * Topic metadata as the 0.8 clients fetch it (`ClientUtils.fetchTopicMetadata`): ask the brokers
 * of a bootstrap list in a random order (`Random.shuffle`), each over a fresh connection closed
 * afterwards, until one answers; if none does, fail. And a pool of connections by broker id
 * (`ProducerPool`), opened lazily and closed on error.
 */
import type { BrokerEndpoint, MetadataResponse, TopicMetadata } from '../protocol/api.ts';
import { BrokerConnectionError, MetadataFetchError } from './errors.ts';
import type { BrokerConnection, Runtime } from './runtime.ts';

export interface HostAndPort {
  readonly host: string;
  readonly port: number;
}

export interface FetchMetadataOptions {
  readonly clientId: string;
  /** Socket timeout per broker (the producer's `request.timeout.ms`). */
  readonly timeoutMs: number;
  /** Ask the brokers in a random order (Kafka shuffles); false keeps the list order. */
  readonly shuffle?: boolean;
}

export async function fetchTopicMetadata(
  runtime: Runtime,
  brokers: readonly HostAndPort[],
  topics: readonly string[],
  options: FetchMetadataOptions,
): Promise<MetadataResponse> {
  const order = options.shuffle === false ? [...brokers] : shuffle(runtime, brokers);
  let lastError: unknown;
  for (const { host, port } of order) {
    let connection: BrokerConnection | undefined;
    try {
      connection = await runtime.connect(host, port, { timeoutMs: options.timeoutMs });
      return await connection.send({ api: 'Metadata', clientId: options.clientId, correlationId: 0, topics }, { timeoutMs: options.timeoutMs });
    } catch (error) {
      if (!(error instanceof BrokerConnectionError)) throw error;
      lastError = error;
    } finally {
      connection?.close();
    }
  }
  throw new MetadataFetchError(topics, order.map((b) => `${b.host}:${b.port}`), lastError);
}

function shuffle<T>(runtime: Runtime, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = runtime.random.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One lazily opened connection per broker; a broken one is replaced on next use. */
export class ConnectionPool {
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private readonly endpoints = new Map<number, BrokerEndpoint>();

  constructor(
    private readonly runtime: Runtime,
    private readonly connectTimeoutMs: number,
  ) {}

  /** Remembers where brokers are (from a metadata response). */
  learn(brokers: readonly BrokerEndpoint[]): void {
    for (const broker of brokers) {
      const known = this.endpoints.get(broker.id);
      if (known !== undefined && (known.host !== broker.host || known.port !== broker.port)) this.close(broker.id);
      this.endpoints.set(broker.id, broker);
    }
  }

  endpoint(brokerId: number): BrokerEndpoint | undefined {
    return this.endpoints.get(brokerId);
  }

  async get(brokerId: number): Promise<BrokerConnection> {
    const existing = this.connections.get(brokerId);
    if (existing !== undefined) {
      const connection = await existing.catch(() => undefined);
      if (connection?.isOpen) return connection;
      this.connections.delete(brokerId);
    }
    const endpoint = this.endpoints.get(brokerId);
    if (endpoint === undefined) throw new BrokerConnectionError('unreachable', `broker ${brokerId}`, `the address of broker ${brokerId} is unknown`);
    const opening = this.runtime.connect(endpoint.host, endpoint.port, { timeoutMs: this.connectTimeoutMs });
    this.connections.set(brokerId, opening);
    try {
      return await opening;
    } catch (error) {
      if (this.connections.get(brokerId) === opening) this.connections.delete(brokerId);
      throw error;
    }
  }

  /** Closes (and forgets) the connection to one broker (`ProducerPool.updateProducer` recreates it). */
  close(brokerId: number): void {
    const existing = this.connections.get(brokerId);
    this.connections.delete(brokerId);
    void existing?.then((c) => c.close(), () => undefined);
  }

  closeAll(): void {
    for (const id of [...this.connections.keys()]) this.close(id);
  }
}

/** The metadata of one topic in a response, or undefined. */
export function topicIn(response: MetadataResponse, topic: string): TopicMetadata | undefined {
  return response.topics.find((t) => t.topic === topic);
}
