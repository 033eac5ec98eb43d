/**
 * `startGateway`: a simulated cluster served to real Kafka clients. It builds the cluster
 * (`createSimulation`), opens one loopback listener per broker (`listeners.ts`), and runs virtual
 * time in step with the wall clock (`pacing.ts`). Everything the real world does (a connection,
 * a request frame, a close, a fault from the control interface) is queued as an arrival and
 * injected between steps, each as a step of its own (`Kernel.act`), stamped with the step and
 * virtual time it was injected at; the recording keeps those stamps, so `replay.ts` can inject the
 * same arrivals at the same points without any client, socket or clock.
 *
 * Listeners follow their brokers after every slice of virtual time and after every fault: a
 * crashed or stopped broker's port refuses connections, a restarted one listens on the same port.
 *
 * Not modelled: TLS/SASL listeners, more than one listener per broker, non-loopback hosts.
 */
import type { Socket } from 'node:net';
import { createSimulation, type Simulation, type TopicSpec } from '../broker/simulation.ts';
import type { BrokerConfig } from '../broker/config.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/wire/frame.ts';
import { InvalidArgumentError } from '../sim/errors.ts';
import type { Fault, ScheduledFault } from '../sim/faults.ts';
import type { TraceMode, TraceRecord } from '../sim/trace.ts';
import { startControlHttp, type ControlHttp } from './control-http.ts';
import { BrokerListener, RealConnection, type ConnectionLimits } from './listeners.ts';
import { Pacer } from './pacing.ts';
import { Recording, RECORDING_FORMAT, type Arrival, type GatewaySetup, type ListenerAddress } from './recording.ts';
import { gatewayState, type GatewayState } from './state.ts';
import { NO_OUTPUT, WireHost } from './wire-host.ts';

export interface GatewayOptions {
  /** Number of brokers, ids 1..n (default 3). */
  readonly brokers?: number;
  /** Topics created before serving starts, as `createSimulation` takes them. */
  readonly topics?: readonly TopicSpec[];
  /** The simulation's seed (default 1). */
  readonly seed?: number;
  /** Only loopback is served. */
  readonly host?: '127.0.0.1';
  /** 0 (default): each broker gets an OS-assigned port; else broker i listens on basePort + i - 1. */
  readonly basePort?: number;
  /** Virtual milliseconds per wall millisecond (default 1). */
  readonly speed?: number;
  readonly brokerConfig?: Partial<BrokerConfig>;
  /** Record the run: to this file (header, arrivals, trace, end), or `true` for memory only. */
  readonly record?: string | true;
  /** Faults at virtual times after serving starts (`atMs` relative to that moment). */
  readonly schedule?: readonly ScheduledFault[];
  /** A loopback HTTP control endpoint (POST /fault, GET /state) on this port (0 = OS-assigned). */
  readonly controlPort?: number;
  /** Trace mode (default 'digest': hashed, not kept; 'full' keeps every record in memory). */
  readonly trace?: TraceMode;
  /** Every trace record as it is made (narration). */
  readonly onTrace?: (record: TraceRecord) => void;
  /**
   * A problem while serving: fatal (the simulation itself failed: serving stops, the state is
   * kept for inspection) or not (a gateway bug on one connection, which was closed; a listener
   * that could not reopen its port). `stop` rejects with the first one either way.
   */
  readonly onError?: (error: unknown, fatal: boolean) => void;
  /** Largest request frame accepted (Kafka's `socket.request.max.bytes`, default 100 MiB). */
  readonly maxFrameBytes?: number;
  /** Unanswered request bytes (and unread response bytes) above which a connection stops being read (default 4 MiB). */
  readonly maxBacklogBytes?: number;
}

export interface Gateway {
  /** `127.0.0.1:p1,127.0.0.1:p2,...`, by broker id. */
  readonly bootstrapServers: string;
  readonly listeners: readonly ListenerAddress[];
  readonly simulation: Simulation;
  /** Where the HTTP control endpoint listens, if `controlPort` was given. */
  readonly controlAddress: { readonly host: string; readonly port: number } | undefined;
  /** The run so far (undefined unless `record` was given); its `end` is set by `stop`. */
  readonly recording: Recording | undefined;
  /**
   * Applies a fault between steps (recorded as an arrival). Throws at once if the fault is
   * malformed; resolves once it is applied and the listeners follow the brokers.
   */
  applyFault(fault: Fault): Promise<void>;
  /** The cluster now: brokers and their addresses, leaders, ISRs, offsets, open connections. */
  state(): GatewayState;
  /** Stops serving, closes every socket, ends the recording; rejects if the simulation failed. */
  stop(): Promise<void>;
}

const DEFAULT_MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new InvalidArgumentError('gateway host', host, '"127.0.0.1" (the gateway serves loopback only)');
  const basePort = options.basePort ?? 0;
  if (!Number.isSafeInteger(basePort) || basePort < 0 || basePort > 65535) throw new InvalidArgumentError('gateway basePort', basePort, 'an integer port from 0 to 65535 (0 = OS-assigned)');
  const speed = options.speed ?? 1;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) throw new InvalidArgumentError('gateway speed', speed, 'a positive number of virtual ms per wall ms');
  const limits: ConnectionLimits = {
    maxFrameBytes: positive('maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
    maxBacklogBytes: positive('maxBacklogBytes', options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES),
  };
  if (options.record !== undefined && options.trace === 'off') {
    throw new InvalidArgumentError('gateway trace', 'off', "'digest' or 'full' when recording (a replay is checked against the trace digest)");
  }
  const setup: GatewaySetup = {
    seed: options.seed ?? 1,
    ...(options.brokers === undefined ? {} : { brokers: options.brokers }),
    ...(options.topics === undefined ? {} : { topics: options.topics }),
    ...(options.brokerConfig === undefined ? {} : { brokerConfig: options.brokerConfig }),
  };
  const simulation = await createSimulation({ ...setup, trace: options.trace ?? 'digest', history: false });
  const { kernel, network } = simulation;
  const simPort = simulation.brokerConfig.port;
  const start = { step: kernel.currentStep, timeMs: kernel.nowMs };
  const schedule = (options.schedule ?? []).map((entry) => ({ atMs: start.timeMs + entry.atMs, fault: entry.fault }));
  simulation.scheduleFaults(schedule);

  // Listeners first: their ports are what Metadata advertises and what the recording notes.
  const connections = new Map<number, RealConnection>();
  const queue: Arrival[] = [];
  let nextConn = 1;
  let stopped = false;
  /** The first problem (see `onError`); `fatal` once the simulation itself failed. */
  let failure: unknown;
  let fatal = false;
  /** `applyFault` calls waiting for their fault to be injected. */
  let faultsApplied: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  // Created once the listeners are open; arrivals before then wait in the queue.
  let pacer: Pacer | undefined;
  const sink = (arrival: Arrival): void => {
    queue.push(arrival);
    pacer?.wake();
  };
  const onConnection = (listener: BrokerListener, socket: Socket): void => {
    if (stopped) {
      socket.destroy();
      return;
    }
    const conn = nextConn++;
    const real = new RealConnection(conn, listener.broker, socket, limits, sink, (gone) => connections.delete(gone.conn));
    connections.set(conn, real);
    sink({ kind: 'open', conn, broker: listener.broker });
  };
  const listeners = [...simulation.brokers.keys()].map(
    (id, i) => new BrokerListener(id, host, basePort === 0 ? 0 : basePort + i, onConnection, (error) => report(error, false)),
  );
  try {
    await Promise.all(listeners.map((l) => l.open()));
  } catch (error) {
    for (const l of listeners) l.close();
    throw new InvalidArgumentError('gateway basePort', basePort, `ports free on ${host} (${(error as Error).message})`);
  }
  const addresses: ListenerAddress[] = listeners.map((l) => ({ broker: l.broker, host: l.host, port: l.port }));

  const recording = options.record === undefined
    ? undefined
    : new Recording(
        { format: RECORDING_FORMAT, version: 1, setup, listeners: addresses, schedule, start },
        options.record === true ? {} : { keep: false, file: options.record },
      );
  const unsubscribe: Array<() => void> = [];
  if (recording !== undefined && options.record !== true) unsubscribe.push(kernel.trace.subscribe((record) => recording.trace(record)));
  if (options.onTrace !== undefined) unsubscribe.push(kernel.trace.subscribe(options.onTrace));

  const wireHost = new WireHost({
    simulation,
    listeners: addresses,
    output: (conn) => connections.get(conn) ?? NO_OUTPUT,
    onInternalError: (error) => report(error, false),
  });
  const followBrokers = (): void => {
    if (stopped || fatal) return;
    for (const l of listeners) l.follow(network.isListening(`broker-${l.broker}`, simPort));
  };
  pacer = new Pacer({
    kernel,
    speed,
    pending: () => queue.length > 0,
    between: () => {
      const arrivals = queue.splice(0, queue.length);
      for (const arrival of arrivals) {
        recording?.add({ ...arrival, step: kernel.currentStep, timeMs: kernel.nowMs });
        kernel.act(`wire ${arrival.kind}`, () => wireHost.inject(arrival));
      }
      followBrokers();
      const applied = faultsApplied;
      faultsApplied = [];
      for (const settle of applied) settle.resolve();
    },
    afterSlice: followBrokers,
    onError: (error) => report(error, true),
  });

  function report(error: unknown, isFatal: boolean): void {
    if (failure === undefined) failure = error;
    options.onError?.(error, isFatal);
    if (!isFatal) return;
    fatal = true;
    // Faults waiting for the pacer will never be applied.
    const waiting = faultsApplied;
    faultsApplied = [];
    for (const settle of waiting) settle.reject(error);
    // The simulation cannot go on consistently: stop accepting, keep the state for inspection.
    for (const l of listeners) l.close();
  }

  let control: ControlHttp | undefined;
  const gateway: Gateway = {
    bootstrapServers: addresses.map((a) => `${a.host}:${a.port}`).join(','),
    listeners: addresses,
    simulation,
    get controlAddress() {
      return control?.address;
    },
    recording,
    applyFault(fault) {
      simulation.faults.validate(fault);
      if (stopped || fatal) return Promise.reject(new InvalidArgumentError('gateway', stopped ? 'stopped' : 'failed', 'a running gateway to apply faults to'));
      return new Promise<void>((resolve, reject) => {
        faultsApplied.push({ resolve, reject });
        sink({ kind: 'fault', fault });
      });
    },
    state: () => gatewayState(simulation, addresses, (broker) => listeners.find((l) => l.broker === broker)?.isOpen ?? false, wireHost.openConnections()),
    async stop() {
      if (stopped) return;
      stopped = true;
      await pacer?.stop();
      for (const l of listeners) l.close();
      for (const real of connections.values()) real.destroy();
      connections.clear();
      await control?.close();
      for (const off of unsubscribe) off();
      await recording?.finish({ step: kernel.currentStep, timeMs: kernel.nowMs, digest: kernel.trace.digest(), traceRecords: kernel.trace.count });
      if (failure !== undefined) throw failure;
    },
  };
  if (options.controlPort !== undefined) {
    try {
      control = await startControlHttp(gateway, host, options.controlPort);
    } catch (error) {
      await gateway.stop();
      throw error;
    }
  }
  pacer.start();
  return gateway;
}

function positive(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(`gateway ${what}`, value, 'a positive integer');
  return value;
}
