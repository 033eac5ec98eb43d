/**
 * The broker-level fault vocabulary, added to the kernel's (partition, heal, isolate, link-loss,
 * link-delay, pause, resume, which apply to broker nodes as to any node):
 *
 * - `broker-crash` { broker, mode?: 'process' | 'power-loss' | 'disk-wipe' } (default 'process');
 * - `broker-restart` { broker };
 * - `broker-shutdown` { broker }: a clean shutdown (controlled shutdown first when enabled);
 * - `session-expire` { node }: ZooKeeper expires that node's sessions now (a broker, a consumer);
 * - `slow-broker` { broker, latencyMs }: every link between the broker and the other brokers
 *   takes `latencyMs` (a slow follower: its fetches arrive late).
 */
import { InvalidArgumentError, UnknownNameError } from '../sim/errors.ts';
import { requireNonNegativeInteger } from '../sim/validate.ts';
import type { CrashMode } from './broker.ts';
import type { Simulation } from './simulation.ts';

export type BrokerFault =
  | { readonly kind: 'broker-crash'; readonly broker: number; readonly mode?: CrashMode }
  | { readonly kind: 'broker-restart'; readonly broker: number }
  | { readonly kind: 'broker-shutdown'; readonly broker: number }
  | { readonly kind: 'session-expire'; readonly node: string }
  | { readonly kind: 'slow-broker'; readonly broker: number; readonly latencyMs: number };

const CRASH_MODES: readonly CrashMode[] = ['process', 'power-loss', 'disk-wipe'];

export function defineBrokerFaults(sim: Simulation): void {
  const requireBroker = (value: unknown) => {
    if (typeof value !== 'number' || !sim.brokers.has(value)) {
      throw new UnknownNameError('broker', String(value), [...sim.brokers.keys()].map(String));
    }
  };
  sim.faults.define<Extract<BrokerFault, { kind: 'broker-crash' }>>('broker-crash', {
    validate: (f) => {
      requireBroker(f.broker);
      if (f.mode !== undefined && !CRASH_MODES.includes(f.mode)) throw new InvalidArgumentError('crash mode', f.mode, `one of ${CRASH_MODES.join(', ')}`);
    },
    apply: (f) => sim.broker(f.broker).crash(f.mode ?? 'process'),
    describe: (f) =>
      f.mode === 'power-loss'
        ? `Broker ${f.broker} loses power (only flushed data survives).`
        : f.mode === 'disk-wipe'
          ? `Broker ${f.broker} crashes and loses its disk.`
          : `Broker ${f.broker} crashes (its disk keeps what the OS had).`,
  });
  sim.faults.define<Extract<BrokerFault, { kind: 'broker-restart' }>>('broker-restart', {
    validate: (f) => requireBroker(f.broker),
    apply: (f) => sim.broker(f.broker).restart(),
    describe: (f) => `Broker ${f.broker} is restarted.`,
  });
  sim.faults.define<Extract<BrokerFault, { kind: 'broker-shutdown' }>>('broker-shutdown', {
    validate: (f) => requireBroker(f.broker),
    apply: (f) => {
      const broker = sim.broker(f.broker);
      sim.kernel.spawn(`broker-${f.broker}/shutdown`, () => broker.shutdown(), { node: broker.node });
    },
    describe: (f) => `Broker ${f.broker} is shut down cleanly.`,
  });
  sim.faults.define<Extract<BrokerFault, { kind: 'session-expire' }>>('session-expire', {
    validate: (f) => {
      if (typeof f.node !== 'string' || !sim.kernel.hasNode(f.node)) throw new UnknownNameError('node', String(f.node), sim.kernel.nodeNames());
    },
    apply: (f) => {
      for (const session of sim.zookeeper.sessionsOf(f.node)) sim.zookeeper.expireSession(session);
    },
    describe: (f) => `ZooKeeper expires the session(s) of ${f.node}.`,
  });
  sim.faults.define<Extract<BrokerFault, { kind: 'slow-broker' }>>('slow-broker', {
    validate: (f) => {
      requireBroker(f.broker);
      requireNonNegativeInteger('latencyMs', f.latencyMs);
    },
    apply: (f) => {
      for (const other of sim.brokers.values()) {
        if (other.id !== f.broker) sim.network.setLink(`broker-${f.broker}`, other.node, { latencyMs: f.latencyMs, jitterMs: 0 });
      }
    },
    describe: (f) => `Broker ${f.broker}'s links to the other brokers now take ${f.latencyMs} ms.`,
  });
}
