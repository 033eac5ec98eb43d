/**
 * The group invariant of `src/broker/invariants.ts`, and how the broker checkers skip brokers, on
 * hand-made states (the checkers are exercised by every cluster test through `InvariantMonitor`).
 */
import { describe, expect, it } from 'vitest';
import { hwAtMostLeo, ParsedZnodes, stableGroupInOneGeneration } from '../../src/broker/invariants.ts';
import type { Simulation } from '../../src/broker/simulation.ts';
import { BROKERS_SLICE, type GroupView } from '../../src/broker/state.ts';
import { World } from '../../src/sim/world.ts';
import type { ZNode } from '../../src/zookeeper/znode-tree.ts';

const withGroup = (group: GroupView) => ({ brokers: new Map([[2, {}]]), brokerStates: { 2: { groups: { g: group } } } }) as unknown as Simulation;
const member = (memberId: string, generationId: number) => ({ memberId, clientId: 'c', generationId });

describe('stable-group-in-one-generation', () => {
  it('holds when every member of a Stable group is in its generation, and for groups in rebalance', () => {
    const check = stableGroupInOneGeneration();
    expect(check.check(withGroup({ state: 'Stable', generationId: 3, protocolType: 'consumer', protocolName: 'range', leaderId: 'a', members: [member('a', 3), member('b', 3)] }))).toBeUndefined();
    expect(check.check(withGroup({ state: 'PreparingRebalance', generationId: 3, protocolType: 'consumer', protocolName: 'range', leaderId: 'a', members: [member('a', 3), member('c', -1)] }))).toBeUndefined();
  });

  it('names the group, broker and member when a Stable group holds a member of another generation', () => {
    const check = stableGroupInOneGeneration();
    expect(check.check(withGroup({ state: 'Stable', generationId: 3, protocolType: 'consumer', protocolName: 'range', leaderId: 'a', members: [member('a', 3), member('b', 2)] }))).toBe(
      'group g is Stable in generation 3 on broker 2, but its member b is in generation 2',
    );
  });
});

describe('broker checkers read only the brokers touched since their last run', () => {
  it('hw-at-most-leo skips an untouched broker and sees a change to a touched one', () => {
    const world = new World({ history: false });
    const replica = (highWatermark: number) => ({ highWatermark, log: { logEndOffset: 5 } });
    const brokerStates = { 1: { partitions: { 't-0': replica(5) } }, 2: { partitions: { 't-0': replica(5) } } };
    const sim = { brokers: new Map([[1, {}], [2, {}]]), brokerStates, kernel: { world } } as unknown as Simulation;
    const check = hwAtMostLeo();
    expect(check.check(sim)).toBeUndefined();
    // Changed without a touch (no component does that): the checker does not look again.
    brokerStates[2].partitions['t-0'] = replica(6);
    expect(check.check(sim)).toBeUndefined();
    world.touch(BROKERS_SLICE, 1);
    expect(check.check(sim)).toBeUndefined();
    world.touch(BROKERS_SLICE, 2);
    expect(check.check(sim)).toBe('broker 2, t-0: high watermark 6 > log end offset 5');
  });

  it('a touch of the whole slice makes every broker read again', () => {
    const world = new World({ history: false });
    const brokerStates = { 1: { partitions: { 't-0': { highWatermark: 5, log: { logEndOffset: 5 } } } } };
    const sim = { brokers: new Map([[1, {}]]), brokerStates, kernel: { world } } as unknown as Simulation;
    const check = hwAtMostLeo();
    expect(check.check(sim)).toBeUndefined();
    brokerStates[1].partitions['t-0'].highWatermark = 7;
    world.touch(BROKERS_SLICE);
    expect(check.check(sim)).toBe('broker 1, t-0: high watermark 7 > log end offset 5');
  });
});

describe('ParsedZnodes', () => {
  it('parses a znode once while its data stays the same, and again when it changes', () => {
    const parsed: string[] = [];
    const parse = (data: string) => {
      parsed.push(data);
      return { leader: Number(data) };
    };
    const znodes = new ParsedZnodes(parse);
    const node = { data: '1' } as ZNode;
    const first = znodes.of(node);
    expect(znodes.of(node)).toBe(first);
    node.data = '2';
    expect(znodes.of(node)).toEqual({ leader: 2 });
    expect(znodes.of({ data: '2' } as ZNode)).toEqual({ leader: 2 });
    expect(parsed).toEqual(['1', '2', '2']);
  });
});
