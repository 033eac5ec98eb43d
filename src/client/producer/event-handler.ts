/**
 * `kafka.producer.async.DefaultEventHandler` (0.8.2): how a batch of messages is sent, in the
 * caller's thread (sync producer) or the send thread (async).
 *
 * Per attempt: refresh metadata when older than `topic.metadata.refresh.interval.ms` (the first
 * attempt of a producer always refreshes); group the messages by partition (the partitioner for a
 * key, a random partition with a leader for a null key, remembered until the next refresh) and by
 * leader; one ProduceRequest per broker, sent in turn; a partition answered with an error, or every
 * partition of a request whose send failed (connection error, socket timeout), is retried: after
 * `retry.backoff.ms`, a metadata refresh and a new partitioning. After `message.send.max.retries`
 * retries whatever is still unsent fails the whole call (FailedToSendMessage), although messages
 * of other partitions may already be in the log. With acks=0 nothing is read back: every write
 * counts as a success.
 */
import type { ProducePartitionData, ProduceRequest } from '../../protocol/api.ts';
import { errorName } from '../../protocol/errors.ts';
import type { Message } from '../../protocol/message.ts';
import { BrokerConnectionError, FailedToSendMessageError } from '../errors.ts';
import { abs082, partitionerForClass, type Partitioner } from '../partitioners.ts';
import type { Runtime } from '../runtime.ts';
import type { BrokerPartitionInfo, PartitionAndLeader } from './broker-partition-info.ts';
import type { ProducerConfig } from './config.ts';
import { acknowledge, settle, type LedgerEntry } from './ledger.ts';

/** A message on its way, with its ledger entry. */
export interface OutgoingMessage {
  readonly topic: string;
  /** What the partitioner hashes (the key, or the partition key when given); null: any partition. */
  readonly partitionKey: string | null;
  readonly message: Message;
  /** Its ledger entry, unless the producer keeps no ledger. */
  readonly entry: LedgerEntry | undefined;
}

export class DefaultEventHandler {
  private readonly partitioner: Partitioner;
  /** Null-key messages' partition per topic, until the next metadata refresh. */
  private readonly sendPartitionPerTopic = new Map<string, number>();
  /** 0: the first `handle` always refreshes (`lastTopicMetadataRefreshTime` starts at 0). */
  private lastRefreshMs = -Infinity;
  private correlationId = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly config: ProducerConfig,
    private readonly info: BrokerPartitionInfo,
  ) {
    const configured = config['partitioner.class'];
    this.partitioner = typeof configured === 'function' ? configured : partitionerForClass(configured);
  }

  /** Sends `messages`; throws FailedToSendMessageError if some are still unsent in the end. */
  async handle(messages: readonly OutgoingMessage[]): Promise<void> {
    const retries = this.config['message.send.max.retries'];
    const refreshIntervalMs = this.config['topic.metadata.refresh.interval.ms'];
    let outstanding = [...messages];
    let remaining = retries + 1;
    let lastError: unknown;
    const toRefresh = new Set<string>();
    while (remaining > 0 && outstanding.length > 0) {
      for (const m of outstanding) toRefresh.add(m.topic);
      if (refreshIntervalMs >= 0 && this.runtime.nowMs() - this.lastRefreshMs > refreshIntervalMs) {
        await this.refresh(toRefresh);
        toRefresh.clear();
        this.lastRefreshMs = this.runtime.nowMs();
      }
      const result = await this.dispatch(outstanding);
      outstanding = result.failed;
      lastError = result.lastError ?? lastError;
      if (outstanding.length > 0) {
        remaining--;
        if (this.runtime.recording) {
          this.runtime.record(
            'producer.retry',
            { messages: outstanding.length, remainingAttempts: remaining, backoffMs: this.config['retry.backoff.ms'] },
            remaining > 0
              ? `The producer backs off ${this.config['retry.backoff.ms']} ms, refreshes its metadata and retries ${outstanding.length} message(s) (${remaining} attempt(s) left).`
              : `The producer's last attempt failed for ${outstanding.length} message(s).`,
          );
        }
        await this.runtime.sleep(this.config['retry.backoff.ms']);
        await this.refresh(new Set(outstanding.map((m) => m.topic)));
      }
    }
    if (outstanding.length > 0) {
      const error = new FailedToSendMessageError(retries, outstanding.length, lastError);
      // The ledger keeps why each message's last attempt failed, which the exception's text does not say.
      for (const m of outstanding) {
        if (m.entry === undefined) continue;
        const why = m.entry.error === undefined ? error.message : `${error.message} Last error: ${m.entry.error}`;
        settle(m.entry, 'failed', this.runtime.nowMs(), why);
      }
      throw error;
    }
  }

  private async refresh(topics: Set<string>): Promise<void> {
    this.sendPartitionPerTopic.clear();
    try {
      await this.info.updateInfo(topics);
    } catch (error) {
      // `Utils.swallowError`: a failed refresh is logged; the send attempt finds out for itself.
      if (this.runtime.recording) {
        this.runtime.record('producer.metadata-failed', { topics: [...topics] }, `The producer could not refresh metadata: ${(error as Error).message}`);
      }
    }
  }

  /** `dispatchSerializedData`: one attempt; returns what must be retried. */
  private async dispatch(messages: readonly OutgoingMessage[]): Promise<{ failed: OutgoingMessage[]; lastError?: unknown }> {
    let collated: Map<number, Map<string, OutgoingMessage[]>>;
    try {
      collated = await this.partitionAndCollate(messages);
    } catch (error) {
      // Any error while partitioning (unknown topic, no leader at all, a partitioner exception):
      // every message of this attempt is outstanding.
      if (this.runtime.recording) this.runtime.record('producer.partition-failed', { error: (error as Error).message }, `The producer could not choose partitions: ${(error as Error).message}`);
      return { failed: [...messages], lastError: error };
    }
    const failed: OutgoingMessage[] = [];
    let lastError: unknown;
    for (const [brokerId, byPartition] of collated) {
      const result = await this.send(brokerId, byPartition);
      lastError = result.lastError ?? lastError;
      for (const key of result.failed) failed.push(...byPartition.get(key)!);
    }
    return { failed, lastError };
  }

  private async partitionAndCollate(messages: readonly OutgoingMessage[]): Promise<Map<number, Map<string, OutgoingMessage[]>>> {
    const byBroker = new Map<number, Map<string, OutgoingMessage[]>>();
    // Each partition's "topic-partition" key is made once per call, not once per message.
    const partitionsByTopic = new Map<string, { partitions: PartitionAndLeader[]; keys: string[] }>();
    for (const m of messages) {
      let topic = partitionsByTopic.get(m.topic);
      if (topic === undefined) {
        const partitions = await this.info.partitionsFor(m.topic);
        topic = { partitions, keys: partitions.map((p) => `${p.topic}-${p.partition}`) };
        partitionsByTopic.set(m.topic, topic);
      }
      const index = this.partitionFor(m, topic.partitions);
      const chosen = topic.partitions[index]!;
      const leader = chosen.leader ?? -1;
      let byPartition = byBroker.get(leader);
      if (byPartition === undefined) byBroker.set(leader, (byPartition = new Map()));
      const key = topic.keys[index]!;
      let list = byPartition.get(key);
      if (list === undefined) byPartition.set(key, (list = []));
      list.push(m);
    }
    return byBroker;
  }

  /** `getPartition`. */
  private partitionFor(m: OutgoingMessage, partitions: readonly PartitionAndLeader[]): number {
    const numPartitions = partitions.length;
    let partition: number;
    if (m.partitionKey === null) {
      const cached = this.sendPartitionPerTopic.get(m.topic);
      if (cached !== undefined) partition = cached;
      else {
        const available = partitions.filter((p) => p.leader !== undefined);
        if (available.length === 0) throw new Error(`No leader for any partition in topic ${m.topic}`);
        const draw = this.runtime.random.int(-2_147_483_648, 2_147_483_647);
        partition = available[abs082(draw) % available.length]!.partition;
        this.sendPartitionPerTopic.set(m.topic, partition);
      }
    } else {
      partition = this.partitioner(m.partitionKey, numPartitions);
    }
    if (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions) {
      throw new Error(`Invalid partition id: ${partition} for topic ${m.topic}; Valid values are in the inclusive range of [0, ${numPartitions - 1}]`);
    }
    return partition;
  }

  /** `DefaultEventHandler.send`: one request to one broker; returns the partitions to retry. */
  private async send(brokerId: number, byPartition: Map<string, OutgoingMessage[]>): Promise<{ failed: string[]; lastError?: unknown }> {
    const keys = [...byPartition.keys()];
    if (brokerId < 0) {
      if (this.runtime.recording) this.runtime.record('producer.no-leader', { partitions: keys }, `The producer cannot send to ${keys.join(', ')}: no leader.`);
      return { failed: keys };
    }
    const data: ProducePartitionData[] = keys.map((key) => {
      const list = byPartition.get(key)!;
      return { topic: list[0]!.topic, partition: partitionOf(key), messages: list.map((m) => m.message) };
    });
    const acks = this.config['request.required.acks'];
    const request: ProduceRequest = {
      api: 'Produce',
      clientId: this.config['client.id'],
      correlationId: this.correlationId++,
      requiredAcks: acks,
      ackTimeoutMs: this.config['request.timeout.ms'],
      data,
    };
    for (const list of byPartition.values()) for (const m of list) if (m.entry !== undefined) m.entry.attempts++;
    try {
      const connection = await this.info.pool.get(brokerId);
      if (acks === 0) {
        connection.sendOneWay(request);
        for (const list of byPartition.values()) for (const m of list) if (m.entry !== undefined) settle(m.entry, 'unknown', this.runtime.nowMs());
        return { failed: [] };
      }
      const response = await connection.send(request, { timeoutMs: this.config['request.timeout.ms'] });
      const failed: string[] = [];
      for (const status of response.statuses) {
        const key = `${status.topic}-${status.partition}`;
        const list = byPartition.get(key) ?? [];
        if (status.errorCode !== 0) {
          failed.push(key);
          for (const m of list) if (m.entry !== undefined) m.entry.error = errorName(status.errorCode);
          continue;
        }
        const nowMs = this.runtime.nowMs();
        for (let i = 0; i < list.length; i++) {
          const entry = list[i]!.entry;
          if (entry !== undefined) acknowledge(entry, status.partition, status.offset + i, nowMs);
        }
      }
      if (failed.length > 0 && this.runtime.recording) {
        const reasons = response.statuses.filter((s) => s.errorCode !== 0).map((s) => `${s.topic}-${s.partition}: ${errorName(s.errorCode)}`);
        this.runtime.record('producer.request-failed', { broker: brokerId, errors: reasons }, `Produce request to broker ${brokerId} failed for ${reasons.join(', ')}.`);
      }
      return { failed };
    } catch (error) {
      if (!(error instanceof BrokerConnectionError)) throw error;
      this.info.pool.close(brokerId);
      for (const list of byPartition.values()) for (const m of list) if (m.entry !== undefined) m.entry.error = error.message;
      if (this.runtime.recording) {
        this.runtime.record('producer.request-failed', { broker: brokerId, error: error.message }, `The producer's request to broker ${brokerId} failed (${error.message}); every message in it will be retried.`);
      }
      return { failed: keys, lastError: error };
    }
  }
}

function partitionOf(key: string): number {
  return Number(key.slice(key.lastIndexOf('-') + 1));
}
