/**
 * What became of a producer's messages in the logs: for every ledger entry, the offsets at which
 * the partition's leader holds it (matched by identity: brokers append the very message object the
 * producer sent, so two copies of one send are told apart from two sends of equal text). From
 * that, what was lost (no copy a consumer can read) and what was duplicated (more than one).
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import type { LedgerEntry, ProducerLedger } from '../../src/client/producer/ledger.ts';
import { messagesOf, payloadToString, type Message } from '../../src/protocol/message.ts';

export interface LoggedMessage {
  readonly offset: number;
  readonly message: Message;
  readonly value: string;
}

/** The messages of a partition's log on one broker, with their offsets. */
export function logMessages(sim: Simulation, brokerId: number, topic: string, partition: number): LoggedMessage[] {
  const replica = sim.replica(brokerId, topic, partition);
  if (replica === undefined) return [];
  const batches = sim.stores.get(replica.log.storeId).slice(0, replica.log.batchCount);
  return [...messagesOf(batches)].map(({ offset, message }) => ({ offset, message, value: payloadToString(message.value) ?? '' }));
}

/** The messages a consumer can read: the current leader's log below its high watermark. */
export function readableMessages(sim: Simulation, topic: string, partition: number): LoggedMessage[] {
  const leader = sim.leaderOf(topic, partition);
  if (leader === undefined) return [];
  const hw = sim.replica(leader, topic, partition)!.highWatermark;
  return logMessages(sim, leader, topic, partition).filter((m) => m.offset < hw);
}

export interface DeliveryCount {
  /** Every entry with the offsets of its readable copies (in offset order). */
  readonly copies: ReadonlyMap<LedgerEntry, readonly number[]>;
  /** Entries with no readable copy. */
  readonly lost: readonly LedgerEntry[];
  /** Entries with more than one readable copy. */
  readonly duplicated: readonly LedgerEntry[];
  /** Copies beyond the first, summed. */
  readonly extraCopies: number;
}

/** Matches a ledger against what consumers of `topic` (partitions 0..n-1) can read now. */
export function countDelivery(sim: Simulation, ledger: ProducerLedger, topic: string, partitions: number): DeliveryCount {
  const offsetsOf = new Map<Message, number[]>();
  for (let p = 0; p < partitions; p++) {
    for (const m of readableMessages(sim, topic, p)) {
      let list = offsetsOf.get(m.message);
      if (list === undefined) offsetsOf.set(m.message, (list = []));
      list.push(m.offset);
    }
  }
  const copies = new Map<LedgerEntry, number[]>();
  const lost: LedgerEntry[] = [];
  const duplicated: LedgerEntry[] = [];
  let extraCopies = 0;
  for (const entry of ledger.entries) {
    if (entry.topic !== topic) continue;
    const offsets = offsetsOf.get(entry.message) ?? [];
    copies.set(entry, offsets);
    if (offsets.length === 0) lost.push(entry);
    if (offsets.length > 1) {
      duplicated.push(entry);
      extraCopies += offsets.length - 1;
    }
  }
  return { copies, lost, duplicated, extraCopies };
}
