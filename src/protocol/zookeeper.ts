/**
 * What brokers and consumers say to ZooKeeper: the `ZooKeeperClient` interface (shaped like the
 * ZooKeeper Java handle, `org.apache.zookeeper.ZooKeeper`), ZooKeeper's error codes
 * (`KeeperException.Code`), create modes, stats, watch events and path rules
 * (`org.apache.zookeeper.common.PathUtils`).
 *
 * The simulated coordinator implements this interface over the simulated network; a client for
 * a real ZooKeeper server can implement it too. Data is a string (Kafka stores JSON and decimal
 * strings in ZooKeeper); a byte-level client encodes it as UTF-8.
 */

/** `KeeperException.Code` values used here, with ZooKeeper's numbers. */
export const ZkErrorCode = {
  OK: 0,
  CONNECTIONLOSS: -4,
  BADARGUMENTS: -8,
  NONODE: -101,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
} as const;

export type ZkErrorName = keyof typeof ZkErrorCode;
export type ZkErrorNumber = (typeof ZkErrorCode)[ZkErrorName];

const NAMES = new Map<number, ZkErrorName>(
  Object.entries(ZkErrorCode).map(([name, code]) => [code, name as ZkErrorName]),
);

export function zkErrorName(code: number): ZkErrorName | 'UNKNOWN' {
  return NAMES.get(code) ?? 'UNKNOWN';
}

const DESCRIPTIONS: Record<ZkErrorName, string> = {
  OK: 'ok',
  CONNECTIONLOSS: 'connection lost before the server answered (the operation may or may not have happened)',
  BADARGUMENTS: 'bad arguments',
  NONODE: 'no node',
  BADVERSION: 'the version does not match the node version',
  NOCHILDRENFOREPHEMERALS: 'ephemeral nodes may not have children',
  NODEEXISTS: 'the node already exists',
  NOTEMPTY: 'the node has children',
  SESSIONEXPIRED: 'the session has expired',
};

/** A ZooKeeper operation failed with a `KeeperException` code. */
export class ZkError extends Error {
  override readonly name = 'ZkError';
  readonly codeName: ZkErrorName | 'UNKNOWN';

  constructor(
    readonly code: number,
    readonly path: string | undefined,
  ) {
    const codeName = zkErrorName(code);
    const description = codeName === 'UNKNOWN' ? `error ${code}` : DESCRIPTIONS[codeName];
    super(`ZooKeeper ${codeName} (${code})${path === undefined ? '' : ` for ${path}`}: ${description}`);
    this.codeName = codeName;
  }

  is(name: ZkErrorName): boolean {
    return this.code === ZkErrorCode[name];
  }
}

export function isZkError(error: unknown, name?: ZkErrorName): error is ZkError {
  return error instanceof ZkError && (name === undefined || error.is(name));
}

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';
export const CREATE_MODES: readonly CreateMode[] = ['persistent', 'ephemeral', 'persistent_sequential', 'ephemeral_sequential'];

export function isSequential(mode: CreateMode): boolean {
  return mode === 'persistent_sequential' || mode === 'ephemeral_sequential';
}

export function isEphemeral(mode: CreateMode): boolean {
  return mode === 'ephemeral' || mode === 'ephemeral_sequential';
}

/** A znode's `Stat` (the fields Kafka and these lessons read). */
export interface Stat {
  /** Data version: bumped by every setData; what conditional setData/delete compare with. */
  readonly version: number;
  /**
   * Child version: bumped when a child is created or deleted. (The sequential suffix counts
   * creates only: ZooKeeper stores the creates and reports 2 × creates − children.)
   */
  readonly cversion: number;
  /** The session owning an ephemeral node, or null for a persistent one. */
  readonly ephemeralOwner: string | null;
  readonly czxid: number;
  readonly mzxid: number;
  /** The transaction that last created or deleted a child. */
  readonly pzxid: number;
  readonly ctimeMs: number;
  readonly mtimeMs: number;
  readonly numChildren: number;
  readonly dataLength: number;
}

export type WatchEventType = 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';

export interface WatchedEvent {
  readonly type: WatchEventType;
  readonly path: string;
}

/** A one-shot watch: called once, with the first event on what it watches. */
export type Watcher = (event: WatchedEvent) => void;

/**
 * Session states as a client sees them (`Watcher.Event.KeeperState`, plus the handle's own
 * `connecting` and `closed`): `connected` (SyncConnected), `disconnected` (cut off; the session
 * may still live on the server), `expired` (the server ended the session: its ephemeral nodes
 * and watches are gone, this handle is dead), `closed` (closed by its owner).
 */
export type KeeperState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface GetDataResult {
  readonly data: string;
  readonly stat: Stat;
}

/** A ZooKeeper session handle. Once `expired` or `closed` it stays so: open a new one. */
export interface ZooKeeperClient {
  /** The session id once connected (hex, like ZooKeeper's `0x...`). */
  readonly sessionId: string | undefined;
  readonly state: KeeperState;
  /** The session timeout the server granted (within its min/max). */
  readonly sessionTimeoutMs: number;

  /** Creates a node; returns its actual path (with the 10-digit suffix for sequential modes). */
  create(path: string, data: string, mode: CreateMode): Promise<string>;
  /** Deletes a node whose version is `version` (-1: any version). */
  delete(path: string, version?: number): Promise<void>;
  /** The node's stat, or null; the watcher fires on create, change or delete. */
  exists(path: string, watcher?: Watcher): Promise<Stat | null>;
  /** The node's data; the watcher fires on change or delete. NONODE sets no watch. */
  getData(path: string, watcher?: Watcher): Promise<GetDataResult>;
  /** Sets data if the node's version is `version` (-1: any version); returns the new stat. */
  setData(path: string, data: string, version?: number): Promise<Stat>;
  /** Child names, sorted; the watcher fires when a child is created or deleted, or the node is. */
  getChildren(path: string, watcher?: Watcher): Promise<string[]>;
  /** Calls `listener` on every session state change; returns the unsubscribe function. */
  onStateChange(listener: (state: KeeperState) => void): () => void;
  /** Ends the session: its ephemeral nodes are deleted at once. */
  close(): Promise<void>;
}

/** Why a path is invalid, or undefined if it is valid (`PathUtils.validatePath`). */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_\-:@,=+]+(?:\.[A-Za-z0-9_\-:@,=+]*)*)+$/;

export function pathProblem(path: unknown, sequential = false): string | undefined {
  if (typeof path !== 'string') return 'a path must be a string';
  // Fast path: segments of common characters, no empty, "." or ".." segment.
  if (PLAIN_PATH.test(path)) return undefined;
  if (path.length === 0) return 'a path must not be empty';
  if (path[0] !== '/') return 'a path must start with /';
  if (path.length === 1) return sequential ? 'a sequential node needs a name prefix or a parent' : undefined;
  if (path.endsWith('/') && !sequential) return 'a path must not end with /';
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment.length === 0 && !(last && sequential)) return 'a path must not contain an empty segment (//)';
    if (segment === '.' || segment === '..') return 'a path must not contain relative segments (. or ..)';
    // Java checks UTF-16 units: both halves of a surrogate pair fall in a forbidden range.
    for (let k = 0; k < segment.length; k++) {
      const c = segment.charCodeAt(k);
      if (c === 0 || (c > 0 && c < 0x1f) || (c > 0x7f && c < 0x9f) || (c > 0xd800 && c < 0xf8ff) || (c > 0xfff0 && c < 0xffff)) {
        return `a path must not contain the character U+${c.toString(16).padStart(4, '0')}`;
      }
    }
  }
  return undefined;
}

export function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
