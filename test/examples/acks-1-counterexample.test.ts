/**
 * Example (copy it into your own vitest project): fast-check finds the message loss of acks=1 —
 * the leader acknowledges a message before its followers have it, then crashes, and a follower
 * without the message becomes leader — and shrinks the fault schedule to a minimal one. The
 * counterexample is a file that replays exactly: `npx kafkasim replay <file> --step`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertScenarios, CounterexampleError, readCounterexample, replayCounterexample, scenarioArbitrary } from 'kafkasim/testing';

describe('acks=1 under leader crashes', () => {
  it('loses acknowledged messages: fast-check finds it, shrinks it to at most three faults, and the file replays the same run', async () => {
    const failure = await assertScenarios({
      property: 'acks=1 loses nothing',
      numRuns: 200,
      seed: 7,
      counterexampleDir: mkdtempSync(join(tmpdir(), 'kafkasim-')),
      scenarios: scenarioArbitrary({
        cluster: { brokers: 3, topics: [{ name: 'clicks', partitions: 3, replicationFactor: 3 }] },
        workload: {
          producers: [{ name: 'web', topic: 'clicks', messages: 100, config: { 'request.required.acks': '1' } }],
          consumers: [{ group: 'stats', topic: 'clicks', members: 1, semantics: 'at-least-once' }],
        },
        faults: { count: { min: 0, max: 5 }, windowMs: 3_000, kinds: ['broker-crash', 'broker-restart', 'pause', 'isolate'] },
      }),
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(CounterexampleError);
    const { counterexample, file, report } = failure as CounterexampleError;
    expect(counterexample.fastCheck!.numRuns).toBeLessThanOrEqual(200);
    expect(counterexample.scenario.faults.length).toBeGreaterThanOrEqual(1);
    expect(counterexample.scenario.faults.length).toBeLessThanOrEqual(3);
    expect(counterexample.failures.join('\n')).toMatch(/acknowledged message\(s\) never processed/);
    expect(report).toContain(`npx kafkasim replay ${file} --step`);

    // The file replays the very run that failed, every time.
    const saved = readCounterexample(file);
    const first = await replayCounterexample(saved);
    const second = await replayCounterexample(saved);
    expect(first.matches).toBe(true);
    expect(second.result.digest).toBe(first.result.digest);
  }, 600_000);
});
