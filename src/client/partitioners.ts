/**
 * Keyed-message partitioners of the old (Scala) producer, with the JVM arithmetic they rely on.
 *
 * The producer calls `partitioner.partition(key, numPartitions)` only for a non-null key
 * (`DefaultEventHandler.getPartition`; a null key goes to a random partition that has a leader,
 * cached per topic). An empty key "" is not null, so it does reach the partitioner (the article's
 * comment that a key "must not be null or \"\"" is right only about null: `KeyedMessage.hasKey`
 * is `key != null`). `numPartitions` counts every partition in the metadata, leaderless ones too.
 * A result outside [0, numPartitions) makes the producer throw `UnknownTopicOrPartitionException`
 * ("Invalid partition id: ..."); any exception from the partitioner fails the whole batch in
 * `partitionAndCollate`, which is then retried and, after `message.send.max.retries`, dropped
 * with `FailedToSendMessageException`.
 */
import { InvalidArgumentError, KafkasimError, UnknownNameError } from '../sim/errors.ts';

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/** A producer partitioner: `kafka.producer.Partitioner.partition(key, numPartitions)` for String keys. */
export type Partitioner = (key: string, numPartitions: number) => number;

/**
 * Java's `String.hashCode`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, in 32-bit
 * signed arithmetic (so it wraps: `"polygenelubricants"` hashes to `Integer.MIN_VALUE`).
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * `kafka.utils.Utils.abs` in 0.8.2: `if (n == Integer.MIN_VALUE) 0 else math.abs(n)`. Java's
 * `Math.abs(Integer.MIN_VALUE)` is `Integer.MIN_VALUE` itself (negative), hence the special case.
 */
export function abs082(n: number): number {
  const i = n | 0;
  return i === INT_MIN ? 0 : Math.abs(i);
}

/**
 * `kafka.utils.Utils.abs` in 0.8.0 and 0.8.1.1: `n & 0x7fffffff` (clears the sign bit). For a
 * negative n this is `n + 2^31`, not `-n`: hash -1 gives 2147483647 here and 1 in 0.8.2. The two
 * agree modulo 1 and 2 only (`2^31 - a` and `a` have the same parity), so with three or more
 * partitions a key with a negative hash code usually lands elsewhere after an upgrade to 0.8.2.
 * (Both map `Integer.MIN_VALUE` to 0.)
 */
export function abs080(n: number): number {
  return n & 0x7fffffff;
}

/** 0.8.2 `kafka.producer.DefaultPartitioner`: `Utils.abs(key.hashCode) % numPartitions`. */
export const defaultPartitioner: Partitioner = (key, numPartitions) => {
  requireNumPartitions(numPartitions);
  return abs082(javaStringHashCode(key)) % numPartitions;
};

/** 0.8.0 / 0.8.1.1 `DefaultPartitioner`: the same formula with the older `Utils.abs`. */
export const defaultPartitioner080: Partitioner = (key, numPartitions) => {
  requireNumPartitions(numPartitions);
  return abs080(javaStringHashCode(key)) % numPartitions;
};

/**
 * Java's `NumberFormatException`, as `Integer.parseInt` throws it: the message is Java's
 * `For input string: "<s>"`.
 */
export class NumberFormatError extends KafkasimError {
  readonly code = 'NUMBER_FORMAT';
  readonly javaException = 'java.lang.NumberFormatException';
  constructor(readonly input: string) {
    super(`For input string: ${JSON.stringify(input)}`);
  }
}

/**
 * The article's `SimplePartitioner` (package `kafka.producer.partiton`, written for Kafka 0.8.1):
 *
 * ```java
 * public int partition(Object key, int a_numPartitions) {
 *     int partition = 0;
 *     String stringKey = (String) key;
 *     int offset = stringKey.lastIndexOf('.');
 *     if (offset > 0) {
 *        partition = Integer.parseInt( stringKey.substring(offset+1)) % a_numPartitions;
 *     }
 *     return partition;
 * }
 * ```
 *
 * The key is an IP address such as "192.168.2.15": partition = last number % numPartitions.
 * Mirrored exactly, including its corners:
 * - no '.' at all, or only at index 0 (`offset > 0`, not `>= 0`): partition 0;
 * - a suffix `Integer.parseInt` rejects (empty as in "10.0.0.", letters as in "host.local", out of
 *   int range): Java throws `NumberFormatException`; here `NumberFormatError`, same message;
 * - a negative suffix ("a.-7"): Java's `%` keeps the dividend's sign, so the result is negative
 *   (-7 % 4 = -3) and the producer rejects it with `UnknownTopicOrPartitionException`.
 */
export const simplePartitioner: Partitioner = (key, numPartitions) => {
  requireNumPartitions(numPartitions);
  let partition = 0;
  const offset = key.lastIndexOf('.');
  if (offset > 0) {
    partition = (javaParseInt(key.substring(offset + 1)) % numPartitions) | 0; // `| 0`: no -0
  }
  return partition;
};

/**
 * Java's `Integer.parseInt(s)` (radix 10): an optional '+' or '-', then one or more digits, the
 * value within int range. A digit is any UTF-16 code unit of Unicode category Nd, as
 * `Character.digit(ch, 10)` accepts (so "٣" parses as 3), using the JavaScript engine's Unicode
 * tables rather than the JVM's.
 *
 * @throws NumberFormatError with Java's message, e.g. `For input string: "abc"`.
 */
export function javaParseInt(s: string): number {
  let i = 0;
  let negative = false;
  if (s.length === 0) throw new NumberFormatError(s);
  const first = s[0]!;
  if (first === '-' || first === '+') {
    if (s.length === 1) throw new NumberFormatError(s); // a lone sign
    negative = first === '-';
    i = 1;
  }
  let value = 0;
  const limit = negative ? -INT_MIN : INT_MAX;
  for (; i < s.length; i++) {
    const digit = decimalDigit(s, i);
    if (digit < 0) throw new NumberFormatError(s);
    value = value * 10 + digit;
    if (value > limit) throw new NumberFormatError(s);
  }
  return negative ? (value === 0 ? 0 : -value) : value;
}

/** `Character.digit(s.charAt(i), 10)`: the digit's value, or -1. */
function decimalDigit(s: string, i: number): number {
  const code = s.charCodeAt(i);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (!isNd(code)) return -1;
  // Unicode encodes each script's digits 0..9 as a contiguous run (runs may be adjacent, e.g. in
  // blocks of several digit styles): the value is the distance from the run's start, modulo 10.
  let start = code;
  while (isNd(start - 1)) start -= 1;
  return (code - start) % 10;
}

function isNd(code: number): boolean {
  // Surrogates are not Nd: like Java's char-based parseInt, a supplementary-plane digit is rejected.
  return code >= 0 && /^\p{Nd}$/u.test(String.fromCharCode(code));
}

/** Partitioners by the `partitioner.class` name a producer config would give. */
export const PARTITIONER_CLASSES: Readonly<Record<string, Partitioner>> = Object.freeze({
  'kafka.producer.DefaultPartitioner': defaultPartitioner,
  // The article's package name, typo included.
  'kafka.producer.partiton.SimplePartitioner': simplePartitioner,
});

/**
 * The partitioner for a `partitioner.class` value (Kafka: `Utils.createObject`, which throws
 * `ClassNotFoundException` for an unknown class).
 */
export function partitionerForClass(className: string): Partitioner {
  const partitioner = PARTITIONER_CLASSES[className];
  if (partitioner === undefined) throw new UnknownNameError('partitioner.class', className, Object.keys(PARTITIONER_CLASSES));
  return partitioner;
}

function requireNumPartitions(numPartitions: number): void {
  // Kafka never calls a partitioner with fewer than one partition (getPartition throws first).
  if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > INT_MAX) {
    throw new InvalidArgumentError('numPartitions', numPartitions, 'an integer from 1 to 2147483647');
  }
}
