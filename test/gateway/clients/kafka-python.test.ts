/**
 * kafka-python 2.0.2 (Debian's python3-kafka, run by /usr/bin/python3) against the gateway, in
 * its default configuration (it infers the broker version from ApiVersions): KafkaProducer with
 * acks=all, KafkaConsumer in a group with auto commit off committing what it consumed, and a
 * second consumer of the same group starting exactly where the first committed. The scripts are
 * in fixtures/; each prints one JSON line.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatewayPerTest } from '../support/gateway-per-test.ts';
import { skipWithout } from '../../support/real-clients.ts';
import { PYTHON, requireKafkaPython } from './support.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Placed {
  readonly key: string;
  readonly partition: number;
  readonly offset: number;
}
interface Consumed {
  readonly committed_before: Record<string, number | null>;
  readonly consumed: Placed[];
  readonly committed_after: Record<string, number | null>;
}

/** Runs a fixture script and parses the JSON line it prints; rejects with its stderr if it fails. */
function python<T>(script: string, ...args: Array<string | number>): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [FIXTURES + script, ...args.map(String)], { timeout: 180_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) return reject(new Error(`${script} ${args.join(' ')} failed (${error.message.split('\n')[0]}):\n${stderr.slice(-4000)}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
      } catch {
        reject(new Error(`${script} printed no JSON line:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

const { start } = gatewayPerTest();

beforeAll(() => requireKafkaPython());

const byPartition = (placed: readonly Placed[]) => {
  const map = new Map<number, number[]>();
  for (const p of placed) map.set(p.partition, [...(map.get(p.partition) ?? []), p.offset]);
  return map;
};

describe.skipIf(skipWithout('kafka-python'))('kafka-python against the gateway', () => {
  it('KafkaProducer with acks=all writes 200 messages at contiguous offsets per partition', async () => {
    const gateway = await start({ brokers: 3, topics: [{ name: 'py', partitions: 3, replicationFactor: 2 }] });
    const { acked } = await python<{ acked: Placed[] }>('produce.py', gateway.bootstrapServers, 'py', 200);
    expect(acked).toHaveLength(200);
    for (const [partition, offsets] of byPartition(acked)) {
      expect(offsets.sort((a, b) => a - b), `partition ${partition}`).toEqual(offsets.map((_, i) => i));
    }
    // The broker's log agrees: the leaders' high watermarks add up to what was acknowledged.
    const partitions = gateway.state().partitions.filter((p) => p.topic === 'py');
    const highWatermarks = partitions.map((p) => p.replicas.find((r) => r.broker === p.leader)!.highWatermark!);
    expect(highWatermarks.reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('a group consumer commits what it consumed, and a second consumer of the group starts from the committed offsets', async () => {
    const gateway = await start({ brokers: 3, topics: [{ name: 'py', partitions: 3, replicationFactor: 2 }] });
    const bootstrap = gateway.bootstrapServers;
    const { acked } = await python<{ acked: Placed[] }>('produce.py', bootstrap, 'py', 100);
    expect(acked).toHaveLength(100);

    const first = await python<Consumed>('consume.py', bootstrap, 'py', 'py-group', 60, 90);
    expect(Object.values(first.committed_before)).toEqual([null, null, null]); // a new group
    expect(first.consumed).toHaveLength(60);
    expect(new Set(first.consumed.map((c) => c.key)).size).toBe(60);
    // What it committed is, per partition, the offset after the last message it consumed there.
    for (const [partition, offsets] of byPartition(first.consumed)) {
      expect(first.committed_after[String(partition)], `partition ${partition}`).toBe(Math.max(...offsets) + 1);
    }

    const second = await python<Consumed>('consume.py', bootstrap, 'py', 'py-group', 40, 90);
    // The committed offsets are visible to another consumer of the group (OffsetFetch)...
    expect(second.committed_before).toEqual(first.committed_after);
    // ...and it resumes from them: each partition's first message is at the committed offset.
    for (const [partition, offsets] of byPartition(second.consumed)) {
      expect(Math.min(...offsets), `partition ${partition}`).toBe(first.committed_after[String(partition)] ?? 0);
    }
    // Together they read every acknowledged message exactly once.
    const keys = [...first.consumed, ...second.consumed].map((c) => c.key).sort();
    expect(keys).toEqual(acked.map((a) => a.key).sort());
    expect(Object.values(second.committed_after).reduce((a, b) => a! + (b ?? 0), 0)).toBe(100);
  });
});
