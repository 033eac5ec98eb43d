/**
 * The backend-independent semantics of the ZooKeeper coordinator, as a reusable vitest suite:
 * `defineCoordinatorSuite(name, makeHarness)` registers the same tests for any backend that can
 * hand out connected `ZooKeeperClient` sessions: the simulated coordinator (sim-harness.ts) and a
 * real ZooKeeper server (test/real/zookeeper/real-harness.ts) pass the same tests.
 *
 * Rules for the tests in here, so they hold on a real server too:
 * - every path lives under `harness.basePath` (a real server has `/zookeeper` and other data);
 * - client code runs inside `harness.run(...)` (the simulation drives its kernel there);
 * - watch events are read after `harness.settle()`; within one event, watchers are compared as a
 *   set (the Java client keeps them in a HashSet), across events in order;
 * - nothing depends on time, session ids' format, or zxid values beyond their order.
 * Errors are checked with `isZkError(e, 'CODE')`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isZkError, type WatchedEvent, type Watcher, type ZkErrorName, type ZooKeeperClient } from '../../src/protocol/zookeeper.ts';

export interface SessionOptions {
  readonly sessionTimeoutMs?: number;
}

export interface CoordinatorHarness {
  /** A new session, connected. Call it outside `run`. */
  openSession(options?: SessionOptions): Promise<ZooKeeperClient>;
  /** Runs client code to completion (in the simulation: as a kernel task) and returns its result. */
  run<T>(body: () => Promise<T>): Promise<T>;
  /** Lets pending watch deliveries happen. */
  settle(): Promise<void>;
  /** Ends the backend (closes sessions, removes what the tests created on a real server). */
  close(): Promise<void>;
  /**
   * An existing persistent node under which the tests create theirs (`''` or undefined: the
   * root). A real-server harness gives a fresh one per test and deletes it in `close`.
   */
  readonly basePath?: string;
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Awaits `operation`, which must fail with ZooKeeper error `name`; returns the error. */
export async function expectZkError(operation: PromiseLike<unknown>, name: ZkErrorName): Promise<Error> {
  let error: unknown;
  let settledOk = false;
  try {
    await operation;
    settledOk = true;
  } catch (caught) {
    error = caught;
  }
  if (settledOk) throw new Error(`expected ZooKeeper ${name}, but the operation succeeded`);
  if (!isZkError(error, name)) {
    throw new Error(`expected ZooKeeper ${name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  return error;
}

export function defineCoordinatorSuite(name: string, makeHarness: () => CoordinatorHarness | Promise<CoordinatorHarness>): void {
  describe(name, () => {
    let h: CoordinatorHarness;
    let base: string;
    /** A path under the base node. */
    const p = (relative: string): string => `${base}${relative}`;
    /** Watch events seen, as `tag: Type path` (path relative to the base). */
    let log: string[];
    const watch = (tag: string): Watcher => (event: WatchedEvent) => {
      log.push(`${tag}: ${event.type} ${event.path.slice(base.length) || '/'}`);
    };

    beforeEach(async () => {
      h = await makeHarness();
      base = h.basePath ?? '';
      log = [];
    });
    afterEach(async () => {
      await h.close();
    });

    describe('nodes and data', () => {
      it('create returns the path; getData returns the data and a fresh stat', async () => {
        const a = await h.openSession();
        const { path, got } = await h.run(async () => {
          const path = await a.create(p('/n'), 'hello', 'persistent');
          return { path, got: await a.getData(p('/n')) };
        });
        expect(path).toBe(p('/n'));
        expect(got.data).toBe('hello');
        expect(got.stat).toMatchObject({ version: 0, cversion: 0, ephemeralOwner: null, numChildren: 0, dataLength: 5 });
        expect(got.stat.mzxid).toBe(got.stat.czxid);
      });

      it('setData replaces the data and bumps the version by one per write; the stat follows', async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/n'), '', 'persistent');
          const created = await a.exists(p('/n'));
          const first = await a.setData(p('/n'), 'v1', 0);
          const second = await a.setData(p('/n'), 'value-2');
          const third = await a.setData(p('/n'), 'v3', -1);
          const got = await a.getData(p('/n'));
          return { created: created!, first, second, third, got };
        });
        expect(r.created).toMatchObject({ version: 0, dataLength: 0 });
        expect([r.first.version, r.second.version, r.third.version]).toEqual([1, 2, 3]);
        expect([r.first.dataLength, r.second.dataLength]).toEqual([2, 7]);
        expect(r.got.data).toBe('v3');
        expect(r.got.stat.version).toBe(3);
        expect(r.got.stat.czxid).toBe(r.created.czxid);
        expect(r.first.mzxid).toBeGreaterThan(r.created.mzxid);
        expect(r.second.mzxid).toBeGreaterThan(r.first.mzxid);
        expect(r.got.stat.mzxid).toBe(r.third.mzxid);
      });

      it('delete removes the node: exists answers null and getData NONODE', async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/n'), 'x', 'persistent');
          await a.delete(p('/n'));
          const stat = await a.exists(p('/n'));
          await expectZkError(a.getData(p('/n')), 'NONODE');
          const again = await a.create(p('/n'), 'y', 'persistent');
          return { stat, again, data: (await a.getData(p('/n'))).data };
        });
        expect(r.stat).toBeNull();
        expect(r.again).toBe(p('/n'));
        expect(r.data).toBe('y');
      });

      it('creating a node that exists fails with NODEEXISTS and leaves it unchanged', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const got = await h.run(async () => {
          await a.create(p('/n'), 'first', 'persistent');
          await expectZkError(a.create(p('/n'), 'second', 'persistent'), 'NODEEXISTS');
          await expectZkError(b.create(p('/n'), 'third', 'ephemeral'), 'NODEEXISTS');
          return a.getData(p('/n'));
        });
        expect(got.data).toBe('first');
        expect(got.stat.version).toBe(0);
        expect(got.stat.ephemeralOwner).toBeNull();
      });

      it('NONODE: create under a missing parent, and getData/setData/delete/getChildren of a missing node', async () => {
        const a = await h.openSession();
        const exists = await h.run(async () => {
          await expectZkError(a.create(p('/missing/child'), 'x', 'persistent'), 'NONODE');
          await expectZkError(a.create(p('/missing/child-'), 'x', 'ephemeral_sequential'), 'NONODE');
          await expectZkError(a.getData(p('/missing')), 'NONODE');
          await expectZkError(a.setData(p('/missing'), 'x'), 'NONODE');
          await expectZkError(a.setData(p('/missing'), 'x', 0), 'NONODE');
          await expectZkError(a.delete(p('/missing')), 'NONODE');
          await expectZkError(a.getChildren(p('/missing')), 'NONODE');
          return [await a.exists(p('/missing')), await a.exists(p('/missing/child'))];
        });
        expect(exists).toEqual([null, null]);
      });

      it('a conditional setData with a stale version fails with BADVERSION and changes nothing', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/n'), 'v0', 'persistent');
          const seen = (await a.getData(p('/n'))).stat.version;
          await b.setData(p('/n'), 'from b', seen);
          await expectZkError(a.setData(p('/n'), 'from a', seen), 'BADVERSION');
          await expectZkError(a.setData(p('/n'), 'from a', seen + 2), 'BADVERSION');
          const after = await a.getData(p('/n'));
          const ok = await a.setData(p('/n'), 'from a', after.stat.version);
          return { after, ok, final: await b.getData(p('/n')) };
        });
        expect(r.after.data).toBe('from b');
        expect(r.after.stat.version).toBe(1);
        expect(r.ok.version).toBe(2);
        expect(r.final.data).toBe('from a');
      });

      it('a conditional delete with the wrong version fails with BADVERSION and keeps the node', async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/n'), 'x', 'persistent');
          await a.setData(p('/n'), 'y');
          await expectZkError(a.delete(p('/n'), 0), 'BADVERSION');
          await expectZkError(a.delete(p('/n'), 2), 'BADVERSION');
          const kept = await a.exists(p('/n'));
          await a.delete(p('/n'), 1);
          return { kept, gone: await a.exists(p('/n')) };
        });
        expect(r.kept?.version).toBe(1);
        expect(r.gone).toBeNull();
      });

      it('deleting a node with children fails with NOTEMPTY; once they are gone it succeeds', async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/parent'), '', 'persistent');
          await a.create(p('/parent/child'), '', 'persistent');
          await expectZkError(a.delete(p('/parent')), 'NOTEMPTY');
          await expectZkError(a.delete(p('/parent'), 0), 'NOTEMPTY');
          const children = await a.getChildren(p('/parent'));
          await a.delete(p('/parent/child'));
          await a.delete(p('/parent'));
          return { children, gone: await a.exists(p('/parent')) };
        });
        expect(r.children).toEqual(['child']);
        expect(r.gone).toBeNull();
      });

      it('a delete checks the version before the children: BADVERSION on a non-empty node with the wrong version', async () => {
        const a = await h.openSession();
        const kept = await h.run(async () => {
          await a.create(p('/parent'), '', 'persistent');
          await a.create(p('/parent/child'), '', 'persistent');
          await expectZkError(a.delete(p('/parent'), 3), 'BADVERSION');
          return a.getChildren(p('/parent'));
        });
        expect(kept).toEqual(['child']);
      });

      it("a child create or delete moves the parent's pzxid, not its mzxid or data version", async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/c'), '', 'persistent');
          const before = (await a.getData(p('/c'))).stat;
          await a.create(p('/c/x'), '', 'persistent');
          const afterCreate = (await a.getData(p('/c'))).stat;
          const child = (await a.getData(p('/c/x'))).stat;
          await a.delete(p('/c/x'));
          const afterDelete = (await a.getData(p('/c'))).stat;
          return { before, afterCreate, child, afterDelete };
        });
        expect(r.before.pzxid).toBe(r.before.czxid);
        expect(r.afterCreate).toMatchObject({ mzxid: r.before.mzxid, version: 0, pzxid: r.child.czxid });
        expect(r.afterDelete.mzxid).toBe(r.before.mzxid);
        expect(r.afterDelete.pzxid).toBeGreaterThan(r.afterCreate.pzxid);
      });

      it('an ephemeral node cannot have children: NOCHILDRENFOREPHEMERALS for every create mode', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const children = await h.run(async () => {
          await a.create(p('/eph'), '', 'ephemeral');
          await expectZkError(a.create(p('/eph/c'), '', 'persistent'), 'NOCHILDRENFOREPHEMERALS');
          await expectZkError(a.create(p('/eph/c'), '', 'ephemeral'), 'NOCHILDRENFOREPHEMERALS');
          await expectZkError(b.create(p('/eph/c-'), '', 'persistent_sequential'), 'NOCHILDRENFOREPHEMERALS');
          await expectZkError(b.create(p('/eph/c-'), '', 'ephemeral_sequential'), 'NOCHILDRENFOREPHEMERALS');
          return a.getChildren(p('/eph'));
        });
        expect(children).toEqual([]);
      });

      it('getChildren returns the child names sorted (by UTF-16 code unit), not in creation order', async () => {
        const a = await h.openSession();
        const children = await h.run(async () => {
          await a.create(p('/c'), '', 'persistent');
          for (const name of ['b', 'a10', 'a', 'c', 'a2', 'B', '_']) await a.create(p(`/c/${name}`), '', 'persistent');
          await a.create(p('/c/a/deeper'), '', 'persistent');
          return a.getChildren(p('/c'));
        });
        expect(children).toEqual(['B', '_', 'a', 'a10', 'a2', 'b', 'c']);
      });

      it("the parent's stat counts its children: numChildren and cversion", async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/c'), 'data', 'persistent');
          await a.create(p('/c/x'), '', 'persistent');
          await a.create(p('/c/y'), '', 'ephemeral');
          await a.setData(p('/c/x'), 'child data does not count');
          await a.create(p('/c/x/grandchild'), '', 'persistent');
          return (await a.getData(p('/c'))).stat;
        });
        expect(r).toMatchObject({ numChildren: 2, cversion: 2, version: 0, dataLength: 4 });
      });

      it("a delete bumps the parent's cversion but not its sequential counter (DataNode.copyStat reports 2 × creates − children)", async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/c'), '', 'persistent');
          await a.create(p('/c/x'), '', 'persistent');
          await a.create(p('/c/y'), '', 'persistent');
          await a.delete(p('/c/x'));
          const stat = (await a.getData(p('/c'))).stat;
          const next = await a.create(p('/c/s-'), '', 'persistent_sequential');
          return { stat, next };
        });
        expect(r.stat).toMatchObject({ numChildren: 1, cversion: 3 });
        expect(r.next).toBe(p('/c/s-0000000002'));
      });

      it('dataLength counts UTF-8 bytes, as ZooKeeper stores bytes', async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/u'), 'é', 'persistent');
          const created = (await a.getData(p('/u'))).stat;
          const changed = await a.setData(p('/u'), '€ and 😀');
          return { created, changed, data: (await a.getData(p('/u'))).data };
        });
        expect(r.data).toBe('€ and 😀');
        expect(r.created.dataLength).toBe(2);
        expect(r.changed.dataLength).toBe(3 + 5 + 4);
      });

      it('deleting the root is refused with BADARGUMENTS; creating it with NODEEXISTS', async () => {
        const a = await h.openSession();
        await h.run(async () => {
          await expectZkError(a.delete('/'), 'BADARGUMENTS');
          await expectZkError(a.delete('/', 5), 'BADARGUMENTS');
          await expectZkError(a.create('/', '', 'persistent'), 'NODEEXISTS');
          await expectZkError(a.create('/', '', 'ephemeral'), 'NODEEXISTS');
        });
      });

      it('a request longer than jute.maxbuffer (0xfffff bytes) makes the server drop the connection: CONNECTIONLOSS, nothing written, the session lives on', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const path = p('/big');
        // A create frame: header 8, path and data with their lengths, the open ACL 27, the flags 4.
        const fits = 0xfffff - (8 + 4 + utf8Bytes(path) + 4 + 27 + 4);
        const r = await h.run(async () => {
          await a.create(path, 'x'.repeat(fits), 'persistent');
          const created = (await b.exists(path))!.dataLength;
          await expectZkError(a.create(p('/bigger'), 'x'.repeat(fits), 'persistent'), 'CONNECTIONLOSS');
          // A setData frame has no ACL or flags but a version: 27 bytes shorter than a create's.
          // With 28 more bytes of data it is one byte too long.
          await expectZkError(a.setData(path, 'y'.repeat(fits + 28)), 'CONNECTIONLOSS');
          const after = (await b.exists(path))!;
          return { created, after, bigger: await b.exists(p('/bigger')), fromA: await a.exists(path) };
        });
        expect(r.created).toBe(fits);
        expect(r.after).toMatchObject({ dataLength: fits, version: 0 });
        expect(r.bigger).toBeNull();
        expect(r.fromA?.version).toBe(0);
        expect(a.state).toBe('connected');
      });
    });

    describe('persistent and ephemeral nodes', () => {
      it('an ephemeral node belongs to its session and exists exactly while the session lives', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/eph'), 'a was here', 'ephemeral');
          await a.create(p('/per'), 'kept', 'persistent');
          const seenByB = await b.getData(p('/eph'));
          await a.close();
          return { seenByB, eph: await b.exists(p('/eph')), per: await b.getData(p('/per')) };
        });
        expect(a.sessionId).toBeDefined();
        expect(r.seenByB.data).toBe('a was here');
        expect(r.seenByB.stat.ephemeralOwner).toBe(a.sessionId);
        expect(r.eph).toBeNull();
        expect(r.per.data).toBe('kept');
        expect(r.per.stat.ephemeralOwner).toBeNull();
      });

      it("close() deletes every ephemeral node of the session at once, and only that session's", async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/d'), '', 'persistent');
          await a.create(p('/d/a1'), '', 'ephemeral');
          const seq = await a.create(p('/d/a-'), '', 'ephemeral_sequential');
          await a.create(p('/d/a-p-'), '', 'persistent_sequential');
          await b.create(p('/d/b1'), '', 'ephemeral');
          const before = await b.getChildren(p('/d'));
          await a.close();
          // No settle: the nodes are gone by the time close() returns.
          return { seq, before, after: await b.getChildren(p('/d')) };
        });
        expect(r.seq).toBe(p('/d/a-0000000001'));
        expect(r.before).toEqual(['a-0000000001', 'a-p-0000000002', 'a1', 'b1']);
        expect(r.after).toEqual(['a-p-0000000002', 'b1']);
      });
    });

    describe('sequential nodes', () => {
      it("sequential names get a 10-digit zero-padded suffix from the parent's counter", async () => {
        const a = await h.openSession();
        const paths = await h.run(async () => {
          await a.create(p('/q'), '', 'persistent');
          const out: string[] = [];
          for (let i = 0; i < 3; i++) out.push(await a.create(p('/q/item-'), `${i}`, 'persistent_sequential'));
          return out;
        });
        expect(paths).toEqual([p('/q/item-0000000000'), p('/q/item-0000000001'), p('/q/item-0000000002')]);
      });

      it('ephemeral_sequential and persistent_sequential share one counter per parent, across sessions', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/q'), '', 'persistent');
          const order = [
            await a.create(p('/q/x-'), '', 'ephemeral_sequential'),
            await b.create(p('/q/y-'), '', 'persistent_sequential'),
            await a.create(p('/q/x-'), '', 'persistent_sequential'),
            await b.create(p('/q/y-'), '', 'ephemeral_sequential'),
          ];
          const owners = [];
          for (const path of order) owners.push((await a.exists(path))!.ephemeralOwner);
          return { order, owners, children: await b.getChildren(p('/q')) };
        });
        expect(r.order).toEqual([p('/q/x-0000000000'), p('/q/y-0000000001'), p('/q/x-0000000002'), p('/q/y-0000000003')]);
        expect(r.owners).toEqual([a.sessionId, null, null, b.sessionId]);
        expect(r.children).toEqual(['x-0000000000', 'x-0000000002', 'y-0000000001', 'y-0000000003']);
      });

      it('concurrent sequential creates from two sessions get distinct numbers, increasing per session', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/q'), '', 'persistent');
          const fromA = Array.from({ length: 5 }, () => a.create(p('/q/n-'), 'a', 'ephemeral_sequential'));
          const fromB = Array.from({ length: 5 }, () => b.create(p('/q/n-'), 'b', 'persistent_sequential'));
          return { a: await Promise.all(fromA), b: await Promise.all(fromB) };
        });
        const suffix = (path: string) => Number(path.slice(-10));
        const all = [...r.a, ...r.b].map(suffix).sort((x, y) => x - y);
        expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for (const list of [r.a, r.b]) {
          const numbers = list.map(suffix);
          expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
          for (const path of list) expect(path).toMatch(/\/q\/n-\d{10}$/);
        }
      });

      it('a sequential path may end in "/": the name is the suffix alone', async () => {
        const a = await h.openSession();
        const paths = await h.run(async () => {
          await a.create(p('/q'), '', 'persistent');
          return [await a.create(p('/q/'), '', 'persistent_sequential'), await a.create(p('/q/'), '', 'ephemeral_sequential')];
        });
        expect(paths).toEqual([p('/q/0000000000'), p('/q/0000000001')]);
      });

      it('each parent has its own counter', async () => {
        const a = await h.openSession();
        const paths = await h.run(async () => {
          await a.create(p('/q1'), '', 'persistent');
          await a.create(p('/q2'), '', 'persistent');
          return [
            await a.create(p('/q1/s-'), '', 'persistent_sequential'),
            await a.create(p('/q2/s-'), '', 'persistent_sequential'),
            await a.create(p('/q1/s-'), '', 'persistent_sequential'),
            await a.create(p('/q1/plain'), '', 'persistent'),
            await a.create(p('/q1/s-'), '', 'persistent_sequential'),
          ];
        });
        expect(paths).toEqual([p('/q1/s-0000000000'), p('/q2/s-0000000000'), p('/q1/s-0000000001'), p('/q1/plain'), p('/q1/s-0000000003')]);
      });

      it('a sequential create whose numbered name is taken fails with NODEEXISTS and uses up no number', async () => {
        const a = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/q'), '', 'persistent');
          await a.create(p('/q/x0000000001'), 'squatter', 'persistent');
          await expectZkError(a.create(p('/q/x'), '', 'persistent_sequential'), 'NODEEXISTS');
          const other = await a.create(p('/q/y'), '', 'persistent_sequential');
          return { other, stat: (await a.getData(p('/q'))).stat, squatter: (await a.getData(p('/q/x0000000001'))).data };
        });
        expect(r.other).toBe(p('/q/y0000000001'));
        expect(r.stat).toMatchObject({ cversion: 2, numChildren: 2 });
        expect(r.squatter).toBe('squatter');
      });
    });

    describe('one-shot watches', () => {
      it('a data watch fires NodeDataChanged once; a second change fires nothing until it is set again', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await a.create(p('/w'), 'v0', 'persistent');
          await b.getData(p('/w'), watch('b1'));
          await a.setData(p('/w'), 'v1');
        });
        await h.settle();
        expect(log).toEqual(['b1: NodeDataChanged /w']);
        await h.run(() => a.setData(p('/w'), 'v2'));
        await h.settle();
        expect(log).toEqual(['b1: NodeDataChanged /w']);
        const data = await h.run(async () => {
          const got = await b.getData(p('/w'), watch('b2'));
          await a.setData(p('/w'), 'v3');
          return got.data;
        });
        await h.settle();
        expect(data).toBe('v2');
        expect(log).toEqual(['b1: NodeDataChanged /w', 'b2: NodeDataChanged /w']);
      });

      it('an exists watch on a missing node fires NodeCreated, and only that once', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const stat = await h.run(async () => {
          const stat = await b.exists(p('/later'), watch('b'));
          await a.create(p('/later'), 'x', 'persistent');
          await a.setData(p('/later'), 'y');
          await a.delete(p('/later'));
          return stat;
        });
        await h.settle();
        expect(stat).toBeNull();
        expect(log).toEqual(['b: NodeCreated /later']);
      });

      it('an exists watch on an existing node fires NodeDataChanged, or NodeDeleted', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await a.create(p('/x'), '', 'persistent');
          await a.create(p('/y'), '', 'persistent');
          await b.exists(p('/x'), watch('x'));
          await b.exists(p('/y'), watch('y'));
          await a.setData(p('/x'), 'changed');
          await a.delete(p('/y'));
        });
        await h.settle();
        expect(log).toEqual(['x: NodeDataChanged /x', 'y: NodeDeleted /y']);
      });

      it('a child watch fires NodeChildrenChanged on a child create and, set again, on a child delete', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const r = await h.run(async () => {
          await a.create(p('/c'), '', 'persistent');
          const before = await b.getChildren(p('/c'), watch('b1'));
          await a.create(p('/c/k'), '', 'ephemeral');
          await a.create(p('/c/k2'), '', 'persistent');
          const middle = await b.getChildren(p('/c'), watch('b2'));
          await a.delete(p('/c/k'));
          return { before, middle, after: await b.getChildren(p('/c')) };
        });
        await h.settle();
        expect(r).toEqual({ before: [], middle: ['k', 'k2'], after: ['k2'] });
        expect(log).toEqual(['b1: NodeChildrenChanged /c', 'b2: NodeChildrenChanged /c']);
      });

      it("a child watch ignores the node's and its children's data changes and grandchildren", async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await a.create(p('/c'), '', 'persistent');
          await a.create(p('/c/x'), '', 'persistent');
          await b.getChildren(p('/c'), watch('children'));
          await b.getData(p('/c'), watch('data'));
          await a.create(p('/c/x/grandchild'), '', 'persistent');
          await a.setData(p('/c/x'), 'child data');
          await a.setData(p('/c'), 'own data');
          await a.create(p('/c/z'), '', 'persistent');
        });
        await h.settle();
        expect(log).toEqual(['data: NodeDataChanged /c', 'children: NodeChildrenChanged /c']);
      });

      it("NodeDeleted fires the node's data and child watchers, and the parent's child watchers get NodeChildrenChanged", async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await a.create(p('/d'), '', 'persistent');
          await a.create(p('/d/c'), '', 'persistent');
          await b.getData(p('/d/c'), watch('getData'));
          await b.exists(p('/d/c'), watch('exists'));
          await b.getChildren(p('/d/c'), watch('getChildren'));
          await b.getChildren(p('/d'), watch('parent'));
          await a.delete(p('/d/c'));
          await a.create(p('/d/c'), '', 'persistent');
        });
        await h.settle();
        expect(log).toHaveLength(4);
        expect(log.slice(0, 3).sort()).toEqual(['exists: NodeDeleted /d/c', 'getChildren: NodeDeleted /d/c', 'getData: NodeDeleted /d/c']);
        expect(log[3]).toBe('parent: NodeChildrenChanged /d');
      });

      it('one watcher registered as a data watch and a child watch on a node is called once for NodeDeleted', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const both = watch('both');
        await h.run(async () => {
          await a.create(p('/n'), '', 'persistent');
          await b.getData(p('/n'), both);
          await b.getChildren(p('/n'), both);
          await a.delete(p('/n'));
        });
        await h.settle();
        expect(log).toEqual(['both: NodeDeleted /n']);
      });

      it('several watchers on one path each fire once; the same watcher set twice fires once', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const same = watch('same');
        await h.run(async () => {
          await a.create(p('/n'), '', 'persistent');
          await b.getData(p('/n'), watch('first'));
          await b.exists(p('/n'), watch('second'));
          await b.getData(p('/n'), same);
          await b.getData(p('/n'), same);
          await a.create(p('/n2'), '', 'persistent');
          await a.getData(p('/n'), watch('in a'));
          await a.setData(p('/n'), 'x');
          await a.setData(p('/n'), 'y');
        });
        await h.settle();
        expect([...log].sort()).toEqual([
          'first: NodeDataChanged /n',
          'in a: NodeDataChanged /n',
          'same: NodeDataChanged /n',
          'second: NodeDataChanged /n',
        ]);
      });

      it("a session's own change fires its own watch", async () => {
        const a = await h.openSession();
        await h.run(async () => {
          await a.create(p('/n'), '', 'persistent');
          await a.getData(p('/n'), watch('own'));
          await a.setData(p('/n'), 'mine');
        });
        await h.settle();
        expect(log).toEqual(['own: NodeDataChanged /n']);
      });

      it('a watch event reaches its session before the reply to the change that fired it', async () => {
        const a = await h.openSession();
        const seenAtReply = await h.run(async () => {
          await a.create(p('/n'), '', 'persistent');
          await a.getData(p('/n'), watch('own'));
          await a.setData(p('/n'), 'x');
          return [...log];
        });
        expect(seenAtReply).toEqual(['own: NodeDataChanged /n']);
      });

      it("another session's watches see the changes the first session makes", async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        const c = await h.openSession();
        await h.run(async () => {
          await a.create(p('/brokers'), '', 'persistent');
          await b.getChildren(p('/brokers'), watch('b'));
          await c.exists(p('/brokers/1'), watch('c'));
          await a.create(p('/brokers/1'), '{"host":"a"}', 'ephemeral');
        });
        await h.settle();
        expect([...log].sort()).toEqual(['b: NodeChildrenChanged /brokers', 'c: NodeCreated /brokers/1']);
      });

      it('the events of one session arrive in the order the changes were made', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await a.create(p('/o'), '', 'persistent');
          for (const n of ['1', '3', '4']) await a.create(p(`/o/${n}`), '', 'persistent');
          await b.getData(p('/o/1'), watch('w1'));
          await b.exists(p('/o/2'), watch('w2'));
          await b.getChildren(p('/o'), watch('wo'));
          await b.getData(p('/o/3'), watch('w3'));
          await b.exists(p('/o/4'), watch('w4'));
          // The changes, in this order, with no waiting for B in between.
          await a.setData(p('/o/3'), 'changed');
          await a.create(p('/o/2'), '', 'persistent');
          await a.delete(p('/o/1'));
          await a.setData(p('/o/4'), 'changed');
          await a.delete(p('/o/4'));
        });
        await h.settle();
        expect(log).toEqual([
          'w3: NodeDataChanged /o/3',
          'w2: NodeCreated /o/2',
          'wo: NodeChildrenChanged /o',
          'w1: NodeDeleted /o/1',
          'w4: NodeDataChanged /o/4',
        ]);
      });

      it('getData and getChildren on a missing node set no watch (exists does)', async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await expectZkError(b.getData(p('/m'), watch('getData')), 'NONODE');
          await expectZkError(b.getChildren(p('/m'), watch('getChildren')), 'NONODE');
          await b.exists(p('/m'), watch('exists'));
          await a.create(p('/m'), '', 'persistent');
          await a.setData(p('/m'), 'x');
          await a.create(p('/m/c'), '', 'persistent');
          await a.delete(p('/m/c'));
          await a.delete(p('/m'));
        });
        await h.settle();
        expect(log).toEqual(['exists: NodeCreated /m']);
      });

      it("closing a session fires other sessions' watches on its ephemeral nodes", async () => {
        const a = await h.openSession();
        const b = await h.openSession();
        await h.run(async () => {
          await b.create(p('/ids'), '', 'persistent');
          await a.create(p('/ids/1'), '', 'ephemeral');
          await b.getData(p('/ids/1'), watch('data'));
          await b.getChildren(p('/ids'), watch('children'));
          await a.close();
        });
        await h.settle();
        expect(log).toEqual(['data: NodeDeleted /ids/1', 'children: NodeChildrenChanged /ids']);
      });
    });
  });
}
