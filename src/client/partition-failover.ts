/**
 * The seed article's Java `PartitionConsumerTest` (the classic Kafka 0.8 SimpleConsumer example)
 * as a reusable, narrated helper: `findLeader`, `findNewLeader`, `getLastOffset` and the read
 * loop `readPartition`, on the low-level `SimpleConsumer` and nothing else.
 *
 * The loop follows the article's Java line by line:
 * - ask each seed broker in turn for the topic's metadata until one describes the partition
 *   (`findLeader`); remember its replicas — the later leader search asks only them;
 * - ask the leader for the earliest offset (`getLastOffset(EarliestTime)`; on an error code it
 *   returns 0);
 * - loop while `maxReads > 0`: FetchRequest from `readOffset` with fetch size 100000 (maxWait 0,
 *   minBytes 0); on an error count it (`numErrors`), give up when `numErrors > 5` (the sixth
 *   consecutive error), on OffsetOutOfRange reset `readOffset` to the latest offset and fetch
 *   again, on any other error close the consumer and `findNewLeader`; after a good fetch reset
 *   `numErrors`, skip messages older than `readOffset`, hand the others out and advance
 *   `readOffset`; sleep 1 s when no message was read;
 * - `findNewLeader`: up to 3 tries, 1 s apart: no metadata, no leader, or — on the first try
 *   only — the same leader as before (ZooKeeper may not have noticed the failure yet) means
 *   sleep and try again; the same leader on a later try is accepted ("the broker recovered or it
 *   was not a broker issue"); after 3 tries it throws.
 *
 * What is naive in it (what the narration and the report point out):
 * - `SimpleConsumer.fetch` throws on a connection failure (after one reconnect): the Java loop
 *   does not catch it, so a crashed leader ends `run()` with an exception. `readPartition`
 *   counts a connection failure as one more fetch error and looks for a new leader
 *   (`connectionErrors: 'failover'`, the default); `'throw'` keeps the article's behaviour.
 * - The error budget is time: 6 consecutive errors, each followed by a leader search that sleeps
 *   1 s when the leader has not changed yet. A crashed leader is replaced only when its
 *   ZooKeeper session expires (`zookeeper.session.timeout.ms`, 6000 ms in 0.8.2), so with the
 *   defaults the loop can give up just before the failover it is waiting for.
 * - OffsetOutOfRange resets to the *latest* offset, whatever the cause: a saved offset below the
 *   log start skips everything still in the log; a saved offset above the log end (the log was
 *   truncated by an unclean election) jumps to the new end, so messages written since at offsets
 *   the consumer had already passed are never delivered. The report records every reset.
 * - `getLastOffset` answers 0 on an error code: a failed "latest" lookup rewinds to offset 0.
 * - A message larger than the fetch size is never returned (the set has only a partial
 *   message): the loop sleeps 1 s and fetches the same offset again, forever.
 * - `maxReads` is checked per fetch, not per message: a fetch hands out all its messages.
 * - The leader search asks only the replicas of the last answer, never the seed brokers again.
 */
import { EARLIEST_TIME, LATEST_TIME, type BrokerEndpoint, type MetadataResponse, type PartitionMetadata } from '../protocol/api.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';
import { BrokerConnectionError, ConfigError } from './errors.ts';
import type { HostAndPort } from './metadata.ts';
import { parseHostPort, type Runtime } from './runtime.ts';
import { SimpleConsumer, type FetchedMessage, type SimpleFetchResponse } from './simple-consumer.ts';

/** The article's constants. */
export const ARTICLE_SO_TIMEOUT_MS = 100_000;
export const ARTICLE_BUFFER_SIZE = 64 * 1024;
export const ARTICLE_FETCH_SIZE = 100_000;
/** `if (numErrors > 5) break;`: the sixth consecutive error ends the loop. */
export const ARTICLE_MAX_CONSECUTIVE_ERRORS = 5;
const SLEEP_MS = 1000;
const NEW_LEADER_TRIES = 3;

/** A broker as the article names it (`host` and the one port); "host:port" strings are accepted too. */
export type SeedBroker = HostAndPort | string;

export interface FoundPartition {
  readonly topic: string;
  readonly partition: number;
  /** The partition's metadata as the answering broker's cache has it. */
  readonly metadata: PartitionMetadata;
  /** Undefined when the metadata names no leader (LeaderNotAvailable). */
  readonly leader: BrokerEndpoint | undefined;
  /** The live replicas (0.8.2 metadata leaves dead brokers out): where the next search asks. */
  readonly replicas: readonly BrokerEndpoint[];
  /** The broker that answered. */
  readonly answeredBy: string;
}

export type PartitionReadEventKind =
  | 'leader-lookup-failed'
  | 'leader-found'
  | 'start-offset'
  | 'offset-lookup-failed'
  | 'fetch-error'
  | 'offset-reset'
  | 'same-leader'
  | 'no-leader-yet'
  | 'leader-changed'
  | 'old-offset'
  | 'nothing-read'
  | 'gave-up';

/** One line of narration: what happened and when (virtual ms). */
export interface PartitionReadEvent {
  readonly kind: PartitionReadEventKind;
  readonly atMs: number;
  readonly text: string;
}

export type Narrator = (event: PartitionReadEvent) => void;

export interface LeaderSearchOptions {
  readonly onEvent?: Narrator;
  /** Socket timeout of the lookup connections (article: 100000). */
  readonly soTimeoutMs?: number;
}

/**
 * `findLeader`: asks each broker of `seedBrokers` in order (a fresh `SimpleConsumer`
 * "leaderLookup" each, closed afterwards) for the topic's metadata; returns the first
 * description of the partition, or undefined if no broker gave one.
 */
export async function findLeader(
  runtime: Runtime,
  seedBrokers: readonly SeedBroker[],
  topic: string,
  partition: number,
  options: LeaderSearchOptions = {},
): Promise<FoundPartition | undefined> {
  const seeds = toAddresses(seedBrokers, 'seedBrokers', true);
  for (const seed of seeds) {
    const consumer = new SimpleConsumer(runtime, {
      host: seed.host,
      port: seed.port,
      soTimeoutMs: options.soTimeoutMs ?? ARTICLE_SO_TIMEOUT_MS,
      bufferSize: ARTICLE_BUFFER_SIZE,
      clientId: 'leaderLookup',
    });
    try {
      const response = await consumer.send([topic]);
      const found = partitionIn(response, topic, partition, consumer.address);
      if (found !== undefined) return found;
    } catch (error) {
      if (!(error instanceof BrokerConnectionError)) throw error;
      narrate(runtime, options.onEvent, 'leader-lookup-failed', `Error communicating with Broker [${seed.host}:${seed.port}] to find Leader for [${topic}, ${partition}] Reason: ${error.message}`);
    } finally {
      consumer.close();
    }
  }
  return undefined;
}

export interface FindNewLeaderOptions extends LeaderSearchOptions {
  /** The leader the failed fetch went to. */
  readonly oldLeader: HostAndPort;
  /** Where to ask: the replicas of the last `findLeader` answer (`m_replicaBrokers`). */
  readonly replicaBrokers: readonly SeedBroker[];
  readonly topic: string;
  readonly partition: number;
}

/**
 * `findNewLeader`: up to 3 `findLeader`s over the replica brokers, 1 s apart. No metadata, no
 * leader, or the old leader on the first try ⇒ sleep 1 s and try again; the old leader on a
 * later try is returned. Throws `PartitionReadAbortedError` ('no-new-leader') after 3 tries.
 */
export async function findNewLeader(runtime: Runtime, options: FindNewLeaderOptions): Promise<FoundPartition & { readonly leader: BrokerEndpoint }> {
  const { oldLeader, topic, partition } = options;
  for (let i = 0; i < NEW_LEADER_TRIES; i++) {
    const found = await findLeader(runtime, options.replicaBrokers, topic, partition, options);
    if (found === undefined) {
      narrate(runtime, options.onEvent, 'no-leader-yet', `Try ${i + 1}: no broker of [${describeAll(options.replicaBrokers)}] described ${topic}-${partition}; sleeping 1 s.`);
    } else if (found.leader === undefined) {
      narrate(runtime, options.onEvent, 'no-leader-yet', `Try ${i + 1}: ${topic}-${partition} has no leader (${errorName(found.metadata.errorCode)}); sleeping 1 s.`);
    } else if (sameBroker(found.leader, oldLeader) && i === 0) {
      narrate(
        runtime,
        options.onEvent,
        'same-leader',
        `Try 1: the metadata still names ${found.leader.host}:${found.leader.port} as leader: "give ZooKeeper a second to recover"; sleeping 1 s.`,
      );
    } else {
      if (sameBroker(found.leader, oldLeader)) {
        narrate(
          runtime,
          options.onEvent,
          'same-leader',
          `Try ${i + 1}: the metadata still names ${found.leader.host}:${found.leader.port}; the article assumes the broker recovered and goes back to it.`,
        );
      }
      return found as FoundPartition & { readonly leader: BrokerEndpoint };
    }
    await runtime.sleep(SLEEP_MS);
  }
  narrate(runtime, options.onEvent, 'gave-up', 'Unable to find new leader after Broker failure. Exiting');
  throw new PartitionReadAbortedError('no-new-leader', 'Unable to find new leader after Broker failure. Exiting');
}

/**
 * `getLastOffset`: one OffsetRequest (`time`, maxNumOffsets 1) on `consumer`; **0 when the answer
 * carries an error code** (the article's choice). Connection failures are thrown.
 */
export async function getLastOffset(
  consumer: SimpleConsumer,
  topic: string,
  partition: number,
  whichTime: number,
  onEvent?: (kind: PartitionReadEventKind, text: string) => void,
): Promise<number> {
  const answer = await consumer.getOffsetsBefore(topic, partition, whichTime, 1);
  if (answer.hasError) {
    onEvent?.('offset-lookup-failed', `Error fetching data Offset Data the Broker. Reason: ${answer.errorCode} (${errorName(answer.errorCode)}); getLastOffset returns 0.`);
    return 0;
  }
  return answer.offsets[0]!;
}

// ------------------------------------------------------------------ the read loop

export interface PartitionMessage extends FetchedMessage {
  readonly topic: string;
  readonly partition: number;
}

export interface ReadPartitionOptions {
  readonly seedBrokers: readonly SeedBroker[];
  readonly topic: string;
  readonly partition: number;
  /** Stop once this many messages were read (checked before each fetch). Default: no limit (`Long.MAX_VALUE`). */
  readonly maxReads?: number;
  /** Per-partition fetch size (article: 100000). */
  readonly fetchSize?: number;
  /** Called for each message handed out, in offset order; awaited. */
  readonly onMessage?: (message: PartitionMessage) => void | Promise<void>;
  /** The client id (article: `Client_<topic>_<partition>`). */
  readonly clientName?: string;
  /** Where to start: the article asks for the earliest offset; a number is a saved offset. */
  readonly startAt?: 'earliest' | 'latest' | number;
  /** Socket timeout of the consumer (article: 100000 ms). */
  readonly soTimeoutMs?: number;
  /**
   * What a connection failure of a fetch (or of the reset's offset lookup) does: 'failover'
   * (default) counts it as a fetch error and searches a new leader; 'throw' lets it end the
   * loop, as the article's Java does.
   */
  readonly connectionErrors?: 'failover' | 'throw';
  /** Checked before each fetch: true ends the loop (the article's loop ends only by `maxReads`). */
  readonly shouldStop?: () => boolean;
  readonly onEvent?: Narrator;
}

export interface FetchErrorRecord {
  readonly atMs: number;
  /** `host:port` the fetch went to. */
  readonly broker: string;
  /** The partition's error code, or undefined for a connection failure. */
  readonly errorCode: number | undefined;
  /** `NotLeaderForPartition`, `OffsetOutOfRange`, ... or the connection failure's reason. */
  readonly reason: string;
  /** `numErrors` after this error. */
  readonly consecutive: number;
}

export interface LeaderChange {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
}

export interface OffsetReset {
  readonly atMs: number;
  /** The `readOffset` the broker refused. */
  readonly from: number;
  /** Where `getLastOffset(LatestTime)` put it. */
  readonly to: number;
  /** Offsets jumped over (`to - from` when positive): never read. */
  readonly skipped: number;
  /** Offsets gone back over (`from - to` when positive): offsets the loop had passed, read again. */
  readonly rewound: number;
}

export interface PartitionReadReport {
  readonly topic: string;
  readonly partition: number;
  /** Where the loop started reading. */
  startOffset: number;
  /** `readOffset` at the end: the next offset to read. */
  nextOffset: number;
  messagesRead: number;
  fetches: number;
  /** Fetches that handed out no message (each followed by a 1 s sleep). */
  emptyFetches: number;
  /** Empty fetches that carried bytes of a message too large for the fetch size. */
  partialOnlyFetches: number;
  /** Messages skipped because their offset was below `readOffset` ("Found an old offset"). */
  oldOffsetsSkipped: number;
  readonly errors: FetchErrorRecord[];
  readonly leaderChanges: LeaderChange[];
  readonly offsetResets: OffsetReset[];
  /** Σ `skipped` over the resets. */
  offsetsSkippedByResets: number;
  /** The leader the loop read from last. */
  leader: string;
  readonly events: PartitionReadEvent[];
  /** Why the loop ended. */
  endedBy: 'maxReads' | 'shouldStop' | 'aborted' | 'running';
}

/** The read loop ended without reaching `maxReads`: why, and what it had done. */
export class PartitionReadAbortedError extends Error {
  readonly code = 'PARTITION_READ_ABORTED';
  override readonly name = 'PartitionReadAbortedError';
  /** Set by `readPartition` (a bare `findNewLeader` has none). */
  report: PartitionReadReport | undefined;

  constructor(
    /**
     * `no-metadata`/`no-leader`: the first lookup failed ("Can't find ... Exiting");
     * `too-many-errors`: `numErrors > 5`; `no-new-leader`: `findNewLeader` gave up.
     */
    readonly reason: 'no-metadata' | 'no-leader' | 'too-many-errors' | 'no-new-leader',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The article's read loop for one partition. Resolves with the report when `maxReads` messages
 * were read (or `shouldStop` said so); rejects with `PartitionReadAbortedError` (its `report`
 * set) when the loop gives up, and with the `BrokerConnectionError` itself under
 * `connectionErrors: 'throw'`.
 */
export async function readPartition(runtime: Runtime, options: ReadPartitionOptions): Promise<PartitionReadReport> {
  const config = validateReadOptions(options);
  const { topic, partition, fetchSize, clientName } = config;
  const report: PartitionReadReport = {
    topic,
    partition,
    startOffset: -1,
    nextOffset: -1,
    messagesRead: 0,
    fetches: 0,
    emptyFetches: 0,
    partialOnlyFetches: 0,
    oldOffsetsSkipped: 0,
    errors: [],
    leaderChanges: [],
    offsetResets: [],
    offsetsSkippedByResets: 0,
    leader: '',
    events: [],
    endedBy: 'running',
  };
  const onEvent: Narrator = (event) => {
    report.events.push(event);
    options.onEvent?.(event);
  };
  const say = (kind: PartitionReadEventKind, text: string) => narrate(runtime, onEvent, kind, text);
  const abort = (reason: PartitionReadAbortedError['reason'], text: string, cause?: unknown): never => {
    say('gave-up', text);
    report.endedBy = 'aborted';
    const error = new PartitionReadAbortedError(reason, text, cause === undefined ? undefined : { cause });
    error.report = report;
    throw error;
  };
  const search = { onEvent, soTimeoutMs: config.soTimeoutMs };

  const metadata = await findLeader(runtime, config.seedBrokers, topic, partition, search);
  if (metadata === undefined) return abort('no-metadata', "Can't find metadata for Topic and Partition. Exiting");
  if (metadata.leader === undefined) return abort('no-leader', "Can't find Leader for Topic and Partition. Exiting");
  let replicaBrokers: readonly HostAndPort[] = metadata.replicas;
  let leader: HostAndPort = metadata.leader;
  report.leader = describe(leader);
  say('leader-found', `Leader of ${topic}-${partition}: ${describe(leader)} (replicas ${describeAll(replicaBrokers)}, told by ${metadata.answeredBy}).`);

  const connectTo = (broker: HostAndPort) =>
    new SimpleConsumer(runtime, { host: broker.host, port: broker.port, soTimeoutMs: config.soTimeoutMs, bufferSize: ARTICLE_BUFFER_SIZE, clientId: clientName });
  let consumer: SimpleConsumer | undefined = connectTo(leader);
  try {
    let readOffset: number;
    if (typeof config.startAt === 'number') readOffset = config.startAt;
    else readOffset = await getLastOffset(consumer, topic, partition, config.startAt === 'latest' ? LATEST_TIME : EARLIEST_TIME, say);
    report.startOffset = readOffset;
    report.nextOffset = readOffset;
    say('start-offset', `Starting at offset ${readOffset} (${typeof config.startAt === 'number' ? 'a saved offset' : config.startAt}).`);

    let maxReads = config.maxReads;
    let numErrors = 0;
    /** Close the consumer and look for a new leader (the article's error path). */
    const failover = async () => {
      consumer?.close();
      consumer = undefined;
      const found = await findNewLeader(runtime, { ...search, oldLeader: leader, replicaBrokers, topic, partition }).catch((error: unknown) => {
        if (error instanceof PartitionReadAbortedError) {
          report.endedBy = 'aborted';
          error.report = report;
        }
        throw error;
      });
      replicaBrokers = found.replicas;
      if (!sameBroker(found.leader, leader)) {
        report.leaderChanges.push({ atMs: runtime.nowMs(), from: describe(leader), to: describe(found.leader) });
        say('leader-changed', `New leader of ${topic}-${partition}: ${describe(found.leader)} (was ${describe(leader)}).`);
      }
      leader = found.leader;
      report.leader = describe(leader);
    };
    const recordError = (errorCode: number | undefined, reason: string) => {
      numErrors++;
      report.errors.push({ atMs: runtime.nowMs(), broker: describe(leader), errorCode, reason, consecutive: numErrors });
    };

    while (maxReads > 0) {
      if (config.shouldStop?.() === true) {
        report.endedBy = 'shouldStop';
        break;
      }
      if (consumer === undefined) consumer = connectTo(leader);
      let response: SimpleFetchResponse;
      try {
        report.fetches++;
        response = await consumer.fetch({ clientId: clientName, partitions: [{ topic, partition, offset: readOffset, fetchSize }] });
      } catch (error) {
        if (!(error instanceof BrokerConnectionError) || config.connectionErrors === 'throw') throw error;
        recordError(undefined, error.reason);
        say(
          'fetch-error',
          `Error fetching data from the Broker:${describe(leader)} Reason: ${error.message} (the article's Java would throw here: SimpleConsumer.fetch rethrows after one reconnect; counted as error ${numErrors}).`,
        );
        if (numErrors > ARTICLE_MAX_CONSECUTIVE_ERRORS) return abort('too-many-errors', `${numErrors} consecutive errors: giving up (numErrors > 5).`, error);
        await failover();
        continue;
      }

      if (response.hasError) {
        const code = response.errorCode(topic, partition);
        recordError(code, errorName(code));
        say('fetch-error', `Error fetching data from the Broker:${describe(leader)} Reason: ${code} (${errorName(code)}); consecutive errors: ${numErrors}.`);
        if (numErrors > ARTICLE_MAX_CONSECUTIVE_ERRORS) return abort('too-many-errors', `${numErrors} consecutive errors: giving up (numErrors > 5).`);
        if (code === ErrorCode.OffsetOutOfRange) {
          // "We asked for an invalid offset. For simple case ask for the last element to reset"
          let latest: number;
          try {
            latest = await getLastOffset(consumer, topic, partition, LATEST_TIME, say);
          } catch (error) {
            if (!(error instanceof BrokerConnectionError) || config.connectionErrors === 'throw') throw error;
            say('fetch-error', `The latest-offset lookup on ${describe(leader)} failed: ${error.message}; looking for a new leader.`);
            await failover();
            continue;
          }
          const reset: OffsetReset = {
            atMs: runtime.nowMs(),
            from: readOffset,
            to: latest,
            skipped: Math.max(0, latest - readOffset),
            rewound: Math.max(0, readOffset - latest),
          };
          report.offsetResets.push(reset);
          report.offsetsSkippedByResets += reset.skipped;
          say(
            'offset-reset',
            reset.skipped > 0
              ? `Offset ${readOffset} is out of range: reset to the latest offset ${latest}, skipping ${reset.skipped} offset(s) (${readOffset}..${latest - 1}) that will never be read.`
              : reset.rewound > 0
                ? `Offset ${readOffset} is beyond the log end: reset to the latest offset ${latest}, ${reset.rewound} offset(s) back. The log was cut below offsets already passed (an unclean election, a lost disk): offsets ${latest}..${readOffset - 1} will be read again as new messages, and messages written below ${latest} since the cut are never read.`
                : `Offset ${readOffset} is out of range: reset to the latest offset ${latest}.`,
          );
          readOffset = latest;
          report.nextOffset = readOffset;
          continue;
        }
        await failover();
        continue;
      }
      numErrors = 0;

      let numRead = 0;
      const set = response.messageSet(topic, partition);
      for (const message of set) {
        if (message.offset < readOffset) {
          report.oldOffsetsSkipped++;
          say('old-offset', `Found an old offset: ${message.offset} Expecting: ${readOffset}`);
          continue;
        }
        readOffset = message.nextOffset;
        report.nextOffset = readOffset;
        await config.onMessage?.({ ...message, topic, partition });
        numRead++;
        maxReads--;
        report.messagesRead++;
      }
      if (numRead === 0) {
        report.emptyFetches++;
        if (set.partialMessage) {
          report.partialOnlyFetches++;
          say(
            'nothing-read',
            `The message at offset ${readOffset} does not fit in the fetch size (${fetchSize} bytes): only part of it came back, so no message is returned; sleeping 1 s and asking again.`,
          );
        }
        await runtime.sleep(SLEEP_MS);
      }
    }
    if (report.endedBy === 'running') report.endedBy = 'maxReads';
    return report;
  } finally {
    consumer?.close();
  }
}

// ------------------------------------------------------------------ helpers

interface ResolvedReadOptions {
  readonly seedBrokers: readonly HostAndPort[];
  readonly topic: string;
  readonly partition: number;
  readonly maxReads: number;
  readonly fetchSize: number;
  readonly clientName: string;
  readonly startAt: 'earliest' | 'latest' | number;
  readonly soTimeoutMs: number;
  readonly connectionErrors: 'failover' | 'throw';
  readonly onMessage?: ReadPartitionOptions['onMessage'];
  readonly shouldStop?: () => boolean;
}

const READ_OPTION_KEYS = new Set([
  'seedBrokers',
  'topic',
  'partition',
  'maxReads',
  'fetchSize',
  'onMessage',
  'clientName',
  'startAt',
  'soTimeoutMs',
  'connectionErrors',
  'shouldStop',
  'onEvent',
]);

function validateReadOptions(options: ReadPartitionOptions): ResolvedReadOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'an object { seedBrokers, topic, partition, ... }');
  for (const key of Object.keys(options)) {
    if (!READ_OPTION_KEYS.has(key)) throw new ConfigError(key, (options as unknown as Record<string, unknown>)[key], `not set: it is not an option (options: ${[...READ_OPTION_KEYS].join(', ')})`);
  }
  const seedBrokers = toAddresses(options.seedBrokers, 'seedBrokers');
  if (typeof options.topic !== 'string' || options.topic.length === 0) throw new ConfigError('topic', options.topic, 'a non-empty topic name');
  if (!Number.isInteger(options.partition) || options.partition < 0) throw new ConfigError('partition', options.partition, 'a non-negative integer');
  const maxReads = options.maxReads ?? Number.POSITIVE_INFINITY;
  if (!(maxReads === Number.POSITIVE_INFINITY || (Number.isInteger(maxReads) && maxReads >= 0))) {
    throw new ConfigError('maxReads', options.maxReads, 'a non-negative integer (default: no limit)');
  }
  const fetchSize = options.fetchSize ?? ARTICLE_FETCH_SIZE;
  if (!Number.isInteger(fetchSize) || fetchSize < 0) throw new ConfigError('fetchSize', options.fetchSize, 'a non-negative integer (bytes)');
  const startAt = options.startAt ?? 'earliest';
  if (!(startAt === 'earliest' || startAt === 'latest' || (Number.isInteger(startAt) && (startAt as number) >= 0))) {
    throw new ConfigError('startAt', options.startAt, "'earliest', 'latest' or a non-negative offset");
  }
  const soTimeoutMs = options.soTimeoutMs ?? ARTICLE_SO_TIMEOUT_MS;
  if (!Number.isInteger(soTimeoutMs) || soTimeoutMs < 1) throw new ConfigError('soTimeoutMs', options.soTimeoutMs, 'a positive integer (ms)');
  const connectionErrors = options.connectionErrors ?? 'failover';
  if (connectionErrors !== 'failover' && connectionErrors !== 'throw') throw new ConfigError('connectionErrors', options.connectionErrors, "'failover' or 'throw'");
  if (options.onMessage !== undefined && typeof options.onMessage !== 'function') throw new ConfigError('onMessage', options.onMessage, 'a function');
  if (options.shouldStop !== undefined && typeof options.shouldStop !== 'function') throw new ConfigError('shouldStop', options.shouldStop, 'a function');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new ConfigError('onEvent', options.onEvent, 'a function');
  const clientName = options.clientName ?? `Client_${options.topic}_${options.partition}`;
  return {
    seedBrokers,
    topic: options.topic,
    partition: options.partition,
    maxReads,
    fetchSize,
    clientName,
    startAt,
    soTimeoutMs,
    connectionErrors,
    ...(options.onMessage === undefined ? {} : { onMessage: options.onMessage }),
    ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
  };
}

/** `allowEmpty`: a leader search over no broker finds nothing (the replica list can be empty). */
function toAddresses(brokers: readonly SeedBroker[], key: string, allowEmpty = false): HostAndPort[] {
  if (!Array.isArray(brokers) || (brokers.length === 0 && !allowEmpty)) throw new ConfigError(key, brokers, 'a non-empty array of brokers ({ host, port } or "host:port")');
  return brokers.map((broker) => {
    if (typeof broker === 'string') return parseHostPort(broker, key);
    if (typeof broker !== 'object' || broker === null || typeof broker.host !== 'string' || broker.host.length === 0 || !Number.isInteger(broker.port)) {
      throw new ConfigError(key, broker, 'brokers given as { host, port } or "host:port"');
    }
    return { host: broker.host, port: broker.port };
  });
}

function partitionIn(response: MetadataResponse, topic: string, partition: number, answeredBy: string): FoundPartition | undefined {
  for (const item of response.topics) {
    if (item.topic !== topic) continue;
    for (const part of item.partitions) {
      if (part.partition !== partition) continue;
      const endpoint = (id: number) => response.brokers.find((b) => b.id === id);
      const leader = part.leader < 0 ? undefined : endpoint(part.leader);
      const replicas = part.replicas.map(endpoint).filter((b): b is BrokerEndpoint => b !== undefined);
      return { topic, partition, metadata: part, leader, replicas, answeredBy };
    }
  }
  return undefined;
}

/** The article compares host names (`equalsIgnoreCase`); the simulator also has the port. */
function sameBroker(a: HostAndPort, b: HostAndPort): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

function describe(broker: HostAndPort): string {
  return `${broker.host}:${broker.port}`;
}

function describeAll(brokers: readonly SeedBroker[]): string {
  return brokers.map((b) => (typeof b === 'string' ? b : describe(b))).join(', ');
}

function narrate(runtime: Runtime, onEvent: Narrator | undefined, kind: PartitionReadEventKind, text: string): void {
  onEvent?.({ kind, atMs: runtime.nowMs(), text });
}
