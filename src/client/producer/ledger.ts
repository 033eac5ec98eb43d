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

/** One message's record (a class: a million of them are settled in place, fast). */
export class LedgerEntry {
  fate: Fate = 'pending';
  partition: number | undefined = undefined;
  offset: number | undefined = undefined;
  attempts = 0;
  error: string | undefined = undefined;
  settledAtMs: number | undefined = undefined;

  constructor(
    readonly id: number,
    readonly topic: string,
    readonly key: Payload | null,
    readonly value: Payload | null,
    /** The message object the producer sent (a `TrackedMessage`: the very object logs keep). */
    readonly message: Message,
    readonly sentAtMs: number,
  ) {}
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

  /** A new pending entry. */
  record(topic: string, key: Payload | null, value: Payload | null, message: Message, sentAtMs: number): LedgerEntry {
    const entry = new LedgerEntry(this.entries.length + 1, topic, key, value, message, sentAtMs);
    this.entries.push(entry);
    return entry;
  }

  summary(): LedgerSummary {
    const counts = { acknowledged: 0, failed: 0, dropped: 0, unknown: 0, pending: 0 };
    let retried = 0;
    for (const entry of this.entries) {
      counts[entry.fate]++;
      if (entry.attempts > 1) retried++;
    }
    return { sent: this.entries.length, ...counts, retried };
  }
}

/** The message was acknowledged at `offset` of `partition`. */
export function acknowledge(entry: LedgerEntry, partition: number, offset: number, nowMs: number): void {
  entry.fate = 'acknowledged';
  entry.partition = partition;
  entry.offset = offset;
  entry.settledAtMs = nowMs;
}

/** A final fate other than acknowledged. */
export function settle(entry: LedgerEntry, fate: 'failed' | 'dropped' | 'unknown', nowMs: number, error?: string): void {
  entry.fate = fate;
  entry.settledAtMs = nowMs;
  if (error !== undefined) entry.error = error;
}
