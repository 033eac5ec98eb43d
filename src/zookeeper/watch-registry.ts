/**
 * Server-side watches (`org.apache.zookeeper.server.WatchManager`): one-shot, per connection
 * (a `ServerCnxn` in ZooKeeper: they go when the connection goes, and the client re-registers
 * them with SetWatches when it reconnects), kept separately for data watches (getData, exists)
 * and child watches (getChildren). Which events fire which watches follows `DataTree`: create
 * fires NodeCreated on the path's data watches and NodeChildrenChanged on the parent's child
 * watches; delete fires NodeDeleted on the path's data and child watches and NodeChildrenChanged
 * on the parent's; setData fires NodeDataChanged.
 *
 * Watchers are kept in registration order per path, so simultaneous notifications go out in a
 * defined order.
 */
import type { WatchEventType } from '../protocol/zookeeper.ts';

export class WatchRegistry {
  private readonly data = new Map<string, Set<number>>();
  private readonly child = new Map<string, Set<number>>();

  addDataWatch(path: string, watcher: number): void {
    add(this.data, path, watcher);
  }

  addChildWatch(path: string, watcher: number): void {
    add(this.child, path, watcher);
  }

  /** Removes and returns the connections watching `path` for `type` (each at most once). */
  trigger(path: string, type: WatchEventType): number[] {
    const watchers = new Set<number>();
    if (type !== 'NodeChildrenChanged') take(this.data, path, watchers);
    if (type === 'NodeChildrenChanged' || type === 'NodeDeleted') take(this.child, path, watchers);
    return [...watchers];
  }

  /** Forgets every watch of a connection that ended. */
  dropWatcher(watcher: number): void {
    for (const map of [this.data, this.child]) {
      for (const [path, watchers] of map) {
        watchers.delete(watcher);
        if (watchers.size === 0) map.delete(path);
      }
    }
  }

  /** Number of (path, connection) watches, for views and tests. */
  count(): number {
    let total = 0;
    for (const map of [this.data, this.child]) for (const watchers of map.values()) total += watchers.size;
    return total;
  }
}

function add(map: Map<string, Set<number>>, path: string, watcher: number): void {
  let watchers = map.get(path);
  if (watchers === undefined) map.set(path, (watchers = new Set()));
  watchers.add(watcher);
}

function take(map: Map<string, Set<number>>, path: string, into: Set<number>): void {
  const watchers = map.get(path);
  if (watchers === undefined) return;
  map.delete(path);
  for (const watcher of watchers) into.add(watcher);
}
