/**
 * A broker's own connection to another broker (a follower's fetch channel, the controller's
 * channel, a controlled-shutdown request): connected on first use, closed on any error so the
 * next request reconnects, as Kafka's `BlockingChannel` is by `SimpleConsumer` and
 * `ControllerChannelManager`.
 */
import type { KafkaRequest, ResponseFor } from '../protocol/api.ts';
import { RpcClient } from '../sim/rpc.ts';
import type { BrokerContext } from './broker-context.ts';

export class BrokerChannel {
  private rpc: RpcClient<KafkaRequest, unknown> | undefined;
  private connecting: Promise<RpcClient<KafkaRequest, unknown>> | undefined;

  constructor(
    private readonly ctx: BrokerContext,
    readonly targetId: number,
    /** The socket timeout for connecting and for each request. */
    private readonly timeoutMs: number,
  ) {}

  /** Sends a request; throws ConnectionError or RequestTimeoutError (and closes the channel). */
  async request<R extends KafkaRequest>(request: R): Promise<ResponseFor<R>> {
    const rpc = await this.connect();
    try {
      return (await rpc.request(request, { timeoutMs: this.timeoutMs, what: request.api })) as ResponseFor<R>;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  close(): void {
    this.rpc?.close();
    this.rpc = undefined;
  }

  private connect(): Promise<RpcClient<KafkaRequest, unknown>> {
    if (this.rpc?.isOpen) return Promise.resolve(this.rpc);
    this.connecting ??= (async () => {
      try {
        const target = this.ctx.endpointOf(this.targetId);
        const endpoint = await this.ctx.network.connect(this.ctx.node, target.host, target.port, { timeoutMs: this.timeoutMs });
        this.rpc = new RpcClient<KafkaRequest, unknown>(this.ctx.kernel, endpoint);
        return this.rpc;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }
}
