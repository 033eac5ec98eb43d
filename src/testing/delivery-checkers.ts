/**
 * Delivery checkers in the style of Jepsen's Kafka workload: they compare what producers were
 * told (the ledgers) with what each consumer group processed after reading to the end.
 *
 * - lost: acknowledged by the brokers, never processed by the group;
 * - redelivered: the same partition and offset processed more than once (a consumer crash or a
 *   rebalance before the position was saved);
 * - duplicated in the log: one message (one ledger entry) appended at two offsets (a producer
 *   retry after a lost acknowledgement); the consumer cannot tell these apart: no 0.8 setting
 *   prevents them;
 * - non-monotonic: within one member process, one stream and one generation (between two
 *   rebalances), a partition's offsets went backwards;
 * - skipped: within the same span, the next offset processed jumped over offsets the log holds
 *   (an OffsetOutOfRange reset to the latest offset, say);
 * - unexpected: processed messages no producer sent.
 * `expectations(semantics)` says which of these a delivery pattern promises to avoid.
 */
import type { LedgerEntry, ProducerLedger } from '../client/producer/ledger.ts';
import { payloadToString } from '../protocol/message.ts';
import type { ConsumerSemantics } from './scenario-spec.ts';
import type { ScenarioResult } from './run-scenario.ts';
import type { ConsumedRecord } from './workload.ts';

export interface DeliveryAnomalies {
  readonly group: string;
  readonly semantics: ConsumerSemantics;
  readonly sent: number;
  readonly acknowledged: number;
  /** Distinct messages the group processed. */
  readonly processed: number;
  readonly lost: readonly LedgerEntry[];
  readonly redelivered: readonly { readonly partition: number; readonly offset: number; readonly times: number }[];
  readonly duplicatedInLog: readonly { readonly value: string; readonly offsets: readonly string[] }[];
  readonly nonMonotonic: readonly { readonly by: string; readonly partition: number; readonly from: number; readonly to: number }[];
  readonly skipped: readonly { readonly by: string; readonly partition: number; readonly from: number; readonly to: number }[];
  readonly unexpected: readonly ConsumedRecord[];
}

export type Anomaly = 'lost' | 'redelivered' | 'duplicatedInLog' | 'nonMonotonic' | 'skipped' | 'unexpected';

/** What each delivery pattern promises not to do (the others may happen). */
export function expectations(semantics: ConsumerSemantics): readonly Anomaly[] {
  switch (semantics) {
    case 'at-most-once':
      return ['redelivered', 'nonMonotonic', 'unexpected'];
    case 'at-least-once':
    case 'auto-commit':
      // The workload processes a message the moment the iterator hands it out, so auto-commit
      // behaves as at-least-once here (processing later than that could lose messages).
      return ['lost', 'nonMonotonic', 'unexpected'];
    case 'exactly-once':
      return ['lost', 'redelivered', 'nonMonotonic', 'unexpected'];
  }
}

/** The anomalies of every group of a scenario. */
export function checkScenarioDelivery(result: ScenarioResult): DeliveryAnomalies[] {
  const { producers, consumers } = result.spec.workload;
  return consumers.map((consumer) =>
    checkGroupDelivery({
      group: consumer.group,
      semantics: consumer.semantics,
      ledgers: producers.filter((p) => p.topic === consumer.topic).map((p) => result.ledgers[p.name]!),
      records: result.consumed[consumer.group] ?? [],
    }),
  );
}

export function checkGroupDelivery(input: {
  readonly group: string;
  readonly semantics: ConsumerSemantics;
  readonly ledgers: readonly ProducerLedger[];
  readonly records: readonly ConsumedRecord[];
}): DeliveryAnomalies {
  const entries = input.ledgers.flatMap((ledger) => ledger.entries);
  const byValue = new Map<string, LedgerEntry>();
  for (const entry of entries) byValue.set(text(entry.value), entry);

  const timesAt = new Map<string, number>();
  const offsetsOf = new Map<string, Set<string>>();
  const unexpected: ConsumedRecord[] = [];
  const nonMonotonic: Array<{ by: string; partition: number; from: number; to: number }> = [];
  const skipped: Array<{ by: string; partition: number; from: number; to: number }> = [];
  const lastInSpan = new Map<string, number>();
  const offsetsInLog = new Set<string>();
  for (const record of input.records) offsetsInLog.add(`${record.partition}@${record.offset}`);

  for (const record of input.records) {
    const at = `${record.partition}@${record.offset}`;
    timesAt.set(at, (timesAt.get(at) ?? 0) + 1);
    const value = text(record.value);
    if (!byValue.has(value)) unexpected.push(record);
    let offsets = offsetsOf.get(value);
    if (offsets === undefined) offsetsOf.set(value, (offsets = new Set()));
    offsets.add(at);

    const by = `${record.group}-${record.member}#${record.incarnation}/${record.stream}`;
    const span = `${by}|${record.generation}|${record.partition}`;
    const last = lastInSpan.get(span);
    if (last !== undefined) {
      if (record.offset <= last) nonMonotonic.push({ by, partition: record.partition, from: last, to: record.offset });
      else if (record.offset > last + 1 && hasOffsetsBetween(offsetsInLog, record.partition, last, record.offset)) {
        skipped.push({ by, partition: record.partition, from: last, to: record.offset });
      }
    }
    lastInSpan.set(span, record.offset);
  }

  return {
    group: input.group,
    semantics: input.semantics,
    sent: entries.length,
    acknowledged: entries.filter((e) => e.fate === 'acknowledged').length,
    processed: offsetsOf.size,
    lost: entries.filter((e) => e.fate === 'acknowledged' && !offsetsOf.has(text(e.value))),
    redelivered: [...timesAt]
      .filter(([, times]) => times > 1)
      .map(([at, times]) => {
        const [partition, offset] = at.split('@').map(Number) as [number, number];
        return { partition, offset, times };
      }),
    duplicatedInLog: [...offsetsOf].filter(([, offsets]) => offsets.size > 1).map(([value, offsets]) => ({ value, offsets: [...offsets] })),
    nonMonotonic,
    skipped,
    unexpected,
  };
}

/** The anomalies `semantics` promises to avoid that happened, as sentences (empty: none). */
export function deliveryViolations(anomalies: DeliveryAnomalies): string[] {
  const found: string[] = [];
  for (const anomaly of expectations(anomalies.semantics)) {
    const list = anomalies[anomaly] as readonly unknown[];
    if (list.length > 0) found.push(`group ${anomalies.group} (${anomalies.semantics}): ${list.length} ${ANOMALY_WORDS[anomaly]}, e.g. ${describeOne(anomaly, list[0])}`);
  }
  return found;
}

const ANOMALY_WORDS: Record<Anomaly, string> = {
  lost: 'acknowledged message(s) never processed',
  redelivered: 'offset(s) processed more than once',
  duplicatedInLog: 'message(s) appended twice by producer retries',
  nonMonotonic: 'backward jump(s) of a consumer position',
  skipped: 'skipped offset range(s)',
  unexpected: 'message(s) no producer sent',
};

function describeOne(anomaly: Anomaly, item: unknown): string {
  switch (anomaly) {
    case 'lost': {
      const entry = item as LedgerEntry;
      return `${text(entry.value)} acknowledged at ${entry.topic}-${entry.partition} offset ${entry.offset} (${entry.settledAtMs} ms on the clock)`;
    }
    case 'redelivered': {
      const r = item as { partition: number; offset: number; times: number };
      return `partition ${r.partition} offset ${r.offset} ${r.times} times`;
    }
    case 'duplicatedInLog': {
      const d = item as { value: string; offsets: readonly string[] };
      return `${d.value} at ${d.offsets.join(' and ')}`;
    }
    case 'nonMonotonic':
    case 'skipped': {
      const j = item as { by: string; partition: number; from: number; to: number };
      return `${j.by} went from offset ${j.from} to ${j.to} of partition ${j.partition}`;
    }
    case 'unexpected': {
      const r = item as ConsumedRecord;
      return `${text(r.value)} at partition ${r.partition} offset ${r.offset}`;
    }
  }
}

function hasOffsetsBetween(offsets: ReadonlySet<string>, partition: number, from: number, to: number): boolean {
  for (let offset = from + 1; offset < to; offset++) if (offsets.has(`${partition}@${offset}`)) return true;
  return false;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : (payloadToString(value as never) ?? 'null');
}
