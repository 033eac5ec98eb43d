/**
 * A client's fetches, by size: a runtime whose connections keep every Fetch request with its
 * answer (for tables and claims) and, when a lesson is given, print each one as it is answered.
 * Unlike `narratedRuntime`, a fetch is described by offsets and byte sizes, never by values

 * (a lesson about fetch sizes has messages of tens of kilobytes).
 */
import type { FetchPartitionData, FetchRequest, FetchResponse } from '../../src/protocol/api.ts';
import { errorName } from '../../src/protocol/errors.ts';
import type { BrokerConnection, Runtime } from '../../src/client/runtime.ts';
import { formatMs } from '../../src/sim/index.ts';
import type { LessonRun } from './lesson-kit.ts';

export interface FetchExchange {
  /** When the request was sent (virtual ms). */
  readonly atMs: number;
  readonly broker: string;
  readonly request: FetchRequest;
  response: FetchResponse | undefined;
  /** When the answer (or the failure) came. */
  answeredAtMs: number | undefined;
  /** The connection failure, if the fetch got no answer. */
  error: string | undefined;
}

export interface FetchLog {
  /** The runtime to give the client. */
  readonly runtime: Runtime;
  /** Every fetch sent, in order. */
  readonly exchanges: FetchExchange[];
  /** Print nothing while true (the fetches are still kept). */
  quiet: boolean;
}

export interface FetchLogOptions {
  /** Print each fetch when answered, as `[time] who → broker: request ⇒ answer`. */
  readonly run?: LessonRun;
  /** Leave out (from printing) fetches answered with nothing at all (a consumer polling). Default true. */
  readonly quietEmptyFetches?: boolean;
}

export function fetchLog(runtime: Runtime, who: string, options: FetchLogOptions = {}): FetchLog {
  const quietEmpty = options.quietEmptyFetches ?? true;
  const exchanges: FetchExchange[] = [];
  const print = (exchange: FetchExchange) => {
    if (options.run === undefined || log.quiet) return;
    if (quietEmpty && exchange.response !== undefined && isEmpty(exchange.response)) return;
    const answer = exchange.response === undefined ? `failed: ${exchange.error}` : exchange.response.partitions.map(describeFetchAnswer).join('; ');
    options.run.say(`  [${formatMs(exchange.atMs)}] ${who} → ${exchange.broker.replace(/:\d+$/, '')}: ${describeFetch(exchange.request)} ⇒ ${answer}`);
  };
  const wrapped: Runtime = {
    ...runtime,
    async connect(host, port, connectOptions) {
      const connection = await runtime.connect(host, port, connectOptions);
      const logged: BrokerConnection = {
        get address() {
          return connection.address;
        },
        get isOpen() {
          return connection.isOpen;
        },
        async send(request, sendOptions) {
          if (request.api !== 'Fetch') return connection.send(request, sendOptions);
          const exchange: FetchExchange = { atMs: runtime.nowMs(), broker: connection.address, request, response: undefined, answeredAtMs: undefined, error: undefined };
          exchanges.push(exchange);
          try {
            const response = await connection.send(request, sendOptions);
            exchange.response = response as FetchResponse;
            exchange.answeredAtMs = runtime.nowMs();
            print(exchange);
            return response;
          } catch (error) {
            exchange.error = (error as Error).message;
            exchange.answeredAtMs = runtime.nowMs();
            print(exchange);
            throw error;
          }
        },
        sendOneWay(request) {
          connection.sendOneWay(request);
        },
        close() {
          connection.close();
        },
      };
      return logged;
    },
  };
  const log: FetchLog = { runtime: wrapped, exchanges, quiet: false };
  return log;
}

/** A fetch in short: `big-0 from offset 0, 4096 bytes (min_bytes 1, max wait 100 ms)`. */
export function describeFetch(request: FetchRequest): string {
  const partitions = request.partitions.map((p) => `${p.topic}-${p.partition} from offset ${p.fetchOffset}, ${p.fetchSize} bytes`).join('; ');
  return `${partitions} (min_bytes ${request.minBytes}, max wait ${request.maxWait} ms)`;
}

/** One partition's answer by sizes: its complete messages, and whether a message was cut. */
export function describeFetchAnswer(data: FetchPartitionData): string {
  if (data.errorCode !== 0) return `${data.topic}-${data.partition}: ${errorName(data.errorCode)}`;
  const messages = data.batches.flatMap((batch) => batch.messages.map((message, i) => ({ offset: batch.baseOffset + i, bytes: message.sizeBytes })));
  if (messages.length === 0) return data.partialMessage ? 'part of a message only' : 'no messages';
  const sizes = messages.map((m) => m.bytes.toLocaleString('en-US'));
  const complete =
    messages.length === 1
      ? `1 message at offset ${messages[0]!.offset} (${sizes[0]} bytes)`
      : `${messages.length} messages at offsets ${messages[0]!.offset}..${messages.at(-1)!.offset} (${messages.length > 3 ? `${sizes.slice(0, 3).join(', ')}, ... bytes` : `${sizes.join(', ')} bytes`})`;
  return data.partialMessage ? `${complete} + part of the next` : complete;
}

/** The fetch was answered with part of a message and no complete one. */
export function isPartialOnly(exchange: FetchExchange): boolean {
  return exchange.response?.partitions.some((p) => p.errorCode === 0 && p.partialMessage && p.batches.every((b) => b.count === 0)) === true;
}

function isEmpty(
response: FetchResponse): boolean {
  return response.partitions.every((p) => p.errorCode === 0 && !p.partialMessage && p.batches.every((b) => b.count === 0));
}
