/**
 * The old (Scala) producer, `kafka.producer.Producer` 0.8.2 (reference §5): the sync and async
 * send paths, `DefaultEventHandler`'s retries and their duplicates, the partitioners, metadata
 * refreshes, and the losses of acks=0 and of a full async queue. Every message's fate is read
 * from the producer's ledger and compared with what the brokers' logs hold.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation, type TopicSpec } from '../../src/broker/simulation.ts';
import type { BrokerConfig } from '../../src/broker/config.ts';
import { FailedToSendMessageError, ProducerClosedError, QueueFullError } from '../../src/client/errors.ts';
import type { ProducerConfigInput } from '../../src/client/producer/config.ts';
import { Producer, type KeyedMessage } from '../../src/client/producer/producer.ts';
import { producedCount, producedMessages } from '../../src/protocol/message.ts';
import {
  leaderLogValues,
  logValues,
  produceRequests,
  runOn,
  runUntilWithin,
  spyRuntime,
  startOn,
  traceOf,
  crashBrokerAndWait,
  zkLeader,
  type SentRequest,
} from './client-harness.ts';

/** Every link: 1 ms each way, no jitter, so virtual times are exact. */
const NET = { latencyMs: 1, jitterMs: 0 };

async function cluster(topics: TopicSpec[], options: { brokerConfig?: Partial<BrokerConfig>; seed?: number } = {}): Promise<Simulation> {
  return createSimulation({ seed: options.seed ?? 1, brokers: 3, network: NET, topics, ...(options.brokerConfig ? { brokerConfig: options.brokerConfig } : {}) });
}

function producerOn(sim: Simulation, config: Omit<ProducerConfigInput, 'metadata.broker.list'>, node = 'producer'): { producer: Producer; sent: SentRequest[] } {
  const { runtime, sent } = spyRuntime(sim, node);
  return { producer: new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, ...config }), sent };
}

/** Sends each message in its own `send` call, in order, on the producer's node. */
async function sendAll(sim: Simulation, producer: Producer, messages: readonly KeyedMessage[], node = 'producer'): Promise<void> {
  const task = await runOn(sim, node, 'send', async () => {
    for (const m of messages) await producer.send(m);
  });
  task.result();
}

function values(prefix: string, n: number, topic = 't', key: (i: number) => string | null = () => null): KeyedMessage[] {
  return Array.from({ length: n }, (_, i) => ({ topic, key: key(i), value: `${prefix}${i}` }));
}

function apis(sent: readonly SentRequest[]): string[] {
  return sent.map((s) => s.request.api);
}

describe('sync producer: DefaultEventHandler retries and their duplicates (§5.3, §5.6)', () => {
  it('a lost acknowledgement: the request timed out after request.timeout.ms, the retry appends the message again', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const leader = sim.leaderOf('t', 0)!;
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'request.timeout.ms': 10_000 });
    const send = startOn(sim, 'producer', 'send', () => producer.send({ topic: 't', key: null, value: 'A' }));
    // The request reaches the leader, which appends A at offset 0 ...
    await runUntilWithin(sim, () => traceOf(sim, 'produce.appended').length === 1, 'the first append');
    const firstAppend = traceOf(sim, 'produce.appended')[0]!;
    expect(firstAppend.data).toMatchObject({ topic: 't', partition: 0, firstOffset: 0, lastOffset: 0, acks: 1 });
    // ... and the network between producer and leader is cut before the response gets back: TCP
    // holds it until the socket read times out.
    sim.applyFault({ kind: 'partition', groups: [['producer'], [`broker-${leader}`]] });
    await runUntilWithin(sim, () => traceOf(sim, 'producer.request-failed').length === 1, 'the socket timeout');
    const firstProduce = produceRequests(sent)[0]!;
    const failure = traceOf(sim, 'producer.request-failed')[0]!;
    expect(failure.timeMs).toBe(firstProduce.timeMs + 10_000);
    expect(firstAppend.timeMs).toBe(firstProduce.timeMs + 1);
    expect(producer.ledger.entries[0]!.fate).toBe('pending');
    sim.applyFault({ kind: 'heal' });
    await runUntilWithin(sim, () => send.settled, 'the send to return');
    expect(send.failed).toBe(false);

    // The retry went out after retry.backoff.ms (100) and a metadata refresh on a fresh connection
    // (connect 2 ms + round trip 2 ms), on a new connection to the leader (2 ms), and was appended again.
    const produces = produceRequests(sent);
    expect(produces).toHaveLength(2);
    expect(apis(sent)).toEqual(['Metadata', 'Produce', 'Metadata', 'Produce']);
    expect(sent[2]!.timeMs).toBe(failure.timeMs + 100 + 2);
    expect(produces[1]!.timeMs).toBe(failure.timeMs + 106);
    expect(send.settledAtMs).toBe(produces[1]!.timeMs + 2);
    expect(leaderLogValues(sim, 't', 0)).toEqual(['A', 'A']);
    const entry = producer.ledger.entries[0]!;
    expect(entry).toMatchObject({ fate: 'acknowledged', attempts: 2, partition: 0, offset: 1 });
    expect(producer.ledger.summary()).toEqual({ sent: 1, acknowledged: 1, failed: 0, dropped: 0, unknown: 0, pending: 0, retried: 1 });
  });

  it('retries stop at message.send.max.retries: a rejected message is sent retries + 1 times, then FailedToSendMessage', async () => {
    // The topic accepts messages of at most 30 bytes; every attempt gets MessageSizeTooLarge (10).
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1, config: { 'max.message.bytes': 30 } }]);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'message.send.max.retries': 2, 'retry.backoff.ms': 250 });
    const task = await runOn(sim, 'producer', 'send', () => producer.send({ topic: 't', key: null, value: 'x'.repeat(100) }));
    expect(task.error).toBeInstanceOf(FailedToSendMessageError);
    expect((task.error as Error).message).toBe('Failed to send messages after 2 tries (1 message(s) unsent).');
    const produces = produceRequests(sent);
    expect(produces).toHaveLength(3);
    // Between attempts: the response (2 ms), retry.backoff.ms (250), a metadata refresh (connect
    // 2 ms + round trip 2 ms) and a new connection to the leader (2 ms).
    expect(produces[1]!.timeMs - produces[0]!.timeMs).toBe(2 + 250 + 4 + 2);
    expect(produces[2]!.timeMs - produces[1]!.timeMs).toBe(2 + 250 + 4 + 2);
    expect(traceOf(sim, 'produce.rejected').map((r) => r.data.error)).toEqual(['MessageSizeTooLarge', 'MessageSizeTooLarge', 'MessageSizeTooLarge']);
    expect(producer.ledger.entries[0]).toMatchObject({ fate: 'failed', attempts: 3 });
    // The ledger says why, which the exception's text does not: the last attempt's error.
    expect(producer.ledger.entries[0]!.error).toMatch(/^Failed to send messages after 2 tries \(1 message\(s\) unsent\)\. Last error: .*MessageSizeTooLarge/);
    expect((task.error as FailedToSendMessageError).retries).toBe(2);
    expect(leaderLogValues(sim, 't', 0)).toEqual([]);
    // The handler also backs off and refreshes after the last attempt before giving up (as
    // Kafka's loop does): 4 metadata requests for 3 attempts.
    expect(apis(sent)).toEqual(['Metadata', 'Produce', 'Metadata', 'Produce', 'Metadata', 'Produce', 'Metadata']);
    expect(task.settledAtMs! - produces[2]!.timeMs).toBe(2 + 250 + 4);
  });

  it('no leader for the partition: nothing is sent, FailedToSendMessage after 4 attempts (3 retries, the default)', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    // The only replica dies; once its session expires the controller records the partition offline.
    await crashBrokerAndWait(sim, sim.leaderOf('t', 0)!, [['t', 0]]);
    expect(zkLeader(sim, 't', 0)).toBe(-1);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1 });
    const task = await runOn(sim, 'producer', 'send', () => producer.send({ topic: 't', key: 'k', value: 'v' }));
    expect(task.error).toBeInstanceOf(FailedToSendMessageError);
    // Kafka's text names message.send.max.retries, although there were retries + 1 attempts.
    expect((task.error as Error).message).toBe('Failed to send messages after 3 tries (1 message(s) unsent).');
    expect(produceRequests(sent)).toEqual([]);
    // Each attempt finds leader -1 for the keyed message's partition and sends nothing.
    expect(traceOf(sim, 'producer.no-leader', 'producer')).toHaveLength(4);
    expect(traceOf(sim, 'producer.retry', 'producer').map((r) => r.data.remainingAttempts)).toEqual([3, 2, 1, 0]);
    // One metadata request for the first attempt, one refresh after each failed attempt.
    expect(apis(sent)).toEqual(['Metadata', 'Metadata', 'Metadata', 'Metadata', 'Metadata']);
    expect(producer.ledger.entries[0]).toMatchObject({ fate: 'failed', attempts: 0 });
  });

  it('a dead leader the metadata still names: every attempt is refused, FailedToSendMessage', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const leader = sim.leaderOf('t', 0)!;
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    const { producer } = producerOn(sim, { 'request.required.acks': 1, 'message.send.max.retries': 1 });
    const task = await runOn(sim, 'producer', 'send', () => producer.send({ topic: 't', key: 'k', value: 'v' }));
    expect(task.error).toBeInstanceOf(FailedToSendMessageError);
    expect((task.error as FailedToSendMessageError).lastError).toMatchObject({ code: 'BROKER_CONNECTION', reason: 'refused' });
    expect(traceOf(sim, 'producer.request-failed', 'producer').map((r) => r.data.broker)).toEqual([leader, leader]);
    expect(producer.ledger.entries[0]).toMatchObject({ fate: 'failed', attempts: 2 });
  });

  it('a topic that cannot exist (auto.create.topics.enable=false): every attempt fails to partition, FailedToSendMessage', async () => {
    const sim = await cluster([], { brokerConfig: { 'auto.create.topics.enable': false } });
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'message.send.max.retries': 1 });
    const task = await runOn(sim, 'producer', 'send', () => producer.send({ topic: 'nope', key: null, value: 'v' }));
    expect(task.error).toBeInstanceOf(FailedToSendMessageError);
    expect((task.error as Error).message).toBe('Failed to send messages after 1 tries (1 message(s) unsent).');
    expect(traceOf(sim, 'producer.partition-failed', 'producer').map((r) => r.data.error)).toEqual([
      'Failed to fetch topic metadata for topic: nope',
      'Failed to fetch topic metadata for topic: nope',
    ]);
    expect(apis(sent).filter((a) => a !== 'Metadata')).toEqual([]);
    expect(producer.ledger.entries[0]).toMatchObject({ fate: 'failed', attempts: 0 });
  });

  it('partial success: messages of a partition with a leader are appended and stay, although send throws for the others', async () => {
    // Two partitions with one replica each, on different brokers.
    const sim = await cluster([{ name: 't', partitions: 2, replicationFactor: 1 }]);
    expect(sim.leaderOf('t', 0)).not.toBe(sim.leaderOf('t', 1));
    await crashBrokerAndWait(sim, sim.leaderOf('t', 1)!, [['t', 1]]);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'message.send.max.retries': 0 });
    // "b" (98) → partition 0, "a" (97) → partition 1.
    const task = await runOn(sim, 'producer', 'send', () => producer.send({ topic: 't', key: 'b', value: 'up' }, { topic: 't', key: 'a', value: 'down' }));
    expect(task.error).toBeInstanceOf(FailedToSendMessageError);
    expect((task.error as FailedToSendMessageError).unsent).toBe(1);
    expect(producer.ledger.entries.map((e) => [e.value, e.fate, e.partition])).toEqual([
      ['up', 'acknowledged', 0],
      ['down', 'failed', undefined],
    ]);
    expect(produceRequests(sent).map((p) => p.request.data.map((d) => d.partition))).toEqual([[0]]);
    expect(leaderLogValues(sim, 't', 0)).toEqual(['up']);
  });

  it('a topic auto-created by the first send: LeaderNotAvailable at first, the message goes through on a later attempt', async () => {
    const sim = await cluster([]);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1 });
    const task = await runOn(sim, 'producer', 'send', () => producer.send({ topic: 'fresh', key: 'k', value: 'A' }));
    expect(task.failed).toBe(false);
    expect(traceOf(sim, 'topic.auto-creating')).toHaveLength(1);
    // The first attempt's metadata says the topic is being created (no partitions yet): the
    // attempt fails before anything is sent, the producer backs off, refreshes, and succeeds.
    expect(traceOf(sim, 'producer.partition-failed', 'producer').map((r) => r.data.error)).toEqual(['Failed to fetch topic metadata for topic: fresh']);
    expect(traceOf(sim, 'producer.retry', 'producer').map((r) => r.data.remainingAttempts)).toEqual([3]);
    expect(apis(sent)).toEqual(['Metadata', 'Metadata', 'Metadata', 'Produce']);
    expect(producer.ledger.entries[0]).toMatchObject({ fate: 'acknowledged', attempts: 1, partition: 0, offset: 0 });
    // Auto-created with the broker's num.partitions (1).
    expect(leaderLogValues(sim, 'fresh', 0)).toEqual(['A']);
  });

  it('after close, send throws ProducerClosed', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const { producer } = producerOn(sim, { 'request.required.acks': 1 });
    const task = await runOn(sim, 'producer', 'close and send', async () => {
      await producer.close();
      await producer.send({ topic: 't', key: null, value: 'late' });
    });
    expect(task.error).toBeInstanceOf(ProducerClosedError);
    expect((task.error as Error).message).toBe('producer already closed');
    expect(producer.ledger.entries).toEqual([]);
  });
});

describe('partition choice (§5.4) and metadata refresh (§5.5)', () => {
  it("keyed messages go to Utils.abs(key.hashCode) % numPartitions (Java String.hashCode, 0.8.2's abs)", async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 2 }]);
    const { producer } = producerOn(sim, { 'request.required.acks': 1 });
    // hashCodes: "a" 97, "b" 98, "c" 99, "k2" 3367, "user10" -836031702 (0.8.2: abs ⇒ 836031702 % 3 = 0;
    // 0.8.0/0.8.1's `& 0x7fffffff` would give 1311451946 % 3 = 2).
    const keys = ['a', 'b', 'c', 'k2', 'user10', 'a'];
    await sendAll(sim, producer, keys.map((key, i) => ({ topic: 't', key, value: `${key}#${i}` })));
    expect(producer.ledger.entries.map((e) => e.partition)).toEqual([1, 2, 0, 1, 0, 1]);
    expect(producer.ledger.entries.map((e) => e.offset)).toEqual([0, 0, 0, 1, 1, 2]);
    expect(leaderLogValues(sim, 't', 0)).toEqual(['c#2', 'user10#4']);
    expect(leaderLogValues(sim, 't', 1)).toEqual(['a#0', 'k2#3', 'a#5']);
    expect(leaderLogValues(sim, 't', 2)).toEqual(['b#1']);
  });

  it('partKey, when given, is hashed instead of the key', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    const { producer } = producerOn(sim, { 'request.required.acks': 1 });
    await sendAll(sim, producer, [{ topic: 't', key: 'a', partKey: 'b', value: 'v' }]);
    expect(producer.ledger.entries[0]).toMatchObject({ partition: 2, fate: 'acknowledged' });
  });

  it('the first send always refreshes metadata; later sends within topic.metadata.refresh.interval.ms do not', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'topic.metadata.refresh.interval.ms': 1000 });
    const task = await runOn(sim, 'producer', 'sends', async () => {
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic: 't', key: null, value: `m${i}` });
        await sim.kernel.sleep(400);
      }
    });
    task.result();
    // Sends at about t, t+400, t+800, t+1200 (> 1000 ms after the refresh: refresh), t+1600.
    expect(apis(sent)).toEqual(['Metadata', 'Produce', 'Produce', 'Produce', 'Metadata', 'Produce', 'Produce']);
    expect(sent[4]!.timeMs - sent[0]!.timeMs).toBeGreaterThan(1000);
  });

  it('with topic.metadata.refresh.interval.ms < 0 metadata is fetched only when the topic is unknown or after a failure', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'topic.metadata.refresh.interval.ms': -1 });
    await sendAll(sim, producer, values('m', 4));
    expect(apis(sent)).toEqual(['Metadata', 'Produce', 'Produce', 'Produce', 'Produce']);
  });

  it('null-key messages stick to one random partition with a leader until the next metadata refresh', async () => {
    const sim = await cluster([{ name: 't', partitions: 4, replicationFactor: 1 }]);
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'topic.metadata.refresh.interval.ms': 1000 });
    const task = await runOn(sim, 'producer', 'sends', async () => {
      for (let i = 0; i < 40; i++) {
        await producer.send({ topic: 't', key: null, value: `m${i}` });
        await sim.kernel.sleep(100);
      }
    });
    task.result();
    // Between two metadata refreshes every message goes to the same partition.
    const windows: number[][] = [];
    for (const s of sent) {
      if (s.request.api === 'Metadata') windows.push([]);
      else if (s.request.api === 'Produce') windows[windows.length - 1]!.push(s.request.data[0]!.partition);
    }
    expect(windows.length).toBe(4);
    for (const w of windows) expect(new Set(w).size).toBe(1);
    expect(windows.reduce((n, w) => n + w.length, 0)).toBe(40);
    // Over several refreshes the choice moves (a fresh random pick each time).
    expect(new Set(windows.map((w) => w[0])).size).toBeGreaterThan(1);
  });

  it('a null key is only sent to a partition that has a leader', async () => {
    // Three single-replica partitions on three brokers; the two brokers that are not the
    // controller die, so the controller takes their partitions offline (leader -1).
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    expect(new Set([0, 1, 2].map((p) => sim.leaderOf('t', p))).size).toBe(3);
    const survivor = [0, 1, 2].find((p) => sim.leaderOf('t', p) === sim.controllerId)!;
    const dead = [0, 1, 2].filter((p) => p !== survivor);
    sim.applyFault({ kind: 'broker-crash', broker: sim.leaderOf('t', dead[0]!)! });
    await crashBrokerAndWait(sim, sim.leaderOf('t', dead[1]!)!, dead.map((p) => ['t', p] as const));
    expect(dead.map((p) => zkLeader(sim, 't', p))).toEqual([-1, -1]);
    // Every send refreshes metadata (interval 0) and so picks again at random: always the survivor.
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 1, 'topic.metadata.refresh.interval.ms': 0 });
    await sendAll(sim, producer, values('m', 10));
    expect(apis(sent).filter((a) => a === 'Metadata')).toHaveLength(10);
    expect(producer.ledger.entries.map((e) => e.partition)).toEqual(Array(10).fill(survivor));
    expect(producer.ledger.entries.every((e) => e.fate === 'acknowledged' && e.attempts === 1)).toBe(true);
  });
});

describe('acks=0 (§5.7.1): no acknowledgement, silent loss', () => {
  it("a leader crash loses what the followers had not fetched; the ledger can only say 'unknown'", async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 2 }]);
    const leader = sim.leaderOf('t', 0)!;
    const follower = sim.replica(leader, 't', 0)!.assignedReplicas.find((r) => r !== leader)!;
    const { producer, sent } = producerOn(sim, { 'request.required.acks': 0 });
    await sendAll(sim, producer, values('a', 3));
    await sim.runFor(1000);
    expect(logValues(sim, follower, 't', 0)).toEqual(['a0', 'a1', 'a2']);
    // The follower stalls (a GC pause); three more messages reach only the leader, which crashes.
    sim.applyFault({ kind: 'pause', node: `broker-${follower}` });
    await sendAll(sim, producer, values('b', 3));
    await sim.runFor(50);
    expect(logValues(sim, leader, 't', 0)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    sim.applyFault({ kind: 'resume', node: `broker-${follower}` });
    await runUntilWithin(sim, () => sim.leaderOf('t', 0) === follower, 'the follower to take over');
    expect(leaderLogValues(sim, 't', 0)).toEqual(['a0', 'a1', 'a2']);
    // Every send "succeeded" at once: one produce request each, never answered.
    expect(produceRequests(sent).map((s) => [s.oneWay, s.request.requiredAcks])).toEqual(Array(6).fill([true, 0]));
    expect(producer.ledger.entries.map((e) => [e.value, e.fate, e.attempts, e.offset])).toEqual([
      ['a0', 'unknown', 1, undefined],
      ['a1', 'unknown', 1, undefined],
      ['a2', 'unknown', 1, undefined],
      ['b0', 'unknown', 1, undefined],
      ['b1', 'unknown', 1, undefined],
      ['b2', 'unknown', 1, undefined],
    ]);
    expect(producer.ledger.summary()).toMatchObject({ sent: 6, unknown: 6, acknowledged: 0, failed: 0 });
  });
});

describe('async producer: the queue (§5.2, §5.7.2)', () => {
  /**
   * A warmed-up async producer (metadata cached) whose link to the leader of t-0 then takes
   * 500 ms each way: every batch keeps the send thread busy for 1000 ms.
   */
  async function slowAsync(enqueueTimeoutMs: number) {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const leader = sim.leaderOf('t', 0)!;
    const { producer, sent } = producerOn(sim, {
      'producer.type': 'async',
      'request.required.acks': 1,
      'queue.buffering.max.messages': 2,
      'batch.num.messages': 1,
      'queue.enqueue.timeout.ms': enqueueTimeoutMs,
    });
    await sendAll(sim, producer, [{ topic: 't', key: null, value: 'warm-up' }]);
    await runUntilWithin(sim, () => producer.ledger.entries[0]!.fate === 'acknowledged', 'the warm-up message');
    sim.applyFault({ kind: 'link-delay', from: 'producer', to: `broker-${leader}`, latencyMs: 500 });
    return { sim, producer, sent };
  }

  it('queue.enqueue.timeout.ms=0: a full queue drops the message at once and throws QueueFull; the rest of the call is not enqueued', async () => {
    const { sim, producer } = await slowAsync(0);
    const t = sim.kernel.nowMs;
    const task = await runOn(sim, 'producer', 'send', () => producer.send(...values('m', 4)));
    expect(task.error).toBeInstanceOf(QueueFullError);
    expect((task.error as Error).message).toBe('Event queue is full of unsent messages, could not send event for topic t');
    expect(task.settledAtMs).toBe(t);
    await sim.runFor(5000);
    expect(producer.ledger.entries.map((e) => [e.value, e.fate])).toEqual([
      ['warm-up', 'acknowledged'],
      ['m0', 'acknowledged'],
      ['m1', 'acknowledged'],
      ['m2', 'dropped'],
      ['m3', 'dropped'],
    ]);
    expect(leaderLogValues(sim, 't', 0)).toEqual(['warm-up', 'm0', 'm1']);
    expect(traceOf(sim, 'producer.dropped', 'producer').map((r) => r.data)).toEqual([{ topic: 't', dropped: 2, queued: 2 }]);
  });

  it('queue.enqueue.timeout.ms=-1 (the default): the caller blocks until the send thread makes room; nothing is dropped', async () => {
    const { sim, producer } = await slowAsync(-1);
    const t = sim.kernel.nowMs;
    const task = await runOn(sim, 'producer', 'send', () => producer.send(...values('m', 4)));
    expect(task.failed).toBe(false);
    // m0 goes to the send thread at once (busy 1000 ms), m1 and m2 fill the queue, m3 waits for
    // the thread to take m1 when m0's request is answered.
    expect(task.settledAtMs).toBe(t + 1000);
    await sim.runFor(5000);
    expect(producer.ledger.summary()).toMatchObject({ sent: 5, acknowledged: 5, dropped: 0 });
    expect(leaderLogValues(sim, 't', 0)).toEqual(['warm-up', 'm0', 'm1', 'm2', 'm3']);
  });

  it('queue.enqueue.timeout.ms > 0: the caller waits that long for room, then QueueFull', async () => {
    const { sim, producer } = await slowAsync(300);
    const t = sim.kernel.nowMs;
    const task = await runOn(sim, 'producer', 'send', () => producer.send(...values('m', 4)));
    expect(task.error).toBeInstanceOf(QueueFullError);
    // m2 got the room m0 left when the thread took it; m3 waited 300 ms in vain.
    expect(task.settledAtMs).toBe(t + 300);
    await sim.runFor(5000);
    expect(producer.ledger.entries.map((e) => e.fate)).toEqual(['acknowledged', 'acknowledged', 'acknowledged', 'acknowledged', 'dropped']);
  });
});

describe('async producer: batching in virtual time (ProducerSendThread)', () => {
  it('a batch goes out when batch.num.messages are queued; the remainder after queue.buffering.max.ms since the last dispatch', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const { producer, sent } = producerOn(sim, {
      'producer.type': 'async',
      'request.required.acks': 1,
      'batch.num.messages': 5,
      'queue.buffering.max.ms': 1000,
    });
    const t = sim.kernel.nowMs;
    await sendAll(sim, producer, values('m', 12));
    await sim.runFor(3000);
    const produces = produceRequests(sent);
    expect(produces.map((p) => producedCount(p.request.data[0]!.messages))).toEqual([5, 5, 2]);
    // The first batch waits for the metadata (connect 2 ms + round trip 2 ms) and a connection to
    // the leader (2 ms); the second follows its response (2 ms); the last two wait
    // queue.buffering.max.ms from the end of the second dispatch.
    expect(produces[0]!.timeMs).toBe(t + 6);
    expect(produces[1]!.timeMs).toBe(produces[0]!.timeMs + 2);
    expect(produces[2]!.timeMs).toBe(produces[1]!.timeMs + 2 + 1000);
    expect(traceOf(sim, 'produce.appended').map((r) => [r.data.firstOffset, r.data.lastOffset, r.timeMs])).toEqual([
      [0, 4, produces[0]!.timeMs + 1],
      [5, 9, produces[1]!.timeMs + 1],
      [10, 11, produces[2]!.timeMs + 1],
    ]);
    expect(leaderLogValues(sim, 't', 0)).toEqual(values('m', 12).map((m) => m.value));
  });

  it('a trickle of messages is dispatched every queue.buffering.max.ms, the timer counted from the previous dispatch', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const { producer, sent } = producerOn(sim, { 'producer.type': 'async', 'request.required.acks': 1, 'queue.buffering.max.ms': 1000 });
    const t = sim.kernel.nowMs;
    const task = await runOn(sim, 'producer', 'trickle', async () => {
      for (let i = 0; i < 10; i++) {
        await producer.send({ topic: 't', key: null, value: `m${i}` });
        await sim.kernel.sleep(300);
      }
    });
    task.result();
    await sim.runFor(2000);
    const produces = produceRequests(sent);
    // Messages at t, t+300, ..., t+2700. The thread started at t: first dispatch at t+1000 (m0..m3,
    // sent at t..t+900), then every 1000 ms + the round trips of the previous dispatch.
    expect(produces.map((p) => producedMessages(p.request.data[0]!.messages).map((m) => m.value))).toEqual([
      ['m0', 'm1', 'm2', 'm3'],
      ['m4', 'm5', 'm6'],
      ['m7', 'm8', 'm9'],
    ]);
    expect(produces[0]!.timeMs).toBe(t + 1000 + 6);
    expect(produces[1]!.timeMs).toBe(produces[0]!.timeMs + 2 + 1000);
    expect(produces[2]!.timeMs).toBe(produces[1]!.timeMs + 2 + 1000);
  });

  it('a batch that fails after every retry is logged and dropped (fate failed); the caller never hears of it', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1, config: { 'max.message.bytes': 30 } }]);
    const { producer, sent } = producerOn(sim, {
      'producer.type': 'async',
      'request.required.acks': 1,
      'queue.buffering.max.ms': 100,
      'message.send.max.retries': 1,
    });
    const task = await runOn(sim, 'producer', 'sends', async () => {
      await producer.send({ topic: 't', key: null, value: 'x'.repeat(100) });
      await sim.kernel.sleep(1000);
      await producer.send({ topic: 't', key: null, value: 'ok' });
    });
    expect(task.failed).toBe(false);
    await sim.runFor(1000);
    // The big message is refused (MessageSizeTooLarge) twice; the send thread drops it and goes on.
    expect(produceRequests(sent).map((p) => producedMessages(p.request.data[0]!.messages).map((m) => String(m.value).length))).toEqual([[100], [100], [2]]);
    expect(producer.ledger.entries.map((e) => [String(e.value).length, e.fate, e.attempts])).toEqual([
      [100, 'failed', 2],
      [2, 'acknowledged', 1],
    ]);
    expect(traceOf(sim, 'producer.batch-dropped', 'producer').map((r) => r.data)).toEqual([{ messages: 1, unsent: 1 }]);
    expect(leaderLogValues(sim, 't', 0)).toEqual(['ok']);
  });

  it('close sends what is still queued, then stops', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const { producer } = producerOn(sim, { 'producer.type': 'async', 'request.required.acks': 1, 'queue.buffering.max.ms': 60_000 });
    const t = sim.kernel.nowMs;
    const task = await runOn(sim, 'producer', 'send and close', async () => {
      await producer.send(...values('m', 3));
      await producer.close();
    });
    task.result();
    expect(task.settledAtMs! - t).toBeLessThan(100);
    expect(producer.ledger.summary()).toMatchObject({ sent: 3, acknowledged: 3 });
    expect(leaderLogValues(sim, 't', 0)).toEqual(['m0', 'm1', 'm2']);
  });
});
