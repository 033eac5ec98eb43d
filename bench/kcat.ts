/**
 * kcat (librdkafka) driven as a benchmark load: a producer reading N lines from a file on its
 * stdin, timed from spawn to exit, and a consumer reading a topic from the beginning to its end
 * (`-e`), timed the same way and counting the lines it printed. Also librdkafka's built-in mock cluster (`test.mock.num.brokers`,
 * rdkafka_mock.c), which lives inside a kcat process for as long as that process runs: a kcat
 * producer whose stdin stays open keeps it alive, and librdkafka logs its bootstrap list
 * ("Mock cluster enabled: ... replaced with 127.0.0.1:PORT,...") on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Debian's kcat 1.7.1 (librdkafka 2.0.2), installed by .ci/run. */
export const KCAT = '/usr/bin/kcat';

export function kcatAvailable(): boolean {
  return existsSync(KCAT);
}

/**
 * Writes `count` lines of `lineBytes` bytes (newline included), numbered, to a new file in the
 * system's temporary directory and returns its path: the producer's input, made once and read by
 * every producer from a file rather than fed through a pipe by this process (which would compete
 * for the event loop with the gateway it measures, and not with the mock cluster). Remove it with
 * `removeInput`.
 */
export function writeInputFile(count: number, lineBytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'kafkasim-bench-'));
  const file = join(dir, 'input.txt');
  const fd = openSync(file, 'w');
  try {
    const CHUNK = 10_000;
    for (let first = 0; first < count; first += CHUNK) {
      const n = Math.min(CHUNK, count - first);
      const chunk = Buffer.alloc(n * lineBytes, 'x');
      for (let i = 0; i < n; i++) {
        const end = (i + 1) * lineBytes - 1;
        chunk.write(String(first + i), i * lineBytes, 'latin1');
        chunk[end] = 0x0a;
      }
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Removes a file made by `writeInputFile` (and its directory). */
export function removeInput(file: string): void {
  rmSync(dirname(file), { recursive: true, force: true });
}

function exited(child: ChildProcess, what: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} exited with ${code ?? signal}: ${stderr().slice(-2000)}`));
    });
  });
}

/** Wall-clock ms for `kcat -P` to send every line of `inputFile` (its stdin; acks=all) and exit. */
export async function kcatProduceMs(bootstrap: string, topic: string, inputFile: string): Promise<number> {
  const input = openSync(inputFile, 'r');
  try {
    const start = process.hrtime.bigint();
    const child = spawn(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all'], { stdio: [input, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await exited(child, 'kcat -P', () => stderr);
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    closeSync(input);
  }
}

/** `kcat -C -e -o beginning -q`: wall-clock ms until it exits, and the lines it printed. */
export async function kcatConsume(bootstrap: string, topic: string): Promise<{ ms: number; records: number }> {
  const start = process.hrtime.bigint();
  const child = spawn(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-e', '-o', 'beginning', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let records = 0;
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    for (let i = d.indexOf(0x0a); i !== -1; i = d.indexOf(0x0a, i + 1)) records++;
  });
  await exited(child, 'kcat -C', () => stderr);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, records };
}

export interface MockCluster {
  readonly bootstrap: string;
  stop(): Promise<void>;
}

/** Starts librdkafka's mock cluster of `brokers` brokers inside a kcat process kept alive by its open stdin. */
export async function startMockCluster(brokers: number): Promise<MockCluster> {
  const child = spawn(KCAT, ['-P', '-b', 'unused:9092', '-X', `test.mock.num.brokers=${brokers}`, '-t', 'mock-keepalive'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no mock cluster bootstrap list from kcat within 10 s: ${stderr}`)), 10_000);
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`kcat holding the mock cluster exited with ${code}: ${stderr}`)));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const match = /replaced with ((?:127\.0\.0\.1:\d+,?)+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace(/,$/, ''));
      }
    });
  });
  return {
    bootstrap,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        child.stdin!.end(); // kcat -P exits at the end of its input, taking the mock cluster with it
      }),
  };
}
