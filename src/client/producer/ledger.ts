/**
 * The producer ledger: every message given to `send` gets an id and, in the end, an observable
 * fate. Tests and lessons compare it with what the logs hold and what consumers saw to count what
 * was lost and what was duplicated.
 *
 * - `acknowledged`: a produce response said NoError (partition and offset of the last attempt);
 * - `failed`: still unsent after every attempt (sync: FailedToSendMessage; async: logged, dropped);
 * - `dropped`: refused by a full async queue (QueueFull);
 * - `unknown`: sent with acks=0: nobody will ever say whether it arrived;
 * - `pending`: not settled yet (queued, or in flight).
 * `attempts` counts the produce requests that carried it: more than one means a retry, and a
 * possible duplicate in the log.
 */
import type { Message, Payload } from '../../protocol/message.ts';

export type Fate = 'pending' | 'acknowledged' | 'failed' | 'dropped' | 'unknown';

export interface LedgerEntry {
  readonly id: number;
  readonly topic: string;
  readonly key: Payload | null;
  readonly value: Payload | null;
  /** The message object the producer sent (the very object brokers append). */
  readonly message: Message;
  fate: Fate;
  partition: number | undefined;
  offset: number | undefined;
  attempts: number;
  error: string | undefined;
  readonly sentAtMs: number;
  settledAtMs: number | undefined;
}

export interface LedgerSummary {
  readonly sent: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly dropped: number;
  readonly unknown: number;
  readonly pending: number;
  /** Messages sent in more than one produce request. */
  readonly retried: number;
}

export class ProducerLedger {
  readonly entries: LedgerEntry[] = [];

  record(entry: Omit<LedgerEntry, 'id'>): LedgerEntry {
    const full: LedgerEntry = { ...entry, id: this.entries.length + 1 };
    this.entries.push(full);
    return full;
  }

  summary(): LedgerSummary {
    const count = (fate: Fate) => this.entries.filter((e) => e.fate === fate).length;
    return {
      sent: this.entries.length,
      acknowledged: count('acknowledged'),
      failed: count('failed'),
      dropped: count('dropped'),
      unknown: count('unknown'),
      pending: count('pending'),
      retried: this.entries.filter((e) => e.attempts > 1).length,
    };
  }
}

export function settle(entry: LedgerEntry, fate: Exclude<Fate, 'pending'>, nowMs: number, details: { partition?: number; offset?: number; error?: string } = {}): void {
  entry.fate = fate;
  entry.settledAtMs = nowMs;
  if (details.partition !== undefined) entry.partition = details.partition;
  if (details.offset !== undefined) entry.offset = details.offset;
  if (details.error !== undefined) entry.error = details.error;
}
