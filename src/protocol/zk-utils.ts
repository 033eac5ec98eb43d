/**
 * Kafka's `kafka.utils.ZkUtils` helpers, with their exact conflict handling (0.8.2):
 * ephemeral creates that tolerate their own earlier success after a connection loss, the
 * ZOOKEEPER-1740 back-off for an ephemeral node left by one's own expired session, conditional
 * updates that report (succeeded, newVersion) instead of throwing.
 */
import { ZkError, isZkError, parentOf, type GetDataResult, type Stat } from './zookeeper.ts';
import type { ZkClient } from './zk-client.ts';

/** I0Itec `createPersistent(path, createParents = true)`: creates missing parents, tolerates existing ones. */
export async function createPersistentWithParents(zk: ZkClient, path: string, data = ''): Promise<void> {
  try {
    await zk.create(path, data, 'persistent');
  } catch (error) {
    if (isZkError(error, 'NODEEXISTS')) return;
    if (!isZkError(error, 'NONODE')) throw error;
    await createPersistentWithParents(zk, parentOf(path));
    await createPersistentWithParents(zk, path, data);
  }
}

/** `makeSurePersistentPathExists`. */
export async function makeSurePersistentPathExists(zk: ZkClient, path: string): Promise<void> {
  if (!(await zk.exists(path))) await createPersistentWithParents(zk, path);
}

/** `createPersistentPath`: create with data, creating parents if missing; NODEEXISTS propagates. */
export async function createPersistentPath(zk: ZkClient, path: string, data = ''): Promise<void> {
  try {
    await zk.create(path, data, 'persistent');
  } catch (error) {
    if (!isZkError(error, 'NONODE')) throw error;
    await createPersistentWithParents(zk, parentOf(path));
    await zk.create(path, data, 'persistent');
  }
}

async function createEphemeralPath(zk: ZkClient, path: string, data: string): Promise<void> {
  try {
    await zk.create(path, data, 'ephemeral');
  } catch (error) {
    if (!isZkError(error, 'NONODE')) throw error;
    await createPersistentWithParents(zk, parentOf(path));
    await zk.create(path, data, 'ephemeral');
  }
}

/**
 * `createEphemeralPathExpectConflict`: NODEEXISTS is success if the node holds exactly our data
 * (our own create, retried after a connection loss); otherwise it propagates.
 */
export async function createEphemeralPathExpectConflict(zk: ZkClient, path: string, data: string): Promise<void> {
  try {
    await createEphemeralPath(zk, path, data);
  } catch (error) {
    if (!isZkError(error, 'NODEEXISTS')) throw error;
    const stored = await readDataMaybeNull(zk, path);
    if (stored === null || stored.data !== data) throw error;
  }
}

/**
 * `createEphemeralPathExpectConflictHandleZKBug`: when the conflicting node was written by us in
 * an earlier session (`isOurs(storedData)`), wait `backoffMs` for ZooKeeper to delete it and
 * retry; a node that vanished is retried at once; anyone else's node propagates NODEEXISTS.
 */
export async function createEphemeralPathExpectConflictHandleZKBug(
  zk: ZkClient,
  options: {
    readonly path: string;
    readonly data: string;
    readonly isOurs: (storedData: string) => boolean;
    readonly backoffMs: number;
    readonly sleep: (ms: number) => Promise<void>;
  },
): Promise<void> {
  for (;;) {
    try {
      await createEphemeralPathExpectConflict(zk, options.path, options.data);
      return;
    } catch (error) {
      if (!isZkError(error, 'NODEEXISTS')) throw error;
      const stored = await readDataMaybeNull(zk, options.path);
      if (stored === null) continue;
      if (!options.isOurs(stored.data)) throw error;
      await options.sleep(options.backoffMs);
    }
  }
}

/** `updatePersistentPath`: write, creating the node (and parents) if missing. */
export async function updatePersistentPath(zk: ZkClient, path: string, data: string): Promise<void> {
  try {
    await zk.writeData(path, data);
  } catch (error) {
    if (!isZkError(error, 'NONODE')) throw error;
    await createPersistentWithParents(zk, parentOf(path));
    try {
      await zk.create(path, data, 'persistent');
    } catch (again) {
      if (!isZkError(again, 'NODEEXISTS')) throw again;
      await zk.writeData(path, data);
    }
  }
}

export interface ConditionalUpdate {
  readonly succeeded: boolean;
  /** The node's new version, or -1. */
  readonly version: number;
}

/**
 * `conditionalUpdatePersistentPath`: write if the version matches. On BADVERSION the optional
 * checker decides whether our own write already happened (0.8.2 `checkLeaderAndIsrZkData`);
 * every failure is (false, -1), never an exception.
 */
export async function conditionalUpdatePersistentPath(
  zk: ZkClient,
  path: string,
  data: string,
  expectedVersion: number,
  checker?: (stored: GetDataResult) => boolean,
): Promise<ConditionalUpdate> {
  try {
    const stat: Stat = await zk.writeData(path, data, expectedVersion);
    return { succeeded: true, version: stat.version };
  } catch (error) {
    if (isZkError(error, 'BADVERSION') && checker !== undefined) {
      const stored = await readDataMaybeNull(zk, path);
      if (stored !== null && checker(stored)) return { succeeded: true, version: stored.stat.version };
    }
    if (error instanceof ZkError) return { succeeded: false, version: -1 };
    throw error;
  }
}

/** `readDataMaybeNull`. */
export async function readDataMaybeNull(zk: ZkClient, path: string): Promise<GetDataResult | null> {
  try {
    return await zk.readData(path);
  } catch (error) {
    if (isZkError(error, 'NONODE')) return null;
    throw error;
  }
}

/** `getChildrenParentMayNotExist`. */
export async function getChildrenParentMayNotExist(zk: ZkClient, path: string): Promise<string[]> {
  try {
    return await zk.getChildren(path);
  } catch (error) {
    if (isZkError(error, 'NONODE')) return [];
    throw error;
  }
}

/** `deletePath`: false if the node was already gone. */
export async function deletePath(zk: ZkClient, path: string): Promise<boolean> {
  try {
    await zk.delete(path);
    return true;
  } catch (error) {
    if (isZkError(error, 'NONODE')) return false;
    throw error;
  }
}

