/**
 * The control line protocol (`serve`'s stdin, `POST /command`): each line is one fault of the
 * simulator's vocabulary in a short spelling, or state/help/stop; a line that does not parse says
 * what was expected.
 */
import { describe, expect, it } from 'vitest';
import { ControlSyntaxError, parseControlLine } from '../../src/gateway/index.ts';

describe('parseControlLine', () => {
  it.each([
    ['crash 2', { kind: 'broker-crash', broker: 2 }],
    ['crash broker-2 power-loss', { kind: 'broker-crash', broker: 2, mode: 'power-loss' }],
    ['restart 2', { kind: 'broker-restart', broker: 2 }],
    ['shutdown 3', { kind: 'broker-shutdown', broker: 3 }],
    ['pause 1', { kind: 'pause', node: 'broker-1' }],
    ['pause wire-4 500', { kind: 'pause', node: 'wire-4', durationMs: 500 }],
    ['resume 1', { kind: 'resume', node: 'broker-1' }],
    ['partition 1 | 2,3', { kind: 'partition', groups: [['broker-1'], ['broker-2', 'broker-3']] }],
    ['partition 1,zk|2,3', { kind: 'partition', groups: [['broker-1', 'zookeeper'], ['broker-2', 'broker-3']] }],
    ['isolate 2', { kind: 'isolate', node: 'broker-2' }],
    ['heal', { kind: 'heal' }],
    ['slow 2 300', { kind: 'slow-broker', broker: 2, latencyMs: 300 }],
    ['delay 1 2 40 5', { kind: 'link-delay', from: 'broker-1', to: 'broker-2', latencyMs: 40, jitterMs: 5 }],
    ['loss 1 wire-3 0.5', { kind: 'link-loss', from: 'broker-1', to: 'wire-3', lossRate: 0.5 }],
    ['expire 2', { kind: 'session-expire', node: 'broker-2' }],
    ['fault {"kind":"heal"}', { kind: 'heal' }],
  ])('reads %j as a fault', (line, fault) => {
    expect(parseControlLine(line)).toEqual({ kind: 'fault', fault });
  });

  it('reads state, help and stop, in any case and with spaces around', () => {
    expect(parseControlLine('  STATE ')).toEqual({ kind: 'state' });
    expect(parseControlLine('help')).toEqual({ kind: 'help' });
    expect(parseControlLine('?')).toEqual({ kind: 'help' });
    expect(parseControlLine('quit')).toEqual({ kind: 'stop' });
  });

  it.each([
    ['jump 2', /unknown command "jump"/],
    ['crash', /usage: crash <broker>/],
    ['crash 0', /a broker is its id/],
    ['crash two', /a broker is its id/],
    ['restart 1 2', /usage: restart <broker>; got 2 argument/],
    ['partition 1', /at least two non-empty groups/],
    ['partition 1 | ', /at least two non-empty groups/],
    ['pause 1 -5', /pause ms must be a non-negative integer/],
    ['loss 1 2 1.5', /loss rate must be a number from 0 to 1/],
    ['heal now', /usage: heal/],
    ['fault {kind:heal}', /fault needs a JSON object/],
    ['fault [1]', /with a string "kind"/],
  ])('rejects %j saying what was expected', (line, message) => {
    expect(() => parseControlLine(line)).toThrow(ControlSyntaxError);
    expect(() => parseControlLine(line)).toThrow(message);
  });
});
