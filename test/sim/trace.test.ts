import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  Kernel,
  Trace,
  filterTrace,
  formatMs,
  parseJsonLines,
  renderRecord,
  renderTrace,
  toJsonLine,
  type TraceMode,
  type TraceRecord,
} from '../../src/sim/index.ts';
import { thrownBy } from './support.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A clock the trace reads step and time from, set by hand. */
function manualClock() {
  return { currentStep: 0, nowMs: 0 };
}

type Input = [step: number, timeMs: number, node: string, kind: string, data: Record<string, unknown>, text: string];

function traceOf(inputs: readonly Input[], mode: TraceMode = 'full'): Trace {
  const clock = manualClock();
  const trace = new Trace(clock, mode);
  for (const [step, timeMs, node, kind, data, text] of inputs) {
    clock.currentStep = step;
    clock.nowMs = timeMs;
    trace.record(node, kind, data, text);
  }
  return trace;
}

const SAMPLE: Input[] = [
  [1, 0, 'zk', 'zk.session.created', { session: 1 }, 'ZooKeeper opened session 1.'],
  [2, 1500, 'broker-1', 'controller.elected', { broker: 1, epoch: 1 }, 'Broker 1 became the controller (epoch 1).'],
  [2, 1500, 'broker-1', 'partition.leader.elected', { topic: 'jiketest', partition: 0, leader: 1 }, 'Broker 1 leads jiketest-0.'],
  [3, 12_345, 'broker-2', 'isr.shrunk', { isr: [1] }, 'The ISR of jiketest-0 shrank to [1].'],
];

describe('Trace records', () => {
  it('a record made inside a kernel step carries the step, virtual time, node, kind, data and text', async () => {
    const k = new Kernel({ seed: 1, trace: 'full' });
    k.addNode('broker-1');
    k.schedule(
      250,
      () => k.trace.record('broker-1', 'hw.advanced', { partition: 'p-0', hw: 3 }, 'The high watermark of p-0 rose to 3.'),
      { node: 'broker-1' },
    );
    k.schedule(300, () => {});
    k.schedule(400, () => k.trace.record('kernel', 'test.other', {}, 'Something else.'));
    await k.runUntilIdle();
    expect(k.trace.records).toEqual([
      { step: 1, timeMs: 250, node: 'broker-1', kind: 'hw.advanced', data: { partition: 'p-0', hw: 3 }, text: 'The high watermark of p-0 rose to 3.' },
      { step: 3, timeMs: 400, node: 'kernel', kind: 'test.other', data: {}, text: 'Something else.' },
    ]);
    expect(k.trace.count).toBe(2);
  });

  it('JSON lines round-trip: parseJsonLines(toJsonLines()) gives back every record', () => {
    const trace = traceOf(SAMPLE);
    const text = trace.toJsonLines();
    expect(text.split('\n')).toHaveLength(SAMPLE.length + 1); // one line each, newline-terminated
    expect(text.endsWith('\n')).toBe(true);
    expect(parseJsonLines(text)).toEqual(trace.records);
    expect(toJsonLine(trace.records[0]!)).toBe(
      '{"step":1,"timeMs":0,"node":"zk","kind":"zk.session.created","data":{"session":1},"text":"ZooKeeper opened session 1."}\n',
    );
  });

  it('parseJsonLines ignores blank lines (a file edited by hand, CRLF-free)', () => {
    const trace = traceOf(SAMPLE.slice(0, 2));
    const text = `\n${trace.toJsonLines()}\n   \n`;
    expect(parseJsonLines(text)).toEqual(trace.records);
  });

  it('JSON lines round-trip for arbitrary records (property)', () => {
    const recordArb = fc.record({
      step: fc.nat(),
      timeMs: fc.nat(),
      node: fc.string({ minLength: 1 }),
      kind: fc.string({ minLength: 1 }),
      data: fc.dictionary(fc.string(), fc.jsonValue()),
      text: fc.string(),
    });
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 10 }), (records) => {
        const text = records.map((r) => toJsonLine(r as TraceRecord)).join('');
        expect(parseJsonLines(text)).toEqual(JSON.parse(JSON.stringify(records)));
      }),
    );
  });
});

describe('Trace digest', () => {
  it('is the SHA-256 of the JSON lines of every record', () => {
    const trace = traceOf(SAMPLE);
    const expected = createHash('sha256').update(trace.toJsonLines()).digest('hex');
    expect(trace.digest()).toBe(expected);
  });

  it('of an empty trace is the SHA-256 of nothing', () => {
    expect(traceOf([]).digest()).toBe(EMPTY_SHA256);
  });

  it('is equal for equal runs', () => {
    expect(traceOf(SAMPLE).digest()).toBe(traceOf(SAMPLE).digest());
  });

  it('changes when any field of any record changes (property)', () => {
    const original = traceOf(SAMPLE).digest();
    const fields = fc.constantFrom(0, 1, 2, 3, 4, 5);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SAMPLE.length - 1 }), fields, (index, field) => {
        const changed = SAMPLE.map((input) => [...input] as Input);
        const input = changed[index]!;
        if (field === 0 || field === 1) input[field] = (input[field] as number) + 1;
        else if (field === 4) input[4] = { ...input[4], extra: true };
        else input[field] = `${input[field] as string}!`;
        expect(traceOf(changed).digest()).not.toBe(original);
      }),
    );
  });

  it('changes when records are reordered, dropped or added', () => {
    const original = traceOf(SAMPLE).digest();
    expect(traceOf([SAMPLE[1]!, SAMPLE[0]!, ...SAMPLE.slice(2)]).digest()).not.toBe(original);
    expect(traceOf(SAMPLE.slice(1)).digest()).not.toBe(original);
    expect(traceOf([...SAMPLE, SAMPLE[0]!]).digest()).not.toBe(original);
  });

  it('can be read part-way through a run and keeps accumulating afterwards', () => {
    const whole = traceOf(SAMPLE).digest();
    const clock = manualClock();
    const trace = new Trace(clock, 'full');
    const partials: string[] = [];
    for (const [step, timeMs, node, kind, data, text] of SAMPLE) {
      clock.currentStep = step;
      clock.nowMs = timeMs;
      trace.record(node, kind, data, text);
      partials.push(trace.digest());
    }
    expect(partials.at(-1)).toBe(whole);
    expect(new Set(partials).size).toBe(SAMPLE.length);
    expect(partials[0]).toBe(traceOf(SAMPLE.slice(0, 1)).digest());
  });
});

describe('Trace modes', () => {
  it('full keeps every record and hashes them', () => {
    const trace = traceOf(SAMPLE, 'full');
    expect(trace.mode).toBe('full');
    expect(trace.enabled).toBe(true);
    expect(trace.records).toHaveLength(SAMPLE.length);
    expect(trace.count).toBe(SAMPLE.length);
  });

  it('digest keeps no records but gives the same digest as full', () => {
    const trace = traceOf(SAMPLE, 'digest');
    expect(trace.enabled).toBe(true);
    expect(trace.records).toEqual([]);
    expect(trace.toJsonLines()).toBe('');
    expect(trace.count).toBe(SAMPLE.length);
    expect(trace.digest()).toBe(traceOf(SAMPLE, 'full').digest());
  });

  it('off records nothing: no records, no count, the empty digest, and enabled is false', () => {
    const trace = traceOf(SAMPLE, 'off');
    expect(trace.enabled).toBe(false);
    expect(trace.records).toEqual([]);
    expect(trace.count).toBe(0);
    expect(trace.digest()).toBe(EMPTY_SHA256);
  });

  it('a kernel run in each mode: full and digest agree on the digest, off has none', async () => {
    const run = async (mode: TraceMode) => {
      const k = new Kernel({ seed: 5, trace: mode });
      for (let i = 1; i <= 5; i++) k.schedule(i * 10, () => k.trace.record('kernel', 'test.tick', { i }, `Tick ${i}.`));
      await k.runUntilIdle();
      return k.trace;
    };
    const [full, digest, off] = [await run('full'), await run('digest'), await run('off')];
    expect(full.records.map((r) => r.timeMs)).toEqual([10, 20, 30, 40, 50]);
    expect(digest.digest()).toBe(full.digest());
    expect(off.digest()).toBe(EMPTY_SHA256);
  });

  it('rejects an unknown mode with InvalidArgumentError', () => {
    const error = thrownBy(() => new Trace(manualClock(), 'verbose' as TraceMode));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe('trace must be one of "full", "digest", "off", got "verbose"');
  });

  it('subscribers receive every record from the time they subscribe until they unsubscribe', () => {
    const clock = manualClock();
    const trace = new Trace(clock, 'digest');
    trace.record('a', 'k.before', {}, 'before');
    const seen: string[] = [];
    const unsubscribe = trace.subscribe((r) => seen.push(r.kind));
    trace.record('a', 'k.during', {}, 'during');
    unsubscribe();
    trace.record('a', 'k.after', {}, 'after');
    expect(seen).toEqual(['k.during']);
  });
});

describe('Trace rendering', () => {
  const records = traceOf(SAMPLE).records;

  it('formatMs writes milliseconds with thousands separators', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(1500)).toBe('1,500 ms');
    expect(formatMs(12_345_678)).toBe('12,345,678 ms');
  });

  it('renderRecord lays out step, time, node and narration in columns', () => {
    expect(renderRecord(records[1]!)).toBe('step 2       1,500 ms  broker-1     Broker 1 became the controller (epoch 1).');
    expect(renderRecord(records[0]!)).toBe('step 1           0 ms  zk           ZooKeeper opened session 1.');
  });

  it('renderTrace renders one line per record', () => {
    expect(renderTrace(records).split('\n')).toEqual(records.map(renderRecord));
  });

  it('renderTrace filters by kind prefix', () => {
    const text = renderTrace(records, { kinds: ['controller.', 'isr'] });
    expect(text).toBe([renderRecord(records[1]!), renderRecord(records[3]!)].join('\n'));
    expect(renderTrace(records, { kinds: ['nothing.'] })).toBe('');
  });

  it('renderTrace filters by node, and by node and kind together', () => {
    expect(filterTrace(records, { nodes: ['broker-1'] })).toEqual([records[1], records[2]]);
    expect(filterTrace(records, { nodes: ['broker-1', 'zk'], kinds: ['partition.'] })).toEqual([records[2]]);
    expect(renderTrace(records, { nodes: ['broker-2'] })).toBe(renderRecord(records[3]!));
  });
});
