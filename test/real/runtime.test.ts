/** The real runtime's own parts: seeded randomness, wall-clock waiting, background tasks, ZooKeeper, narration. */
import { describe, expect, it } from 'vitest';
import type { ZooKeeperClient } from '../../src/protocol/zookeeper.ts';
import { NoZooKeeperError, realRuntime } from '../../src/real/index.ts';

describe('realRuntime', () => {
  it('draws the same numbers from the same seed, others from another', () => {
    const draw = (seed: number) => {
      const random = realRuntime({ seed }).random;
      return Array.from({ length: 8 }, () => random.int(0, 1000));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    const f = realRuntime().random.float();
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
  });

  it('waits on the wall clock: sleep, timers that fire or are cancelled, deferreds', async () => {
    const runtime = realRuntime();
    const start = runtime.nowMs();
    await runtime.sleep(50);
    expect(runtime.nowMs() - start).toBeGreaterThanOrEqual(45);
    const fired: string[] = [];
    runtime.timer(10, () => fired.push('a'));
    runtime.timer(10, () => fired.push('b')).cancel();
    const done = runtime.deferred<number>('a test');
    expect(done.settled).toBe(false);
    runtime.timer(20, () => done.resolve(7));
    expect(await done.promise).toBe(7);
    expect(done.settled).toBe(true);
    done.reject(new Error('ignored once settled'));
    expect(fired).toEqual(['a']);
  });

  it('runs background tasks and reports one that throws to onTaskError', async () => {
    const failures: Array<[string, unknown]> = [];
    const runtime = realRuntime({ onTaskError: (name, error) => failures.push([name, error]) });
    const ran = runtime.deferred<void>();
    runtime.spawn('worker', async () => {
      ran.resolve();
    });
    runtime.spawn('crasher', async () => {
      throw new Error('boom');
    });
    await ran.promise;
    await runtime.sleep(10);
    expect(failures).toEqual([['crasher', new Error('boom')]]);
  });

  it('narrates to onRecord only when given one', () => {
    const records: string[] = [];
    const listening = realRuntime({ onRecord: (kind, _data, text) => records.push(`${kind}: ${text}`) });
    expect(listening.recording).toBe(true);
    listening.record('producer.sent', {}, 'sent');
    expect(records).toEqual(['producer.sent: sent']);
    const silent = realRuntime();
    expect(silent.recording).toBe(false);
    silent.record('x', {}, 'nobody hears this');
  });

  it('opens ZooKeeper sessions through the factory it was given, and says plainly when it has none', () => {
    expect(() => realRuntime().zookeeper('127.0.0.1:2181', { sessionTimeoutMs: 6000, connectionTimeoutMs: 6000 })).toThrow(NoZooKeeperError);
    expect(() => realRuntime().zookeeper('127.0.0.1:2181', { sessionTimeoutMs: 6000, connectionTimeoutMs: 6000 })).toThrow(/pass realRuntime\(\{ zookeeper:/);
    const client = {} as ZooKeeperClient;
    const calls: unknown[] = [];
    const runtime = realRuntime({ zookeeper: (connectString, options) => (calls.push([connectString, options]), client) });
    expect(runtime.zookeeper('zk:2181', { sessionTimeoutMs: 1, connectionTimeoutMs: 2 })).toBe(client);
    expect(calls).toEqual([['zk:2181', { sessionTimeoutMs: 1, connectionTimeoutMs: 2 }]]);
  });

  it('takes the machine host name unless told another', () => {
    expect(realRuntime({ hostName: 'h1' }).hostName).toBe('h1');
    expect(realRuntime().hostName.length).toBeGreaterThan(0);
  });
});
