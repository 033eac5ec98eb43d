/**
 * `kafkasim serve`: a simulated cluster for real Kafka clients (src/gateway). Prints the
 * bootstrap list on the first line (`bootstrap: 127.0.0.1:p1,...`), then the narration (faults,
 * broker and controller events, leader and ISR changes, real clients connecting); reads control
 * lines on stdin (`help` lists them) and answers each with one JSON line. SIGINT, SIGTERM or
 * `stop` stop serving and finish the recording.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { BROKER_CONFIG_SPECS, type BrokerConfig } from '../broker/config.ts';
import type { TopicSpec } from '../broker/simulation.ts';
import { CONTROL_HELP, ControlSyntaxError, parseControlLine } from '../gateway/control.ts';
import { startGateway, type Gateway } from '../gateway/gateway.ts';
import { GATEWAY_STORY_KINDS } from '../gateway/replay-lesson.ts';
import { InvalidArgumentError, KafkasimError } from '../sim/errors.ts';
import type { ScheduledFault } from '../sim/faults.ts';
import { renderRecord, type TraceRecord } from '../sim/trace.ts';

export const SERVE_USAGE = `serve --brokers N --topic NAME:PARTITIONS:RF [--topic ...] [--seed N] [--port P] [--speed X]
        [--broker-config KEY=VALUE ...] [--schedule FILE] [--record FILE] [--control-port P] [--quiet]`;


export interface ServeOptions {
  readonly brokers: number;
  readonly topics: readonly TopicSpec[];
  /** Broker settings by Kafka's names (`--broker-config group.initial.rebalance.delay.ms=0`). */
  readonly brokerConfig: Partial<BrokerConfig>;
  readonly seed: number;
  readonly basePort: number;
  readonly speed: number;
  readonly schedule: readonly ScheduledFault[];
  readonly record: string | undefined;
  readonly controlPort: number | undefined;
  readonly quiet: boolean;
}

/** `jiketest:3:2` → topic jiketest, 3 partitions, replication factor 2. */
export function parseTopicSpec(text: string): TopicSpec {
  const match = /^([^:]+):(\d+):(\d+)$/.exec(text);
  if (match === null) throw new InvalidArgumentError('--topic', text, 'NAME:PARTITIONS:REPLICATION_FACTOR, e.g. jiketest:3:2');
  return { name: match[1]!, partitions: Number(match[2]), replicationFactor: Number(match[3]) };
}

/**
 * `group.initial.rebalance.delay.ms=0` → that key and its value, typed as the key's spec says
 * (an integer or true/false). A value of the wrong type is passed on as text, so the broker
 * config's own check rejects it naming the key, the value and what is allowed; an unknown key is
 * rejected there too, listing the known ones.
 */
export function parseBrokerConfigSetting(text: string): [string, number | boolean | string] {
  const match = /^([^=\s]+)=(.*)$/.exec(text);
  if (match === null) throw new InvalidArgumentError('--broker-config', text, 'KEY=VALUE with a broker setting by its Kafka name, e.g. group.initial.rebalance.delay.ms=0');
  const [, key, value] = match as unknown as [string, string, string];
  const spec = (BROKER_CONFIG_SPECS as Readonly<Record<string, { readonly type: string } | undefined>>)[key];
  if (spec?.type === 'boolean' && (value === 'true' || value === 'false')) return [key, value === 'true'];
  if (spec !== undefined && spec.type !== 'boolean' && /^-?\d+$/.test(value)) return [key, Number(value)];
  return [key, value];
}

/** A schedule file: a JSON array of `{ "atMs": <ms after serving starts>, "fault": {...} }`. */
export function readSchedule(file: string): ScheduledFault[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError('--schedule', file, `a readable JSON file (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new InvalidArgumentError('--schedule', file, 'a JSON array of { "atMs": ms, "fault": {...} }');
  return parsed as ScheduledFault[];
}

export async function serve(options: ServeOptions, io: { out: (line: string) => void; input: Readable }): Promise<void> {
  const onTrace = options.quiet
    ? undefined
    : (record: TraceRecord) => {
        if (GATEWAY_STORY_KINDS.some((prefix) => record.kind.startsWith(prefix))) io.out(renderRecord(record));
      };
  const gateway = await startGateway({
    brokers: options.brokers,
    topics: options.topics,
    brokerConfig: options.brokerConfig,
    seed: options.seed,
    basePort: options.basePort,
    speed: options.speed,
    schedule: options.schedule,
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(options.controlPort === undefined ? {} : { controlPort: options.controlPort }),
    ...(onTrace === undefined ? {} : { onTrace }),
    onError: (error, fatal) => io.out(JSON.stringify({ ok: false, fatal, error: `${fatal ? 'the simulation failed' : 'gateway error'}: ${(error as Error).message}` })),
  });
  io.out(`bootstrap: ${gateway.bootstrapServers}`);
  if (gateway.controlAddress !== undefined) io.out(`control: http://${gateway.controlAddress.host}:${gateway.controlAddress.port} (GET /state, POST /fault, POST /command)`);
  io.out(`${options.brokers} broker(s); type help for the control commands.`);

  await new Promise<void>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      lines.close();
      // An open stdin would keep the process alive after serving stops.
      io.input.destroy();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      finish(gateway, options, io).then(done, (error: unknown) => {
        io.out(JSON.stringify({ ok: false, error: `the simulation failed: ${(error as Error).message}` }));
        process.exitCode = 1;
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // End of input keeps serving (a gateway started with no terminal); only stop or a signal ends it.
    const lines = createInterface({ input: io.input, terminal: false });
    lines.on('line', (line) => {
      if (line.trim().length === 0) return;
      control(gateway, line, io.out, stop);
    });
  });
}

function control(gateway: Gateway, line: string, out: (line: string) => void, stop: () => void): void {
  let command;
  try {
    command = parseControlLine(line);
  } catch (error) {
    if (!(error instanceof ControlSyntaxError)) throw error;
    out(JSON.stringify({ ok: false, error: error.message }));
    return;
  }
  switch (command.kind) {
    case 'help':
      out(CONTROL_HELP);
      return;
    case 'state': {
      const state = gateway.state();
      out(state.text);
      out(JSON.stringify({ ok: true, state: { ...state, text: undefined } }));
      return;
    }
    case 'stop':
      stop();
      return;
    case 'fault':
      try {
        gateway.applyFault(command.fault).then(
          () => out(JSON.stringify({ ok: true, applied: command.fault })),
          (error: unknown) => out(JSON.stringify({ ok: false, error: (error as Error).message })),
        );
      } catch (error) {
        if (!(error instanceof KafkasimError)) throw error;
        out(JSON.stringify({ ok: false, error: error.message }));
      }
  }
}

async function finish(gateway: Gateway, options: ServeOptions, io: { out: (line: string) => void }): Promise<void> {
  await gateway.stop();
  const end = gateway.recording?.end;
  if (end !== undefined && options.record !== undefined) {
    io.out(`recorded ${gateway.recording!.header.listeners.length} broker(s), step ${end.step}, digest ${end.digest} to ${options.record}`);
    io.out(`replay: npx kafkasim replay ${options.record} --step`);
  }
}
