/**
 * Example (copy it into your own vitest project): model-based testing with fast-check's
 * `fc.commands`. The model is what a replicated partition log should hold — per partition, the list
 * of acknowledged values in order. The commands drive the real (simulated) cluster through the
 * public client API: a sync producer with acks=-1, Java's SimpleConsumer fetching from the leader,
 * offset requests, and broker crashes and restarts one at a time. After each command the cluster
 * must agree with the model; fast-check shrinks any disagreement to the shortest command sequence.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ClientProcess, createSimulation, keyedMessage, Producer, SimpleConsumer, type Simulation } from 'kafkasim';

const TOPIC = 'log';
const PARTITIONS = 2;

interface Model {
  /** Acknowledged values per partition, in offset order. */
  readonly logs: string[][];
}

interface Real {
  readonly sim: Simulation;
  readonly app: ClientProcess;
  readonly producer: Producer;
}

/** Runs client code on the app machine and the simulation until it finishes. */
async function onApp<T>(real: Real, name: string, body: () => Promise<T>): Promise<T> {
  const task = real.app.run(name, body);
  await real.sim.runUntil(() => task.settled, { maxSteps: 5_000_000, description: name });
  return task.result();
}

async function fetchFromLeader(real: Real, partition: number, offset: number): Promise<string[]> {
  const leader = real.sim.leaderOf(TOPIC, partition)!;
  const { host, port } = real.sim.endpointOf(leader);
  return onApp(real, `fetch ${partition}@${offset}`, async () => {
    const consumer = new SimpleConsumer(real.app.runtime, { host, port, soTimeoutMs: 10_000, bufferSize: 64 * 1024, clientId: 'model-test' });
    try {
      const response = await consumer.fetch({ partitions: [{ topic: TOPIC, partition, offset, fetchSize: 100_000 }] });
      return [...response.messageSet(TOPIC, partition)].filter((m) => m.offset >= offset).map((m) => String(m.value));
    } finally {
      consumer.close();
    }
  });
}

/** Every partition led, with all three replicas in sync (the cluster healed from the last fault). */
async function settled(real: Real): Promise<void> {
  await real.sim.runUntil(
    () =>
      Array.from({ length: PARTITIONS }, (_, p) => p).every((p) => {
        const leader = real.sim.leaderOf(TOPIC, p);
        return leader !== undefined && real.sim.replica(leader, TOPIC, p)?.isr.length === 3;
      }),
    { maxSteps: 5_000_000, description: 'the cluster to heal' },
  );
}

class Send implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly partition: number,
    readonly value: string,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await onApp(real, `send ${this.value}`, () => real.producer.send(keyedMessage(TOPIC, String(this.partition), this.value)));
    const entry = real.producer.ledger.entries.at(-1)!;
    const expectedOffset = model.logs[this.partition]!.length;
    if (entry.fate !== 'acknowledged' || entry.partition !== this.partition || entry.offset !== expectedOffset) {
      throw new Error(`send ${this.value}: ${entry.fate} at ${entry.partition}@${entry.offset}, expected acknowledged at ${this.partition}@${expectedOffset}`);
    }
    model.logs[this.partition]!.push(this.value);
  }
  toString = () => `send(${this.partition}, ${this.value})`;
}

class Fetch implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly partition: number,
    readonly fromIndex: number,
  ) {}
  check = (model: Readonly<Model>) => this.fromIndex <= model.logs[this.partition]!.length;
  async run(model: Model, real: Real): Promise<void> {
    const expected = model.logs[this.partition]!.slice(this.fromIndex);
    const actual = await fetchFromLeader(real, this.partition, this.fromIndex);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`fetch ${this.partition}@${this.fromIndex}: got ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}`);
    }
  }
  toString = () => `fetch(${this.partition}, from ${this.fromIndex})`;
}

class CrashAndRestart implements fc.AsyncCommand<Model, Real> {
  constructor(readonly broker: number) {}
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    real.sim.broker(this.broker).crash();
    await real.sim.runFor(8_000); // past the 6 s ZooKeeper session: the controller moves leaders away
    real.sim.broker(this.broker).restart();
    await settled(real);
  }
  toString = () => `crash-and-restart(broker ${this.broker})`;
}

describe('a replicated partition log, against a model', () => {
  it('acknowledges every acks=-1 send at the next offset and serves exactly the model, through broker crashes one at a time', async () => {
    const commands = [
      fc.tuple(fc.integer({ min: 0, max: PARTITIONS - 1 }), fc.string({ minLength: 1, maxLength: 8 })).map(([p, v]) => new Send(p, v)),
      fc.tuple(fc.integer({ min: 0, max: PARTITIONS - 1 }), fc.nat({ max: 10 })).map(([p, i]) => new Fetch(p, i)),
      fc.integer({ min: 1, max: 3 }).map((b) => new CrashAndRestart(b)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.commands(commands, { maxCommands: 12 }), async (seed, program) => {
        const sim = await createSimulation({
          seed,
          brokers: 3,
          trace: 'off',
          history: false,
          topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3, config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false } }],
        });
        const app = ClientProcess.on(sim, 'app');
        const producer = new Producer(app.runtime, {
          'metadata.broker.list': sim.bootstrapServers,
          'request.required.acks': -1,
          'message.send.max.retries': 10,
          'retry.backoff.ms': 1000,
          // The key names the partition, so the model knows where each value goes.
          'partitioner.class': (key: string, partitions: number) => Number(key) % partitions,
        });
        await fc.asyncModelRun(() => ({ model: { logs: [[], []] }, real: { sim, app, producer } }), program);
      }),
      { numRuns: 40, seed: 11 },
    );
  }, 600_000);
});
