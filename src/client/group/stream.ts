/**
 * What a consumer thread iterates (0.8.2 `KafkaStream`, `ConsumerIterator`, `PartitionTopicInfo`,
 * `FetchedDataChunk`).
 *
 * Fetchers put chunks of fetched messages into the owning thread's queue, which holds at most
 * `queued.max.message.chunks` chunks: a full queue blocks the fetcher (back-pressure). The
 * iterator hands messages out one at a time; handing one out is what moves the partition's
 * consumed offset (the value the next commit writes) to the message's offset + 1, before the
 * application has done anything with it: a crash after the next auto-commit loses it. Messages
 * below the consumed offset are skipped (a refetch after a rebalance). With `consumer.timeout.ms`
 * ≥ 0 a wait longer than that throws ConsumerTimeout (the stream stays usable); a chunk holding no
 * complete message (one larger than `fetch.message.max.bytes`) throws MessageSizeTooLarge.
 */
import { MessageSizeTooLargeError } from '../../protocol/errors.ts';
import { BlockingQueue } from '../../protocol/concurrency.ts';
import type { MessageBatch, Payload } from '../../protocol/message.ts';
import { ConsumerTimeoutError } from '../errors.ts';

export interface MessageAndMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Payload | null;
  readonly value: Payload | null;
}

/** `PartitionTopicInfo`: one owned partition's positions and the queue its chunks go to. */
export class PartitionTopicInfo {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly queue: BlockingQueue<FetchedDataChunk | typeof SHUTDOWN>,
    /** The next offset the application will be given (what a commit writes). */
    public consumedOffset: number,
    /** The next offset to fetch. */
    public fetchedOffset: number,
    readonly fetchSize: number,
    /** The consumer thread that owns the partition. */
    readonly threadId: string,
  ) {}

  get key(): string {
    return `${this.topic}-${this.partition}`;
  }
}

/** `FetchedDataChunk`. */
export interface FetchedDataChunk {
  readonly batches: readonly MessageBatch[];
  readonly topicInfo: PartitionTopicInfo;
  readonly fetchOffset: number;
  /** Not one complete message fitted in the fetch size. */
  readonly tooLarge: boolean;
}

/** Put in every queue at shutdown: the iterator ends. */
export const SHUTDOWN = Symbol('shutdown');

export class KafkaStream implements AsyncIterable<MessageAndMetadata> {
  private chunk: FetchedDataChunk | undefined;
  private batchIndex = 0;
  private messageIndex = 0;
  private ended = false;

  constructor(
    readonly queue: BlockingQueue<FetchedDataChunk | typeof SHUTDOWN>,
    /** The consumer thread id this stream belongs to (`consumerId-N`). */
    readonly threadId: string,
    private readonly consumerTimeoutMs: number,
  ) {}

  /** The next message; `done` after shutdown. Throws ConsumerTimeoutError, MessageSizeTooLargeError. */
  next(): Promise<IteratorResult<MessageAndMetadata, undefined>> {
    // Most calls find a message in the current chunk: answer them without an async function's
    // own promise and frame (the consumer side of the e2e benchmark allocates per message).
    const message = this.fromChunk();
    if (message !== undefined) return Promise.resolve({ value: message, done: false });
    return this.nextFromQueue();
  }

  private async nextFromQueue(): Promise<IteratorResult<MessageAndMetadata, undefined>> {
    for (;;) {
      const message = this.fromChunk();
      if (message !== undefined) return { value: message, done: false };
      if (this.ended) return { value: undefined, done: true };
      let item = this.queue.pollNow();
      if (item === undefined) {
        if (this.consumerTimeoutMs < 0) item = await this.queue.take();
        else {
          item = await this.queue.poll(this.consumerTimeoutMs);
          if (item === undefined) throw new ConsumerTimeoutError(this.consumerTimeoutMs);
        }
      }
      if (item === SHUTDOWN) {
        this.ended = true;
        return { value: undefined, done: true };
      }
      if (item.tooLarge) {
        throw new MessageSizeTooLargeError(
          10,
          `${item.topicInfo.key} at offset ${item.fetchOffset}: a message is larger than this consumer's fetch.message.max.bytes (${item.topicInfo.fetchSize})`,
        );
      }
      const info = item.topicInfo;
      if (info.consumedOffset < item.fetchOffset) {
        // `ConsumerIterator.makeNext`: "consumed offset doesn't match fetch offset; Consumer may lose data".
        info.consumedOffset = item.fetchOffset;
      }
      this.chunk = item;
      this.batchIndex = 0;
      this.messageIndex = 0;
    }
  }

  /** Drops the chunk being iterated (a rebalance clears it with the queues). */
  clear(): void {
    this.chunk = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<MessageAndMetadata, undefined> {
    return { next: () => this.next() };
  }

  private fromChunk(): MessageAndMetadata | undefined {
    const chunk = this.chunk;
    if (chunk === undefined) return undefined;
    const info = chunk.topicInfo;
    while (this.batchIndex < chunk.batches.length) {
      const batch = chunk.batches[this.batchIndex]!;
      while (this.messageIndex < batch.count) {
        const index = this.messageIndex++;
        const offset = batch.baseOffset + index;
        // Skip what was already handed out (a refetch, or a compressed set's older messages).
        if (offset < info.consumedOffset) continue;
        info.consumedOffset = offset + 1;
        return { topic: info.topic, partition: info.partition, offset, key: batch.keyAt(index), value: batch.valueAt(index) };
      }
      this.batchIndex++;
      this.messageIndex = 0;
    }
    this.chunk = undefined;
    return undefined;
  }
}
