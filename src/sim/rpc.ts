/**
 * Request/response over a connection: correlation ids, per-request timeouts, and failure of
 * every request in flight when the connection ends. Messages the server pushes without a request
 * (ZooKeeper watch events) reach `onPush`, in order with the responses.
 */
import { KafkasimError, withoutStack } from './errors.ts';
import type { Future, Outcome } from './future.ts';
import type { Kernel, Timer } from './kernel.ts';
import { ConnectionError, type CloseReason, type Endpoint } from './network.ts';
import { requireNonNegativeInteger } from './validate.ts';

/** No response arrived within the request's timeout. */
export class RequestTimeoutError extends KafkasimError {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(
    readonly to: string,
    readonly timeoutMs: number,
    readonly what: string,
  ) {
    super(`${what} to ${to} got no response within ${timeoutMs} ms`);
  }
}

type Envelope =
  | { readonly kind: 'request'; readonly id: number; readonly body: unknown }
  | { readonly kind: 'oneway'; readonly body: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly body: unknown }
  | { readonly kind: 'push'; readonly body: unknown };

interface Pending {
  readonly done: (outcome: Outcome<unknown>) => void;
  readonly timer: Timer | undefined;
}

export interface RequestOptions {
  /** Fail with `RequestTimeoutError` after this long without a response (none if undefined). */
  readonly timeoutMs?: number;
  /** What the request is, for errors and deadlock reports ("Fetch"). */
  readonly what?: string;
}

/** The calling side of a connection. */
export class RpcClient<Req, Res> {
  /** Called with every message the server pushes. */
  onPush: (body: unknown) => void = () => {};
  /** Called once when the connection ends, after in-flight requests have failed. */
  onClose: (reason: CloseReason) => void = () => {};
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly kernel: Kernel,
    readonly endpoint: Endpoint,
  ) {
    endpoint.onMessage = (message) => this.receive(message as Envelope);
    endpoint.onClose = (reason) => this.closed(reason);
  }

  get isOpen(): boolean {
    return this.endpoint.isOpen;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  request(body: Req, options: RequestOptions = {}): Future<Res> {
    const what = options.what ?? 'request';
    const future = this.kernel.future<Res>(() => `response to ${what} from ${this.endpoint.remote}`);
    this.call(body, options, (outcome) => (outcome.ok ? future.resolve(outcome.value) : future.reject(outcome.error)));
    return future;
  }

  /**
   * Like `request`, but calls `done` (synchronously, inside the event that settles it) instead of
   * returning a future: for event-driven callers on hot paths.
   */
  call(body: Req, options: RequestOptions, done: (outcome: Outcome<Res>) => void): void {
    const settle = done as (outcome: Outcome<unknown>) => void;
    if (!this.endpoint.isOpen) {
      settle({ ok: false, error: withoutStack(() => new ConnectionError('closed', this.endpoint.local, this.endpoint.remote)) });
      return;
    }
    const id = this.nextId++;
    let timer: Timer | undefined;
    if (options.timeoutMs !== undefined) {
      const timeoutMs = requireNonNegativeInteger('timeoutMs', options.timeoutMs);
      const what = options.what ?? 'request';
      timer = this.kernel.schedule(
        timeoutMs,
        () => {
          if (this.pending.delete(id)) settle({ ok: false, error: withoutStack(() => new RequestTimeoutError(this.endpoint.remote, timeoutMs, what)) });
        },
        { node: this.endpoint.local, label: 'rpc.timeout' },
      );
    }
    this.pending.set(id, { done: settle, timer });
    this.endpoint.send({ kind: 'request', id, body } satisfies Envelope);
  }

  /** Sends a request that gets no response (Kafka's acks=0 produce). */
  send(body: Req): void {
    this.endpoint.send({ kind: 'oneway', body } satisfies Envelope);
  }

  /** Closes the connection; requests in flight fail with `ConnectionError` closed. */
  close(): void {
    if (!this.endpoint.isOpen) return;
    this.endpoint.close();
    this.closed('closed');
  }

  private receive(envelope: Envelope): void {
    if (envelope.kind === 'push') {
      this.onPush(envelope.body);
      return;
    }
    if (envelope.kind !== 'response') return;
    const pending = this.pending.get(envelope.id);
    if (pending === undefined) return; // timed out already
    this.pending.delete(envelope.id);
    pending.timer?.cancel();
    pending.done({ ok: true, value: envelope.body });
  }

  private closed(reason: CloseReason): void {
    if (this.pending.size > 0) {
      const error = withoutStack(() => new ConnectionError(reason, this.endpoint.local, this.endpoint.remote));
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const { done, timer } of pending) {
        timer?.cancel();
        done({ ok: false, error });
      }
    }
    const onClose = this.onClose;
    this.onClose = () => {};
    onClose(reason);
  }
}

/** The answering side of a connection. */
export interface RpcServerHandlers<Req, Res> {
  /**
   * Called with each request. `reply` sends the response (at most once; later calls are
   * ignored); it is undefined for one-way requests.
   */
  onRequest(body: Req, reply: ((response: Res) => void) | undefined): void;
  onClose?(reason: CloseReason): void;
}

export class RpcServer<Req, Res> {
  constructor(
    readonly endpoint: Endpoint,
    handlers: RpcServerHandlers<Req, Res>,
  ) {
    endpoint.onMessage = (message) => {
      const envelope = message as Envelope;
      if (envelope.kind === 'oneway') {
        handlers.onRequest(envelope.body as Req, undefined);
      } else if (envelope.kind === 'request') {
        let replied = false;
        handlers.onRequest(envelope.body as Req, (response) => {
          if (replied) return;
          replied = true;
          endpoint.send({ kind: 'response', id: envelope.id, body: response } satisfies Envelope);
        });
      }
    };
    endpoint.onClose = (reason) => handlers.onClose?.(reason);
  }

  /** Sends a message the client did not ask for (a watch event). */
  push(body: unknown): void {
    this.endpoint.send({ kind: 'push', body } satisfies Envelope);
  }

  close(): void {
    this.endpoint.close();
  }
}
