/**
 * Running the real kcat (librdkafka 2.0.2) against a gateway, and looking at the gateway's ports
 * from outside: what the kcat tests share. kcat must be at /usr/bin/kcat (Debian's package, which
 * `.ci/run` installs); without it the tests fail saying so.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { KCAT, requireClient } from '../../support/real-clients.ts';


export interface KcatResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs kcat with `args`, feeding `input` on stdin; kills it after `timeoutMs` (the result says so),
 * calling `onTimeout` first (to look at the gateway while kcat's connections are still open).
 */
export function kcat(args: readonly string[], options: { input?: string; timeoutMs?: number; onTimeout?: () => void } = {}): Promise<KcatResult> {
  requireClient('kcat');
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        options.onTimeout?.();
      } catch (error) {
        stderr += `\n(onTimeout failed: ${(error as Error).message})`;
      }
      stderr += `\n(killed after ${options.timeoutMs ?? 60_000} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `kcat -L` parsed: brokers (id → host:port) and partitions (leader, replicas, ISR). */
export interface KcatMetadata {
  readonly brokers: ReadonlyMap<number, string>;
  readonly partitions: ReadonlyMap<string, { leader: number; replicas: number[]; isr: number[] }>;
}

export function parseKcatMetadata(text: string): KcatMetadata {
  const brokers = new Map<number, string>();
  const partitions = new Map<string, { leader: number; replicas: number[]; isr: number[] }>();
  let topic = '';
  const ids = (list: string) => (list.trim() === '' ? [] : list.split(',').map(Number));
  for (const line of text.split('\n')) {
    const broker = /^\s+broker (\d+) at (\S+)/.exec(line);
    if (broker !== null) brokers.set(Number(broker[1]), broker[2]!);
    const t = /^\s+topic "([^"]+)"/.exec(line);
    if (t !== null) topic = t[1]!;
    const p = /^\s+partition (\d+), leader (-?\d+), replicas: ([\d,]*), isrs: ([\d,]*)/.exec(line);
    if (p !== null) partitions.set(`${topic}-${p[1]}`, { leader: Number(p[2]), replicas: ids(p[3]!), isr: ids(p[4]!) });
  }
  return { brokers, partitions };
}

/** Whether a TCP connection to `port` on loopback is accepted (true) or refused (false). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}
