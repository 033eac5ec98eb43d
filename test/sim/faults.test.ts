import { describe, expect, it } from 'vitest';
import {
  FaultInjector,
  InvalidArgumentError,
  Kernel,
  Network,
  UnknownNameError,
  type Fault,
  type ScheduledFault,
  type TraceRecord,
} from '../../src/sim/index.ts';
import { thrownBy } from './support.ts';

function setup(nodes = ['a', 'b', 'c']) {
  const k = new Kernel({ seed: 1, trace: 'full' });
  for (const name of nodes) k.addNode(name);
  const net = new Network(k, { defaultLink: { latencyMs: 2, jitterMs: 0 } });
  const faults = new FaultInjector(k, net);
  return { k, net, faults };
}

function faultRecords(k: Kernel): Array<Pick<TraceRecord, 'step' | 'timeMs' | 'node' | 'kind' | 'text'>> {
  return k.trace.records
    .filter((r) => r.kind.startsWith('fault.'))
    .map(({ step, timeMs, node, kind, text }) => ({ step, timeMs, node, kind, text }));
}

describe('FaultInjector: kernel faults applied now', () => {
  it('knows the kernel fault kinds', () => {
    const { faults } = setup();
    expect(faults.kinds()).toEqual(['partition', 'isolate', 'heal', 'link-loss', 'link-delay', 'pause', 'resume']);
  });

  it('partition cuts the groups apart, as a step of its own, traced as fault.partition in plain English', () => {
    const { k, net, faults } = setup();
    faults.apply({ kind: 'partition', groups: [['a', 'b'], ['c']] });
    expect(net.cutPairs()).toEqual([
      ['a', 'c'],
      ['b', 'c'],
    ]);
    expect(k.currentStep).toBe(1);
    expect(k.trace.records).toEqual([
      {
        step: 1,
        timeMs: 0,
        node: 'faults',
        kind: 'fault.partition',
        data: { kind: 'partition', groups: [['a', 'b'], ['c']] },
        text: 'The network splits into {a, b} | {c}.',
      },
    ]);
  });

  it('isolate cuts one node off and heal repairs every cut', async () => {
    const { k, net, faults } = setup();
    await k.runFor(40);
    faults.apply({ kind: 'isolate', node: 'b' });
    expect(net.canReach('a', 'b')).toBe(false);
    expect(net.canReach('c', 'b')).toBe(false);
    expect(net.canReach('a', 'c')).toBe(true);
    faults.apply({ kind: 'heal' });
    expect(net.cutPairs()).toEqual([]);
    expect(faultRecords(k)).toEqual([
      { step: 1, timeMs: 40, node: 'faults', kind: 'fault.isolate', text: 'b is cut off from every other node.' },
      { step: 2, timeMs: 40, node: 'faults', kind: 'fault.heal', text: 'The network heals: every cut is repaired.' },
    ]);
  });

  it('link-loss sets the loss rate both ways, or one way with oneWay', () => {
    const { k, net, faults } = setup();
    faults.apply({ kind: 'link-loss', from: 'a', to: 'b', lossRate: 0.25 });
    faults.apply({ kind: 'link-loss', from: 'b', to: 'c', lossRate: 1, oneWay: true });
    expect(net.link('a', 'b').lossRate).toBe(0.25);
    expect(net.link('b', 'a').lossRate).toBe(0.25);
    expect(net.link('b', 'c').lossRate).toBe(1);
    expect(net.link('c', 'b').lossRate).toBe(0);
    expect(faultRecords(k).map((r) => r.text)).toEqual([
      'The link a ↔ b now loses 25% of messages.',
      'The link b → c now loses 100% of messages.',
    ]);
  });

  it('link-delay sets latency and jitter both ways, or one way with oneWay', () => {
    const { k, net, faults } = setup();
    faults.apply({ kind: 'link-delay', from: 'a', to: 'b', latencyMs: 50, jitterMs: 5 });
    faults.apply({ kind: 'link-delay', from: 'a', to: 'c', latencyMs: 30, oneWay: true });
    expect(net.link('a', 'b')).toEqual({ latencyMs: 50, jitterMs: 5, lossRate: 0 });
    expect(net.link('b', 'a')).toEqual({ latencyMs: 50, jitterMs: 5, lossRate: 0 });
    expect(net.link('a', 'c')).toEqual({ latencyMs: 30, jitterMs: 0, lossRate: 0 });
    expect(net.link('c', 'a')).toEqual({ latencyMs: 2, jitterMs: 0, lossRate: 0 });
    expect(faultRecords(k).map((r) => r.text)).toEqual([
      'The link a ↔ b now takes 50 ms (+ up to 5 ms).',
      'The link a → c now takes 30 ms.',
    ]);
  });

  it('pause freezes a node until resume', () => {
    const { k, faults } = setup();
    faults.apply({ kind: 'pause', node: 'a' });
    expect(k.node('a').paused).toBe(true);
    faults.apply({ kind: 'resume', node: 'a' });
    expect(k.node('a').paused).toBe(false);
    expect(faultRecords(k).map((r) => [r.kind, r.text])).toEqual([
      ['fault.pause', 'a freezes (a long GC pause).'],
      ['fault.resume', 'a resumes.'],
    ]);
  });

  it('pause with durationMs resumes the node by itself after exactly that long, and its work then runs', async () => {
    const { k, faults } = setup();
    const log: number[] = [];
    k.schedule(10, () => log.push(k.nowMs), { node: 'a' });
    faults.apply({ kind: 'pause', node: 'a', durationMs: 100 });
    await k.runFor(99);
    expect(k.node('a').paused).toBe(true);
    expect(log).toEqual([]);
    await k.runFor(1);
    expect(k.node('a').paused).toBe(false);
    expect(log).toEqual([100]);
    expect(faultRecords(k)).toEqual([
      { step: 1, timeMs: 0, node: 'faults', kind: 'fault.pause', text: 'a freezes for 100 ms (a long GC pause).' },
      { step: 2, timeMs: 100, node: 'faults', kind: 'fault.resume', text: 'a resumes.' },
    ]);
  });

  it('a fault applied from inside a task or event takes effect within that step', async () => {
    const { k, net, faults } = setup();
    const steps: number[] = [];
    k.spawn('chaos', async () => {
      await k.sleep(5);
      faults.apply({ kind: 'isolate', node: 'c' });
      steps.push(k.currentStep);
    });
    await k.runUntilIdle();
    expect(net.canReach('a', 'c')).toBe(false);
    expect(faultRecords(k)).toEqual([
      { step: steps[0]!, timeMs: 5, node: 'faults', kind: 'fault.isolate', text: 'c is cut off from every other node.' },
    ]);
    expect(k.currentStep).toBe(2);
  });

  // BUG (faults.ts, `pause.apply` and `schedule`): the kernel events a fault schedules (the
  // automatic resume, the scheduled faults) are created without `node`, so `Kernel.enqueue`
  // gives them to the node of the task that is running. A pause of that same node then defers
  // its own resume forever (and a schedule made by a task dies with that task's node).
  it('pause with durationMs resumes by itself even when a task on the paused node applied it', async () => {
    const { k, faults } = setup();
    k.spawn('self-pause', async () => {
      faults.apply({ kind: 'pause', node: 'a', durationMs: 100 });
    }, { node: 'a' });
    await k.runFor(200);
    expect(k.node('a').paused).toBe(false);
    expect(faultRecords(k).map((r) => [r.kind, r.timeMs])).toEqual([
      ['fault.pause', 0],
      ['fault.resume', 100],
    ]);
  });
});

describe('FaultInjector: schedules', () => {
  it('applies every fault of a schedule at its virtual time, in schedule order for equal times', async () => {
    const { k, net, faults } = setup();
    const reach: Array<[number, boolean]> = [];
    k.onStep(() => reach.push([k.nowMs, net.canReach('a', 'c')]));
    const schedule: ScheduledFault[] = [
      { atMs: 30, fault: { kind: 'heal' } },
      { atMs: 10, fault: { kind: 'partition', groups: [['a'], ['c']] } },
      { atMs: 20, fault: { kind: 'link-delay', from: 'a', to: 'b', latencyMs: 9 } },
      { atMs: 20, fault: { kind: 'pause', node: 'b', durationMs: 15 } },
      { atMs: 25, fault: { kind: 'link-loss', from: 'b', to: 'c', lossRate: 0.5 } },
      { atMs: 40, fault: { kind: 'isolate', node: 'a' } },
    ];
    faults.schedule(schedule);
    await k.runUntilIdle();
    expect(faultRecords(k).map((r) => [r.timeMs, r.kind])).toEqual([
      [10, 'fault.partition'],
      [20, 'fault.link-delay'],
      [20, 'fault.pause'],
      [25, 'fault.link-loss'],
      [30, 'fault.heal'],
      [35, 'fault.resume'],
      [40, 'fault.isolate'],
    ]);
    expect(reach).toEqual([
      [10, false],
      [20, false],
      [20, false],
      [25, false],
      [30, true],
      [35, true],
      [40, false],
    ]);
    expect(net.link('a', 'b').latencyMs).toBe(9);
    expect(net.link('c', 'b').lossRate).toBe(0.5);
    expect(k.node('b').paused).toBe(false);
  });

  it('a scheduled pause and resume freeze the node between their times', async () => {
    const { k, faults } = setup();
    const log: number[] = [];
    k.spawn('worker', async () => {
      for (let i = 0; i < 4; i++) {
        await k.sleep(10);
        log.push(k.nowMs);
      }
    }, { node: 'a' });
    faults.schedule([
      { atMs: 15, fault: { kind: 'pause', node: 'a' } },
      { atMs: 42, fault: { kind: 'resume', node: 'a' } },
    ]);
    await k.runUntilIdle();
    expect(log).toEqual([10, 42, 52, 62]);
  });

  it('a schedule with one bad entry is rejected whole: nothing is scheduled', async () => {
    const { k, faults } = setup();
    const bad: ScheduledFault[] = [
      { atMs: 10, fault: { kind: 'isolate', node: 'a' } },
      { atMs: 20, fault: { kind: 'pause', node: 'nobody' } },
      { atMs: 30, fault: { kind: 'heal' } },
    ];
    const error = thrownBy(() => faults.schedule(bad));
    expect(error).toBeInstanceOf(UnknownNameError);
    expect((error as Error).message).toBe('unknown node (node) "nobody"; known: "a", "b", "c"');
    expect(k.pendingEvents).toBe(0);
    await k.runUntilIdle();
    expect(k.trace.records).toEqual([]);
    expect(k.currentStep).toBe(0);
  });

  it('rejects a schedule entry in the past, or with a fractional time, naming its index', async () => {
    const { k, faults } = setup();
    await k.runFor(50);
    const past = thrownBy(() => faults.schedule([{ atMs: 60, fault: { kind: 'heal' } }, { atMs: 49, fault: { kind: 'heal' } }]));
    expect(past).toBeInstanceOf(InvalidArgumentError);
    expect((past as Error).message).toBe('fault schedule[1].atMs must be a time not before now (50 ms), got 49');
    const fractional = thrownBy(() => faults.schedule([{ atMs: 60.5, fault: { kind: 'heal' } }]));
    expect((fractional as Error).message).toBe('fault schedule[0].atMs must be a non-negative integer, got 60.5');
    const notArray = thrownBy(() => faults.schedule({} as never));
    expect((notArray as Error).message).toBe('fault schedule must be an array of { atMs, fault }, got {}');
    const notObject = thrownBy(() => faults.schedule([null as never]));
    expect((notObject as Error).message).toBe('fault schedule[0] must be an object { atMs, fault }, got null');
    expect(k.pendingEvents).toBe(0);
  });
});

describe('FaultInjector: bad faults', () => {
  const { faults } = setup();
  const known = '"partition", "isolate", "heal", "link-loss", "link-delay", "pause", "resume"';
  const cases: Array<[string, Fault, typeof InvalidArgumentError | typeof UnknownNameError, string]> = [
    ['an unknown kind', { kind: 'broker-crash', broker: 1 }, UnknownNameError, `unknown fault kind "broker-crash"; known: ${known}`],
    ['a pause of an unknown node', { kind: 'pause', node: 'zk' }, UnknownNameError, 'unknown node (node) "zk"; known: "a", "b", "c"'],
    ['an isolate without a node', { kind: 'isolate' }, UnknownNameError, 'unknown node (node) "undefined"; known: "a", "b", "c"'],
    ['a partition naming an unknown node', { kind: 'partition', groups: [['a'], ['x']] }, UnknownNameError, 'unknown node (partition groups) "x"; known: "a", "b", "c"'],
    ['a partition with one group', { kind: 'partition', groups: [['a', 'b']] }, InvalidArgumentError, 'partition groups must be at least two non-empty arrays of node names, got [["a","b"]]'],
    ['a partition with overlapping groups', { kind: 'partition', groups: [['a'], ['a', 'b']] }, InvalidArgumentError, 'partition groups must be disjoint groups (a node appears twice), got [["a"],["a","b"]]'],
    ['a link-loss from an unknown node', { kind: 'link-loss', from: 'q', to: 'a', lossRate: 0.1 }, UnknownNameError, 'unknown node (from) "q"; known: "a", "b", "c"'],
    ['a link-loss rate above 1', { kind: 'link-loss', from: 'a', to: 'b', lossRate: 1.5 }, InvalidArgumentError, 'lossRate must be a probability between 0 and 1, got 1.5'],
    ['a link-delay to an unknown node', { kind: 'link-delay', from: 'a', to: 'q', latencyMs: 1 }, UnknownNameError, 'unknown node (to) "q"; known: "a", "b", "c"'],
    ['a negative link-delay', { kind: 'link-delay', from: 'a', to: 'b', latencyMs: -1 }, InvalidArgumentError, 'latencyMs must be a non-negative integer, got -1'],
    ['a fractional jitter', { kind: 'link-delay', from: 'a', to: 'b', latencyMs: 1, jitterMs: 0.5 }, InvalidArgumentError, 'jitterMs must be a non-negative integer, got 0.5'],
    ['a negative pause duration', { kind: 'pause', node: 'a', durationMs: -10 }, InvalidArgumentError, 'durationMs must be a non-negative integer, got -10'],
    ['a fault without a kind', { nope: true } as unknown as Fault, InvalidArgumentError, 'fault must be an object with a string kind, got {"nope":true}'],
  ];
  for (const [what, fault, type, message] of cases) {
    it(`rejects ${what} with ${type.name}, changing nothing: "${message}"`, () => {
      const { k, net, faults: fresh } = setup();
      const error = thrownBy(() => fresh.apply(fault));
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toBe(message);
      expect(k.currentStep).toBe(0);
      expect(k.trace.records).toEqual([]);
      expect(net.cutPairs()).toEqual([]);
      expect(thrownBy(() => faults.validate(fault))).toBeInstanceOf(type);
    });
  }
});

describe('FaultInjector.define: custom kinds', () => {
  interface Crash extends Fault {
    readonly kind: 'node-crash';
    readonly node: string;
  }

  function withCrash() {
    const s = setup();
    const applied: string[] = [];
    s.faults.define<Crash>('node-crash', {
      validate: (f) => {
        if (!s.k.hasNode(f.node)) throw new UnknownNameError('node', f.node, s.k.nodeNames());
      },
      apply: (f) => {
        applied.push(`${f.node}@${s.k.nowMs}`);
        s.k.killNode(f.node);
      },
      describe: (f) => `${f.node} crashes.`,
    });
    return { ...s, applied };
  }

  it('a defined kind can be applied now and scheduled, is traced as fault.<kind>, and is described in plain English', async () => {
    const { k, faults, applied } = withCrash();
    expect(faults.kinds()).toContain('node-crash');
    expect(faults.describe({ kind: 'node-crash', node: 'b' })).toBe('b crashes.');
    faults.apply({ kind: 'node-crash', node: 'a' });
    faults.schedule([{ atMs: 25, fault: { kind: 'node-crash', node: 'b' } }]);
    await k.runUntilIdle();
    expect(applied).toEqual(['a@0', 'b@25']);
    expect(k.node('b').alive).toBe(false);
    expect(faultRecords(k)).toEqual([
      { step: 1, timeMs: 0, node: 'faults', kind: 'fault.node-crash', text: 'a crashes.' },
      { step: 2, timeMs: 25, node: 'faults', kind: 'fault.node-crash', text: 'b crashes.' },
    ]);
    expect(k.trace.records[0]!.data).toEqual({ kind: 'node-crash', node: 'a' });
  });

  it("a defined kind's validation runs before anything is scheduled", () => {
    const { k, faults } = withCrash();
    const error = thrownBy(() =>
      faults.schedule([
        { atMs: 1, fault: { kind: 'heal' } },
        { atMs: 2, fault: { kind: 'node-crash', node: 'ghost' } },
      ]),
    );
    expect(error).toBeInstanceOf(UnknownNameError);
    expect(k.pendingEvents).toBe(0);
  });

  it('a kind cannot be defined twice', () => {
    const { faults } = withCrash();
    const definition = { validate: () => {}, apply: () => {}, describe: () => '' };
    const error = thrownBy(() => faults.define('pause', definition));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe('fault kind must be a kind not already defined, got "pause"');
    expect(thrownBy(() => faults.define('node-crash', definition))).toBeInstanceOf(InvalidArgumentError);
  });
});
