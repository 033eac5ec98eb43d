/**
 * The bytes a consumer group's members exchange through the coordinator (Kafka
 * `org.apache.kafka.clients.consumer.internals.ConsumerProtocol`, version 0), so that the gateway
 * can pass them to and from real clients unchanged:
 *
 *   Subscription => version:int16 topics:[string] userData:bytes
 *   Assignment   => version:int16 [topic:string partitions:[int32]] userData:bytes
 *
 * kafkasim's 0.8 assignors need more than the topics: each member's consumer id and stream count
 * per topic (its thread ids), and for each assigned partition the thread that owns it. These
 * travel in `userData` as UTF-8 JSON: `{"consumerId":"g_c1","streams":{"t":2}}` in a
 * subscription, `{"threads":{"t-0":0}}` (partition → thread index) in an assignment. A member
 * whose user data is not that (a Java client) counts as one stream per topic under its member id;
 * an assignment without thread indexes gives every partition to thread 0. Versions above 0 are
 * read as Kafka reads them (the v0 fields first; later fields ignored).
 */
import { WireReader, WireWriter } from '../../protocol/wire/primitives.ts';
import type { TopicPartition } from '../assignors.ts';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface Subscription {
  readonly topics: readonly string[];
  /** From kafkasim members only. */
  readonly consumerId: string | undefined;
  /** Streams per topic (1 for a member that did not say). */
  readonly streams: Readonly<Record<string, number>>;
}

export interface MemberAssignment {
  /** Each partition with the index of the thread that owns it. */
  readonly partitions: readonly (TopicPartition & { readonly thread: number })[];
}

export function encodeSubscription(consumerId: string, streams: Readonly<Record<string, number>>): Uint8Array {
  const writer = new WireWriter();
  writer.int16(0);
  writer.stringArray(Object.keys(streams).sort());
  writer.bytes(new TextEncoder().encode(JSON.stringify({ consumerId, streams })));
  return writer.toBytes();
}

/** Throws `WireDecodeError` on bytes that are not a subscription. */
export function decodeSubscription(bytes: Uint8Array): Subscription {
  const reader = new WireReader(bytes);
  reader.int16();
  const topics = reader.stringArray();
  const userData = reader.nullableBytes();
  const parsed = parseJson(userData);
  const consumerId = typeof parsed?.['consumerId'] === 'string' ? parsed['consumerId'] : undefined;
  const given = parsed?.['streams'];
  const streams: Record<string, number> = {};
  for (const topic of topics) {
    const count = typeof given === 'object' && given !== null ? (given as Record<string, unknown>)[topic] : undefined;
    streams[topic] = typeof count === 'number' && Number.isSafeInteger(count) && count >= 1 ? count : 1;
  }
  return { topics, consumerId, streams };
}

export function encodeAssignment(assignment: MemberAssignment): Uint8Array {
  const byTopic = new Map<string, number[]>();
  const threads: Record<string, number> = {};
  for (const p of assignment.partitions) {
    byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    threads[`${p.topic}-${p.partition}`] = p.thread;
  }
  const writer = new WireWriter();
  writer.int16(0);
  writer.arrayLength(byTopic.size);
  for (const [topic, partitions] of byTopic) {
    writer.string(topic);
    writer.int32Array(partitions);
  }
  writer.bytes(new TextEncoder().encode(JSON.stringify({ threads })));
  return writer.toBytes();
}

/** An empty byte string (the coordinator's answer to a member the leader left out) is no partition. */
export function decodeAssignment(bytes: Uint8Array): MemberAssignment {
  if (bytes.length === 0) return { partitions: [] };
  const reader = new WireReader(bytes);
  reader.int16();
  const count = reader.arrayLength(6);
  const listed: TopicPartition[] = [];
  for (let i = 0; i < count; i++) {
    const topic = reader.string();
    for (const partition of reader.int32Array()) listed.push({ topic, partition });
  }
  const threads = parseJson(reader.nullableBytes())?.['threads'];
  return {
    partitions: listed.map((p) => {
      const thread = typeof threads === 'object' && threads !== null ? (threads as Record<string, unknown>)[`${p.topic}-${p.partition}`] : undefined;
      return { ...p, thread: typeof thread === 'number' && Number.isSafeInteger(thread) && thread >= 0 ? thread : 0 };
    }),
  };
}

function parseJson(bytes: Uint8Array | null): Record<string, unknown> | undefined {
  if (bytes === null || bytes.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
