/**
 * The client's typed errors (kafkajs-style): connection problems, configuration mistakes, and
 * the Kafka 0.8 client exceptions a learner meets (`FailedToSendMessageException`,
 * `QueueFullException`, `ConsumerTimeoutException`, `ConsumerRebalanceFailedException`, ...).
 * Kafka error codes from brokers become `KafkaError`s (src/protocol/errors.ts).
 */
import { KafkasimError, describeValue } from '../sim/errors.ts';

/** A connection to a broker could not be made, broke, or a request got no answer in time. */
export class BrokerConnectionError extends KafkasimError {
  readonly code = 'BROKER_CONNECTION';
  readonly retriable = true;
  constructor(
    readonly reason: 'refused' | 'timeout' | 'reset' | 'closed' | 'request-timeout' | 'unreachable',
    readonly address: string,
    detail: string,
  ) {
    super(`${address}: ${detail}`);
  }
}

/** A configuration value is not allowed. */
export class ConfigError extends KafkasimError {
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${key} must be ${allowed}, got ${describeValue(value)}`);
  }
}

/**
 * `FailedToSendMessageException`: messages still unsent after `message.send.max.retries` + 1 attempts.
 * The message keeps 0.8.2's wording, which says "after N tries" with N = the retries, one fewer than
 * the attempts made (`DefaultEventHandler.handle`); `retries` holds that N.
 */
export class FailedToSendMessageError extends KafkasimError {
  readonly code = 'FAILED_TO_SEND';
  constructor(
    readonly retries: number,
    readonly unsent: number,
    readonly lastError: unknown,
  ) {
    super(`Failed to send messages after ${retries} tries (${unsent} message(s) unsent).`);
  }
}

/** `QueueFullException`: the async producer's queue is full and `queue.enqueue.timeout.ms` ran out. */
export class QueueFullError extends KafkasimError {
  readonly code = 'QUEUE_FULL';
  constructor(readonly topic: string) {
    super(`Event queue is full of unsent messages, could not send event for topic ${topic}`);
  }
}

/** `ProducerClosedException`. */
export class ProducerClosedError extends KafkasimError {
  readonly code = 'PRODUCER_CLOSED';
  constructor() {
    super('producer already closed');
  }
}

/** `ConsumerTimeoutException`: no message within `consumer.timeout.ms`. */
export class ConsumerTimeoutError extends KafkasimError {
  readonly code = 'CONSUMER_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`no message arrived within consumer.timeout.ms (${timeoutMs} ms)`);
  }
}

/** `ConsumerRebalanceFailedException`. */
export class ConsumerRebalanceFailedError extends KafkasimError {
  readonly code = 'REBALANCE_FAILED';
  constructor(
    readonly consumerId: string,
    readonly retries: number,
  ) {
    super(`${consumerId} can't rebalance after ${retries} retries`);
  }
}

/** Metadata could not be fetched from any broker of the list. */
export class MetadataFetchError extends KafkasimError {
  readonly code = 'METADATA_FETCH_FAILED';
  constructor(
    readonly topics: readonly string[],
    readonly brokers: readonly string[],
    readonly lastError: unknown,
  ) {
    super(
      `fetching topic metadata for topics [${topics.join(', ')}] from broker [${brokers.join(', ')}] failed${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
    );
  }
}

/** `ConsumerFetchSizeTooSmall` (kafka-python): not even one message fits in the buffer. */
export class FetchSizeTooSmallError extends KafkasimError {
  readonly code = 'FETCH_SIZE_TOO_SMALL';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly fetchSize: number,
  ) {
    super(`no complete message of ${topic}-${partition} at offset ${offset} fits in ${fetchSize} bytes`);
  }
}

/** The operation needs a component that was closed or shut down. */
export class ClosedError extends KafkasimError {
  readonly code = 'CLOSED';
}

/**
 * A coordinator-mode consumer's commit was refused or could not be sent (Kafka's
 * `CommitFailedException` and the retriable coordinator errors of `commitSync`).
 */
export class CommitFailedError extends KafkasimError {
  readonly code = 'COMMIT_FAILED';
  constructor(
    readonly consumerId: string,
    readonly reason: string,
  ) {
    super(`${consumerId} could not commit its offsets: ${reason}`);
  }
}

/**
 * The group coordinator refused a coordinator-mode consumer for good (INCONSISTENT_GROUP_PROTOCOL
 * 23, INVALID_GROUP_ID 24, INVALID_SESSION_TIMEOUT 26, ...), as Kafka's `JoinGroupResponseHandler`
 * raises them to `poll`.
 */
export class GroupJoinFailedError extends KafkasimError {
  readonly code = 'GROUP_JOIN_FAILED';
  constructor(
    readonly consumerId: string,
    readonly group: string,
    readonly error: string,
  ) {
    super(`${consumerId} cannot join group ${group}: the coordinator answered ${error}`);
  }
}
