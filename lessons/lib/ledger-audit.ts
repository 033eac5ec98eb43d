/**
 * A producer's ledger held against what the partition finally keeps: which acknowledged values
 * are gone (the loss that matters: the producer was told they were safe), which values are gone
 * at all, and which are there more than once.
 */
import type { ProducerLedger } from '../../src/client/producer/ledger.ts';
import { payloadToString } from '../../src/protocol/message.ts';

export interface LedgerAudit {
  readonly sent: number;
  readonly acknowledged: number;
  /** acks=0: sent, and nobody will ever say whether it arrived. */
  readonly unknown: number;
  /** The application was told (FailedToSendMessage). */
  readonly failed: number;
  /** Acknowledged, and not in the final log. */
  readonly lostAcknowledged: string[];
  /** Sent with acks=0 (fate unknown to the producer), and not in the final log. */
  readonly lostSilently: string[];
  /** Not in the final log, whatever the producer was told. */
  readonly lostOverall: string[];
  /** Values the final log holds more than once. */
  readonly duplicated: string[];
}

/** `ledgers`: one producer's, or several producers' writing to the same partition. */
export function auditLedger(ledgers: ProducerLedger | readonly ProducerLedger[], finalLog: readonly string[]): LedgerAudit {
  const kept = new Map<string, number>();
  for (const value of finalLog) kept.set(value, (kept.get(value) ?? 0) + 1);
  const valueOf = (payload: Parameters<typeof payloadToString>[0]) => payloadToString(payload) ?? '';
  const entries = (Array.isArray(ledgers) ? (ledgers as readonly ProducerLedger[]) : [ledgers as ProducerLedger]).flatMap((l) => l.entries);
  const gone = entries.filter((e) => !kept.has(valueOf(e.value)));
  return {
    sent: entries.length,
    acknowledged: entries.filter((e) => e.fate === 'acknowledged').length,
    unknown: entries.filter((e) => e.fate === 'unknown').length,
    failed: entries.filter((e) => e.fate === 'failed').length,
    lostAcknowledged: gone.filter((e) => e.fate === 'acknowledged').map((e) => valueOf(e.value)),
    lostSilently: gone.filter((e) => e.fate === 'unknown').map((e) => valueOf(e.value)),
    lostOverall: gone.map((e) => valueOf(e.value)),
    duplicated: [...kept].filter(([, n]) => n > 1).map(([value]) => value),
  };
}

/** "m20..m29" for consecutive values with a common prefix, else the list. */
export function valueRange(values: readonly string[]): string {
  if (values.length === 0) return 'none';
  if (values.length <= 3) return values.join(', ');
  return `${values[0]} .. ${values.at(-1)} (${values.length})`;
}
