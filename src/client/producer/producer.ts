/**
 * `kafka.producer.Producer` (0.8.2), sync or async by `producer.type`.
 *
 * - sync: `send` runs the event handler in the caller's task (one call at a time, as Kafka's
 *   `send` is synchronized) and throws FailedToSendMessage when messages are still unsent after
 *   every retry (the others stay in the log: no rollback).
 * - async: `send` puts each message in a bounded queue (`queue.buffering.max.messages`):
 *   `queue.enqueue.timeout.ms` -1 waits for room, 0 drops at once, > 0 waits that long; a dropped
 *   message throws QueueFull and the rest of that call is not enqueued. A send thread
 *   (`ProducerSendThread`) hands batches to the event handler when `batch.num.messages` are
 *   queued or `queue.buffering.max.ms` has passed since the previous dispatch; a batch that fails
 *   after every retry is logged and dropped. `close` sends what is queued, then stops.
 * Every message gets a ledger entry (ledger.ts) whose fate tells what became of it.
 */
import { BlockingQueue, Mutex } from '../../protocol/concurrency.ts';
import { createMessage, payloadToString, TrackedMessage, type Payload } from '../../protocol/message.ts';
import { ConfigError, FailedToSendMessageError, ProducerClosedError, QueueFullError } from '../errors.ts';
import { ConnectionPool } from '../metadata.ts';
import { parseHostList, type Runtime } from '../runtime.ts';
import { BrokerPartitionInfo } from './broker-partition-info.ts';
import { resolveProducerConfig, type ProducerConfig, type ProducerConfigInput } from './config.ts';
import { DefaultEventHandler, type OutgoingMessage } from './event-handler.ts';
import { ProducerLedger, settle } from './ledger.ts';

/** `KeyedMessage(topic, key, partKey, message)`. */
export interface KeyedMessage {
  readonly topic: string;
  readonly key?: Payload | null;
  /** Partition by this instead of the key (0.8.1+). */
  readonly partKey?: string;
  readonly value: Payload | null;
}

/** `new KeyedMessage(topic, key, value)`. */
export function keyedMessage(topic: string, key: Payload | null, value: Payload | null): KeyedMessage {
  return { topic, key, value };
}

const SHUTDOWN = Symbol('shutdown');

export interface ProducerOptions {
  /**
   * Keep a ledger entry for every message (default true). A long run that does not need the
   * accounting can turn it off: the ledger keeps every message ever sent.
   */
  readonly ledger?: boolean;
}

export class Producer {
  readonly config: ProducerConfig;
  /** Every message's fate (empty when the ledger is off). */
  readonly ledger = new ProducerLedger();
  private readonly keepLedger: boolean;
  private readonly handler: DefaultEventHandler;
  private readonly pool: ConnectionPool;
  private readonly sendLock: Mutex;
  private readonly queue: BlockingQueue<OutgoingMessage | typeof SHUTDOWN> | undefined;
  private sendThreadDone: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly runtime: Runtime,
    config: ProducerConfigInput,
    options: ProducerOptions = {},
  ) {
    this.config = resolveProducerConfig(config);
    this.keepLedger = options.ledger ?? true;
    const brokers = parseHostList(this.config['metadata.broker.list'], 'metadata.broker.list');
    this.pool = new ConnectionPool(runtime, this.config['request.timeout.ms']);
    const info = new BrokerPartitionInfo(runtime, brokers, this.pool, { clientId: this.config['client.id'], timeoutMs: this.config['request.timeout.ms'] });
    this.handler = new DefaultEventHandler(runtime, this.config, info);
    this.sendLock = new Mutex(runtime, 'producer send');
    if (this.config['producer.type'] === 'async') {
      this.queue = new BlockingQueue(runtime, this.config['queue.buffering.max.messages'], 'the producer queue');
      const done = runtime.deferred<void>('the producer send thread to stop');
      this.sendThreadDone = done.promise;
      runtime.spawn(`${runtime.hostName}/ProducerSendThread-${this.config['client.id']}`, async () => {
        try {
          await this.sendThread();
        } finally {
          done.resolve();
        }
      });
    }
  }

  /** Sends messages (sync: waits for the outcome; async: enqueues). */
  async send(...messages: readonly KeyedMessage[]): Promise<void> {
    if (this.closed) throw new ProducerClosedError();
    const outgoing = messages.map((m) => this.prepare(m));
    if (this.queue === undefined) {
      await this.sendLock.run(() => this.handler.handle(outgoing));
      return;
    }
    await this.enqueue(outgoing);
  }

  /** Stops the producer: an async producer first sends what is queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queue !== undefined) {
      await this.queue.put(SHUTDOWN);
      await this.sendThreadDone;
    }
    this.pool.closeAll();
  }

  private prepare(m: KeyedMessage): OutgoingMessage {
    if (typeof m !== 'object' || m === null || typeof m.topic !== 'string' || m.topic.length === 0) {
      throw new ConfigError('message', m, 'a KeyedMessage { topic, key?, partKey?, value }');
    }
    const key = m.key ?? null;
    // With a ledger, a tracked message: logs keep its object, which the ledger entry refers to.
    const message = this.keepLedger ? new TrackedMessage(key, m.value) : createMessage(key, m.value);
    const partitionKey = m.partKey ?? (key === null ? null : payloadToString(key));
    const entry = this.keepLedger ? this.ledger.record(m.topic, key, m.value, message, this.runtime.nowMs()) : undefined;
    return { topic: m.topic, partitionKey, message, entry };
  }

  /** `Producer.asyncSend`. */
  private async enqueue(outgoing: readonly OutgoingMessage[]): Promise<void> {
    const queue = this.queue!;
    const timeoutMs = this.config['queue.enqueue.timeout.ms'];
    for (let i = 0; i < outgoing.length; i++) {
      const m = outgoing[i]!;
      let added: boolean;
      if (timeoutMs === 0) added = queue.offer(m);
      else if (timeoutMs < 0) {
        if (!queue.offer(m)) await queue.put(m);
        added = true;
      } else added = await queue.offerWithin(m, timeoutMs);
      if (!added) {
        const error = new QueueFullError(m.topic);
        for (const dropped of outgoing.slice(i)) if (dropped.entry !== undefined) settle(dropped.entry, 'dropped', this.runtime.nowMs(), error.message);
        if (this.runtime.recording) {
          this.runtime.record(
            'producer.dropped',
            { topic: m.topic, dropped: outgoing.length - i, queued: queue.size },
            `The producer's queue is full (${queue.size} messages): ${outgoing.length - i} message(s) dropped with QueueFull.`,
          );
        }
        throw error;
      }
    }
  }

  /** `ProducerSendThread.processEvents`. */
  private async sendThread(): Promise<void> {
    const queue = this.queue!;
    const batchSize = this.config['batch.num.messages'];
    const queueTimeMs = this.config['queue.buffering.max.ms'];
    let lastSendMs = this.runtime.nowMs();
    let events: OutgoingMessage[] = [];
    let shuttingDown = false;
    while (!shuttingDown) {
      const waitMs = Math.max(0, lastSendMs + queueTimeMs - this.runtime.nowMs());
      const item = queue.pollNow() ?? (await queue.poll(waitMs));
      const expired = item === undefined;
      if (item === SHUTDOWN) shuttingDown = true;
      else if (item !== undefined) {
        events.push(item);
        // What is already queued is taken at once, up to a batch.
        while (events.length < batchSize) {
          const next = queue.pollNow();
          if (next === undefined) break;
          if (next === SHUTDOWN) {
            shuttingDown = true;
            break;
          }
          events.push(next);
        }
      }
      if (events.length >= batchSize || expired) {
        await this.tryToHandle(events);
        lastSendMs = this.runtime.nowMs();
        events = [];
      }
    }
    await this.tryToHandle(events);
  }

  private async tryToHandle(events: OutgoingMessage[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.handler.handle(events);
    } catch (error) {
      if (!(error instanceof FailedToSendMessageError)) throw error;
      if (this.runtime.recording) {
        this.runtime.record(
          'producer.batch-dropped',
          { messages: events.length, unsent: error.unsent },
          `The async producer gave up on a batch of ${events.length} message(s) (${error.message}): it logs the error and drops them.`,
        );
      }
    }
  }
}
