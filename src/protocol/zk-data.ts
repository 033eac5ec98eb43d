/**
 * The data Kafka 0.8.2 stores in its znodes (paths in `zk-paths.ts`), byte for byte, with a parser
 * for each format that returns a typed object.
 *
 * Key order. Kafka builds each JSON object as a Scala `Map(...)` and writes it with
 * `kafka.utils.Json.encode`, which emits the map's iteration order. A Scala immutable map of up to
 * four entries (`Map1`..`Map4`) iterates in insertion order; from five entries it is a `HashMap`
 * and iterates in hash-trie order. That is why the partition state reads
 * `{"controller_epoch":..,"leader":..,"version":1,"leader_epoch":..,"isr":[..]}` although
 * `ZkUtils.leaderAndIsrZkData` lists "version" first, and why a broker registration reads
 * `{"jmx_port":-1,"timestamp":"..","host":"..","version":1,"port":9092}` although
 * `ZkUtils.registerBrokerInZk` lists `version, host, port, jmx_port, timestamp`. The encoders here
 * build their objects in the order Kafka's bytes have. Nested maps keyed by partition id are written
 * in ascending id order (`JSON.stringify` puts integer-like keys first, ascending; Kafka's order
 * there follows a hash map and carries no meaning). Other nested maps (subscriptions, topic
 * config) keep the caller's order.
 *
 * Parsing. Kafka's readers look only at the fields they need (`Broker.createBroker` reads `host`
 * and `port`); the parsers here also check every field Kafka writes, with its type, because in the
 * simulator only kafkasim writes these znodes and a missing field is a bug worth a clear error.
 * Unknown extra fields are ignored, as Kafka ignores them. Numbers must be integers: Kafka's
 * `Json` object installs `JSON.globalNumberParser = _.toInt`, so any other number fails to parse.
 * One leniency is Kafka's own: the controller znode may hold a bare broker id (`parseControllerId`).
 *
 * Kafka's `Json.encode` does not escape strings; `JSON.stringify` does. The two agree for every
 * string Kafka writes there in practice (host names, legal topic names, numbers as strings).
 */
import { KafkasimError } from '../sim/errors.ts';

/** A znode's data does not have the format Kafka writes there. */
export class ZkDataError extends KafkasimError {
  readonly code = 'ZK_DATA';
  constructor(
    /** What the data should have been, e.g. "broker registration". */
    readonly what: string,
    /** What is wrong with it. */
    readonly problem: string,
    readonly data: string,
  ) {
    super(`malformed ${what}: ${problem}; data: ${data.length > 300 ? `${data.slice(0, 300)}...` : data}`);
  }
}

export interface TopicAndPartition {
  readonly topic: string;
  readonly partition: number;
}

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

// ------------------------------------------------------------------ /brokers/ids/<id>

/** `/brokers/ids/<brokerId>` (ephemeral), written by `ZkUtils.registerBrokerInZk`. */
export interface BrokerRegistration {
  /** The advertised host clients connect to. */
  readonly host: string;
  readonly port: number;
  /** -1 when JMX is off (the default). */
  readonly jmxPort: number;
  /** When the broker registered (virtual ms); Kafka writes it as a string. */
  readonly timestampMs: number;
}

/** `{"jmx_port":-1,"timestamp":"1400000000000","host":"broker-1","version":1,"port":9092}` (hash-map key order, see module comment). */
export function encodeBrokerRegistration(registration: BrokerRegistration): string {
  return JSON.stringify({
    jmx_port: registration.jmxPort,
    timestamp: timestampString(registration.timestampMs),
    host: registration.host,
    version: 1,
    port: registration.port,
  });
}

export function parseBrokerRegistration(data: string): BrokerRegistration {
  const what = 'broker registration';
  const json = jsonObject(what, data);
  requireVersion1(what, json, data);
  return {
    host: stringField(what, json, 'host', data),
    port: intField(what, json, 'port', data),
    jmxPort: intField(what, json, 'jmx_port', data),
    timestampMs: timestampField(what, json, data),
  };
}

// ------------------------------------------------------------------ /brokers/topics/<topic>

/** Partition id → assigned replicas (AR), first = preferred replica. */
export type ReplicaAssignment = ReadonlyMap<number, readonly number[]>;

/** `{"version":1,"partitions":{"0":[1,2],"1":[2,3]}}` (`ZkUtils.replicaAssignmentZkData`). */
export function encodeTopicAssignment(assignment: ReplicaAssignment): string {
  const partitions: Record<string, readonly number[]> = {};
  for (const [partition, replicas] of [...assignment.entries()].sort((a, b) => a[0] - b[0])) {
    partitions[String(partition)] = replicas;
  }
  return JSON.stringify({ version: 1, partitions });
}

/** The assignment as a map in ascending partition order (`ZkUtils.getPartitionAssignmentForTopics`). */
export function parseTopicAssignment(data: string): Map<number, number[]> {
  const what = 'topic assignment';
  const json = jsonObject(what, data);
  requireVersion1(what, json, data);
  const partitions = json['partitions'];
  if (!isPlainObject(partitions)) throw new ZkDataError(what, '"partitions" must be an object of partition id to replica list', data);
  const entries: Array<[number, number[]]> = [];
  for (const [key, replicas] of Object.entries(partitions)) {
    // Kafka: p._1.toInt
    const partition = /^[0-9]+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isSafeInteger(partition) || partition > INT_MAX) {
      throw new ZkDataError(what, `partition id ${JSON.stringify(key)} is not a non-negative integer`, data);
    }
    entries.push([partition, intList(what, replicas, `replicas of partition ${key}`, data)]);
  }
  return new Map(entries.sort((a, b) => a[0] - b[0]));
}

// ------------------------------------------------------------------ .../partitions/<p>/state

/**
 * `/brokers/topics/<t>/partitions/<p>/state`: `LeaderIsrAndControllerEpoch` without the zkVersion,
 * which is the znode's data version, not part of its data.
 */
export interface PartitionStateData {
  /** Broker id of the leader, or -1 (`LeaderAndIsr.NoLeader`). */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Epoch of the controller that wrote it. */
  readonly controllerEpoch: number;
}

/** `{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2]}` (`ZkUtils.leaderAndIsrZkData`). */
export function encodePartitionState(state: PartitionStateData): string {
  return JSON.stringify({
    controller_epoch: state.controllerEpoch,
    leader: state.leader,
    version: 1,
    leader_epoch: state.leaderEpoch,
    isr: state.isr,
  });
}

/** `ReplicationUtils.parseLeaderAndIsr`. */
export function parsePartitionState(data: string): PartitionStateData {
  const what = 'partition state';
  const json = jsonObject(what, data);
  requireVersion1(what, json, data);
  return {
    leader: intField(what, json, 'leader', data),
    leaderEpoch: intField(what, json, 'leader_epoch', data),
    isr: intList(what, json['isr'], '"isr"', data),
    controllerEpoch: intField(what, json, 'controller_epoch', data),
  };
}

// ------------------------------------------------------------------ /controller, /controller_epoch

export interface ControllerRegistration {
  readonly brokerId: number;
  /** Absent when the znode holds the pre-0.8 bare broker id. */
  readonly timestampMs: number | undefined;
}

/** `{"version":1,"brokerid":1,"timestamp":"1400000000000"}` (`ZookeeperLeaderElector.elect`). */
export function encodeController(brokerId: number, timestampMs: number): string {
  return JSON.stringify({ version: 1, brokerid: brokerId, timestamp: timestampString(timestampMs) });
}

/**
 * `KafkaController.parseControllerId`: the JSON form, or, when that fails (Kafka logs "Probably
 * this controller is still using the old format"), the whole data as a bare integer.
 */
export function parseController(data: string): ControllerRegistration {
  const what = 'controller registration';
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = undefined;
  }
  if (isPlainObject(parsed) && Number.isSafeInteger(parsed['brokerid'])) {
    requireVersion1(what, parsed, data);
    return { brokerId: intField(what, parsed, 'brokerid', data), timestampMs: timestampField(what, parsed, data) };
  }
  const legacy = javaInt(data);
  if (legacy === undefined) {
    // Kafka: "Failed to parse the controller info: <data>. This is neither the new or the old format."
    throw new ZkDataError(what, 'neither the JSON form with an integer "brokerid" nor a bare broker id', data);
  }
  return { brokerId: legacy, timestampMs: undefined };
}

/** Just the broker id, as `parseControllerId` returns it. */
export function parseControllerId(data: string): number {
  return parseController(data).brokerId;
}

/** `/controller_epoch`: the epoch as a decimal string (`KafkaController.incrementControllerEpoch`). */
export function encodeControllerEpoch(epoch: number): string {
  return String(epoch);
}

/** `readData(ControllerEpochPath)._1.toInt`. */
export function parseControllerEpoch(data: string): number {
  const epoch = javaInt(data);
  if (epoch === undefined) throw new ZkDataError('controller epoch', 'not a decimal int', data);
  return epoch;
}

// ------------------------------------------------------------------ /consumers/<group>/ids/<id>

export type SubscriptionPattern = 'static' | 'white_list' | 'black_list';
const PATTERNS: readonly SubscriptionPattern[] = ['static', 'white_list', 'black_list'];

/** `/consumers/<group>/ids/<consumerId>` (ephemeral), written by `registerConsumerInZK`. */
export interface ConsumerRegistration {
  /**
   * Topic → number of streams (`TopicCount.getTopicCountMap`). For a wildcard subscription it has
   * one entry: the (JSON-escaped) regex → number of streams.
   */
  readonly subscription: Readonly<Record<string, number>>;
  readonly pattern: SubscriptionPattern;
  readonly timestampMs: number;
}

/** `{"version":1,"subscription":{"topicA":2},"pattern":"static","timestamp":"1400000000000"}`. */
export function encodeConsumerRegistration(registration: ConsumerRegistration): string {
  return JSON.stringify({
    version: 1,
    subscription: registration.subscription,
    pattern: registration.pattern,
    timestamp: timestampString(registration.timestampMs),
  });
}

/**
 * `TopicCount.constructTopicCount`: "pattern" and "subscription" are required (Kafka: "error
 * constructing TopicCount"); stream counts are at least 1 (`makeConsumerThreadIdsPerTopic`
 * asserts `nConsumers >= 1`).
 */
export function parseConsumerRegistration(data: string): ConsumerRegistration {
  const what = 'consumer registration';
  const json = jsonObject(what, data);
  requireVersion1(what, json, data);
  const pattern = json['pattern'];
  if (typeof pattern !== 'string' || !(PATTERNS as readonly string[]).includes(pattern)) {
    throw new ZkDataError(what, `"pattern" must be one of ${PATTERNS.map((p) => JSON.stringify(p)).join(', ')}`, data);
  }
  const subscription = json['subscription'];
  if (!isPlainObject(subscription)) throw new ZkDataError(what, '"subscription" must be an object of topic to stream count', data);
  const counts: Record<string, number> = {};
  for (const [topic, streams] of Object.entries(subscription)) {
    if (!Number.isSafeInteger(streams) || (streams as number) < 1 || (streams as number) > INT_MAX) {
      throw new ZkDataError(what, `stream count of ${JSON.stringify(topic)} must be an integer >= 1`, data);
    }
    counts[topic] = streams as number;
  }
  return { subscription: counts, pattern: pattern as SubscriptionPattern, timestampMs: timestampField(what, json, data) };
}

// ------------------------------------------------------------------ /config/topics/<topic>, /config/changes

/** `{"version":1,"config":{"min.insync.replicas":"2"}}` (`AdminUtils.writeTopicConfig`): values are strings. */
export function encodeTopicConfig(config: Readonly<Record<string, string>>): string {
  return JSON.stringify({ version: 1, config });
}

/** `AdminUtils.fetchTopicConfig`: `require(version == 1)`, config values strings ("Invalid topic config"). */
export function parseTopicConfig(data: string): Record<string, string> {
  const what = 'topic config';
  const json = jsonObject(what, data);
  requireVersion1(what, json, data);
  const config = json['config'];
  if (!isPlainObject(config)) throw new ZkDataError(what, '"config" must be an object of property name to string value', data);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string') throw new ZkDataError(what, `value of ${JSON.stringify(key)} must be a string`, data);
    out[key] = value;
  }
  return out;
}

/**
 * `/config/changes/config_change_<seq>`: the topic name as a JSON string, `Json.encode(topic)`
 * (`AdminUtils.changeTopicConfig`); a pure notification for `TopicConfigManager`.
 */
export function encodeConfigChangeNotification(topic: string): string {
  return JSON.stringify(topic);
}

export function parseConfigChangeNotification(data: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'string') throw new ZkDataError('config change notification', 'not a JSON string (the topic name)', data);
  return parsed;
}

// ------------------------------------------------------------------ /admin/preferred_replica_election

/**
 * `{"version":1,"partitions":[{"topic":"t","partition":0}]}`
 * (`PreferredReplicaLeaderElectionCommand.writePreferredReplicaElectionData`).
 */
export function encodePreferredReplicaElection(partitions: readonly TopicAndPartition[]): string {
  return JSON.stringify({
    version: 1,
    partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
  });
}

/**
 * `parsePreferredReplicaElectionData`: Kafka's errors are "Preferred replica election data is
 * empty" (no "partitions") and "Preferred replica election data contains duplicate partitions: ...".
 */
export function parsePreferredReplicaElection(data: string): TopicAndPartition[] {
  const what = 'preferred replica election';
  const json = jsonObject(what, data);
  const partitions = json['partitions'];
  if (partitions === undefined) throw new ZkDataError(what, 'Preferred replica election data is empty', data);
  if (!Array.isArray(partitions)) throw new ZkDataError(what, '"partitions" must be an array', data);
  const out: TopicAndPartition[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const entry of partitions) {
    if (!isPlainObject(entry)) throw new ZkDataError(what, 'each partition must be an object {"topic":..,"partition":..}', data);
    const topic = stringField(what, entry, 'topic', data);
    const partition = intField(what, entry, 'partition', data);
    const name = `[${topic},${partition}]`; // TopicAndPartition.toString
    if (seen.has(name)) duplicates.push(name);
    else out.push({ topic, partition });
    seen.add(name);
  }
  if (duplicates.length > 0) {
    throw new ZkDataError(what, `Preferred replica election data contains duplicate partitions: ${duplicates.join(',')}`, data);
  }
  return out;
}

// ------------------------------------------------------------------ /consumers/<group>/offsets, owners

/** `/consumers/<g>/offsets/<t>/<p>`: the next offset to consume, as a decimal string (`offset.toString`). */
export function encodeConsumerOffset(offset: number): string {
  return String(offset);
}

/** `offsetString.toLong` (values up to `Number.MAX_SAFE_INTEGER`). */
export function parseConsumerOffset(data: string): number {
  const offset = /^[+-]?[0-9]+$/.test(data) ? Number(data) : Number.NaN;
  if (!Number.isSafeInteger(offset)) throw new ZkDataError('consumer offset', 'not a decimal long', data);
  return offset === 0 ? 0 : offset;
}

/** A consumer thread id `"<consumerId>-<n>"` (`ConsumerThreadId.toString`). */
export interface ConsumerThreadIdData {
  readonly consumerId: string;
  readonly threadId: number;
}

/** `/consumers/<g>/owners/<t>/<p>` (ephemeral): the owning thread id, `"<consumerId>-<n>"`. */
export function encodeOwner(owner: ConsumerThreadIdData): string {
  return `${owner.consumerId}-${owner.threadId}`;
}

/** Splits at the last "-": consumer ids contain dashes (`group_host-1400000000000-1a2b3c4d`), thread numbers do not. */
export function parseOwner(data: string): ConsumerThreadIdData {
  const match = /^(.+)-([0-9]+)$/.exec(data);
  const threadId = match === null ? Number.NaN : Number(match[2]);
  if (match === null || !Number.isSafeInteger(threadId) || threadId > INT_MAX) {
    throw new ZkDataError('partition owner', 'not a consumer thread id "<consumerId>-<n>"', data);
  }
  return { consumerId: match[1]!, threadId };
}

// ------------------------------------------------------------------ helpers

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonObject(what: string, data: string): Record<string, unknown> {
  if (typeof data !== 'string') throw new ZkDataError(what, 'the data is not a string', String(data));
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new ZkDataError(what, 'not valid JSON', data);
  }
  if (!isPlainObject(parsed)) throw new ZkDataError(what, 'not a JSON object', data);
  return parsed;
}

function requireVersion1(what: string, json: Record<string, unknown>, data: string): void {
  if (json['version'] !== 1) throw new ZkDataError(what, `"version" must be 1, got ${JSON.stringify(json['version'])}`, data);
}

function intField(what: string, json: Record<string, unknown>, key: string, data: string): number {
  const value = json[key];
  if (value === undefined) throw new ZkDataError(what, `"${key}" is missing`, data);
  if (!Number.isSafeInteger(value) || (value as number) < INT_MIN || (value as number) > INT_MAX) {
    throw new ZkDataError(what, `"${key}" must be an int, got ${JSON.stringify(value)}`, data);
  }
  return value as number;
}

function stringField(what: string, json: Record<string, unknown>, key: string, data: string): string {
  const value = json[key];
  if (value === undefined) throw new ZkDataError(what, `"${key}" is missing`, data);
  if (typeof value !== 'string') throw new ZkDataError(what, `"${key}" must be a string, got ${JSON.stringify(value)}`, data);
  return value;
}

function intList(what: string, value: unknown, name: string, data: string): number[] {
  if (!Array.isArray(value)) throw new ZkDataError(what, `${name} must be a list of ints`, data);
  for (const item of value) {
    if (!Number.isSafeInteger(item) || item < INT_MIN || item > INT_MAX) {
      throw new ZkDataError(what, `${name} must be a list of ints, found ${JSON.stringify(item)}`, data);
    }
  }
  return value.slice() as number[];
}

/** Kafka writes `SystemTime.milliseconds.toString`: a decimal string, not a JSON number. */
function timestampString(ms: number): string {
  return String(ms);
}

function timestampField(what: string, json: Record<string, unknown>, data: string): number {
  const text = stringField(what, json, 'timestamp', data);
  const ms = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(ms)) throw new ZkDataError(what, `"timestamp" must be milliseconds as a decimal string, got ${JSON.stringify(text)}`, data);
  return ms;
}

/** Java's `Integer.parseInt` for ASCII input: an optional sign, decimal digits, within int range. */
function javaInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  if (n < INT_MIN || n > INT_MAX) return undefined;
  return n === 0 ? 0 : n;
}
