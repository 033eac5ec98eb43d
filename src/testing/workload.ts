/**
 * The workload of a scenario as client processes: each producer on its own node sending
 * `<name>-<i>`, each consumer group member on its own node (`<group>-<i>`) running the 0.8
 * high-level consumer with the group's delivery pattern and recording every message it processes.
 * Consumer members can be crashed and restarted (the `consumer-crash` and `consumer-restart`
 * faults); a restarted member is a new process with a new connector that resumes from the group's
 * committed offsets, as a restarted application would.
 */
import type { Simulation } from '../broker/simulation.ts';
import { ClientProcess, type ClientTask } from '../client/client-process.ts';
import { consume, OutputStore } from '../client/delivery.ts';
import { ConsumerTimeoutError } from '../client/errors.ts';
import { ZookeeperConsumerConnector } from '../client/group/connector.ts';
import type { KafkaStream, MessageAndMetadata } from '../client/group/stream.ts';
import { Producer, keyedMessage } from '../client/producer/producer.ts';
import type { ProducerLedger } from '../client/producer/ledger.ts';
import type { Runtime } from '../client/runtime.ts';
import type { Payload } from '../protocol/message.ts';
import { lookup } from '../zookeeper/znode-tree.ts';
import { consumerConfigOf, memberNode, type ConsumerSpec, type ProducerSpec } from './scenario-spec.ts';

/** One message as a consumer member processed it. */
export interface ConsumedRecord {
  readonly group: string;
  readonly member: number;
  /** 1 for the member's first process, 2 after its first restart, ... */
  readonly incarnation: number;
  /** The stream (consumer thread) index within the member. */
  readonly stream: number;
  /** Rebalances the member's connector had completed when the message was handed out. */
  readonly generation: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Payload | null;
  readonly value: Payload | null;
  readonly atMs: number;
}

export class ProducerRun {
  readonly process: ClientProcess;
  private readonly producer: Producer;
  private task: ClientTask<void> | undefined;

  constructor(
    sim: Simulation,
    readonly spec: ProducerSpec,
  ) {
    this.process = ClientProcess.on(sim, spec.name);
    this.producer = new Producer(this.process.runtime, { ...spec.config, 'metadata.broker.list': sim.bootstrapServers });
  }

  /** Every message sent and its fate. */
  get ledger(): ProducerLedger {
    return this.producer.ledger;
  }

  get done(): boolean {
    return this.task?.settled ?? false;
  }

  start(): void {
    const { spec, producer } = this;
    this.task = this.process.run(`${spec.name}/send-loop`, async (runtime) => {
      for (let i = 0; i < spec.messages; i++) {
        const key = spec.keys === 'none' ? null : `k${i}`;
        try {
          await producer.send(keyedMessage(spec.topic, key, `${spec.name}-${i}`));
        } catch (error) {
          // A sync send that failed after its retries: the ledger says so; the application goes on.
          record(runtime, 'workload.send-failed', { producer: spec.name, message: i }, `${spec.name} gave up on message ${i}: ${(error as Error).message}`);
        }
        if (spec.intervalMs !== undefined && spec.intervalMs > 0) await runtime.sleep(spec.intervalMs);
      }
      await producer.close();
      record(runtime, 'workload.producer-done', { producer: spec.name }, `${spec.name} has sent its ${spec.messages} messages.`);
    });
  }
}

export class ConsumerGroupRun {
  readonly records: ConsumedRecord[] = [];
  /** Members whose process or first rebalance failed, with why. */
  readonly errors: Array<{ readonly member: number; readonly incarnation: number; readonly error: string }> = [];
  /** The exactly-once pattern's output store: outlives every member process. */
  readonly store = new OutputStore();
  private readonly processes: ClientProcess[] = [];
  private readonly connectors: Array<ZookeeperConsumerConnector | undefined> = [];
  private readonly incarnations: number[] = [];

  constructor(
    private readonly sim: Simulation,
    readonly spec: ConsumerSpec,
  ) {
    for (let member = 0; member < spec.members; member++) {
      this.processes.push(ClientProcess.on(sim, memberNode(spec.group, member)));
      this.connectors.push(undefined);
      this.incarnations.push(0);
    }
  }

  start(): void {
    for (let member = 0; member < this.spec.members; member++) this.startMember(member);
  }

  isAlive(member: number): boolean {
    return this.processes[member]!.alive;
  }

  crash(member: number): void {
    this.processes[member]!.crash();
    this.connectors[member] = undefined;
  }

  /** Starts a crashed member again (a running member is left alone). */
  restart(member: number): void {
    const process = this.processes[member]!;
    if (process.alive) return;
    process.restart();
    this.startMember(member);
  }

  /**
   * Whether the group has read to the end: every partition of its topic has an owner in ZooKeeper,
   * the owner is a running member, and its position has reached the partition's high watermark.
   */
  caughtUp(highWatermarks: ReadonlyMap<number, number>): boolean {
    const owners = lookup(this.sim.zookeeper.state, `/consumers/${this.spec.group}/owners/${this.spec.topic}`)?.children ?? {};
    for (const [partition, highWatermark] of highWatermarks) {
      const threadId = owners[partition]?.data;
      if (threadId === undefined) return false;
      const owner = this.connectors.find((c) => c !== undefined && threadId.startsWith(`${c.consumerId}-`));
      const position = owner?.owned().find((o) => o.topic === this.spec.topic && o.partition === partition)?.consumedOffset;
      if (position === undefined || position < highWatermark) return false;
    }
    return true;
  }

  private startMember(member: number): void {
    const incarnation = ++this.incarnations[member]!;
    const { spec } = this;
    const node = memberNode(spec.group, member);
    this.processes[member]!.run(`${node}/main`, async (runtime) => {
      const connector = new ZookeeperConsumerConnector(runtime, consumerConfigOf(spec, this.sim.zookeeperConnect));
      this.connectors[member] = connector;
      let streams: KafkaStream[];
      try {
        streams = (await connector.createMessageStreams({ [spec.topic]: spec.streams ?? 1 }))[spec.topic]!;
      } catch (error) {
        this.errors.push({ member, incarnation, error: (error as Error).message });
        record(runtime, 'workload.consumer-failed', { group: spec.group, member }, `${node} could not start consuming: ${(error as Error).message}`);
        return;
      }
      for (const [index, stream] of streams.entries()) {
        runtime.spawn(`${node}/stream-${index}`, () => this.consumeStream(connector, stream, { member, incarnation, index, runtime }));
      }
    });
  }

  private async consumeStream(
    connector: ZookeeperConsumerConnector,
    stream: KafkaStream,
    at: { readonly member: number; readonly incarnation: number; readonly index: number; readonly runtime: Runtime },
  ): Promise<void> {
    const processed = (message: MessageAndMetadata) => {
      this.records.push({
        group: this.spec.group,
        member: at.member,
        incarnation: at.incarnation,
        stream: at.index,
        generation: connector.rebalances,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        atMs: at.runtime.nowMs(),
      });
    };
    // With `consumer.timeout.ms` set, an idle stream throws ConsumerTimeoutException; an
    // application that means to read on catches it and iterates again.
    for (;;) {
      try {
        if (this.spec.semantics === 'auto-commit') {
          for (;;) {
            const next = await stream.next();
            if (next.done) return;
            processed(next.value);
          }
        }
        await consume(connector, stream, {
          semantics: this.spec.semantics,
          process: processed,
          store: this.store,
          by: `${memberNode(this.spec.group, at.member)}#${at.incarnation}`,
        });
        return;
      } catch (error) {
        if (!(error instanceof ConsumerTimeoutError)) throw error;
      }
    }
  }
}

function record(runtime: Runtime, kind: string, data: Record<string, unknown>, text: string): void {
  if (runtime.recording) runtime.record(kind, data, text);
}
