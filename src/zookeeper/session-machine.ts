/**
 * The lifecycle of a ZooKeeper session as its client sees it, as an explicit transition table
 * (xstate v5, used through the pure `transition()`; the client stores only the state value).
 *
 *   connecting ──CONNECTED──▶ connected ──CONNECTION_LOST──▶ disconnected ──CONNECTED──▶ connected
 *        │                        │                              │
 *        └──────────EXPIRED / CLOSE (from any live state)───────┴──▶ expired | closed (final)
 *
 * `connecting` is before the first session exists; `disconnected` is a session cut off that may
 * still live on the server. Only the server decides expiry: the client learns it when it gets
 * through again (ZooKeeper's `KeeperState.Expired`).
 */
import { setup } from 'xstate';
import type { KeeperState } from '../protocol/zookeeper.ts';
import { FlatTransitions } from '../sim/flat-machine.ts';

export type SessionEvent = { type: 'CONNECTED' } | { type: 'CONNECTION_LOST' } | { type: 'EXPIRED' } | { type: 'CLOSE' };

export const zooKeeperSessionMachine = setup({
  types: { events: {} as SessionEvent },
}).createMachine({
  id: 'zooKeeperSession',
  initial: 'connecting',
  states: {
    connecting: {
      on: { CONNECTED: 'connected', CONNECTION_LOST: 'connecting', EXPIRED: 'expired', CLOSE: 'closed' },
    },
    connected: {
      on: { CONNECTION_LOST: 'disconnected', EXPIRED: 'expired', CLOSE: 'closed' },
    },
    disconnected: {
      on: { CONNECTED: 'connected', CONNECTION_LOST: 'disconnected', EXPIRED: 'expired', CLOSE: 'closed' },
    },
    expired: { type: 'final' },
    closed: { type: 'final' },
  },
});

const sessionTransitions = new FlatTransitions<KeeperState, SessionEvent['type']>(zooKeeperSessionMachine);

/** The state after `event`, or undefined if the table has no such transition from `from`. */
export function nextSessionState(from: KeeperState, event: SessionEvent['type']): KeeperState | undefined {
  return sessionTransitions.next(from, event);
}
