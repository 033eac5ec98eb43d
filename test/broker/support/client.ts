/**
 * A minimal Kafka client for broker tests (there is no client library yet): typed requests
 * (src/protocol/api.ts) sent from a client node over the simulated network, one connection per
 * broker kept open between requests, as Kafka's `SyncProducer`/`SimpleConsumer` keep theirs.
 *
 * Requests run as kernel tasks on the client node. `start` begins one and returns a handle the
 * test can inspect while it keeps driving the simulation (faults, time); `request` starts one and
 * runs the simulation until it is answered (or fails with a typed error).
 */
import type {
  FetchPartitionData,
  FetchRequest,
  KafkaRequest,
  MetadataRequest,
  OffsetCommitRequest,
  OffsetFetchRequest,
  OffsetRequest,
  ProduceRequest,
  ResponseFor,
} from '../../../src/protocol/api.ts';
import { createMessage, messagesOf, payloadToString, type Message } from '../../../src/protocol/message.ts';
import type { Simulation } from '../../../src/broker/simulation.ts';
import { RpcClient, type Endpoint, type Future } from '../../../src/sim/index.ts';

export interface Pending<T> {
  /** True once answered or failed. */
  readonly settled: boolean;
  /** The response, once answered. */
  readonly response: T | undefined;
  /** Why it failed (ConnectionError, RequestTimeoutError), once failed. */
  readonly error: unknown;
  readonly startedAtMs: number;
  /** Virtual time it settled at. */
  readonly settledAtMs: number | undefined;
  /** Runs the simulation until settled (at most `withinMs` of virtual time), then returns the response or throws. */
  wait(withinMs?: number): Promise<T>;
}

export interface SendOptions {
  /** The socket timeout for this request (default none: wait as long as the test drives). */
  readonly timeoutMs?: number;
}

let correlation = 0;

export class TestClient {
  readonly node: string;
  private readonly rpcs = new Map<number, RpcClient<KafkaRequest, unknown>>();
  private readonly connecting = new Map<number, Future<Endpoint>>();
  private tasks = 0;

  constructor(
    readonly sim: Simulation,
    node = 'client',
  ) {
    this.node = node;
    if (!sim.kernel.hasNode(node)) sim.kernel.addNode(node);
  }

  /** Starts `request` to broker `broker` and returns a handle; the test drives the simulation. */
  start<R extends KafkaRequest>(broker: number, request: R, options: SendOptions = {}): Pending<ResponseFor<R>> {
    const kernel = this.sim.kernel;
    const state: { settled: boolean; response: ResponseFor<R> | undefined; error: unknown; settledAtMs: number | undefined } = {
      settled: false,
      response: undefined,
      error: undefined,
      settledAtMs: undefined,
    };
    const startedAtMs = kernel.nowMs;
    kernel.spawn(
      `${this.node}/${request.api}#${++this.tasks}`,
      async () => {
        let rpc: RpcClient<KafkaRequest, unknown> | undefined;
        try {
          rpc = await this.connection(broker);
          const response = await rpc.request(request, { what: request.api, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
          state.response = response as ResponseFor<R>;
        } catch (error) {
          state.error = error;
          // As Kafka's BlockingChannel users do: after a timeout or an I/O error, reconnect next time.
          if (rpc !== undefined && this.rpcs.get(broker) === rpc) this.disconnect(broker);
        } finally {
          state.settled = true;
          state.settledAtMs = kernel.nowMs;
        }
      },
      { node: this.node, onError: 'record' },
    );
    const sim = this.sim;
    return {
      get settled() {
        return state.settled;
      },
      get response() {
        return state.response;
      },
      get error() {
        return state.error;
      },
      startedAtMs,
      get settledAtMs() {
        return state.settledAtMs;
      },
      async wait(withinMs = 120_000) {
        await runUntilOrDeadline(sim, () => state.settled, withinMs, `${request.api} to broker ${broker} to be answered`);
        if (state.error !== undefined) throw state.error;
        return state.response!;
      },
    };
  }

  /** Sends `request` to broker `broker` and runs the simulation until it is answered. */
  request<R extends KafkaRequest>(broker: number, request: R, options: SendOptions & { withinMs?: number } = {}): Promise<ResponseFor<R>> {
    return this.start(broker, request, options).wait(options.withinMs);
  }

  /**
   * Sends a request that gets no response (a produce with acks=0) once the connection is open,
   * and runs the simulation until it has left (not until the broker handled it).
   */
  async sendOneWay(broker: number, request: KafkaRequest): Promise<void> {
    let sent = false;
    this.sim.kernel.spawn(
      `${this.node}/${request.api}#${++this.tasks} (one-way)`,
      async () => {
        const rpc = await this.connection(broker);
        rpc.send(request);
        sent = true;
      },
      { node: this.node },
    );
    await runUntilOrDeadline(this.sim, () => sent, 60_000, `${request.api} to broker ${broker} to be sent`);
  }

  /** Sends a one-way request (acks=0) in the background; a connection failure is ignored. */
  fireOneWay(broker: number, request: KafkaRequest): void {
    this.sim.kernel.spawn(
      `${this.node}/${request.api}#${++this.tasks} (one-way)`,
      async () => {
        try {
          (await this.connection(broker)).send(request);
        } catch {
          // refused or timed out: the message is simply not sent
        }
      },
      { node: this.node, onError: 'record' },
    );
  }

  /** True while the client's connection to `broker` is open. */
  isConnected(broker: number): boolean {
    return this.rpcs.get(broker)?.isOpen ?? false;
  }

  /** Closes the connection to `broker` (the next request reconnects). */
  disconnect(broker: number): void {
    this.rpcs.get(broker)?.close();
    this.rpcs.delete(broker);
  }

  private async connection(broker: number): Promise<RpcClient<KafkaRequest, unknown>> {
    const open = this.rpcs.get(broker);
    if (open?.isOpen) return open;
    let connecting = this.connecting.get(broker);
    if (connecting === undefined) {
      const endpoint = this.sim.endpointOf(broker);
      connecting = this.sim.network.connect(this.node, endpoint.host, endpoint.port, { timeoutMs: 10_000 });
      this.connecting.set(broker, connecting);
    }
    try {
      const endpoint = await connecting;
      let rpc = this.rpcs.get(broker);
      if (rpc === undefined || rpc.endpoint !== endpoint) {
        rpc = new RpcClient<KafkaRequest, unknown>(this.sim.kernel, endpoint);
        this.rpcs.set(broker, rpc);
      }
      return rpc;
    } finally {
      this.connecting.delete(broker);
    }
  }
}

/** Runs `sim` until `predicate` holds; fails (naming `what`) if `withinMs` of virtual time pass first. */
export async function runUntilOrDeadline(sim: Simulation, predicate: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = sim.kernel.nowMs + withinMs;
  await sim.runUntil(() => predicate() || sim.kernel.nowMs > deadline, { description: what });
  if (!predicate()) throw new Error(`${what} did not happen within ${withinMs} ms of virtual time (now ${sim.kernel.nowMs} ms)`);
}

// ------------------------------------------------------------------------------------ builders

function nextCorrelationId(): number {
  return ++correlation;
}

/** Messages with the given values (null keys). */
export function messages(values: readonly string[]): Message[] {
  return values.map((value) => createMessage(null, value));
}

export function produceRequest(
  topic: string,
  partition: number,
  values: readonly string[],
  options: { readonly acks?: number; readonly ackTimeoutMs?: number } = {},
): ProduceRequest {
  return {
    api: 'Produce',
    clientId: 'test-producer',
    correlationId: nextCorrelationId(),
    requiredAcks: options.acks ?? 1,
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    data: [{ topic, partition, messages: messages(values) }],
  };
}

export function fetchRequest(
  topic: string,
  partition: number,
  fetchOffset: number,
  options: { readonly replicaId?: number; readonly maxWait?: number; readonly minBytes?: number; readonly fetchSize?: number } = {},
): FetchRequest {
  return {
    api: 'Fetch',
    clientId: 'test-consumer',
    correlationId: nextCorrelationId(),
    replicaId: options.replicaId ?? -1,
    maxWait: options.maxWait ?? 0,
    minBytes: options.minBytes ?? 0,
    partitions: [{ topic, partition, fetchOffset, fetchSize: options.fetchSize ?? 1024 * 1024 }],
  };
}

export function offsetsRequest(
  topic: string,
  partition: number,
  time: number,
  options: { readonly replicaId?: number; readonly maxNumOffsets?: number } = {},
): OffsetRequest {
  return {
    api: 'Offsets',
    clientId: 'test-consumer',
    correlationId: nextCorrelationId(),
    replicaId: options.replicaId ?? -1,
    partitions: [{ topic, partition, time, maxNumOffsets: options.maxNumOffsets ?? 1 }],
  };
}

export function metadataRequest(topics: readonly string[]): MetadataRequest {
  return { api: 'Metadata', clientId: 'test-client', correlationId: nextCorrelationId(), topics };
}

export function offsetCommitRequest(
  groupId: string,
  offsets: readonly { topic: string; partition: number; offset: number; metadata?: string }[],
): OffsetCommitRequest {
  return {
    api: 'OffsetCommit',
    clientId: 'test-consumer',
    correlationId: nextCorrelationId(),
    groupId,
    offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
  };
}

export function offsetFetchRequest(groupId: string, partitions: readonly { topic: string; partition: number }[]): OffsetFetchRequest {
  return { api: 'OffsetFetch', clientId: 'test-consumer', correlationId: nextCorrelationId(), groupId, partitions };
}

/** The values of the complete messages a fetch returned, with their offsets. */
export function fetched(data: FetchPartitionData): { offset: number; value: string | null }[] {
  return [...messagesOf(data.batches)].map(({ offset, message }) => ({ offset, value: payloadToString(message.value) }));
}

/** Just the values a fetch returned. */
export function fetchedValues(data: FetchPartitionData): (string | null)[] {
  return fetched(data).map((m) => m.value);
}
