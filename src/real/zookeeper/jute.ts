/**
 * ZooKeeper's client protocol in bytes (jute, `zookeeper.jute`): the records the real client
 * sends and reads, big-endian, each frame prefixed by its length.
 *
 * Modelled: ConnectRequest/ConnectResponse (with the read-only flag), RequestHeader and
 * ReplyHeader, create (open ACL), delete, exists, getData, setData, getChildren2, ping,
 * closeSession, SetWatches and WatcherEvent notifications, `Stat`. Data travels as UTF-8 (the
 * interface's data is a string). Longs are read as bigint; zxids and times fit a double.
 * Not modelled: ACL reads and writes other than world:anyone, auth/SASL, multi, sync, watches
 * removal, containers and TTL nodes, reconfig.
 */
import type { CreateMode, Stat, WatchEventType } from '../../protocol/zookeeper.ts';

/** `ZooDefs.OpCode` values used here. */
export const OpCode = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  ping: 11,
  getChildren2: 12,
  closeSession: -11,
  setWatches: 101,
} as const;

/** Reserved xids (`ClientCnxn`): what a reply with one of these answers. */
export const Xid = { notification: -1, ping: -2, setWatches: -8 } as const;

/** `CreateMode.toFlag()`. */
export const CREATE_FLAGS: Record<CreateMode, number> = {
  persistent: 0,
  ephemeral: 1,
  persistent_sequential: 2,
  ephemeral_sequential: 3,
};

/** `Watcher.Event.EventType` numbers of the node events the interface knows. */
const EVENT_TYPES: Record<number, WatchEventType> = {
  1: 'NodeCreated',
  2: 'NodeDeleted',
  3: 'NodeDataChanged',
  4: 'NodeChildrenChanged',
};

/** The password length of `ConnectRequest` (the server hands out 16 bytes). */
export const PASSWORD_BYTES = 16;

/** A frame ended before a field it should hold, or a field is out of range. */
export class JuteDecodeError extends Error {
  override readonly name = 'JuteDecodeError';
}

export class JuteWriter {
  private buffer = Buffer.alloc(256);
  private length = 0;

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const bigger = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  int(value: number): this {
    this.room(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  long(value: bigint | number): this {
    this.room(8);
    this.buffer.writeBigInt64BE(BigInt(value), this.length);
    this.length += 8;
    return this;
  }

  boolean(value: boolean): this {
    this.room(1);
    this.buffer.writeUInt8(value ? 1 : 0, this.length);
    this.length += 1;
    return this;
  }

  /** A length-prefixed byte buffer (-1: null). */
  bytes(value: Uint8Array | null): this {
    if (value === null) return this.int(-1);
    this.int(value.length);
    this.room(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** A UTF-8 string with its byte length (`ustring`). */
  string(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }

  strings(values: readonly string[]): this {
    this.int(values.length);
    for (const value of values) this.string(value);
    return this;
  }

  /** The bytes written, prefixed by their length: one frame on the wire. */
  frame(): Buffer {
    const out = Buffer.alloc(4 + this.length);
    out.writeInt32BE(this.length, 0);
    this.buffer.copy(out, 4, 0, this.length);
    return out;
  }
}

export class JuteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private need(bytes: number, what: string): void {
    if (this.remaining < bytes) throw new JuteDecodeError(`frame too short for ${what}: ${bytes} bytes needed at offset ${this.offset}, ${this.remaining} left`);
  }

  int(what = 'an int'): number {
    this.need(4, what);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  long(what = 'a long'): bigint {
    this.need(8, what);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A long that fits a double (zxids, times). */
  number(what: string): number {
    const value = this.long(what);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new JuteDecodeError(`${what} ${value} does not fit a double`);
    return Number(value);
  }

  boolean(what = 'a boolean'): boolean {
    this.need(1, what);
    return this.buffer.readUInt8(this.offset++) !== 0;
  }

  bytes(what = 'a buffer'): Buffer | null {
    const length = this.int(`the length of ${what}`);
    if (length === -1) return null;
    if (length < 0) throw new JuteDecodeError(`negative length ${length} for ${what}`);
    this.need(length, what);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(what = 'a string'): string {
    return (this.bytes(what) ?? Buffer.alloc(0)).toString('utf8');
  }

  strings(what: string): string[] {
    const count = this.int(`the count of ${what}`);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.string(what));
    return out;
  }
}

// ---------------------------------------------------------------- connect

export interface ConnectRequest {
  readonly lastZxidSeen: number;
  readonly timeoutMs: number;
  /** 0n for a new session. */
  readonly sessionId: bigint;
  readonly password: Uint8Array;
}

export function encodeConnectRequest(request: ConnectRequest): Buffer {
  return new JuteWriter()
    .int(0) // protocolVersion
    .long(request.lastZxidSeen)
    .int(request.timeoutMs)
    .long(request.sessionId)
    .bytes(request.password)
    .boolean(false) // readOnly
    .frame();
}

export interface ConnectResponse {
  /** The negotiated timeout; 0 or less when the session asked for has expired. */
  readonly timeoutMs: number;
  readonly sessionId: bigint;
  readonly password: Buffer;
}

export function decodeConnectResponse(frame: Buffer): ConnectResponse {
  const reader = new JuteReader(frame);
  reader.int('protocolVersion');
  const timeoutMs = reader.int('timeOut');
  const sessionId = reader.long('sessionId');
  const password = reader.bytes('passwd') ?? Buffer.alloc(0);
  // The read-only flag that follows (3.4+) is ignored: this client never asks for read-only mode.
  return { timeoutMs, sessionId, password };
}

// ---------------------------------------------------------------- requests

/** A request: RequestHeader (xid, type) and the operation's record. */
export type Request =
  | { readonly op: 'create'; readonly path: string; readonly data: string; readonly mode: CreateMode }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'exists'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'getData'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly op: 'getChildren2'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'closeSession' }
  | { readonly op: 'ping' }
  | {
      readonly op: 'setWatches';
      readonly relativeZxid: number;
      readonly data: readonly string[];
      readonly exist: readonly string[];
      readonly child: readonly string[];
    };

/** `ZooDefs.Perms.ALL` for world:anyone (`Ids.OPEN_ACL_UNSAFE`). */
const PERMS_ALL = 31;

export function encodeRequest(xid: number, request: Request): Buffer {
  const writer = new JuteWriter().int(xid).int(OpCode[request.op]);
  switch (request.op) {
    case 'create':
      writer.string(request.path).string(request.data);
      writer.int(1).int(PERMS_ALL).string('world').string('anyone');
      writer.int(CREATE_FLAGS[request.mode]);
      break;
    case 'delete':
      writer.string(request.path).int(request.version);
      break;
    case 'exists':
    case 'getData':
    case 'getChildren2':
      writer.string(request.path).boolean(request.watch);
      break;
    case 'setData':
      writer.string(request.path).string(request.data).int(request.version);
      break;
    case 'setWatches':
      writer.long(request.relativeZxid).strings(request.data).strings(request.exist).strings(request.child);
      break;
    case 'closeSession':
    case 'ping':
      break;
  }
  return writer.frame();
}

// ---------------------------------------------------------------- replies

export interface ReplyHeader {
  readonly xid: number;
  readonly zxid: number;
  readonly err: number;
}

export function decodeReplyHeader(reader: JuteReader): ReplyHeader {
  return { xid: reader.int('xid'), zxid: reader.number('zxid'), err: reader.int('err') };
}

export function hexSessionId(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}

export function decodeStat(reader: JuteReader): Stat {
  const czxid = reader.number('czxid');
  const mzxid = reader.number('mzxid');
  const ctimeMs = reader.number('ctime');
  const mtimeMs = reader.number('mtime');
  const version = reader.int('version');
  const cversion = reader.int('cversion');
  reader.int('aversion');
  const owner = reader.long('ephemeralOwner');
  const dataLength = reader.int('dataLength');
  const numChildren = reader.int('numChildren');
  const pzxid = reader.number('pzxid');
  return {
    version,
    cversion,
    ephemeralOwner: owner === 0n ? null : hexSessionId(owner),
    czxid,
    mzxid,
    pzxid,
    ctimeMs,
    mtimeMs,
    numChildren,
    dataLength,
  };
}

export interface WatcherEvent {
  readonly type: WatchEventType;
  readonly path: string;
}

/**
 * A notification's `WatcherEvent`, or undefined for an event type the interface does not carry
 * (session-state events, which this protocol version never sends, and watch-removal events).
 */
export function decodeWatcherEvent(reader: JuteReader): WatcherEvent | undefined {
  const type = reader.int('event type');
  reader.int('keeper state');
  const path = reader.string('event path');
  const name = EVENT_TYPES[type];
  return name === undefined ? undefined : { type: name, path };
}
