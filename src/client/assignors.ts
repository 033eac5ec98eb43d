/**
 * The old high-level consumer's partition assignment (Kafka 0.8.2 `kafka.consumer.RangeAssignor`
 * and `RoundRobinAssignor` in `PartitionAssignor.scala`; 0.8.0/0.8.1 inline the same range
 * formula in `ZookeeperConsumerConnector.rebalance`), as pure functions over what each consumer
 * reads from ZooKeeper during a rebalance:
 *
 * - every member's registration `/consumers/<group>/ids/<consumerId>` → its static subscription
 *   `{ topic: numStreams }` (`TopicCount`);
 * - each subscribed topic's partition ids from `/brokers/topics/<topic>` (0..n-1; a topic that does
 *   not exist yet has none);
 * - which consumer is computing (`AssignmentContext.consumerId`).
 *
 * Every consumer computes the whole group's assignment from the same reads and keeps its own share
 * (Kafka's `assign` returns only `partitionOwnershipDecision` for `ctx.consumerId`). These
 * functions return the whole group's assignment, that consumer's share (`decision`), and an
 * explanation in plain English a lesson can print step by step.
 *
 * Thread ids are `"<consumerId>-<i>"` for i in 0 until numStreams (`ConsumerThreadId.toString`),
 * ordered as plain strings (`ConsumerThreadId.compare` is `toString.compare`): "c-10" sorts
 * before "c-2", and thread "c1-10" before "c1-2".
 */
import { InvalidArgumentError, KafkasimError, UnknownNameError } from '../sim/errors.ts';
import { javaStringHashCode } from './partitioners.ts';

/** The assignment inputs (`kafka.consumer.AssignmentContext`), for static subscriptions. */
export interface AssignmentContext {
  /** Every group member's subscription: consumerId → { topic → number of streams (>= 1) }. */
  readonly subscriptions: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Partition count per topic (ids 0..n-1). A topic missing here has no partitions. */
  readonly partitionsPerTopic: Readonly<Record<string, number>>;
  /** The consumer running the assignment; must be a member. */
  readonly consumerId: string;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** One partition and the consumer thread that owns it (what `/consumers/<g>/owners/<t>/<p>` holds). */
export interface PartitionOwnership extends TopicPartition {
  /** The owning thread id, `"<consumerId>-<i>"`. */
  readonly owner: string;
  readonly consumerId: string;
  readonly threadId: number;
}

export type AssignmentStrategy = 'range' | 'roundrobin';

export interface GroupAssignment {
  readonly strategy: AssignmentStrategy;
  /** Every thread of the group, in string order, → its partitions in the order assigned ([] if none). */
  readonly byThread: ReadonlyMap<string, readonly TopicPartition[]>;
  /** Every assigned partition with its owner, by topic (string order) then partition id. */
  readonly owners: readonly PartitionOwnership[];
  /** `partitionOwnershipDecision`: the computing consumer's share, in the same order. */
  readonly decision: readonly PartitionOwnership[];
  /** What happened, one plain-English step per line. */
  readonly explanation: readonly string[];
}

/**
 * Round-robin's precondition failed. Kafka: `require(threadIdSet == headThreadIdSet, ...)` in
 * `RoundRobinAssignor.assign`, an `IllegalArgumentException` that fails the rebalance attempt
 * (the consumer retries `rebalance.max.retries` times, then gives up with
 * `ConsumerRebalanceFailedException`). The message is Kafka's, including Scala's
 * "requirement failed: " prefix.
 */
export class RoundRobinAssignmentError extends KafkasimError {
  readonly code = 'ROUND_ROBIN_PRECONDITION';
  readonly javaException = 'java.lang.IllegalArgumentException';
  constructor(
    readonly topic: string,
    readonly threads: readonly string[],
    readonly headTopic: string,
    readonly headThreads: readonly string[],
  ) {
    super(
      'requirement failed: Round-robin assignment is allowed only if all consumers in the group subscribe to the same topics, ' +
        'AND if the stream counts across topics are identical for a given consumer instance.\n' +
        `Topic ${topic} has the following available consumer streams: ${scalaSet(threads)}\n` +
        `Topic ${headTopic} has the following available consumer streams: ${scalaSet(headThreads)}\n`,
    );
  }
}

interface Thread {
  readonly id: string;
  readonly consumerId: string;
  readonly threadId: number;
}

/** Java `String.compareTo`: UTF-16 code unit order, as JavaScript's `<` on strings. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The checked inputs: per topic, the group's threads in string order (`ZkUtils.getConsumersPerTopic`). */
interface Prepared {
  readonly topics: readonly string[];
  readonly threadsPerTopic: ReadonlyMap<string, readonly Thread[]>;
  readonly allThreads: readonly Thread[];
  readonly partitionCount: (topic: string) => number;
}

function prepare(ctx: AssignmentContext): Prepared {
  if (typeof ctx !== 'object' || ctx === null) throw new InvalidArgumentError('assignment context', ctx, 'an object');
  const { subscriptions, partitionsPerTopic, consumerId } = ctx;
  if (typeof subscriptions !== 'object' || subscriptions === null) {
    throw new InvalidArgumentError('subscriptions', subscriptions, 'an object of consumerId to { topic: numStreams }');
  }
  if (typeof partitionsPerTopic !== 'object' || partitionsPerTopic === null) {
    throw new InvalidArgumentError('partitionsPerTopic', partitionsPerTopic, 'an object of topic to partition count');
  }
  const consumers = Object.keys(subscriptions).sort(compareStrings);
  if (!Object.hasOwn(subscriptions, consumerId)) throw new UnknownNameError('consumer', String(consumerId), consumers);
  const threadsPerTopic = new Map<string, Thread[]>();
  const allThreads = new Map<string, Thread>();
  for (const consumer of consumers) {
    for (const [topic, streams] of Object.entries(subscriptions[consumer]!)) {
      // TopicCount.makeConsumerThreadIdsPerTopic: assert(nConsumers >= 1)
      if (!Number.isSafeInteger(streams) || streams < 1) {
        throw new InvalidArgumentError(`stream count of consumer ${JSON.stringify(consumer)} for topic ${JSON.stringify(topic)}`, streams, 'an integer >= 1');
      }
      const list = threadsPerTopic.get(topic) ?? [];
      for (let i = 0; i < streams; i++) {
        const thread = { id: `${consumer}-${i}`, consumerId: consumer, threadId: i };
        list.push(thread);
        allThreads.set(thread.id, thread);
      }
      threadsPerTopic.set(topic, list);
    }
  }
  for (const list of threadsPerTopic.values()) list.sort((a, b) => compareStrings(a.id, b.id));
  for (const [topic, count] of Object.entries(partitionsPerTopic)) {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new InvalidArgumentError(`partition count of topic ${JSON.stringify(topic)}`, count, 'an integer >= 0');
    }
  }
  return {
    topics: [...threadsPerTopic.keys()].sort(compareStrings),
    threadsPerTopic,
    allThreads: [...allThreads.values()].sort((a, b) => compareStrings(a.id, b.id)),
    partitionCount: (topic) => (Object.hasOwn(partitionsPerTopic, topic) ? partitionsPerTopic[topic]! : 0),
  };
}

/**
 * `RangeAssignor` (0.8.2; the same formula inline in 0.8.0/0.8.1). For each topic separately:
 * threads subscribed to it, sorted as strings; partitions ascending;
 * `nPartsPerConsumer = P / C`, `nConsumersWithExtraPart = P % C`; the thread at position `pos`
 * gets `nPartsPerConsumer + (pos + 1 > nConsumersWithExtraPart ? 0 : 1)` partitions starting at
 * `nPartsPerConsumer * pos + min(pos, nConsumersWithExtraPart)`. A thread beyond the partitions
 * gets none (Kafka warns "No broker partitions consumed by consumer thread ...").
 *
 * Because every topic is cut separately, with several topics the same first threads get the
 * extra partition of each one.
 */
export function rangeAssign(ctx: AssignmentContext): GroupAssignment {
  const prepared = prepare(ctx);
  const explanation: string[] = [];
  const owners: PartitionOwnership[] = [];
  const byThread = emptyByThread(prepared.allThreads);
  explanation.push(
    'Range assignment cuts each topic separately: its partitions in id order are split into consecutive ranges, ' +
      'one per consumer thread, threads taken in string order.',
  );
  for (const topic of prepared.topics) {
    const curConsumers = prepared.threadsPerTopic.get(topic)!;
    const nPartitions = prepared.partitionCount(topic);
    const nThreads = curConsumers.length;
    const nPartsPerConsumer = Math.floor(nPartitions / nThreads);
    const nConsumersWithExtraPart = nPartitions % nThreads;
    explanation.push(
      `Topic ${topic} has ${plural(nPartitions, 'partition')} and ${plural(nThreads, 'consumer thread')}: ` +
        `${nPartitions} / ${nThreads} = ${nPartsPerConsumer} each, ` +
        (nConsumersWithExtraPart === 0
          ? `and ${nPartitions} % ${nThreads} = 0, so no thread gets more`
          : `and the first ${nPartitions} % ${nThreads} = ${nConsumersWithExtraPart} ` +
            `${nConsumersWithExtraPart === 1 ? 'thread gets' : 'threads get'} one more`),
    );
    explanation.push(`Threads of ${topic} in string order: ${curConsumers.map((t) => t.id).join(', ')}${stringOrderNote(curConsumers)}`);
    curConsumers.forEach((thread, pos) => {
      const startPart = nPartsPerConsumer * pos + Math.min(pos, nConsumersWithExtraPart);
      const nParts = nPartsPerConsumer + (pos + 1 > nConsumersWithExtraPart ? 0 : 1);
      if (nParts <= 0) {
        explanation.push(
          `${thread.id} gets nothing of ${topic} (Kafka warns: No broker partitions consumed by consumer thread ${thread.id} for topic ${topic})`,
        );
        return;
      }
      const partitions: number[] = [];
      for (let p = startPart; p < startPart + nParts; p++) {
        partitions.push(p);
        owners.push(ownership(topic, p, thread));
        byThread.get(thread.id)!.push({ topic, partition: p });
      }
      explanation.push(`${thread.id} gets ${partitions.length === 1 ? 'partition' : 'partitions'} ${partitions.join(', ')} of ${topic}`);
    });
  }
  return finish('range', ctx.consumerId, owners, byThread, explanation);
}

/**
 * `RoundRobinAssignor` (0.8.2 only, `partition.assignment.strategy=roundrobin`).
 *
 * Precondition: every topic anyone in the group subscribes to has the same set of thread ids,
 * i.e. all consumers subscribe to the same topics with the same stream count for every topic.
 * Then all partitions of all those topics are sorted by the Java `hashCode` of
 * `TopicAndPartition.toString` = `"[topic,partition]"` (signed 32-bit compare; a stable sort, so
 * equal hashes keep the order topics in string order, partitions ascending — Kafka's tie order
 * follows a hash map) and dealt to the threads in string order, round and round.
 *
 * @throws RoundRobinAssignmentError when the precondition fails (Kafka's message).
 */
export function roundRobinAssign(ctx: AssignmentContext): GroupAssignment {
  const prepared = prepare(ctx);
  const explanation: string[] = [];
  const owners: PartitionOwnership[] = [];
  const byThread = emptyByThread(prepared.allThreads);
  if (prepared.topics.length === 0) {
    explanation.push('No consumer in the group subscribes to any topic: there is nothing to assign.');
    return finish('roundrobin', ctx.consumerId, owners, byThread, explanation);
  }
  // Kafka takes ctx.consumersForTopic.head (a hash map's first entry); kafkasim takes the first
  // topic in string order. Only the wording of the error depends on it.
  const headTopic = prepared.topics[0]!;
  const headThreads = prepared.threadsPerTopic.get(headTopic)!.map((t) => t.id);
  for (const topic of prepared.topics) {
    const threads = prepared.threadsPerTopic.get(topic)!.map((t) => t.id);
    if (threads.length !== headThreads.length || threads.some((id, i) => id !== headThreads[i])) {
      throw new RoundRobinAssignmentError(topic, threads, headTopic, headThreads);
    }
  }
  const threads = prepared.threadsPerTopic.get(headTopic)!;
  explanation.push(
    `Round-robin needs every consumer to subscribe to the same topics with the same stream counts: it holds ` +
      `(topics ${prepared.topics.join(', ')}; threads ${threads.map((t) => t.id).join(', ')}).`,
  );
  const all: Array<TopicPartition & { hash: number }> = [];
  for (const topic of prepared.topics) {
    for (let partition = 0; partition < prepared.partitionCount(topic); partition++) {
      all.push({ topic, partition, hash: javaStringHashCode(`[${topic},${partition}]`) });
    }
  }
  all.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)); // Array.prototype.sort is stable
  if (all.length === 0) {
    explanation.push(`The topics have no partitions: every thread gets nothing.`);
    return finish('roundrobin', ctx.consumerId, owners, byThread, explanation);
  }
  explanation.push(
    `All ${plural(all.length, 'partition')} sorted by the Java hashCode of "[topic,partition]": ` +
      all.map((tp) => `[${tp.topic},${tp.partition}] (${tp.hash})`).join(', '),
  );
  explanation.push(`Threads in string order, dealt in a circle: ${threads.map((t) => t.id).join(', ')}${stringOrderNote(threads)}`);
  const dealt: string[] = [];
  all.forEach((tp, i) => {
    const thread = threads[i % threads.length]!; // Utils.circularIterator
    owners.push(ownership(tp.topic, tp.partition, thread));
    byThread.get(thread.id)!.push({ topic: tp.topic, partition: tp.partition });
    dealt.push(`[${tp.topic},${tp.partition}] → ${thread.id}`);
  });
  explanation.push(`Dealing: ${dealt.join(', ')}`);
  for (const thread of threads) {
    const mine = byThread.get(thread.id)!;
    explanation.push(
      mine.length === 0 ? `${thread.id} gets nothing` : `${thread.id} gets ${mine.map((tp) => `[${tp.topic},${tp.partition}]`).join(', ')}`,
    );
  }
  owners.sort((a, b) => compareStrings(a.topic, b.topic) || a.partition - b.partition);
  return finish('roundrobin', ctx.consumerId, owners, byThread, explanation);
}

/**
 * `PartitionAssignor.createInstance(partition.assignment.strategy)`: "roundrobin" selects
 * round-robin and any other value range (the default, "range").
 */
export function assignPartitions(strategy: string, ctx: AssignmentContext): GroupAssignment {
  return strategy === 'roundrobin' ? roundRobinAssign(ctx) : rangeAssign(ctx);
}

/** One consumer's share of a group assignment (what its `decision` would be). */
export function consumerShare(assignment: GroupAssignment, consumerId: string): PartitionOwnership[] {
  return assignment.owners.filter((o) => o.consumerId === consumerId);
}

function emptyByThread(threads: readonly Thread[]): Map<string, TopicPartition[]> {
  return new Map(threads.map((t) => [t.id, []]));
}

function ownership(topic: string, partition: number, thread: Thread): PartitionOwnership {
  return { topic, partition, owner: thread.id, consumerId: thread.consumerId, threadId: thread.threadId };
}

function finish(
  strategy: AssignmentStrategy,
  consumerId: string,
  owners: PartitionOwnership[],
  byThread: Map<string, TopicPartition[]>,
  explanation: string[],
): GroupAssignment {
  const decision = owners.filter((o) => o.consumerId === consumerId);
  explanation.push(
    decision.length === 0
      ? `${consumerId} owns nothing after this rebalance.`
      : `${consumerId} claims ${decision.map((o) => `[${o.topic},${o.partition}] for ${o.owner}`).join(', ')}.`,
  );
  return { strategy, byThread, owners, decision, explanation };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Points out string order where it surprises: "c-10" before "c-2". */
function stringOrderNote(threads: readonly Thread[]): string {
  for (let i = 0; i + 1 < threads.length; i++) {
    const a = threads[i]!;
    const b = threads[i + 1]!;
    if (naturalCompare(a.id, b.id) > 0) {
      return ` (compared as strings, so ${a.id} comes before ${b.id})`;
    }
  }
  return '';
}

/** Compares runs of ASCII digits by value and everything else as strings ("c-2" < "c-10"). */
function naturalCompare(a: string, b: string): number {
  const chunks = (s: string) => s.match(/[0-9]+|[^0-9]+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (x === y) continue;
    const numeric = /^[0-9]/.test(x) && /^[0-9]/.test(y);
    return numeric ? Number(x) - Number(y) || compareStrings(x, y) : compareStrings(x, y);
  }
  return ca.length - cb.length;
}

/** A Scala `Set`'s toString, elements in the given order: `Set(c1-0, c2-0)`. */
function scalaSet(items: readonly string[]): string {
  return `Set(${items.join(', ')})`;
}
