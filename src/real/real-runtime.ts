/**
 * The client seam (`src/client/runtime.ts`) on Node and the wall clock: the runtime the producer,
 * the SimpleConsumer, KafkaClient and the consumers run on to reach real brokers.
 *
 * - Time: `Date.now()`, `setTimeout` for sleeps and timers.
 * - Background work (`spawn`): the body runs as a plain promise; a body that throws is reported
 *   to `onTaskError` (default: `record` it and print it on stderr), never left unhandled.
 * - Randomness: the simulator's seeded generator (src/sim/rng.ts), stream `client`, from the
 *   `seed` option: a run's client decisions (partition choice, host order) repeat with its seed.
 * - Brokers: `connect` opens a `WireConnection` (TCP, ApiVersions, the wire codec).
 * - ZooKeeper: through the `zookeeper` factory option; without one, `zookeeper()` throws saying so.
 * - Narration: `record` goes to `onRecord` when given (`recording` is then true).
 */
import { hostname } from 'node:os';
import type { ZooKeeperClient } from '../protocol/zookeeper.ts';
import type { Deferred } from '../protocol/runtime.ts';
import type { BrokerConnection, Runtime, ZooKeeperOptions } from '../client/runtime.ts';
import { ConfigError } from '../client/errors.ts';
import { Rng } from '../sim/rng.ts';
import { WireConnection } from './wire-connection.ts';

export interface RealRuntimeOptions {
  /** Seed of the client's random draws (default 1). */
  readonly seed?: number;
  /** The host name consumer ids include (default the machine's). */
  readonly hostName?: string;
  /** Client id of the connections' own requests (ApiVersions; default "kafkasim"). */
  readonly clientId?: string;
  /** Timeout of a `send` that names none (default 30,000 ms). */
  readonly requestTimeoutMs?: number;
  /** Connect timeout when `connect` names none (default 30,000 ms). */
  readonly connectTimeoutMs?: number;
  /** Largest response frame accepted (default 100 MiB). */
  readonly maxFrameBytes?: number;
  /** Opens ZooKeeper sessions (the real ZooKeeper client); without it `zookeeper()` throws. */
  readonly zookeeper?: (connectString: string, options: ZooKeeperOptions) => ZooKeeperClient;
  /** Receives the client's narration. */
  readonly onRecord?: (kind: string, data: Record<string, unknown>, text: string) => void;
  /** A background task (`spawn`) threw. */
  readonly onTaskError?: (name: string, error: unknown) => void;
}

/** Raised by `zookeeper()` when the runtime was given no ZooKeeper client factory. */
export class NoZooKeeperError extends ConfigError {
  constructor(connectString: string) {
    super('zookeeper', connectString, 'served by a ZooKeeper client: pass realRuntime({ zookeeper: (connectString, options) => client }) to reach a real ZooKeeper');
  }
}

export function realRuntime(options: RealRuntimeOptions = {}): Runtime {
  const random = Rng.root(options.seed ?? 1).fork('client');
  const onRecord = options.onRecord;
  const runtime: Runtime = {
    random,
    hostName: options.hostName ?? hostname(),
    recording: onRecord !== undefined,
    record(kind, data, text) {
      onRecord?.(kind, data, text);
    },
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
    deferred: <T>(): Deferred<T> => deferred<T>(),
    spawn(name, body) {
      void Promise.resolve()
        .then(body)
        .catch((error: unknown) => {
          if (options.onTaskError !== undefined) options.onTaskError(name, error);
          else {
            onRecord?.('task.failed', { task: name, error: String(error) }, `Background task ${name} failed: ${String(error)}`);
            console.error(`kafkasim real runtime: background task ${name} failed:`, error);
          }
        });
    },
    timer(ms, callback) {
      const handle = setTimeout(callback, Math.max(0, ms));
      return { cancel: () => clearTimeout(handle) };
    },
    connect(host, port, connectOptions = {}): Promise<BrokerConnection> {
      return WireConnection.open(host, port, {
        connectTimeoutMs: connectOptions.timeoutMs ?? options.connectTimeoutMs ?? 30_000,
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      });
    },
    zookeeper(connectString, zkOptions) {
      if (options.zookeeper === undefined) throw new NoZooKeeperError(connectString);
      return options.zookeeper(connectString, zkOptions);
    },
  };
  return runtime;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    promise,
    get settled() {
      return settled;
    },
    resolve(value) {
      if (settled) return;
      settled = true;
      resolve(value);
    },
    reject(error) {
      if (settled) return;
      settled = true;
      reject(error);
    },
  };
}
