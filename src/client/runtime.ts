/**
 * The client seam (DESIGN §2). Client code talks to brokers only through a `BrokerConnection`,
 * to ZooKeeper only through a `ZooKeeperClient`, and gets time, waiting, background work and
 * randomness only from a `Runtime`. The simulator implements it on the kernel (`sim-runtime.ts`);
 * a real runtime implements it on sockets and the wall clock. Nothing in the client branches on
 * which one it runs on, and no simulator type appears here.
 */
import type { KafkaRequest, ResponseFor } from '../protocol/api.ts';
import type { AsyncEnvironment, RandomSource } from '../protocol/runtime.ts';
import type { ZooKeeperClient } from '../protocol/zookeeper.ts';
import { ConfigError } from './errors.ts';

export type { AsyncEnvironment, Deferred, RandomSource } from '../protocol/runtime.ts';

/** A connection to one broker. Requests on it are answered in order. */
export interface BrokerConnection {
  /** `host:port`, for messages. */
  readonly address: string;
  readonly isOpen: boolean;
  /**
   * Sends a request and resolves with its response. Rejects with `BrokerConnectionError` if the
   * connection breaks or no response arrives within `timeoutMs` (the connection is then closed,
   * as Kafka's `BlockingChannel` is after a socket timeout).
   */
  send<R extends KafkaRequest>(request: R, options?: { readonly timeoutMs?: number }): Promise<ResponseFor<R>>;
  /** Sends a request that gets no response (a produce with acks=0). */
  sendOneWay(request: KafkaRequest): void;
  close(): void;
}

export interface ConnectOptions {
  /** Connect timeout (default 30,000 ms). */
  readonly timeoutMs?: number;
}

export interface ZooKeeperOptions {
  readonly sessionTimeoutMs: number;
  readonly connectionTimeoutMs: number;
}

export interface Runtime extends AsyncEnvironment {
  /** Draws for client decisions (a null-key producer's partition, a consumer id suffix). */
  readonly random: RandomSource;
  /** The host name this client runs on (consumer ids include it). */
  readonly hostName: string;
  /** Opens a connection to a broker; rejects with `BrokerConnectionError`. */
  connect(host: string, port: number, options?: ConnectOptions): Promise<BrokerConnection>;
  /** Opens a ZooKeeper session to `connectString` (`host:port[,host:port...]`). */
  zookeeper(connectString: string, options: ZooKeeperOptions): ZooKeeperClient;
  /** Whether `record` is listened to (callers may skip building narration when not). */
  readonly recording: boolean;
  /** Narrates what the client did (the simulator's trace; a real runtime's log). */
  record(kind: string, data: Record<string, unknown>, text: string): void;
}

/** "host:port" → { host, port }; a ConfigError naming `key` when malformed. */
export function parseHostPort(value: string, key: string, defaultPort?: number): { host: string; port: number } {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const colon = trimmed.lastIndexOf(':');
  const host = colon === -1 ? trimmed : trimmed.slice(0, colon);
  const portText = colon === -1 ? undefined : trimmed.slice(colon + 1);
  const port = portText === undefined ? defaultPort : Number(portText);
  if (host.length === 0 || port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(key, value, 'host:port (a port from 1 to 65535)');
  }
  return { host, port };
}

/** "h1:p1,h2:p2" → addresses (Kafka's `metadata.broker.list`, `zookeeper.connect`). */
export function parseHostList(value: unknown, key: string, defaultPort?: number): Array<{ host: string; port: number }> {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ConfigError(key, value, 'a comma-separated list of host:port');
  return value.split(',').map((entry) => parseHostPort(entry, key, defaultPort));
}
