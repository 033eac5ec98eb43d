/**
 * The bytes of a `records` field: record batches (magic 2, `DefaultRecordBatch`, Kafka 0.11+) and
 * legacy message sets (magic 0 and 1, `LegacyRecord`, Kafka 0.8 and 0.10).
 *
 * A record batch v2 is a 61-byte header (base offset, batch length, partition leader epoch, magic,
 * CRC-32C, attributes, last offset delta, first and max timestamps, producer id and epoch, base
 * sequence, record count) and its records, each with varint lengths: attributes, timestamp and
 * offset deltas, key, value, headers. The CRC covers attributes to the end, so the base offset and
 * the partition leader epoch can be rewritten in place (`setBatchBaseOffset`) without
 * recomputing it: a stored batch is served at its offset by copying bytes.
 * A legacy entry is offset, size, CRC-32 (magic to end), magic, attributes, a timestamp (magic 1),
 * key and value; a compressed one (a "wrapper") holds a message set in its value, with offsets
 * relative to the wrapper's (magic 1) or absolute (magic 0).
 *
 * Decoding is lazy: `readRecordBatches` reads only batch headers (a view per batch, no copy) and
 * `decodeRecords` reads one batch's records when someone needs them. A CRC is checked before the
 * header is read, so a corrupt batch is reported as such whichever field the damage hit. Both
 * magics share byte 16 for the magic, which is how `decodeRecordSet` tells them apart.
 * Modelled compression: none and gzip (node:zlib), both ways; snappy, lz4 and zstd raise
 * `UnsupportedCompressionError` (the broker answers UNSUPPORTED_COMPRESSION_TYPE, 76).
 * Not modelled: control batches' contents (transaction markers; they decode as plain records),
 * legacy message sets with compression on encode (only uncompressed down-conversion is needed).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { InvalidArgumentError } from '../../sim/errors.ts';
import { utf8Length } from '../message.ts';
import { crc32, crc32c } from './crc32c.ts';
import { UnsupportedCompressionError, WireDecodeError } from './errors.ts';
import { WireReader, WireWriter, varintSize, varlongSize } from './primitives.ts';

export const Compression = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;

/** Bytes of a v2 batch header, before its records (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`). */
export const RECORD_BATCH_OVERHEAD = 61;
/** Where a v2 batch's CRC is. */
const CRC_OFFSET = 17;
/** Where the CRC-covered part of a v2 batch starts (the attributes). */
const ATTRIBUTES_OFFSET = 21;
/** Offset (8) + size (4) before every entry of a record set (`Records.LOG_OVERHEAD`). */
const LOG_OVERHEAD = 12;
/** Where the magic byte is, in both formats. */
const MAGIC_OFFSET = 16;
/** attributes bit 3: timestamps are the broker's append time. */
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
/** A record is at least 7 bytes: length, attributes, two deltas, key and value lengths, header count. */
const MIN_RECORD_BYTES = 7;
/** Decompressed bytes allowed per batch: a gzip bomb fails instead of exhausting memory. */
const MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

/** A v2 batch header, read without its records. */
export interface RecordBatchHeader {
  readonly baseOffset: number;
  /** Bytes after this field (partition leader epoch to the end). */
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

/** A v2 batch found in a record set: its header and its bytes (a view from base offset to end). */
export interface RecordBatchView extends RecordBatchHeader {
  readonly bytes: Uint8Array;
}

export interface RecordHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

export interface DecodedRecord {
  readonly offset: number;
  /** ms; -1 when the producer gave none (magic 0). */
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly RecordHeader[];
}

/**
 * A key or value to encode: bytes, or a string, written as its UTF-8 bytes straight into the
 * record set (a producer's payloads are mostly strings: no encoded copy of each is made first).
 */
export type PayloadInput = Uint8Array | string | null;

/** A record to encode. */
export interface RecordInput {
  readonly key: PayloadInput;
  readonly value: PayloadInput;
  /** Default []. Legacy messages have none. */
  readonly headers?: readonly RecordHeader[];
  /** ms; default -1 (none). */
  readonly timestamp?: number;
}

export interface RecordBatchInput {
  readonly baseOffset: number;
  /** Default -1 (unknown; a leader stamps its epoch). */
  readonly partitionLeaderEpoch?: number;
  /** `Compression.None` (default) or `Compression.Gzip`. */
  readonly compression?: number;
  /** Default false: CreateTime. */
  readonly logAppendTime?: boolean;
  /** Default -1 (not idempotent). */
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly isTransactional?: boolean;
  readonly records: readonly RecordInput[];
}

export interface RecordSetOptions {
  /** A fetch response may end in a batch cut at the byte limit: ignore it instead of failing. */
  readonly allowPartialTail?: boolean;
  /** Check each batch's CRC (a mismatch is a `WireDecodeError`). */
  readonly verifyCrc?: boolean;
}

const NO_HEADERS: readonly RecordHeader[] = [];
const NO_OPTIONS: RecordSetOptions = {};

/** The magic of a record set's first entry, or -1 when it is too short to have one. */
export function recordSetMagic(records: Uint8Array): number {
  return records.length > MAGIC_OFFSET ? records[MAGIC_OFFSET]! : -1;
}

/** Splits a record set of v2 batches into views, reading only their headers. */
export function readRecordBatches(records: Uint8Array, options: RecordSetOptions = NO_OPTIONS): RecordBatchView[] {
  const reader = new WireReader(records, 0, records.length, 'record batch');
  const batches: RecordBatchView[] = [];
  while (reader.remaining > 0) {
    const size = entrySize(reader, options);
    if (size < 0) break;
    const start = reader.pos;
    const magic = records[start + MAGIC_OFFSET]!;
    if (magic !== 2) throw reader.error('magic', `${magic} in a set of record batches (only magic 2 is allowed here)`, start + MAGIC_OFFSET);
    // The CRC first: a corrupt batch is reported as corrupt, whichever field the damage hit.
    if (options.verifyCrc) verifyBatchCrc(reader, start, size);
    batches.push(readBatchHeader(reader, start, size));
    reader.pos = start + size;
  }
  return batches;
}

/** Checks a batch's CRC-32C; throws `WireDecodeError` on a mismatch. */
export function verifyRecordBatch(batch: RecordBatchView): void {
  verifyBatchCrc(new WireReader(batch.bytes, 0, batch.bytes.length, 'record batch'), 0, batch.bytes.length);
}

/** The compression codec of a v2 batch. */
export function batchCompression(batch: RecordBatchHeader): number {
  return batch.attributes & 0x07;
}

/** Whether a v2 batch is a control batch (transaction markers). */
export function isControlBatch(batch: RecordBatchHeader): boolean {
  return (batch.attributes & CONTROL_BIT) !== 0;
}

/**
 * A reader over one v2 batch's records (decompressed when the batch is), once its record count
 * is known to fit in them: a count no bytes can hold fails before anything is allocated for it.
 */
function batchRecordsReader(batch: RecordBatchView): WireReader {
  const codec = batchCompression(batch);
  const body = codec === Compression.None ? batch.bytes : decompress(codec, batch.bytes.subarray(RECORD_BATCH_OVERHEAD), 'record batch');
  const reader = new WireReader(body, codec === Compression.None ? RECORD_BATCH_OVERHEAD : 0, body.length, 'record');
  if (batch.recordCount * MIN_RECORD_BYTES > reader.remaining) {
    throw reader.error('record count', `${batch.recordCount} records cannot fit in ${reader.remaining} bytes`);
  }
  return reader;
}

/**
 * Decodes the records of one v2 batch (decompressing gzip). Throws `WireDecodeError` when they do
 * not match the header, `UnsupportedCompressionError` for other codecs.
 */
export function decodeRecords(batch: RecordBatchView): DecodedRecord[] {
  const reader = batchRecordsReader(batch);
  const records = new Array<DecodedRecord>(batch.recordCount);
  for (let i = 0; i < batch.recordCount; i++) records[i] = readRecord(reader, batch);
  if (reader.remaining !== 0) throw reader.error('records', `${reader.remaining} bytes after the ${batch.recordCount} records the header counts`);
  return records;
}

/**
 * Every record of a record set of any magic, with absolute offsets; CRCs are checked. A legacy
 * wrapper's inner messages are flattened. For clients reading fetch responses, and for brokers
 * accepting old produce versions.
 */
export function decodeRecordSet(records: Uint8Array, options: RecordSetOptions = NO_OPTIONS): DecodedRecord[] {
  const reader = new WireReader(records, 0, records.length, 'record set');
  const out: DecodedRecord[] = [];
  while (reader.remaining > 0) {
    const size = entrySize(reader, options);
    if (size < 0) break;
    const start = reader.pos;
    const magic = records[start + MAGIC_OFFSET]!;
    if (magic === 2) {
      verifyBatchCrc(reader, start, size);
      const batch = readBatchHeader(reader, start, size);
      for (const record of decodeRecords(batch)) out.push(record);
    } else {
      readLegacyEntry(reader, start, size, out, true);
    }
    reader.pos = start + size;
  }
  return out;
}

/**
 * Where one record's key and value are in `bytes`: at `at`, the key's length as a zigzag varint
 * (-1: null), the key, the value's length likewise, the value; checked, so a reader may trust them.
 */
export type RecordSpanSink = (bytes: Uint8Array, at: number) => void;

/**
 * Every record of a record set, read and checked exactly as `decodeRecordSet` reads it (CRCs,
 * lengths, header counts, gzip) and failing with the same error, but handing `sink` only where
 * each record's key and value are: no view and no record object per record; offsets, timestamps
 * and headers are checked and skipped. Legacy entries (magic 0/1), whose lengths are int32s, are
 * re-encoded as a varint-length key and value in a buffer of their own. For a broker taking in
 * produced records, which keeps only keys and values. Records come in order; a set that fails
 * throws after `sink` has seen the records before the damage, so a caller drops what it collected.
 */
export function readRecordSpans(records: Uint8Array, sink: RecordSpanSink): void {
  const reader = new WireReader(records, 0, records.length, 'record set');
  while (reader.remaining > 0) {
    const size = entrySize(reader, NO_OPTIONS);
    if (size < 0) break;
    const start = reader.pos;
    const magic = records[start + MAGIC_OFFSET]!;
    if (magic === 2) {
      verifyBatchCrc(reader, start, size);
      readBatchSpans(readBatchHeader(reader, start, size), sink);
    } else {
      const legacy: DecodedRecord[] = [];
      readLegacyEntry(reader, start, size, legacy, true);
      for (const record of legacy) sinkViews(record.key, record.value, sink);
    }
    reader.pos = start + size;
  }
}

/** The records of one v2 batch as spans (`decodeRecords` without the record objects). */
function readBatchSpans(batch: RecordBatchView, sink: RecordSpanSink): void {
  const reader = batchRecordsReader(batch);
  const count = batch.recordCount;
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    if (length < 0 || length > reader.remaining) throw reader.error('record length', `${length} is not in [0, ${reader.remaining}]`);
    const end = reader.pos + length;
    reader.int8(); // record attributes
    reader.varlong(); // timestamp delta
    reader.varint(); // offset delta
    const at = reader.pos;
    skipVarintBytes(reader, 'record key');
    skipVarintBytes(reader, 'record value');
    const headerCount = reader.varint();
    if (headerCount < 0 || headerCount * 2 > end - reader.pos) throw reader.error('header count', `${headerCount} headers cannot fit in ${end - reader.pos} bytes`);
    for (let h = 0; h < headerCount; h++) {
      if (skipVarintBytes(reader, 'header key') === -1) throw reader.error('header key', 'null (header keys cannot be null)');
      skipVarintBytes(reader, 'header value');
    }
    if (reader.pos !== end) throw reader.error('record', `read ${reader.pos - (end - length)} bytes of a ${length}-byte record`);
    sink(reader.buffer, at);
  }
  if (reader.remaining !== 0) throw reader.error('records', `${reader.remaining} bytes after the ${count} records the header counts`);
}

/** Skips varint-length bytes; returns the length (-1: null). */
function skipVarintBytes(reader: WireReader, what: string): number {
  const length = reader.varint();
  if (length === -1) return -1;
  if (length < 0) throw reader.error(what, `negative length ${length}`);
  reader.skip(length, what);
  return length;
}

/** A decoded (legacy) record's key and value, re-encoded as varint-length key and value. */
function sinkViews(key: Uint8Array | null, value: Uint8Array | null, sink: RecordSpanSink): void {
  const writer = new WireWriter(10 + (key?.length ?? 0) + (value?.length ?? 0));
  writeVarintPayload(writer, key, payloadLength(key));
  writeVarintPayload(writer, value, payloadLength(value));
  sink(writer.finish(), 0);
}

/** Rewrites a v2 batch's base offset in place (the CRC does not cover it). */
export function setBatchBaseOffset(batch: Uint8Array, baseOffset: number): void {
  writeInt64At(batch, 0, baseOffset);
}

/** Rewrites a v2 batch's partition leader epoch in place (the CRC does not cover it). */
export function setBatchPartitionLeaderEpoch(batch: Uint8Array, epoch: number): void {
  new DataView(batch.buffer, batch.byteOffset, batch.byteLength).setInt32(12, epoch);
}

/** Appends one v2 batch. */
export function encodeRecordBatch(writer: WireWriter, input: RecordBatchInput): void {
  const records = input.records;
  if (records.length === 0) throw new InvalidArgumentError('records', records, 'at least one record');
  const compression = input.compression ?? Compression.None;
  if (compression !== Compression.None && compression !== Compression.Gzip) {
    throw new InvalidArgumentError('compression', compression, `${Compression.None} (none) or ${Compression.Gzip} (gzip)`);
  }
  let baseTimestamp = records[0]!.timestamp ?? -1;
  let maxTimestamp = baseTimestamp;
  for (const record of records) {
    const timestamp = record.timestamp ?? -1;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
  }
  let attributes = compression;
  if (input.logAppendTime) attributes |= TIMESTAMP_TYPE_BIT;
  if (input.isTransactional) attributes |= TRANSACTIONAL_BIT;

  writer.int64(input.baseOffset);
  const lengthAt = writer.reserveInt32();
  writer.int32(input.partitionLeaderEpoch ?? -1);
  writer.int8(2);
  const crcAt = writer.reserveInt32();
  const crcFrom = writer.pos;
  writer.int16(attributes);
  writer.int32(records.length - 1);
  writer.int64(baseTimestamp);
  writer.int64(maxTimestamp);
  writer.int64(input.producerId ?? -1);
  writer.int16(input.producerEpoch ?? -1);
  writer.int32(input.baseSequence ?? -1);
  writer.int32(records.length);
  if (compression === Compression.None) writeRecords(writer, records, baseTimestamp);
  else {
    const plain = new WireWriter(records.length * 32);
    writeRecords(plain, records, baseTimestamp);
    writer.raw(gzipSync(plain.finish()));
  }
  writer.setInt32At(lengthAt, writer.pos - lengthAt - 4);
  writer.setUint32At(crcAt, crc32c(writer.written(crcFrom)));
}

/**
 * Appends an uncompressed legacy message set (magic 0 or 1) with offsets from `baseOffset`: what a
 * broker sends a fetch of v0-v1 (magic 0) or v2-v3 (magic 1), down-converting batches.
 */
export function encodeMessageSet(writer: WireWriter, magic: 0 | 1, baseOffset: number, records: readonly RecordInput[]): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    writer.int64(baseOffset + i);
    const sizeAt = writer.reserveInt32();
    const crcAt = writer.reserveInt32();
    const crcFrom = writer.pos;
    writer.int8(magic);
    writer.int8(0);
    if (magic === 1) writer.int64(record.timestamp ?? -1);
    writeInt32Payload(writer, record.key);
    writeInt32Payload(writer, record.value);
    writer.setInt32At(sizeAt, writer.pos - sizeAt - 4);
    writer.setUint32At(crcAt, crc32(writer.written(crcFrom)));
  }
}

// ------------------------------------------------------------------ internals

/**
 * The size of the entry at the reader's position (offset + size + body), checked against the
 * bytes left; -1 for a partial tail when allowed. Leaves the reader at the entry's start.
 */
function entrySize(reader: WireReader, options: RecordSetOptions): number {
  const start = reader.pos;
  if (reader.remaining < LOG_OVERHEAD + 5) {
    if (options.allowPartialTail) return -1;
    throw reader.error('entry', `${reader.remaining} bytes cannot hold an entry header`);
  }
  reader.pos = start + 8;
  const size = reader.int32();
  reader.pos = start;
  if (size < 5) throw reader.error('entry size', `${size} is too small for an entry`, start + 8);
  if (size > reader.remaining - LOG_OVERHEAD) {
    if (options.allowPartialTail) return -1;
    throw reader.error('entry size', `${size} overruns the ${reader.remaining - LOG_OVERHEAD} bytes left`, start + 8);
  }
  return LOG_OVERHEAD + size;
}

function readBatchHeader(reader: WireReader, start: number, size: number): RecordBatchView {
  if (size < RECORD_BATCH_OVERHEAD) throw reader.error('record batch', `${size} bytes cannot hold a ${RECORD_BATCH_OVERHEAD}-byte header`, start);
  const header = {
    bytes: reader.buffer.subarray(start, start + size),
    baseOffset: reader.int64(),
    batchLength: reader.int32(),
    partitionLeaderEpoch: reader.int32(),
    magic: reader.int8(),
    crc: reader.uint32(),
    attributes: reader.int16(),
    lastOffsetDelta: reader.int32(),
    baseTimestamp: reader.int64(),
    maxTimestamp: reader.int64(),
    producerId: reader.int64(),
    producerEpoch: reader.int16(),
    baseSequence: reader.int32(),
    recordCount: reader.int32(),
  };
  if (header.recordCount < 0) throw reader.error('record count', `negative count ${header.recordCount}`, reader.pos - 4);
  return header;
}

/** Checks the CRC-32C of the v2 batch of `size` bytes at `start` (`size` already checked against the bytes left). */
function verifyBatchCrc(reader: WireReader, start: number, size: number): void {
  if (size < RECORD_BATCH_OVERHEAD) throw reader.error('record batch', `${size} bytes cannot hold a ${RECORD_BATCH_OVERHEAD}-byte header`, start);
  const bytes = reader.buffer;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(start + CRC_OFFSET);
  const actual = crc32c(bytes, start + ATTRIBUTES_OFFSET, start + size);
  if (actual !== stored) {
    throw reader.error('record batch crc', `stored ${stored.toString(16)}, computed ${actual.toString(16)} (corrupt batch)`, start + CRC_OFFSET);
  }
}

function readRecord(reader: WireReader, batch: RecordBatchHeader): DecodedRecord {
  const length = reader.varint();
  if (length < 0 || length > reader.remaining) throw reader.error('record length', `${length} is not in [0, ${reader.remaining}]`);
  const end = reader.pos + length;
  reader.int8(); // record attributes: unused by Kafka
  const timestampDelta = reader.varlong();
  const offsetDelta = reader.varint();
  const key = readVarintBytes(reader, 'record key');
  const value = readVarintBytes(reader, 'record value');
  const headerCount = reader.varint();
  if (headerCount < 0 || headerCount * 2 > end - reader.pos) throw reader.error('header count', `${headerCount} headers cannot fit in ${end - reader.pos} bytes`);
  let headers = NO_HEADERS;
  if (headerCount > 0) {
    const list: RecordHeader[] = [];
    for (let i = 0; i < headerCount; i++) {
      const keyBytes = readVarintBytes(reader, 'header key');
      if (keyBytes === null) throw reader.error('header key', 'null (header keys cannot be null)');
      list.push({ key: utf8Decoder.decode(keyBytes), value: readVarintBytes(reader, 'header value') });
    }
    headers = list;
  }
  if (reader.pos !== end) throw reader.error('record', `read ${reader.pos - (end - length)} bytes of a ${length}-byte record`);
  return {
    offset: batch.baseOffset + offsetDelta,
    timestamp: (batch.attributes & TIMESTAMP_TYPE_BIT) !== 0 ? batch.maxTimestamp : batch.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

const utf8Decoder = new TextDecoder();

function readVarintBytes(reader: WireReader, what: string): Uint8Array | null {
  const length = reader.varint();
  if (length === -1) return null;
  if (length < 0) throw reader.error(what, `negative length ${length}`);
  return reader.take(length, what);
}

function writeRecords(writer: WireWriter, records: readonly RecordInput[], baseTimestamp: number): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const timestampDelta = (record.timestamp ?? -1) - baseTimestamp;
    const headers = record.headers ?? NO_HEADERS;
    const keyBytes = payloadLength(record.key);
    const valueBytes = payloadLength(record.value);
    let size = 1 + varlongSize(timestampDelta) + varintSize(i) + prefixedSize(keyBytes) + prefixedSize(valueBytes) + varintSize(headers.length);
    for (let h = 0; h < headers.length; h++) size += prefixedSize(payloadLength(headers[h]!.key)) + prefixedSize(payloadLength(headers[h]!.value));
    writer.varint(size);
    writer.int8(0);
    writer.varlong(timestampDelta);
    writer.varint(i);
    writeVarintPayload(writer, record.key, keyBytes);
    writeVarintPayload(writer, record.value, valueBytes);
    writer.varint(headers.length);
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!;
      writeVarintPayload(writer, header.key, payloadLength(header.key));
      writeVarintPayload(writer, header.value, payloadLength(header.value));
    }
  }
}

/** A payload's encoded bytes; -1 for null (the length the wire gives it). */
function payloadLength(payload: PayloadInput): number {
  if (payload === null) return -1;
  return typeof payload === 'string' ? utf8Length(payload) : payload.length;
}

/** Bytes of a varint length (`length`, -1: null) and what follows it. */
function prefixedSize(length: number): number {
  return varintSize(length) + Math.max(length, 0);
}

/** `payload` after its varint length `length` (from `payloadLength`). */
function writeVarintPayload(writer: WireWriter, payload: PayloadInput, length: number): void {
  writer.varint(length);
  writePayloadBytes(writer, payload, length);
}

/** `payload` after its int32 length (a legacy message's key and value). */
function writeInt32Payload(writer: WireWriter, payload: PayloadInput): void {
  const length = payloadLength(payload);
  writer.int32(length);
  writePayloadBytes(writer, payload, length);
}

function writePayloadBytes(writer: WireWriter, payload: PayloadInput, length: number): void {
  if (payload === null || length === 0) return;
  if (typeof payload === 'string') writer.utf8Bytes(payload, length);
  else writer.raw(payload);
}

/**
 * Reads the legacy entry at `start` (of `size` bytes) into `out`, expanding a compressed wrapper's
 * inner messages with absolute offsets.
 */
function readLegacyEntry(reader: WireReader, start: number, size: number, out: DecodedRecord[], allowWrapper: boolean): void {
  const offset = reader.int64();
  reader.int32(); // size, checked by entrySize
  const crc = reader.uint32();
  const crcFrom = reader.pos;
  const magic = reader.int8();
  if (magic !== 0 && magic !== 1) throw reader.error('magic', `${magic} (a message set entry has magic 0 or 1)`, crcFrom);
  const attributes = reader.int8();
  const timestamp = magic === 1 ? reader.int64() : -1;
  const key = reader.nullableBytes();
  const value = reader.nullableBytes();
  if (reader.pos !== start + size) throw reader.error('message', `read ${reader.pos - start} bytes of a ${size}-byte entry`);
  const actual = crc32(reader.buffer, crcFrom, reader.pos);
  if (actual !== crc) throw reader.error('message crc', `stored ${crc.toString(16)}, computed ${actual.toString(16)} (corrupt message at offset ${offset})`);
  const codec = attributes & 0x07;
  if (codec === Compression.None) {
    out.push({ offset, timestamp, key, value, headers: NO_HEADERS });
    return;
  }
  if (!allowWrapper) throw reader.error('message', 'a compressed message inside a compressed message', crcFrom);
  if (value === null) throw reader.error('message', 'a compressed message with a null value', crcFrom);
  const inner = decompress(codec, value, 'message set');
  const innerReader = new WireReader(inner, 0, inner.length, 'inner message');
  const first = out.length;
  while (innerReader.remaining > 0) {
    const innerStart = innerReader.pos;
    const innerSize = entrySize(innerReader, NO_OPTIONS);
    readLegacyEntry(innerReader, innerStart, innerSize, out, false);
    innerReader.pos = innerStart + innerSize;
  }
  // Magic 1 inner offsets are relative; the wrapper carries the last one's absolute offset.
  if (magic === 1 && out.length > first) {
    const shift = offset - out[out.length - 1]!.offset;
    for (let i = first; i < out.length; i++) {
      const record = out[i]!;
      out[i] = { ...record, offset: record.offset + shift, timestamp: (attributes & TIMESTAMP_TYPE_BIT) !== 0 ? timestamp : record.timestamp };
    }
  }
}

function decompress(codec: number, bytes: Uint8Array, what: string): Uint8Array {
  if (codec !== Compression.Gzip) throw new UnsupportedCompressionError(codec);
  try {
    const plain = gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    // A plain Uint8Array view, so records decode to the same type whether compressed or not.
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch (cause) {
    throw new WireDecodeError(`${what} gzip data`, 0, cause instanceof Error ? cause.message : String(cause));
  }
}

function writeInt64At(bytes: Uint8Array, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError('offset', value, 'a safe integer');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = Math.floor(value / 4_294_967_296);
  view.setInt32(at, high);
  view.setUint32(at + 4, value - high * 4_294_967_296);
}
