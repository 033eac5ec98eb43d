/**
 * One TCP connection to a ZooKeeper server (`ClientCnxn`'s socket half): the connect handshake,
 * length-prefixed frames, requests numbered by xid and matched with their replies, pings,
 * SetWatches and watch notifications (xid -1), and how long since it last heard from the server.
 *
 * Modelled: the handshake within a timeout, replies matched by xid, frames split or merged
 * across reads, a frame size limit, the connection ending (closed by either side, a socket
 * error, a malformed frame) failing every request still waiting. Not modelled: read-only
 * servers, SASL, several servers (the session owner picks the address).
 */
import { connect, type Socket } from 'node:net';
import {
  JuteDecodeError,
  JuteReader,
  Xid,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeWatcherEvent,
  encodeConnectRequest,
  encodeRequest,
  type ConnectRequest,
  type ConnectResponse,
  type ReplyHeader,
  type Request,
  type WatcherEvent,
} from './jute.ts';

/** A frame larger than this is taken for garbage (ZooKeeper's jute.maxbuffer is 1 MiB by default). */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** The connection could not be opened, or ended; `address` is `host:port`. */
export class ZooKeeperConnectionError extends Error {
  override readonly name = 'ZooKeeperConnectionError';
  constructor(
    readonly address: string,
    readonly problem: string,
  ) {
    super(`ZooKeeper at ${address}: ${problem}`);
  }
}

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** How long the TCP connect and the handshake together may take. */
  readonly timeoutMs: number;
  readonly request: ConnectRequest;
}

/** A reply: its header, and a reader positioned at its record (read it only when `err` is 0). */
export interface Reply {
  readonly header: ReplyHeader;
  readonly reader: JuteReader;
}

export type ReplyHandler = (reply: Reply | ZooKeeperConnectionError) => void;

export class ZooKeeperConnection {
  /** Called with each watch notification, in the order the server sent them. */
  onNotification: (event: WatcherEvent, zxid: number) => void = () => {};
  /** Called with every reply header (zxids move forward). */
  onReplyHeader: (header: ReplyHeader) => void = () => {};
  /** Called once when the connection ends, whoever ended it. */
  onClose: (error: ZooKeeperConnectionError) => void = () => {};
  /** `performance.now()` when the last frame arrived. */
  lastHeardMs: number;
  /** `performance.now()` when the last frame was sent. */
  lastSentMs: number;
  private readonly pending = new Map<number, ReplyHandler>();
  private nextXid = 1;
  private closed = false;
  private chunks: Buffer[] = [];
  private buffered = 0;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    this.lastHeardMs = performance.now();
    this.lastSentMs = this.lastHeardMs;
  }

  /** Connects and shakes hands; rejects with a `ZooKeeperConnectionError` naming the address. */
  static open(options: ConnectionOptions): Promise<{ connection: ZooKeeperConnection; response: ConnectResponse }> {
    const address = `${options.host}:${options.port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port, noDelay: true });
      const connection = new ZooKeeperConnection(socket, address);
      let handshaking = true;
      const fail = (problem: string) => {
        if (!handshaking) return;
        handshaking = false;
        clearTimeout(timer);
        socket.destroy();
        reject(new ZooKeeperConnectionError(address, problem));
      };
      const timer = setTimeout(() => fail(`no session handshake within ${options.timeoutMs} ms`), options.timeoutMs);
      socket.once('connect', () => socket.write(encodeConnectRequest(options.request)));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (handshaking) fail(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message);
        else connection.end(error.message);
      });
      socket.on('close', () => {
        if (handshaking) fail('the server closed the connection during the handshake');
        else connection.end('the server closed the connection');
      });
      let onFrame = (frame: Buffer) => {
        handshaking = false;
        clearTimeout(timer);
        let response: ConnectResponse;
        try {
          response = decodeConnectResponse(frame);
        } catch (error) {
          socket.destroy();
          reject(new ZooKeeperConnectionError(address, `malformed connect response (${(error as Error).message})`));
          return;
        }
        onFrame = (next) => connection.receive(next);
        resolve({ connection, response });
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const frame of connection.frames(chunk)) onFrame(frame);
        } catch (error) {
          if (handshaking) fail((error as Error).message);
          else connection.end((error as Error).message);
        }
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a request with the next xid; `handler` gets its reply or the error that ended the connection. */
  send(request: Exclude<Request, { op: 'ping' | 'setWatches' }>, handler: ReplyHandler): void {
    const xid = this.nextXid++;
    if (this.closed) {
      handler(new ZooKeeperConnectionError(this.address, 'the connection is closed'));
      return;
    }
    this.pending.set(xid, handler);
    this.write(encodeRequest(xid, request));
  }

  ping(): void {
    this.write(encodeRequest(Xid.ping, { op: 'ping' }));
  }

  /** Re-registers watches after a reconnection (`SetWatches`, relative to the last zxid seen). */
  setWatches(request: Extract<Request, { op: 'setWatches' }>): void {
    this.write(encodeRequest(Xid.setWatches, request));
  }

  /** Closes the socket; waiting requests fail with `problem`. */
  end(problem = 'closed by the client'): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const error = new ZooKeeperConnectionError(this.address, problem);
    const handlers = [...this.pending.values()];
    this.pending.clear();
    for (const handler of handlers) handler(error);
    this.onClose(error);
  }

  private write(frame: Buffer): void {
    if (this.closed) return;
    this.lastSentMs = performance.now();
    this.socket.write(frame);
  }

  /** Splits received bytes into whole frames (a frame may span reads; a read may hold several). */
  private *frames(chunk: Buffer): Generator<Buffer> {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 4) return;
      const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const size = data.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) throw new JuteDecodeError(`frame length ${size} is outside 0..${MAX_FRAME_BYTES}`);
      if (data.length < 4 + size) {
        this.chunks = [data];
        return;
      }
      const rest = data.subarray(4 + size);
      this.chunks = rest.length === 0 ? [] : [rest];
      this.buffered = rest.length;
      yield data.subarray(4, 4 + size);
    }
  }

  private receive(frame: Buffer): void {
    this.lastHeardMs = performance.now();
    const reader = new JuteReader(frame);
    const header = decodeReplyHeader(reader);
    if (header.zxid > 0) this.onReplyHeader(header);
    if (header.xid === Xid.notification) {
      const event = decodeWatcherEvent(reader);
      if (event !== undefined) this.onNotification(event, header.zxid);
      return;
    }
    if (header.xid === Xid.ping || header.xid === Xid.setWatches) return;
    const handler = this.pending.get(header.xid);
    if (handler === undefined) throw new JuteDecodeError(`a reply with xid ${header.xid} that matches no request`);
    this.pending.delete(header.xid);
    handler({ header, reader });
  }
}
