/**
 * The trace: one record per thing worth knowing that happened, with the step and virtual time,
 * the node, a kind (`zk.session.expired`, `controller.elected`, ...), structured data and one
 * line of English. Records are serialised as JSON lines; the digest is a SHA-256 over those
 * lines, so two runs are the same run exactly when their digests match.
 *
 * Modes: `full` keeps every record (lessons, replay); `digest` only folds records into the
 * digest (property tests that compare runs); `off` records nothing (benchmarks).
 */
import { createHash, type Hash } from 'node:crypto';
import { requireOneOf } from './validate.ts';

export type TraceMode = 'full' | 'digest' | 'off';
export const TRACE_MODES: readonly TraceMode[] = ['full', 'digest', 'off'];

export type TraceData = Readonly<Record<string, unknown>>;

export interface TraceRecord {
  readonly step: number;
  readonly timeMs: number;
  readonly node: string;
  readonly kind: string;
  readonly data: TraceData;
  readonly text: string;
}

export interface TraceClock {
  readonly currentStep: number;
  readonly nowMs: number;
}

export type TraceListener = (record: TraceRecord) => void;

export class Trace {
  readonly mode: TraceMode;
  private readonly kept: TraceRecord[] = [];
  private readonly hash: Hash | undefined;
  private readonly listeners = new Set<TraceListener>();
  private recorded = 0;

  constructor(
    private readonly clock: TraceClock,
    mode: TraceMode = 'full',
  ) {
    this.mode = requireOneOf('trace', mode, TRACE_MODES);
    this.hash = mode === 'off' ? undefined : createHash('sha256');
  }

  /** False in `off` mode: callers may skip building data and narration. */
  get enabled(): boolean {
    return this.mode !== 'off' || this.listeners.size > 0;
  }

  /** Number of records made so far (in every mode but `off`). */
  get count(): number {
    return this.recorded;
  }

  /** Every record, in `full` mode. */
  get records(): readonly TraceRecord[] {
    return this.kept;
  }

  record(node: string, kind: string, data: TraceData, text: string): void {
    if (!this.enabled) return;
    const record: TraceRecord = { step: this.clock.currentStep, timeMs: this.clock.nowMs, node, kind, data, text };
    this.recorded++;
    if (this.hash !== undefined) this.hash.update(toJsonLine(record));
    if (this.mode === 'full') this.kept.push(record);
    for (const listener of this.listeners) listener(record);
  }

  /** Hex SHA-256 of every record's JSON line so far (empty-trace digest in `off` mode). */
  digest(): string {
    return (this.hash ?? createHash('sha256')).copy().digest('hex');
  }

  /** Calls `listener` with every record from now on; returns the unsubscribe function. */
  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  toJsonLines(): string {
    return this.kept.map(toJsonLine).join('');
  }
}

export function toJsonLine(record: TraceRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export function parseJsonLines(text: string): TraceRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as TraceRecord);
}

export interface RenderOptions {
  /** Keep only records whose kind starts with one of these prefixes. */
  readonly kinds?: readonly string[];
  /** Keep only records of these nodes. */
  readonly nodes?: readonly string[];
}

/** "step 12   1,500 ms  broker-1  Broker 1 became leader of jiketest-0 (epoch 1)." */
export function renderTrace(records: readonly TraceRecord[], options: RenderOptions = {}): string {
  return filterTrace(records, options).map(renderRecord).join('\n');
}

export function filterTrace(records: readonly TraceRecord[], options: RenderOptions): TraceRecord[] {
  const { kinds, nodes } = options;
  return records.filter(
    (r) =>
      (kinds === undefined || kinds.some((prefix) => r.kind.startsWith(prefix))) &&
      (nodes === undefined || nodes.includes(r.node)),
  );
}

export function renderRecord(record: TraceRecord): string {
  const step = `step ${record.step}`.padEnd(11);
  const time = `${formatMs(record.timeMs)}`.padStart(10);
  return `${step}${time}  ${record.node.padEnd(12)} ${record.text}`;
}

/** 1500 → "1,500 ms". */
export function formatMs(ms: number): string {
  return `${ms.toLocaleString('en-US')} ms`;
}
