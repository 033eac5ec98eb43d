/**
 * Counterexample files: a failing scenario written as JSON, read back only if it is one (and its
 * scenario is valid), replayed to prove it is the same run (the trace digest), and described in
 * plain English.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeScenario,
  readCounterexample,
  replayCounterexample,
  runScenario,
  writeCounterexample,
  COUNTEREXAMPLE_FORMAT,
  type Counterexample,
  type ScenarioSpec,
} from 'kafkasim/testing';
import { InvalidArgumentError, UnknownNameError } from '../../src/sim/errors.ts';
import { group, producer, SLOW, smallScenario, tempDirs } from './support.ts';

const dirs = tempDirs('counterexample');
afterAll(() => dirs.cleanup());

function counterexampleOf(scenario: ScenarioSpec, digest: string, failures: readonly string[] = []): Counterexample {
  return { format: COUNTEREXAMPLE_FORMAT, version: 1, property: 'a property', scenario, digest, failures };
}

function invalidFile(file: string): InvalidArgumentError {
  try {
    readCounterexample(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error(`readCounterexample accepted ${file}`);
}

describe('writeCounterexample and readCounterexample', () => {
  it('write a counterexample as JSON (making the directories) and read back exactly what was written', () => {
    const file = join(dirs.make(), 'deep', 'er', 'ce.json');
    const written: Counterexample = {
      ...counterexampleOf(smallScenario({ faults: [{ atMs: 5, fault: { kind: 'broker-crash', broker: 2 } }] }), 'abc123', ['something went wrong']),
      fastCheck: { seed: 9, path: '3:1', numRuns: 4, numShrinks: 1 },
    };
    writeCounterexample(file, written);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(written);
    expect(readCounterexample(file)).toEqual(written);
  });

  it('reject a file that is not JSON, naming the file', () => {
    const file = join(dirs.make(), 'not.json');
    writeFileSync(file, 'this is not json');
    const error = invalidFile(file);
    expect(error.argument).toBe('counterexample file');
    expect(error.value).toBe(file);
    expect(error.allowed).toContain('JSON');
  });

  it('reject a missing file', () => {
    const file = join(dirs.make(), 'missing.json');
    const error = invalidFile(file);
    expect(error.value).toBe(file);
    expect(error.message).toContain('ENOENT');
  });

  it('reject JSON that is not a kafkasim counterexample (another format, another version, not an object)', () => {
    const dir = dirs.make();
    const cases = {
      'package.json': { name: 'kafkasim', version: '0.1.0' },
      'v2.json': { ...counterexampleOf(smallScenario(), 'x'), version: 2 },
      'array.json': [1, 2, 3],
      'null.json': null,
    };
    for (const [name, content] of Object.entries(cases)) {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(content));
      const error = invalidFile(file);
      expect(error.argument).toBe('counterexample file');
      expect(error.value).toBe(file);
      expect(error.allowed).toContain(`format "${COUNTEREXAMPLE_FORMAT}"`);
      expect(error.allowed).toContain('version 1');
    }
  });

  it('reject a counterexample whose scenario is not valid, with the scenario error', () => {
    const file = join(dirs.make(), 'bad-scenario.json');
    writeCounterexample(file, counterexampleOf(smallScenario({ producers: [producer({ topic: 'nope' })] }), 'x'));
    expect(() => readCounterexample(file)).toThrow(UnknownNameError);
  });
});

describe('describeScenario', () => {
  it('says the seed, the cluster, each topic, producer and group, with their properties', () => {
    const spec: ScenarioSpec = {
      seed: 1234,
      cluster: { brokers: 3, brokerConfig: { 'unclean.leader.election.enable': false }, topics: [{ name: 'events', partitions: 4, replicationFactor: 2, config: { 'min.insync.replicas': 2 } }] },
      workload: {
        producers: [producer({ name: 'writer', messages: 17, config: { 'request.required.acks': '1' } })],
        consumers: [group({ group: 'audit', members: 3, streams: 2, semantics: 'exactly-once' })],
      },
      faults: [],
    };
    const text = describeScenario(spec).join('\n');
    expect(text).toContain('seed 1234');
    expect(text).toContain('3 brokers');
    expect(text).toContain('unclean.leader.election.enable=false');
    expect(text).toContain('topic events: 4 partition(s), replication factor 2');
    expect(text).toContain('min.insync.replicas=2');
    expect(text).toContain('producer writer: 17 messages to events');
    expect(text).toContain('request.required.acks=1');
    expect(text).toContain('group audit: 3 member(s) × 2 stream(s) on events, exactly-once');
  });

  it('says "1 broker" for one', () => {
    expect(describeScenario({ ...smallScenario(), cluster: { brokers: 1, topics: [] } })[0]).toBe('seed 7; 1 broker');
  });
});

describe('replayCounterexample', () => {
  const spec = smallScenario({ seed: 21, producers: [producer({ messages: 10 })], faults: [{ atMs: 30, fault: { kind: 'broker-crash', broker: 1 } }], faultWindowMs: 500 });
  let digest: string;
  beforeAll(async () => {
    digest = (await runScenario(spec, { trace: 'digest' })).digest!;
  }, SLOW);

  it('runs the scenario again with the full trace and says it is the same run when the digest matches', { timeout: SLOW }, async () => {
    const { result, matches } = await replayCounterexample(counterexampleOf(spec, digest));
    expect(matches).toBe(true);
    expect(result.digest).toBe(digest);
    expect(result.simulation.kernel.trace.records.length).toBeGreaterThan(0);
    expect(result.spec).toEqual(spec);
  });

  it('says it is not the same run when the digest differs', { timeout: SLOW }, async () => {
    const other = digest.startsWith('0') ? `1${digest.slice(1)}` : `0${digest.slice(1)}`;
    const { result, matches } = await replayCounterexample(counterexampleOf(spec, other));
    expect(matches).toBe(false);
    expect(result.digest).toBe(digest);
  });
});
