/**
 * The high-level consumer in 'coordinator' mode (`group.coordination=coordinator`): the API of the
 * 0.8 connector (`createMessageStreams`, streams, `commitOffsets`, `shutdown`) with its membership
 * run by the brokers' group coordinator: FindCoordinator, JoinGroup/SyncGroup with kafkasim's
 * range/roundrobin assignors on the elected leader, Heartbeat, LeaveGroup, offsets committed to
 * and fetched from the coordinator. The brokers' coordinator waits
 * `group.initial.rebalance.delay.ms` (3,000) before the first generation of an empty group.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation, type TopicSpec } from '../../../src/broker/simulation.ts';
import { assignPartitions, type AssignmentStrategy } from '../../../src/client/assignors.ts';
import { ConfigError, GroupJoinFailedError } from '../../../src/client/errors.ts';
import { resolveConsumerConfig, type ConsumerConfigInput } from '../../../src/client/group/config.ts';
import { ZookeeperConsumerConnector } from '../../../src/client/group/connector.ts';
import { createConsumerConnector } from '../../../src/client/group/consumer-connector.ts';
import { CoordinatorConsumerConnector } from '../../../src/client/group/coordinator-connector.ts';
import { Producer } from '../../../src/client/producer/producer.ts';
import type { BrokerConnection, Runtime } from '../../../src/client/runtime.ts';
import { simRuntime } from '../../../src/client/sim-runtime.ts';
import { crashBrokerAndWait, ownedBy, runOn, runUntilWithin, startGroupConsumer, traceOf, zkChildren, type GroupMember } from '../client-harness.ts';

const NET = { latencyMs: 1, jitterMs: 0 };
const PARTITIONS = 3;

async function cluster(topics: TopicSpec[] = [{ name: 't', partitions: PARTITIONS, replicationFactor: 2 }], seed = 1): Promise<Simulation> {
  return createSimulation({ seed, brokers: 3, network: NET, topics });
}

function coordinated(sim: Simulation, extra: Record<string, string | number | boolean> = {}): Omit<ConsumerConfigInput, 'zookeeper.connect'> {
  return { 'group.id': 'g', 'auto.offset.reset': 'smallest', 'group.coordination': 'coordinator', 'bootstrap.servers': sim.bootstrapServers, ...extra };
}

/** Sends "p<p>-<i>" for i in [from, to) to every partition of `t` (acks=-1); returns what was sent. */
async function produceAll(sim: Simulation, from: number, to: number): Promise<string[]> {
  const producer = new Producer(simRuntime(sim, 'producer'), {
    'metadata.broker.list': sim.bootstrapServers,
    'request.required.acks': -1,
    'partitioner.class': (key: string) => Number(key),
  });
  const sent: string[] = [];
  const task = await runOn(sim, 'producer', 'produce', async () => {
    for (let p = 0; p < PARTITIONS; p++) {
      for (let i = from; i < to; i++) {
        await producer.send({ topic: 't', key: String(p), value: `p${p}-${i}` });
        sent.push(`p${p}-${i}`);
      }
    }
  });
  task.result();
  return sent;
}

const consumedValues = (members: readonly GroupMember[]) => members.flatMap((m) => m.consumed.map((c) => c.value)).sort();

/** What kafkasim's assignor gives each partition ("t-p" → thread id) for these members' subscriptions. */
function expectedOwners(strategy: AssignmentStrategy, subscriptions: Record<string, Record<string, number>>): Record<string, string> {
  const assignment = assignPartitions(strategy, { subscriptions, partitionsPerTopic: { t: PARTITIONS }, consumerId: Object.keys(subscriptions)[0]! });
  return Object.fromEntries(assignment.owners.map((o) => [`${o.topic}-${o.partition}`, o.owner]));
}

const ownedByAll = (members: readonly GroupMember[]) => Object.fromEntries(members.flatMap((m) => Object.entries(ownedBy(m))).sort(([a], [b]) => (a < b ? -1 : 1)));

async function shutdown(sim: Simulation, member: GroupMember): Promise<void> {
  (await runOn(sim, member.node, `${member.node} shutdown`, () => member.connector.shutdown())).result();
}

describe('a group consuming a 3-partition topic through the coordinator', () => {
  it('two members with two streams each: the range assignment kafkasim computes, every message exactly once, nothing in ZooKeeper', async () => {
    const sim = await cluster();
    const sent = await produceAll(sim, 0, 5);
    const c1 = startGroupConsumer(sim, 'c1', coordinated(sim), { t: 2 });
    const c2 = startGroupConsumer(sim, 'c2', coordinated(sim), { t: 2 });
    await runUntilWithin(sim, () => consumedValues([c1, c2]).length === sent.length, 'every message consumed');
    await sim.runFor(5000);

    expect(ownedByAll([c1, c2])).toEqual(expectedOwners('range', { g_c1: { t: 2 }, g_c2: { t: 2 } }));
    expect(ownedBy(c1)).toEqual({ 't-0': 'g_c1-0', 't-1': 'g_c1-1' });
    expect(consumedValues([c1, c2])).toEqual([...sent].sort());
    // Both members joined one generation; exactly one of them led it and ran the assignor.
    expect([c1.connector.rebalances, c2.connector.rebalances]).toEqual([1, 1]);
    expect(traceOf(sim, 'consumer.assignment')).toHaveLength(1);
    expect((c1.connector as CoordinatorConsumerConnector).membership).toMatchObject({ state: 'Stable', generationId: 1 });
    // The 0.8 registry is untouched: no /consumers/g in ZooKeeper.
    expect(zkChildren(sim, '/consumers')).toEqual([]);

    // Heartbeats every 3 s keep both members in generation 1 well past their 10 s session timeout.
    await sim.runFor(60_000);
    expect([c1.connector.rebalances, c2.connector.rebalances]).toEqual([1, 1]);
    expect((c2.connector as CoordinatorConsumerConnector).membership).toMatchObject({ state: 'Stable', generationId: 1 });
  });

  it('three members with one stream each, roundrobin: the assignment kafkasim computes, every message exactly once', async () => {
    const sim = await cluster();
    const sent = await produceAll(sim, 0, 4);
    const members = ['c1', 'c2', 'c3'].map((node) => startGroupConsumer(sim, node, coordinated(sim, { 'partition.assignment.strategy': 'roundrobin' }), { t: 1 }));
    await runUntilWithin(sim, () => consumedValues(members).length === sent.length, 'every message consumed');
    const more = await produceAll(sim, 4, 6);
    await runUntilWithin(sim, () => consumedValues(members).length === sent.length + more.length, 'the later messages consumed');

    expect(ownedByAll(members)).toEqual(expectedOwners('roundrobin', { g_c1: { t: 1 }, g_c2: { t: 1 }, g_c3: { t: 1 } }));
    expect(members.map(ownedBy)).toEqual([{ 't-0': 'g_c1-0' }, { 't-1': 'g_c2-0' }, { 't-2': 'g_c3-0' }]);
    expect(consumedValues(members)).toEqual([...sent, ...more].sort());
    expect(traceOf(sim, 'consumer.group.joined').map((r) => r.data.protocol)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });
});

describe('subscriptions roundrobin cannot assign', () => {
  it("the leader sends SyncGroup with an empty share for every member (librdkafka's mock cluster, unlike Kafka, does not fill in members left out: they would wait in SyncGroup)", async () => {
    const sim = await cluster([
      { name: 't', partitions: PARTITIONS, replicationFactor: 2 },
      { name: 'u', partitions: PARTITIONS, replicationFactor: 2 },
    ]);
    /** The assignments of every SyncGroup a leader sent. */
    const leaderSyncs: Array<readonly string[]> = [];
    const watched = (node: string): Runtime => {
      const base = simRuntime(sim, node);
      return {
        ...base,
        async connect(host, port, options) {
          const connection = await base.connect(host, port, options);
          const wrapped: BrokerConnection = {
            get address() {
              return connection.address;
            },
            get isOpen() {
              return connection.isOpen;
            },
            send(request, sendOptions) {
              if (request.api === 'SyncGroup' && request.assignments.length > 0) leaderSyncs.push(request.assignments.map((a) => a.memberId));
              return connection.send(request, sendOptions);
            },
            sendOneWay: (request) => connection.sendOneWay(request),
            close: () => connection.close(),
          };
          return wrapped;
        },
      };
    };
    const roundrobin = coordinated(sim, { 'partition.assignment.strategy': 'roundrobin' });
    const both = ['c1', 'c2'].map((node) => startGroupConsumer(sim, node, roundrobin, { t: 1, u: 1 }, { runtime: watched(node) }));
    await runUntilWithin(sim, () => both.every((m) => m.streams !== undefined), 'c1 and c2 to start');
    const c3 = startGroupConsumer(sim, 'c3', roundrobin, { t: 1 }, { runtime: watched('c3') });
    await runUntilWithin(sim, () => c3.streams !== undefined, 'c3 to start');
    expect(traceOf(sim, 'consumer.rebalance.error').length).toBeGreaterThan(0);
    expect([...both, c3].map((m) => m.connector.owned())).toEqual([[], [], []]);
    // The failed generation's SyncGroup from the leader names all three members.
    expect(leaderSyncs.at(-1)).toHaveLength(3);
  });
});

describe('rebalancing', () => {
  it('a member leaving: LeaveGroup, the other gets REBALANCE_IN_PROGRESS in a heartbeat, rejoins and takes its partitions from its last commit', async () => {
    const sim = await cluster();
    const first = await produceAll(sim, 0, 3);
    const c1 = startGroupConsumer(sim, 'c1', coordinated(sim), { t: 1 });
    const c2 = startGroupConsumer(sim, 'c2', coordinated(sim), { t: 1 });
    await runUntilWithin(sim, () => consumedValues([c1, c2]).length === first.length, 'every message consumed');
    expect(ownedBy(c2)).toEqual({ 't-2': 'g_c2-0' });

    await shutdown(sim, c2);
    expect(traceOf(sim, 'consumer.committed', 'c2').map((r) => [r.data.partition, r.data.offset])).toEqual([['t-2', 3]]);
    await runUntilWithin(sim, () => Object.keys(ownedBy(c1)).length === PARTITIONS, 'c1 to own every partition');
    expect(traceOf(sim, 'consumer.rejoin', 'c1').map((r) => r.data.error)).toEqual(['RebalanceInProgress']);
    expect(ownedBy(c1)).toEqual(expectedOwners('range', { g_c1: { t: 1 } }));
    expect((c1.connector as CoordinatorConsumerConnector).membership.generationId).toBe(2);

    const later = await produceAll(sim, 3, 5);
    await runUntilWithin(sim, () => consumedValues([c1, c2]).length === first.length + later.length, 'the later messages consumed');
    await sim.runFor(2000);
    // c1 starts t-2 where c2 committed: nothing twice, nothing lost.
    expect(consumedValues([c1, c2])).toEqual([...first, ...later].sort());
    expect(c1.consumed.filter((c) => c.partition === 2).map((c) => c.value)).toEqual(['p2-3', 'p2-4']);
  });

  it('a member paused past its session timeout is expired: the other takes everything; resumed, its heartbeat gets UNKNOWN_MEMBER_ID and it joins again', async () => {
    const sim = await cluster();
    await produceAll(sim, 0, 2);
    const config = coordinated(sim, { 'auto.commit.interval.ms': 1000 });
    const c1 = startGroupConsumer(sim, 'c1', config, { t: 1 });
    const c2 = startGroupConsumer(sim, 'c2', config, { t: 1 });
    await runUntilWithin(sim, () => c1.connector.rebalances === 1 && c2.connector.rebalances === 1, 'both members to join');

    sim.applyFault({ kind: 'pause', node: 'c2' });
    await runUntilWithin(sim, () => Object.keys(ownedBy(c1)).length === PARTITIONS, 'c1 to own every partition (c2 expired after its 10 s session)');
    sim.applyFault({ kind: 'resume', node: 'c2' });
    await runUntilWithin(sim, () => c2.connector.rebalances === 2 && c1.connector.rebalances === 3, 'both members to share the partitions again');
    expect(traceOf(sim, 'consumer.rejoin', 'c2').map((r) => [r.data.api, r.data.error])).toContainEqual(['Heartbeat', 'UnknownMemberId']);
    expect(ownedByAll([c1, c2])).toEqual(expectedOwners('range', { g_c1: { t: 1 }, g_c2: { t: 1 } }));
  });

  it('committed offsets are picked up by a new member: commitOffsets, shutdown, and a newcomer starts after them', async () => {
    const sim = await cluster();
    const first = await produceAll(sim, 0, 4);
    const c1 = startGroupConsumer(sim, 'c1', coordinated(sim, { 'auto.commit.enable': false }), { t: 1 });
    await runUntilWithin(sim, () => c1.consumed.length === first.length, 'c1 consumed everything');
    (await runOn(sim, 'c1', 'commit', () => c1.connector.commitOffsets())).result();
    expect(traceOf(sim, 'consumer.committed', 'c1').map((r) => [r.data.partition, r.data.offset])).toEqual([
      ['t-0', 4],
      ['t-1', 4],
      ['t-2', 4],
    ]);
    await shutdown(sim, c1);

    const later = await produceAll(sim, 4, 6);
    const c2 = startGroupConsumer(sim, 'c2', coordinated(sim), { t: 1 });
    await runUntilWithin(sim, () => c2.consumed.length === later.length, 'c2 consumed the later messages');
    await sim.runFor(2000);
    expect(c2.consumed.map((c) => c.value).sort()).toEqual([...later].sort());
    const completed = traceOf(sim, 'consumer.rebalance.completed', 'c2');
    expect(completed.at(-1)!.data.owned).toEqual([0, 1, 2].map((p) => ({ topic: 't', partition: p, thread: 'g_c2-0', offset: 4 })));
  });

  it('a crash of the coordinator broker: the members find the new coordinator, rejoin it and go on consuming', async () => {
    const sim = await cluster([{ name: 't', partitions: PARTITIONS, replicationFactor: 3 }]);
    const first = await produceAll(sim, 0, 3);
    const c1 = startGroupConsumer(sim, 'c1', coordinated(sim, { 'auto.commit.interval.ms': 1000, 'rebalance.backoff.ms': 200 }), { t: 1 });
    const c2 = startGroupConsumer(sim, 'c2', coordinated(sim, { 'auto.commit.interval.ms': 1000, 'rebalance.backoff.ms': 200 }), { t: 1 });
    await runUntilWithin(sim, () => consumedValues([c1, c2]).length === first.length, 'every message consumed');
    await sim.runFor(2000); // an auto-commit of everything consumed
    const coordinator = traceOf(sim, 'consumer.coordinator-found', 'c1')[0]!.data.coordinator as number;

    await crashBrokerAndWait(sim, coordinator, [0, 1, 2].map((p) => ['t', p] as const));
    const later = await produceAll(sim, 3, 6);
    const rejoined = (m: GroupMember) => m.connector.rebalances === 2 && (m.connector as CoordinatorConsumerConnector).membership.state === 'Stable';
    await runUntilWithin(sim, () => rejoined(c1) && rejoined(c2), 'both members to rejoin at the new coordinator', 180_000);
    await runUntilWithin(sim, () => new Set(consumedValues([c1, c2])).size === first.length + later.length, 'the later messages consumed', 180_000);

    for (const node of ['c1', 'c2']) {
      expect(traceOf(sim, 'consumer.coordinator-lost', node).map((r) => r.data.coordinator)).toContain(coordinator);
      const found = traceOf(sim, 'consumer.coordinator-found', node).map((r) => r.data.coordinator);
      expect(found.at(-1)).not.toBe(coordinator);
    }
    // The first request to the new coordinator (an auto-commit) is refused with ILLEGAL_GENERATION:
    // the member resets its generation, and its JoinGroup with its old member id gets
    // UNKNOWN_MEMBER_ID, after which it joins as a new member.
    for (const node of ['c1', 'c2']) {
      expect(traceOf(sim, 'consumer.rejoin', node).map((r) => [r.data.api, r.data.error])).toEqual([['OffsetCommit', 'IllegalGeneration']]);
      expect(traceOf(sim, 'consumer.rebalance.error', node).map((r) => [r.data.api, r.data.error])).toEqual([['JoinGroup', 'UnknownMemberId']]);
    }
    // The new coordinator did not know the members: they joined it afresh (generation 1 there).
    expect([c1, c2].map((m) => (m.connector as CoordinatorConsumerConnector).membership)).toMatchObject([
      { state: 'Stable', generationId: 1 },
      { state: 'Stable', generationId: 1 },
    ]);
    expect(ownedByAll([c1, c2])).toEqual(expectedOwners('range', { g_c1: { t: 1 }, g_c2: { t: 1 } }));
    // Offsets committed before the crash survive it (kept in ZooKeeper by the coordinators): nothing before them comes again.
    expect(consumedValues([c1, c2])).toEqual([...first, ...later].sort());
  });
});

describe('shutdown', () => {
  it.each([
    ['coordinator', (sim: Simulation) => coordinated(sim)],
    ['zookeeper', () => ({ 'group.id': 'g', 'auto.offset.reset': 'smallest', 'zookeeper.connect': 'zookeeper:2181' })],
  ] as const)(
    '%s mode: nothing of the consumer keeps running, not even the auto-commit scheduler waiting for its next commit (a real program would not exit until then)',
    async (_mode, config) => {
      const sim = await cluster();
      const c1 = startGroupConsumer(sim, 'c1', config(sim), { t: 1 });
      await runUntilWithin(sim, () => c1.connector.rebalances > 0, 'c1 joined');
      const scheduler = () => sim.kernel.liveTasks().filter((t) => t.name.endsWith('/kafka-consumer-scheduler'));
      expect(scheduler()).toHaveLength(1);
      const startMs = sim.kernel.nowMs;
      await shutdown(sim, c1);
      await sim.runFor(1);
      expect(scheduler()).toEqual([]);
      expect(sim.kernel.nowMs - startMs).toBeLessThan(c1.connector.config['auto.commit.interval.ms']);
    },
  );
});

describe('bad config and refusals', () => {
  const sim = { bootstrapServers: 'broker-1:9092' } as Simulation;

  it('group.coordination is kafkasim\'s key: zookeeper (default) or coordinator', () => {
    expect(resolveConsumerConfig({ 'group.id': 'g', 'zookeeper.connect': 'zk:2181' })['group.coordination']).toBe('zookeeper');
    expect(() => resolveConsumerConfig({ ...coordinated(sim), 'group.coordination': 'kraft' } as unknown as ConsumerConfigInput)).toThrow(
      new ConfigError('group.coordination', 'kraft', 'one of "zookeeper", "coordinator"'),
    );
  });

  it('coordinator mode needs bootstrap.servers, not zookeeper.connect; the heartbeat must be shorter than the session', () => {
    expect(resolveConsumerConfig(coordinated(sim))['zookeeper.connect']).toBeNull();
    const { 'bootstrap.servers': _, ...noServers } = coordinated(sim);
    expect(() => resolveConsumerConfig(noServers)).toThrow(/^bootstrap\.servers must be a comma-separated list of host:port, got undefined/);
    expect(() => resolveConsumerConfig(coordinated(sim, { 'bootstrap.servers': 'b:port' }))).toThrow(/^bootstrap\.servers must be host:port/);
    expect(() => resolveConsumerConfig(coordinated(sim, { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 6000 }))).toThrow(
      new ConfigError('heartbeat.interval.ms', 6000, 'an interval below session.timeout.ms (6000)'),
    );
    expect(() => resolveConsumerConfig(coordinated(sim, { 'rebalance.timeout.ms': 0 }))).toThrow(/^rebalance\.timeout\.ms must be an integer from 1/);
  });

  it('each connector class refuses the other mode; createConsumerConnector picks by the key', async () => {
    const real = await cluster();
    const runtime = simRuntime(real, 'c');
    expect(() => new ZookeeperConsumerConnector(runtime, coordinated(real))).toThrow(ConfigError);
    expect(() => new CoordinatorConsumerConnector(runtime, { 'group.id': 'g', 'zookeeper.connect': 'zookeeper:2181' })).toThrow(ConfigError);
    expect(createConsumerConnector(runtime, coordinated(real))).toBeInstanceOf(CoordinatorConsumerConnector);
    expect(createConsumerConnector(runtime, { 'group.id': 'g', 'zookeeper.connect': 'zookeeper:2181' })).toBeInstanceOf(ZookeeperConsumerConnector);
  });

  it('a session timeout the coordinator refuses (below group.min.session.timeout.ms): createMessageStreams rejects with INVALID_SESSION_TIMEOUT', async () => {
    const real = await cluster();
    const c1 = startGroupConsumer(real, 'c1', coordinated(real, { 'session.timeout.ms': 1000, 'heartbeat.interval.ms': 300 }), { t: 1 });
    await real.runFor(5000);
    expect(c1.startError).toBeInstanceOf(GroupJoinFailedError);
    expect((c1.startError as Error).message).toBe('g_c1 cannot join group g: the coordinator answered InvalidSessionTimeout');
    expect(c1.connector.owned()).toEqual([]);
  });
});
