/**
 * A Kafka 0.8 message (`kafka.message.Message`, magic 0) as the simulation carries it: a key, a
 * value, and the number of bytes it takes in a message set, computed once when the message is
 * created (the log and fetch byte limits use it on every read).
 *
 * Wire layout being counted: in a message set each entry is offset (8) + size (4) = LogOverhead
 * (12), then the message: crc (4) + magic (1) + attributes (1) + key length (4) + key + value
 * length (4) + value = Message.MinHeaderSize (14) + key + value. Compression is not modelled.
 */

/** Bytes as a learner writes them (a string, UTF-8 on the wire) or raw bytes. */
export type Payload = string | Uint8Array;

export interface Message {
  readonly key: Payload | null;
  readonly value: Payload | null;
  /** LogOverhead + Message.MinHeaderSize + key bytes + value bytes. */
  readonly sizeBytes: number;
}

/** `MessageSet.LogOverhead`: offset (8) + message size (4). */
export const LOG_OVERHEAD_BYTES = 12;
/** `Message.MinHeaderSize`: crc, magic, attributes, key length, value length. */
export const MESSAGE_HEADER_BYTES = 14;

export function createMessage(key: Payload | null, value: Payload | null): Message {
  return { key, value, sizeBytes: messageSizeBytes(key, value) };
}

/**
 * A message whose object a log keeps (`batchOf` stores it as it is, not in columns): what a
 * producer keeping a ledger sends, so that the copies of one send in the logs are told apart from
 * sends of equal payloads by identity (the ledger keeps every message anyway).
 */
export class TrackedMessage implements Message {
  readonly sizeBytes: number;

  constructor(
    readonly key: Payload | null,
    readonly value: Payload | null,
  ) {
    this.sizeBytes = messageSizeBytes(key, value);
  }
}

/** A message's `sizeBytes`: LogOverhead + Message.MinHeaderSize + key bytes + value bytes. */
export function messageSizeBytes(key: Payload | null, value: Payload | null): number {
  return LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + payloadBytes(key) + payloadBytes(value);
}

/** The message's own size (`Message.size`), which `message.max.bytes` limits. */
export function messageBodyBytes(message: Message): number {
  return message.sizeBytes - LOG_OVERHEAD_BYTES;
}

export function payloadBytes(payload: Payload | null): number {
  if (payload === null) return 0;
  if (typeof payload !== 'string') return payload.byteLength;
  return utf8Length(payload);
}

/** Only ASCII characters: their UTF-8 length is the string's length. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  // V8's regular expression engine tests a string for ASCII several times faster than a
  // charCodeAt loop; most keys and values are ASCII (e2e benchmark: ~10% of the producer's time).
  if (ASCII_ONLY.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
        i++;
        continue;
      }
      bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** A message with its offset in a partition. */
export interface MessageAndOffset {
  readonly offset: number;
  readonly message: Message;
}

/**
 * Consecutive messages of one partition starting at `baseOffset`. Logs store batches (one per
 * produce request and partition, as a leader appends them) and replicas share batch objects, so a
 * record is stored once whatever the replication factor. Hot paths read a batch through `count`
 * and the `…At(index)` accessors, which make no object per message.
 */
export interface MessageBatch {
  readonly baseOffset: number;
  /** How many messages: the batch holds offsets `baseOffset` to `baseOffset + count - 1`. */
  readonly count: number;
  /** Sum of the messages' `sizeBytes`. */
  readonly sizeBytes: number;
  keyAt(index: number): Payload | null;
  valueAt(index: number): Payload | null;
  /** The `sizeBytes` of message `index`. */
  sizeBytesAt(index: number): number;
  /** Message `index`: for a columnar batch a new object on every call, kept by nothing. */
  messageAt(index: number): Message;
  /** Whether message `index` is `message`: the same object, or the same key and value payloads. */
  holds(index: number, message: Message): boolean;
  /** Every message, for code off the hot paths (views, tests, invariants); built on every read. */
  readonly messages: readonly Message[];
  /** Messages `from` to `to` (exclusive) as a batch starting at offset `baseOffset + from`. */
  slice(from: number, to: number): MessageBatch;
  /** The same messages (shared, not copied) as a batch starting at offset `baseOffset`. */
  at(baseOffset: number): MessageBatch;
}

/**
 * What a produce request carries for one partition: the messages, or a batch of them stored as
 * they arrived (the gateway's records: `WireRecordBatch`), whose own base offset means nothing
 * until the leader assigns offsets (`Log.append` with `assignOffsets = true`).
 */
export type ProducedMessages = readonly Message[] | MessageBatch;

/** How many messages a produce carries for a partition. */
export function producedCount(messages: ProducedMessages): number {
  return isBatch(messages) ? messages.count : messages.length;
}

/** The produced messages as a list (a batch's `messages`: built on every read, off the hot paths). */
export function producedMessages(messages: ProducedMessages): readonly Message[] {
  return isBatch(messages) ? messages.messages : messages;
}

/** The produced messages as the batch a leader stores at `baseOffset` (`batchOf` for a list). */
export function producedBatch(messages: ProducedMessages, baseOffset: number): MessageBatch {
  return isBatch(messages) ? messages.at(baseOffset) : batchOf(baseOffset, messages);
}

/** The size of the largest message (`Message.size`, which `message.max.bytes` limits); 0 for none. */
export function largestMessageBodyBytes(messages: ProducedMessages): number {
  let largest = 0;
  if (isBatch(messages)) {
    for (let i = 0; i < messages.count; i++) largest = Math.max(largest, messages.sizeBytesAt(i) - LOG_OVERHEAD_BYTES);
  } else {
    for (const message of messages) largest = Math.max(largest, messageBodyBytes(message));
  }
  return largest;
}

function isBatch(messages: ProducedMessages): messages is MessageBatch {
  return !Array.isArray(messages);
}

/**
 * A batch of messages whose payloads are fields of their own (`createMessage`'s): the payloads go
 * into two arrays and the message objects are dropped. A log of a million records would otherwise
 * keep a million message objects, each of which survives the young generation and is copied by
 * the garbage collector (the e2e benchmark spent about a quarter of its time in GC); sizes are
 * computed again when asked, as only the batches at the edges of a read need them.
 */
export class ColumnarBatch implements MessageBatch {
  constructor(
    readonly baseOffset: number,
    private readonly keys: readonly (Payload | null)[],
    private readonly values: readonly (Payload | null)[],
    readonly sizeBytes: number,
  ) {}

  static of(baseOffset: number, messages: readonly Message[]): ColumnarBatch {
    const keys = new Array<Payload | null>(messages.length);
    const values = new Array<Payload | null>(messages.length);
    let sizeBytes = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      keys[i] = message.key;
      values[i] = message.value;
      sizeBytes += message.sizeBytes;
    }
    return new ColumnarBatch(baseOffset, keys, values, sizeBytes);
  }

  get count(): number {
    return this.keys.length;
  }

  keyAt(index: number): Payload | null {
    return this.keys[index]!;
  }

  valueAt(index: number): Payload | null {
    return this.values[index]!;
  }

  sizeBytesAt(index: number): number {
    return messageSizeBytes(this.keys[index]!, this.values[index]!);
  }

  messageAt(index: number): Message {
    return createMessage(this.keys[index]!, this.values[index]!);
  }

  holds(index: number, message: Message): boolean {
    return this.keys[index] === message.key && this.values[index] === message.value;
  }

  get messages(): readonly Message[] {
    return this.keys.map((key, i) => createMessage(key, this.values[i]!));
  }

  slice(from: number, to: number): MessageBatch {
    if (from === 0 && to === this.count) return this;
    let sizeBytes = 0;
    for (let i = from; i < to; i++) sizeBytes += this.sizeBytesAt(i);
    return new ColumnarBatch(this.baseOffset + from, this.keys.slice(from, to), this.values.slice(from, to), sizeBytes);
  }

  at(baseOffset: number): MessageBatch {
    return new ColumnarBatch(baseOffset, this.keys, this.values, this.sizeBytes);
  }
}

/**
 * A batch that keeps its message objects: a `TrackedMessage`'s identity, or messages whose payloads
 * are computed from bytes they refer to (the gateway's `WireMessage`s of legacy or decompressed
 * records, whose payload views would cost more to keep than the message itself; uncompressed
 * record batches are kept as a `WireRecordBatch`); also the plain representation tests compare
 * the columnar one with.
 */
export class MessageListBatch implements MessageBatch {
  readonly sizeBytes: number;

  constructor(
    readonly baseOffset: number,
    readonly messages: readonly Message[],
  ) {
    let sizeBytes = 0;
    for (const message of messages) sizeBytes += message.sizeBytes;
    this.sizeBytes = sizeBytes;
  }

  get count(): number {
    return this.messages.length;
  }

  keyAt(index: number): Payload | null {
    return this.messages[index]!.key;
  }

  valueAt(index: number): Payload | null {
    return this.messages[index]!.value;
  }

  sizeBytesAt(index: number): number {
    return this.messages[index]!.sizeBytes;
  }

  messageAt(index: number): Message {
    return this.messages[index]!;
  }

  holds(index: number, message: Message): boolean {
    return this.messages[index] === message;
  }

  slice(from: number, to: number): MessageBatch {
    if (from === 0 && to === this.count) return this;
    return new MessageListBatch(this.baseOffset + from, this.messages.slice(from, to));
  }

  at(baseOffset: number): MessageBatch {
    return new MessageListBatch(baseOffset, this.messages);
  }
}

/**
 * The messages as a batch at `baseOffset`: columnar when every message is plain (`createMessage`'s
 * object literals), else a list of the objects themselves (a `TrackedMessage` keeps its identity,
 * a `WireMessage` its bytes; see `MessageListBatch`). The batch keeps no reference to the
 * caller's array.
 */
export function batchOf(baseOffset: number, messages: readonly Message[]): MessageBatch {
  for (const message of messages) {
    if (Object.getPrototypeOf(message) !== Object.prototype) return new MessageListBatch(baseOffset, messages.slice());
  }
  return ColumnarBatch.of(baseOffset, messages);
}

/** The offset after the batch's last message. */
export function nextOffsetOf(batch: MessageBatch): number {
  return batch.baseOffset + batch.count;
}

/** Every message of some batches with its offset (for views, tests and consumers). */
export function* messagesOf(batches: readonly MessageBatch[]): Generator<MessageAndOffset> {
  for (const batch of batches) {
    for (let i = 0; i < batch.count; i++) yield { offset: batch.baseOffset + i, message: batch.messageAt(i) };
  }
}

export function payloadToString(payload: Payload | null): string | null {
  if (payload === null || typeof payload === 'string') return payload;
  return new TextDecoder().decode(payload);
}
