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
  return { key, value, sizeBytes: LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + payloadBytes(key) + payloadBytes(value) };
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
 * record is stored once whatever the replication factor.
 */
export interface MessageBatch {
  readonly baseOffset: number;
  readonly messages: readonly Message[];
  /** Sum of the messages' `sizeBytes`. */
  readonly sizeBytes: number;
}

export function batchOf(baseOffset: number, messages: readonly Message[]): MessageBatch {
  let sizeBytes = 0;
  for (const message of messages) sizeBytes += message.sizeBytes;
  return { baseOffset, messages, sizeBytes };
}

/** The offset after the batch's last message. */
export function nextOffsetOf(batch: MessageBatch): number {
  return batch.baseOffset + batch.messages.length;
}

/** Every message of some batches with its offset (for views, tests and consumers). */
export function* messagesOf(batches: readonly MessageBatch[]): Generator<MessageAndOffset> {
  for (const batch of batches) {
    for (let i = 0; i < batch.messages.length; i++) yield { offset: batch.baseOffset + i, message: batch.messages[i]! };
  }
}

export function payloadToString(payload: Payload | null): string | null {
  if (payload === null || typeof payload === 'string') return payload;
  return new TextDecoder().decode(payload);
}
