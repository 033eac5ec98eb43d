/**
 * `kafkasim serve` as a user runs it: the bootstrap list on the first line, real clients served,
 * control lines on stdin answered in JSON, `stop` finishing the recording, and `kafkasim replay`
 * recognising that recording and confirming the digest. Bad options are usage errors (exit 2).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBrokerConfigSetting } from '../../src/cli/serve.ts';
import { kcat, parseKcatMetadata } from '../gateway/support/kcat-runner.ts';
import { skipWithout } from '../support/real-clients.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'kafkasim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'kafkasim-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kafkasim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('--broker-config KEY=VALUE', () => {
  it('types the value as the broker setting declares it, and leaves text that does not fit for the config check to reject', () => {
    expect(parseBrokerConfigSetting('group.initial.rebalance.delay.ms=0')).toEqual(['group.initial.rebalance.delay.ms', 0]);
    expect(parseBrokerConfigSetting('auto.create.topics.enable=false')).toEqual(['auto.create.topics.enable', false]);
    expect(parseBrokerConfigSetting('num.partitions=-1')).toEqual(['num.partitions', -1]);
    expect(parseBrokerConfigSetting('num.partitions=three')).toEqual(['num.partitions', 'three']);
    expect(parseBrokerConfigSetting('auto.create.topics.enable=1')).toEqual(['auto.create.topics.enable', '1']);
    expect(() => parseBrokerConfigSetting('num.partitions')).toThrow(/^--broker-config must be KEY=VALUE.*, got "num\.partitions"$/);
  });
});

describe('kafkasim serve', () => {
  it.skipIf(skipWithout('kcat'))('prints the bootstrap list first, serves kcat, takes control lines, and records a run that replays', async () => {
    const recording = join(dir, 'served.jsonl');
    const child = spawn(process.execPath, [BIN, 'serve', '--brokers', '3', '--topic', 'jiketest:3:2', '--seed', '5', '--record', recording], { cwd: REPO });
    const stderr: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = createInterface({ input: child.stdout });
    const queue: string[] = [];
    let waiter: (() => void) | undefined;
    lines.on('line', (line) => {
      queue.push(line);
      waiter?.();
    });
    const nextLine = async (matching: RegExp): Promise<string> => {
      for (;;) {
        const index = queue.findIndex((line) => matching.test(line));
        if (index >= 0) return queue.splice(0, index + 1).at(-1)!;
        await new Promise<void>((resolve, reject) => {
          waiter = resolve;
          setTimeout(() => reject(new Error(`no line matching ${matching} in 30 s; got ${JSON.stringify(queue)}`)), 30_000);
          child.once('close', () => reject(new Error(`serve exited before printing ${matching}; stderr: ${stderr.join('')}`)));
        });
      }
    };
    try {
      const first = await nextLine(/./);
      expect(first).toMatch(/^bootstrap: 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      const bootstrap = first.slice('bootstrap: '.length);

      const listed = await kcat(['-b', bootstrap, '-L']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(parseKcatMetadata(listed.stdout).partitions.size).toBe(3);

      child.stdin.write('crash 3\n');
      expect(JSON.parse(await nextLine(/^\{"ok":true,"applied"/))).toEqual({ ok: true, applied: { kind: 'broker-crash', broker: 3 } });
      child.stdin.write('crash three\n');
      expect(JSON.parse(await nextLine(/^\{"ok":false/)).error).toMatch(/a broker is its id/);
      child.stdin.write('stop\n');
      await nextLine(/^replay: npx kafkasim replay /);
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }

    const replay = await kafkasim('replay', recording);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/matches the recording/);
    expect(replay.stdout).toMatch(/Broker 3 crashes/);
  });

  it('applies the faults of a schedule file and narrates them', async () => {
    const schedule = join(dir, 'schedule.json');
    writeFileSync(schedule, JSON.stringify([{ atMs: 100, fault: { kind: 'broker-crash', broker: 2 } }]));
    const child = spawn(process.execPath, [BIN, 'serve', '--brokers', '2', '--speed', '10', '--schedule', schedule], { cwd: REPO });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no crash narrated in 60 s; output: ${text}`)), 60_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          if (/Broker 2 crashes/.test(text)) {
            clearTimeout(timer);
            resolve(text);
          }
        });
      });
      expect(output.split('\n')[0]).toMatch(/^bootstrap: /);
    } finally {
      child.kill();
    }
  });

  it.each([
    [['serve', '--topic', 'jiketest'], /--topic.*NAME:PARTITIONS:REPLICATION_FACTOR/],
    [['serve', '--speed', '0'], /--speed must be a positive number/],
    [['serve', '--brokers', '0'], /--brokers must be an integer ≥ 1/],
    [['serve', '--bogus'], /unknown option "--bogus"/],
    [['serve', '--schedule', '/nonexistent/schedule.json'], /--schedule.*a readable JSON file/],
    [['serve', '--broker-config', 'group.initial.rebalance.delay.ms'], /--broker-config.*KEY=VALUE/],
    [['serve', '--broker-config', 'group.initial.rebalance.delay.ms=soon'], /broker config "group.initial.rebalance.delay.ms".*"soon"/],
    [['serve', '--broker-config', 'log.retention.hours=1'], /log\.retention\.hours/],
  ])('rejects %j with exit 2', async (args, message) => {
    const result = await kafkasim(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
