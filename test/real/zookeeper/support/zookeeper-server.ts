/**
 * A real ZooKeeper server for tests: Debian's `zookeeper` package (3.8), launched as
 * `java ... ZooKeeperServerMain zoo.cfg` (standalone) on loopback, with a fresh temporary data
 * directory and a free port, in a process group of its own so `stop()` ends it and whatever it
 * started. `tickTime` is small so the shortest session timeout (2 ticks) is short too.
 *
 * Only the `ruok` four-letter word is enabled: `start` polls it until the server answers `imok`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ZOOKEEPER_JAR } from '../../../support/real-clients.ts';
/** slf4j's simple binding, so the server's log says something (to `server.log` in the data directory). */
const SLF4J_BINDING = '/usr/share/java/slf4j-simple.jar';

export interface ZooKeeperServerOptions {
  /** ZooKeeper's tickTime (default 200): session timeouts are clamped to [2, 20] ticks. */
  readonly tickTimeMs?: number;
  /** How long the server may take to answer `ruok` (default 60 s: a cold JVM on a slow machine). */
  readonly startTimeoutMs?: number;
}

export interface ZooKeeperServerProcess {
  /** `127.0.0.1:port`. */
  readonly address: string;
  readonly port: number;
  readonly tickTimeMs: number;
  /** The last lines of the server's log (for failure messages). */
  logTail(lines?: number): string;
  /** Kills the server's process group and removes its data directory. */
  stop(): Promise<void>;
}

/** A port nobody listens on now: bind port 0 on loopback, read it, let it go. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`cannot read the bound port from ${String(address)}`);
  return address.port;
}

/** Sends a four-letter word and returns the whole answer ('' if the connection failed). */
export function fourLetterWord(port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', done);
    socket.on('error', done);
  });
}

export async function startZooKeeperServer(options: ZooKeeperServerOptions = {}): Promise<ZooKeeperServerProcess> {
  const tickTimeMs = options.tickTimeMs ?? 200;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'kafkasim-zookeeper-'));
  const port = await freePort();
  const config = join(dir, 'zoo.cfg');
  writeFileSync(
    config,
    [
      `tickTime=${tickTimeMs}`,
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok',
      // No fsync per transaction: the tests need no durability, and it keeps writes fast.
      'forceSync=no',
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'java',
      [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Dzookeeper.jmx.log4j.disable=true',
        '-cp',
        `${ZOOKEEPER_JAR}:${SLF4J_BINDING}`,
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        config,
      ],
      { cwd: dir, detached: true, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log);
  }
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  child.once('error', (error) => (exited = `could not start java: ${error.message}`));

  const logTail = (lines = 20) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === undefined && child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGKILL');
        await gone;
      } catch {
        // The group is already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited !== undefined) {
      const tail = logTail();
      await stop();
      throw new Error(`ZooKeeper server on port ${port} ${exited} before answering ruok; its log ends:\n${tail}`);
    }
    if ((await fourLetterWord(port, 'ruok', 500)) === 'imok') break;
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`ZooKeeper server on port ${port} did not answer ruok within ${startTimeoutMs} ms; its log ends:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { address: `127.0.0.1:${port}`, port, tickTimeMs, logTail, stop };
}
