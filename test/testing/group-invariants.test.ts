/**
 * `group-owners-registered`: every partition owner znode of a consumer group names a thread of a
 * registered member that subscribes to the topic with that many streams. It holds while groups
 * rebalance normally, and reports the owner that outlived (or never had) its member.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { groupOwnersRegistered, runScenario } from 'kafkasim/testing';
import { createSimulation, type Simulation } from '../../src/broker/simulation.ts';
import { encodeConsumerRegistration } from '../../src/protocol/zk-data.ts';
import { lookup } from '../../src/zookeeper/znode-tree.ts';
import { group, producer, SLOW, smallScenario } from './support.ts';

describe('groupOwnersRegistered', () => {
  it('is named group-owners-registered', () => {
    expect(groupOwnersRegistered().name).toBe('group-owners-registered');
  });

  describe('on a ZooKeeper tree written by hand', () => {
    let sim: Simulation;
    beforeAll(async () => {
      sim = await createSimulation({ seed: 1, brokers: 1, trace: 'off', history: false });
    }, SLOW);

    it('holds when there are no consumer groups', () => {
      expect(groupOwnersRegistered().check(sim)).toBeUndefined();
    });

    it('holds when an owner is a thread of a registered member subscribed with enough streams', () => {
      sim.zookeeper.seedPath('/consumers/good/ids/good_host-1', encodeConsumerRegistration({ subscription: { t: 2 }, pattern: 'static', timestampMs: 0 }));
      sim.zookeeper.seedPath('/consumers/good/owners/t/0', 'good_host-1-0');
      sim.zookeeper.seedPath('/consumers/good/owners/t/1', 'good_host-1-1');
      expect(groupOwnersRegistered().check(sim)).toBeUndefined();
    });

    it('reports an owner whose consumer is not registered, naming the group, the partition and the owner', () => {
      sim.zookeeper.seedPath('/consumers/lonely/ids');
      sim.zookeeper.seedPath('/consumers/lonely/owners/t/3', 'ghost_host-7-0');
      const problem = groupOwnersRegistered().check(sim);
      expect(problem).toBeDefined();
      expect(problem).toContain('group lonely');
      expect(problem).toContain('t-3');
      expect(problem).toContain('ghost_host-7-0');
      expect(problem).toContain('ghost_host-7 is not registered');
    });

    it('reports an owner thread beyond the streams its member subscribed with, or of a topic it does not subscribe to', async () => {
      const registration = encodeConsumerRegistration({ subscription: { t: 1 }, pattern: 'static', timestampMs: 0 });
      const tooManyThreads = await createSimulation({ seed: 2, brokers: 1, trace: 'off', history: false });
      tooManyThreads.zookeeper.seedPath('/consumers/g/ids/c_host-1', registration);
      tooManyThreads.zookeeper.seedPath('/consumers/g/owners/t/0', 'c_host-1-1');
      const problem = groupOwnersRegistered().check(tooManyThreads);
      expect(problem).toContain('group g');
      expect(problem).toContain('t-0 is owned by c_host-1-1');
      expect(problem).toContain('1 stream(s) of t');

      const otherTopic = await createSimulation({ seed: 3, brokers: 1, trace: 'off', history: false });
      otherTopic.zookeeper.seedPath('/consumers/h/ids/d_host-1', registration);
      otherTopic.zookeeper.seedPath('/consumers/h/owners/u/0', 'd_host-1-0');
      expect(groupOwnersRegistered().check(otherTopic)).toContain('0 stream(s) of u');
    }, SLOW);
  });

  describe('in a scenario run', () => {
    it('holds throughout a normal run of a group with several members and streams, which does own every partition', { timeout: SLOW }, async () => {
      const checker = groupOwnersRegistered();
      const result = await runScenario(
        smallScenario({ partitions: 3, producers: [producer({ messages: 20 })], consumers: [group({ members: 2, streams: 2 })] }),
        { invariants: [checker] },
      );
      expect(result.outcome).toBe('completed');
      expect(result.violation).toBeUndefined();
      // Not vacuous: the owners the checker read are there, one per partition.
      const owners = lookup(result.simulation.zookeeper.state, '/consumers/readers/owners/events');
      expect(Object.keys(owners?.children ?? {}).sort()).toEqual(['0', '1', '2']);
      expect(checker.check(result.simulation)).toBeUndefined();
    });

    it('is one of the default invariants: an owner znode naming an unregistered consumer stops the run', { timeout: SLOW }, async () => {
      const result = await runScenario(smallScenario({ producers: [producer({ messages: 5 })] }), {
        // 100 ms into the workload, a znode appears that claims a partition for nobody.
        onStart: (sim) => sim.kernel.schedule(100, () => sim.zookeeper.seedPath('/consumers/phantoms/owners/events/0', 'nobody_host-1-0')),
      });
      expect(result.outcome).toBe('invariant-violated');
      expect(result.violation!.invariant).toBe('group-owners-registered');
      expect(result.violation!.message).toContain('group phantoms');
      expect(result.violation!.message).toContain('nobody_host-1');
      expect(result.violation!.timeMs).toBe(result.startMs + 100);
    });
  });
});
