/**
 * A `BrokerConnection` over TCP (node:net) speaking Kafka's wire protocol with the codec of
 * src/protocol/wire: the client seam's real connection to one broker.
 *
 * - Opening: a TCP connection within the connect timeout, then ApiVersions. The request goes out
 *   as the codec's highest ApiVersions version; a broker that does not know it answers v0 with
 *   UNSUPPORTED_VERSION (35) and its ranges (KIP-511), and the request is repeated with the
 *   highest version both know (Kafka's `NetworkClient` does the same). For every API the broker
 *   lists, the versions both it and the codec implement are kept; each request is then sent as
 *   the highest of those its translation allows (`translate/`). Versions are chosen per request,
 *   so a broker lacking one API fails only the requests that need it, with an
 *   `UnsupportedVersionError` naming the address, the API and both ranges.
 * - Requests: each gets the next correlation id of this connection (the internal request's own
 *   id is not sent: clients reuse theirs across connections) and responses are matched in order,
 *   as Kafka answers them. A response that is not the oldest outstanding one's breaks the stream:
 *   the connection closes. A produce with acks = 0 (`sendOneWay`) gets no response.
 * - Timeouts: a request unanswered within its timeout rejects with a `BrokerConnectionError`
 *   ('request-timeout') and closes the connection, as the seam says (the other outstanding
 *   requests reject as 'closed').
 * - Errors: socket errors become `BrokerConnectionError`s naming the address and the problem
 *   (refused, unreachable, reset, closed by the broker, timeout). A response frame that does not
 *   decode closes the connection; a body that decodes but cannot be translated (records in an
 *   unsupported compression) rejects only its request.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { KafkaRequest, ResponseFor } from '../protocol/api.ts';
import { BrokerConnectionError } from '../client/errors.ts';
import type { BrokerConnection } from '../client/runtime.ts';
import type { ApiVersionRange, ApiVersionsResponse } from '../protocol/wire/apis/api-versions.ts';
import { UNSUPPORTED_VERSION, decodeResponseFrame, encodeRequestFrame } from '../protocol/wire/codec.ts';
import { WireDecodeError } from '../protocol/wire/errors.ts';
import { DEFAULT_MAX_FRAME_BYTES, FrameReader } from '../protocol/wire/frame.ts';
import { WireWriter } from '../protocol/wire/primitives.ts';
import { WIRE_APIS, type WireApiName, type WireRequestOf, type WireResponseOf } from '../protocol/wire/registry.ts';
import { UnsupportedVersionError, type VersionRange } from './errors.ts';
import { translationFor } from './translate/index.ts';

export interface WireConnectionOptions {
  /** TCP connect and ApiVersions, together (default 30,000 ms). */
  readonly connectTimeoutMs?: number;
  /** For a `send` without a timeout of its own (default 30,000 ms). */
  readonly requestTimeoutMs?: number;
  /** The client id in request headers of the connection's own requests (ApiVersions). */
  readonly clientId?: string;
  /** Largest response frame accepted (default 100 MiB). */
  readonly maxFrameBytes?: number;
}

/** Per API: what the broker implements, and the version chosen within the codec's range (undefined: none in common). */
export interface NegotiatedApi {
  readonly broker: VersionRange;
  readonly codec: VersionRange;
  /** The highest version both implement (a request may narrow it further). */
  readonly version: number | undefined;
}

interface Pending {
  readonly correlationId: number;
  readonly what: string;
  decode(frame: Uint8Array): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const APIS_BY_KEY: ReadonlyMap<number, WireApiName> = new Map(Object.values(WIRE_APIS).map((api) => [api.key, api.name as WireApiName]));

export class WireConnection implements BrokerConnection {
  private readonly frames: FrameReader;
  private readonly pending: Pending[] = [];
  /** Correlation ids of one-way requests: a broker that answers them anyway is tolerated. */
  private readonly oneWay = new Set<number>();
  private nextCorrelationId = 0;
  private open = true;
  private negotiated = new Map<WireApiName, NegotiatedApi>();

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly options: WireConnectionOptions,
  ) {
    this.frames = new FrameReader(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(socketError(error, address)));
    socket.on('close', () => this.fail(new BrokerConnectionError('closed', address, 'connection closed by the broker')));
  }

  /** Connects to `host:port` and negotiates versions; rejects with `BrokerConnectionError` or `UnsupportedVersionError`. */
  static async open(host: string, port: number, options: WireConnectionOptions = {}): Promise<WireConnection> {
    const address = `${host}:${port}`;
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = Date.now();
    const socket = await new Promise<Socket>((resolve, reject) => {
      const socket = netConnect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BrokerConnectionError('timeout', address, `no TCP connection within the connect timeout (${timeoutMs} ms)`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(socketError(error, address));
      });
    });
    socket.setNoDelay(true);
    const connection = new WireConnection(socket, address, options);
    try {
      await connection.negotiate(Math.max(1, timeoutMs - (Date.now() - started)));
    } catch (error) {
      connection.close();
      if (error instanceof BrokerConnectionError && (error.reason === 'closed' || error.reason === 'reset')) {
        // Kafka before 0.10 closes a connection that sends an API key it does not know.
        throw new BrokerConnectionError(
          error.reason,
          address,
          `the broker closed the connection when asked for its API versions (${error.message.slice(address.length + 2)}); brokers before Kafka 0.10 do: the real runtime needs ApiVersions (KIP-35)`,
        );
      }
      throw error;
    }
    return connection;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** What ApiVersions settled, by API (for logs and tests). */
  get apiVersions(): ReadonlyMap<WireApiName, NegotiatedApi> {
    return this.negotiated;
  }

  async send<R extends KafkaRequest>(request: R, options: { readonly timeoutMs?: number } = {}): Promise<ResponseFor<R>> {
    const translation = translationFor(request);
    if (translation === undefined) throw new TypeError(`${request.api} is a controller-to-broker request: a client cannot send it to ${this.address}`);
    const version = this.versionFor(translation.wireApi, translation.versions(request));
    const body = translation.toWire(request, version);
    if (!translation.expectsResponse(request)) {
      throw new TypeError(`a ${request.api} request that gets no response (acks = 0) goes through sendOneWay, not send`);
    }
    const response = await this.exchange(translation.wireApi, version, body, options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    return translation.fromWire(response, request, version);
  }

  sendOneWay(request: KafkaRequest): void {
    const translation = translationFor(request);
    if (translation === undefined) throw new TypeError(`${request.api} is a controller-to-broker request: a client cannot send it to ${this.address}`);
    if (!this.open) throw new BrokerConnectionError('closed', this.address, 'connection closed');
    const version = this.versionFor(translation.wireApi, translation.versions(request));
    const correlationId = this.takeCorrelationId();
    this.oneWay.add(correlationId);
    this.write(translation.wireApi, version, correlationId, translation.toWire(request, version));
  }

  close(): void {
    this.fail(new BrokerConnectionError('closed', this.address, 'connection closed by the client'));
  }

  // ---------------------------------------------------------------- negotiation

  private async negotiate(timeoutMs: number): Promise<void> {
    const ours = WIRE_APIS.ApiVersions;
    let version = ours.maxVersion;
    let answer = await this.exchangeApiVersions(version, timeoutMs);
    if (answer.errorCode === UNSUPPORTED_VERSION) {
      const theirs = answer.apiKeys.find((r) => r.apiKey === ours.key);
      const common = theirs === undefined ? undefined : intersect({ min: theirs.minVersion, max: theirs.maxVersion }, { min: ours.minVersion, max: ours.maxVersion });
      if (common === undefined) {
        throw new UnsupportedVersionError(this.address, 'ApiVersions', theirs === undefined ? null : { min: theirs.minVersion, max: theirs.maxVersion }, {
          min: ours.minVersion,
          max: ours.maxVersion,
        });
      }
      version = common.max;
      answer = await this.exchangeApiVersions(version, timeoutMs);
    }
    if (answer.errorCode !== 0) {
      throw new UnsupportedVersionError(this.address, 'ApiVersions', null, { min: ours.minVersion, max: ours.maxVersion }, `the broker answered ApiVersions v${version} with error code ${answer.errorCode}`);
    }
    this.negotiated = negotiatedVersions(answer.apiKeys);
  }

  /** ApiVersions at `version`; an answer in v0 (a broker's UNSUPPORTED_VERSION fallback) is read as v0. */
  private exchangeApiVersions(version: number, timeoutMs: number): Promise<ApiVersionsResponse> {
    const correlationId = this.takeCorrelationId();
    const done = this.expect(correlationId, `ApiVersions v${version}`, timeoutMs, (frame) => {
      try {
        return decodeResponseFrame(frame, 'ApiVersions', version).body;
      } catch (error) {
        if (version === 0 || !(error instanceof WireDecodeError)) throw error;
        return decodeResponseFrame(frame, 'ApiVersions', 0).body;
      }
    });
    if (this.open) this.write('ApiVersions', version, correlationId, {});
    return done as Promise<ApiVersionsResponse>;
  }

  /** The version to send `api` at, within `allowed`; throws `UnsupportedVersionError` when there is none. */
  private versionFor(api: WireApiName, allowed: VersionRange & { readonly why?: string }): number {
    const codec = { min: WIRE_APIS[api].minVersion, max: WIRE_APIS[api].maxVersion };
    const client = intersect(codec, allowed) ?? codec;
    const found = this.negotiated.get(api);
    const common = found === undefined ? undefined : intersect(found.broker, client);
    if (common === undefined) throw new UnsupportedVersionError(this.address, api, found?.broker ?? null, client, allowed.why);
    return common.max;
  }

  // ---------------------------------------------------------------- requests and responses

  private exchange<N extends WireApiName>(api: N, version: number, body: WireRequestOf<N>, timeoutMs: number): Promise<WireResponseOf<N>> {
    const correlationId = this.takeCorrelationId();
    const done = this.expect(correlationId, `${api} v${version}`, timeoutMs, (frame) => decodeResponseFrame(frame, api, version).body);
    if (this.open) this.write(api, version, correlationId, body);
    return done as Promise<WireResponseOf<N>>;
  }

  private expect(correlationId: number, what: string, timeoutMs: number, decode: (frame: Uint8Array) => unknown): Promise<unknown> {
    if (!this.open) return Promise.reject(new BrokerConnectionError('closed', this.address, 'connection closed'));
    return new Promise((resolve, reject) => {
      const entry: Pending = { correlationId, what, decode, resolve, reject, timer: undefined };
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        const error = new BrokerConnectionError('request-timeout', this.address, `no response to ${what} within ${timeoutMs} ms; connection closed`);
        const at = this.pending.indexOf(entry);
        if (at !== -1) this.pending.splice(at, 1);
        reject(error);
        this.fail(new BrokerConnectionError('closed', this.address, `connection closed after ${what} timed out`));
      }, timeoutMs);
      this.pending.push(entry);
    });
  }

  private write<N extends WireApiName>(api: N, version: number, correlationId: number, body: WireRequestOf<N>): void {
    const writer = new WireWriter(256);
    encodeRequestFrame(writer, api, { apiVersion: version, correlationId, clientId: this.options.clientId ?? 'kafkasim' }, body);
    this.socket.write(writer.finish());
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) % 0x8000_0000;
    return id;
  }

  private received(chunk: Buffer): void {
    if (!this.open) return;
    this.frames.push(chunk);
    for (;;) {
      let frame: Uint8Array | null;
      try {
        frame = this.frames.next();
      } catch (error) {
        this.fail(new BrokerConnectionError('closed', this.address, `connection closed: the broker sent a bad frame (${(error as Error).message})`));
        return;
      }
      if (frame === null) return;
      this.answer(frame);
      if (!this.open) return;
    }
  }

  private answer(frame: Uint8Array): void {
    if (frame.length < 4) {
      this.fail(new BrokerConnectionError('closed', this.address, `connection closed: a ${frame.length}-byte response has no correlation id`));
      return;
    }
    const correlationId = new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
    if (this.oneWay.delete(correlationId)) return;
    const head = this.pending[0];
    if (head === undefined || head.correlationId !== correlationId) {
      const expected = head === undefined ? 'none was outstanding' : `expected ${head.correlationId} (${head.what})`;
      this.fail(new BrokerConnectionError('closed', this.address, `connection closed: the broker answered correlation id ${correlationId}, ${expected}`));
      return;
    }
    this.pending.shift();
    if (head.timer !== undefined) clearTimeout(head.timer);
    // One-way requests older than this response will never be answered.
    for (const id of this.oneWay) if (id < correlationId) this.oneWay.delete(id);
    let decoded: unknown;
    try {
      decoded = head.decode(frame);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      head.reject(new BrokerConnectionError('closed', this.address, `connection closed: cannot read the response to ${head.what}: ${problem}`));
      this.fail(new BrokerConnectionError('closed', this.address, `connection closed after an unreadable response to ${head.what}`));
      return;
    }
    head.resolve(decoded);
  }

  /** Closes the connection (once) and rejects every outstanding request with `error`. */
  private fail(error: BrokerConnectionError): void {
    if (!this.open) return;
    this.open = false;
    this.socket.destroy();
    for (const entry of this.pending.splice(0)) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

/** Per registered API the broker lists: its range, the codec's, and the highest common version. */
export function negotiatedVersions(ranges: readonly ApiVersionRange[]): Map<WireApiName, NegotiatedApi> {
  const result = new Map<WireApiName, NegotiatedApi>();
  for (const range of ranges) {
    const name = APIS_BY_KEY.get(range.apiKey);
    if (name === undefined) continue;
    const codec = { min: WIRE_APIS[name].minVersion, max: WIRE_APIS[name].maxVersion };
    const broker = { min: range.minVersion, max: range.maxVersion };
    result.set(name, { broker, codec, version: intersect(broker, codec)?.max });
  }
  return result;
}

function intersect(a: VersionRange, b: VersionRange): VersionRange | undefined {
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min <= max ? { min, max } : undefined;
}

/** A socket error as the seam's error, naming the problem. */
function socketError(error: Error & { code?: string }, address: string): BrokerConnectionError {
  const code = error.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return new BrokerConnectionError('refused', address, `connection refused (${code}: nothing listens on that port, or the broker is down)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new BrokerConnectionError('reset', address, `connection reset by the broker (${code})`);
    case 'ETIMEDOUT':
      return new BrokerConnectionError('timeout', address, `connection timed out (${code})`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return new BrokerConnectionError('unreachable', address, `broker unreachable (${code}: no route to the host)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new BrokerConnectionError('unreachable', address, `broker unreachable (${code}: the host name does not resolve)`);
    default:
      return new BrokerConnectionError('reset', address, `connection failed (${code || error.message})`);
  }
}

