/**
 * The `kafkasim` command (bin/kafkasim.mjs → src/cli/main.ts), run as a user runs it: exit 0 on
 * success, 1 when failures were found or a claim did not hold, 2 on bad usage (with the usage or a
 * clear message on stderr).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, writeCounterexample, COUNTEREXAMPLE_FORMAT, NAMED_SCENARIOS, type Counterexample } from 'kafkasim/testing';
import { producer, SLOW, smallScenario, tempDirs } from '../testing/support.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Exit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = join(REPO, 'bin', 'kafkasim.mjs');

/** Runs the command from `cwd` (default: the repository, as `npx kafkasim` would). */
function kafkasimIn(cwd: string, ...args: string[]): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function kafkasim(...args: string[]): Promise<Exit> {
  return kafkasimIn(REPO, ...args);
}

const dirs = tempDirs('cli');
afterAll(() => dirs.cleanup());

describe('kafkasim (no command, help)', () => {
  it.each([{ args: [] }, { args: ['help'] }, { args: ['--help'] }, { args: ['-h'] }])('prints the usage and exits 0: kafkasim $args', { timeout: SLOW }, async ({ args }) => {
    const { code, stdout, stderr } = await kafkasim(...args);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: kafkasim <command>');
    for (const command of ['lesson', 'replay <file>', 'check --scenario <name>', 'check --list']) expect(stdout).toContain(command);
    expect(stderr).not.toContain('kafkasim:');
  });

  it('rejects an unknown command with exit 2 and the usage on stderr', { timeout: SLOW }, async () => {
    const { code, stdout, stderr } = await kafkasim('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('kafkasim: unknown command "frobnicate"');
    expect(stderr).toContain('usage: kafkasim <command>');
    expect(stdout).toBe('');
  });
});

describe('kafkasim check', () => {
  it('--list lists every scenario family, saying which should pass and which finds failures', { timeout: SLOW }, async () => {
    const { code, stdout } = await kafkasim('check', '--list');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(NAMED_SCENARIOS.length);
    for (const [i, family] of NAMED_SCENARIOS.entries()) {
      expect(lines[i]).toMatch(new RegExp(`^${family.name}\\s`));
      expect(lines[i]).toContain(family.expectedToPass ? '(should pass)' : '(finds failures)');
      expect(lines[i]).toContain(family.description);
    }
  });

  it('sweeps a family that finds failures: exit 1, each failure listed, files that `replay` reproduces (exit 0)', { timeout: SLOW * 2 }, async () => {
    // Counterexample files go to .kafkasim/counterexamples under the working directory: use a temporary one.
    const cwd = dirs.make();
    const check = await kafkasimIn(cwd, 'check', '--scenario', 'acks-1', '--runs', '10', '--seed', '3');
    expect(check.code).toBe(1);
    const summary = /^10 run\(s\), (\d+) failure\(s\)/m.exec(check.stdout);
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(0);
    const files = [...check.stdout.matchAll(/replay: npx kafkasim replay (\S+) --step/g)].map((m) => m[1]!);
    expect(files.length).toBe(Math.min(5, Number(summary![1])));
    expect(check.stdout).toContain('acknowledged message(s) never processed');
    const replay = await kafkasimIn(cwd, 'replay', files[0]!);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('acknowledged message(s) never processed');
    expect(replay.stdout).toContain('matches the counterexample file');
  });

  it('sweeps a family that should pass: exit 0, no failure', { timeout: SLOW * 2 }, async () => {
    const cwd = dirs.make();
    const { code, stdout } = await kafkasimIn(cwd, 'check', '--scenario', 'safe', '--runs', '2', '--seed', '1');
    expect(stdout).toContain('2 run(s), 0 failure(s)');
    expect(code).toBe(0);
  });

  it('rejects an unknown family with exit 2, naming the families there are', { timeout: SLOW }, async () => {
    const { code, stderr } = await kafkasim('check', '--scenario', 'nope');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown scenario "nope"');
    expect(stderr).toContain(`families: ${NAMED_SCENARIOS.map((f) => f.name).join(', ')}`);
  });

  it.each([
    [['check'], 'check needs --scenario <name>'],
    [['check', '--scenario', 'safe', '--runs', '0'], '--runs must be an integer ≥ 1, got "0"'],
    [['check', '--scenario', 'safe', '--seed', 'x'], '--seed must be an integer ≥ 0, got "x"'],
    [['check', '--scenario'], '--scenario needs a value'],
    [['check', '--frob'], 'unknown option "--frob"'],
  ])('rejects bad usage %j with exit 2: %s', { timeout: SLOW }, async (args, message) => {
    const { code, stderr } = await kafkasim(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: kafkasim');
  });
});

describe('kafkasim replay', () => {
  let dir: string;
  let counterexample: Counterexample;
  let file: string;

  beforeAll(async () => {
    dir = dirs.make();
    const scenario = smallScenario({ seed: 5, producers: [producer({ messages: 5 })], faults: [{ atMs: 20, fault: { kind: 'broker-crash', broker: 3 } }], faultWindowMs: 400 });
    const result = await runScenario(scenario, { trace: 'digest' });
    counterexample = { format: COUNTEREXAMPLE_FORMAT, version: 1, property: 'cli replay', scenario, digest: result.digest!, failures: ['an example failure'] };
    file = join(dir, 'example.json');
    writeCounterexample(file, counterexample);
  }, SLOW);

  it('replays a counterexample file, narrates it, says what went wrong and exits 0 when the digest matches', { timeout: SLOW }, async () => {
    const { code, stdout, stderr } = await kafkasim('replay', file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('What went wrong');
    expect(stdout).toContain('counterexample to "cli replay"');
    expect(stdout).toContain('broker-3');
    expect(stdout).toContain(`Trace digest ${counterexample.digest.slice(0, 16)}`);
  });

  it('with --step but no terminal, prints the whole replay and says why', { timeout: SLOW }, async () => {
    const { code, stdout } = await kafkasim('replay', file, '--step');
    expect(code).toBe(0);
    expect(stdout).toContain('What went wrong');
    expect(stdout).toContain('(--step needs a terminal; the whole lesson was printed instead)');
  });

  it('with --json, prints the trace of the replay as JSON lines', { timeout: SLOW }, async () => {
    const { code, stdout } = await kafkasim('replay', file, '--json');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    const records = lines.map((line) => JSON.parse(line) as { step: number; kind: string; text: string; data: { broker?: number } });
    expect(records.filter((r) => r.kind === 'fault.broker-crash').map((r) => r.data.broker)).toEqual([3]);
    for (const record of records) expect(typeof record.text).toBe('string');
  });

  it('exits 1 when the replay is not the run the file recorded (another digest)', { timeout: SLOW }, async () => {
    const tampered = join(dir, 'tampered.json');
    const digest = counterexample.digest.startsWith('0') ? `1${counterexample.digest.slice(1)}` : `0${counterexample.digest.slice(1)}`;
    writeCounterexample(tampered, { ...counterexample, digest });
    const { code, stderr } = await kafkasim('replay', tampered);
    expect(code).toBe(1);
    expect(stderr).toContain('claim does not hold: the replay is the run that failed');
  });

  it('rejects a missing file with exit 2 and a clear message naming it', { timeout: SLOW }, async () => {
    const missing = join(dir, 'no-such-file.json');
    const { code, stdout, stderr } = await kafkasim('replay', missing);
    expect(code).toBe(2);
    expect(stderr).toContain(`kafkasim: counterexample file must be a readable JSON file written by kafkasim`);
    expect(stderr).toContain(missing);
    expect(stderr).toContain('ENOENT');
    expect(stdout).toBe('');
  });

  it('rejects a JSON file that is not a counterexample with exit 2', { timeout: SLOW }, async () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ name: 'not a counterexample' }));
    const { code, stderr } = await kafkasim('replay', other);
    expect(code).toBe(2);
    expect(stderr).toContain(`format "${COUNTEREXAMPLE_FORMAT}" and version 1`);
  });

  it('needs a file: exit 2 with the usage', { timeout: SLOW }, async () => {
    const { code, stderr } = await kafkasim('replay');
    expect(code).toBe(2);
    expect(stderr).toContain('replay needs a counterexample file');
    expect(stderr).toContain('usage: kafkasim');
  });
});
