/**
 * Bad input to the simulated coordinator: every mistake a caller can make is refused at the call
 * with an `InvalidArgumentError` (or `UnknownNameError`) that names the value and the rule, and
 * nothing is sent to the server.
 */
import { describe, expect, it } from 'vitest';
import { pathProblem, type CreateMode } from '../../src/protocol/zookeeper.ts';
import { InvalidArgumentError, Kernel, Network, UnknownNameError } from '../../src/sim/index.ts';
import { SimZooKeeperClient, ZooKeeperServer } from '../../src/zookeeper/index.ts';
import { SimHarness } from './sim-harness.ts';

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** The error must be an InvalidArgumentError whose message contains every fragment. */
function expectInvalid(call: () => unknown, ...fragments: string[]): InvalidArgumentError {
  const error = thrownBy(call);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
  return error as InvalidArgumentError;
}

const BAD_PATHS: ReadonlyArray<readonly [string, string, string, string]> = [
  // [label, path, how the message shows it, the rule]
  ['a/b', 'a/b', '"a/b"', 'a path must start with /'],
  ['/a/', '/a/', '"/a/"', 'a path must not end with /'],
  ['/a//b', '/a//b', '"/a//b"', 'a path must not contain an empty segment (//)'],
  ['//', '//', '"//"', 'a path must not end with /'],
  ['/a/./b', '/a/./b', '"/a/./b"', 'a path must not contain relative segments (. or ..)'],
  ['/a/../b', '/a/../b', '"/a/../b"', 'a path must not contain relative segments (. or ..)'],
  ['/..', '/..', '"/.."', 'a path must not contain relative segments (. or ..)'],
  ['the empty string', '', '""', 'a path must not be empty'],
  ['/a<U+0000>b', '/a\u0000b', '"/a\\u0000b"', 'a path must not contain the character U+0000'],
  ['/a<U+0001>', '/a\u0001', '"/a\\u0001"', 'a path must not contain the character U+0001'],
  ['/a<U+0085>', '/a\u0085', '"/a\u0085"', 'a path must not contain the character U+0085'],
  ['/a<U+E000>', '/a\ue000', '"/a\ue000"', 'a path must not contain the character U+e000'],
];

describe('malformed paths', () => {
  it.each(BAD_PATHS)('%s is refused by every operation, naming the path and the rule', async (_label, path, shown, rule) => {
    const h = new SimHarness();
    const a = await h.openSession();
    const before = h.kernel.trace.count;
    const calls: Array<() => unknown> = [
      () => a.create(path, '', 'persistent'),
      () => a.create(path, '', 'ephemeral'),
      () => a.delete(path),
      () => a.exists(path),
      () => a.getData(path, () => {}),
      () => a.setData(path, 'x'),
      () => a.getChildren(path),
    ];
    for (const call of calls) {
      const error = expectInvalid(call, shown, rule);
      expect(error.argument).toBe('ZooKeeper path');
      expect(error.value).toBe(path);
    }
    await h.settle();
    expect(h.kernel.trace.count).toBe(before);
    expect(h.server.watchCount).toBe(0);
  });

  it('names that only look odd are valid: dots inside a name, U+001F, spaces, a sequential prefix ending in /', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    const paths = await h.run(async () => [
      await a.create('/.hidden', '', 'persistent'),
      await a.create('/a..b', '', 'persistent'),
      await a.create('/...', '', 'persistent'),
      await a.create('/with space', '', 'persistent'),
      await a.create('/unit\u001fsep', '', 'persistent'),
      await a.create('/.hidden/', '', 'persistent_sequential'),
    ]);
    expect(paths).toEqual(['/.hidden', '/a..b', '/...', '/with space', '/unit\u001fsep', '/.hidden/0000000000']);
  });

  it('a sequential create may end in / but not in //; a non-sequential one may not end in /', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    expectInvalid(() => a.create('/a//', '', 'persistent_sequential'), '"/a//"', 'empty segment');
    expectInvalid(() => a.create('/a/', '', 'persistent'), '"/a/"', 'must not end with /');
    expectInvalid(() => a.create('/a/', '', 'ephemeral'), '"/a/"', 'must not end with /');
    expect(pathProblem('/a/', true)).toBeUndefined();
  });

  it('a non-string path is refused', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    for (const path of [undefined, null, 42, ['/a'], { path: '/a' }]) {
      expectInvalid(() => a.getData(path as unknown as string), 'a path must be a string');
    }
  });

  // ZooKeeper checks Java chars (UTF-16 code units): an astral character is a surrogate pair, and
  // both halves fall in the forbidden range U+D801..U+F8FE, so a real server refuses the path.
  // pathProblem iterates code points (U+1F600 passes), so the simulator accepts it.
  it('a path with a character outside the BMP is refused, as ZooKeeper refuses its surrogates', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    const error = expectInvalid(() => a.create('/emoji-\u{1F600}', '', 'persistent'), 'ZooKeeper path', '/emoji-');
    expect(error.value).toBe('/emoji-\u{1F600}');
  });
});

describe('bad arguments', () => {
  it('an unknown create mode is refused, naming it and the modes allowed', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    for (const mode of ['PERSISTENT', 'sequential', '', undefined, 1]) {
      const error = expectInvalid(
        () => a.create('/a', '', mode as unknown as CreateMode),
        'create mode',
        'one of persistent, ephemeral, persistent_sequential, ephemeral_sequential',
      );
      expect(error.value).toBe(mode);
    }
  });

  it('versions below -1 and non-integer versions are refused for setData and delete', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    for (const version of [-2, -100, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      for (const call of [() => a.setData('/a', 'x', version as number), () => a.delete('/a', version as number)]) {
        const error = expectInvalid(call, 'version must be an integer ≥ -1');
        expect(error.value).toBe(version);
      }
    }
  });

  it('non-string data is refused for create and setData', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    for (const data of [42, undefined, null, { json: true }, new Uint8Array([1])]) {
      expectInvalid(() => a.create('/a', data as unknown as string, 'persistent'), 'znode data must be a string');
      expectInvalid(() => a.setData('/a', data as unknown as string), 'znode data must be a string');
    }
  });

  it('the rules are checked in order: path first, then mode, then data', async () => {
    const h = new SimHarness();
    const a = await h.openSession();
    expectInvalid(() => a.create('bad', 42 as unknown as string, 'bogus' as CreateMode), 'must start with /');
    expectInvalid(() => a.create('/ok', 42 as unknown as string, 'bogus' as CreateMode), 'create mode');
  });

  it("server.expireSession of an unknown session is refused, listing the live sessions", async () => {
    const h = new SimHarness();
    expectInvalid(() => h.server.expireSession('0xdead'), 'session id', '"0xdead"', 'a live session (none)');
    const a = await h.openSession();
    const b = await h.openSession();
    expectInvalid(() => h.server.expireSession('0xdead'), '"0xdead"', `a live session (${a.sessionId}, ${b.sessionId})`);
    // An ended session is unknown too.
    await h.run(() => a.close());
    expectInvalid(() => h.server.expireSession(a.sessionId!), `a live session (${b.sessionId})`);
    expect(b.state).toBe('connected');
  });

  it('a client on an unknown node is refused, naming the node and the known ones', () => {
    const kernel = new Kernel({ seed: 1 });
    const network = new Network(kernel);
    new ZooKeeperServer(kernel, network);
    kernel.addNode('client-1');
    const error = thrownBy(() => new SimZooKeeperClient(kernel, network, { node: 'nowhere' }));
    expect(error).toBeInstanceOf(UnknownNameError);
    expect((error as Error).message).toBe('unknown node "nowhere"; known: "zookeeper", "client-1"');
  });

  it('a client with a timeout that is not a positive integer is refused', () => {
    const h = new SimHarness();
    for (const sessionTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      expectInvalid(() => h.newClient({ sessionTimeoutMs }), 'sessionTimeoutMs must be an integer ≥ 1');
    }
    expectInvalid(() => h.newClient({ connectionTimeoutMs: 0 }), 'connectionTimeoutMs must be an integer ≥ 1');
  });

  it('a server with a bad tickTime or port is refused', () => {
    for (const [options, fragment] of [
      [{ tickTimeMs: 0 }, 'tickTimeMs must be an integer ≥ 1'],
      [{ tickTimeMs: 2.5 }, 'tickTimeMs must be an integer ≥ 1'],
      [{ port: 0 }, 'zookeeper port must be an integer from 1 to 65535'],
      [{ port: 70000 }, 'zookeeper port must be an integer from 1 to 65535'],
    ] as const) {
      const kernel = new Kernel({ seed: 1 });
      expectInvalid(() => new ZooKeeperServer(kernel, new Network(kernel), options), fragment);
    }
  });
});
