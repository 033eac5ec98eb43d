/**
 * Produce (API 0) as 0.8.2's `KafkaApis.handleProducerOrOffsetCommitRequest`,
 * `Partition.appendMessagesToLeader` and `DelayedProduce` answer it.
 */
import { describe, expect, it } from 'vitest';
import type { ProduceRequest } from '../../../src/protocol/api.ts';
import type { ProduceAcknowledgement } from '../../../src/broker/handlers/api-context.ts';
import type { TopicConfig } from '../../../src/broker/config.ts';
import { fetchRequest, fetchedValues, messages, produceRequest } from '../support/client.ts';
import { expectNoViolations, node, replicaValues, startCluster, traceOf, waitFor, waitForIsr, type Cluster } from '../support/cluster.ts';

/** Seed 4: broker 1 leads t-0, brokers 2 and 3 follow, broker 3 is the controller. */
async function cluster(config?: Partial<TopicConfig>): Promise<Cluster> {
  const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3, ...(config === undefined ? {} : { config }) }] });
  expect(c.sim.leaderOf('t', 0)).toBe(1);
  await waitFor(c.sim, () => [2, 3].every((b) => c.sim.replica(b, 't', 0)?.leader === 1), 'the followers to follow broker 1', 1_000);
  return c;
}

/** Cuts the followers off broker 1 and waits until broker 1 has shrunk the ISR to itself. */
async function stallFollowers({ sim }: Cluster): Promise<void> {
  sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
  await waitForIsr(sim, 't', 0, [1]);
}

/** What the cluster looked like at the step each acknowledgement was sent. */
function watchAcks(c: Cluster): { ack: ProduceAcknowledgement; leaderHw: number; followerLeos: number[] }[] {
  const seen: { ack: ProduceAcknowledgement; leaderHw: number; followerLeos: number[] }[] = [];
  c.sim.onAcknowledged((ack) => {
    seen.push({
      ack,
      leaderHw: c.sim.replica(1, 't', 0)!.highWatermark,
      followerLeos: [2, 3].map((b) => c.sim.replica(b, 't', 0)!.log.logEndOffset),
    });
  });
  return seen;
}

describe('Produce: acks', () => {
  it('acks=1 is answered as soon as the leader appended, with the first offset of the set, before any follower has it', async () => {
    const c = await cluster();
    const seen = watchAcks(c);
    const first = await c.client.request(1, produceRequest('t', 0, ['a', 'b'], { acks: 1 }));
    const second = await c.client.request(1, produceRequest('t', 0, ['c'], { acks: 1 }));
    expect(first.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 0, logStartOffset: 0 }]);
    expect(second.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 2, logStartOffset: 0 }]);
    expect(seen[0]).toMatchObject({ leaderHw: 0, followerLeos: [0, 0] });
    expect(seen[0]!.ack).toMatchObject({ broker: 1, firstOffset: 0, requiredAcks: 1 });
    expectNoViolations(c.monitor);
  });

  it('acks=-1 is answered once the leader high watermark covers the set: every ISR member has it', async () => {
    const c = await cluster();
    const seen = watchAcks(c);
    const pending = c.client.start(1, produceRequest('t', 0, ['a', 'b'], { acks: -1 }));
    const response = await pending.wait();
    expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: 0, logStartOffset: 0 }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ leaderHw: 2, followerLeos: [2, 2] });
    // Two follower round trips at least: one to copy, one to report the new fetch offset.
    const appended = traceOf(c.sim, 'produce.appended')[0]!.timeMs;
    expect(seen[0]!.ack.timeMs - appended).toBeGreaterThanOrEqual(2);
    expectNoViolations(c.monitor);
  });

  it('acks=0 gets no response; the message is appended and the connection stays open', async () => {
    const c = await cluster();
    await c.client.sendOneWay(1, produceRequest('t', 0, ['fire-and-forget'], { acks: 0 }));
    await waitFor(c.sim, () => c.sim.replica(1, 't', 0)!.log.logEndOffset === 1, 'the append', 1_000);
    await c.sim.runFor(1_000);
    expect(replicaValues(c.sim, 1, 't')).toEqual(['fire-and-forget']);
    expect(c.client.isConnected(1)).toBe(true);
    expect(c.sim.acknowledged).toEqual([]); // nothing was answered
    expectNoViolations(c.monitor);
  });

  it('acks=0 with an error closes the connection instead of answering, so the producer notices on its next send', async () => {
    const c = await cluster();
    // Broker 2 does not lead t-0.
    await c.client.sendOneWay(2, produceRequest('t', 0, ['lost'], { acks: 0 }));
    await waitFor(c.sim, () => !c.client.isConnected(2), 'the broker to close the connection', 1_000);
    expect(traceOf(c.sim, 'produce.rejected').map((r) => [r.node, r.data['error']])).toEqual([[node(2), 'NotLeaderForPartition']]);
    expect(replicaValues(c.sim, 2, 't')).toEqual([]);
    expect(replicaValues(c.sim, 1, 't')).toEqual([]);
  });

  it('acks=-1 not replicated within ackTimeoutMs answers RequestTimedOut (7) with the first offset, and leaves the data in the log, to be committed later', async () => {
    const c = await cluster();
    await c.client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
    c.sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    const pending = c.client.start(1, produceRequest('t', 0, ['x'], { acks: -1, ackTimeoutMs: 1_000 }));
    const response = await pending.wait();
    expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 7, offset: 1, logStartOffset: 0 }]);
    expect(traceOf(c.sim, 'produce.timed-out').map((r) => r.timeMs - traceOf(c.sim, 'produce.appended')[1]!.timeMs)).toEqual([1_000]);
    expect(replicaValues(c.sim, 1, 't')).toEqual(['m0', 'x']);
    expect(c.sim.replica(1, 't', 0)!.highWatermark).toBe(1);

    // The producer retries: a duplicate. Once healed, both copies are committed.
    c.sim.applyFault({ kind: 'heal' });
    const retry = await c.client.request(1, produceRequest('t', 0, ['x'], { acks: -1 }));
    expect(retry.statuses[0]).toMatchObject({ errorCode: 0, offset: 2 });
    const read = await c.client.request(1, fetchRequest('t', 0, 0));
    expect(fetchedValues(read.partitions[0]!)).toEqual(['m0', 'x', 'x']);
    expectNoViolations(c.monitor);
  });

  it('deprecated acks > 1 counts ISR members that have the set: acks=2 completes with one follower while acks=-1 waits for the stalled one', async () => {
    const c = await cluster();
    c.sim.applyFault({ kind: 'partition', groups: [[node(1), node(2)], [node(3)]] });
    const two = c.client.start(1, produceRequest('t', 0, ['a'], { acks: 2 }));
    await two.wait();
    expect(two.response!.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 });
    expect(two.settledAtMs! - two.startedAtMs).toBeLessThan(20);
    const all = c.client.start(1, produceRequest('t', 0, ['b'], { acks: -1, ackTimeoutMs: 30_000 }));
    await c.sim.runFor(5_000);
    expect(all.settled).toBe(false); // broker 3 is still in the ISR
    await all.wait();
    expect(all.response!.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });
    expect(all.settledAtMs! - all.startedAtMs).toBeGreaterThan(10_000); // after the ISR shrank to [1,2]
    expect(traceOf(c.sim, 'isr.shrunk').map((r) => r.data['isr'])).toEqual([[1, 2]]);
    // acks=3 can never be met by ISR [1,2]: it always times out.
    const three = await c.client.request(1, produceRequest('t', 0, ['c'], { acks: 3, ackTimeoutMs: 500 }));
    expect(three.statuses[0]).toMatchObject({ errorCode: 7, offset: 2 });
    expectNoViolations(c.monitor);
  });
});

describe('Produce: min.insync.replicas', () => {
  it('refuses acks=-1 before appending (NotEnoughReplicas, 19) while the ISR is below the topic minimum; acks=1 is not checked', async () => {
    const c = await cluster({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false });
    await stallFollowers(c);
    const refused = await c.client.request(1, produceRequest('t', 0, ['a'], { acks: -1 }));
    expect(refused.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 19, offset: -1, logStartOffset: -1 }]);
    expect(c.sim.replica(1, 't', 0)!.log.logEndOffset).toBe(0);
    const one = await c.client.request(1, produceRequest('t', 0, ['b'], { acks: 1 }));
    expect(one.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 });
    expectNoViolations(c.monitor);
  });

  it('answers NotEnoughReplicasAfterAppend (20) when the ISR shrank below the minimum while the request waited: the set is already in the log', async () => {
    const c = await cluster({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false });
    c.sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    // Appended while the ISR is still [1,2,3]; then the followers are dropped and the HW covers it.
    const pending = c.client.start(1, produceRequest('t', 0, ['a'], { acks: -1, ackTimeoutMs: 60_000 }));
    const response = await pending.wait();
    expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 20, offset: 0, logStartOffset: 0 }]);
    expect(replicaValues(c.sim, 1, 't')).toEqual(['a']);
    expect(c.sim.replica(1, 't', 0)!.highWatermark).toBe(1);
    expect(c.sim.acknowledged).toEqual([]); // not an acknowledgement
    expectNoViolations(c.monitor);
  });

  it("KAFKA-2114: the broker's min.insync.replicas is not passed on to topics in 0.8.2.2; only the topic's own setting protects it", async () => {
    const c = await startCluster({
      seed: 4,
      brokers: 3,
      brokerConfig: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false },
      topics: [{ name: 't', partitions: 1, replicationFactor: 3 }],
    });
    expect(c.sim.topicConfig('t')['min.insync.replicas']).toBe(1);
    expect(c.sim.topicConfig('t')['unclean.leader.election.enable']).toBe(false); // this one is inherited
    expect(traceOf(c.sim, 'config.warning').map((r) => r.data)).toEqual([{ key: 'min.insync.replicas', value: 2 }]);
    await stallFollowers(c);
    const accepted = await c.client.request(1, produceRequest('t', 0, ['alone'], { acks: -1 }));
    expect(accepted.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 }); // ISR [1] < 2, yet accepted
    expectNoViolations(c.monitor);
  });
});

describe('Produce: per-partition errors', () => {
  it('answers each partition for itself: a known partition waits for its acks, an unknown one gets UnknownTopicOrPartition (3)', async () => {
    const c = await cluster();
    const request: ProduceRequest = {
      ...produceRequest('t', 0, ['a'], { acks: -1 }),
      data: [
        { topic: 't', partition: 0, messages: messages(['a']) },
        { topic: 't', partition: 7, messages: messages(['b']) },
        { topic: 'nope', partition: 0, messages: messages(['c']) },
      ],
    };
    const response = await c.client.request(1, request);
    expect(response.statuses).toEqual([
      { topic: 't', partition: 0, errorCode: 0, offset: 0, logStartOffset: 0 },
      { topic: 't', partition: 7, errorCode: 3, offset: -1, logStartOffset: -1 },
      { topic: 'nope', partition: 0, errorCode: 3, offset: -1, logStartOffset: -1 },
    ]);
  });

  it('answers at once when every partition failed, even with acks=-1: NotLeaderForPartition (6) from a follower', async () => {
    const c = await cluster();
    const pending = c.client.start(2, produceRequest('t', 0, ['a'], { acks: -1, ackTimeoutMs: 10_000 }));
    const response = await pending.wait();
    expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 6, offset: -1, logStartOffset: -1 }]);
    expect(pending.settledAtMs! - pending.startedAtMs).toBeLessThan(10);
    expect(replicaValues(c.sim, 2, 't')).toEqual([]);
  });

  it("refuses a message larger than the topic's max.message.bytes (MessageSizeTooLarge, 10), appending nothing", async () => {
    const c = await cluster({ 'max.message.bytes': 100 });
    const big = await c.client.request(1, produceRequest('t', 0, ['x'.repeat(100)], { acks: 1 }));
    expect(big.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 10, offset: -1, logStartOffset: -1 }]);
    // 14 header bytes + 86 value bytes = 100: allowed.
    const fits = await c.client.request(1, produceRequest('t', 0, ['x'.repeat(86)], { acks: 1 }));
    expect(fits.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 });
    expect(c.sim.replica(1, 't', 0)!.log.logEndOffset).toBe(1);
  });

  it('an empty message set appends nothing and answers NoError with offset -1 (Log.append of nothing)', async () => {
    const c = await cluster();
    for (const acks of [1, -1]) {
      const response = await c.client.request(1, produceRequest('t', 0, [], { acks }));
      expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 0, offset: -1, logStartOffset: -1 }]);
    }
    expect(c.sim.replica(1, 't', 0)!.log.logEndOffset).toBe(0);
    const after = await c.client.request(1, produceRequest('t', 0, ['a'], { acks: -1 }));
    expect(after.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 });
    expectNoViolations(c.monitor);
  });
});
