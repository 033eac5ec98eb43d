/**
 * A bare TCP connection to a gateway listener that writes any bytes and reads response frames:
 * the client a misbehaving program would be. Requests are encoded with the wire codec, so a test
 * can send a valid frame, a mutated one, or garbage, and see whether it was answered or closed.
 */
import { connect, type Socket } from 'node:net';
import { encodeRequestFrame, FrameReader, WireWriter, decodeResponseFrame, type WireApiName, type WireRequestOf } from '../../../src/protocol/wire/index.ts';

export class RawConnection {
  /** Response frames received (size prefix removed), in order. */
  readonly frames: Uint8Array[] = [];
  /** Resolves when the socket is closed, by either side. */
  readonly closed: Promise<void>;
  private readonly reader = new FrameReader(1 << 30);
  private isClosed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (let frame = this.reader.next(); frame !== null; frame = this.reader.next()) this.frames.push(frame.slice());
      this.wake();
    });
    socket.on('error', () => {}); // a reset shows as a close
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  get open(): boolean {
    return !this.isClosed;
  }

  /** Writes bytes; false if the socket buffers them (the peer is not reading). */
  write(bytes: Uint8Array): boolean {
    if (this.isClosed) return false;
    return this.socket.write(bytes);
  }

  /** Resolves with the `n`th response frame (0-based), or rejects if the connection closes first or after `timeoutMs`. */
  async frame(n: number, timeoutMs = 30_000): Promise<Uint8Array> {
    await this.until(() => this.frames.length > n || this.isClosed, timeoutMs, `response frame #${n}`);
    if (this.frames.length <= n) throw new Error(`the connection closed before response frame #${n} (${this.frames.length} received)`);
    return this.frames[n]!;
  }

  /** Resolves true once closed, false if still open after `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    await this.until(() => this.isClosed, timeoutMs, 'close').catch(() => {});
    return this.isClosed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A whole request frame (size prefix included) for API `name` at `version`. */
export function requestFrame<N extends WireApiName>(name: N, version: number, correlationId: number, body: WireRequestOf<N>): Uint8Array {
  const writer = new WireWriter(256);
  encodeRequestFrame(writer, name, { apiVersion: version, correlationId, clientId: 'robustness' }, body);
  return writer.toBytes();
}

/** A frame of raw fields: size prefix, apiKey, apiVersion, correlationId, clientId, then `body`. */
export function rawRequestFrame(apiKey: number, apiVersion: number, correlationId: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const clientId = Buffer.from('robustness');
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length + body.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(apiVersion, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(clientId.length, 12);
  clientId.copy(frame, 14);
  Buffer.from(body).copy(frame, 14 + clientId.length);
  return frame;
}

/** Sends ApiVersions v0 and checks the answer: the liveness probe every robustness test uses. */
export async function apiVersionsAnswered(connection: RawConnection, correlationId: number, timeoutMs = 30_000): Promise<boolean> {
  const index = connection.frames.length;
  connection.write(requestFrame('ApiVersions', 0, correlationId, {}));
  const frame = await connection.frame(index, timeoutMs);
  const { correlationId: answered, body } = decodeResponseFrame(frame, 'ApiVersions', 0);
  return answered === correlationId && body.errorCode === 0 && body.apiKeys.some((api) => api.apiKey === 18);
}
