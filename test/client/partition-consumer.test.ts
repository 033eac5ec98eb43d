/**
 * kafka-python 0.9.5's `SimpleConsumer` as `PartitionConsumer` (on `KafkaClient`): initial
 * offsets, blocking and non-blocking reads, buffer growth and FetchSizeTooSmall, seek, auto-commit
 * every N messages and every T ms (visible in ZooKeeper), the delivery windows a crash opens,
 * OffsetOutOfRange resets, and bad input.
 */
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../../src/broker/simulation.ts';
import { ConfigError, FetchSizeTooSmallError } from '../../src/client/errors.ts';
import { KafkaClient, KafkaUnavailableError } from '../../src/client/kafka-client.ts';
import { PartitionConsumer, type ConsumedMessage, type PartitionConsumerOptions } from '../../src/client/partition-consumer.ts';
import type { Runtime } from '../../src/client/runtime.ts';
import { SimpleConsumer } from '../../src/client/simple-consumer.ts';
import type { FetchRequest, KafkaRequest } from '../../src/protocol/api.ts';
import { OffsetOutOfRangeError } from '../../src/protocol/errors.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import { cluster, crashClient, produce, produceMany, recordingRuntime, runOn, startOn, zkOffset } from './consumer-harness.ts';

const TOPIC = 'jiketest';

interface Py {
  readonly consumer: PartitionConsumer;
  readonly runtime: Runtime;
  readonly requests: KafkaRequest[];
  readonly node: string;
  run<T>(body: (c: PartitionConsumer) => Promise<T>): Promise<T>;
}

/** `KafkaClient(bootstrap)` + `SimpleConsumer(client, ...)` on `node`. */
async function python(sim: Simulation, options: PartitionConsumerOptions, node = 'python'): Promise<Py> {
  const { runtime, requests } = recordingRuntime(sim, node);
  const consumer = await runOn(sim, node, 'create consumer', async () => {
    const client = await KafkaClient.create(runtime, sim.bootstrapServers);
    return PartitionConsumer.create(runtime, client, options);
  });
  return { consumer, runtime, requests, node, run: (body) => runOn(sim, node, 'consumer call', () => body(consumer)) };
}

const fetches = (requests: readonly KafkaRequest[]) => requests.filter((r): r is FetchRequest => r.api === 'Fetch');
const show = (messages: readonly ConsumedMessage[]) => messages.map((m) => `${m.partition}:${m.offset}:${payloadToString(m.value)}`);
const offsetsOf = (c: PartitionConsumer) => Object.fromEntries(c.offsets);

describe('KafkaClient', () => {
  it('loads every topic’s metadata at creation, shuffles its hosts, finds leaders, and fails over to the next host', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 3, replicationFactor: 2 }, { name: 'other', partitions: 1, replicationFactor: 1 }] });
    const { runtime } = recordingRuntime(sim, 'python');
    const client = await runOn(sim, 'python', 'create', () => KafkaClient.create(runtime, 'broker-1:9093,broker-2:9092,broker-3'));
    expect(client.topics.sort()).toEqual(['jiketest', 'other']);
    expect(client.getPartitionIdsForTopic(TOPIC)).toEqual([0, 1, 2]);
    expect(client.hosts.map((h) => `${h.host}:${h.port}`).sort()).toEqual(['broker-1:9093', 'broker-2:9092', 'broker-3:9092']);
    const leader = await runOn(sim, 'python', 'leader', () => client.leaderFor(TOPIC, 2));
    expect(leader).toEqual(sim.endpointOf(sim.leaderOf(TOPIC, 2)!));

    const nowhere = await runOn(sim, 'python', 'create', () => KafkaClient.create(runtime, ['broker-1:9093', 'broker-2:9093']).catch((e: unknown) => e));
    expect(nowhere).toBeInstanceOf(KafkaUnavailableError);
    expect((nowhere as Error).message).toContain('All servers failed to process request');
  });
});

describe('PartitionConsumer: initial offsets (0.9.5)', () => {
  it('with a group: the committed offsets, 0 where nothing is committed; without a group: 0', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 3, replicationFactor: 2 }] });
    for (let p = 0; p < 3; p++) await produceMany(sim, TOPIC, p, 10, `p${p}-`);
    const fresh = await python(sim, { group: 'g', topic: TOPIC });
    expect(offsetsOf(fresh.consumer)).toEqual({ 0: 0, 1: 0, 2: 0 });
    // One OffsetFetch v0 per partition leader; "nothing stored" comes back as UnknownTopicOrPartition and is ignored.
    expect(fresh.requests.filter((r) => r.api === 'OffsetFetch')).toHaveLength(3);

    await runOn(sim, 'admin-client', 'commit', () =>
      new SimpleConsumer(recordingRuntime(sim, 'admin-client').runtime, { ...sim.endpointOf(1), soTimeoutMs: 10_000, bufferSize: 65536, clientId: 'c' }).commitOffsets('g', [
        { topic: TOPIC, partition: 1, offset: 7 },
      ]),
    );
    const again = await python(sim, { group: 'g', topic: TOPIC, partitions: [2, 1] }, 'python-2');
    expect([...again.consumer.offsets]).toEqual([
      [2, 0],
      [1, 7],
    ]);
    const noGroup = await python(sim, { group: null, topic: TOPIC, autoCommit: false }, 'python-3');
    expect(offsetsOf(noGroup.consumer)).toEqual({ 0: 0, 1: 0, 2: 0 });
    expect(noGroup.requests.filter((r) => r.api === 'OffsetFetch')).toHaveLength(0);
  });
});

describe('PartitionConsumer: reading', () => {
  it('get_message blocks up to its timeout (the fetch waits at the broker with min_bytes 1); non-blocking returns at once', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false, fetchSizeBytes: 1_000_000 });
    let t = sim.kernel.nowMs;
    expect(await py.run((c) => c.getMessage({ timeoutMs: 2000 }))).toBeUndefined();
    expect(sim.kernel.nowMs - t).toBeGreaterThanOrEqual(2000);
    expect(sim.kernel.nowMs - t).toBeLessThan(2050);

    t = sim.kernel.nowMs;
    expect(await py.run((c) => c.getMessage({ block: false }))).toBeUndefined();
    expect(sim.kernel.nowMs - t).toBeLessThan(50);

    t = sim.kernel.nowMs;
    const pending = startOn(sim, py.node, 'get', () => py.consumer.getMessage({ timeoutMs: 60_000 }));
    await sim.runFor(500);
    await produce(sim, TOPIC, 0, ['hello']);
    await sim.runUntil(() => pending.settled);
    expect(pending.result()).toEqual({ partition: 0, offset: 0, key: null, value: 'hello' });
    expect(pending.settledAtMs! - t).toBeLessThan(550);

    // fetch_size_bytes (1,000,000 here) is the consumer's min_bytes only outside FetchContext, and
    // every fetch runs inside it: blocking ⇒ min_bytes 1, max_wait = timeout; non-blocking ⇒ 0 and 100 ms.
    expect(fetches(py.requests).map((f) => [f.minBytes, f.maxWait, f.partitions[0]!.fetchSize])).toEqual([
      [1, 2000, 4096],
      [0, 100, 4096],
      [1, 60_000, 4096],
    ]);
  });

  it('get_messages returns up to count, moves the positions once at the end; async iteration ends after iter_timeout', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 2, replicationFactor: 1 }] });
    await produceMany(sim, TOPIC, 0, 6, 'a');
    await produceMany(sim, TOPIC, 1, 4, 'b');
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false, iterTimeoutMs: 500 });
    const first = await py.run((c) => c.getMessages(7, { timeoutMs: 1000 }));
    expect(first).toHaveLength(7);
    expect(offsetsOf(py.consumer)).toEqual({ 0: 6, 1: 1 });
    expect(py.consumer.countSinceCommit).toBe(7);
    const t = sim.kernel.nowMs;
    const rest = await py.run(async (c) => {
      const out: ConsumedMessage[] = [];
      for await (const message of c) out.push(message);
      return out;
    });
    expect(show(rest)).toEqual(['1:1:b1', '1:2:b2', '1:3:b3']);
    expect(sim.kernel.nowMs - t).toBeGreaterThanOrEqual(500);
    expect(offsetsOf(py.consumer)).toEqual({ 0: 6, 1: 4 });
    expect(await py.run((c) => c.pending())).toBe(0);
  });

  it('a message larger than buffer_size: the fetch size doubles (4096 → 8192 → 16384) for that fetch only', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    await produce(sim, TOPIC, 0, ['x'.repeat(10_000)]); // 10026 bytes in a message set
    await produce(sim, TOPIC, 0, ['y'.repeat(10_000)]);
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    const first = await py.run((c) => c.getMessage());
    expect(first?.offset).toBe(0);
    const second = await py.run((c) => c.getMessage());
    expect(second?.offset).toBe(1);
    expect(fetches(py.requests).map((f) => `${f.partitions[0]!.fetchOffset}/${f.partitions[0]!.fetchSize}`)).toEqual([
      '0/4096',
      '0/8192',
      '0/16384', // 10026 + the partial first bytes of the second message
      '1/4096', // a new _fetch starts from buffer_size again
      '1/8192',
      '1/16384',
    ]);
    expect(py.consumer.stats.bufferGrowths.map((g) => [g.offset, g.from, g.to])).toEqual([
      [0, 4096, 8192],
      [0, 8192, 16384],
      [1, 4096, 8192],
      [1, 8192, 16384],
    ]);
  });

  it('a message larger than max_buffer_size raises FetchSizeTooSmallError once the fetch size reached 32768; null means no limit', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    await produce(sim, TOPIC, 0, ['z'.repeat(40_000)]);
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    const error = await py.run((c) => c.getMessage()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchSizeTooSmallError);
    expect(error).toMatchObject({ topic: TOPIC, partition: 0, offset: 0, fetchSize: 32768 });
    expect(fetches(py.requests).map((f) => f.partitions[0]!.fetchSize)).toEqual([4096, 8192, 16384, 32768]);

    const unlimited = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false, maxBufferSize: null }, 'python-2');
    expect((await unlimited.run((c) => c.getMessage()))?.offset).toBe(0);
    expect(fetches(unlimited.requests).map((f) => f.partitions[0]!.fetchSize)).toEqual([4096, 8192, 16384, 32768, 65536]);
  });

  it('a trailing partial message is dropped and fetched again from its offset', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    await produce(sim, TOPIC, 0, ['a'.repeat(1000), 'b'.repeat(1000), 'c'.repeat(1000)]); // 1026 bytes each
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false, bufferSize: 2500 });
    const messages = await py.run((c) => c.getMessages(3, { timeoutMs: 1000 }));
    expect(messages.map((m) => m.offset)).toEqual([0, 1, 2]);
    expect(fetches(py.requests).map((f) => f.partitions[0]!.fetchOffset)).toEqual([0, 2]);
    expect(py.consumer.stats.bufferGrowths).toEqual([]);
  });
});

describe('PartitionConsumer: seek', () => {
  async function threePartitions() {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 3, replicationFactor: 2 }] });
    for (let p = 0; p < 3; p++) await produceMany(sim, TOPIC, p, 10, `p${p}-`);
    return sim;
  }

  it('whence 0 / 2 spread the total offset across the partitions (Python divmod); seek(-10, 2) is 10 messages back in total', async () => {
    const sim = await threePartitions();
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    await py.run((c) => c.seek(0, 2));
    expect(offsetsOf(py.consumer)).toEqual({ 0: 10, 1: 10, 2: 10 });
    await py.run((c) => c.seek(-10, 2)); // divmod(-10, 3) = (-4, 2): the first two get -3, the last -4
    expect(offsetsOf(py.consumer)).toEqual({ 0: 7, 1: 7, 2: 6 });
    const tail = await py.run((c) => c.getMessages(20, { timeoutMs: 500 }));
    expect(show(tail).sort()).toEqual(['0:7:p0-7', '0:8:p0-8', '0:9:p0-9', '1:7:p1-7', '1:8:p1-8', '1:9:p1-9', '2:6:p2-6', '2:7:p2-7', '2:8:p2-8', '2:9:p2-9']);
    await py.run((c) => c.seek(5, 0)); // divmod(5, 3) = (1, 2)
    expect(offsetsOf(py.consumer)).toEqual({ 0: 2, 1: 2, 2: 1 });
    await py.run((c) => c.seek(0, 0));
    expect(offsetsOf(py.consumer)).toEqual({ 0: 0, 1: 0, 2: 0 });
  });

  it('whence 1 moves every position; whence null is absolute; a partition limits either to it', async () => {
    const sim = await threePartitions();
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    await py.run((c) => c.seek(4, 1));
    await py.run((c) => c.seek(-1, 1));
    expect(offsetsOf(py.consumer)).toEqual({ 0: 3, 1: 3, 2: 3 });
    await py.run((c) => c.seek(8, null, 1));
    await py.run((c) => c.seek(2, 1, 2));
    expect(offsetsOf(py.consumer)).toEqual({ 0: 3, 1: 8, 2: 5 });
    await py.run((c) => c.seek(-2, 2, 0));
    expect(offsetsOf(py.consumer)).toEqual({ 0: 8, 1: 8, 2: 5 });
    await py.run((c) => c.seek(6));
    expect(offsetsOf(py.consumer)).toEqual({ 0: 6, 1: 6, 2: 6 });
  });

  it('seek drops prefetched messages, counts as a change and commits at once when auto-committing', async () => {
    const sim = await threePartitions();
    const py = await python(sim, { group: 'g', topic: TOPIC });
    const first = await py.run((c) => c.getMessage());
    expect(first).toMatchObject({ offset: 0 });
    expect(py.consumer.prefetched).toBe(29); // one fetch per partition leader, 10 messages each
    await py.run((c) => c.seek(-3, 2));
    expect(py.consumer.prefetched).toBe(0);
    expect([0, 1, 2].map((p) => zkOffset(sim, 'g', TOPIC, p))).toEqual([9, 9, 9]);
    expect(py.consumer.stats.commits.map((c) => c.by)).toEqual(['seek']);
    expect(py.consumer.countSinceCommit).toBe(0);
  });

  it('rejects a bad whence or a partition the consumer does not read', async () => {
    const sim = await threePartitions();
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false, partitions: [0, 1] });
    const bad = await py.run((c) => c.seek(0, 3 as never)).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad).toMatchObject({ key: 'whence', allowed: '0 (from the earliest offset), 1 (from the current position), 2 (from the latest offset) or null (absolute)' });
    const other = await py.run((c) => c.seek(0, 0, 2)).catch((e: unknown) => e);
    expect(other).toMatchObject({ key: 'partition', allowed: "one of this consumer's partitions (0, 1)" });
  });
});

describe('PartitionConsumer: commits', () => {
  it('auto-commits every N messages (the next offset to consume), visible in ZooKeeper', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 30, 'm');
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommitEveryN: 10, autoCommitEveryT: null });
    const seen: Array<number | undefined> = [];
    for (let i = 0; i < 25; i++) {
      await py.run((c) => c.getMessage());
      seen.push(zkOffset(sim, 'g', TOPIC, 0));
    }
    expect(seen.slice(0, 9)).toEqual(Array(9).fill(undefined));
    expect(seen.slice(9, 19)).toEqual(Array(10).fill(10));
    expect(seen.slice(19)).toEqual(Array(6).fill(20));
    expect(py.consumer.countSinceCommit).toBe(5);
    // get_messages counts all it returns at once: 25 + 5 = 30 ⇒ one commit of 30.
    await py.run((c) => c.getMessages(5));
    expect(zkOffset(sim, 'g', TOPIC, 0)).toBe(30);
    expect(py.consumer.stats.commits.map((c) => [c.by, c.offsets.get(0)])).toEqual([
      ['count', 10],
      ['count', 20],
      ['count', 30],
    ]);
  });

  it('auto-commits every T ms from a timer task in virtual time, independent of the count; nothing new ⇒ no commit', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 2, replicationFactor: 2 }] });
    await produceMany(sim, TOPIC, 0, 10, 'a');
    await produceMany(sim, TOPIC, 1, 10, 'b');
    const createdAt = sim.kernel.nowMs;
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommitEveryN: null, autoCommitEveryT: 5000 });
    const readyAt = sim.kernel.nowMs; // the timer started in between
    expect(readyAt - createdAt).toBeLessThan(50);
    await py.run((c) => c.getMessages(7, { timeoutMs: 1000 }));
    const positions = offsetsOf(py.consumer);
    await sim.runUntil(() => sim.kernel.nowMs >= createdAt + 4990);
    expect(zkOffset(sim, 'g', TOPIC, 0)).toBeUndefined();
    await sim.runUntil(() => sim.kernel.nowMs >= readyAt + 5100);
    expect({ 0: zkOffset(sim, 'g', TOPIC, 0), 1: zkOffset(sim, 'g', TOPIC, 1) }).toEqual(positions);
    await py.run((c) => c.getMessages(3, { timeoutMs: 1000 }));
    await sim.runUntil(() => sim.kernel.nowMs >= readyAt + 10_200);
    expect({ 0: zkOffset(sim, 'g', TOPIC, 0), 1: zkOffset(sim, 'g', TOPIC, 1) }).toEqual(offsetsOf(py.consumer));
    await sim.runFor(10_000);
    const commits = py.consumer.stats.commits;
    expect(commits.map((c) => c.by)).toEqual(['timer', 'timer']);
    expect(commits[0]!.atMs - createdAt).toBeGreaterThanOrEqual(5000);
    expect(commits[1]!.atMs - commits[0]!.atMs).toBeGreaterThanOrEqual(5000);
    expect(commits[1]!.atMs - commits[0]!.atMs).toBeLessThan(5100);
  });

  it('stop() commits when there is a timer; 0.9.5 commits nothing on stop() when auto_commit is off', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    await produceMany(sim, TOPIC, 0, 10, 'm');
    const auto = await python(sim, { group: 'auto', topic: TOPIC });
    await auto.run((c) => c.getMessages(4));
    expect(zkOffset(sim, 'auto', TOPIC, 0)).toBeUndefined();
    await auto.run((c) => c.stop());
    expect(zkOffset(sim, 'auto', TOPIC, 0)).toBe(4);

    const manual = await python(sim, { group: 'manual', topic: TOPIC, autoCommit: false }, 'python-2');
    await manual.run((c) => c.getMessages(4));
    await manual.run((c) => c.stop());
    expect(zkOffset(sim, 'manual', TOPIC, 0)).toBeUndefined();
    expect(await manual.run((c) => c.commit())).toBe(true);
    expect(zkOffset(sim, 'manual', TOPIC, 0)).toBe(4);
    expect(await manual.run((c) => c.commit())).toBeUndefined(); // nothing new to commit
  });

  it('a crash after reading but before the commit redelivers the uncommitted messages on restart (at least once)', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 30, 'm');
    const processed: number[] = [];
    const first = await python(sim, { group: 'g', topic: TOPIC, autoCommitEveryN: 10, autoCommitEveryT: null }, 'worker-1');
    for (let i = 0; i < 15; i++) processed.push((await first.run((c) => c.getMessage()))!.offset);
    expect(zkOffset(sim, 'g', TOPIC, 0)).toBe(10);
    crashClient(sim, 'worker-1');
    const second = await python(sim, { group: 'g', topic: TOPIC, autoCommitEveryN: 10, autoCommitEveryT: null }, 'worker-2');
    expect(offsetsOf(second.consumer)).toEqual({ 0: 10 });
    for (const m of await second.run((c) => c.getMessages(20, { timeoutMs: 500 }))) processed.push(m.offset);
    const redelivered = processed.filter((offset, i) => processed.indexOf(offset) !== i);
    expect(redelivered).toEqual([10, 11, 12, 13, 14]);
    expect(new Set(processed).size).toBe(30);
  });

  it('a commit before processing loses what was not processed when the consumer crashes (at most once), manual or by the timer', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 20, 'm');
    // Manual: take 5, commit, then process — and crash after processing 2.
    const manual = await python(sim, { group: 'manual', topic: TOPIC, autoCommit: false }, 'worker-1');
    const processed: number[] = [];
    const batch = await manual.run((c) => c.getMessages(5));
    await manual.run((c) => c.commit());
    processed.push(batch[0]!.offset, batch[1]!.offset);
    crashClient(sim, 'worker-1');
    const after = await python(sim, { group: 'manual', topic: TOPIC, autoCommit: false }, 'worker-2');
    for (const m of await after.run((c) => c.getMessages(20, { timeoutMs: 500 }))) processed.push(m.offset);
    expect(Array.from({ length: 20 }, (_, i) => i).filter((o) => !processed.includes(o))).toEqual([2, 3, 4]);

    // The timer: get_messages moves the position to 5 at once; processing takes 2 s a message and
    // the 1 s timer commits 5 meanwhile; the crash comes while message 1 is being processed.
    const timed = await python(sim, { group: 'timed', topic: TOPIC, autoCommitEveryN: null, autoCommitEveryT: 1000 }, 'worker-3');
    const done: number[] = [];
    startOn(sim, 'worker-3', 'process', async () => {
      for (const m of await timed.consumer.getMessages(5)) {
        await timed.runtime.sleep(2000);
        done.push(m.offset);
      }
    });
    await sim.runUntil(() => done.length === 1);
    expect(zkOffset(sim, 'timed', TOPIC, 0)).toBe(5);
    crashClient(sim, 'worker-3');
    const restarted = await python(sim, { group: 'timed', topic: TOPIC, autoCommitEveryN: null, autoCommitEveryT: 1000 }, 'worker-4');
    const next = await restarted.run((c) => c.getMessage());
    expect(next?.offset).toBe(5); // offsets 1..4 were never processed
  });

  it('a failed commit (its leader unreachable) returns false and keeps the count', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    await produceMany(sim, TOPIC, 0, 5, 'm');
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    await py.run((c) => c.getMessages(3));
    sim.applyFault({ kind: 'broker-crash', broker: sim.leaderOf(TOPIC, 0)! });
    expect(await py.run((c) => c.commit())).toBe(false);
    expect(py.consumer.countSinceCommit).toBe(3);
    expect(py.consumer.stats.commits.map((c) => c.ok)).toEqual([false]);
  });
});

describe('PartitionConsumer: OffsetOutOfRange (0.9.4+ auto_offset_reset)', () => {
  async function savedBeyondTheEnd(autoOffsetReset: PartitionConsumerOptions['autoOffsetReset']) {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 30, 'm');
    const seeder = await python(sim, { group: 'g', topic: TOPIC }, 'seeder');
    await seeder.run((c) => c.seek(100)); // commits 100 at once
    expect(zkOffset(sim, 'g', TOPIC, 0)).toBe(100);
    return { sim, py: await python(sim, { group: 'g', topic: TOPIC, autoOffsetReset }) };
  }

  it("'largest' jumps to the high watermark, without committing", async () => {
    const { sim, py } = await savedBeyondTheEnd('largest');
    expect(offsetsOf(py.consumer)).toEqual({ 0: 100 });
    expect(await py.run((c) => c.getMessage())).toBeUndefined();
    expect(py.consumer.stats.offsetResets).toEqual([{ partition: 0, from: 100, to: 30, policy: 'largest' }]);
    expect(offsetsOf(py.consumer)).toEqual({ 0: 30 });
    expect(zkOffset(sim, 'g', TOPIC, 0)).toBe(100);
    await produce(sim, TOPIC, 0, ['after']);
    expect(await py.run((c) => c.getMessage({ timeoutMs: 1000 }))).toMatchObject({ offset: 30, value: 'after' });
  });

  it("'smallest' goes back to the log start; null raises OffsetOutOfRangeError", async () => {
    const smallest = await savedBeyondTheEnd('smallest');
    expect(await smallest.py.run((c) => c.getMessage())).toMatchObject({ offset: 0, value: 'm0' });
    const raising = await savedBeyondTheEnd(null);
    await expect(raising.py.run((c) => c.getMessage())).rejects.toBeInstanceOf(OffsetOutOfRangeError);
  });
});

describe('PartitionConsumer: a leader crash', () => {
  it('retries the failed partition at once, reloading metadata each time, until the new leader answers', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 10, 'm');
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    expect(await py.run((c) => c.getMessages(10))).toHaveLength(10);
    await sim.runFor(1000); // the followers learn the high watermark (10) from their next fetch
    const leader = sim.leaderOf(TOPIC, 0)!;
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    const metadataBefore = py.requests.filter((r) => r.api === 'Metadata').length;
    const pending = startOn(sim, py.node, 'get', () => py.consumer.getMessage({ timeoutMs: 30_000 }));
    await sim.runUntil(() => sim.leaderOf(TOPIC, 0) !== undefined && sim.leaderOf(TOPIC, 0) !== leader, { maxSteps: 50_000_000 });
    await produce(sim, TOPIC, 0, ['after']);
    await sim.runUntil(() => pending.settled, { maxSteps: 50_000_000 });
    expect(pending.result()).toMatchObject({ offset: 10, value: 'after' });
    // No backoff: a metadata reload per failed attempt (the dead leader refuses in a few ms).
    expect(py.requests.filter((r) => r.api === 'Metadata').length - metadataBefore).toBeGreaterThan(100);
  });
});

describe('PartitionConsumer: right after a failover', () => {
  it("raises UnknownError (-1) from get_message when it fetches between the new leader's high watermark and its log end", async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 10, 'm');
    const py = await python(sim, { group: 'g', topic: TOPIC, autoCommit: false });
    expect(await py.run((c) => c.getMessages(10))).toHaveLength(10);
    // Crash at once: the followers have all 10 messages but have not yet learnt that the high
    // watermark reached 10 (they learn it from their next fetch response).
    const leader = sim.leaderOf(TOPIC, 0)!;
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    const pending = startOn(sim, py.node, 'get', () => py.consumer.getMessage({ timeoutMs: 30_000 }));
    await sim.runUntil(() => sim.leaderOf(TOPIC, 0) !== undefined && sim.leaderOf(TOPIC, 0) !== leader, { maxSteps: 50_000_000 });
    const newLeader = sim.leaderOf(TOPIC, 0)!;
    expect(sim.replica(newLeader, TOPIC, 0)!.highWatermark).toBeLessThan(10);
    await produce(sim, TOPIC, 0, ['after']);
    await sim.runUntil(() => pending.settled, { maxSteps: 50_000_000 });
    expect(pending.error).toMatchObject({ name: 'UnknownServerError', code: -1 });
  });
});

describe('PartitionConsumer: bad options', () => {
  it('rejects each bad option with a ConfigError naming it and the allowed values', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    const { runtime } = recordingRuntime(sim, 'python');
    const client = await runOn(sim, 'python', 'create', () => KafkaClient.create(runtime, sim.bootstrapServers));
    const base: PartitionConsumerOptions = { group: 'g', topic: TOPIC };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ autoOffsetReset: 'earliest' }, 'autoOffsetReset', "'largest', 'smallest' or null (raise OffsetOutOfRangeError)"],
      [{ bufferSize: 65536 }, 'bufferSize', 'at most maxBufferSize (32768)'],
      [{ autoCommitEveryT: 0 }, 'autoCommitEveryT', 'a positive integer (ms) or null'],
      [{ autoCommitEveryN: -5 }, 'autoCommitEveryN', 'a positive integer (messages) or null'],
      [{ group: '' }, 'group', 'a non-empty group name or null'],
      [{ group: null }, 'autoCommit', 'false when group is null (offsets are committed under the group)'],
      [{ partitions: ['0'] }, 'partitions', 'an array of partition ids (non-negative integers)'],
      [{ maxBufferSize: 0 }, 'maxBufferSize', 'a positive integer (bytes) or null (no limit)'],
      [{ fetchSizeBytes: -1 }, 'fetchSizeBytes', 'a non-negative integer (bytes)'],
      [{ iterTimeoutMs: 0 }, 'iterTimeoutMs', 'a positive integer (ms) or null'],
      [{ auto_commit: false }, 'auto_commit', 'not set: it is not an option'],
      [{ topic: 7 }, 'topic', 'a non-empty topic name'],
    ];
    for (const [override, key, allowed] of cases) {
      const error = await PartitionConsumer.create(runtime, client, { ...base, ...override } as PartitionConsumerOptions).catch((e: unknown) => e);
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key, key).toBe(key);
      expect((error as ConfigError).allowed, key).toContain(allowed);
    }
    await expect(KafkaClient.create(runtime, '')).rejects.toMatchObject({ key: 'hosts' });
  });
});
