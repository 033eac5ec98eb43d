/**
 * kcat (librdkafka) driven as a benchmark load: a producer fed N lines on stdin, timed from spawn
 * to exit, and a consumer reading a topic from the beginning to its end (`-e`), timed the same way
 * and counting the lines it printed. Also librdkafka's built-in mock cluster (`test.mock.num.brokers`,
 * rdkafka_mock.c), which lives inside a kcat process for as long as that process runs: a kcat
 * producer whose stdin stays open keeps it alive, and librdkafka logs its bootstrap list
 * ("Mock cluster enabled: ... replaced with 127.0.0.1:PORT,...") on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's kcat 1.7.1 (librdkafka 2.0.2), installed by .ci/run. */
export const KCAT = '/usr/bin/kcat';

export function kcatAvailable(): boolean {
  return existsSync(KCAT);
}

/** `count` lines of `lineBytes` bytes (newline included), numbered, written in chunks. */
function* lines(count: number, lineBytes: number): Generator<Buffer> {
  const CHUNK = 10_000;
  for (let first = 0; first < count; first += CHUNK) {
    const n = Math.min(CHUNK, count - first);
    const chunk = Buffer.alloc(n * lineBytes, 'x');
    for (let i = 0; i < n; i++) {
      const end = (i + 1) * lineBytes - 1;
      chunk.write(String(first + i), i * lineBytes, 'latin1');
      chunk[end] = 0x0a;
    }
    yield chunk;
  }
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

/** Wall-clock ms for `kcat -P` to send `count` lines of `lineBytes` bytes (acks=all) and exit. */
export async function kcatProduceMs(bootstrap: string, topic: string, count: number, lineBytes: number): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = exited(child, 'kcat -P', () => stderr);
  const stdin = child.stdin!;
  stdin.on('error', () => {}); // an early exit is reported by `done`
  for (const chunk of lines(count, lineBytes)) {
    if (!stdin.write(chunk)) await new Promise((resolve) => stdin.once('drain', resolve));
    if (child.exitCode !== null) break;
  }
  stdin.end();
  await done;
  return Number(process.hrtime.bigint() - start) / 1e6;
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
