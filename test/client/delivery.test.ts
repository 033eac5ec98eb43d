/**
 * Delivery semantics (reference §6) with the high-level consumer and manual commits: where the
 * position is saved relative to the processing decides what a crash costs. Also the OutputStore
 * (the exactly-once pattern's "same place") and the checker comparing producer ledgers with what
 * was processed.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../../src/broker/simulation.ts';
import { checkDelivery, consume, OutputStore, type DeliverySemantics, type ProcessedRecord } from '../../src/client/delivery.ts';
import { ZookeeperConsumerConnector } from '../../src/client/group/connector.ts';
import type { MessageAndMetadata } from '../../src/client/group/stream.ts';
import { acknowledge, ProducerLedger, settle } from '../../src/client/producer/ledger.ts';
import { Producer } from '../../src/client/producer/producer.ts';
import { simRuntime } from '../../src/client/sim-runtime.ts';
import { createMessage, payloadToString } from '../../src/protocol/message.ts';
import { runOn, runUntilWithin, startOn, traceOf, zkOffset } from './client-harness.ts';

function record(partition: number, offset: number, value: string, by = 'c'): ProcessedRecord {
  return { topic: 't', partition, offset, key: null, value, by };
}

function ledgerOf(entries: ReadonlyArray<{ value: string; fate: 'acknowledged' | 'failed' | 'unknown' | 'dropped' }>): ProducerLedger {
  const ledger = new ProducerLedger();
  entries.forEach((e, i) => {
    const entry = ledger.record('t', null, e.value, createMessage(null, e.value), 0);
    if (e.fate === 'acknowledged') acknowledge(entry, 0, i, 0);
    else settle(entry, e.fate, 0);
  });
  return ledger;
}

describe('OutputStore: output and positions updated together', () => {
  it('apply stores a record and moves its partition past it; a record below the position is refused', () => {
    const store = new OutputStore();
    expect(store.nextOffset('t', 0)).toBeUndefined();
    expect(store.apply(record(0, 0, 'a'))).toBe(true);
    expect(store.apply(record(0, 1, 'b'))).toBe(true);
    expect(store.apply(record(1, 5, 'x'))).toBe(true);
    expect(store.apply(record(0, 1, 'b'))).toBe(false);
    expect(store.apply(record(0, 0, 'a'))).toBe(false);
    expect(store.nextOffset('t', 0)).toBe(2);
    expect(store.nextOffset('t', 1)).toBe(6);
    expect(store.records().map((r) => r.value)).toEqual(['a', 'b', 'x']);
  });

  it('append writes every record, a redelivered one too (the output of at-most/at-least-once)', () => {
    const store = new OutputStore();
    store.append(record(0, 0, 'a'));
    store.append(record(0, 1, 'b'));
    store.append(record(0, 0, 'a', 'other'));
    expect(store.records().map((r) => `${r.by}:${r.value}`)).toEqual(['c:a', 'c:b', 'other:a']);
    expect(store.nextOffset('t', 0)).toBe(2);
  });
});

describe('checkDelivery', () => {
  it('lost = acknowledged and never processed; duplicated = processed more than once; unexpected = no ledger entry', () => {
    const ledger = ledgerOf([
      { value: 'a', fate: 'acknowledged' },
      { value: 'b', fate: 'acknowledged' },
      { value: 'c', fate: 'acknowledged' },
      { value: 'd', fate: 'unknown' },
      { value: 'e', fate: 'failed' },
    ]);
    const report = checkDelivery([ledger], [record(0, 0, 'a'), record(0, 1, 'b'), record(0, 1, 'b', 'other'), record(0, 3, 'd'), record(0, 9, 'zz')]);
    expect(report.sent).toBe(5);
    expect(report.acknowledged).toBe(3);
    expect(report.processed).toBe(4);
    // Only acknowledged messages can be "lost": d (acks=0) and e (failed) were never promised.
    expect(report.lost.map((e) => e.value)).toEqual(['c']);
    expect(report.duplicated).toEqual([{ identity: 'null="b"', times: 2 }]);
    expect(report.unexpected.map((r) => r.value)).toEqual(['zz']);
  });

  it('several ledgers, and a custom identity', () => {
    const report = checkDelivery(
      [ledgerOf([{ value: 'id1:x', fate: 'acknowledged' }]), ledgerOf([{ value: 'id2:y', fate: 'acknowledged' }])],
      [record(0, 0, 'id1:changed'), record(0, 1, 'id1:again')],
      { identity: (_key, value) => String(value).split(':')[0]! },
    );
    expect(report.lost.map((e) => e.value)).toEqual(['id2:y']);
    expect(report.duplicated).toEqual([{ identity: 'id1', times: 2 }]);
    expect(report.unexpected).toEqual([]);
  });
});

/**
 * Three messages m0..m2 in one partition; consumer `a` runs the pattern and crashes while handling
 * m1 (`where`); once its session has expired, consumer `b` takes over and runs to the end.
 */
async function crashScenario(semantics: DeliverySemantics, where: 'during processing' | 'after processing, before the commit', bMaxMessages?: number) {
  const sim = await createSimulation({ seed: 3, brokers: 1, network: { latencyMs: 1, jitterMs: 0 }, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }] });
  const producer = new Producer(simRuntime(sim, 'producer'), { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': 1 });
  (await runOn(sim, 'producer', 'produce', async () => {
    for (let i = 0; i < 3; i++) await producer.send({ topic: 't', key: null, value: `m${i}` });
  })).result();
  const store = new OutputStore();
  /** Every call of `process` that returned. */
  const processed: string[] = [];
  const start = (node: string, crashOn?: string, maxMessages?: number) => {
    sim.kernel.addNode(node);
    const connector = new ZookeeperConsumerConnector(simRuntime(sim, node), {
      'group.id': 'g',
      'zookeeper.connect': 'zookeeper:2181',
      'consumer.id': node,
      'auto.commit.enable': false,
      'auto.offset.reset': 'smallest',
      'zookeeper.session.timeout.ms': 4000,
    });
    const crash = () => {
      sim.kernel.killNode(node);
      sim.network.dropConnectionsOf(node, { notifyPeers: true });
    };
    const process = async (m: MessageAndMetadata) => {
      const value = payloadToString(m.value)!;
      if (value === crashOn && where === 'during processing') {
        await sim.kernel.sleep(100);
        crash();
        await sim.kernel.sleep(1);
      }
      processed.push(`${node}:${value}`);
      if (value === crashOn && where === 'after processing, before the commit') {
        // Cut from ZooKeeper: whatever the pattern writes next is held, and dies with the process.
        sim.applyFault({ kind: 'partition', groups: [[node], ['zookeeper']] });
        sim.kernel.schedule(10, crash, { node: null });
      }
    };
    return startOn(sim, node, `${node} consumes`, async () => {
      const streams = await connector.createMessageStreams({ t: 1 });
      return consume(connector, streams.t![0]!, { semantics, store, by: node, process, ...(maxMessages === undefined ? {} : { maxMessages }) });
    });
  };
  start('a', 'm1');
  await sim.runFor(1000);
  sim.applyFault({ kind: 'heal' });
  const offsetAfterCrash = zkOffset(sim, 'g', 't', 0);
  await runUntilWithin(sim, () => traceOf(sim, 'zk.session.expired').length === 1, "a's session to expire");
  const b = start('b', undefined, bMaxMessages);
  await sim.runFor(3000);
  return { sim, producer, store, processed, offsetAfterCrash, b };
}

describe('consume: where the position is saved decides what a crash costs', () => {
  it('at-most-once (commit, then process): a crash during processing loses the message, nothing is processed twice', async () => {
    const { producer, store, processed, offsetAfterCrash } = await crashScenario('at-most-once', 'during processing');
    // m1's offset + 1 was committed before its processing began.
    expect(offsetAfterCrash).toBe(2);
    expect(processed).toEqual(['a:m0', 'b:m2']);
    expect(store.records().map((r) => `${r.by}:${payloadToString(r.value)}`)).toEqual(['a:m0', 'b:m2']);
    const report = checkDelivery([producer.ledger], store.records());
    expect(report.lost.map((e) => e.value)).toEqual(['m1']);
    expect(report.duplicated).toEqual([]);
  });

  it('at-least-once (process, then commit): a crash after processing and before the commit processes the message twice, loses nothing', async () => {
    const { producer, store, processed, offsetAfterCrash } = await crashScenario('at-least-once', 'after processing, before the commit');
    // m0's commit (1) got through; m1's did not.
    expect(offsetAfterCrash).toBe(1);
    expect(processed).toEqual(['a:m0', 'a:m1', 'b:m1', 'b:m2']);
    expect(store.records().map((r) => `${r.by}:${r.offset}`)).toEqual(['a:0', 'a:1', 'b:1', 'b:2']);
    const report = checkDelivery([producer.ledger], store.records());
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([{ identity: 'null="m1"', times: 2 }]);
  });

  it('at-least-once: a crash during processing redelivers the message, which is then processed once', async () => {
    const { producer, store, processed } = await crashScenario('at-least-once', 'during processing');
    expect(processed).toEqual(['a:m0', 'b:m1', 'b:m2']);
    const report = checkDelivery([producer.ledger], store.records());
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
  });

  it('exactly-once (position stored with the output): the redelivered message is recognised and skipped', async () => {
    const { producer, store, processed, offsetAfterCrash } = await crashScenario('exactly-once', 'after processing, before the commit');
    expect(offsetAfterCrash).toBe(1);
    // b is handed m1 again (ZooKeeper still says 1), finds the store past it, and skips it.
    expect(processed).toEqual(['a:m0', 'a:m1', 'b:m2']);
    expect(store.records().map((r) => `${r.by}:${r.offset}`)).toEqual(['a:0', 'a:1', 'b:2']);
    expect(store.nextOffset('t', 0)).toBe(3);
    const report = checkDelivery([producer.ledger], store.records());
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
  });

  it('consume returns after maxMessages, counting skipped redeliveries too', async () => {
    // b is handed m1 (skipped) and m2.
    const { b, processed } = await crashScenario('exactly-once', 'after processing, before the commit', 2);
    expect(b.settled).toBe(true);
    expect(b.result()).toBe(2);
    expect(processed).toEqual(['a:m0', 'a:m1', 'b:m2']);
  });

  it('exactly-once without an OutputStore is refused', async () => {
    const sim: Simulation = await createSimulation({ seed: 1, brokers: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }] });
    sim.kernel.addNode('c');
    const connector = new ZookeeperConsumerConnector(simRuntime(sim, 'c'), { 'group.id': 'g', 'zookeeper.connect': 'zookeeper:2181', 'auto.commit.enable': false });
    const task = await runOn(sim, 'c', 'consume', async () => {
      const streams = await connector.createMessageStreams({ t: 1 });
      return consume(connector, streams.t![0]!, { semantics: 'exactly-once', by: 'c', process: () => {} });
    });
    expect(task.error).toBeInstanceOf(Error);
    expect((task.error as Error).message).toBe('exactly-once needs an OutputStore: the positions are saved with the output');
  });
});
