/**
 * What a kcat run that failed (or never ended) and the gateway it talked to looked like, for the
 * failure message: the tail of kcat's stderr (its librdkafka debug log when the run asked for one)
 * and the gateway's side at that moment (virtual time and how far it lags the wall clock's pace,
 * paused and dead nodes, events queued and when the next is due, every partition's leader, ISR,
 * log end offsets and high watermarks, the connections still open, and any error the gateway
 * reported). A hang that shows up only on a loaded CI machine can then be read from the report.
 */
import type { Gateway, GatewayOptions } from '../../../src/gateway/index.ts';
import type { KcatResult } from './kcat-runner.ts';

/** librdkafka debug contexts that show what a consumer waits for (`kcat -d`). */
export const KCAT_CONSUMER_DEBUG = 'fetch,topic,broker,protocol';

/** Gateway errors reported through `onError`, per gateway. */
const reported = new WeakMap<Gateway, string[]>();

/**
 * Options whose `onError` notes the gateway's errors for `describeFailure` (pass them to
 * `startGateway`, then `noteErrorsOf(gateway, errors)`).
 */
export function collectingErrors(options: GatewayOptions): { options: GatewayOptions; errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    options: {
      ...options,
      onError: (error, fatal) => {
        errors.push(`${fatal ? 'fatal' : 'non-fatal'}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        options.onError?.(error, fatal);
      },
    },
  };
}

export function noteErrorsOf(gateway: Gateway, errors: string[]): void {
  reported.set(gateway, errors);
}

/**
 * The failure message for kcat run `run` (`what` says which) against `gateway`; `atTimeout` is
 * `describeGateway` taken just before kcat was killed, if it was (its connections still open).
 */
export function describeFailure(what: string, run: KcatResult, gateway: Gateway, atTimeout?: string, tailLines = 80): string {
  const lines = run.stderr.split('\n');
  const tail = lines.slice(-tailLines).join('\n');
  return [
    `${what}: exit code ${String(run.code)}, ${run.stdout === '' ? 0 : run.stdout.trimEnd().split('\n').length} line(s) on stdout`,
    `--- kcat stderr (last ${Math.min(tailLines, lines.length)} of ${lines.length} lines) ---`,
    tail,
    ...(atTimeout === undefined ? [] : ['--- gateway when kcat was killed ---', atTimeout]),
    '--- gateway now ---',
    describeGateway(gateway),
  ].join('\n');
}

export function describeGateway(gateway: Gateway): string {
  const kernel = gateway.simulation.kernel;
  const state = gateway.state();
  const nodes = kernel.nodeNames().map((name) => kernel.node(name));
  const paused = nodes.filter((n) => n.paused).map((n) => `${n.name} (${n.deferred.length} deferred)`);
  const dead = nodes.filter((n) => !n.alive).map((n) => n.name);
  const out = [
    `step ${state.step}, virtual ${state.virtualMs} ms; ${kernel.pendingEvents} event(s) queued, next due at ${String(kernel.nextDueMs())} ms`,
    `controller ${state.controller}; paused: ${paused.join(', ') || 'none'}; dead: ${dead.join(', ') || 'none'}`,
    `brokers: ${state.brokers.map((b) => `${b.id} ${b.status} ${b.address}${b.listening ? '' : ' (not listening)'}`).join('; ')}`,
    ...state.partitions.map(
      (p) =>
        `${p.topic}-${p.partition}: leader ${p.leader} (epoch ${p.leaderEpoch}), isr [${p.isr.join(',')}], ` +
        p.replicas.map((r) => `broker ${r.broker} leo ${r.logEndOffset ?? '-'} hw ${r.highWatermark ?? '-'}`).join(', '),
    ),
    `open connections: ${state.connections.map((c) => `${c.node}→${c.broker}`).join(', ') || 'none'}`,
    `gateway errors: ${(reported.get(gateway) ?? []).join('\n') || 'none'}`,
  ];
  return out.join('\n');
}
