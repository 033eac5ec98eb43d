/**
 * A packet capture of the control plane: every request a controller sends to a broker
 * (LeaderAndIsr, UpdateMetadata, StopReplica) is narrated when it leaves, and every answer that
 * carries an error when it is sent back. Brokers do not trace these requests themselves; this
 * watches the simulated network instead, as tcpdump would, without changing what is sent.
 */
import type { Simulation } from '../../src/broker/simulation.ts';
import { describeRequest } from '../../src/protocol/describe.ts';
import { errorName } from '../../src/protocol/errors.ts';
import { formatMs } from '../../src/sim/index.ts';
import type { Endpoint } from '../../src/sim/network.ts';
import type { LessonRun } from './lesson-kit.ts';

const CONTROL_APIS = new Set(['LeaderAndIsr', 'UpdateMetadata', 'StopReplica']);

export interface ControlRequest {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly api: string;
  readonly controllerEpoch: number;
}

export interface ControlRefusal {
  readonly atMs: number;
  /** The broker that refused. */
  readonly from: string;
  readonly to: string;
  readonly api: string;
  readonly errorCode: number;
}

export interface ControllerWire {
  /** Print what passes (default on). */
  narrate: boolean;
  /** Print only what this accepts (node names, the API); everything is still recorded. */
  only: ((from: string, to: string, kind: 'request' | 'refusal') => boolean) | undefined;
  readonly requests: ControlRequest[];
  readonly refusals: ControlRefusal[];
}

export function tapControllerWire(run: LessonRun, sim: Simulation): ControllerWire {
  const wire: ControllerWire = { narrate: true, only: undefined, requests: [], refusals: [] };
  const network = sim.network;
  const transmit = network.transmit.bind(network);
  const say = (node: string, to: string, kind: 'request' | 'refusal', text: string) => {
    if (wire.narrate && (wire.only === undefined || wire.only(node, to, kind))) run.say(`  ${`step ${sim.kernel.currentStep}`.padEnd(10)}${formatMs(sim.kernel.nowMs).padStart(11)}  ${node.padEnd(11)} ${text}`);
  };
  network.transmit = (from: Endpoint, message: unknown) => {
    const envelope = message as { kind?: string; body?: { api?: string; errorCode?: number; controllerEpoch?: number } } | null;
    const body = envelope?.body;
    if (from.isOpen && body !== undefined && CONTROL_APIS.has(body.api ?? '')) {
      if (envelope!.kind === 'request') {
        const request = body as Parameters<typeof describeRequest>[0];
        wire.requests.push({ atMs: sim.kernel.nowMs, from: from.local, to: from.remote, api: body.api!, controllerEpoch: body.controllerEpoch ?? -1 });
        say(from.local, from.remote, 'request', `→ ${from.remote}: ${describeRequest(request)}`);
      } else if (envelope!.kind === 'response' && body.errorCode !== undefined && body.errorCode !== 0) {
        wire.refusals.push({ atMs: sim.kernel.nowMs, from: from.local, to: from.remote, api: body.api!, errorCode: body.errorCode });
        say(from.local, from.remote, 'refusal', `→ ${from.remote}: ${body.api} refused: ${errorName(body.errorCode)} (error code ${body.errorCode})`);
      }
    }
    transmit(from, message);
  };
  return wire;
}
