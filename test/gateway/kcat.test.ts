/**
 * kcat (librdkafka 2.0.2) against the gateway, as a user would run it: `-L` sees the simulated
 * brokers at their loopback ports and every partition's leader and ISR; lines produced with `-P`
 * come back with `-C -e` in order, with contiguous offsets per partition; a crashed broker's port
 * refuses connections, its partitions get new leaders, and a restart listens on the same port.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { gatewayPerTest } from './support/gateway-per-test.ts';
import { accepts, kcat, parseKcatMetadata } from './support/kcat-runner.ts';
import { skipWithout } from '../support/real-clients.ts';

const skipKcat = skipWithout('kcat');

const TOPIC = { name: 'jiketest', partitions: 3, replicationFactor: 2 };

const { start } = gatewayPerTest();

describe.skipIf(skipKcat)('kcat -L', () => {
  it('lists the three brokers at their listeners and every partition with its leader and ISR', async () => {
    const gateway = await start({ brokers: 3, topics: [TOPIC] });
    const result = await kcat(['-b', gateway.bootstrapServers, '-L']);
    expect(result.code, result.stderr).toBe(0);
    const metadata = parseKcatMetadata(result.stdout);
    expect([...metadata.brokers]).toEqual(gateway.listeners.map((l) => [l.broker, `${l.host}:${l.port}`]));
    const state = gateway.state();
    expect(metadata.partitions.size).toBe(3);
    for (const p of state.partitions) {
      expect(metadata.partitions.get(`${p.topic}-${p.partition}`)).toEqual({ leader: p.leader, replicas: p.replicas.map((r) => r.broker), isr: p.isr });
      expect(p.isr).toHaveLength(2);
    }
  });
});

describe.skipIf(skipKcat)('kcat -P then -C -e', () => {
  it('reads back 10,000 keyed lines produced with acks=all: same keys and values, contiguous offsets, per-partition order', async () => {
    const gateway = await start({ brokers: 3, topics: [TOPIC] });
    const lines = Array.from({ length: 10_000 }, (_, i) => `key-${i}:value-${i}`);
    const produced = await kcat(['-b', gateway.bootstrapServers, '-P', '-t', TOPIC.name, '-K:', '-X', 'acks=all'], { input: `${lines.join('\n')}\n` });
    expect(produced.code, produced.stderr).toBe(0);

    const consumed = await kcat(['-b', gateway.bootstrapServers, '-C', '-t', TOPIC.name, '-e', '-q', '-f', '%p %o %k %s\\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    const records = consumed.stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [partition, offset, key, value] = line.split(' ');
        return { partition: Number(partition), offset: Number(offset), key: key!, value: value! };
      });
    expect(records).toHaveLength(10_000);
    expect(new Set(records.map((r) => `${r.key}:${r.value}`))).toEqual(new Set(lines));
    for (let partition = 0; partition < 3; partition++) {
      const mine = records.filter((r) => r.partition === partition);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => i));
      const sequence = mine.map((r) => Number(r.key.slice('key-'.length)));
      expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
      for (const r of mine) expect(r.value).toBe(`value-${r.key.slice('key-'.length)}`);
    }
    // What the brokers hold agrees: every partition's high watermark is what kcat read.
    const total = gateway.state().partitions.reduce((sum, p) => sum + (p.replicas.find((r) => r.broker === p.leader)?.highWatermark ?? 0), 0);
    expect(total).toBe(10_000);
  });
});

describe.skipIf(skipKcat)('kcat -G (a balanced consumer group)', () => {
  // Without -o, a member starts from the group's committed offsets, and from the earliest where there are none.
  it('reads every message once as a group member, and a later member of the group starts from the committed offsets', async () => {
    const gateway = await start({ brokers: 3, topics: [TOPIC] });
    const lines = Array.from({ length: 300 }, (_, i) => `k${i}:v${i}`);
    const produced = await kcat(['-b', gateway.bootstrapServers, '-P', '-t', TOPIC.name, '-K:', '-X', 'acks=all'], { input: `${lines.join('\n')}\n` });
    expect(produced.code, produced.stderr).toBe(0);

    const first = await kcat(['-b', gateway.bootstrapServers, '-G', 'readers', '-X', 'auto.offset.reset=earliest', '-c', '300', '-q', '-f', '%k:%s\n', TOPIC.name]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual([...lines].sort());

    const more = await kcat(['-b', gateway.bootstrapServers, '-P', '-t', TOPIC.name, '-K:'], { input: 'late:arrival\n' });
    expect(more.code, more.stderr).toBe(0);
    const second = await kcat(['-b', gateway.bootstrapServers, '-G', 'readers', '-X', 'auto.offset.reset=earliest', '-c', '1', '-q', '-f', '%k:%s\n', TOPIC.name]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('late:arrival\n');
  });
});

describe.skipIf(skipKcat)('a broker crash under kcat', () => {
  it("closes the crashed broker's port, moves its leaders, and listens on the same port after a restart", async () => {
    // Ten virtual ms per wall ms: the controller notices the crash after ZooKeeper's 6 s session timeout.
    const gateway = await start({ brokers: 3, topics: [TOPIC], speed: 10 });
    const victim = gateway.state().partitions.find((p) => p.partition === 0)!.leader;
    const port = gateway.listeners.find((l) => l.broker === victim)!.port;
    expect(await accepts(port)).toBe(true);

    await gateway.applyFault({ kind: 'broker-crash', broker: victim });
    expect(await accepts(port)).toBe(false);
    await eventually('the crashed broker to lead nothing', () => gateway.state().partitions.every((p) => p.leader !== victim && p.leader !== -1));

    const during = await kcat(['-b', gateway.bootstrapServers, '-L']);
    expect(during.code, during.stderr).toBe(0);
    const metadata = parseKcatMetadata(during.stdout);
    expect([...metadata.brokers.keys()].sort()).toEqual([1, 2, 3].filter((id) => id !== victim));
    for (const p of metadata.partitions.values()) {
      expect(p.leader).not.toBe(victim);
      expect(p.isr).not.toContain(victim);
    }

    await gateway.applyFault({ kind: 'broker-restart', broker: victim });
    await eventually(`broker ${victim}'s listener to accept again on port ${port}`, () => accepts(port));
    expect(gateway.listeners.find((l) => l.broker === victim)!.port).toBe(port);
    await eventually(`broker ${victim} to be registered again`, async () => parseKcatMetadata((await kcat(['-b', gateway.bootstrapServers, '-L'])).stdout).brokers.size === 3);
  });
});
