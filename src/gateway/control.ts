/**
 * The control interface's language: one command per line, for a person at `kafkasim serve`'s
 * stdin or a script (through stdin or `control-http.ts`). Every command is the simulator's fault
 * vocabulary (src/sim/faults.ts, src/broker/broker-faults.ts) in a shorter spelling, or `fault`
 * with the fault as JSON; `state` shows the cluster. Each answer is one JSON object.
 *
 * Node names: a bare number is that broker (`2` = `broker-2`), `zk` is `zookeeper`, and real
 * clients are `wire-<n>` (see `state`).
 */
import { KafkasimError } from '../sim/errors.ts';
import type { Fault } from '../sim/faults.ts';

export type ControlCommand =
  | { readonly kind: 'fault'; readonly fault: Fault }
  | { readonly kind: 'state' }
  | { readonly kind: 'help' }
  | { readonly kind: 'stop' };

/** A control line that does not parse; the message says what was expected. */
export class ControlSyntaxError extends KafkasimError {
  readonly code = 'CONTROL_SYNTAX';
}

export const CONTROL_HELP = [
  'crash <broker> [process|power-loss|disk-wipe]   kill a broker (default: process crash, disk kept)',
  'restart <broker>                                start a crashed or stopped broker',
  'shutdown <broker>                               clean shutdown (controlled shutdown first)',
  'pause <node> [ms]   resume <node>                freeze a node (a GC pause), for ms or until resumed',
  'partition <nodes> | <nodes> [| ...]             cut the network between groups (nodes comma-separated)',
  'isolate <node>      heal                         cut one node off; repair every cut',
  'slow <broker> <ms>                              slow the links between a broker and the others',
  'delay <from> <to> <ms> [jitter]                 set a link latency (both ways)',
  'loss <from> <to> <rate>                         lose messages on a link (both ways, rate 0..1)',
  'expire <node>                                   expire the node\'s ZooKeeper session(s)',
  'fault <json>                                    any fault as JSON, e.g. fault {"kind":"heal"}',
  'state                                           brokers, partitions, connections',
  'stop                                            stop serving (writes the recording)',
].join('\n');

export function parseControlLine(line: string): ControlCommand {
  const trimmed = line.trim();
  const space = trimmed.indexOf(' ');
  const verb = (space === -1 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : trimmed.slice(space + 1).trim();
  const args = rest.length === 0 ? [] : rest.split(/\s+/);
  const fault = (value: Fault): ControlCommand => ({ kind: 'fault', fault: value });
  switch (verb) {
    case 'state':
      return { kind: 'state' };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'stop':
    case 'quit':
      return { kind: 'stop' };
    case 'crash': {
      expectArgs(verb, args, 1, 2, '<broker> [process|power-loss|disk-wipe]');
      return fault(args[1] === undefined ? { kind: 'broker-crash', broker: brokerId(args[0]!) } : { kind: 'broker-crash', broker: brokerId(args[0]!), mode: args[1] });
    }
    case 'restart':
      expectArgs(verb, args, 1, 1, '<broker>');
      return fault({ kind: 'broker-restart', broker: brokerId(args[0]!) });
    case 'shutdown':
      expectArgs(verb, args, 1, 1, '<broker>');
      return fault({ kind: 'broker-shutdown', broker: brokerId(args[0]!) });
    case 'pause':
      expectArgs(verb, args, 1, 2, '<node> [ms]');
      return fault(args[1] === undefined ? { kind: 'pause', node: nodeName(args[0]!) } : { kind: 'pause', node: nodeName(args[0]!), durationMs: integer('pause ms', args[1]) });
    case 'resume':
      expectArgs(verb, args, 1, 1, '<node>');
      return fault({ kind: 'resume', node: nodeName(args[0]!) });
    case 'partition': {
      const groups = rest.split('|').map((group) => group.split(/[\s,]+/).filter((n) => n.length > 0).map(nodeName));
      if (groups.length < 2 || groups.some((g) => g.length === 0)) {
        throw new ControlSyntaxError(`partition needs at least two non-empty groups separated by |, e.g. "partition 1 | 2,3,zk"; got ${JSON.stringify(rest)}`);
      }
      return fault({ kind: 'partition', groups });
    }
    case 'isolate':
      expectArgs(verb, args, 1, 1, '<node>');
      return fault({ kind: 'isolate', node: nodeName(args[0]!) });
    case 'heal':
      expectArgs(verb, args, 0, 0, '');
      return fault({ kind: 'heal' });
    case 'slow':
      expectArgs(verb, args, 2, 2, '<broker> <ms>');
      return fault({ kind: 'slow-broker', broker: brokerId(args[0]!), latencyMs: integer('slow ms', args[1]!) });
    case 'delay':
      expectArgs(verb, args, 3, 4, '<from> <to> <ms> [jitter]');
      return fault({
        kind: 'link-delay',
        from: nodeName(args[0]!),
        to: nodeName(args[1]!),
        latencyMs: integer('delay ms', args[2]!),
        ...(args[3] === undefined ? {} : { jitterMs: integer('delay jitter', args[3]) }),
      });
    case 'loss': {
      expectArgs(verb, args, 3, 3, '<from> <to> <rate>');
      const lossRate = Number(args[2]);
      if (!(lossRate >= 0 && lossRate <= 1)) throw new ControlSyntaxError(`loss rate must be a number from 0 to 1, got ${JSON.stringify(args[2])}`);
      return fault({ kind: 'link-loss', from: nodeName(args[0]!), to: nodeName(args[1]!), lossRate });
    }
    case 'expire':
      expectArgs(verb, args, 1, 1, '<node>');
      return fault({ kind: 'session-expire', node: nodeName(args[0]!) });
    case 'fault': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(rest);
      } catch {
        throw new ControlSyntaxError(`fault needs a JSON object, e.g. fault {"kind":"broker-crash","broker":2}; got ${JSON.stringify(rest)}`);
      }
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { kind?: unknown }).kind !== 'string') {
        throw new ControlSyntaxError(`fault needs a JSON object with a string "kind"; got ${JSON.stringify(rest)}`);
      }
      return fault(parsed as Fault);
    }
    default:
      throw new ControlSyntaxError(`unknown command ${JSON.stringify(verb)}; commands: crash, restart, shutdown, pause, resume, partition, isolate, heal, slow, delay, loss, expire, fault, state, help, stop`);
  }
}

function expectArgs(verb: string, args: readonly string[], min: number, max: number, usage: string): void {
  if (args.length < min || args.length > max) throw new ControlSyntaxError(`usage: ${verb} ${usage}`.trimEnd() + `; got ${args.length} argument(s)`);
}

function brokerId(text: string): number {
  const id = Number(text.startsWith('broker-') ? text.slice('broker-'.length) : text);
  if (!Number.isSafeInteger(id) || id < 1) throw new ControlSyntaxError(`a broker is its id (2) or node name (broker-2), got ${JSON.stringify(text)}`);
  return id;
}

function nodeName(text: string): string {
  if (/^\d+$/.test(text)) return `broker-${text}`;
  if (text === 'zk') return 'zookeeper';
  return text;
}

function integer(what: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new ControlSyntaxError(`${what} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}
