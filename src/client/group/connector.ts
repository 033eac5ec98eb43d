/**
 * The 0.8 high-level consumer: `kafka.consumer.ZookeeperConsumerConnector` (0.8.2).
 *
 * `createMessageStreams({ topic: n })` registers the consumer under /consumers/<group>/ids (an
 * ephemeral node holding its subscription), watches the group's members and the subscribed
 * topics, runs a first rebalance, and returns n streams per topic (thread ids `consumerId-0..n-1`).
 * Any change of membership or partitions fires a watch; a watcher "thread" then runs the
 * rebalance, exactly as Kafka does it (`syncedRebalance` / `rebalance`):
 *   stop the fetchers, clear the queues and the chunks being iterated, commit offsets if
 *   auto-commit is on, release owned partitions (delete the /owners nodes), compute the range or
 *   roundrobin assignment from ZooKeeper, read the committed offsets (-1 if none: the first fetch
 *   then resets by `auto.offset.reset`), claim each partition with an ephemeral /owners node — if
 *   one still exists (its previous owner has not released it yet) the attempt fails, the claims
 *   made are undone, and after `rebalance.backoff.ms` the consumer tries again, at most
 *   `rebalance.max.retries` times, then gives up (ConsumerRebalanceFailed) owning nothing —, and
 *   start fetching.
 * A broker failure does not rebalance (the fetcher finds the new leader). A consumer that dies
 * keeps its partitions until its ZooKeeper session expires. Auto-commit writes each owned
 * partition's consumed offset to /consumers/<group>/offsets/<topic>/<p> every
 * `auto.commit.interval.ms`, at every rebalance attempt and at shutdown; the consumed offset moves
 * when a message is handed to the application, not when it is processed. After a session expiry
 * the consumer registers again and rebalances.
 */
import { Mutex } from '../../protocol/concurrency.ts';
import type { Deferred } from '../../protocol/runtime.ts';
import { ZkClient } from '../../protocol/zk-client.ts';
import {
  ZkPaths,
  consumerIdPath,
  consumerOffsetPath,
  consumerOwnerPath,
  consumerRegistryDir,
  topicPath,
} from '../../protocol/zk-paths.ts';
import {
  createEphemeralPathExpectConflict,
  createEphemeralPathExpectConflictHandleZKBug,
  deletePath,
  getChildrenParentMayNotExist,
  readDataMaybeNull,
  updatePersistentPath,
} from '../../protocol/zk-utils.ts';
import {
  encodeConsumerOffset,
  encodeConsumerRegistration,
  parseConsumerOffset,
  parseConsumerRegistration,
  parseTopicAssignment,
} from '../../protocol/zk-data.ts';
import { isZkError } from '../../protocol/zookeeper.ts';
import { assignPartitions, type PartitionOwnership } from '../assignors.ts';
import { ConfigError, ConsumerRebalanceFailedError } from '../errors.ts';
import type { HostAndPort } from '../metadata.ts';
import type { Runtime } from '../runtime.ts';
import type { ConsumerConfigInput } from './config.ts';
import { ConnectorBase, describeSubscription } from './connector-base.ts';
import { zkRegisteredBrokers } from './fetcher.ts';
import type { KafkaStream } from './stream.ts';

/** Why a rebalance attempt failed (for the trace). */
class AttemptFailed extends Error {}

export class ZookeeperConsumerConnector extends ConnectorBase {
  private readonly zk: ZkClient;
  private readonly rebalanceLock: Mutex;
  private watcherTriggered = false;
  private watcherWake: Deferred<void> | undefined;

  constructor(runtime: Runtime, config: ConsumerConfigInput) {
    super(runtime, config);
    const connect = this.config['zookeeper.connect'];
    if (this.config['group.coordination'] !== 'zookeeper' || connect === null) {
      throw new ConfigError('group.coordination', this.config['group.coordination'], "'zookeeper' for a ZookeeperConsumerConnector (createConsumerConnector picks the connector of either mode)");
    }
    this.zk = new ZkClient(runtime, {
      name: `${this.consumerId}/zk-event-thread`,
      connect: () =>
        runtime.zookeeper(connect, {
          sessionTimeoutMs: this.config['zookeeper.session.timeout.ms'],
          connectionTimeoutMs: this.config['zookeeper.connection.timeout.ms'],
        }),
    });
    this.rebalanceLock = new Mutex(runtime, `rebalance lock of ${this.consumerId}`);
    // The constructor starts the auto-committer (`scheduler.schedule("kafka-consumer-autocommit",
    // autoCommit, delay = interval, period = interval)`), before any stream exists.
    if (this.config['auto.commit.enable']) this.scheduleAutoCommit();
  }

  /**
   * `createMessageStreams`: `{ topic: numberOfStreams }` → the streams of each topic. Resolves after
   * the first rebalance (a ConsumerRebalanceFailed there is thrown to the caller, as in Kafka).
   */
  async createMessageStreams(topicCountMap: Readonly<Record<string, number>>): Promise<Record<string, KafkaStream[]>> {
    const result = this.createStreams(topicCountMap);
    await this.zk.waitUntilConnected();
    await this.register();
    // `reinitializeConsumer`: new sessions, group membership and partition changes.
    this.zk.onNewSession(async () => {
      // `ZKSessionExpireListener.handleNewSession`: ownership went with the old session.
      this.topicRegistry = new Map();
      this.record('consumer.session-renewed', {}, `${this.consumerId}'s ZooKeeper session expired: it registers again and rebalances.`);
      await this.register();
      await this.syncedRebalanceOrLog();
    });
    this.zk.subscribeChildChanges(consumerRegistryDir(this.group), () => this.triggerRebalance());
    for (const topic of Object.keys(this.subscription)) {
      this.zk.subscribeDataChanges(topicPath(topic), { changed: () => this.triggerRebalance(), deleted: () => this.triggerRebalance() });
    }
    this.runtime.spawn(`${this.consumerId}_watcher_executor`, () => this.watcherExecutor());
    await this.syncedRebalance();
    return result;
  }

  /** `commitOffsets()`: writes every owned partition's consumed offset to ZooKeeper. */
  async commitOffsets(): Promise<void> {
    if (!this.started) return;
    for (const info of [...this.topicRegistry.values()]) {
      const offset = info.consumedOffset;
      if (offset < 0 || this.checkpointed.get(info.key) === offset) continue;
      await updatePersistentPath(this.zk, consumerOffsetPath(this.group, info.topic, info.partition), encodeConsumerOffset(offset));
      this.checkpointed.set(info.key, offset);
      this.record('consumer.committed', { partition: info.key, offset }, `${this.consumerId} committed offset ${offset} of ${info.key} to ZooKeeper.`);
    }
  }

  /** `shutdown()`: stop fetching, end the streams, commit (auto-commit), close the session. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.watcherWake?.resolve();
    this.stopAutoCommit();
    // Under the rebalance lock, as Kafka's `shutdown` (`rebalanceLock synchronized`): a rebalance
    // under way finishes (or gives up) first, so it cannot start fetchers after this stopped them
    // or use the ZooKeeper client after it is closed.
    await this.rebalanceLock.run(async () => {
      this.endStreams();
      if (this.config['auto.commit.enable']) await this.commitOffsetsLogged();
      await this.zk.close();
    });
    this.record('consumer.shutdown', {}, `${this.consumerId} shut down; its registration and partition ownership vanish with its session.`);
  }

  protected brokers(): Promise<HostAndPort[]> {
    return zkRegisteredBrokers(this.zk);
  }

  // ---------------------------------------------------------------- registration and watches

  /** `registerConsumerInZK`. */
  private async register(): Promise<void> {
    const data = encodeConsumerRegistration({ subscription: this.subscription, pattern: 'static', timestampMs: this.runtime.nowMs() });
    await createEphemeralPathExpectConflictHandleZKBug(this.zk, {
      path: consumerIdPath(this.group, this.consumerId),
      data,
      isOurs: () => true,
      backoffMs: this.config['zookeeper.session.timeout.ms'],
      sleep: (ms) => this.runtime.sleep(ms),
    });
    this.record('consumer.registered', { subscription: this.subscription }, `${this.consumerId} registered in group ${this.group} with ${describeSubscription(this.subscription)}.`);
  }

  private triggerRebalance(): void {
    if (!this.started || this.shuttingDown) return;
    this.watcherTriggered = true;
    this.watcherWake?.resolve();
  }

  /** The `_watcher_executor` thread: rebalance when a watch fired (events arriving meanwhile collapse into one). */
  private async watcherExecutor(): Promise<void> {
    while (!this.shuttingDown) {
      if (!this.watcherTriggered) {
        this.watcherWake = this.runtime.deferred<void>(`a rebalance event for ${this.consumerId}`);
        await this.watcherWake.promise;
        this.watcherWake = undefined;
        continue;
      }
      this.watcherTriggered = false;
      await this.syncedRebalanceOrLog();
    }
  }

  private async syncedRebalanceOrLog(): Promise<void> {
    try {
      await this.syncedRebalance();
    } catch (error) {
      if (!(error instanceof ConsumerRebalanceFailedError)) throw error;
      // The watcher thread logs it; the consumer stays without partitions until the next event.
      this.record('consumer.rebalance.gave-up', { error: error.message }, `${error.message}: it owns no partition until the group changes again.`);
    }
  }

  // ---------------------------------------------------------------- rebalance

  private async syncedRebalance(): Promise<void> {
    await this.rebalanceLock.run(async () => {
      if (this.shuttingDown) return;
      const retries = this.config['rebalance.max.retries'];
      for (let attempt = 0; attempt < retries; attempt++) {
        this.record('consumer.rebalance.started', { attempt }, `${this.consumerId} begins rebalancing (try #${attempt}).`);
        let done = false;
        try {
          done = await this.rebalance();
        } catch (error) {
          // A ZooKeeper change while iterating, a precondition: the next attempt or event retries.
          this.record('consumer.rebalance.error', { attempt, error: (error as Error).message }, `${this.consumerId}: exception during rebalance: ${(error as Error).message}`);
        }
        if (done) {
          this.rebalances++;
          return;
        }
        if (this.shuttingDown) return;
        this.closeFetchers();
        if (this.config['auto.commit.enable']) await this.commitOffsetsLogged();
        await this.runtime.sleep(this.config['rebalance.backoff.ms']);
      }
      throw new ConsumerRebalanceFailedError(this.consumerId, retries);
    });
  }

  /** One attempt (`ZKRebalancerListener.rebalance`); false when it must be retried. */
  private async rebalance(): Promise<boolean> {
    const zk = this.zk;
    const brokers = await getChildrenParentMayNotExist(zk, ZkPaths.brokerIds);
    if (brokers.length === 0) {
      // Rare: no brokers yet. Rebalance when some appear.
      zk.subscribeChildChanges(ZkPaths.brokerIds, () => this.triggerRebalance());
      return true;
    }
    // Stop fetching first: otherwise this consumer would keep returning data of partitions it is
    // about to release, and duplicates would follow.
    this.closeFetchers();
    if (this.config['auto.commit.enable']) await this.commitOffsetsLogged();
    await this.releasePartitionOwnership();
    const decision = await this.computeAssignment();
    const offsets = new Map<string, number>();
    for (const p of decision) {
      const stored = await readDataMaybeNull(zk, consumerOffsetPath(this.group, p.topic, p.partition));
      offsets.set(`${p.topic}-${p.partition}`, stored === null ? -1 : parseConsumerOffset(stored.data));
    }
    if (this.shuttingDown) return false;
    const registry = this.registryFor(decision, offsets);
    if (!(await this.reflectPartitionOwnershipDecision(decision))) return false;
    this.startFetching(registry);
    this.recordRebalanced(decision, offsets);
    return true;
  }

  /** The assignor over the group as ZooKeeper shows it now; this consumer's share. */
  private async computeAssignment(): Promise<PartitionOwnership[]> {
    const zk = this.zk;
    const members = await getChildrenParentMayNotExist(zk, consumerRegistryDir(this.group));
    const subscriptions: Record<string, Record<string, number>> = {};
    for (const member of members.sort()) {
      const data = await readDataMaybeNull(zk, consumerIdPath(this.group, member));
      if (data === null) continue;
      subscriptions[member] = { ...parseConsumerRegistration(data.data).subscription };
    }
    if (subscriptions[this.consumerId] === undefined) throw new AttemptFailed(`${this.consumerId} is not registered in /consumers/${this.group}/ids`);
    const topics = new Set(Object.values(subscriptions).flatMap((s) => Object.keys(s)));
    const partitionsPerTopic: Record<string, number> = {};
    for (const topic of [...topics].sort()) {
      const data = await readDataMaybeNull(zk, topicPath(topic));
      partitionsPerTopic[topic] = data === null ? 0 : parseTopicAssignment(data.data).size;
    }
    const assignment = assignPartitions(this.config['partition.assignment.strategy'], { subscriptions, partitionsPerTopic, consumerId: this.consumerId });
    this.recordAssignment(assignment);
    return [...assignment.decision];
  }

  /** `reflectPartitionOwnershipDecision`: claim every partition, or none. */
  private async reflectPartitionOwnershipDecision(decision: readonly PartitionOwnership[]): Promise<boolean> {
    const claimed: PartitionOwnership[] = [];
    let conflict: PartitionOwnership | undefined;
    for (const p of decision) {
      try {
        await createEphemeralPathExpectConflict(this.zk, consumerOwnerPath(this.group, p.topic, p.partition), p.owner);
        claimed.push(p);
      } catch (error) {
        if (!isZkError(error, 'NODEEXISTS')) throw error;
        conflict ??= p;
      }
    }
    if (conflict === undefined) return true;
    this.record(
      'consumer.rebalance.conflict',
      { partition: `${conflict.topic}-${conflict.partition}` },
      `${this.consumerId} could not claim ${conflict.topic}-${conflict.partition}: its previous owner has not released it yet. It undoes its claims and retries after ${this.config['rebalance.backoff.ms']} ms.`,
    );
    for (const p of claimed) await deletePath(this.zk, consumerOwnerPath(this.group, p.topic, p.partition));
    return false;
  }

  private async releasePartitionOwnership(): Promise<void> {
    for (const info of this.topicRegistry.values()) await deletePath(this.zk, consumerOwnerPath(this.group, info.topic, info.partition));
    this.topicRegistry = new Map();
  }
}
