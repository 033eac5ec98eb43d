/**
 * Replica placement for a new topic or new partitions: Kafka 0.8.2's
 * `kafka.admin.AdminUtils.assignReplicasToBrokers`, step for step (the same code is in 0.8.0 and
 * 0.8.1.1). `AdminUtils.createTopic` (kafka-topics.sh --create, and the broker's auto-creation)
 * calls it with the sorted ids of the live brokers, a random start; `AdminUtils.addPartitions`
 * calls it with `fixedStartIndex` = the first replica of partition 0 and `startPartitionId` = the
 * current partition count.
 *
 * Kafka's own comment states the two goals: spread replicas evenly over the brokers, and spread the
 * other replicas of one broker's partitions over the other brokers. So: the first replica of each
 * partition goes round-robin over the broker list from a random start; the following replicas are
 * placed at an increasing shift from the first, and the shift grows by one each time the partition
 * id wraps around the broker list.
 *
 * Example from the Kafka source (5 brokers, 10 partitions, 3 replicas):
 * ```
 * broker-0  broker-1  broker-2  broker-3  broker-4
 * p0        p1        p2        p3        p4       (1st replica)
 * p5        p6        p7        p8        p9       (1st replica)
 * p4        p0        p1        p2        p3       (2nd replica)
 * p8        p9        p5        p6        p7       (2nd replica)
 * p3        p4        p0        p1        p2       (3nd replica)
 * p7        p8        p9        p5        p6       (3nd replica)
 * ```
 */
import { InvalidArgumentError, KafkasimError } from '../../sim/errors.ts';
import type { RandomSource } from '../../sim/rng.ts';

/** Why `assignReplicasToBrokers` refused. */
export type AdminOperationReason = 'INVALID_PARTITION_COUNT' | 'INVALID_REPLICATION_FACTOR' | 'NOT_ENOUGH_BROKERS';

/**
 * Kafka's `kafka.admin.AdminOperationException`: an admin request that cannot be carried out. The
 * message is Kafka's, word for word; `reason` says which check failed.
 */
export class AdminOperationError extends KafkasimError {
  readonly code = 'ADMIN_OPERATION';
  constructor(
    readonly reason: AdminOperationReason,
    message: string,
  ) {
    super(message);
  }
}

export interface AssignReplicasOptions {
  /**
   * Draws Kafka's two `rand.nextInt(brokerList.size)` (start index, then replica shift), each as
   * `rng.int(0, n - 1)`. Required unless `fixedStartIndex` is given. Any `Rng` will do; a caller
   * passes a named fork (e.g. `admin/assign-replicas`) so placements do not disturb other streams.
   */
  readonly rng?: RandomSource;
  /**
   * When >= 0, used as both the start index and the initial replica shift, and nothing is drawn
   * (Kafka's `fixedStartIndex`, default -1). Note that `addPartitions` passes a broker *id* here
   * (the first replica of partition 0), which is also an index only when ids are 0..n-1.
   */
  readonly fixedStartIndex?: number;
  /** The first partition id to place (Kafka's `startPartitionId`, default -1 meaning 0). */
  readonly startPartitionId?: number;
}

/**
 * The replica list (first = preferred replica) of each new partition, by partition id.
 *
 * Returns a `Map` from partition id, in ascending order, rather than an array, because with
 * `startPartitionId` (adding partitions) the ids start above 0; it is Kafka's
 * `Map[Int, Seq[Int]]`, which `AdminUtils.createOrUpdateTopicPartitionAssignmentPathInZK` writes as
 * `{"version":1,"partitions":{"0":[...],...}}`.
 *
 * `brokerList` is used in the order given (Kafka passes `ZkUtils.getSortedBrokerList`, sorted ids);
 * it must hold distinct integers (Kafka's list of znode names cannot repeat; a repeated id here
 * would put one broker twice in a replica list).
 *
 * @throws AdminOperationError with Kafka's messages: "number of partitions must be larger than 0",
 *   "replication factor must be larger than 0", "replication factor: 3 larger than available brokers: 2".
 * @throws InvalidArgumentError for arguments of the wrong type, repeated broker ids, or a missing rng.
 */
export function assignReplicasToBrokers(
  brokerList: readonly number[],
  nPartitions: number,
  replicationFactor: number,
  options: AssignReplicasOptions = {},
): Map<number, number[]> {
  checkArguments(brokerList, nPartitions, replicationFactor, options);
  // The three checks of AdminUtils, in its order and with its messages.
  if (nPartitions <= 0) {
    throw new AdminOperationError('INVALID_PARTITION_COUNT', 'number of partitions must be larger than 0');
  }
  if (replicationFactor <= 0) {
    throw new AdminOperationError('INVALID_REPLICATION_FACTOR', 'replication factor must be larger than 0');
  }
  if (replicationFactor > brokerList.length) {
    throw new AdminOperationError(
      'NOT_ENOUGH_BROKERS',
      `replication factor: ${replicationFactor} larger than available brokers: ${brokerList.length}`,
    );
  }
  const n = brokerList.length;
  const fixedStartIndex = options.fixedStartIndex ?? -1;
  const startPartitionId = options.startPartitionId ?? -1;
  const nextInt = (): number => {
    if (options.rng === undefined) {
      throw new InvalidArgumentError('options.rng', options.rng, 'a random source when fixedStartIndex is not given');
    }
    return options.rng.int(0, n - 1); // rand.nextInt(brokerList.size)
  };

  const ret = new Map<number, number[]>();
  // Draw order matters for reproducing a seed: the start index first, then the shift.
  const startIndex = fixedStartIndex >= 0 ? fixedStartIndex : nextInt();
  let currentPartitionId = startPartitionId >= 0 ? startPartitionId : 0;
  let nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : nextInt();
  for (let i = 0; i < nPartitions; i++) {
    // The shift grows each time the partition id (not the loop counter) wraps the broker list.
    if (currentPartitionId > 0 && currentPartitionId % n === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % n;
    const replicaList = [brokerList[firstReplicaIndex]!];
    for (let j = 0; j < replicationFactor - 1; j++) {
      replicaList.push(brokerList[replicaIndex(firstReplicaIndex, nextReplicaShift, j, n)]!);
    }
    ret.set(currentPartitionId, replicaList);
    currentPartitionId += 1;
  }
  return ret;
}

/**
 * `AdminUtils.replicaIndex`: the (j+2)-th replica sits `1 + (shift + j) % (n - 1)` places after the
 * first, so it is never the first replica itself and, for j < n - 1, never repeats.
 */
function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, j: number, nBrokers: number): number {
  const shift = 1 + ((secondReplicaShift + j) % (nBrokers - 1));
  return (firstReplicaIndex + shift) % nBrokers;
}

function checkArguments(
  brokerList: readonly number[],
  nPartitions: number,
  replicationFactor: number,
  options: AssignReplicasOptions,
): void {
  if (!Array.isArray(brokerList) || !brokerList.every((id) => Number.isSafeInteger(id))) {
    throw new InvalidArgumentError('brokerList', brokerList, 'an array of integer broker ids');
  }
  if (new Set(brokerList).size !== brokerList.length) {
    throw new InvalidArgumentError('brokerList', brokerList, 'distinct broker ids');
  }
  if (!Number.isSafeInteger(nPartitions)) throw new InvalidArgumentError('nPartitions', nPartitions, 'an integer');
  if (!Number.isSafeInteger(replicationFactor)) {
    throw new InvalidArgumentError('replicationFactor', replicationFactor, 'an integer');
  }
  for (const name of ['fixedStartIndex', 'startPartitionId'] as const) {
    const value = options[name];
    if (value !== undefined && !Number.isSafeInteger(value)) {
      throw new InvalidArgumentError(`options.${name}`, value, 'an integer (negative means "not given")');
    }
  }
}
