/**
 * The simulator's message batches (`MessageBatch`, src/protocol/message.ts) in a fetch response's
 * record format, encoded once per batch: a batch is immutable and shared by every replica's log,
 * so its record batch v2 bytes (at its base offset) are cached by object identity and every later
 * fetch of it, by any consumer from any replica, copies those bytes (`fetchRecordChunks` returns
 * them as chunks the Fetch encoder writes back to back). This is Kafka's own fetch path in spirit:
 * the broker serves stored batch bytes without re-encoding records.
 *
 * Modelled: record batches v2 for Fetch v4+, message sets of magic 1 for v2-v3 and magic 0 for
 * v0-v1 (the down-conversion Kafka does for old fetch versions; not cached, as no default client
 * fetches below v4). Each internal batch is one record batch.
 * Not modelled: record timestamps (-1: the 0.8.2 log keeps none) and headers (none), producer ids
 * (-1, not idempotent), compression (a stored batch is served uncompressed), the partition leader
 * epoch (-1).
 */
import { LOG_OVERHEAD_BYTES, MESSAGE_HEADER_BYTES, type Message, type MessageBatch, type Payload } from '../message.ts';
import { WireWriter } from './primitives.ts';
import { encodeMessageSet, encodeRecordBatch, type RecordInput } from './records.ts';

/**
 * A message whose key and value stay where they arrived, in a record of a request's bytes: what
 * `WireRecordBatch.messageAt` hands out. It holds only the bytes and where the record's key
 * starts (its varint length, then the key, then the value's varint length and the value, as
 * `readRecordSpans` found and checked them), and reads the lengths again when asked. `key` and
 * `value` are views made on each read, equal in content to the bytes sent. The bytes must not be
 * reused while the message lives (a request frame never is).
 */
export class WireMessage implements Message {
  constructor(
    readonly bytes: Uint8Array,
    /** Where the record's key length (a zigzag varint) is. */
    readonly at: number,
  ) {}

  get key(): Uint8Array | null {
    return keyIn(this.bytes, this.at);
  }

  get value(): Uint8Array | null {
    return valueIn(this.bytes, this.at);
  }

  /** `createMessage`'s size: LogOverhead + Message.MinHeaderSize + key and value bytes. */
  get sizeBytes(): number {
    return sizeBytesIn(this.bytes, this.at);
  }

  /** As a plain message serialises (key, value, sizeBytes), not its position. */
  toJSON(): { key: Uint8Array | null; value: Uint8Array | null; sizeBytes: number } {
    return { key: this.key, value: this.value, sizeBytes: this.sizeBytes };
  }
}

/**
 * The records of a produce request's record set for one partition, stored as they arrived: the
 * request's bytes and where each record's key starts (an Int32Array: four bytes per record), as
 * Kafka's log keeps the bytes a producer sent. No object per record: a log of a million records
 * would otherwise keep a million objects, each copied by the garbage collector when it survives
 * the young generation (the gateway's kcat produce spent a fifth of its time in GC). Payloads are
 * views made on each read; sizes are read again when asked. Leaders assign offsets (`at`),
 * followers share the batch.
 */
export class WireRecordBatch implements MessageBatch {
  constructor(
    readonly baseOffset: number,
    private readonly bytes: Uint8Array,
    /** Where each record's key length is in `bytes`. */
    private readonly positions: Int32Array,
    readonly sizeBytes: number,
  ) {}

  /** The records of `bytes` whose keys start at `positions`, at base offset 0 until a leader assigns offsets. */
  static of(bytes: Uint8Array, positions: Int32Array): WireRecordBatch {
    let sizeBytes = 0;
    for (let i = 0; i < positions.length; i++) sizeBytes += sizeBytesIn(bytes, positions[i]!);
    return new WireRecordBatch(0, bytes, positions, sizeBytes);
  }

  get count(): number {
    return this.positions.length;
  }

  keyAt(index: number): Uint8Array | null {
    return keyIn(this.bytes, this.positions[index]!);
  }

  valueAt(index: number): Uint8Array | null {
    return valueIn(this.bytes, this.positions[index]!);
  }

  sizeBytesAt(index: number): number {
    return sizeBytesIn(this.bytes, this.positions[index]!);
  }

  messageAt(index: number): Message {
    return new WireMessage(this.bytes, this.positions[index]!);
  }

  /** The same record: a `WireMessage` of the same bytes at the same place (what `messageAt` hands out). */
  holds(index: number, message: Message): boolean {
    return message instanceof WireMessage && message.bytes === this.bytes && message.at === this.positions[index];
  }

  get messages(): readonly Message[] {
    return Array.from(this.positions, (at) => new WireMessage(this.bytes, at));
  }

  slice(from: number, to: number): MessageBatch {
    if (from === 0 && to === this.count) return this;
    let sizeBytes = 0;
    for (let i = from; i < to; i++) sizeBytes += this.sizeBytesAt(i);
    return new WireRecordBatch(this.baseOffset + from, this.bytes, this.positions.subarray(from, to), sizeBytes);
  }

  at(baseOffset: number): MessageBatch {
    return new WireRecordBatch(baseOffset, this.bytes, this.positions, this.sizeBytes);
  }
}

function keyIn(bytes: Uint8Array, at: number): Uint8Array | null {
  const length = readVarint(bytes, at);
  if (length < 0) return null;
  const from = at + varintBytes(bytes, at);
  return bytes.subarray(from, from + length);
}

function valueIn(bytes: Uint8Array, at: number): Uint8Array | null {
  const keyLength = readVarint(bytes, at);
  at += varintBytes(bytes, at) + (keyLength < 0 ? 0 : keyLength);
  const length = readVarint(bytes, at);
  if (length < 0) return null;
  const from = at + varintBytes(bytes, at);
  return bytes.subarray(from, from + length);
}

/** `createMessage`'s size of the record whose key starts at `at`. */
function sizeBytesIn(bytes: Uint8Array, at: number): number {
  const keyLength = readVarint(bytes, at);
  at += varintBytes(bytes, at);
  if (keyLength > 0) at += keyLength;
  const valueLength = readVarint(bytes, at);
  return LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + (keyLength < 0 ? 0 : keyLength) + (valueLength < 0 ? 0 : valueLength);
}

/** The zigzag varint at `at` (already checked when the record was read). */
function readVarint(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return (value >>> 1) ^ -(value & 1);
  }
}

/** How many bytes the varint at `at` takes. */
function varintBytes(bytes: Uint8Array, at: number): number {
  let n = 1;
  while (bytes[at + n - 1]! >= 0x80) n++;
  return n;
}

const cache = new WeakMap<MessageBatch, Uint8Array>();
const utf8 = new TextEncoder();
const NO_CHUNKS: readonly Uint8Array[] = [];

/** The batch as one record batch v2 at its base offset (encoded on first use, then cached). */
export function recordBatchBytes(batch: MessageBatch): Uint8Array {
  let bytes = cache.get(batch);
  if (bytes === undefined) {
    const writer = new WireWriter(batch.sizeBytes + 64);
    encodeRecordBatch(writer, { baseOffset: batch.baseOffset, records: recordsOf(batch) });
    bytes = writer.toBytes();
    cache.set(batch, bytes);
  }
  return bytes;
}

/**
 * A fetch response partition's `records` for fetch version `version`: one chunk per non-empty
 * batch (record batches v2 for v4+, else a legacy message set), for the Fetch encoder to write
 * back to back without concatenating them first.
 */
export function fetchRecordChunks(batches: readonly MessageBatch[], version: number): readonly Uint8Array[] {
  if (batches.length === 0) return NO_CHUNKS;
  const chunks: Uint8Array[] = [];
  for (const batch of batches) {
    if (batch.count === 0) continue;
    if (version >= 4) chunks.push(recordBatchBytes(batch));
    else {
      const writer = new WireWriter(batch.sizeBytes + 8 * batch.count);
      encodeMessageSet(writer, version >= 2 ? 1 : 0, batch.baseOffset, recordsOf(batch));
      chunks.push(writer.toBytes());
    }
  }
  return chunks;
}

function recordsOf(batch: MessageBatch): RecordInput[] {
  const records = new Array<RecordInput>(batch.count);
  for (let i = 0; i < batch.count; i++) records[i] = { key: bytesOf(batch.keyAt(i)), value: bytesOf(batch.valueAt(i)) };
  return records;
}

function bytesOf(payload: Payload | null): Uint8Array | null {
  return typeof payload === 'string' ? utf8.encode(payload) : payload;
}
