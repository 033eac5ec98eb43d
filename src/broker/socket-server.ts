/**
 * The broker's listener (`kafka.network.SocketServer` + `RequestChannel`): one connection per
 * client, requests taken one at a time in arrival order (Kafka stops reading a connection until
 * the response to its current request is sent), each answered by a handler with a response, no
 * response (acks=0) or a closed connection.
 */
import type { KafkaRequest, KafkaResponse } from '../protocol/api.ts';
import type { Endpoint } from '../sim/network.ts';
import { RpcServer } from '../sim/rpc.ts';
import type { BrokerContext } from './broker-context.ts';
import type { RequestChannel } from './handlers/api-context.ts';

export type RequestHandler = (request: KafkaRequest, channel: RequestChannel) => void;

export class SocketServer {
  private stopListening: (() => void) | undefined;
  private readonly open = new Set<RpcServer<KafkaRequest, KafkaResponse>>();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly handle: RequestHandler,
  ) {}

  startup(): void {
    this.stopListening = this.ctx.network.listen(this.ctx.node, this.ctx.config.port, (endpoint) => this.accept(endpoint));
  }

  shutdown(): void {
    this.stopListening?.();
    this.stopListening = undefined;
    for (const server of [...this.open]) server.close();
    this.open.clear();
  }

  private accept(endpoint: Endpoint): void {
    const queue: Array<{ request: KafkaRequest; reply: ((response: KafkaResponse) => void) | undefined }> = [];
    let busy = false;
    let closed = false;
    const server: RpcServer<KafkaRequest, KafkaResponse> = new RpcServer<KafkaRequest, KafkaResponse>(endpoint, {
      onRequest: (request, reply) => {
        queue.push({ request, reply });
        pump();
      },
      onClose: () => {
        closed = true;
        queue.length = 0;
        this.open.delete(server);
      },
    });
    this.open.add(server);
    const pump = () => {
      while (!busy && !closed && queue.length > 0) {
        const { request, reply } = queue.shift()!;
        busy = true;
        let answered = false;
        const done = () => {
          if (answered) return false;
          answered = true;
          busy = false;
          return true;
        };
        const channel: RequestChannel = {
          peer: endpoint.remote,
          respond: (response) => {
            if (!done()) return;
            reply?.(response);
            pump();
          },
          noResponse: () => {
            if (!done()) return;
            pump();
          },
          closeConnection: () => {
            if (!done()) return;
            closed = true;
            queue.length = 0;
            this.open.delete(server);
            server.close();
          },
        };
        this.handle(request, channel);
      }
    };
  }
}
