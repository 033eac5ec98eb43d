/**
 * The article's Java read loop (`readPartition`, src/client/partition-failover.ts) as a lesson
 * shows it: its events in short lines, the messages it hands out as offset ranges, optionally the
 * requests it sends, and when it will wake from its current 1 s sleep (so a lesson can choose the
 * moment of a fault by the loop's state).
 */
import type { ClientProcess, ClientTask } from '../../src/client/client-process.ts';
import { readPartition, type PartitionReadEvent, type PartitionReadReport, type ReadPartitionOptions } from '../../src/client/partition-failover.ts';
import type { Runtime } from '../../src/client/runtime.ts';
import { payloadToString } from '../../src/protocol/message.ts';
import { formatMs } from '../../src/sim/index.ts';
import type { LessonRun } from './lesson-kit.ts';
import { narratedRuntime } from './requests.ts';

export interface ReadMessage {
  readonly offset: number;
  readonly value: string;
  readonly atMs: number;
}

export interface PartitionReader {
  readonly label: string;
  readonly task: ClientTask<PartitionReadReport>;
  /** Every message handed out, in order. */
  readonly read: readonly ReadMessage[];
  readonly events: readonly PartitionReadEvent[];
  /** When the loop wakes from the sleep it is in now; undefined when it is not sleeping. */
  readonly wakeAtMs: number | undefined;
  /** Prints the messages handed out since the last flush (the lesson calls it at its pauses). */
  flush(): void;
  /** Whether an event of this kind happened. */
  saw(kind: PartitionReadEvent['kind']): boolean;
}

export interface PartitionReaderOptions extends Omit<ReadPartitionOptions, 'onMessage' | 'onEvent'> {
  /** Print its requests and responses while this returns true (default: never). */
  readonly wire?: () => boolean;
  /** Print its events while this is (or returns) true (default true). */
  readonly narrate?: boolean | (() => boolean);
  /** Print the messages it reads (default true). */
  readonly printMessages?: boolean;
  /** What the application does with each message after it was handed out (awaited by the loop). */
  readonly process?: (message: ReadMessage & { readonly nextOffset: number }, runtime: Runtime) => Promise<void>;
}

/** Starts `readPartition` as task `label` of `process` (a `ClientProcess`, or any process that runs tasks), narrated in `run`. */
export function startPartitionReader(run: LessonRun, process: Pick<ClientProcess, 'run'>, label: string, options: PartitionReaderOptions): PartitionReader {
  const { wire, narrate = true, printMessages = true, process: handle, ...readOptions } = options;
  const narrating = typeof narrate === 'function' ? narrate : () => narrate;
  const read: ReadMessage[] = [];
  const events: PartitionReadEvent[] = [];
  let pending: ReadMessage[] = [];
  let wakeAtMs: number | undefined;
  const flush = () => {
    if (!printMessages) pending = [];
    if (pending.length === 0) return;
    const first = pending[0]!;
    const last = pending.at(-1)!;
    const values = pending.length <= 6 ? pending.map((m) => m.value).join(', ') : `${pending.slice(0, 3).map((m) => m.value).join(', ')}, ..., ${last.value}`;
    const offsets = pending.length === 1 ? `offset ${first.offset}` : `offsets ${first.offset}..${last.offset}`;
    run.say(`  [${formatMs(first.atMs)}] ${label}: read ${offsets}: ${values}`);
    pending = [];
  };
  const task = process.run(label, (base) => {
    let runtime: Runtime = base;
    if (wire !== undefined) {
      // narratedRuntime reads `apis` at every request: none while wire() is false.
      runtime = narratedRuntime(run, base, label, {
        get apis() {
          return wire() ? undefined : [];
        },
      });
    }
    const watched: Runtime = {
      ...runtime,
      async sleep(ms) {
        wakeAtMs = runtime.nowMs() + ms;
        try {
          await runtime.sleep(ms);
        } finally {
          wakeAtMs = undefined;
        }
      },
    };
    return readPartition(watched, {
      ...readOptions,
      onMessage: async (message) => {
        const m = { offset: message.offset, value: payloadToString(message.value) ?? '', atMs: base.nowMs() };
        if (pending.length > 0 && pending.at(-1)!.offset + 1 !== m.offset) flush();
        read.push(m);
        pending.push(m);
        await handle?.({ ...m, nextOffset: message.nextOffset }, runtime);
      },
      onEvent: (event) => {
        events.push(event);
        if (!narrating()) return;
        flush();
        const line = eventLine(event);
        if (line !== undefined) run.say(`  [${formatMs(event.atMs)}] ${label}: ${line}`);
      },
    });
  });
  return {
    label,
    task,
    read,
    events,
    get wakeAtMs() {
      return wakeAtMs;
    },
    flush,
    saw: (kind) => events.some((e) => e.kind === kind),
  };
}

/** One short line per event; the helper's full text when it does not have the expected shape. */
export function eventLine(event: PartitionReadEvent): string | undefined {
  const text = event.text;
  switch (event.kind) {
    case 'leader-lookup-failed':
      // Each leader search asks the dead broker too; its refusal says nothing new.
      return undefined;
    case 'fetch-error': {
      const broker = /Broker:(\S+) /.exec(text)?.[1];
      const count = /(?:counted as error|consecutive errors:) (\d+)/.exec(text)?.[1];
      const reason = / refused /.test(text) ? 'connection refused' : /Reason: \d+ \((\w+)\)/.exec(text)?.[1];
      if (broker === undefined || count === undefined || reason === undefined) return text;
      return `fetch error ${count} (numErrors = ${count}): ${reason} by ${broker}`;
    }
    case 'same-leader': {
      const tryNumber = /^Try (\d+):/.exec(text)?.[1];
      const broker = /names (\S+?:\d+)/.exec(text)?.[1];
      if (tryNumber === undefined || broker === undefined) return text;
      return tryNumber === '1'
        ? `  findNewLeader try 1: the metadata still names ${broker} ("give ZooKeeper a second to recover"): sleep 1 s`
        : `  findNewLeader try ${tryNumber}: still ${broker}: taken as recovered, fetch from it again`;
    }
    case 'no-leader-yet':
      return `  findNewLeader ${text.replace(/^Try/, 'try')}`;
    case 'leader-changed':
      return `  ${text}`;
    case 'offset-reset': {
      const match = /^Offset (\d+) .*?latest offset (\d+)/.exec(text);
      if (match === null) return text;
      return `getLastOffset(LatestTime) answers ${match[2]}: readOffset ${match[1]} -> ${match[2]}`;
    }
    default:
      return text;
  }
}
