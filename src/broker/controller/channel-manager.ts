/**
 * `ControllerChannelManager` (0.8.2): one queue and one sender per live broker. Requests to a
 * broker go out in order, one at a time, and each is retried until it succeeds (reconnecting and
 * pausing 300 ms after an error): delivered in order, at least once, until the broker is removed.
 */
import type { KafkaRequest, KafkaResponse } from '../../protocol/api.ts';
import type { Deferred } from '../../protocol/runtime.ts';
import { causeMessage } from '../../sim/errors.ts';
import type { BrokerContext } from '../broker-context.ts';
import { BrokerChannel } from '../broker-channel.ts';

interface Queued {
  readonly request: KafkaRequest;
  readonly callback: ((response: KafkaResponse) => void) | undefined;
}

const RETRY_BACKOFF_MS = 300;

class RequestSendThread {
  private readonly queue: Queued[] = [];
  private readonly channel: BrokerChannel;
  private wakeUp: Deferred<void> | undefined;
  stopped = false;

  constructor(
    private readonly ctx: BrokerContext,
    readonly brokerId: number,
  ) {
    this.channel = new BrokerChannel(ctx, brokerId, ctx.config['controller.socket.timeout.ms']);
    ctx.env.spawn(`broker-${ctx.brokerId}/controller-to-broker-${brokerId}`, () => this.run());
  }

  enqueue(item: Queued): void {
    this.queue.push(item);
    this.wakeUp?.resolve();
  }

  stop(): void {
    this.stopped = true;
    this.channel.close();
    this.wakeUp?.resolve();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const item = this.queue.shift();
      if (item === undefined) {
        this.wakeUp = this.ctx.env.deferred<void>(`controller requests for broker ${this.brokerId}`);
        await this.wakeUp.promise;
        this.wakeUp = undefined;
        continue;
      }
      for (;;) {
        if (this.stopped) return;
        try {
          const response = (await this.channel.request(item.request)) as KafkaResponse;
          item.callback?.(response);
          break;
        } catch (error) {
          if (this.stopped) return;
          this.ctx.narrate(
            'controller.send-failed',
            { broker: this.brokerId, api: item.request.api, error: causeMessage(error) },
            `Controller ${this.ctx.brokerId} could not send ${item.request.api} to broker ${this.brokerId} (${causeMessage(error)}); it retries in ${RETRY_BACKOFF_MS} ms.`,
          );
          await this.ctx.env.sleep(RETRY_BACKOFF_MS);
        }
      }
    }
  }
}

export class ControllerChannelManager {
  private readonly senders = new Map<number, RequestSendThread>();

  constructor(private readonly ctx: BrokerContext) {}

  addBroker(brokerId: number): void {
    if (!this.senders.has(brokerId)) this.senders.set(brokerId, new RequestSendThread(this.ctx, brokerId));
  }

  removeBroker(brokerId: number): void {
    this.senders.get(brokerId)?.stop();
    this.senders.delete(brokerId);
  }

  sendRequest(brokerId: number, request: KafkaRequest, callback?: (response: KafkaResponse) => void): void {
    const sender = this.senders.get(brokerId);
    // Kafka logs "Not sending request ... since it is no longer alive" and drops it.
    if (sender === undefined) return;
    sender.enqueue({ request, callback });
  }

  shutdown(): void {
    for (const sender of this.senders.values()) sender.stop();
    this.senders.clear();
  }
}
