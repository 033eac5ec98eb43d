/**
 * The real side of the gateway: one loopback TCP listener per simulated broker, and each
 * accepted socket read as frames and written with responses. A listener is open exactly while
 * its broker's simulated socket server listens: a crashed or stopped broker's port refuses
 * connections (the listening socket is closed), and a restarted one listens again on the same
 * port. Open connections follow their simulated connection (`session.ts`): a crash resets them,
 * a clean shutdown closes them.
 *
 * Memory per connection is bounded: a 64 KiB staging buffer and at most one frame being
 * assembled, whose buffer is allocated when its size arrives, as Kafka's `NetworkReceive` does
 * (never above `maxFrameBytes`, Kafka's `socket.request.max.bytes`); reading stops (TCP pushes
 * back on the client) while the requests received and not yet answered exceed `maxBacklogBytes`,
 * or while responses the client has not read exceed it; a frame size above the limit closes that
 * connection only. Nothing here touches the simulation: arrivals are queued for `between`.
 */
import { createServer, Socket, type Server, type SocketConstructorOpts } from 'node:net';
import { WireDecodeError } from '../protocol/wire/errors.ts';
import { FrameAssembler } from '../protocol/wire/frame.ts';
import type { CloseReason } from '../sim/network.ts';
import type { Arrival } from './recording.ts';
import type { SessionOutput } from './session.ts';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxBacklogBytes: number;
}

/** Where the real side puts what arrives (the pacer injects it between steps). */
export type ArrivalSink = (arrival: Arrival) => void;

/**
 * One accepted socket: frames in, responses out, with bounded buffers. Frames are read straight
 * into buffers of their own (`FrameAssembler`): the socket is handed where each read goes.
 */
export class RealConnection implements SessionOutput {
  private readonly assembler: FrameAssembler;
  private readonly socket: Socket;
  /** Bytes of requests received and not yet finished by the simulation. */
  private backlogBytes = 0;
  private paused = false;
  private ended = false;

  constructor(
    readonly conn: number,
    readonly broker: number,
    accepted: Socket,
    private readonly limits: ConnectionLimits,
    private readonly sink: ArrivalSink,
    private readonly onGone: (connection: RealConnection) => void,
  ) {
    const assembler = new FrameAssembler(limits.maxFrameBytes);
    this.assembler = assembler;
    const socket = readingInto(accepted, () => assembler.buffer(), (n) => this.received(n));
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('drain', () => this.updateFlow());
    // A half-close from the client ends the conversation (Kafka clients never half-close).
    socket.on('end', () => this.gone(undefined));
    socket.on('close', () => this.gone(undefined));
    socket.on('error', () => this.gone(undefined));
  }

  respond(frame: Uint8Array): void {
    if (this.ended) return;
    this.socket.write(frame);
    this.updateFlow();
  }

  finished(bytes: number): void {
    this.backlogBytes -= bytes;
    this.updateFlow();
  }

  close(how: CloseReason): void {
    if (this.ended) return;
    this.ended = true;
    if (how === 'reset') this.socket.resetAndDestroy();
    else this.socket.end();
    this.onGone(this);
  }

  private received(n: number): void {
    if (this.ended) return;
    try {
      this.assembler.received(n, this.onFrame);
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      // A size that cannot be framed: Kafka closes the connection (`InvalidReceiveException`).
      this.gone(`the gateway closed it: ${error.message}`);
      this.socket.destroy();
      return;
    }
    this.updateFlow();
  }

  private readonly onFrame = (frame: Uint8Array): void => {
    this.backlogBytes += frame.length;
    this.sink({ kind: 'frame', conn: this.conn, bytes: frame });
  };

  private updateFlow(): void {
    if (this.ended) return;
    const over = this.backlogBytes > this.limits.maxBacklogBytes || this.socket.writableLength > this.limits.maxBacklogBytes;
    if (over && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!over && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** The real connection is gone (client closed, error, or a bad frame): tell the simulation once. */
  private gone(reason: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.sink(reason === undefined ? { kind: 'close', conn: this.conn } : { kind: 'close', conn: this.conn, reason });
    this.onGone(this);
  }

  /** Drops the connection without a word to the simulation (the gateway is stopping). */
  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }
}

/**
 * The accepted connection as a socket that reads into the buffer `buffer()` gives for each read,
 * handing `received` the count (Node's `onread`). Node's servers take no `onread` option (only
 * `new net.Socket` does), so a socket made with one adopts the accepted socket's handle; the
 * listener accepts with `pauseOnConnect`, so nothing was read before.
 */
function readingInto(accepted: Socket, buffer: () => Uint8Array, received: (n: number) => void): Socket {
  const handle = (accepted as unknown as { _handle: SocketConstructorOpts['handle'] })._handle;
  return new Socket({
    handle,
    onread: {
      buffer,
      callback: (n) => {
        received(n);
        return true;
      },
    },
  });
}

/** A broker's loopback listener: open while the simulated broker listens, on a stable port. */
export class BrokerListener {
  private server: Server | undefined;
  private state: 'closed' | 'opening' | 'open' = 'closed';
  private boundPort: number;

  constructor(
    readonly broker: number,
    readonly host: string,
    port: number,
    private readonly onConnection: (listener: BrokerListener, socket: Socket) => void,
    private readonly onError: (error: Error) => void,
  ) {
    this.boundPort = port;
  }

  /** The port (the OS's choice once opened, if 0 was asked). */
  get port(): number {
    return this.boundPort;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Opens, or stays open; resolves once listening. */
  async open(): Promise<void> {
    if (this.state !== 'closed') return;
    this.state = 'opening';
    const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.onConnection(this, socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.boundPort, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: Error) => {
      this.state = 'closed';
      this.server = undefined;
      throw error;
    });
    server.on('error', (error) => this.onError(error));
    const address = server.address();
    if (address !== null && typeof address === 'object') this.boundPort = address.port;
    // The broker may have gone down while the socket was being opened.
    if (this.server === server) this.state = 'open';
    else server.close();
  }

  /** Stops accepting: connecting to the port is refused from now on. */
  close(): void {
    const server = this.server;
    const wasOpen = this.state === 'open';
    this.server = undefined;
    this.state = 'closed';
    if (wasOpen) server?.close();
  }

  /** Opens or closes to match whether the simulated broker listens. */
  follow(listening: boolean): void {
    if (listening && this.state === 'closed') this.open().catch((error: Error) => this.onError(error));
    else if (!listening && this.state !== 'closed') this.close();
  }
}
