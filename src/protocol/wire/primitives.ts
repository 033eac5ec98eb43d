/**
 * The Kafka protocol's primitive types (https://kafka.apache.org/protocol#protocol_types) as a
 * growable writer and a bounds-checked reader over `Uint8Array`s, big-endian as Kafka sends them.
 *
 * Modelled: int8/16/32/64, boolean, string and nullable string (int16 length), bytes and nullable
 * bytes (int32 length), array lengths (int32, -1 = null), and the zigzag varint/varlong of record
 * batches (`ByteUtils.readVarint`/`readVarlong`). int64 values travel as JavaScript numbers: every
 * int64 a client sends (offsets, timestamps, producer ids, -1/-2 sentinels) is a safe integer, and
 * one that is not is reported rather than rounded; likewise a varlong must lie in [-2^52, 2^52 - 1].
 * Not modelled: the compact (unsigned varint length) types and tagged fields of flexible versions,
 * because no registered version is flexible (see `registry.ts`); uuid and float64, which no
 * supported version uses.
 *
 * Reading never copies: `bytes()` returns a view into the buffer being read, so a decoded body
 * stays valid as long as its frame is not reused. Every read checks its bounds and every length
 * is checked against the bytes left before anything is allocated, so a hostile length costs
 * nothing; any failure is a `WireDecodeError` saying what was read and where.
 */
import { InvalidArgumentError } from '../../sim/errors.ts';
import { WireDecodeError } from './errors.ts';

const TWO_POW_32 = 4_294_967_296;
const INT16_MIN = -32_768;
const INT16_MAX = 32_767;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const VARLONG_MIN = -(2 ** 52);
const VARLONG_MAX = 2 ** 52 - 1;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A writer whose buffer doubles as it fills; `finish()` returns a view of what was written. */
export class WireWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** The next byte to write. */
  pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forget what was written and keep the buffer (do not reuse it while a view of it is in use). */
  reset(): void {
    this.pos = 0;
  }

  /** A view of the bytes written so far (valid until the next write or `reset`). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far, independent of the writer. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    let size = Math.max(this.buf.length, 16) * 2; // from 16: doubling an empty buffer stays empty
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  int8(value: number): void {
    checkInt('int8', value, -128, 127);
    this.ensure(1);
    this.view.setInt8(this.pos, value);
    this.pos += 1;
  }

  uint8(value: number): void {
    checkInt('uint8', value, 0, 255);
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  int16(value: number): void {
    checkInt('int16', value, INT16_MIN, INT16_MAX);
    this.ensure(2);
    this.view.setInt16(this.pos, value);
    this.pos += 2;
  }

  int32(value: number): void {
    checkInt('int32', value, INT32_MIN, INT32_MAX);
    this.ensure(4);
    this.view.setInt32(this.pos, value);
    this.pos += 4;
  }

  uint32(value: number): void {
    checkInt('uint32', value, 0, TWO_POW_32 - 1);
    this.ensure(4);
    this.view.setUint32(this.pos, value);
    this.pos += 4;
  }

  int64(value: number): void {
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError('int64', value, 'a safe integer');
    this.ensure(8);
    const high = Math.floor(value / TWO_POW_32);
    this.view.setInt32(this.pos, high);
    this.view.setUint32(this.pos + 4, value - high * TWO_POW_32);
    this.pos += 8;
  }

  /** Reserves an int32 (a length or CRC written later with `setInt32At`/`setUint32At`); returns where. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  setInt32At(at: number, value: number): void {
    checkInt('int32', value, INT32_MIN, INT32_MAX);
    this.view.setInt32(at, value);
  }

  setUint32At(at: number, value: number): void {
    checkInt('uint32', value, 0, TWO_POW_32 - 1);
    this.view.setUint32(at, value);
  }

  /** The bytes written in [from, to) (a view; valid until the next write). */
  written(from: number, to = this.pos): Uint8Array {
    return this.buf.subarray(from, to);
  }

  /** An int16-length UTF-8 string. */
  string(value: string): void {
    const start = this.pos;
    this.ensure(2 + value.length * 3);
    const length = this.utf8(value, start + 2);
    if (length > INT16_MAX) throw new InvalidArgumentError('string', `${value.slice(0, 40)}... (${length} bytes)`, `at most ${INT16_MAX} UTF-8 bytes`);
    this.view.setInt16(start, length);
    this.pos = start + 2 + length;
  }

  nullableString(value: string | null): void {
    if (value === null) this.int16(-1);
    else this.string(value);
  }

  /** int32-length bytes. */
  bytes(value: Uint8Array): void {
    this.ensure(4 + value.length);
    this.view.setInt32(this.pos, value.length);
    this.buf.set(value, this.pos + 4);
    this.pos += 4 + value.length;
  }

  nullableBytes(value: Uint8Array | null): void {
    if (value === null) this.int32(-1);
    else this.bytes(value);
  }

  /**
   * `value`'s UTF-8 bytes, no length prefix; `byteLength` is their count, which the caller has
   * already computed for the prefix it wrote (a record's key or value): writing the string here
   * spares the separate encoded copy per payload that `TextEncoder.encode` would allocate.
   */
  utf8Bytes(value: string, byteLength: number): void {
    this.ensure(byteLength);
    this.pos += this.utf8(value, this.pos);
  }

  /** Bytes with no length prefix. */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }
  /** An array's int32 element count (the elements follow). */
  arrayLength(count: number): void {
    this.int32(count);
  }

  /** An array of int32. */
  int32Array(values: readonly number[]): void {
    this.int32(values.length);
    for (const value of values) this.int32(value);
  }

  /** An array of strings. */
  stringArray(values: readonly string[]): void {
    this.int32(values.length);
    for (const value of values) this.string(value);
  }

  /** A zigzag varint (a signed int32, `ByteUtils.writeVarint`). */
  varint(value: number): void {
    checkInt('varint', value, INT32_MIN, INT32_MAX);
    this.unsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /**
   * A zigzag varlong (`ByteUtils.writeVarlong`) of a value in [-2^52, 2^52 - 1]: the range whose
   * zigzag form (2|v| or 2|v| - 1) is itself a safe integer, so it is computed exactly and reads
   * back (record timestamp deltas, the only varlongs, are far inside it).
   */
  varlong(value: number): void {
    if ((value | 0) === value) {
      // An int32 (every timestamp delta in practice): the same bytes as a varint, computed faster.
      this.unsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
      return;
    }
    checkInt('varlong', value, VARLONG_MIN, VARLONG_MAX);
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
    this.ensure(10);
    while (zigzag >= 0x80) {
      this.buf[this.pos++] = (zigzag % 0x80) | 0x80;
      zigzag = Math.floor(zigzag / 0x80);
    }
    this.buf[this.pos++] = zigzag;
  }

  private unsignedVarint(value: number): void {
    this.ensure(5);
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }

  /** Writes `value` as UTF-8 at `at` (room for all its bytes is ensured); returns its length. */
  private utf8(value: string, at: number): number {
    const buf = this.buf;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return i + utf8Encoder.encodeInto(value.slice(i), buf.subarray(at + i)).written;
      buf[at + i] = code;
    }
    return value.length;
  }
}

/** Bytes a zigzag varint takes (for length prefixes computed before writing). */
export function varintSize(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (zigzag >= 0x80) {
    zigzag >>>= 7;
    size++;
  }
  return size;
}

/** Bytes a zigzag varlong takes. */
export function varlongSize(value: number): number {
  if ((value | 0) === value) return varintSize(value);
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    size++;
  }
  return size;
}

/** A reader over `bytes[start, end)`; `context` names what is being decoded in its errors. */
export class WireReader {
  private readonly view: DataView;
  /** The next byte to read. */
  pos: number;

  constructor(
    readonly buffer: Uint8Array,
    start = 0,
    readonly end = buffer.length,
    /** Prefixes error messages, e.g. "ProduceRequest v7". */
    public context = 'message',
  ) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** A `WireDecodeError` at the current position. */
  error(what: string, problem: string, offset = this.pos): WireDecodeError {
    return new WireDecodeError(`${this.context}: ${what}`, offset, problem);
  }

  /** Fails unless every byte was read (a body must fill its frame exactly). */
  expectEnd(): void {
    if (this.pos !== this.end) throw this.error('end', `${this.end - this.pos} unexpected trailing bytes`);
  }

  int8(): number {
    this.need(1, 'int8');
    return this.view.getInt8(this.pos++);
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buffer[this.pos++]!;
  }

  /** Kafka reads any non-zero byte as true. */
  bool(): boolean {
    this.need(1, 'boolean');
    return this.buffer[this.pos++] !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const value = this.view.getInt16(this.pos);
    this.pos += 2;
    return value;
  }

  int32(): number {
    this.need(4, 'int32');
    const value = this.view.getInt32(this.pos);
    this.pos += 4;
    return value;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const value = this.view.getUint32(this.pos);
    this.pos += 4;
    return value;
  }

  int64(): number {
    this.need(8, 'int64');
    const value = this.view.getInt32(this.pos) * TWO_POW_32 + this.view.getUint32(this.pos + 4);
    if (!Number.isSafeInteger(value)) throw this.error('int64', 'value is outside the safe integer range (|v| < 2^53)');
    this.pos += 8;
    return value;
  }

  string(): string {
    const length = this.int16();
    if (length < 0) throw this.error('string', `negative length ${length}`, this.pos - 2);
    return this.utf8(length);
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw this.error('nullable string', `negative length ${length}`, this.pos - 2);
    return this.utf8(length);
  }

  /** int32-length bytes, as a view into the buffer. */
  bytes(): Uint8Array {
    const length = this.int32();
    if (length < 0) throw this.error('bytes', `negative length ${length}`, this.pos - 4);
    return this.take(length, 'bytes');
  }

  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw this.error('nullable bytes', `negative length ${length}`, this.pos - 4);
    return this.take(length, 'nullable bytes');
  }

  /** The next `length` bytes as a view. */
  take(length: number, what = 'bytes'): Uint8Array {
    this.need(length, what);
    const start = this.pos;
    this.pos += length;
    return this.buffer.subarray(start, this.pos);
  }

  /** Moves past the next `length` bytes (checked against the bytes left) without a view. */
  skip(length: number, what = 'bytes'): void {
    this.need(length, what);
    this.pos += length;
  }

  /**
   * An array's element count, checked against the bytes left: each element takes at least
   * `minElementBytes`, so a hostile count fails here instead of allocating.
   */
  arrayLength(minElementBytes: number): number {
    const count = this.int32();
    if (count < 0) throw this.error('array', `negative length ${count}`, this.pos - 4);
    this.checkCount(count, minElementBytes);
    return count;
  }

  /** Like `arrayLength`, but -1 (null) is allowed and returned as -1. */
  nullableArrayLength(minElementBytes: number): number {
    const count = this.int32();
    if (count === -1) return -1;
    if (count < 0) throw this.error('nullable array', `negative length ${count}`, this.pos - 4);
    this.checkCount(count, minElementBytes);
    return count;
  }

  int32Array(): number[] {
    const count = this.arrayLength(4);
    const values = new Array<number>(count);
    for (let i = 0; i < count; i++) values[i] = this.int32();
    return values;
  }

  stringArray(): string[] {
    const count = this.arrayLength(2);
    const values = new Array<string>(count);
    for (let i = 0; i < count; i++) values[i] = this.string();
    return values;
  }

  /** A zigzag varint (`ByteUtils.readVarint`: at most 5 bytes). */
  varint(): number {
    const buffer = this.buffer;
    let pos = this.pos;
    if (pos + 5 <= this.end) {
      // Room for the longest varint: no check per byte (records hold millions of these).
      let byte = buffer[pos++]!;
      let value = byte & 0x7f;
      if (byte >= 0x80) {
        byte = buffer[pos++]!;
        value |= (byte & 0x7f) << 7;
        if (byte >= 0x80) {
          byte = buffer[pos++]!;
          value |= (byte & 0x7f) << 14;
          if (byte >= 0x80) {
            byte = buffer[pos++]!;
            value |= (byte & 0x7f) << 21;
            if (byte >= 0x80) {
              byte = buffer[pos++]!;
              value |= (byte & 0x7f) << 28;
              if (byte >= 0x80) throw this.error('varint', 'more than 5 bytes', this.pos);
            }
          }
        }
      }
      this.pos = pos;
      return (value >>> 1) ^ -(value & 1);
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1, 'varint');
      const byte = this.buffer[this.pos++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return (value >>> 1) ^ -(value & 1);
    }
    throw this.error('varint', 'more than 5 bytes', this.pos - 5);
  }

  /** A zigzag varlong (`ByteUtils.readVarlong`: at most 10 bytes) that must be a safe integer. */
  varlong(): number {
    const first = this.pos < this.end ? this.buffer[this.pos]! : 0x80;
    if (first < 0x80) {
      // One byte (a record's timestamp delta, mostly).
      this.pos++;
      return first % 2 === 0 ? first / 2 : -(first + 1) / 2;
    }
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1, 'varlong');
      const byte = this.buffer[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) throw this.error('varlong', 'value is outside the safe integer range (|v| < 2^53)');
        return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      }
      scale *= 0x80;
    }
    throw this.error('varlong', 'more than 10 bytes', this.pos - 10);
  }

  private checkCount(count: number, minElementBytes: number): void {
    if (count * minElementBytes > this.end - this.pos) {
      throw this.error('array', `${count} elements of at least ${minElementBytes} bytes overrun the ${this.end - this.pos} bytes left`, this.pos - 4);
    }
  }

  private need(bytes: number, what: string): void {
    if (this.pos + bytes > this.end) {
      throw this.error(what, `needs ${bytes} bytes, ${this.end - this.pos} left`);
    }
  }

  private utf8(length: number): string {
    this.need(length, 'string');
    const bytes = this.buffer;
    const start = this.pos;
    const end = start + length;
    this.pos = end;
    if (length <= 64) {
      let text = '';
      for (let i = start; i < end; i++) {
        const byte = bytes[i]!;
        if (byte >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
        text += String.fromCharCode(byte);
      }
      return text;
    }
    return utf8Decoder.decode(bytes.subarray(start, end));
  }
}

function checkInt(type: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(type, value, `an integer in [${min}, ${max}]`);
  }
}
