/**
 * Fetch (API 1) as 0.8.2's `KafkaApis.handleFetchRequest`, `ReplicaManager.readMessageSets`,
 * `Log.read` and `DelayedFetch` answer it.
 */
import { describe, expect, it } from 'vitest';
import { TestClient, fetchRequest, fetched, fetchedValues, produceRequest } from '../support/client.ts';
import { expectNoViolations, node, startCluster, traceOf, waitFor, type Cluster } from '../support/cluster.ts';

/** Seed 4: broker 1 leads t-0, brokers 2 and 3 follow. */
async function cluster(): Promise<Cluster> {
  const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
  await waitFor(c.sim, () => [2, 3].every((b) => c.sim.replica(b, 't', 0)?.leader === 1), 'the followers to follow broker 1', 1_000);
  return c;
}

/** m0 committed (HW 1), then m1 and m2 on the leader only (LEO 3): the followers are cut off. */
async function highWatermarkBehind(): Promise<Cluster> {
  const c = await cluster();
  await c.client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
  c.sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
  await c.client.request(1, produceRequest('t', 0, ['m1', 'm2'], { acks: 1 }));
  expect(c.sim.replica(1, 't', 0)).toMatchObject({ highWatermark: 1, log: { logEndOffset: 3 } });
  return c;
}

describe('Fetch: what each reader sees', () => {
  it('a consumer (replicaId -1) sees only messages below the high watermark; a follower (its broker id) reads up to the LEO', async () => {
    const c = await highWatermarkBehind();
    const consumer = (await c.client.request(1, fetchRequest('t', 0, 0))).partitions[0]!;
    expect(consumer).toMatchObject({ errorCode: 0, highWatermark: 1, partialMessage: false });
    expect(fetched(consumer)).toEqual([{ offset: 0, value: 'm0' }]);
    const follower = (await c.client.request(1, fetchRequest('t', 0, 0, { replicaId: 2 }))).partitions[0]!;
    expect(follower).toMatchObject({ errorCode: 0, highWatermark: 1 });
    expect(fetchedValues(follower)).toEqual(['m0', 'm1', 'm2']);
    // The debugging id (-2) is capped like a consumer, but may read a follower's own replica.
    const debugLeader = (await c.client.request(1, fetchRequest('t', 0, 0, { replicaId: -2 }))).partitions[0]!;
    expect(fetchedValues(debugLeader)).toEqual(['m0']);
    // Broker 2 holds m0 but was cut off before it learned HW 1: its own HW 0 caps the read.
    expect(c.sim.replica(2, 't', 0)).toMatchObject({ highWatermark: 0, log: { logEndOffset: 1 } });
    const debugFollower = (await c.client.request(2, fetchRequest('t', 0, 0, { replicaId: -2 }))).partitions[0]!;
    expect(debugFollower).toMatchObject({ errorCode: 0, highWatermark: 0, batches: [] });
    expectNoViolations(c.monitor);
  });

  it('answers OffsetOutOfRange (1) above the LEO, nothing at the LEO, and Unknown (-1) to a consumer between HW and LEO', async () => {
    const c = await highWatermarkBehind();
    const at = async (offset: number) => (await c.client.request(1, fetchRequest('t', 0, offset))).partitions[0]!;
    expect(await at(4)).toEqual({ topic: 't', partition: 0, errorCode: 1, highWatermark: -1, logStartOffset: -1, batches: [], partialMessage: false });
    expect(await at(3)).toEqual({ topic: 't', partition: 0, errorCode: 0, highWatermark: 1, logStartOffset: 0, batches: [], partialMessage: false });
    // LogSegment.read's "maximum offset less than the start offset" IllegalArgumentException.
    expect(await at(2)).toMatchObject({ errorCode: -1, highWatermark: -1, batches: [] });
    expect(await at(1)).toEqual({ topic: 't', partition: 0, errorCode: 0, highWatermark: 1, logStartOffset: 0, batches: [], partialMessage: false });
    // A follower may read there.
    const follower = (await c.client.request(1, fetchRequest('t', 0, 2, { replicaId: 3 }))).partitions[0]!;
    expect(fetched(follower)).toEqual([{ offset: 2, value: 'm2' }]);
  });

  it('answers NotLeaderForPartition (6) from a follower and UnknownTopicOrPartition (3) for a partition the broker does not host', async () => {
    const c = await cluster();
    const notLeader = await c.client.request(2, fetchRequest('t', 0, 0, { maxWait: 1_000, minBytes: 1 }));
    expect(notLeader.partitions[0]).toMatchObject({ errorCode: 6, highWatermark: -1 });
    const unknown = c.client.start(1, fetchRequest('t', 5, 0, { maxWait: 1_000, minBytes: 1 }));
    await unknown.wait();
    expect(unknown.response!.partitions[0]).toMatchObject({ topic: 't', partition: 5, errorCode: 3 });
    expect(unknown.settledAtMs! - unknown.startedAtMs).toBeLessThan(10); // an error is answered at once
  });

  it('never throws on client input: a negative offset is out of range (1), a negative size is Unknown (-1) except at the LEO', async () => {
    const c = await cluster();
    await c.client.request(1, produceRequest('t', 0, ['m0'], { acks: -1 }));
    expect((await c.client.request(1, fetchRequest('t', 0, -1))).partitions[0]!.errorCode).toBe(1);
    expect((await c.client.request(1, fetchRequest('t', 0, 0, { fetchSize: -1 }))).partitions[0]!.errorCode).toBe(-1);
    expect((await c.client.request(1, fetchRequest('t', 0, 1, { fetchSize: -1 }))).partitions[0]).toMatchObject({ errorCode: 0, batches: [] });
    expectNoViolations(c.monitor);
  });
});

describe('Fetch: byte limits', () => {
  // Each message is 12 (offset, size) + 14 (header) + 4 (value) = 30 bytes.
  async function threeMessages(): Promise<Cluster> {
    const c = await cluster();
    await c.client.request(1, produceRequest('t', 0, ['aaaa', 'bbbb', 'cccc'], { acks: -1 }));
    return c;
  }
  const read = async (c: Cluster, fetchSize: number) => (await c.client.request(1, fetchRequest('t', 0, 0, { fetchSize }))).partitions[0]!;

  it('returns whole messages that fit in fetchSize and flags the cut one as a partial message', async () => {
    const c = await threeMessages();
    const cut = await read(c, 75);
    expect(fetchedValues(cut)).toEqual(['aaaa', 'bbbb']);
    expect(cut.partialMessage).toBe(true);
    const exact = await read(c, 60);
    expect(fetchedValues(exact)).toEqual(['aaaa', 'bbbb']);
    expect(exact.partialMessage).toBe(false);
    const all = await read(c, 90);
    expect(fetchedValues(all)).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(all.partialMessage).toBe(false);
  });

  it('returns no message but a partial one when the first message does not fit (the client must raise its fetch size), and nothing for size 0', async () => {
    const c = await threeMessages();
    const tooSmall = await read(c, 29);
    expect(fetched(tooSmall)).toEqual([]);
    expect(tooSmall).toMatchObject({ errorCode: 0, partialMessage: true });
    const zero = await read(c, 0);
    expect(zero).toMatchObject({ errorCode: 0, batches: [], partialMessage: false });
  });

  it('counts a partial message towards minBytes: the response carries the whole fetchSize slice of the log', async () => {
    const c = await threeMessages();
    const pending = c.client.start(1, fetchRequest('t', 0, 0, { fetchSize: 45, minBytes: 45, maxWait: 1_000 }));
    const response = await pending.wait();
    expect(fetchedValues(response.partitions[0]!)).toEqual(['aaaa']);
    expect(response.partitions[0]!.partialMessage).toBe(true);
    expect(pending.settledAtMs! - pending.startedAtMs).toBeLessThan(100);
  });
});

describe('Fetch: maxWait and minBytes', () => {
  it('parks a consumer fetch at the high watermark until new data is committed, not merely appended', async () => {
    const c = await cluster();
    const pending = c.client.start(1, fetchRequest('t', 0, 0, { maxWait: 5_000, minBytes: 1 }));
    await c.sim.runFor(500);
    expect(pending.settled).toBe(false);
    const seen: { hw: number; settled: boolean }[] = [];
    const stop = c.sim.kernel.onStep(() => seen.push({ hw: c.sim.replica(1, 't', 0)!.highWatermark, settled: pending.settled }));
    // Another connection: a broker reads a connection's next request only after answering the last.
    await new TestClient(c.sim, 'producer').request(1, produceRequest('t', 0, ['n'], { acks: 1 }));
    const response = await pending.wait();
    stop();
    expect(fetched(response.partitions[0]!)).toEqual([{ offset: 0, value: 'n' }]);
    expect(response.partitions[0]!.highWatermark).toBe(1);
    // Still parked at every step where the HW was 0 (the message appended, not yet replicated).
    expect(seen.filter((s) => s.hw === 0 && s.settled)).toEqual([]);
    expect(pending.settledAtMs! - pending.startedAtMs).toBeLessThan(1_000);
  });

  it('answers after maxWait with what there is when minBytes is not reached', async () => {
    const c = await cluster();
    const empty = c.client.start(1, fetchRequest('t', 0, 0, { maxWait: 1_000, minBytes: 1 }));
    await empty.wait();
    expect(empty.response!.partitions[0]).toMatchObject({ errorCode: 0, batches: [], highWatermark: 0 });
    expect(empty.settledAtMs! - empty.startedAtMs).toBeGreaterThanOrEqual(1_000);
    expect(empty.settledAtMs! - empty.startedAtMs).toBeLessThan(1_010);

    await c.client.request(1, produceRequest('t', 0, ['aaaa'], { acks: -1 })); // 30 bytes
    const short = c.client.start(1, fetchRequest('t', 0, 0, { maxWait: 1_000, minBytes: 100 }));
    await short.wait();
    expect(fetchedValues(short.response!.partitions[0]!)).toEqual(['aaaa']);
    expect(short.settledAtMs! - short.startedAtMs).toBeGreaterThanOrEqual(1_000);

    const now = c.client.start(1, fetchRequest('t', 0, 1, { maxWait: 0, minBytes: 1 }));
    await now.wait();
    expect(now.response!.partitions[0]).toMatchObject({ errorCode: 0, batches: [] });
    expect(now.settledAtMs! - now.startedAtMs).toBeLessThan(10);
  });

  it('wakes a parked follower fetch on the append itself (followers wait for the LEO, consumers for the HW)', async () => {
    const c = await cluster();
    // Cut the real followers off so that only the test's follower-2 fetch is watching.
    c.sim.applyFault({ kind: 'partition', groups: [[node(1)], [node(2), node(3)]] });
    const follower = c.client.start(1, fetchRequest('t', 0, 0, { replicaId: 2, maxWait: 5_000, minBytes: 1 }));
    const consumer = new TestClient(c.sim, 'consumer').start(1, fetchRequest('t', 0, 0, { maxWait: 2_000, minBytes: 1 }));
    await c.sim.runFor(100);
    await new TestClient(c.sim, 'producer').request(1, produceRequest('t', 0, ['n'], { acks: 1 }));
    await follower.wait();
    expect(fetchedValues(follower.response!.partitions[0]!)).toEqual(['n']);
    expect(follower.settledAtMs! - follower.startedAtMs).toBeLessThan(200);
    // The consumer's HW never moves (broker 3 is in the ISR and silent): it waits out maxWait.
    await consumer.wait();
    expect(consumer.response!.partitions[0]).toMatchObject({ errorCode: 0, batches: [], highWatermark: 0 });
    expect(consumer.settledAtMs! - consumer.startedAtMs).toBeGreaterThanOrEqual(2_000);
  });

  it('holds up the next request on the same connection: a broker reads one request at a time per connection', async () => {
    const c = await cluster();
    const parked = c.client.start(1, fetchRequest('t', 0, 0, { maxWait: 2_000, minBytes: 1 }));
    const produce = c.client.start(1, produceRequest('t', 0, ['behind'], { acks: 1 }));
    await produce.wait();
    expect(parked.settled).toBe(true);
    expect(parked.response!.partitions[0]).toMatchObject({ errorCode: 0, batches: [] });
    // Appended only once the parked fetch had been answered (after its maxWait).
    const appendedAt = traceOf(c.sim, 'produce.appended')[0]!.timeMs;
    expect(appendedAt - parked.startedAtMs).toBeGreaterThanOrEqual(2_000);
    expect(produce.response!.statuses[0]).toMatchObject({ errorCode: 0, offset: 0 });
  });
});

