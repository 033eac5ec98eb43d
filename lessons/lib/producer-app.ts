/**
 * A producer application for failure lessons: a sync producer on its own client machine sending
 * a fixed list of values one at a time, like the article's SyncProduce loop, that logs a failed
 * send (FailedToSendMessage) and carries on with the next value instead of dying. Its ledger
 * says what became of every value. The same loop runs on a real broker (`runProducerLoop`).
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import { ClientProcess, type ClientTask } from '../../src/client/client-process.ts';
import { FailedToSendMessageError } from '../../src/client/errors.ts';
import type { ProducerConfigInput } from '../../src/client/producer/config.ts';
import { Producer, keyedMessage } from '../../src/client/producer/producer.ts';
import type { ProducerLedger } from '../../src/client/producer/ledger.ts';
import type { Runtime } from '../../src/client/runtime.ts';

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

/** What a running loop has done so far. */
export interface ProducerLoopState {
  ledger: ProducerLedger | undefined;
  readonly failedValues: string[];
  /** How many values the loop has handed to `send` so far. */
  handed: number;
}

/** The app's loop on any runtime (a simulated client machine's, or the real one against brokers). */
export async function runProducerLoop(runtime: Runtime, bootstrapServers: string, options: ProducerAppOptions, state: ProducerLoopState): Promise<void> {
  const producer = new Producer(runtime, { 'metadata.broker.list': bootstrapServers, ...options.config });
  state.ledger = producer.ledger;
  for (const value of options.values) {
    state.handed++;
    try {
      await producer.send(keyedMessage(options.topic, null, value));
    } catch (error) {
      if (!(error instanceof FailedToSendMessageError)) throw error;
      state.failedValues.push(value);
    }
    await runtime.sleep(options.pauseMs);
  }
  await producer.close();
}

/** Starts the app on client machine `node`; it runs as the simulation runs. */
export function startProducerApp(sim: Simulation, node: string, options: ProducerAppOptions): ProducerApp {
  const state: ProducerLoopState = { ledger: undefined, failedValues: [], handed: 0 };
  const process = ClientProcess.on(sim, node);
  const task = process.run(`${node} loop`, (runtime) => runProducerLoop(runtime, sim.bootstrapServers, options, state));
  return {
    task,
    get ledger() {
      if (state.ledger === undefined) throw new Error(`the producer app on ${node} has not started yet`);
      return state.ledger;
    },
    failedValues: state.failedValues,
    progress: () => state.handed,
  };
}
