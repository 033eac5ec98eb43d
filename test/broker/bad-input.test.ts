/**
 * Bad input gets typed errors that name the value and what is allowed, and nothing starts; bad
 * requests from clients get Kafka's error codes and never break a broker.
 */
import { describe, expect, it } from 'vitest';
import { AdminOperationError } from '../../src/broker/admin/assign-replicas.ts';
import { InvalidTopicNameError } from '../../src/broker/admin/create-topic.ts';
import { validateAcks } from '../../src/broker/config.ts';
import { createSimulation } from '../../src/broker/simulation.ts';
import { LATEST_TIME } from '../../src/protocol/api.ts';
import { InvalidArgumentError, UnknownNameError } from '../../src/sim/errors.ts';
import { lookup } from '../../src/zookeeper/znode-tree.ts';
import { fetchRequest, metadataRequest, offsetsRequest, produceRequest } from './support/client.ts';
import { expectNoViolations, replicaValues, startCluster, traceOf } from './support/cluster.ts';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('replication factor', () => {
  it('above the broker count is refused before anything starts, in Kafka\'s words', async () => {
    const error = await rejection(createSimulation({ seed: 1, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 4 }] }));
    expect(error).toBeInstanceOf(AdminOperationError);
    expect(error).toMatchObject({ code: 'ADMIN_OPERATION', reason: 'NOT_ENOUGH_BROKERS', message: 'replication factor: 4 larger than available brokers: 3' });
  });

  it('above the live broker count is refused by the admin command (AdminUtils counts /brokers/ids) and writes nothing', async () => {
    const c = await startCluster({ seed: 4, brokers: 3 });
    expect(await rejection(c.sim.createTopic({ name: 'big', partitions: 1, replicationFactor: 4 }))).toMatchObject({ reason: 'NOT_ENOUGH_BROKERS' });
    c.sim.applyFault({ kind: 'broker-shutdown', broker: 2 });
    await c.sim.runFor(1_000);
    const error = await rejection(c.sim.createTopic({ name: 'three', partitions: 1, replicationFactor: 3 }));
    expect(error).toBeInstanceOf(AdminOperationError);
    expect(error.message).toBe('replication factor: 3 larger than available brokers: 2');
    expect(lookup(c.sim.zookeeper.state, '/brokers/topics/three')).toBeUndefined();
  });

  it('of zero, or a partition count of zero, names the field and the allowed range', async () => {
    const rf = await rejection(createSimulation({ seed: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 0 }] }));
    expect(rf).toBeInstanceOf(InvalidArgumentError);
    expect(rf.message).toBe('topic t replicationFactor must be an integer ≥ 1, got 0');
    const partitions = await rejection(createSimulation({ seed: 1, topics: [{ name: 't', partitions: 0, replicationFactor: 1 }] }));
    expect(partitions).toMatchObject({ argument: 'topic t partitions', value: 0 });
  });
});

describe('unknown topic with auto-create off', () => {
  it('every client API answers UnknownTopicOrPartition (3)', async () => {
    const c = await startCluster({ seed: 4, brokers: 3, brokerConfig: { 'auto.create.topics.enable': false } });
    const metadata = await c.client.request(1, metadataRequest(['ghost']));
    expect(metadata.topics).toEqual([{ topic: 'ghost', errorCode: 3, partitions: [] }]);
    const produce = await c.client.request(1, produceRequest('ghost', 0, ['a'], { acks: -1 }));
    expect(produce.statuses).toEqual([{ topic: 'ghost', partition: 0, errorCode: 3, offset: -1, logStartOffset: -1 }]);
    const fetch = await c.client.request(1, fetchRequest('ghost', 0, 0));
    expect(fetch.partitions[0]).toMatchObject({ errorCode: 3, highWatermark: -1 });
    const offsets = await c.client.request(1, offsetsRequest('ghost', 0, LATEST_TIME));
    expect(offsets.partitions[0]).toEqual({ topic: 'ghost', partition: 0, errorCode: 3, offsets: [] });
    expect(lookup(c.sim.zookeeper.state, '/brokers/topics/ghost')).toBeUndefined();
  });
});

describe('configuration values', () => {
  it('request.required.acks outside {-1, 0, 1} is refused, naming the value and the allowed ones', () => {
    for (const value of [2, -2, 1.5, '1', null]) {
      const error = thrown(() => validateAcks(value));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ argument: 'request.required.acks', value, allowed: 'one of -1, 0, 1' });
    }
    expect(thrown(() => validateAcks(2)).message).toBe('request.required.acks must be one of -1, 0, 1, got 2');
    expect([-1, 0, 1].map(validateAcks)).toEqual([-1, 0, 1]);
  });

  it('negative timeouts are refused before anything starts, naming the key, the value and the range', async () => {
    const cases: [string, number, string][] = [
      ['replica.lag.time.max.ms', -1, 'an integer from 0 to'],
      ['zookeeper.session.timeout.ms', -6000, 'an integer from 1 to'],
      ['controller.socket.timeout.ms', -1, 'an integer from 1 to'],
      ['replica.socket.timeout.ms', 0, 'an integer from 1 to'],
      ['controlled.shutdown.retry.backoff.ms', -5000, 'an integer from 0 to'],
    ];
    for (const [key, value, allowed] of cases) {
      const error = await rejection(createSimulation({ seed: 1, brokerConfig: { [key]: value } }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ argument: `broker config ${JSON.stringify(key)}`, value });
      expect(error.message).toContain(`broker config "${key}" must be ${allowed}`);
      expect(error.message).toContain(`got ${value}`);
    }
  });

  it('a fetch wait longer than the lag time, min.insync.replicas 0 and unknown keys are refused with what is allowed', async () => {
    const wait = await rejection(createSimulation({ seed: 1, brokerConfig: { 'replica.fetch.wait.max.ms': 20_000 } }));
    expect(wait.message).toContain('at most replica.lag.time.max.ms (10000)');
    const minIsr = await rejection(createSimulation({ seed: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1, config: { 'min.insync.replicas': 0 } }] }));
    expect(minIsr).toMatchObject({ argument: 'topic config "min.insync.replicas"', value: 0 });
    expect(minIsr.message).toContain('Kafka 0.8.2: LogConfig.validateMinInSyncReplicas: at least 1');
    const unknown = await rejection(createSimulation({ seed: 1, brokerConfig: { 'min.isr': 2 } as never }));
    expect(unknown).toBeInstanceOf(UnknownNameError);
    expect(unknown.message).toContain('unknown broker config "min.isr"; known: ');
    expect(unknown.message).toContain('"min.insync.replicas"');
  });

  it('bad cluster shapes: no brokers, duplicate or illegal topic names', async () => {
    expect((await rejection(createSimulation({ seed: 1, brokers: 0 }))).message).toBe('brokers must be an integer from 1 to 1000, got 0');
    const duplicate = await rejection(createSimulation({ seed: 1, topics: [{ name: 't', partitions: 1, replicationFactor: 1 }, { name: 't', partitions: 2, replicationFactor: 1 }] }));
    expect(duplicate).toMatchObject({ argument: 'topics', value: 't', allowed: 'distinct topic names' });
    const illegal = await rejection(createSimulation({ seed: 1, topics: [{ name: 'a/b', partitions: 1, replicationFactor: 1 }] }));
    expect(illegal).toBeInstanceOf(InvalidTopicNameError);
    expect(illegal.message).toContain('topic name "a/b" is illegal');
  });
});

describe('faults', () => {
  it('a fault naming an unknown broker, crash mode or kind is refused; a bad schedule is refused whole', async () => {
    const c = await startCluster({ seed: 4, brokers: 3 });
    const broker = thrown(() => c.sim.applyFault({ kind: 'broker-crash', broker: 7 }));
    expect(broker).toBeInstanceOf(UnknownNameError);
    expect(broker.message).toBe('unknown broker "7"; known: "1", "2", "3"');
    expect(thrown(() => c.sim.applyFault({ kind: 'broker-crash', broker: 1, mode: 'meteor' }))).toMatchObject({ argument: 'crash mode', value: 'meteor', allowed: 'one of process, power-loss, disk-wipe' });
    expect(thrown(() => c.sim.applyFault({ kind: 'pause', node: 'broker-1', durationMs: -5 }))).toMatchObject({ argument: 'durationMs', value: -5 });
    expect(thrown(() => c.sim.applyFault({ kind: 'earthquake' })).message).toContain('unknown fault kind "earthquake"; known: ');
    const now = c.sim.kernel.nowMs;
    expect(thrown(() => c.sim.scheduleFaults([
      { atMs: now + 1_000, fault: { kind: 'broker-crash', broker: 1 } },
      { atMs: now + 2_000, fault: { kind: 'broker-restart', broker: 9 } },
    ]))).toBeInstanceOf(UnknownNameError);
    await c.sim.runFor(3_000);
    expect(c.sim.broker(1).running).toBe(true); // nothing of the bad schedule was applied
  });
});

describe('bad requests never break a broker', () => {
  it('a negative ackTimeoutMs expires at once: RequestTimedOut (7), the data left in the log', async () => {
    const c = await startCluster({ seed: 4, brokers: 3, topics: [{ name: 't', partitions: 1, replicationFactor: 3 }] });
    const response = await c.client.request(1, produceRequest('t', 0, ['a'], { acks: -1, ackTimeoutMs: -100 }));
    expect(response.statuses).toEqual([{ topic: 't', partition: 0, errorCode: 7, offset: 0, logStartOffset: 0 }]);
    expect(replicaValues(c.sim, 1, 't')).toEqual(['a']);
    expect(traceOf(c.sim, 'produce.timed-out')).toHaveLength(1);
    // The broker carries on.
    const next = await c.client.request(1, produceRequest('t', 0, ['b'], { acks: -1 }));
    expect(next.statuses[0]).toMatchObject({ errorCode: 0, offset: 1 });
    expectNoViolations(c.monitor);
  });
});
