/**
 * Kafka 0.8.2's error codes (`kafka.common.ErrorMapping`) as data, and the typed errors clients
 * raise from them; then the later codes the group coordinator and the admin APIs answer modern
 * clients with (their constants are Kafka 2.x `Errors` names; 0.8 clients never see them). Errors travel between broker and client as codes inside responses, never as
 * exceptions; a client turns a code into an error with `kafkaErrorFor(code)`.
 *
 * `retriable` says whether retrying the same request later can succeed (a leader moves, a
 * replica catches up): the Java clients' `RetriableException` subclasses for the same codes.
 */

export interface ErrorCodeInfo {
  readonly code: number;
  /** `ErrorMapping`'s constant name. */
  readonly constant: string;
  /** The exception class Kafka maps the code to. */
  readonly exception: string;
  readonly retriable: boolean;
  readonly description: string;
}

export const ErrorCode = {
  Unknown: -1,
  NoError: 0,
  OffsetOutOfRange: 1,
  InvalidMessage: 2,
  UnknownTopicOrPartition: 3,
  InvalidFetchSize: 4,
  LeaderNotAvailable: 5,
  NotLeaderForPartition: 6,
  RequestTimedOut: 7,
  BrokerNotAvailable: 8,
  ReplicaNotAvailable: 9,
  MessageSizeTooLarge: 10,
  StaleControllerEpoch: 11,
  OffsetMetadataTooLarge: 12,
  StaleLeaderEpoch: 13,
  OffsetsLoadInProgress: 14,
  ConsumerCoordinatorNotAvailable: 15,
  NotCoordinatorForConsumer: 16,
  InvalidTopic: 17,
  MessageSetSizeTooLarge: 18,
  NotEnoughReplicas: 19,
  NotEnoughReplicasAfterAppend: 20,
  // Kafka 0.9–2.x (`org.apache.kafka.common.protocol.Errors`): the group coordinator and admin APIs
  // that modern clients use through the wire gateway. 14–16 above keep their 0.8.2 names; modern
  // Kafka calls them COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE and NOT_COORDINATOR.
  IllegalGeneration: 22,
  InconsistentGroupProtocol: 23,
  InvalidGroupId: 24,
  UnknownMemberId: 25,
  InvalidSessionTimeout: 26,
  RebalanceInProgress: 27,
  InvalidCommitOffsetSize: 28,
  TopicAlreadyExists: 36,
  InvalidPartitions: 37,
  InvalidReplicationFactor: 38,
  InvalidReplicaAssignment: 39,
  InvalidConfig: 40,
  NotController: 41,
  InvalidRequest: 42,
  UnsupportedForMessageFormat: 43,
  MemberIdRequired: 79,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeNumber = (typeof ErrorCode)[ErrorCodeName];

const row = (
  code: number,
  constant: string,
  exception: string,
  retriable: boolean,
  description: string,
): ErrorCodeInfo => ({ code, constant, exception, retriable, description });

/** The table, by code. */
export const ERROR_CODES: ReadonlyMap<number, ErrorCodeInfo> = new Map(
  [
    row(-1, 'UnknownCode', 'UnknownException', false, 'an unexpected server error'),
    row(0, 'NoError', '', false, 'no error'),
    row(1, 'OffsetOutOfRangeCode', 'OffsetOutOfRangeException', false, 'the requested offset is outside the range of offsets the partition holds'),
    row(2, 'InvalidMessageCode', 'InvalidMessageException', true, 'a message failed its CRC check'),
    row(3, 'UnknownTopicOrPartitionCode', 'UnknownTopicOrPartitionException', true, 'this broker does not host this topic or partition'),
    row(4, 'InvalidFetchSizeCode', 'InvalidMessageSizeException', false, 'the fetch size is invalid'),
    row(5, 'LeaderNotAvailableCode', 'LeaderNotAvailableException', true, 'the partition has no leader right now (an election is in progress)'),
    row(6, 'NotLeaderForPartitionCode', 'NotLeaderForPartitionException', true, 'this broker is not the leader for the partition'),
    row(7, 'RequestTimedOutCode', 'RequestTimedOutException', true, 'the request timed out (a produce with acks=-1 was not replicated in time; the data may still be in the log)'),
    row(8, 'BrokerNotAvailableCode', 'BrokerNotAvailableException', false, 'the broker is not available'),
    row(9, 'ReplicaNotAvailableCode', 'ReplicaNotAvailableException', false, 'a replica is not available (the leader still is)'),
    row(10, 'MessageSizeTooLargeCode', 'MessageSizeTooLargeException', false, 'a message is larger than message.max.bytes'),
    row(11, 'StaleControllerEpochCode', 'ControllerMovedException', false, 'the request came from a controller with an old epoch'),
    row(12, 'OffsetMetadataTooLargeCode', 'OffsetMetadataTooLargeException', false, 'the offset metadata is longer than offset.metadata.max.bytes'),
    row(13, 'StaleLeaderEpochCode', '', false, 'the leader epoch in the request is not newer than the broker’s'),
    row(14, 'OffsetsLoadInProgressCode', 'OffsetsLoadInProgressException', true, 'the offsets are still loading'),
    row(15, 'ConsumerCoordinatorNotAvailableCode', 'ConsumerCoordinatorNotAvailableException', true, 'the consumer coordinator is not available'),
    row(16, 'NotCoordinatorForConsumerCode', 'NotCoordinatorForConsumerException', true, 'this broker is not the coordinator for the group'),
    row(17, 'InvalidTopicCode', 'InvalidTopicException', false, 'the topic is invalid (an internal topic cannot be produced to)'),
    row(18, 'MessageSetSizeTooLargeCode', 'MessageSetSizeTooLargeException', false, 'the message set is larger than a log segment'),
    row(19, 'NotEnoughReplicasCode', 'NotEnoughReplicasException', true, 'fewer in-sync replicas than min.insync.replicas: nothing was appended'),
    row(20, 'NotEnoughReplicasAfterAppendCode', 'NotEnoughReplicasAfterAppendException', true, 'appended, but fewer in-sync replicas than min.insync.replicas when acknowledged'),
    row(22, 'ILLEGAL_GENERATION', 'IllegalGenerationException', false, 'the generation id is not the group’s current one (a rebalance moved on)'),
    row(23, 'INCONSISTENT_GROUP_PROTOCOL', 'InconsistentGroupProtocolException', false, 'the member’s protocol type or protocols do not match the group’s'),
    row(24, 'INVALID_GROUP_ID', 'InvalidGroupIdException', false, 'the group id is empty'),
    row(25, 'UNKNOWN_MEMBER_ID', 'UnknownMemberIdException', false, 'the coordinator does not know this member id (it left, expired, or the coordinator moved)'),
    row(26, 'INVALID_SESSION_TIMEOUT', 'InvalidSessionTimeoutException', false, 'the session timeout is outside group.min.session.timeout.ms–group.max.session.timeout.ms'),
    row(27, 'REBALANCE_IN_PROGRESS', 'RebalanceInProgressException', false, 'the group is rebalancing: rejoin'),
    row(28, 'INVALID_COMMIT_OFFSET_SIZE', 'InvalidCommitOffsetSizeException', false, 'the offset commit was too large to store'),
    row(36, 'TOPIC_ALREADY_EXISTS', 'TopicExistsException', false, 'the topic already exists'),
    row(37, 'INVALID_PARTITIONS', 'InvalidPartitionsException', false, 'the number of partitions is invalid'),
    row(38, 'INVALID_REPLICATION_FACTOR', 'InvalidReplicationFactorException', false, 'the replication factor is invalid (or larger than the live brokers)'),
    row(39, 'INVALID_REPLICA_ASSIGNMENT', 'InvalidReplicaAssignmentException', false, 'the replica assignment is invalid'),
    row(40, 'INVALID_CONFIG', 'InvalidConfigurationException', false, 'a topic configuration is unknown or invalid'),
    row(41, 'NOT_CONTROLLER', 'NotControllerException', true, 'this broker is not the active controller'),
    row(42, 'INVALID_REQUEST', 'InvalidRequestException', false, 'the request is malformed or inconsistent'),
    row(43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', 'UnsupportedForMessageFormatException', false, 'the log’s message format (magic 0, no timestamps) does not support the request'),
    row(79, 'MEMBER_ID_REQUIRED', 'MemberIdRequiredException', false, 'join again with the member id given in this response'),
  ].map((info) => [info.code, info]),
);

const NAMES = new Map<number, ErrorCodeName>(Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]));

export function errorName(code: number): ErrorCodeName | `Code${number}` {
  return NAMES.get(code) ?? `Code${code}`;
}

export function isRetriable(code: number): boolean {
  return ERROR_CODES.get(code)?.retriable ?? false;
}

/** A Kafka error a client received as a code. */
export class KafkaError extends Error {
  override readonly name: string = 'KafkaError';
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(
    readonly code: number,
    /** What the error concerns ("jiketest-0 on broker 2"). */
    readonly context?: string,
  ) {
    const info = ERROR_CODES.get(code);
    const name = errorName(code);
    super(`${name} (${code})${context === undefined ? '' : ` for ${context}`}: ${info?.description ?? 'an error code unknown to Kafka 0.8.2'}`);
    this.errorName = name;
    this.retriable = info?.retriable ?? false;
  }
}

export class OffsetOutOfRangeError extends KafkaError {
  override readonly name = 'OffsetOutOfRangeError';
}
export class InvalidMessageError extends KafkaError {
  override readonly name = 'InvalidMessageError';
}
export class UnknownTopicOrPartitionError extends KafkaError {
  override readonly name = 'UnknownTopicOrPartitionError';
}
export class InvalidFetchSizeError extends KafkaError {
  override readonly name = 'InvalidFetchSizeError';
}
export class LeaderNotAvailableError extends KafkaError {
  override readonly name = 'LeaderNotAvailableError';
}
export class NotLeaderForPartitionError extends KafkaError {
  override readonly name = 'NotLeaderForPartitionError';
}
export class RequestTimedOutError extends KafkaError {
  override readonly name = 'RequestTimedOutError';
}
export class BrokerNotAvailableError extends KafkaError {
  override readonly name = 'BrokerNotAvailableError';
}
export class ReplicaNotAvailableError extends KafkaError {
  override readonly name = 'ReplicaNotAvailableError';
}
export class MessageSizeTooLargeError extends KafkaError {
  override readonly name = 'MessageSizeTooLargeError';
}
export class StaleControllerEpochError extends KafkaError {
  override readonly name = 'StaleControllerEpochError';
}
export class OffsetMetadataTooLargeError extends KafkaError {
  override readonly name = 'OffsetMetadataTooLargeError';
}
export class StaleLeaderEpochError extends KafkaError {
  override readonly name = 'StaleLeaderEpochError';
}
export class OffsetsLoadInProgressError extends KafkaError {
  override readonly name = 'OffsetsLoadInProgressError';
}
export class ConsumerCoordinatorNotAvailableError extends KafkaError {
  override readonly name = 'ConsumerCoordinatorNotAvailableError';
}
export class NotCoordinatorForConsumerError extends KafkaError {
  override readonly name = 'NotCoordinatorForConsumerError';
}
export class InvalidTopicError extends KafkaError {
  override readonly name = 'InvalidTopicError';
}
export class MessageSetSizeTooLargeError extends KafkaError {
  override readonly name = 'MessageSetSizeTooLargeError';
}
export class NotEnoughReplicasError extends KafkaError {
  override readonly name = 'NotEnoughReplicasError';
}
export class NotEnoughReplicasAfterAppendError extends KafkaError {
  override readonly name = 'NotEnoughReplicasAfterAppendError';
}
export class UnknownServerError extends KafkaError {
  override readonly name = 'UnknownServerError';
}

const CLASSES: ReadonlyMap<number, new (code: number, context?: string) => KafkaError> = new Map<
  number,
  new (code: number, context?: string) => KafkaError
>([
  [-1, UnknownServerError],
  [1, OffsetOutOfRangeError],
  [2, InvalidMessageError],
  [3, UnknownTopicOrPartitionError],
  [4, InvalidFetchSizeError],
  [5, LeaderNotAvailableError],
  [6, NotLeaderForPartitionError],
  [7, RequestTimedOutError],
  [8, BrokerNotAvailableError],
  [9, ReplicaNotAvailableError],
  [10, MessageSizeTooLargeError],
  [11, StaleControllerEpochError],
  [12, OffsetMetadataTooLargeError],
  [13, StaleLeaderEpochError],
  [14, OffsetsLoadInProgressError],
  [15, ConsumerCoordinatorNotAvailableError],
  [16, NotCoordinatorForConsumerError],
  [17, InvalidTopicError],
  [18, MessageSetSizeTooLargeError],
  [19, NotEnoughReplicasError],
  [20, NotEnoughReplicasAfterAppendError],
]);

/** The typed error for a non-zero code (`ErrorMapping.exceptionFor`). */
export function kafkaErrorFor(code: number, context?: string): KafkaError {
  const ErrorClass = CLASSES.get(code) ?? KafkaError;
  return new ErrorClass(code, context);
}
