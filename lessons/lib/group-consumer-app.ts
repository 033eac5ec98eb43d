/**
 * The article's Java `GroupConsumerTest` as a client app on a simulated machine: a
 * `ZookeeperConsumerConnector` built from Java-style properties (strings, as `Properties` holds
 * them), `createMessageStreams({ topic: N })`, one `ConsumerTest` task per `KafkaStream` (the
 * article's `while (it.hasNext()) System.out.println("Thread " + n + ": " + message)`), and
 * `shutdown()`. Every message a thread prints is kept as a `Delivery` for the lesson's claims.
 *
 * On a real broker the same app runs on a `RealProcess` with the connector in coordinator mode
 * (`group.coordination: 'coordinator'` in its properties): `createConsumerConnector` picks it.
 */
import { ZOOKEEPER_NODE, type Simulation } from '../../src/broker/simulation.ts';
import type { ClientTask } from '../../src/client/client-process.ts';
import { createConsumerConnector, type ConsumerConnector } from '../../src/client/group/consumer-connector.ts';
import type { ConsumerConfigInput } from '../../src/client/group/config.ts';
import type { KafkaStream } from '../../src/client/group/stream.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import type { Runtime } from '../../src/client/runtime.ts';
import { ZOOKEEPER_PORT } from '../../src/zookeeper/messages.ts';
import { waitUntil } from './backend.ts';

/** The `zookeeper.connect` of the simulated ensemble. */
export const ZOOKEEPER_CONNECT = `${ZOOKEEPER_NODE}:${ZOOKEEPER_PORT}`;

/** One message a `ConsumerTest` thread printed. */
export interface Delivery {
  readonly app: string;
  /** The article's `m_threadNumber`. */
  readonly thread: number;
  /** The consumer thread id that owned the partition (`consumerId-N`). */
  readonly threadId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
  readonly atMs: number;
}

export interface GroupConsumerAppOptions {
  /** Called for every message a thread prints (the lesson may print it). */
  readonly onMessage?: (delivery: Delivery) => void;
  /** Called when a thread's loop ends (`System.out.println("Shutting down Thread: " + n)`). */
  readonly onThreadEnd?: (thread: number, printed: number, atMs: number) => void;
}

/** The machine the app runs on: a `ClientProcess` of the simulation or a `RealProcess` on a broker. */
export interface AppProcess {
  readonly runtime: Runtime;
  run<T>(name: string, body: (runtime: Runtime) => Promise<T>): ClientTask<T>;
  /** Ends the process once its app has shut down (a `RealProcess`: its pending timers no longer keep node running). */
  exit?(): void;
}

/** What the app's waits run on: the simulation (run until) or, on a real broker, the wall clock of this runtime. */
export type AppStage = Simulation | Runtime;

export class GroupConsumerApp<P extends AppProcess = AppProcess> {
  readonly connector: ConsumerConnector;
  readonly deliveries: Delivery[] = [];
  /** One `ConsumerTest` per stream; each returns how many messages it printed. */
  readonly threads: ClientTask<number>[] = [];
  /** `run(N)`: createMessageStreams and the executor's tasks. Fails as createMessageStreams does. */
  readonly main: ClientTask<readonly KafkaStream[]>;
  private streams: readonly KafkaStream[] | undefined;

  /**
   * `new GroupConsumerTest(zooKeeper, groupId, topic)` then `example.run(numThreads)` on `process`:
   * `topicCountMap` is `{ topic: numThreads }` (several topics: one thread per stream of each, numbered
   * on across topics). `properties` are the ones `createConsumerConfig` puts (plus any the lesson adds).
   */
  constructor(
    private readonly stage: AppStage,
    readonly process: P,
    readonly name: string,
    properties: ConsumerConfigInput,
    readonly topicCountMap: Readonly<Record<string, number>>,
    private readonly options: GroupConsumerAppOptions = {},
  ) {
    this.connector = createConsumerConnector(process.runtime, properties);
    this.main = process.run(`${name} main`, async () => {
      const consumerMap = await this.connector.createMessageStreams(topicCountMap);
      const streams = Object.keys(topicCountMap).flatMap((topic) => consumerMap[topic]!);
      this.streams = streams;
      streams.forEach((stream, threadNumber) => this.threads.push(process.run(`${name} thread ${threadNumber}`, () => this.consumerTest(stream, threadNumber))));
      return streams;
    });
  }

  /** Whether createMessageStreams has returned (the first rebalance is done). */
  get started(): boolean {
    return this.streams !== undefined;
  }

  get consumerId(): string {
    return this.connector.consumerId;
  }

  /** Messages printed by thread `n`. */
  deliveriesOf(thread: number): Delivery[] {
    return this.deliveries.filter((d) => d.thread === thread);
  }

  /** `GroupConsumerTest.shutdown()`: the connector's shutdown; the threads' iterators then end. */
  async shutdown(): Promise<void> {
    const task = this.process.run(`${this.name} shutdown`, () => this.connector.shutdown());
    const done = () => task.settled && this.threads.every((t) => t.settled);
    const description = `${this.name} to shut down`;
    await ('kernel' in this.stage ? this.stage.runUntil(done, { description }) : waitUntil(this.stage, done, description));
    task.result();
    this.process.exit?.();
  }

  /** `ConsumerTest.run()`. */
  private async consumerTest(stream: KafkaStream, threadNumber: number): Promise<number> {
    let printed = 0;
    for await (const m of stream) {
      const delivery: Delivery = {
        app: this.name,
        thread: threadNumber,
        threadId: stream.threadId,
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        value: payloadToString(m.value) ?? '',
        atMs: this.process.runtime.nowMs(),
      };
      this.deliveries.push(delivery);
      printed++;
      this.options.onMessage?.(delivery);
    }
    this.options.onThreadEnd?.(threadNumber, printed, this.process.runtime.nowMs());
    return printed;
  }
}
