/**
 * One real client connection inside the simulation: a client node `wire-<n>` with a simulated
 * connection to the broker whose listener the client reached, so network faults and broker
 * crashes reach real clients as they reach simulated ones. Runs only between steps or inside
 * events (never on the wall clock), so a recording replays it exactly.
 *
 * Each request frame is decoded (header, then the body for the version asked), translated to the
 * internal API and sent over the simulated connection; the broker's answer is translated back and
 * encoded for that version. Responses leave in request order, as Kafka guarantees per connection,
 * whether the broker or the gateway (ApiVersions) answered.
 *
 * Errors, as Kafka's `SocketServer` and `KafkaApis` treat them: a frame that does not decode
 * closes this connection only; an API key or version outside the table gets UNSUPPORTED_VERSION
 * (35) in an ApiVersions v0 body listing the table (Kafka's answer to an ApiVersions version it
 * does not know; for other APIs Kafka closes the connection, but an answer tells a client more).
 * When the simulated connection breaks (the broker crashed: reset; shut down: closed) the real one
 * is closed the same way.
 */
import type { KafkaRequest, KafkaResponse } from '../protocol/api.ts';
import { apiVersionsApi } from '../protocol/wire/apis/api-versions.ts';
import { WireDecodeError } from '../protocol/wire/errors.ts';
import { UNSUPPORTED_VERSION, decodeRequestFrame, type DecodedRequest, type UnsupportedRequest } from '../protocol/wire/codec.ts';
import { beginFrame, endFrame, type RequestHeader } from '../protocol/wire/frame.ts';
import { WireWriter } from '../protocol/wire/primitives.ts';
import type { Kernel } from '../sim/kernel.ts';
import type { CloseReason, Network } from '../sim/network.ts';
import { RpcClient } from '../sim/rpc.ts';
import { GATEWAY_API_VERSIONS, translatorFor } from './translate/index.ts';
import type { AnyTranslator, TranslateContext } from './translate/translator.ts';
import type { ListenerAddress } from './recording.ts';

/** How long the simulated connect may take before the real connection is given up. */
const CONNECT_TIMEOUT_MS = 30_000;

/** Where a connection's output goes: the real socket, or nowhere when replaying. */
export interface SessionOutput {
  /** A whole response frame (size prefix included). */
  respond(frame: Uint8Array): void;
  /** The request that arrived as `bytes` bytes is finished: answered, or needs no answer. */
  finished(bytes: number): void;
  /** The connection ended on the simulated side (or was rejected): close the real one. */
  close(how: CloseReason): void;
}

/** What sessions share: the simulation's kernel and network, addresses, the encoder. */
export interface SessionHost {
  readonly kernel: Kernel;
  readonly network: Network;
  /** The port simulated brokers listen on. */
  readonly brokerPort: number;
  advertised(brokerId: number): ListenerAddress | undefined;
  /** A response that would not encode or a translation that threw: a gateway bug, reported. */
  internalError(error: unknown, conn: number): void;
}

/** A response slot: filled when its answer is ready, sent when every earlier one has been. */
interface Slot {
  frame: Uint8Array | undefined;
  readonly requestBytes: number;
}

export class WireSession {
  readonly node: string;
  private rpc: RpcClient<KafkaRequest, unknown> | undefined;
  private state: 'connecting' | 'open' | 'closed' = 'connecting';
  /** The client closed while connecting, after requests that are still to be sent (see `clientClosed`). */
  private sendThenClose = false;
  /** Requests waiting for the simulated connection to be made. */
  private waiting: Array<() => void> = [];
  private readonly slots: Slot[] = [];
  private slotsHead = 0;

  constructor(
    private readonly host: SessionHost,
    readonly conn: number,
    readonly broker: number,
    private readonly out: SessionOutput,
  ) {
    this.node = `wire-${conn}`;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Connects the client node to its broker (the simulated TCP handshake). */
  open(): void {
    const { kernel, network } = this.host;
    if (!kernel.hasNode(this.node)) kernel.addNode(this.node);
    this.narrate('wire.connected', { conn: this.conn, broker: this.broker }, `A real client connected to broker ${this.broker}'s listener; it is node ${this.node} in the simulation.`);
    network.connect(this.node, `broker-${this.broker}`, this.host.brokerPort, { timeoutMs: CONNECT_TIMEOUT_MS }).onSettled((outcome) => {
      if (!outcome.ok) {
        this.end('reset', `the simulated connection to broker ${this.broker} failed (${(outcome.error as Error).message})`);
        return;
      }
      if (this.state === 'closed') {
        if (!this.sendThenClose) {
          outcome.value.close();
          return;
        }
        // The client sent, then closed before the simulated connection was made: its requests go first, then the close.
        this.rpc = new RpcClient<KafkaRequest, unknown>(kernel, outcome.value);
        const waiting = this.waiting;
        this.waiting = [];
        for (const send of waiting) send();
        this.rpc.close();
        return;
      }
      this.rpc = new RpcClient<KafkaRequest, unknown>(kernel, outcome.value);
      this.rpc.onClose = (reason) => this.end(reason, reason === 'reset' ? `broker ${this.broker} reset the connection` : `broker ${this.broker} closed the connection`);
      this.state = 'open';
      const waiting = this.waiting;
      this.waiting = [];
      for (const send of waiting) send();
    });
  }

  /** The real connection ended: the client closed it, or the gateway did (`reason`). */
  clientClosed(reason?: string): void {
    if (this.state === 'closed') return;
    this.narrate(
      'wire.closed',
      { conn: this.conn, by: reason === undefined ? 'client' : 'gateway', ...(reason === undefined ? {} : { reason }) },
      reason === undefined ? `The real client on ${this.node} closed its connection to broker ${this.broker}.` : `${this.node}'s connection to broker ${this.broker} ends: ${reason}.`,
    );
    // TCP delivers what a client wrote before its FIN: a client that closes right after a request
    // (an acks=0 produce) while the simulated connection is still being made still has it sent.
    this.sendThenClose = this.state === 'connecting' && reason === undefined && this.waiting.length > 0;
    this.state = 'closed';
    if (!this.sendThenClose) this.waiting = [];
    this.rpc?.close();
  }

  /** One request frame (without its size field). */
  frame(bytes: Uint8Array): void {
    if (this.state === 'closed') {
      this.out.finished(bytes.length);
      return;
    }
    let decoded: DecodedRequest | UnsupportedRequest;
    try {
      decoded = decodeRequestFrame(bytes);
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      this.reject(bytes.length, error.message);
      return;
    }
    const translator = decoded.api === null ? undefined : translatorFor(decoded.header.apiKey);
    if (translator === undefined) {
      this.unsupported(decoded.header, bytes.length);
      return;
    }
    this.handle(translator, decoded.header, (decoded as DecodedRequest).body, bytes.length);
  }

  private handle(translator: AnyTranslator, header: RequestHeader, body: unknown, requestBytes: number): void {
    const { apiVersion: version, correlationId } = header;
    const clientId = header.clientId ?? '';
    if (this.host.kernel.trace.enabled) {
      this.narrate(
        'wire.request',
        { conn: this.conn, api: translator.api.name, version, correlationId, clientId },
        `${this.node} (${clientId === '' ? 'a client' : clientId}) → broker ${this.broker}: ${translator.api.name} v${version} #${correlationId}.`,
      );
    }
    const context = this.context(clientId, correlationId);
    let translation;
    try {
      translation = translator.translate(body, version, context);
    } catch (error) {
      this.failInternally(error);
      return;
    }
    if (translation.kind === 'local') {
      this.answer(this.slot(requestBytes), translator, version, correlationId, translation.response);
      return;
    }
    const { request, response } = translation;
    if (response === undefined) {
      this.whenOpen(() => this.rpc!.send(request));
      this.out.finished(requestBytes);
      return;
    }
    const slot = this.slot(requestBytes);
    this.whenOpen(() =>
      this.rpc!.call(request, { what: translator.api.name }, (outcome) => {
        // A failure means the simulated connection ended; `end` has closed the real one.
        if (!outcome.ok || this.state === 'closed') return;
        let wire: unknown;
        try {
          wire = response(outcome.value as KafkaResponse);
        } catch (error) {
          this.failInternally(error);
          return;
        }
        this.answer(slot, translator, version, correlationId, wire);
      }),
    );
  }

  private context(clientId: string, correlationId: number): TranslateContext {
    const host = this.host;
    return {
      broker: this.broker,
      clientId,
      correlationId,
      advertised: (id) => host.advertised(id),
    };
  }

  private whenOpen(send: () => void): void {
    if (this.state === 'open') send();
    else if (this.state === 'connecting') this.waiting.push(send);
  }

  private slot(requestBytes: number): Slot {
    const slot: Slot = { frame: undefined, requestBytes };
    this.slots.push(slot);
    return slot;
  }

  /** Sends every ready response at the head of the line. */
  private flush(): void {
    while (this.slotsHead < this.slots.length) {
      const slot = this.slots[this.slotsHead]!;
      if (slot.frame === undefined) break;
      this.slotsHead++;
      if (this.state !== 'closed') this.out.respond(slot.frame);
      this.out.finished(slot.requestBytes);
    }
    if (this.slotsHead === this.slots.length) {
      this.slots.length = 0;
      this.slotsHead = 0;
    }
  }

  /** An API or version outside the table: UNSUPPORTED_VERSION in an ApiVersions v0 body. */
  private unsupported(header: RequestHeader, requestBytes: number): void {
    this.narrate(
      'wire.unsupported',
      { conn: this.conn, apiKey: header.apiKey, version: header.apiVersion },
      `${this.node} asked API ${header.apiKey} v${header.apiVersion}, which the gateway does not implement: it answers UNSUPPORTED_VERSION (35) with the versions it does.`,
    );
    this.answer(this.slot(requestBytes), APIVERSIONS, 0, header.correlationId, { errorCode: UNSUPPORTED_VERSION, apiKeys: GATEWAY_API_VERSIONS });
  }

  /** A frame that does not decode: Kafka closes the connection (`InvalidRequestException`). */
  private reject(requestBytes: number, problem: string): void {
    this.narrate('wire.rejected', { conn: this.conn, problem }, `${this.node} sent a request that does not decode (${problem}); the gateway closes that connection.`);
    this.out.finished(requestBytes);
    this.end('closed', undefined);
  }

  private failInternally(error: unknown): void {
    this.host.internalError(error, this.conn);
    this.end('reset', `gateway error: ${(error as Error).message}`);
  }

  /** Encodes a response (header v0: the correlation id) into its slot and sends what is ready. */
  private answer(slot: Slot, encoder: ResponseEncoder, version: number, correlationId: number, body: unknown): void {
    const writer = sharedWriter;
    writer.reset();
    try {
      const sizeAt = beginFrame(writer);
      writer.int32(correlationId);
      encoder.api.encodeResponse(writer, body as never, version);
      endFrame(writer, sizeAt);
    } catch (error) {
      this.failInternally(error);
      return;
    }
    slot.frame = writer.toBytes();
    this.flush();
  }

  /** Ends the session from the simulated side and closes the real connection. */
  private end(how: CloseReason, why: string | undefined): void {
    if (this.state === 'closed') return;
    if (why !== undefined) this.narrate('wire.closed', { conn: this.conn, by: 'broker', how }, `${this.node}'s connection ends: ${why}; the gateway ${how === 'reset' ? 'resets' : 'closes'} the real one.`);
    this.state = 'closed';
    this.waiting = [];
    this.rpc?.close();
    this.out.close(how);
  }

  private narrate(kind: string, data: Record<string, unknown>, text: string): void {
    const trace = this.host.kernel.trace;
    if (trace.enabled) trace.record(this.node, kind, data, text);
  }
}

interface ResponseEncoder {
  readonly api: { encodeResponse(writer: WireWriter, body: never, version: number): void };
}

const APIVERSIONS: ResponseEncoder = { api: apiVersionsApi };

/** One writer for every response: encoding happens one response at a time, then is copied out. */
const sharedWriter = new WireWriter(64 * 1024);
