/**
 * A client's wire, narrated when the lesson wants it and recorded always: `narratedRuntime` for
 * the moments that matter (the first request, a fault), silence for the routine sends in between,
 * and every request kept (time, broker, request) for tables and claims. The client code is built
 * once with the returned runtime and never knows.
 */
import type { KafkaRequest } from '../../src/protocol/api.ts';
import type { BrokerConnection, Runtime } from '../../src/client/runtime.ts';
import type { LessonRun } from './lesson-kit.ts';
import { narratedRuntime, type NarrateOptions } from './requests.ts';

export interface SentRequest {
  readonly atMs: number;
  /** `host:port` of the broker. */
  readonly to: string;
  readonly request: KafkaRequest;
  /** Sent without waiting for a response (a produce with acks=0). */
  readonly oneWay: boolean;
}

export interface WireSwitch {
  /** The runtime to give the client. */
  readonly runtime: Runtime;
  /** Whether requests are narrated now (default off). */
  on: boolean;
  /** Every request the client sent, narrated or not, in order. */
  readonly sent: readonly SentRequest[];
}

/** `runtime` with every request recorded, and narrated while `on` is true. */
export function switchedWire(run: LessonRun, runtime: Runtime, who: string, options: NarrateOptions = {}): WireSwitch {
  const sent: SentRequest[] = [];
  const wire = { on: false, sent } as { on: boolean; sent: SentRequest[]; runtime: Runtime };
  // narratedRuntime only ever calls `say`; this stand-in passes lines on while the switch is on.
  const gated = { say: (text: string) => wire.on && run.say(text) } as unknown as LessonRun;
  wire.runtime = narratedRuntime(gated, recordingRuntime(runtime, sent), who, options);
  return wire;
}

function recordingRuntime(runtime: Runtime, sent: SentRequest[]): Runtime {
  return {
    ...runtime,
    async connect(host, port, connectOptions) {
      const connection = await runtime.connect(host, port, connectOptions);
      const recorded: BrokerConnection = {
        get address() {
          return connection.address;
        },
        get isOpen() {
          return connection.isOpen;
        },
        send(request, sendOptions) {
          sent.push({ atMs: runtime.nowMs(), to: connection.address, request, oneWay: false });
          return connection.send(request, sendOptions);
        },
        sendOneWay(request) {
          connection.sendOneWay(request);
          sent.push({ atMs: runtime.nowMs(), to: connection.address, request, oneWay: true });
        },
        close() {
          connection.close();
        },
      };
      return recorded;
    },
  };
}
