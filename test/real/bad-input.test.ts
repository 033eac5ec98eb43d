/**
 * The real runtime on bad input: a closed port (refused), a broker that accepts and never answers
 * (timeouts within the configured time), brokers sharing no version with kafkasim (unsupported
 * versions), a pre-0.10 broker (closes on ApiVersions). Every error names the address and the
 * problem, and the clients pass them on unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConnectionError } from '../../src/client/errors.ts';
import { KafkaClient } from '../../src/client/kafka-client.ts';
import { Producer, keyedMessage } from '../../src/client/producer/producer.ts';
import { SimpleConsumer } from '../../src/client/simple-consumer.ts';
import { UnsupportedVersionError, WireConnection, realRuntime } from '../../src/real/index.ts';
import { closedPort, rangesWith, startFakeBroker, type FakeBroker } from './support/fake-broker.ts';

const runtime = realRuntime({ seed: 3, hostName: 'test-host' });
let broker: FakeBroker | undefined;

afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

function simpleConsumer(port: number, soTimeoutMs: number): SimpleConsumer {
  return new SimpleConsumer(runtime, { host: '127.0.0.1', port, soTimeoutMs, bufferSize: 65536, clientId: 'bad-input' });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('an unreachable broker', () => {
  it('a closed port: connect is refused, naming the address', async () => {
    const port = await closedPort();
    const error = await rejection(runtime.connect('127.0.0.1', port, { timeoutMs: 2_000 }));
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error).toMatchObject({ reason: 'refused', address: `127.0.0.1:${port}` });
    expect(error.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port}: connection refused`));
  });

  it('the SimpleConsumer retries once and then throws the refusal; KafkaClient reports every host failed', async () => {
    const port = await closedPort();
    const error = await rejection(simpleConsumer(port, 1_000).send(['t']));
    expect(error).toMatchObject({ reason: 'refused', address: `127.0.0.1:${port}` });
    const clientError = await rejection(KafkaClient.create(runtime, `127.0.0.1:${port}`, { timeoutMs: 1_000 }));
    expect(clientError.message).toContain(`127.0.0.1:${port}`);
    expect((clientError.cause as Error).message).toContain('connection refused');
  });

  it('the producer fails the send after its retries, its last error the refusal', async () => {
    const port = await closedPort();
    const producer = new Producer(runtime, {
      'metadata.broker.list': `127.0.0.1:${port}`,
      'request.required.acks': 1,
      'retry.backoff.ms': 10,
      'message.send.max.retries': 1,
      'request.timeout.ms': 1_000,
    });
    const error = await rejection(producer.send(keyedMessage('t', null, 'v')));
    expect(error.message).toMatch(/Failed to send messages after 1 tries/);
    expect(producer.ledger.entries[0]!.fate).toBe('failed');
    await producer.close();
  });

  it('a host name that does not resolve: unreachable (or, with a resolver that never answers, the connect timeout)', async () => {
    const error = await rejection(runtime.connect('no-such-host.invalid', 9092, { timeoutMs: 3_000 }));
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error).toMatchObject({ address: 'no-such-host.invalid:9092' });
    if ((error as BrokerConnectionError).reason === 'unreachable') expect(error.message).toContain('does not resolve');
    else expect((error as BrokerConnectionError).reason).toBe('timeout');
  }, 10_000);
});

describe('a broker that never answers', () => {
  it('connect gives up within its timeout: ApiVersions got no response', async () => {
    broker = await startFakeBroker({ apiVersions: 'silent' });
    const started = Date.now();
    const error = await rejection(runtime.connect(broker.host, broker.port, { timeoutMs: 300 }));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ reason: 'request-timeout', address: `127.0.0.1:${broker.port}` });
    expect(error.message).toMatch(/no response to ApiVersions v2 within \d+ ms/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('a request times out within its timeout and closes the connection; the SimpleConsumer retries once', async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(-1, null) }); // answers ApiVersions only
    const connection = await runtime.connect(broker.host, broker.port, { timeoutMs: 2_000 });
    const started = Date.now();
    const error = await rejection(connection.send({ api: 'Metadata', clientId: 'c', correlationId: 1, topics: ['t'] }, { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({ reason: 'request-timeout', address: `127.0.0.1:${broker.port}` });
    expect(error.message).toMatch(/no response to Metadata v6 within 300 ms; connection closed/);
    expect(connection.isOpen).toBe(false);

    const consumerStarted = Date.now();
    const consumerError = await rejection(simpleConsumer(broker.port, 300).send(['t']));
    expect(consumerError).toMatchObject({ reason: 'request-timeout' });
    expect(Date.now() - consumerStarted).toBeLessThan(2_500); // two attempts of 300 ms
  });

  it('the other outstanding requests fail as closed when one times out', async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(-1, null) });
    const connection = await runtime.connect(broker.host, broker.port, { timeoutMs: 2_000 });
    const slow = rejection(connection.send({ api: 'Metadata', clientId: 'c', correlationId: 1, topics: ['t'] }, { timeoutMs: 5_000 }));
    const fast = rejection(connection.send({ api: 'Metadata', clientId: 'c', correlationId: 2, topics: ['t'] }, { timeoutMs: 200 }));
    expect(await fast).toMatchObject({ reason: 'request-timeout' });
    expect(await slow).toMatchObject({ reason: 'closed' });
    expect(() => connection.sendOneWay({ api: 'Produce', clientId: 'c', correlationId: 3, requiredAcks: 0, ackTimeoutMs: 1, data: [] })).toThrow(BrokerConnectionError);
  });
});

describe('a broker without a version in common', () => {
  it('Metadata only in versions kafkasim does not implement: the request fails naming the API and both ranges', async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(3, { min: 10, max: 12 }) });
    const error = await rejection(simpleConsumer(broker.port, 1_000).send(['t']));
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error.message).toBe(`127.0.0.1:${broker.port}: unsupported version: the broker implements Metadata versions 10-12, kafkasim can send Metadata versions 0-6: no version in common`);
  });

  it('an API the broker does not list at all', async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(2, null) });
    const connection = await runtime.connect(broker.host, broker.port);
    const error = await rejection(connection.send({ api: 'Offsets', clientId: 'c', correlationId: 1, replicaId: -1, partitions: [{ topic: 't', partition: 0, time: -1, maxNumOffsets: 1 }] }));
    expect(error.message).toBe(`127.0.0.1:${broker.port}: unsupported version: the broker does not implement ListOffsets at all, kafkasim can send ListOffsets versions 0-3: no version in common`);
    expect(connection.isOpen).toBe(true); // nothing was sent
    connection.close();
  });

  it("0.8's OffsetCommit needs version 0: a broker from v1 on is refused, saying why", async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(8, { min: 1, max: 7 }) });
    const connection = await runtime.connect(broker.host, broker.port);
    const error = await rejection(connection.send({ api: 'OffsetCommit', clientId: 'c', correlationId: 1, groupId: 'g', offsets: [] }));
    expect(error.message).toContain("kafkasim can send OffsetCommit versions 0 (0.8's OffsetCommit is version 0)");
    connection.close();
  });

  it('ApiVersions itself: the broker falls back (UNSUPPORTED_VERSION) to a range kafkasim cannot send', async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(18, { min: 5, max: 6 }), apiVersionsMax: -1 });
    const error = await rejection(runtime.connect(broker.host, broker.port, { timeoutMs: 2_000 }));
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error.message).toBe(`127.0.0.1:${broker.port}: unsupported version: the broker implements ApiVersions versions 5-6, kafkasim can send ApiVersions versions 0-2: no version in common`);
  });

  it('a broker older than Kafka 0.10 closes the connection on ApiVersions: said plainly', async () => {
    broker = await startFakeBroker({ apiVersions: 'close' });
    const error = await rejection(runtime.connect(broker.host, broker.port, { timeoutMs: 2_000 }));
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${broker.port}: the broker closed the connection when asked for its API versions .*brokers before Kafka 0\\.10`));
  });
});

describe('version negotiation', () => {
  it('retries ApiVersions at the highest version both know after an UNSUPPORTED_VERSION fallback, then sends the highest common version per API', async () => {
    broker = await startFakeBroker({ apiVersions: rangesWith(3, { min: 0, max: 4 }).map((r) => (r.apiKey === 18 ? { ...r, maxVersion: 1 } : r)), apiVersionsMax: 1, answerMetadata: true });
    const connection = (await runtime.connect(broker.host, broker.port)) as WireConnection;
    expect(broker.received).toEqual(['18/2', '18/1']);
    expect(connection.apiVersions.get('Metadata')).toEqual({ broker: { min: 0, max: 4 }, codec: { min: 0, max: 6 }, version: 4 });
    expect(connection.apiVersions.get('Produce')?.version).toBe(7);
    const response = await connection.send({ api: 'Metadata', clientId: 'c', correlationId: 9, topics: [] });
    expect(broker.received.at(-1)).toBe('3/4');
    expect(response.brokers).toEqual([{ id: 1, host: '127.0.0.1', port: broker.port }]);
    // An internal request for no topics at all needs v1+; all topics is v0's empty list or v1+'s null.
    connection.close();
  });
});
