/**
 * Narrates what a client says to the brokers: a runtime whose connections print each request and
 * its response (or failure) in the lesson, with the virtual time. The client code is unchanged;
 * only its runtime is wrapped, the way a packet capture sits beside a program.
 */
import type { ApiName, KafkaRequest, KafkaResponse } from '../../src/protocol/api.ts';
import { describeRequest, describeResponse } from '../../src/protocol/describe.ts';
import type { BrokerConnection, Runtime } from '../../src/client/runtime.ts';
import { formatMs } from '../../src/sim/index.ts';
import type { LessonRun } from './lesson-kit.ts';

export interface NarrateOptions {
  /** Only these APIs (default: all). */
  readonly apis?: readonly ApiName[];
  /** Leave out fetches that returned no message and no error (a consumer polling). Default true. */
  readonly quietEmptyFetches?: boolean;
}

/** `runtime`, with every request of its connections narrated as `who → host:port: ...`. */
export function narratedRuntime(run: LessonRun, runtime: Runtime, who: string, options: NarrateOptions = {}): Runtime {
  const quietEmptyFetches = options.quietEmptyFetches ?? true;
  const shown = (request: KafkaRequest) => options.apis === undefined || options.apis.includes(request.api);
  const line = (text: string) => run.say(`  [${formatMs(runtime.nowMs())}] ${text}`);
  return {
    ...runtime,
    async connect(host, port, connectOptions) {
      const connection = await runtime.connect(host, port, connectOptions);
      const narrated: BrokerConnection = {
        get address() {
          return connection.address;
        },
        get isOpen() {
          return connection.isOpen;
        },
        async send(request, sendOptions) {
          if (!shown(request)) return connection.send(request, sendOptions);
          const asked = `${who} → ${connection.address}: ${describeRequest(request)}`;
          const quiet = quietEmptyFetches && request.api === 'Fetch';
          const sentMs = runtime.nowMs();
          const late = () => line(`${asked}${runtime.nowMs() === sentMs ? '' : ` (sent at ${formatMs(sentMs)})`}`);
          if (!quiet) line(asked);
          try {
            const response = await connection.send(request, sendOptions);
            if (quiet && !isEmptyFetch(response)) late();
            if (!(quiet && isEmptyFetch(response))) line(`${who} ← ${connection.address}: ${describeResponse(response)}`);
            return response;
          } catch (error) {
            if (quiet) late();
            const message = (error as Error).message;
            line(`${who} ✗ ${message.startsWith(connection.address) ? message : `${connection.address}: ${message}`}`);
            throw error;
          }
        },
        sendOneWay(request) {
          if (shown(request)) line(`${who} → ${connection.address}: ${describeRequest(request)} (no response expected)`);
          connection.sendOneWay(request);
        },
        close() {
          connection.close();
        },
      };
      return narrated;
    },
  };
}

function isEmptyFetch(response: KafkaResponse): boolean {
  return response.api === 'Fetch' && response.partitions.every((p) => p.errorCode === 0 && p.batches.every((b) => b.count === 0));
}
