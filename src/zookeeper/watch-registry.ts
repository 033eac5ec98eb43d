/**
 * Server-side watches (`org.apache.zookeeper.server.WatchManager`): one-shot, per session, kept
 * separately for data watches (getData, exists) and child watches (getChildren). Which events
 * fire which watches follows `DataTree`: create fires NodeCreated on the path's data watches and
 * NodeChildrenChanged on the parent's child watches; delete fires NodeDeleted on the path's data
 * and child watches and NodeChildrenChanged on the parent's; setData fires NodeDataChanged.
 *
 * Sessions are kept in registration order per path, so simultaneous notifications go out in a
 * defined order. Watches belong to the session and survive a reconnection (ZooKeeper's client
 * re-registers them with SetWatches on reconnect; the effect is the same).
 */
import type { WatchEventType } from '../protocol/zookeeper.ts';

export class WatchRegistry {
  private readonly data = new Map<string, Set<string>>();
  private readonly child = new Map<string, Set<string>>();

  addDataWatch(path: string, sessionId: string): void {
    add(this.data, path, sessionId);
  }

  addChildWatch(path: string, sessionId: string): void {
    add(this.child, path, sessionId);
  }

  /** Removes and returns the sessions watching `path` for `type` (each at most once). */
  trigger(path: string, type: WatchEventType): string[] {
    const sessions = new Set<string>();
    if (type !== 'NodeChildrenChanged') take(this.data, path, sessions);
    if (type === 'NodeChildrenChanged' || type === 'NodeDeleted') take(this.child, path, sessions);
    return [...sessions];
  }

  /** Forgets every watch of a session that ended. */
  dropSession(sessionId: string): void {
    for (const map of [this.data, this.child]) {
      for (const [path, sessions] of map) {
        sessions.delete(sessionId);
        if (sessions.size === 0) map.delete(path);
      }
    }
  }

  /** Number of (path, session) watches, for views and tests. */
  count(): number {
    let total = 0;
    for (const map of [this.data, this.child]) for (const sessions of map.values()) total += sessions.size;
    return total;
  }
}

function add(map: Map<string, Set<string>>, path: string, sessionId: string): void {
  let sessions = map.get(path);
  if (sessions === undefined) map.set(path, (sessions = new Set()));
  sessions.add(sessionId);
}

function take(map: Map<string, Set<string>>, path: string, into: Set<string>): void {
  const sessions = map.get(path);
  if (sessions === undefined) return;
  map.delete(path);
  for (const session of sessions) into.add(session);
}
