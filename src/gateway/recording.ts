/**
 * A gateway run as a file: how the simulation was set up, then everything that entered it from
 * the real world, each stamped with the step after which and the virtual time at which it was
 * injected (a connection opened, a request frame with its bytes, a connection closed, a fault from
 * the control interface), the trace records as the run made them, and at the end the trace digest.
 * Injecting the same arrivals at the same steps into the same setup is the same run
 * (`replay.ts`): no client, socket or clock is needed.
 *
 * JSON lines: the header first (`format`, `version`, `setup`, `listeners`, `schedule`, `start`),
 * then `{ kind: 'open' | 'frame' | 'close' | 'fault', step, timeMs, ... }` (frame bytes in base64),
 * `{ kind: 'trace', record }`, and last `{ kind: 'end', step, timeMs, digest, traceRecords }`.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import type { SimulationOptions } from '../broker/simulation.ts';
import { InvalidArgumentError } from '../sim/errors.ts';
import type { Fault, ScheduledFault } from '../sim/faults.ts';
import type { TraceRecord } from '../sim/trace.ts';

export const RECORDING_FORMAT = 'kafkasim-gateway-recording';

/** What `createSimulation` needs to build the same cluster again (trace and history aside). */
export type GatewaySetup = Omit<SimulationOptions, 'trace' | 'history'>;

/** Where a broker is advertised to real clients (Metadata answers name these). */
export interface ListenerAddress {
  readonly broker: number;
  readonly host: string;
  readonly port: number;
}

export interface RecordingHeader {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: 1;
  readonly setup: GatewaySetup;
  readonly listeners: readonly ListenerAddress[];
  /** The schedule file's faults, at absolute virtual times. */
  readonly schedule: readonly ScheduledFault[];
  /** Step and virtual time when the gateway started serving (the cluster was ready). */
  readonly start: Stamp;
}

export interface Stamp {
  readonly step: number;
  readonly timeMs: number;
}

/** What enters the simulation from the real world, between steps. */
export type Arrival =
  /** A real client connected to broker `broker`'s listener: connection `conn` (node `wire-<conn>`). */
  | { readonly kind: 'open'; readonly conn: number; readonly broker: number }
  /** One request frame (without its size field) on connection `conn`. */
  | { readonly kind: 'frame'; readonly conn: number; readonly bytes: Uint8Array }
  /** The real client closed connection `conn`, or the gateway dropped it (`reason` says why). */
  | { readonly kind: 'close'; readonly conn: number; readonly reason?: string }
  /** A fault from the control interface. */
  | { readonly kind: 'fault'; readonly fault: Fault };

export type RecordedArrival = Arrival & Stamp;

export interface RecordingEnd extends Stamp {
  readonly digest: string;
  /** How many trace records the run made. */
  readonly traceRecords: number;
}

export interface RecordingOptions {
  /** Keep the arrivals in memory (for `replayRecording` without a file). Default true. */
  readonly keep?: boolean;
  /** Also write the recording, with the trace, to this file as the run goes. */
  readonly file?: string;
}

export class Recording {
  readonly arrivals: RecordedArrival[] = [];
  private ended: RecordingEnd | undefined;
  private readonly keep: boolean;
  private readonly out: WriteStream | undefined;

  constructor(
    readonly header: RecordingHeader,
    options: RecordingOptions = {},
  ) {
    this.keep = options.keep ?? true;
    if (options.file !== undefined) {
      this.out = createWriteStream(options.file);
      this.out.write(`${JSON.stringify(header)}\n`);
    }
  }

  /** The end of the run (undefined while it goes on). */
  get end(): RecordingEnd | undefined {
    return this.ended;
  }

  add(arrival: RecordedArrival): void {
    if (this.keep) this.arrivals.push(arrival);
    this.out?.write(arrivalLine(arrival));
  }

  /** A trace record of the run (written to the file only). */
  trace(record: TraceRecord): void {
    this.out?.write(`${JSON.stringify({ kind: 'trace', record })}\n`);
  }

  /** Ends the recording; resolves when the file (if any) is written. */
  async finish(end: RecordingEnd): Promise<void> {
    this.ended = end;
    const out = this.out;
    if (out === undefined) return;
    await new Promise<void>((resolve, reject) => {
      out.on('error', reject);
      out.end(`${JSON.stringify({ kind: 'end', ...end })}\n`, () => resolve());
    });
  }
}

function arrivalLine(arrival: RecordedArrival): string {
  if (arrival.kind === 'frame') {
    const { bytes, ...rest } = arrival;
    return `${JSON.stringify({ ...rest, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') })}\n`;
  }
  return `${JSON.stringify(arrival)}\n`;
}

/** A recording read back: what replaying needs, and the trace it recorded if the file has one. */
export interface LoadedRecording {
  readonly header: RecordingHeader;
  readonly arrivals: readonly RecordedArrival[];
  readonly end: RecordingEnd | undefined;
  /** The recorded trace (empty for a recording kept in memory only). */
  readonly trace: readonly TraceRecord[];
}

/** True if `text` starts like a gateway recording (the CLI's replay tells the formats apart). */
export function isRecordingText(text: string): boolean {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  try {
    return (JSON.parse(firstLine) as { format?: unknown }).format === RECORDING_FORMAT;
  } catch {
    return false;
  }
}

export function readRecording(file: string): LoadedRecording {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError('recording file', file, `a readable file (${(error as Error).message})`);
  }
  return parseRecording(text, file);
}

export function parseRecording(text: string, source = 'recording'): LoadedRecording {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const parse = (line: string, index: number): Record<string, unknown> => {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new InvalidArgumentError(`${source} line ${index + 1}`, line.length > 80 ? `${line.slice(0, 80)}…` : line, 'a JSON object');
  };
  if (lines.length === 0) throw new InvalidArgumentError(source, '', `a gateway recording (a first line with format "${RECORDING_FORMAT}")`);
  const header = parse(lines[0]!, 0) as unknown as RecordingHeader;
  if (header.format !== RECORDING_FORMAT || header.version !== 1) {
    throw new InvalidArgumentError(`${source} header`, { format: header.format, version: header.version }, `format "${RECORDING_FORMAT}" and version 1`);
  }
  if (typeof header.setup !== 'object' || header.setup === null || !Array.isArray(header.listeners) || !Array.isArray(header.schedule)) {
    throw new InvalidArgumentError(`${source} header`, Object.keys(header), 'setup, listeners and schedule');
  }
  const arrivals: RecordedArrival[] = [];
  const trace: TraceRecord[] = [];
  let end: RecordingEnd | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = parse(lines[i]!, i);
    const where = `${source} line ${i + 1}`;
    switch (line.kind) {
      case 'trace':
        trace.push(line.record as TraceRecord);
        break;
      case 'end':
        end = { step: integer(where, line.step), timeMs: integer(where, line.timeMs), digest: String(line.digest), traceRecords: integer(where, line.traceRecords) };
        break;
      case 'open':
        arrivals.push({ kind: 'open', ...stamp(where, line), conn: integer(where, line.conn), broker: integer(where, line.broker) });
        break;
      case 'frame':
        if (typeof line.bytes !== 'string') throw new InvalidArgumentError(`${where} bytes`, line.bytes, 'base64 text');
        arrivals.push({ kind: 'frame', ...stamp(where, line), conn: integer(where, line.conn), bytes: new Uint8Array(Buffer.from(line.bytes, 'base64')) });
        break;
      case 'close':
        arrivals.push({
          kind: 'close',
          ...stamp(where, line),
          conn: integer(where, line.conn),
          ...(typeof line.reason === 'string' ? { reason: line.reason } : {}),
        });
        break;
      case 'fault':
        if (typeof line.fault !== 'object' || line.fault === null) throw new InvalidArgumentError(`${where} fault`, line.fault, 'a fault object');
        arrivals.push({ kind: 'fault', ...stamp(where, line), fault: line.fault as Fault });
        break;
      default:
        throw new InvalidArgumentError(`${where} kind`, line.kind, 'one of open, frame, close, fault, trace, end');
    }
  }
  return { header, arrivals, end, trace };
}

function stamp(where: string, line: Record<string, unknown>): Stamp {
  return { step: integer(where, line.step), timeMs: integer(where, line.timeMs) };
}

function integer(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(where, value, 'a non-negative integer');
  return value;
}
