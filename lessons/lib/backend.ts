/**
 * Where a lesson runs: the embedded simulation (the default) or real brokers (`--broker
 * host:port[,host:port]`), reached through the client seam's real runtime (TCP, the wire codec,
 * the wall clock). The same client code (Producer, KafkaClient, PartitionConsumer) runs on both.
 *
 * On a broker the lesson's clock starts at 0 when the lesson starts (so its timestamps read like
 * the simulator's), and nothing of the cluster is visible beyond what a client sees: no trace, no
 * injected faults, no virtual time, no ZooKeeper.
 */
import { KafkaClient } from '../../src/client/kafka-client.ts';
import type { Runtime } from '../../src/client/runtime.ts';
import { realRuntime } from '../../src/real/index.ts';

/** How long a lesson waits for an unreachable broker before it gives up (connect and first request). */
export const BROKER_CONNECT_TIMEOUT_MS = 5_000;

export type LessonBackend =
  | { readonly kind: 'simulator' }
  | {
      readonly kind: 'broker';
      /** `host:port,host:port` as given to --broker. */
      readonly bootstrapServers: string;
      /** The real runtime, its clock counting from the lesson's start. */
      readonly runtime: Runtime;
    };

export const SIMULATOR: LessonBackend = { kind: 'simulator' };

/** --broker's value is not a list of host:port. */
export class BrokerListError extends Error {
  override readonly name = 'BrokerListError';
}

/** The brokers given to --broker could not be reached. */
export class BrokerUnreachableError extends Error {
  override readonly name = 'BrokerUnreachableError';
  constructor(
    readonly bootstrapServers: string,
    reason: string,
  ) {
    super(`cannot reach the broker(s) at ${bootstrapServers}: ${reason}`);
  }
}

/** `host:port[,host:port]`, each port an integer from 1 to 65535; returns it normalized (no spaces). */
export function parseBrokerList(text: string): string {
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const match = /^([^\s:]+|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(entry);
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new BrokerListError(`--broker must be host:port[,host:port] (ports 1-65535), got ${JSON.stringify(text)}`);
    }
  }
  return entries.join(',');
}

/**
 * The real runtime against `bootstrapServers`, checked: the brokers answer a metadata request
 * within `timeoutMs`, or this throws a `BrokerUnreachableError` naming them and the reason.
 */
export async function connectBrokers(bootstrapServers: string, seed: number, timeoutMs = BROKER_CONNECT_TIMEOUT_MS): Promise<LessonBackend & { kind: 'broker' }> {
  const base = realRuntime({ seed, connectTimeoutMs: timeoutMs, requestTimeoutMs: Math.max(timeoutMs, 30_000) });
  // The lesson's clock counts from its start; the real runtime owns the wall clock (src/real/).
  const startMs = base.nowMs();
  const runtime: Runtime = { ...base, nowMs: () => base.nowMs() - startMs };
  let client: KafkaClient | undefined;
  try {
    client = await withTimeout(runtime, KafkaClient.create(runtime, bootstrapServers, { timeoutMs, clientId: 'kafkasim-lesson' }), timeoutMs + 1_000, `no answer within ${timeoutMs} ms`);
  } catch (error) {
    const cause = (error as Error).cause;
    const reason = cause instanceof Error ? `${(error as Error).message} (${cause.message})` : (error as Error).message;
    throw new BrokerUnreachableError(bootstrapServers, reason);
  } finally {
    client?.close();
  }
  return { kind: 'broker', bootstrapServers, runtime };
}

/** `promise`, or a rejection with `reason` after `ms` (a resolver that never answers, a connect that hangs). */
function withTimeout<T>(runtime: Runtime, promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let cancel = () => {};
  const timeout = new Promise<never>((_, reject) => {
    cancel = runtime.timer(ms, () => reject(new Error(reason))).cancel;
  });
  return Promise.race([promise, timeout]).finally(() => cancel());
}

/** Polls `condition` on the wall clock until it holds; throws naming `description` after `timeoutMs`. */
export async function waitUntil(runtime: Runtime, condition: () => boolean, description: string, timeoutMs = 30_000): Promise<void> {
  const deadline = runtime.nowMs() + timeoutMs;
  while (!condition()) {
    if (runtime.nowMs() > deadline) throw new Error(`gave up waiting for ${description} after ${timeoutMs} ms on the broker`);
    await runtime.sleep(10);
  }
}
