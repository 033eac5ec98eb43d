/**
 * The seed article's Java partition consumer (`PartitionConsumerTest`) as `readPartition`:
 * reading, surviving (or not) a leader crash, OffsetOutOfRange resets, fetch sizes too small for
 * a message, the leader search, and bad options.
 */
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../../src/broker/simulation.ts';
import { BrokerConnectionError, ConfigError } from '../../src/client/errors.ts';
import {
  findLeader,
  findNewLeader,
  PartitionReadAbortedError,
  readPartition,
  type PartitionReadReport,
  type ReadPartitionOptions,
} from '../../src/client/partition-failover.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import { cluster, logValues, produce, produceMany, runOn, runtimeOn, startOn } from './consumer-harness.ts';

const TOPIC = 'jiketest';

function seeds(sim: Simulation) {
  return [...sim.brokers.keys()].map((id) => sim.endpointOf(id));
}

/** Starts readPartition on node `consumer`, collecting "offset:value" of every message. */
function startReading(sim: Simulation, options: Omit<ReadPartitionOptions, 'seedBrokers'> & { node?: string; processMs?: number }) {
  const node = options.node ?? 'consumer';
  const runtime = runtimeOn(sim, node);
  const values: string[] = [];
  const { node: _node, processMs, ...rest } = options;
  const task = startOn(sim, node, `readPartition ${options.topic}-${options.partition}`, () =>
    readPartition(runtime, {
      seedBrokers: seeds(sim),
      ...rest,
      onMessage: async (m) => {
        values.push(`${m.offset}:${payloadToString(m.value)}`);
        if (processMs !== undefined) await runtime.sleep(processMs);
      },
    }),
  );
  return { task, values };
}

const range = (prefix: string, from: number, to: number, offsetBase = from) =>
  Array.from({ length: to - from }, (_, i) => `${offsetBase + i}:${prefix}${from + i}`);

describe('readPartition: the article’s loop on a healthy cluster', () => {
  it('starts at the earliest offset and hands out every message in order; maxReads is only checked between fetches', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 25, 'm');
    const { task, values } = startReading(sim, { topic: TOPIC, partition: 0, maxReads: 10 });
    await sim.runUntil(() => task.settled);
    const report = task.result();
    // One fetch of up to 100000 bytes returns all 25 messages, and the for-loop hands all of them
    // out although maxReads reached 0 after the tenth.
    expect(values).toEqual(range('m', 0, 25));
    expect(report).toMatchObject({ startOffset: 0, nextOffset: 25, messagesRead: 25, fetches: 1, emptyFetches: 0, errors: [], endedBy: 'maxReads' });
    expect(report.leader).toBe(`broker-${sim.leaderOf(TOPIC, 0)}:9092`);
  });

  it("startAt 'latest' begins at the high watermark, a saved offset where it says; an empty fetch sleeps 1 s", async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 25, 'm');
    const latest = startReading(sim, { topic: TOPIC, partition: 0, maxReads: 2, startAt: 'latest', node: 'latest-reader' });
    const saved = startReading(sim, { topic: TOPIC, partition: 0, maxReads: 5, startAt: 20, node: 'saved-reader' });
    await sim.runUntil(() => saved.task.settled);
    expect(saved.values).toEqual(range('m', 20, 25));
    await sim.runFor(3500);
    expect(latest.task.settled).toBe(false);
    await produce(sim, TOPIC, 0, ['a', 'b']);
    await sim.runUntil(() => latest.task.settled);
    expect(latest.values).toEqual(['25:a', '26:b']);
    const report = latest.task.result();
    expect(report.startOffset).toBe(25);
    // Nothing to read for ~3.5 s: one empty fetch and a 1 s sleep at a time.
    expect(report.emptyFetches).toBe(4);
    expect(report.fetches).toBe(5);
  });
});

describe('readPartition: a leader crash', () => {
  it('survives a crash of the leader mid-read: the loop finds the new leader and goes on where it was', async () => {
    // A 4000 ms ZooKeeper session (the least ZooKeeper grants with tickTime 2000): the controller
    // replaces the crashed leader within the loop's error budget (see the next test for 6000).
    const sim = await cluster({
      topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }],
      brokerConfig: { 'zookeeper.session.timeout.ms': 4000 },
    });
    await produceMany(sim, TOPIC, 0, 40, 'm');
    const oldLeader = sim.leaderOf(TOPIC, 0)!;
    // fetchSize 300: ten of these messages per fetch; processing takes 100 ms a message.
    const { task, values } = startReading(sim, { topic: TOPIC, partition: 0, maxReads: 50, fetchSize: 300, processMs: 100 });
    await sim.runUntil(() => values.length === 15);
    sim.applyFault({ kind: 'broker-crash', broker: oldLeader });
    await sim.runUntil(() => task.settled || values.length === 40, { maxSteps: 20_000_000 });
    const newLeader = sim.leaderOf(TOPIC, 0)!;
    expect(newLeader).not.toBe(oldLeader);
    await produceMany(sim, TOPIC, 0, 10, 'n');
    await sim.runUntil(() => task.settled, { maxSteps: 20_000_000 });
    const report = task.result();

    expect(values).toEqual([...range('m', 0, 40), ...range('n', 0, 10, 40)]);
    expect(report.messagesRead).toBe(50);
    expect(report.nextOffset).toBe(50);
    expect(report.leaderChanges).toEqual([{ atMs: expect.any(Number), from: `broker-${oldLeader}:9092`, to: `broker-${newLeader}:9092` }]);
    expect(report.leader).toBe(`broker-${newLeader}:9092`);
    // Four fetches failed (connection refused: the crashed broker's port is closed) while the
    // metadata still named the dead leader; the fifth went to the new one.
    expect(report.errors.map((e) => [e.errorCode, e.reason, e.consecutive])).toEqual([
      [undefined, 'refused', 1],
      [undefined, 'refused', 2],
      [undefined, 'refused', 3],
      [undefined, 'refused', 4],
    ]);
    // After errors 1-3: "same leader" on try 1 (sleep), accepted on try 2; after error 4: same on
    // try 1, the new leader on try 2.
    expect(report.events.filter((e) => e.kind === 'same-leader')).toHaveLength(7);
    expect(report.endedBy).toBe('maxReads');
  });

  it('with the 0.8.2 default session timeout (6000 ms) the loop gives up (numErrors > 5) before the controller moves leadership', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 20, 'm');
    const leader = sim.leaderOf(TOPIC, 0)!;
    const { task, values } = startReading(sim, { topic: TOPIC, partition: 0 });
    await sim.runUntil(() => values.length === 20);
    // Crash just after ZooKeeper heard from the leader: its session expires exactly 6000 ms later.
    const [session] = sim.zookeeper.sessionsOf(`broker-${leader}`);
    const heard = sim.zookeeper.state.sessions[session!]!.lastHeardMs;
    await sim.runUntil(() => sim.zookeeper.state.sessions[session!]!.lastHeardMs > heard);
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    const crashedAt = sim.kernel.nowMs;
    await sim.runUntil(() => task.settled, { maxSteps: 20_000_000 });
    const gaveUpAt = task.settledAtMs!;
    await sim.runUntil(() => sim.leaderOf(TOPIC, 0) !== undefined, { maxSteps: 20_000_000 });
    const electedAt = sim.kernel.nowMs;

    const error = task.error as PartitionReadAbortedError;
    expect(error).toBeInstanceOf(PartitionReadAbortedError);
    expect(error.reason).toBe('too-many-errors');
    expect(error.cause).toBeInstanceOf(BrokerConnectionError);
    const report = error.report!;
    expect(report.errors.map((e) => e.consecutive)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(report.leaderChanges).toEqual([]);
    expect(report).toMatchObject({ messagesRead: 20, nextOffset: 20, endedBy: 'aborted' });
    // Six errors, five leader searches of ~1 s each: the loop's budget is about 5 s.
    expect(gaveUpAt - crashedAt).toBeGreaterThan(5000);
    expect(gaveUpAt - crashedAt).toBeLessThan(5300);
    expect(electedAt - crashedAt).toBeGreaterThanOrEqual(6000);
    expect(electedAt).toBeGreaterThan(gaveUpAt);
  });

  it("connectionErrors: 'throw' is the article's code as written: the first fetch after the crash throws", async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 5, 'm');
    const leader = sim.leaderOf(TOPIC, 0)!;
    const { task, values } = startReading(sim, { topic: TOPIC, partition: 0, connectionErrors: 'throw' });
    await sim.runUntil(() => values.length === 5);
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    await sim.runUntil(() => task.settled);
    // SimpleConsumer.fetch retried once after reconnecting (refused) and threw.
    expect(task.error).toBeInstanceOf(BrokerConnectionError);
    expect((task.error as BrokerConnectionError).reason).toBe('refused');
    expect((task.error as BrokerConnectionError).address).toBe(`broker-${leader}:9092`);
  });
});

describe('readPartition: OffsetOutOfRange resets to the latest offset', () => {
  it('a saved offset beyond the log end is reset to the high watermark (70 offsets back)', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produceMany(sim, TOPIC, 0, 30, 'm');
    const { task, values } = startReading(sim, { topic: TOPIC, partition: 0, maxReads: 5, startAt: 100 });
    await sim.runFor(500);
    await produceMany(sim, TOPIC, 0, 5, 'n');
    await sim.runUntil(() => task.settled);
    const report = task.result();
    expect(report.offsetResets).toEqual([{ atMs: expect.any(Number), from: 100, to: 30, skipped: 0, rewound: 70 }]);
    expect(report.offsetsSkippedByResets).toBe(0);
    expect(report.errors.map((e) => [e.errorCode, e.reason])).toEqual([[1, 'OffsetOutOfRange']]);
    expect(values).toEqual(range('n', 0, 5, 30));
  });

  /**
   * Topic with replicas [L, F]. F is cut off from L until L drops it from the ISR; L takes 10
   * more messages (30 in all) and a consumer reads them all: its saved offset is 30. L crashes:
   * the controller elects F although it is not in the ISR (unclean election, the 0.8.2 default);
   * F's log ends at 20.
   */
  async function uncleanElection() {
    const sim = await cluster({ topics: [{ name: 'u', partitions: 1, replicationFactor: 2 }] });
    const L = sim.leaderOf('u', 0)!;
    const F = sim.replica(L, 'u', 0)!.assignedReplicas.find((r) => r !== L)!;
    await produceMany(sim, 'u', 0, 20, 'm');
    sim.applyFault({ kind: 'partition', groups: [[`broker-${L}`], [`broker-${F}`]] });
    await sim.runUntil(() => sim.replica(L, 'u', 0)!.isr.length === 1, { maxSteps: 20_000_000 });
    await produceMany(sim, 'u', 0, 10, 'x');
    const first = startReading(sim, { topic: 'u', partition: 0, maxReads: 30, node: 'first-consumer' });
    await sim.runUntil(() => first.task.settled);
    expect(first.task.result().nextOffset).toBe(30);
    sim.applyFault({ kind: 'broker-crash', broker: L });
    sim.applyFault({ kind: 'heal' });
    await sim.runUntil(() => sim.leaderOf('u', 0) === F, { maxSteps: 20_000_000 });
    expect(logValues(sim, F, 'u', 0)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    return { sim, F };
  }

  it('after an unclean election the saved offset is beyond the new log end: the reset goes back 5 offsets and the 5 messages written since the election are never read', async () => {
    const { sim, F } = await uncleanElection();
    await produce(sim, 'u', 0, ['p0', 'p1', 'p2', 'p3', 'p4']); // offsets 20..24 on F
    const { task, values } = startReading(sim, { topic: 'u', partition: 0, maxReads: 3, startAt: 30 });
    await sim.runFor(500);
    await produce(sim, 'u', 0, ['q0', 'q1', 'q2']); // offsets 25..27
    await sim.runUntil(() => task.settled);
    const report = task.result();
    expect(report.offsetResets).toEqual([{ atMs: expect.any(Number), from: 30, to: 25, skipped: 0, rewound: 5 }]);
    expect(values).toEqual(['25:q0', '26:q1', '27:q2']);
    const log = logValues(sim, F, 'u', 0);
    const neverRead = log.filter((v, offset) => offset >= 20 && !values.includes(`${offset}:${v}`));
    expect(neverRead).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('when the new leader already wrote past the saved offset there is no error at all: offsets 20..29 are skipped silently', async () => {
    const { sim } = await uncleanElection();
    await produceMany(sim, 'u', 0, 12, 'p'); // offsets 20..31 on F
    const { task, values } = startReading(sim, { topic: 'u', partition: 0, maxReads: 2, startAt: 30 });
    await sim.runUntil(() => task.settled);
    const report = task.result();
    expect(report.errors).toEqual([]);
    expect(report.offsetResets).toEqual([]);
    expect(values).toEqual(['30:p10', '31:p11']); // p0..p9 (offsets 20..29) are never read
  });
});

describe('readPartition: a fetch size smaller than one message', () => {
  it('gets only part of the message, never a complete one: the loop sleeps and asks again, forever', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 3 }] });
    await produce(sim, TOPIC, 0, ['x'.repeat(100)]); // 12 + 14 + 100 = 126 bytes in a message set
    const runtime = runtimeOn(sim, 'consumer');
    const startedAt = sim.kernel.nowMs;
    const { task, values } = startReading(sim, {
      topic: TOPIC,
      partition: 0,
      fetchSize: 100,
      shouldStop: () => runtime.nowMs() - startedAt >= 10_000,
    });
    await sim.runUntil(() => task.settled);
    const report: PartitionReadReport = task.result();
    expect(values).toEqual([]);
    expect(report).toMatchObject({ messagesRead: 0, nextOffset: 0, fetches: 10, emptyFetches: 10, partialOnlyFetches: 10, errors: [], endedBy: 'shouldStop' });
    expect(report.events.filter((e) => e.kind === 'nothing-read')[0]!.text).toContain('does not fit in the fetch size (100 bytes)');
  });
});

describe('findLeader and findNewLeader', () => {
  it('findLeader skips a seed that does not answer and returns the leader and the live replicas', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 2, replicationFactor: 2 }] });
    const leader = sim.leaderOf(TOPIC, 1)!;
    const dead = [1, 2, 3].find((b) => b !== leader)!;
    sim.applyFault({ kind: 'broker-crash', broker: dead });
    const events: string[] = [];
    const runtime = runtimeOn(sim, 'consumer');
    const found = await runOn(sim, 'consumer', 'findLeader', () =>
      findLeader(runtime, [sim.endpointOf(dead), sim.endpointOf(leader)], TOPIC, 1, { onEvent: (e) => events.push(e.kind) }),
    );
    expect(events).toEqual(['leader-lookup-failed']);
    expect(found!.leader).toEqual(sim.endpointOf(leader));
    expect(found!.answeredBy).toBe(`broker-${leader}:9092`);
    expect(found!.replicas.map((r) => r.id).sort()).toEqual([...sim.replica(leader, TOPIC, 1)!.assignedReplicas].sort());
  });

  it('findLeader answers undefined for a partition no broker knows', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    const runtime = runtimeOn(sim, 'consumer');
    const found = await runOn(sim, 'consumer', 'findLeader', () => findLeader(runtime, seeds(sim), TOPIC, 7));
    expect(found).toBeUndefined();
    await expect(runOn(sim, 'consumer', 'read', () => readPartition(runtime, { seedBrokers: seeds(sim), topic: TOPIC, partition: 7 }))).rejects.toMatchObject({
      name: 'PartitionReadAbortedError',
      reason: 'no-metadata',
      message: "Can't find metadata for Topic and Partition. Exiting",
    });
  });

  it('findNewLeader accepts the old leader on the second try, and throws after three tries without a leader', async () => {
    const sim = await cluster({ topics: [{ name: 'one', partitions: 1, replicationFactor: 1 }] });
    const only = sim.leaderOf('one', 0)!;
    const runtime = runtimeOn(sim, 'consumer');
    const t0 = sim.kernel.nowMs;
    const same = await runOn(sim, 'consumer', 'findNewLeader', () =>
      findNewLeader(runtime, { oldLeader: sim.endpointOf(only), replicaBrokers: seeds(sim), topic: 'one', partition: 0 }),
    );
    expect(same.leader).toEqual(sim.endpointOf(only));
    expect(sim.kernel.nowMs - t0).toBeGreaterThanOrEqual(1000); // slept once ("give ZooKeeper a second")
    expect(sim.kernel.nowMs - t0).toBeLessThan(1100);

    sim.applyFault({ kind: 'broker-crash', broker: only });
    await sim.runUntil(() => sim.leaderOf('one', 0) === undefined && sim.controllerId !== undefined);
    await sim.runFor(10_000); // the controller marks the partition offline, UpdateMetadata reaches the others
    const t1 = sim.kernel.nowMs;
    const events: string[] = [];
    await expect(
      runOn(sim, 'consumer', 'findNewLeader', () =>
        findNewLeader(runtime, { oldLeader: sim.endpointOf(only), replicaBrokers: seeds(sim), topic: 'one', partition: 0, onEvent: (e) => events.push(e.kind) }),
      ),
    ).rejects.toMatchObject({ name: 'PartitionReadAbortedError', reason: 'no-new-leader', message: 'Unable to find new leader after Broker failure. Exiting' });
    expect(events.filter((k) => k === 'no-leader-yet')).toHaveLength(3);
    expect(sim.kernel.nowMs - t1).toBeGreaterThanOrEqual(3000);
  });
});

describe('readPartition: bad options', () => {
  it('rejects each bad option with a ConfigError naming it and what is allowed, before any request', async () => {
    const sim = await cluster({ topics: [{ name: TOPIC, partitions: 1, replicationFactor: 1 }] });
    const runtime = runtimeOn(sim, 'consumer');
    const base = { seedBrokers: seeds(sim), topic: TOPIC, partition: 0 };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ partition: -1 }, 'partition', 'a non-negative integer'],
      [{ startAt: 'middle' }, 'startAt', "'earliest', 'latest' or a non-negative offset"],
      [{ fetchSize: '100000' }, 'fetchSize', 'a non-negative integer (bytes)'],
      [{ maxReads: 1.5 }, 'maxReads', 'a non-negative integer (default: no limit)'],
      [{ connectionErrors: 'retry' }, 'connectionErrors', "'failover' or 'throw'"],
      [{ seedBrokers: [] }, 'seedBrokers', 'a non-empty array of brokers ({ host, port } or "host:port")'],
      [{ seedBrokers: ['broker-1:port'] }, 'seedBrokers', 'host:port (a port from 1 to 65535)'],
      [{ maxread: 10 }, 'maxread', 'not set: it is not an option'],
    ];
    for (const [override, key, allowed] of cases) {
      const attempt = readPartition(runtime, { ...base, ...override } as unknown as ReadPartitionOptions);
      const error = await attempt.catch((e: unknown) => e);
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe(key);
      expect((error as ConfigError).allowed).toContain(allowed);
    }
  });
});
