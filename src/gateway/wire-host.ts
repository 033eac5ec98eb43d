/**
 * The simulated side of the gateway: what arrives from the real world enters the simulation
 * here, between steps, the same way whether it comes from live sockets (`gateway.ts`) or from a
 * recording (`replay.ts`). A connection becomes a session (`session.ts`); a frame goes to its
 * session; a fault from the control interface is applied as a step of its own.
 */
import type { Simulation } from '../broker/simulation.ts';
import type { Arrival, ListenerAddress } from './recording.ts';
import type { ConnectionView } from './state.ts';
import { WireSession, type SessionHost, type SessionOutput } from './session.ts';

/** Where a connection's output goes when no real socket is behind it (replay, or already gone). */
export const NO_OUTPUT: SessionOutput = {
  respond: () => undefined,
  finished: () => undefined,
  close: () => undefined,
};

export interface WireHostOptions {
  readonly simulation: Simulation;
  /** Where real clients reach each broker (what Metadata answers advertise). */
  readonly listeners: readonly ListenerAddress[];
  /** Where connection `conn`'s responses and closes go. */
  readonly output: (conn: number) => SessionOutput;
  /** A gateway bug surfaced while serving connection `conn` (the connection is closed). */
  readonly onInternalError?: (error: unknown, conn: number) => void;
}

export class WireHost {
  private readonly sessions = new Map<number, WireSession>();
  private readonly addresses: ReadonlyMap<number, ListenerAddress>;
  private readonly sessionHost: SessionHost;

  constructor(private readonly options: WireHostOptions) {
    const sim = options.simulation;
    this.addresses = new Map(options.listeners.map((l) => [l.broker, l]));
    this.sessionHost = {
      kernel: sim.kernel,
      network: sim.network,
      brokerPort: sim.brokerConfig.port,
      advertised: (id) => this.addresses.get(id),
      internalError: (error, conn) => options.onInternalError?.(error, conn),
    };
  }

  /** Connections whose session is still open, oldest first. */
  openConnections(): ConnectionView[] {
    const open: ConnectionView[] = [];
    for (const session of this.sessions.values()) if (!session.isClosed) open.push({ conn: session.conn, node: session.node, broker: session.broker });
    return open;
  }

  /** Applies one arrival now (between steps). */
  inject(arrival: Arrival): void {
    switch (arrival.kind) {
      case 'open': {
        const session = new WireSession(this.sessionHost, arrival.conn, arrival.broker, this.options.output(arrival.conn));
        this.sessions.set(arrival.conn, session);
        session.open();
        return;
      }
      case 'frame': {
        const session = this.sessions.get(arrival.conn);
        if (session !== undefined) session.frame(arrival.bytes);
        return;
      }
      case 'close': {
        const session = this.sessions.get(arrival.conn);
        if (session === undefined) return;
        session.clientClosed(arrival.reason);
        this.sessions.delete(arrival.conn);
        return;
      }
      case 'fault':
        this.options.simulation.applyFault(arrival.fault);
        return;
    }
  }
}
