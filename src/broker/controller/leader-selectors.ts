/**
 * The controller's partition leader selectors (Kafka 0.8.2 `kafka.controller.PartitionLeaderSelector`)
 * as pure functions: given a partition's assigned replicas, its current leader and ISR, and which
 * brokers are alive, return the new `LeaderAndIsr` and the brokers that must receive the
 * LeaderAndIsr request, or the reason the election cannot happen.
 *
 * Kafka's selectors throw (`NoReplicaOnlineException`, `StateChangeFailedException`,
 * `LeaderElectionNotNeededException`); here each outcome is a value, so the controller can log it
 * and decide (`PartitionStateMachine.electLeaderForPartition` swallows "not needed", rethrows "no
 * replica online" and wraps everything else into `StateChangeFailedException`). Each result also
 * carries the log lines Kafka's selector writes, with Kafka's wording, for the trace and lessons.
 *
 * Log and exception texts print Scala collections as Kafka does (`Set(1, 2)`, `List(1, 2, 3)`,
 * `mkString(",")`); Kafka's sets iterate in hash order, kafkasim prints them in ascending order.
 */

/** `kafka.api.LeaderAndIsr`: what the controller writes to the partition's state znode. */
export interface LeaderAndIsr {
  /** Broker id of the leader, or -1 (`LeaderAndIsr.NoLeader`). */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** The state znode's data version the write is conditional on (current + 1 after a successful write). */
  readonly zkVersion: number;
}

/** What every selector reads from the controller context. */
export interface LeaderSelectionInput {
  readonly topic: string;
  readonly partition: number;
  /** AR: the assigned replicas in order; the first is the preferred replica. */
  readonly assignedReplicas: readonly number[];
  /** The leader, epoch, ISR and zkVersion read from the state znode. */
  readonly current: LeaderAndIsr;
  /**
   * `controllerContext.liveBrokerIds`: brokers registered in `/brokers/ids` **minus** those
   * shutting down, so a broker in controlled shutdown is never elected.
   */
  readonly liveBrokerIds: Iterable<number>;
  /** `controllerContext.shuttingDownBrokerIds` (empty when not given). */
  readonly shuttingDownBrokerIds?: Iterable<number>;
}

export interface OfflineLeaderSelectionInput extends LeaderSelectionInput {
  /**
   * The topic's effective `unclean.leader.election.enable` (0.8.2: the topic override, else the
   * broker setting; see `resolveTopicConfig`). 0.8.0 and 0.8.1 behave as if it were always true.
   */
  readonly uncleanLeaderElectionEnable: boolean;
}

/** One line a Kafka selector logs. Kafka prints it as `[${logger}]: ${message}` (its `logIdent`). */
export interface SelectorLogLine {
  readonly level: 'debug' | 'info' | 'warn';
  readonly logger: SelectorName;
  readonly message: string;
}

export type SelectorName =
  | 'OfflinePartitionLeaderSelector'
  | 'ControlledShutdownLeaderSelector'
  | 'PreferredReplicaPartitionLeaderSelector';

export interface LeaderElected {
  readonly ok: true;
  readonly leaderAndIsr: LeaderAndIsr;
  /** Brokers to send the LeaderAndIsr request to. */
  readonly receivers: readonly number[];
  /** The leader was taken from outside the ISR ("There's potential data loss."). */
  readonly unclean: boolean;
  readonly log: readonly SelectorLogLine[];
}

export type LeaderSelectionError = 'NoReplicaOnline' | 'StateChangeFailed' | 'LeaderElectionNotNeeded';

export interface LeaderSelectionFailed {
  readonly ok: false;
  readonly error: LeaderSelectionError;
  /**
   * The class Kafka throws: `NoReplicaOnlineException`, `StateChangeFailedException`,
   * `LeaderElectionNotNeededException`, or `NoSuchElementException` where Kafka's selector calls
   * `.head` on an empty list (the controller then reports it as a state change failure).
   */
  readonly exception: string;
  /** The exception's message, in Kafka's words. */
  readonly message: string;
  readonly log: readonly SelectorLogLine[];
}

export type LeaderSelection = LeaderElected | LeaderSelectionFailed;

/**
 * `OfflinePartitionLeaderSelector` (0.8.2): used when a partition is new or has lost its leader
 * (broker failure, broker startup, controller failover).
 *
 * 1. Some ISR member is alive: the new leader is the first live ISR member **in AR order**, the new
 *    ISR is the live ISR members (in ISR order). (0.8.0/0.8.1 took the first live broker in ISR
 *    order instead: `liveBrokersInIsr.head`.)
 * 2. No ISR member is alive and the topic's `unclean.leader.election.enable` is false:
 *    `NoReplicaOnlineException`; the partition stays offline and the state znode is not touched.
 * 3. Otherwise the first live assigned replica becomes leader with ISR = [it]: an unclean election,
 *    committed messages it lacks are lost. No live assigned replica: `NoReplicaOnlineException`.
 *
 * Receivers: the live assigned replicas. Epoch and zkVersion go up by one.
 */
export function offlinePartitionLeader(input: OfflineLeaderSelectionInput): LeaderSelection {
  const logger: SelectorName = 'OfflinePartitionLeaderSelector';
  const log: SelectorLogLine[] = [];
  const tp = topicAndPartitionString(input.topic, input.partition);
  const live = new Set(input.liveBrokerIds);
  const { assignedReplicas, current } = input;
  if (assignedReplicas.length === 0) {
    // controllerContext.partitionReplicaAssignment.get(tp) is None
    return failed('NoReplicaOnline', 'NoReplicaOnlineException', `Partition ${tp} doesn't have replicas assigned to it`, log);
  }
  const liveAssignedReplicas = assignedReplicas.filter((r) => live.has(r));
  const liveBrokersInIsr = current.isr.filter((r) => live.has(r));
  let newLeaderAndIsr: LeaderAndIsr;
  let unclean = false;
  if (liveBrokersInIsr.length === 0) {
    if (!input.uncleanLeaderElectionEnable) {
      return failed(
        'NoReplicaOnline',
        'NoReplicaOnlineException',
        `No broker in ISR for partition ${tp} is alive. Live brokers are: [${scalaSet(live)}], ` +
          `ISR brokers are: [${current.isr.join(',')}]`,
        log,
      );
    }
    log.push({
      level: 'debug',
      logger,
      message: `No broker in ISR is alive for ${tp}. Pick the leader from the alive assigned replicas: ${liveAssignedReplicas.join(',')}`,
    });
    if (liveAssignedReplicas.length === 0) {
      return failed(
        'NoReplicaOnline',
        'NoReplicaOnlineException',
        `No replica for partition ${tp} is alive. Live brokers are: [${scalaSet(live)}], ` +
          `Assigned replicas are: [${scalaList(assignedReplicas)}]`,
        log,
      );
    }
    const newLeader = liveAssignedReplicas[0]!;
    unclean = true;
    log.push({
      level: 'warn',
      logger,
      message:
        `No broker in ISR is alive for ${tp}. Elect leader ${newLeader} from live brokers ` +
        `${liveAssignedReplicas.join(',')}. There's potential data loss.`,
    });
    newLeaderAndIsr = next(current, newLeader, [newLeader]);
  } else {
    // 0.8.2: liveAssignedReplicas.filter(r => liveBrokersInIsr.contains(r)).head — AR order.
    const liveReplicasInIsr = liveAssignedReplicas.filter((r) => liveBrokersInIsr.includes(r));
    if (liveReplicasInIsr.length === 0) {
      // Live ISR members none of which is assigned: Kafka's `.head` throws; the controller wraps it.
      return failed('StateChangeFailed', 'NoSuchElementException', 'head of empty list', log);
    }
    const newLeader = liveReplicasInIsr[0]!;
    log.push({
      level: 'debug',
      logger,
      message: `Some broker in ISR is alive for ${tp}. Select ${newLeader} from ISR ${liveBrokersInIsr.join(',')} to be the leader.`,
    });
    newLeaderAndIsr = next(current, newLeader, liveBrokersInIsr);
  }
  log.push({
    level: 'info',
    logger,
    message: `Selected new leader and ISR ${formatLeaderAndIsr(newLeaderAndIsr)} for offline partition ${tp}`,
  });
  return { ok: true, leaderAndIsr: newLeaderAndIsr, receivers: liveAssignedReplicas, unclean, log };
}

/**
 * `ControlledShutdownLeaderSelector` (0.8.2): used for partitions led by a broker in controlled
 * shutdown. New ISR = current ISR without the shutting-down brokers; new leader = its first member
 * (ISR order; Kafka does not check it is alive). Empty: `StateChangeFailedException`, and the
 * broker's shutdown request reports the partition as still led by it.
 * (0.8.0 also removed the current leader from the new ISR, whether or not it was shutting down.)
 *
 * Receivers: assigned replicas that are alive or shutting down (`liveOrShuttingDownBrokerIds`).
 */
export function controlledShutdownLeader(input: LeaderSelectionInput): LeaderSelection {
  const logger: SelectorName = 'ControlledShutdownLeaderSelector';
  const log: SelectorLogLine[] = [];
  const tp = topicAndPartitionString(input.topic, input.partition);
  const shuttingDown = new Set(input.shuttingDownBrokerIds ?? []);
  const liveOrShuttingDown = new Set([...input.liveBrokerIds, ...shuttingDown]);
  const { current } = input;
  const liveAssignedReplicas = input.assignedReplicas.filter((r) => liveOrShuttingDown.has(r));
  const newIsr = current.isr.filter((b) => !shuttingDown.has(b));
  if (newIsr.length === 0) {
    return failed(
      'StateChangeFailed',
      'StateChangeFailedException',
      `No other replicas in ISR ${current.isr.join(',')} for ${tp} besides shutting down brokers ${sorted(shuttingDown).join(',')}`,
      log,
    );
  }
  const newLeader = newIsr[0]!;
  log.push({ level: 'debug', logger, message: `Partition ${tp} : current leader = ${current.leader}, new leader = ${newLeader}` });
  return { ok: true, leaderAndIsr: next(current, newLeader, newIsr), receivers: liveAssignedReplicas, unclean: false, log };
}

/**
 * `PreferredReplicaPartitionLeaderSelector`: used by a preferred replica election (manual, or the
 * controller's auto rebalance). The preferred replica is AR's first. Already leader:
 * `LeaderElectionNotNeededException` (swallowed by the controller). Alive and in the ISR: it
 * becomes leader, ISR unchanged. Otherwise `StateChangeFailedException`.
 *
 * Receivers: all assigned replicas, alive or not.
 */
export function preferredReplicaLeader(input: LeaderSelectionInput): LeaderSelection {
  const logger: SelectorName = 'PreferredReplicaPartitionLeaderSelector';
  const log: SelectorLogLine[] = [];
  const tp = topicAndPartitionString(input.topic, input.partition);
  const { assignedReplicas, current } = input;
  if (assignedReplicas.length === 0) {
    return failed('StateChangeFailed', 'NoSuchElementException', 'head of empty list', log);
  }
  const preferredReplica = assignedReplicas[0]!;
  if (current.leader === preferredReplica) {
    return failed(
      'LeaderElectionNotNeeded',
      'LeaderElectionNotNeededException',
      `Preferred replica ${preferredReplica} is already the current leader for partition ${tp}`,
      log,
    );
  }
  log.push({
    level: 'info',
    logger,
    // "Trigerring" is Kafka's spelling.
    message: `Current leader ${current.leader} for partition ${tp} is not the preferred replica. Trigerring preferred replica leader election`,
  });
  const live = new Set(input.liveBrokerIds);
  if (live.has(preferredReplica) && current.isr.includes(preferredReplica)) {
    return { ok: true, leaderAndIsr: next(current, preferredReplica, current.isr), receivers: assignedReplicas.slice(), unclean: false, log };
  }
  return failed(
    'StateChangeFailed',
    'StateChangeFailedException',
    `Preferred replica ${preferredReplica} for partition ${tp} is either not alive or not in the isr. ` +
      `Current leader and ISR: [${formatLeaderAndIsr(current)}]`,
    log,
  );
}

/** `TopicAndPartition.toString`: `[jiketest,0]`. */
export function topicAndPartitionString(topic: string, partition: number): string {
  return `[${topic},${partition}]`;
}

/** `LeaderAndIsr.toString` (0.8.2): `{"leader":2,"leader_epoch":1,"isr":[2,3]}` (no zkVersion). */
export function formatLeaderAndIsr(leaderAndIsr: LeaderAndIsr): string {
  return JSON.stringify({ leader: leaderAndIsr.leader, leader_epoch: leaderAndIsr.leaderEpoch, isr: leaderAndIsr.isr });
}

function next(current: LeaderAndIsr, leader: number, isr: readonly number[]): LeaderAndIsr {
  return { leader, leaderEpoch: current.leaderEpoch + 1, isr: isr.slice(), zkVersion: current.zkVersion + 1 };
}

function failed(
  error: LeaderSelectionError,
  exception: string,
  message: string,
  log: readonly SelectorLogLine[],
): LeaderSelectionFailed {
  return { ok: false, error, exception, message, log };
}

function sorted(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** A Scala `Set[Int]`'s toString, ascending: `Set(1, 2)`. */
function scalaSet(ids: Iterable<number>): string {
  return `Set(${sorted(ids).join(', ')})`;
}

/** A Scala `List[Int]`'s toString: `List(1, 2, 3)`. */
function scalaList(ids: readonly number[]): string {
  return `List(${ids.join(', ')})`;
}
