/**
 * Kafka's framing (https://kafka.apache.org/protocol#protocol_common): every request and response
 * is an int32 size followed by that many bytes; a request starts with a request header, a response
 * with a response header.
 *
 * Modelled: `FrameReader` splits a TCP byte stream into frames with a maximum frame size
 * (`socket.request.max.bytes`, 100 MiB by default; a negative or larger size is an error, as
 * `NetworkReceive` throws `InvalidReceiveException`), checked as soon as a size arrives and
 * before its bytes, so a hostile size allocates nothing (how much a connection may buffer is the
 * caller's to bound: `buffered` says how much is held); request header v1 (apiKey, apiVersion,
 * correlationId, nullable clientId) and response header v0 (correlationId).
 * Not modelled: request header v0 (used only by ControlledShutdown v0) and the flexible headers
 * (request v2, response v1, which add tagged fields), since no registered version is flexible. A
 * flexible request from a client that did not negotiate (ApiVersions v3, the one request sent
 * before negotiating) still parses as v1: its tagged fields follow the client id, in the body the
 * broker does not read when it answers the version as unsupported.
 */
import { WireDecodeError } from './errors.ts';
import type { WireReader, WireWriter } from './primitives.ts';

/** `socket.request.max.bytes`' default. */
export const DEFAULT_MAX_FRAME_BYTES = 104_857_600;

/**
 * Accumulates chunks of a byte stream and hands out whole frames (without their size prefix).
 * A frame inside one chunk is a view into that chunk (never copied); one spanning chunks is copied
 * once into a buffer of its own. Frames stay valid after later pushes, so a decoded body may keep
 * views into its frame.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  /** Bytes of `chunks[0]` already handed out. */
  private headOffset = 0;
  private bufferedBytes = 0;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received and not yet handed out as frames. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
  }

  /**
   * The next whole frame, or null until more bytes arrive. Throws `WireDecodeError` as soon as a
   * size prefix is negative or larger than `maxFrameBytes` (the stream cannot be resynchronised:
   * close the connection).
   */
  next(): Uint8Array | null {
    if (this.bufferedBytes < 4) return null;
    const size = this.peekSize();
    checkFrameSize(size, this.maxFrameBytes);
    if (this.bufferedBytes < 4 + size) return null;
    this.skip(4);
    return this.take(size);
  }

  private peekSize(): number {
    const head = this.chunks[0]!;
    const at = this.headOffset;
    if (head.length - at >= 4) return sizeAt(head, at);
    let size = 0;
    let chunk = 0;
    let offset = at;
    for (let i = 0; i < 4; i++) {
      while (offset >= this.chunks[chunk]!.length) {
        chunk++;
        offset = 0;
      }
      size = (size << 8) | this.chunks[chunk]![offset++]!;
    }
    return size | 0;
  }

  private skip(bytes: number): void {
    this.bufferedBytes -= bytes;
    while (bytes > 0) {
      const head = this.chunks[0]!;
      const left = head.length - this.headOffset;
      if (bytes < left) {
        this.headOffset += bytes;
        return;
      }
      bytes -= left;
      this.dropHead();
    }
  }

  private take(size: number): Uint8Array {
    this.bufferedBytes -= size;
    const head = this.chunks[0];
    if (head === undefined || size === 0) return new Uint8Array(0);
    const left = head.length - this.headOffset;
    if (size <= left) {
      const frame = head.subarray(this.headOffset, this.headOffset + size);
      if (size === left) this.dropHead();
      else this.headOffset += size;
      return frame;
    }
    const frame = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0]!;
      const n = Math.min(size - filled, chunk.length - this.headOffset);
      frame.set(chunk.subarray(this.headOffset, this.headOffset + n), filled);
      filled += n;
      if (this.headOffset + n === chunk.length) this.dropHead();
      else this.headOffset += n;
    }
    return frame;
  }

  private dropHead(): void {
    this.chunks.shift();
    this.headOffset = 0;
  }
}

/** The int32 size prefix at `at` (big-endian). */
function sizeAt(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) | 0;
}

/** A negative size, or one above the maximum, cannot be framed: Kafka's `InvalidReceiveException`. */
function checkFrameSize(size: number, maxFrameBytes: number): void {
  if (size < 0 || size > maxFrameBytes) throw new WireDecodeError('frame size', 0, `${size} is not in [0, ${maxFrameBytes}]`);
}

/** Frames completed by a read, in order. */
export type FrameSink = (frame: Uint8Array) => void;

/**
 * Frames read straight into memory of their own, for a socket that reads into the buffer it is
 * handed (Node's `onread`): `buffer()` says where the next read goes, `received(n, sink)` takes
 * the `n` bytes it brought. Between frames, reads go into a staging buffer that is reused; a
 * frame found there whole is copied out into a buffer of its own. A frame larger than what has
 * arrived of it gets its own buffer at once, holding what arrived, and the next reads are handed
 * the rest of that buffer: a read never fills more than the buffer it is handed, so it cannot run
 * into the next frame, and a megabyte produce request is written once, by the kernel, into the
 * memory its records stay in (where `FrameReader` copies it out of the socket's chunks, each
 * allocated for one read). Same limits and errors as `FrameReader`; frames stay valid for good.
 */
export class FrameAssembler {
  private readonly staging: Uint8Array;
  /** Bytes at the start of `staging` received and not yet handed out. */
  private held = 0;
  /** A frame being read straight into its own buffer, and how much of it has arrived. */
  private frame: Uint8Array | undefined;
  private filled = 0;

  constructor(
    readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    stagingBytes = DEFAULT_STAGING_BYTES,
  ) {
    this.staging = Buffer.allocUnsafe(Math.max(4, stagingBytes));
  }

  /** Where the next read goes (never empty). */
  buffer(): Uint8Array {
    return this.frame === undefined ? this.staging.subarray(this.held) : this.frame.subarray(this.filled);
  }

  /**
   * `n` bytes were read into the last `buffer()`: each frame they complete goes to `sink`. Throws
   * `WireDecodeError` as soon as a size prefix is negative or larger than `maxFrameBytes`.
   */
  received(n: number, sink: FrameSink): void {
    const frame = this.frame;
    if (frame !== undefined) {
      this.filled += n;
      if (this.filled < frame.length) return;
      this.frame = undefined;
      this.filled = 0;
      sink(frame);
      return;
    }
    this.held += n;
    const staging = this.staging;
    let at = 0;
    while (this.held - at >= 4) {
      const size = sizeAt(staging, at);
      checkFrameSize(size, this.maxFrameBytes);
      const arrived = this.held - at - 4;
      if (arrived >= size) {
        sink(Buffer.from(staging.subarray(at + 4, at + 4 + size)));
        at += 4 + size;
        continue;
      }
      if (size > OWN_BUFFER_BYTES || 4 + size > staging.length) {
        // The rest comes straight into the frame's own buffer.
        const own = Buffer.allocUnsafe(size);
        own.set(staging.subarray(at + 4, this.held));
        this.frame = own;
        this.filled = arrived;
        at = this.held;
      }
      break;
    }
    if (at > 0) {
      staging.copyWithin(0, at, this.held);
      this.held -= at;
    }
  }
}

/** The staging buffer of a `FrameAssembler`: a read's worth (libuv reads 64 KiB at a time). */
const DEFAULT_STAGING_BYTES = 64 * 1024;
/** Frames above this size that have not wholly arrived get their own buffer at once; smaller ones wait in the staging buffer if they fit. */
const OWN_BUFFER_BYTES = 4096;

/** Request header v1 (`RequestHeader`). */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

export function decodeRequestHeader(reader: WireReader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeRequestHeader(writer: WireWriter, header: RequestHeader): void {
  writer.int16(header.apiKey);
  writer.int16(header.apiVersion);
  writer.int32(header.correlationId);
  writer.nullableString(header.clientId);
}

/** Starts a frame: reserves its size prefix. Pass the result to `endFrame`. */
export function beginFrame(writer: WireWriter): number {
  return writer.reserveInt32();
}

/** Ends a frame started at `sizeAt`: writes its size. */
export function endFrame(writer: WireWriter, sizeAt: number): void {
  writer.setInt32At(sizeAt, writer.pos - sizeAt - 4);
}
