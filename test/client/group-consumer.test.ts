/**
 * The 0.8 high-level consumer, `ZookeeperConsumerConnector` (reference §4): group membership and
 * range/roundrobin rebalancing through ZooKeeper, ownership znodes, session-timeout stalls,
 * auto-commit's loss and redelivery, streams, `auto.offset.reset`, `consumer.timeout.ms`, the
 * chunk queue's back-pressure, leader changes, and rebalance conflicts.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation, type TopicSpec } from '../../src/broker/simulation.ts';
import { ConsumerRebalanceFailedError, ConsumerTimeoutError } from '../../src/client/errors.ts';
import { Producer } from '../../src/client/producer/producer.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import type { KafkaStream, MessageAndMetadata } from '../../src/client/group/stream.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import {
  crashBrokerAndWait,
  leaderLogValues,
  ownedBy,
  runOn,
  runUntilWithin,
  spyRuntime,
  startGroupConsumer,
  startOn,
  traceOf,
  zkChildren,
  zkData,
  zkOffset,
  zkOwners,
  type GroupMember,
} from './client-harness.ts';

const NET = { latencyMs: 1, jitterMs: 0 };

async function cluster(topics: TopicSpec[], seed = 1): Promise<Simulation> {
  return createSimulation({ seed, brokers: 3, network: NET, topics });
}

/** A sync producer (acks=-1) whose key is the partition number. */
function partitionProducer(sim: Simulation, node = 'producer'): Producer {
  return new Producer(simRuntime(sim, node), {
    'metadata.broker.list': sim.bootstrapServers,
    'request.required.acks': -1,
    'partitioner.class': (key: string) => Number(key),
  });
}

/** Sends `values` to `topic`-`partition` (one send each) and runs until all are acknowledged. */
async function produce(sim: Simulation, producer: Producer, topic: string, partition: number, values: readonly string[]): Promise<void> {
  const task = await runOn(sim, 'producer', `produce to ${topic}-${partition}`, async () => {
    for (const value of values) await producer.send({ topic, key: String(partition), value });
  });
  task.result();
}

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

/** The values a member consumed from one partition, in order. */
function consumedFrom(member: GroupMember, partition: number, topic = 't'): (string | null)[] {
  return member.consumed.filter((c) => c.topic === topic && c.partition === partition).map((c) => c.value);
}

function sessionOf(sim: Simulation, node: string) {
  const session = Object.values(sim.zookeeper.state.sessions).find((s) => s.client === node);
  if (session === undefined) throw new Error(`no ZooKeeper session of ${node}`);
  return { ...session };
}

const GROUP = { 'group.id': 'g', 'auto.offset.reset': 'smallest' } as const;

describe('membership changes rebalance every member to the range assignment (§4.3, §4.4)', () => {
  it('a consumer joining, another joining, one leaving: owned() and /consumers/g/owners follow the range formula', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 2 }]);
    const producer = partitionProducer(sim);
    for (const p of [0, 1, 2]) await produce(sim, producer, 't', p, range(`p${p}-`, 0, 2));

    const c1 = startGroupConsumer(sim, 'c1', GROUP, { t: 1 });
    await sim.runFor(2000);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual(['g_c1']);
    expect(ownedBy(c1)).toEqual({ 't-0': 'g_c1-0', 't-1': 'g_c1-0', 't-2': 'g_c1-0' });
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c1-0', 2: 'g_c1-0' });
    expect(c1.consumed.map((c) => c.value).sort()).toEqual(['p0-0', 'p0-1', 'p1-0', 'p1-1', 'p2-0', 'p2-1']);

    // c2 joins: 3 partitions / 2 threads ⇒ the first thread (g_c1-0) gets 2, g_c2-0 gets 1.
    // c2's first attempt meets t-2 still owned by c1 (each member rebalances on its own) and
    // succeeds on the retry, rebalance.backoff.ms (2000) later.
    const c2 = startGroupConsumer(sim, 'c2', GROUP, { t: 1 });
    await sim.runFor(5000);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual(['g_c1', 'g_c2']);
    expect(ownedBy(c1)).toEqual({ 't-0': 'g_c1-0', 't-1': 'g_c1-0' });
    expect(ownedBy(c2)).toEqual({ 't-2': 'g_c2-0' });
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c1-0', 2: 'g_c2-0' });
    expect([c1.connector.rebalances, c2.connector.rebalances]).toEqual([2, 1]);
    expect(traceOf(sim, 'consumer.rebalance.conflict', 'c2').map((r) => r.data.partition)).toEqual(['t-2']);
    // c1 committed what it had consumed before releasing (auto-commit at every rebalance), so
    // c2 starts t-2 at offset 2 and gets nothing twice.
    expect(zkOffset(sim, 'g', 't', 2)).toBe(2);
    expect(c2.connector.owned()[0]).toMatchObject({ consumedOffset: 2, fetchedOffset: 2 });
    await produce(sim, producer, 't', 2, ['p2-2']);
    await sim.runFor(500);
    expect(consumedFrom(c2, 2)).toEqual(['p2-2']);
    expect(consumedFrom(c1, 2)).toEqual(['p2-0', 'p2-1']);

    // c3 joins: one partition each.
    const c3 = startGroupConsumer(sim, 'c3', GROUP, { t: 1 });
    await sim.runFor(5000);
    expect([ownedBy(c1), ownedBy(c2), ownedBy(c3)]).toEqual([{ 't-0': 'g_c1-0' }, { 't-1': 'g_c2-0' }, { 't-2': 'g_c3-0' }]);
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c2-0', 2: 'g_c3-0' });

    // c2 leaves (shutdown): its registration and ownership vanish; c1 and c3 rebalance.
    (await runOn(sim, 'c2', 'c2 shutdown', () => c2.connector.shutdown())).result();
    await sim.runFor(5000);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual(['g_c1', 'g_c3']);
    expect([ownedBy(c1), ownedBy(c3)]).toEqual([{ 't-0': 'g_c1-0', 't-1': 'g_c1-0' }, { 't-2': 'g_c3-0' }]);
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c1-0', 2: 'g_c3-0' });
    expect([c1.connector.rebalances, c3.connector.rebalances]).toEqual([4, 2]);
    await produce(sim, producer, 't', 1, ['p1-2']);
    await sim.runFor(500);
    expect(consumedFrom(c1, 1)).toEqual(['p1-0', 'p1-1', 'p1-2']);

    // Every message was handed out exactly once in the whole group.
    const all = [c1, c2, c3].flatMap((m) => m.consumed.map((c) => c.value)).sort();
    expect(all).toEqual(['p0-0', 'p0-1', 'p1-0', 'p1-1', 'p1-2', 'p2-0', 'p2-1', 'p2-2']);
  });

  it('range over thread ids in string order: two consumers with two streams each on five partitions (the 0.8.2 scaladoc example)', async () => {
    const sim = await cluster([{ name: 't', partitions: 5, replicationFactor: 1 }]);
    const c1 = startGroupConsumer(sim, 'C1', GROUP, { t: 2 });
    const c2 = startGroupConsumer(sim, 'C2', GROUP, { t: 2 });
    await sim.runFor(3000);
    expect(ownedBy(c1)).toEqual({ 't-0': 'g_C1-0', 't-1': 'g_C1-0', 't-2': 'g_C1-1' });
    expect(ownedBy(c2)).toEqual({ 't-3': 'g_C2-0', 't-4': 'g_C2-1' });
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_C1-0', 1: 'g_C1-0', 2: 'g_C1-1', 3: 'g_C2-0', 4: 'g_C2-1' });
    expect(JSON.parse(zkData(sim, '/consumers/g/ids/g_C1')!)).toMatchObject({ version: 1, subscription: { t: 2 }, pattern: 'static' });
  });

  it('partition.assignment.strategy=roundrobin deals the partitions of both topics around the threads', async () => {
    const sim = await cluster([
      { name: 'a', partitions: 3, replicationFactor: 1 },
      { name: 'b', partitions: 3, replicationFactor: 1 },
    ]);
    const config = { ...GROUP, 'partition.assignment.strategy': 'roundrobin' } as const;
    const c1 = startGroupConsumer(sim, 'c1', config, { a: 1, b: 1 });
    const c2 = startGroupConsumer(sim, 'c2', config, { a: 1, b: 1 });
    await sim.runFor(3000);
    // hashCode order: "[a,0]" 86974003 < "[a,1]" 86974034 < "[a,2]" 86974065 < "[b,0]" 87003794
    // < "[b,1]" 87003825 < "[b,2]" 87003856, dealt to g_c1-0, g_c2-0, g_c1-0, ... (range would
    // give c1 four partitions: a-0, a-1, b-0, b-1).
    expect(ownedBy(c1)).toEqual({ 'a-0': 'g_c1-0', 'a-2': 'g_c1-0', 'b-1': 'g_c1-0' });
    expect(ownedBy(c2)).toEqual({ 'a-1': 'g_c2-0', 'b-0': 'g_c2-0', 'b-2': 'g_c2-0' });
    expect(zkOwners(sim, 'g', 'a')).toEqual({ 0: 'g_c1-0', 1: 'g_c2-0', 2: 'g_c1-0' });
    expect(zkOwners(sim, 'g', 'b')).toEqual({ 0: 'g_c2-0', 1: 'g_c1-0', 2: 'g_c2-0' });
    // One stream per topic: each thread id has its own stream and queue in each topic.
    expect(Object.keys(c1.streams!)).toEqual(['a', 'b']);
    const producer = partitionProducer(sim);
    await produce(sim, producer, 'b', 1, ['b1-x']);
    await produce(sim, producer, 'a', 1, ['a1-x']);
    await sim.runFor(500);
    expect(c1.consumed.map((c) => [c.topic, c.partition, c.value])).toEqual([['b', 1, 'b1-x']]);
    expect(c2.consumed.map((c) => [c.topic, c.partition, c.value])).toEqual([['a', 1, 'a1-x']]);
  });

  it('more streams than partitions: the extra streams own nothing and stay idle', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    const c1 = startGroupConsumer(sim, 'c1', { ...GROUP, 'consumer.timeout.ms': 500 }, { t: 4 }, { iterate: false });
    await runUntilWithin(sim, () => c1.streams !== undefined, 'the streams');
    expect(ownedBy(c1)).toEqual({ 't-0': 'g_c1-0', 't-1': 'g_c1-1', 't-2': 'g_c1-2' });
    expect(c1.streams!.t!.map((s) => s.threadId)).toEqual(['g_c1-0', 'g_c1-1', 'g_c1-2', 'g_c1-3']);
    const producer = partitionProducer(sim);
    for (const p of [0, 1, 2]) await produce(sim, producer, 't', p, [`m${p}`]);
    const results = await runOn(sim, 'c1', 'read every stream', async () => {
      const out: string[] = [];
      for (const stream of c1.streams!.t!) {
        try {
          const next = await stream.next();
          out.push(`${stream.threadId}: ${next.done ? 'done' : payloadToString(next.value.value)}`);
        } catch (error) {
          out.push(`${stream.threadId}: ${(error as Error).name}`);
        }
      }
      return out;
    });
    expect(results.result()).toEqual(['g_c1-0: m0', 'g_c1-1: m1', 'g_c1-2: m2', 'g_c1-3: ConsumerTimeoutError']);
  });
});

describe('a crashed consumer keeps its partitions until its ZooKeeper session expires', () => {
  it('its partition is reassigned only at zookeeper.session.timeout.ms after the session was last heard from', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    const producer = partitionProducer(sim);
    const c1 = startGroupConsumer(sim, 'c1', GROUP, { t: 1 });
    const c2 = startGroupConsumer(sim, 'c2', { ...GROUP, 'zookeeper.session.timeout.ms': 6000 }, { t: 1 });
    await sim.runFor(3000);
    expect([ownedBy(c1), ownedBy(c2)]).toEqual([{ 't-0': 'g_c1-0', 't-1': 'g_c1-0' }, { 't-2': 'g_c2-0' }]);

    const lastHeard = sessionOf(sim, 'c2').lastHeardMs;
    sim.kernel.killNode('c2');
    const killedAt = sim.kernel.nowMs;
    const expiresAt = lastHeard + 6000;
    expect(expiresAt).toBeGreaterThan(killedAt);
    // A message for t-2 waits: its owner is dead but still registered.
    await produce(sim, producer, 't', 2, ['late']);
    await sim.runFor(expiresAt - 1 - sim.kernel.nowMs);
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c1-0', 2: 'g_c2-0' });
    expect(ownedBy(c1)).toEqual({ 't-0': 'g_c1-0', 't-1': 'g_c1-0' });
    expect(consumedFrom(c1, 2)).toEqual([]);

    await runUntilWithin(sim, () => traceOf(sim, 'zk.session.expired').length === 1, 'the session to expire');
    const expiry = traceOf(sim, 'zk.session.expired')[0]!;
    expect(expiry.timeMs).toBe(expiresAt);
    expect(expiry.data.ephemerals).toEqual(['/consumers/g/owners/t/2', '/consumers/g/ids/g_c2']);
    await runUntilWithin(sim, () => Object.keys(ownedBy(c1)).length === 3, 'c1 to take t-2');
    const takeover = traceOf(sim, 'consumer.rebalance.completed', 'c1').at(-1)!;
    expect(takeover.timeMs).toBeGreaterThan(expiresAt);
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c1-0', 2: 'g_c1-0' });
    await sim.runFor(500);
    expect(consumedFrom(c1, 2)).toEqual(['late']);
    expect(c1.consumed.find((c) => c.value === 'late')!.timeMs).toBeGreaterThan(expiresAt);
  });
});

describe('auto-commit commits what was handed out, not what was processed (§4.6)', () => {
  /**
   * A consumer that takes each message with next() and then "processes" it for `processMs`,
   * recording which messages it finished.
   */
  function processingConsumer(sim: Simulation, node: string, config: Record<string, unknown>, processMs: number) {
    const member = startGroupConsumer(sim, node, { ...GROUP, ...config }, { t: 1 }, { iterate: false });
    const handedOut: MessageAndMetadata[] = [];
    const processed: string[] = [];
    sim.kernel.spawn(
      `${node}/worker`,
      async () => {
        while (member.streams === undefined) await sim.kernel.sleep(10);
        const stream: KafkaStream = member.streams.t![0]!;
        for await (const m of stream) {
          handedOut.push(m);
          await sim.kernel.sleep(processMs);
          processed.push(payloadToString(m.value)!);
        }
      },
      { node },
    );
    return { member, handedOut, processed };
  }

  it('loss: a crash after next() and an auto-commit but before the processing finished loses the message', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const producer = partitionProducer(sim);
    await produce(sim, producer, 't', 0, range('m', 0, 3));
    const startedAt = sim.kernel.nowMs;
    // Processing takes 3 s; auto-commit every second.
    const a = processingConsumer(sim, 'a', { 'auto.commit.interval.ms': 1000 }, 3000);
    await runUntilWithin(sim, () => a.handedOut.length === 1, 'm0 to be handed out');
    // The first auto-commit (1000 ms after the connector was created) writes m0's offset + 1.
    await runUntilWithin(sim, () => traceOf(sim, 'consumer.committed', 'a').length === 1, 'the auto-commit');
    const commit = traceOf(sim, 'consumer.committed', 'a')[0]!;
    expect(commit.data).toMatchObject({ partition: 't-0', offset: 1 });
    expect(commit.timeMs - startedAt).toBeGreaterThanOrEqual(1000);
    expect(commit.timeMs - startedAt).toBeLessThan(1100);
    expect(zkOffset(sim, 'g', 't', 0)).toBe(1);
    expect(a.processed).toEqual([]);
    sim.kernel.killNode('a');
    await runUntilWithin(sim, () => traceOf(sim, 'zk.session.expired').length === 1, "a's session to expire");

    const b = processingConsumer(sim, 'b', {}, 0);
    await sim.runFor(2000);
    expect(b.member.connector.owned()[0]).toMatchObject({ partition: 0, consumedOffset: 3 });
    expect(b.processed).toEqual(['m1', 'm2']);
    // m0 was handed to a, committed as consumed, never processed by anyone.
    expect([...a.processed, ...b.processed]).not.toContain('m0');
  });

  it('redelivery: a crash after processing but before the next auto-commit hands the messages since the last commit to the next owner', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const producer = partitionProducer(sim);
    const a = processingConsumer(sim, 'a', { 'auto.commit.interval.ms': 1000 }, 0);
    const createdAt = sim.kernel.nowMs;
    // One message every 100 ms.
    const feeding = startOn(sim, 'producer', 'feed', async () => {
      for (let i = 0; i < 40; i++) {
        await producer.send({ topic: 't', key: '0', value: `m${i}` });
        await sim.kernel.sleep(100);
      }
    });
    // Kill a 700 ms after its third auto-commit.
    await runUntilWithin(sim, () => sim.kernel.nowMs >= createdAt + 3700, 'a to run');
    // Auto-commits at a fixed rate from the connector's creation: +1000 (the first write creates
    // the offset path: 10 ms), +2000, +3000 (a 2 ms setData each), 10 messages apart.
    const commits = traceOf(sim, 'consumer.committed', 'a');
    expect(commits.map((c) => [c.timeMs - createdAt, c.data.offset])).toEqual([
      [1010, 10],
      [2002, 20],
      [3002, 30],
    ]);
    const lastCommitted = commits.at(-1)!.data.offset as number;
    sim.kernel.killNode('a');
    const processedByA = [...a.processed];
    // a processed m0..m36: the last 700 ms worth (one message per 100 ms) is past the last commit.
    expect(processedByA).toEqual(Array.from({ length: 37 }, (_, i) => `m${i}`));
    const sinceCommit = processedByA.filter((v) => Number(v.slice(1)) >= lastCommitted);
    expect(sinceCommit).toEqual(['m30', 'm31', 'm32', 'm33', 'm34', 'm35', 'm36']);

    await runUntilWithin(sim, () => traceOf(sim, 'zk.session.expired').length === 1, "a's session to expire");
    const b = processingConsumer(sim, 'b', { 'auto.commit.interval.ms': 1000 }, 0);
    await runUntilWithin(sim, () => feeding.settled && b.processed.length > 0 && b.processed.at(-1) === 'm39', 'b to catch up');
    // b starts at the last committed offset: what a processed since then is processed again.
    expect(b.processed.slice(0, sinceCommit.length)).toEqual(sinceCommit);
    const all = [...processedByA, ...b.processed];
    expect(new Set(all).size).toBe(40);
    expect(all.length).toBe(40 + sinceCommit.length);
  });
});

describe('initial position and waiting', () => {
  it('auto.offset.reset: smallest reads the whole log, largest starts at the high watermark', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const producer = partitionProducer(sim);
    await produce(sim, producer, 't', 0, range('old', 0, 5));
    const smallest = startGroupConsumer(sim, 's', { 'group.id': 'gs', 'auto.offset.reset': 'smallest' }, { t: 1 });
    const largest = startGroupConsumer(sim, 'l', { 'group.id': 'gl', 'auto.offset.reset': 'largest' }, { t: 1 });
    await sim.runFor(2000);
    expect(smallest.consumed.map((c) => c.value)).toEqual(range('old', 0, 5));
    expect(largest.consumed).toEqual([]);
    // No committed offset: both start at -1, get OffsetOutOfRange and reset.
    expect(traceOf(sim, 'consumer.offset-reset').map((r) => [r.node, r.data.from, r.data.to])).toEqual(
      expect.arrayContaining([
        ['s', -1, 0],
        ['l', -1, 5],
      ]),
    );
    expect(largest.connector.owned()[0]).toMatchObject({ consumedOffset: 5, fetchedOffset: 5 });
    await produce(sim, producer, 't', 0, ['new']);
    await sim.runFor(500);
    expect(largest.consumed.map((c) => [c.offset, c.value])).toEqual([[5, 'new']]);
    expect(smallest.consumed.map((c) => c.offset)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('consumer.timeout.ms: next() throws ConsumerTimeout after that long, and the stream stays usable', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const c = startGroupConsumer(sim, 'c', { ...GROUP, 'consumer.timeout.ms': 300 }, { t: 1 }, { iterate: false });
    await runUntilWithin(sim, () => c.streams !== undefined, 'the streams');
    const stream = c.streams!.t![0]!;
    const t = sim.kernel.nowMs;
    const first = await runOn(sim, 'c', 'next', () => stream.next());
    expect(first.error).toBeInstanceOf(ConsumerTimeoutError);
    expect((first.error as Error).message).toBe('no message arrived within consumer.timeout.ms (300 ms)');
    expect(first.settledAtMs).toBe(t + 300);
    const second = startOn(sim, 'c', 'next again', () => stream.next());
    await produce(sim, partitionProducer(sim), 't', 0, ['hello']);
    await runUntilWithin(sim, () => second.settled, 'the message');
    expect(second.failed).toBe(false);
    expect(second.value).toMatchObject({ done: false, value: { topic: 't', partition: 0, offset: 0, value: 'hello' } });
  });
});

describe('fetching (§4.8)', () => {
  it('queued.max.message.chunks: a consumer that does not keep up stops its fetcher when its queue is full', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    await produce(sim, partitionProducer(sim), 't', 0, range('m', 0, 10));
    // Each message takes 12 bytes of log overhead + 28 bytes: a fetch of 50 bytes holds one.
    const { runtime, sent } = spyRuntime(sim, 'c');
    const c = startGroupConsumer(sim, 'c', { ...GROUP, 'queued.max.message.chunks': 2, 'fetch.message.max.bytes': 50 }, { t: 1 }, { iterate: false, runtime });
    const fetches = () => sent.filter((s) => s.request.api === 'Fetch').length;
    await sim.runFor(2000);
    // A first fetch at offset -1 (OffsetOutOfRange, reset to 0), two chunks queued, a fourth
    // fetch answered and waiting for room in the queue; no fetching since.
    expect(c.connector.owned()[0]).toMatchObject({ fetchedOffset: 2, consumedOffset: 0 });
    expect(fetches()).toBe(4);
    await sim.runFor(5000);
    expect(fetches()).toBe(4);
    // Taking one message does not free a slot (the chunk leaves the queue only when taken);
    // taking the second chunk does: the waiting chunk goes in and one more fetch follows.
    const took = await runOn(sim, 'c', 'take two', async () => {
      const stream = c.streams!.t![0]!;
      const values: string[] = [];
      for (let i = 0; i < 2; i++) values.push(payloadToString((await stream.next()).value!.value)!);
      return values;
    });
    expect(took.result()).toEqual(['m0', 'm1']);
    await sim.runFor(2000);
    expect(c.connector.owned()[0]).toMatchObject({ consumedOffset: 2, fetchedOffset: 4 });
    expect(fetches()).toBe(6);
  });

  it('a leader change does not rebalance the group: the fetcher finds the new leader and goes on from its fetch offset', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 3 }]);
    const producer = partitionProducer(sim);
    await produce(sim, producer, 't', 0, range('m', 0, 5));
    const c = startGroupConsumer(sim, 'c', GROUP, { t: 1 });
    await runUntilWithin(sim, () => c.consumed.length === 5, 'the first five');
    const oldLeader = sim.leaderOf('t', 0)!;
    await crashBrokerAndWait(sim, oldLeader, [['t', 0]]);
    await produce(sim, producer, 't', 0, range('m', 5, 10));
    await runUntilWithin(sim, () => c.consumed.length === 10, 'the next five');
    expect(sim.leaderOf('t', 0)).not.toBe(oldLeader);
    expect(c.consumed.map((m) => [m.offset, m.value])).toEqual(range('m', 0, 10).map((v, i) => [i, v]));
    expect(c.connector.rebalances).toBe(1);
    expect(traceOf(sim, 'consumer.rebalance.started', 'c')).toHaveLength(1);
    expect(leaderLogValues(sim, 't', 0)).toEqual(range('m', 0, 10));
  });
});

describe('rebalance conflicts (§4.3 reflectPartitionOwnershipDecision)', () => {
  it('a partition whose previous owner has not released it: the attempt fails, is undone, and retried after rebalance.backoff.ms', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    startGroupConsumer(sim, 'c1', { ...GROUP, 'zookeeper.session.timeout.ms': 6000 }, { t: 1 });
    await sim.runFor(3000);
    const lastHeard = sessionOf(sim, 'c1').lastHeardMs;
    sim.kernel.killNode('c1');
    // c2 joins while the dead c1 is still registered and owns everything.
    const c2 = startGroupConsumer(sim, 'c2', { ...GROUP, 'rebalance.backoff.ms': 2000, 'rebalance.max.retries': 4 }, { t: 1 });
    await runUntilWithin(sim, () => c2.streams !== undefined || c2.startError !== undefined, "c2's first rebalance");
    expect(c2.startError).toBeUndefined();
    // The first rebalance (inside createMessageStreams): range over [g_c1-0, g_c2-0] gives c2
    // t-2, still owned by the dead c1, until c1's session expires; each failed attempt waits
    // rebalance.backoff.ms before the next.
    const expiry = lastHeard + 6000;
    const firstDone = traceOf(sim, 'consumer.rebalance.completed', 'c2')[0]!;
    const starts = traceOf(sim, 'consumer.rebalance.started', 'c2').filter((r) => r.timeMs < firstDone.timeMs);
    const conflicts = traceOf(sim, 'consumer.rebalance.conflict', 'c2');
    expect(conflicts.map((r) => r.data.partition)).toEqual(Array(starts.length - 1).fill('t-2'));
    expect(conflicts.every((r) => r.timeMs < expiry)).toBe(true);
    expect(starts.map((r) => r.data.attempt)).toEqual(Array.from({ length: conflicts.length + 1 }, (_, i) => i));
    // c1 was last heard 6 s before the fourth and last allowed attempt (rebalance.max.retries = 4).
    expect(starts.length).toBe(4);
    for (let i = 1; i < starts.length; i++) expect(starts[i]!.timeMs).toBe(conflicts[i - 1]!.timeMs + 2000);
    expect(starts.at(-1)!.timeMs).toBeGreaterThan(expiry);
    expect(firstDone.data.owned).toEqual([
      { topic: 't', partition: 0, thread: 'g_c2-0', offset: -1 },
      { topic: 't', partition: 1, thread: 'g_c2-0', offset: -1 },
      { topic: 't', partition: 2, thread: 'g_c2-0', offset: -1 },
    ]);
    expect(ownedBy(c2)).toEqual({ 't-0': 'g_c2-0', 't-1': 'g_c2-0', 't-2': 'g_c2-0' });
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c2-0', 1: 'g_c2-0', 2: 'g_c2-0' });
  });

  it('after rebalance.max.retries failed attempts createMessageStreams throws ConsumerRebalanceFailed; the consumer owns nothing', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    startGroupConsumer(sim, 'c1', { ...GROUP, 'zookeeper.session.timeout.ms': 30_000 }, { t: 1 });
    await sim.runFor(3000);
    sim.kernel.killNode('c1');
    const c2 = startGroupConsumer(sim, 'c2', { ...GROUP, 'rebalance.backoff.ms': 1000, 'rebalance.max.retries': 2 }, { t: 1 });
    const t = sim.kernel.nowMs;
    await runUntilWithin(sim, () => c2.streams !== undefined || c2.startError !== undefined, "c2's first rebalance");
    expect(c2.startError).toBeInstanceOf(ConsumerRebalanceFailedError);
    expect((c2.startError as Error).message).toBe("g_c2 can't rebalance after 2 retries");
    const conflicts = traceOf(sim, 'consumer.rebalance.conflict', 'c2');
    expect(traceOf(sim, 'consumer.rebalance.started', 'c2').map((r) => r.data.attempt)).toEqual([0, 1]);
    expect(conflicts.map((r) => r.data.partition)).toEqual(['t-2', 't-2']);
    // Each failed attempt is followed by rebalance.backoff.ms, the last one too, then the throw.
    expect(traceOf(sim, 'consumer.rebalance.started', 'c2')[1]!.timeMs).toBe(conflicts[0]!.timeMs + 1000);
    expect(sim.kernel.nowMs).toBe(conflicts[1]!.timeMs + 1000);
    expect(sim.kernel.nowMs - t).toBeLessThan(2100);
    expect(c2.connector.owned()).toEqual([]);
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c1-0', 1: 'g_c1-0', 2: 'g_c1-0' });
  });
});

describe('session expiry and shutdown', () => {
  // The expiry deletes the consumer's own /ids node, whose child watch fires on its event thread
  // just before it learns of the expiry: the new session must not wait behind that job.
  it('a consumer whose session expires registers again and rebalances (ZKSessionExpireListener)', async () => {
    const sim = await cluster([{ name: 't', partitions: 2, replicationFactor: 1 }]);
    const producer = partitionProducer(sim);
    await produce(sim, producer, 't', 0, ['a', 'b']);
    const c = startGroupConsumer(sim, 'c', GROUP, { t: 1 });
    await sim.runFor(2000);
    expect(c.consumed.map((m) => m.value)).toEqual(['a', 'b']);
    sim.applyFault({ kind: 'session-expire', node: 'c' });
    // The expiry took the registration and the ownership with it.
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual([]);
    expect(zkOwners(sim, 'g', 't')).toEqual({});
    await sim.runFor(3000);
    expect(traceOf(sim, 'consumer.session-renewed', 'c')).toHaveLength(1);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual(['g_c']);
    expect(ownedBy(c)).toEqual({ 't-0': 'g_c-0', 't-1': 'g_c-0' });
    expect(zkOwners(sim, 'g', 't')).toEqual({ 0: 'g_c-0', 1: 'g_c-0' });
    // `resetState` dropped the registry without committing (auto.commit.interval.ms is 60 s, so
    // nothing was committed yet): the rebalance starts again from no offset, and a and b come twice.
    expect(zkOffset(sim, 'g', 't', 0)).toBeUndefined();
    expect(c.consumed.map((m) => `${m.offset}:${m.value}`)).toEqual(['0:a', '1:b', '0:a', '1:b']);
  });

  it('shutdown in the middle of a rebalance waits for it (rebalance lock) and leaves nothing running', async () => {
    const sim = await cluster([{ name: 't', partitions: 3, replicationFactor: 1 }]);
    const c1 = startGroupConsumer(sim, 'c1', GROUP, { t: 1 });
    await sim.runFor(2000);
    // c2 joins; c1 rebalances to t-0 and t-1 and is shut down while the answer to its last claim
    // (the /owners/t/1 create) is on its way back.
    const c2 = startGroupConsumer(sim, 'c2', GROUP, { t: 1 });
    const claimsOfT1 = () => traceOf(sim, 'zk.node.created').filter((r) => r.data.path === '/consumers/g/owners/t/1').length;
    await runUntilWithin(sim, () => claimsOfT1() === 2, "c1's second claim of t-1");
    const shutdown = startOn(sim, 'c1', 'c1 shutdown', () => c1.connector.shutdown());
    await sim.runFor(6000);
    expect(shutdown.settled && !shutdown.failed).toBe(true);
    // The shutdown came after that rebalance attempt, which had finished its claims.
    expect(traceOf(sim, 'consumer.shutdown', 'c1')[0]!.timeMs).toBeGreaterThan(traceOf(sim, 'consumer.rebalance.completed', 'c1').at(-1)!.timeMs);
    // No leader finder or fetcher of c1 runs (none was started after the shutdown stopped them),
    // and the auto-commit scheduler's wait for its next tick was ended by the shutdown.
    expect(sim.kernel.liveTasks().filter((t) => t.node?.name === 'c1').map((t) => t.name)).toEqual([]);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual(['g_c2']);
    expect(ownedBy(c2)).toEqual({ 't-0': 'g_c2-0', 't-1': 'g_c2-0', 't-2': 'g_c2-0' });
  });

  it('shutdown ends the streams, commits the consumed offsets and removes the registration', async () => {
    const sim = await cluster([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    await produce(sim, partitionProducer(sim), 't', 0, range('m', 0, 4));
    const c = startGroupConsumer(sim, 'c', { ...GROUP, 'auto.commit.interval.ms': 60_000 }, { t: 1 }, { iterate: false });
    await runUntilWithin(sim, () => c.streams !== undefined, 'the streams');
    const stream = c.streams!.t![0]!;
    const read = await runOn(sim, 'c', 'read three, shut down, read on', async () => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push(payloadToString((await stream.next()).value!.value)!);
      await c.connector.shutdown();
      // The chunk being iterated is not cleared by shutdown; after it, the stream ends.
      for (;;) {
        const next = await stream.next();
        if (next.done) break;
        out.push(payloadToString(next.value.value)!);
      }
      return out;
    });
    expect(read.result()).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(zkOffset(sim, 'g', 't', 0)).toBe(3);
    expect(zkChildren(sim, '/consumers/g/ids')).toEqual([]);
    expect(zkOwners(sim, 'g', 't')).toEqual({});
  });
});
