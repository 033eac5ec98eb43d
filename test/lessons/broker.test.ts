/**
 * Lessons on a real broker (`--broker`): lesson 01 runs whole against kafkasim's gateway (started
 * here on OS-assigned ports, with the lesson's topic), holds its claims, says what it skipped, and
 * records facts that match the simulator's; lessons without broker support refuse; brokers that
 * cannot be reached fail with their address and the reason, within the timeout.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonFiles, loadLesson } from '../../lessons/lib/catalog.ts';
import { BrokerListError, BrokerUnreachableError, connectBrokers, parseBrokerList } from '../../lessons/lib/backend.ts';
import { compareFacts } from '../../lessons/lib/facts.ts';
import { NoBrokerSupportError, parseLessonArgs, runLesson } from '../../lessons/lib/lesson-kit.ts';
import { lesson as partitionConsumer } from '../../lessons/01-partition-consumer.ts';
import { startGateway, type Gateway } from '../../src/gateway/index.ts';
import { closedPort, startFakeBroker } from '../real/support/fake-broker.ts';

describe('lesson 01 on a real broker (the gateway)', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway({ brokers: 3, topics: [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }] });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('holds its claims about what the clients read, and says plainly what it skipped and why', { timeout: 60_000 }, async () => {
    const backend = await connectBrokers(gateway.bootstrapServers, partitionConsumer.defaultSeed);
    const report = await runLesson(partitionConsumer, { backend });
    expect(report.claims.map((c) => c.statement)).toEqual([
      "each thread read exactly its own partition, in offset order, and this run's messages at the offsets the broker acknowledged",
      'the late messages reached their threads while those waited in get_message',
      "get_message returned None 2 s after each thread's last message, not before",
      'every message written in this run was printed exactly once',
    ]);
    expect(report.claims.every((c) => c.holds)).toBe(true);
    expect(report.digest).toBeUndefined();
    expect(report.output).toContain(`(on the broker(s) at ${gateway.bootstrapServers}, in real time:`);
    expect(report.run.skips).toHaveLength(3);
    for (const skipped of ['the narration of the brokers and the controller', 'the claim that they arrived within a second', 'the claim that nothing was committed to ZooKeeper']) {
      expect(report.output).toMatch(new RegExp(`^Skipped on a real broker: ${skipped}[^:]*: \\S`, 'm'));
    }
    expect(report.output).toContain('== What you saw ==');
  });

  it("records facts that match the simulator's, only timing differing (a fresh topic of 3 partitions)", { timeout: 60_000 }, async () => {
    // The topic now holds the first test's messages: a fresh gateway, so offsets start at 0 as on the simulator.
    const fresh = await startGateway({ brokers: 3, topics: [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }] });
    try {
      const simulated = await runLesson(partitionConsumer);
      const real = await runLesson(partitionConsumer, { backend: await connectBrokers(fresh.bootstrapServers, 1) });
      const { unexpected, lines } = compareFacts(simulated.facts!, real.facts!);
      expect(unexpected).toEqual([]);
      const verdicts = Object.fromEntries(real.facts!.facts.map((f) => [f.name, lines.find((l) => l.startsWith(`${f.name}  `))!.trimEnd().split(/\s{2,}/).at(-1)]));
      expect(verdicts).toEqual({
        'partitions of jiketest': 'same',
        'messages sent': 'same',
        'messages acknowledged': 'same',
        'send errors': 'same',
        'messages per partition': 'same',
        'offsets written per partition': 'same',
        'messages consumed (once each)': 'same',
        'read in offset order': 'same',
        'late message delay': expect.stringMatching(/^(same|differs \(expected: timing\))$/) as unknown as string,
        'get_message timeout': 'differs (expected: timing)',
        'committed offsets': 'not compared',
      });
    } finally {
      await fresh.stop();
    }
  });
});

describe('every lesson on a real broker', () => {
  it('says in one sentence what of it runs there (each has its own test, broker-NN.test.ts)', async () => {
    for (const file of lessonFiles()) {
      const lesson = await loadLesson(file);
      expect(lesson.brokerSupport, lesson.id).toMatch(/\S/);
      expect(existsSync(new URL(`broker-${lesson.id}.test.ts`, import.meta.url)) || lesson.id === '01', `test/lessons/broker-${lesson.id}.test.ts`).toBe(true);
    }
  });

  it('a replay of a recorded simulation (no brokerSupport) refuses a broker backend, saying why', async () => {
    const replay = { id: 'replay', title: 'counterexample to "nothing lost"', summary: 'run.kafkasim', defaultSeed: 1, run: async () => {} };
    const backend = { kind: 'broker', bootstrapServers: '127.0.0.1:9', runtime: undefined as never } as const;
    await expect(runLesson(replay, { backend })).rejects.toThrow(NoBrokerSupportError);
    expect(new NoBrokerSupportError(replay).message).toBe('replay (counterexample to "nothing lost") cannot run on a real broker: it replays a recorded simulation step by step; run it without --broker');
  });
});

describe('--broker addresses', () => {
  it('parses host:port lists and rejects anything else, quoting it', () => {
    expect(parseLessonArgs(['--broker', '127.0.0.1:9092, localhost:9093']).broker).toBe('127.0.0.1:9092,localhost:9093');
    expect(parseLessonArgs(['--broker=kafka-1:9092']).broker).toBe('kafka-1:9092');
    expect(parseLessonArgs([]).broker).toBeUndefined();
    for (const bad of ['', 'localhost', 'localhost:', 'localhost:0', 'localhost:70000', 'a:1,,b:2', 'host:port']) {
      expect(() => parseBrokerList(bad)).toThrow(BrokerListError);
      expect(() => parseBrokerList(bad)).toThrow(`got ${JSON.stringify(bad)}`);
    }
    expect(() => parseLessonArgs(['--broker'])).toThrow('--broker must be followed by host:port[,host:port]');
    expect(() => parseLessonArgs(['--broker', 'h:1', '--step'])).toThrow('a real broker has no steps to replay');
  });

  it('a refused connection: BrokerUnreachableError naming the address and the refusal', async () => {
    const port = await closedPort();
    const error = await connectBrokers(`127.0.0.1:${port}`, 1, 2_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach the broker\\(s\\) at 127\\.0\\.0\\.1:${port}: .*connection refused`));
  });

  it('a broker that accepts and never answers: gives up within the timeout, naming the address', async () => {
    const silent = await startFakeBroker({ apiVersions: 'silent' });
    try {
      const address = `127.0.0.1:${silent.port}`;
      const startMs = Date.now();
      const error = await connectBrokers(address, 1, 1_000).catch((e: unknown) => e);
      expect(Date.now() - startMs).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(BrokerUnreachableError);
      expect((error as Error).message).toContain(`cannot reach the broker(s) at ${address}: `);
    } finally {
      await silent.stop();
    }
  }, 10_000);
});
