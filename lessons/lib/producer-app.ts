/**
 * A producer application for failure lessons: a sync producer on its own client machine sending
 * a fixed list of values one at a time, like the article's SyncProduce loop, that logs a failed
 * send (FailedToSendMessage) and carries on with the next value instead of dying. Its ledger
 * says what became of every value.
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import { ClientProcess, type ClientTask } from '../../src/client/client-process.ts';
import { FailedToSendMessageError } from '../../src/client/errors.ts';
import type { ProducerConfigInput } from '../../src/client/producer/config.ts';
import { Producer, keyedMessage } from '../../src/client/producer/producer.ts';
import type { ProducerLedger } from '../../src/client/producer/ledger.ts';

export interface ProducerApp {
  readonly task: ClientTask<void>;
  /** Every value's fate; filled in as the app runs. */
  readonly ledger: ProducerLedger;
  /** Values whose send threw FailedToSendMessage (the application was told). */
  readonly failedValues: string[];
  /** How many values the loop has handed to `send` so far. */
  readonly progress: () => number;
}

export interface ProducerAppOptions {
  readonly topic: string;
  readonly values: readonly string[];
  /** Producer properties besides metadata.broker.list. */
  readonly config: Omit<ProducerConfigInput, 'metadata.broker.list'>;
  /** Pause between two sends (the article sleeps a second). */
  readonly pauseMs: number;
}

/** Starts the app on client machine `node`; it runs as the simulation runs. */
export function startProducerApp(sim: Simulation, node: string, options: ProducerAppOptions): ProducerApp {
  const failedValues: string[] = [];
  let handed = 0;
  let ledger: ProducerLedger | undefined;
  const process = ClientProcess.on(sim, node);
  const task = process.run(`${node} loop`, async (runtime) => {
    const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, ...options.config });
    ledger = producer.ledger;
    for (const value of options.values) {
      handed++;
      try {
        await producer.send(keyedMessage(options.topic, null, value));
      } catch (error) {
        if (!(error instanceof FailedToSendMessageError)) throw error;
        failedValues.push(value);
      }
      await runtime.sleep(options.pauseMs);
    }
    await producer.close();
  });
  return {
    task,
    get ledger() {
      if (ledger === undefined) throw new Error(`the producer app on ${node} has not started yet`);
      return ledger;
    },
    failedValues,
    progress: () => handed,
  };
}
