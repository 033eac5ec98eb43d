/**
 * The znode tree as plain data in the world (`state.zookeeper`), and the operations of
 * ZooKeeper's `DataTree` on it. Each operation works on whatever tree it is given: an immer draft
 * (history on) or the live tree (history off); it returns a ZooKeeper error code instead of
 * throwing, as the server answers with codes.
 *
 * Modelled from `org.apache.zookeeper.server.DataTree`: data version bumped by setData, a child
 * counter bumped by every child create and used as the sequential suffix (`%010d`), reported as
 * the stat's cversion the way `DataNode.copyStat` does (creates and deletes), conditional
 * setData/delete (BADVERSION), NODEEXISTS, NONODE, NOTEMPTY, NOCHILDRENFOREPHEMERALS.
 * Not modelled: ACLs, quotas, multi-op transactions, the `aversion` field.
 */
import { utf8Length } from '../protocol/message.ts';
import { ZkErrorCode, nameOf, parentOf, type Stat } from '../protocol/zookeeper.ts';

export interface ZNode {
  data: string;
  version: number;
  /**
   * Children ever created here (`StatPersisted.cversion`): the sequential suffix source. The
   * stat reports twice this less the children left, which counts deletes too.
   */
  cversion: number;
  ephemeralOwner: string | null;
  czxid: number;
  mzxid: number;
  /** The transaction that last created or deleted a child. */
  pzxid: number;
  ctimeMs: number;
  mtimeMs: number;
  /** Children by name, in creation order (listings are sorted). */
  children: Record<string, ZNode>;
}

export interface ZkSessionState {
  readonly id: string;
  /** The node of the client that opened the session. */
  readonly client: string;
  readonly timeoutMs: number;
  /** When the server last heard from the session (any request or ping). */
  lastHeardMs: number;
  /** Whether the session has a live connection to the server. */
  connected: boolean;
}

export interface ZooKeeperState {
  /** The transaction id of the last write. */
  zxid: number;
  root: ZNode;
  /** Live sessions by id (expired and closed sessions are removed). */
  sessions: Record<string, ZkSessionState>;
}

export function emptyZooKeeperState(): ZooKeeperState {
  return { zxid: 0, root: newNode('', null, 0, 0), sessions: {} };
}

function newNode(data: string, ephemeralOwner: string | null, zxid: number, nowMs: number): ZNode {
  return { data, version: 0, cversion: 0, ephemeralOwner, czxid: zxid, mzxid: zxid, pzxid: zxid, ctimeMs: nowMs, mtimeMs: nowMs, children: {} };
}

export function lookup(tree: ZooKeeperState, path: string): ZNode | undefined {
  if (path === '/') return tree.root;
  let node: ZNode | undefined = tree.root;
  let start = 1;
  while (node !== undefined) {
    const end = path.indexOf('/', start);
    const name = end === -1 ? path.slice(start) : path.slice(start, end);
    node = Object.prototype.hasOwnProperty.call(node.children, name) ? node.children[name] : undefined;
    if (end === -1) return node;
    start = end + 1;
  }
  return undefined;
}

export function statOf(node: ZNode): Stat {
  const numChildren = Object.keys(node.children).length;
  return {
    version: node.version,
    // `DataNode.copyStat`: "translate from the count of the creates to the count of the changes":
    // every create but those of the children still present had a delete.
    cversion: node.cversion * 2 - numChildren,
    ephemeralOwner: node.ephemeralOwner,
    czxid: node.czxid,
    mzxid: node.mzxid,
    pzxid: node.pzxid,
    ctimeMs: node.ctimeMs,
    mtimeMs: node.mtimeMs,
    numChildren,
    dataLength: utf8Length(node.data),
  };
}

export type TreeResult<T> = { readonly code: 0; readonly value: T } | { readonly code: number };

export interface CreateRequest {
  readonly path: string;
  readonly data: string;
  readonly ephemeralOwner: string | null;
  readonly sequential: boolean;
  readonly nowMs: number;
}

/** Creates a node; on success the actual path (sequential suffix appended). */
export function createNode(tree: ZooKeeperState, request: CreateRequest): TreeResult<string> {
  // The root always exists (it has no parent to look the name up in).
  if (request.path === '/') return { code: ZkErrorCode.NODEEXISTS };
  const parentPath = parentOf(request.path);
  const parent = lookup(tree, parentPath);
  if (parent === undefined) return { code: ZkErrorCode.NONODE };
  if (parent.ephemeralOwner !== null) return { code: ZkErrorCode.NOCHILDRENFOREPHEMERALS };
  let name = nameOf(request.path);
  if (request.sequential) name += String(parent.cversion).padStart(10, '0');
  if (Object.prototype.hasOwnProperty.call(parent.children, name)) return { code: ZkErrorCode.NODEEXISTS };
  const zxid = ++tree.zxid;
  parent.children[name] = newNode(request.data, request.ephemeralOwner, zxid, request.nowMs);
  parent.cversion++;
  parent.pzxid = zxid;
  return { code: 0, value: parentPath === '/' ? `/${name}` : `${parentPath}/${name}` };
}

/** Deletes a node if `version` matches (-1: any). */
export function deleteNode(tree: ZooKeeperState, path: string, version: number): TreeResult<ZNode> {
  if (path === '/') return { code: ZkErrorCode.BADARGUMENTS };
  const parent = lookup(tree, parentOf(path));
  const name = nameOf(path);
  const node = parent !== undefined && Object.prototype.hasOwnProperty.call(parent.children, name) ? parent.children[name] : undefined;
  if (parent === undefined || node === undefined) return { code: ZkErrorCode.NONODE };
  if (version !== -1 && node.version !== version) return { code: ZkErrorCode.BADVERSION };
  if (Object.keys(node.children).length > 0) return { code: ZkErrorCode.NOTEMPTY };
  // `DataTree.deleteNode` sets only the parent's pzxid on a delete: its stored cversion, and so
  // the next sequential suffix, moves on creates alone (the reported cversion counts the delete).
  parent.pzxid = ++tree.zxid;
  delete parent.children[name];
  return { code: 0, value: node };
}

/** Sets data if `version` matches (-1: any); returns the new stat. */
export function setNodeData(tree: ZooKeeperState, path: string, data: string, version: number, nowMs: number): TreeResult<Stat> {
  const node = lookup(tree, path);
  if (node === undefined) return { code: ZkErrorCode.NONODE };
  if (version !== -1 && node.version !== version) return { code: ZkErrorCode.BADVERSION };
  node.data = data;
  node.version++;
  node.mzxid = ++tree.zxid;
  node.mtimeMs = nowMs;
  return { code: 0, value: statOf(node) };
}

export function childNames(node: ZNode): string[] {
  return Object.keys(node.children).sort();
}

/** Every path in the tree (depth first, children sorted): for views and tests. */
export function allPaths(tree: ZooKeeperState): string[] {
  const out: string[] = [];
  const walk = (node: ZNode, path: string) => {
    for (const name of childNames(node)) {
      const child = joinChild(path, name);
      out.push(child);
      walk(node.children[name]!, child);
    }
  };
  walk(tree.root, '/');
  return out;
}

function joinChild(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
