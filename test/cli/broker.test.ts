/**
 * `kafkasim lesson NN --broker ...` and `kafkasim compare NN --broker ...`, run as a user runs
 * them, against kafkasim's gateway started in this test (OS-assigned ports, the lessons' topics):
 * exit 0 and the facts side by side; exit 1 with the address when the broker cannot be reached;
 * exit 2 when the address is malformed.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/index.ts';
import { closedPort } from '../real/support/fake-broker.ts';
import { SLOW } from '../testing/support.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'kafkasim.mjs');

function kafkasim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** A gateway with the lessons' topics, fresh for each test (a topic that already holds messages shifts the offsets). */
let gateway: Gateway | undefined;
async function freshGateway(): Promise<string> {
  await gateway?.stop();
  gateway = await startGateway({
    brokers: 3,
    topics: [
      { name: 'jiketest', partitions: 3, replicationFactor: 2 },
      { name: 'jikelog', partitions: 3, replicationFactor: 2 },
    ],
  });
  return gateway.bootstrapServers;
}

afterAll(async () => {
  await gateway?.stop();
});

/**
 * `kafkasim compare <id> --broker <fresh gateway>`: exit 0, nothing on stderr, the header, each of
 * `sameFacts` marked same, and no difference in the facts that should match. Returns stdout.
 */
async function compareOnFreshGateway(id: string, title: string, sameFacts: readonly string[]): Promise<string> {
  const bootstrap = await freshGateway();
  const { code, stdout, stderr } = await kafkasim('compare', id, '--broker', bootstrap);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toContain(`Lesson ${id} (${title}) on the simulator and on the broker(s) at ${bootstrap}`);
  for (const fact of sameFacts) expect(stdout).toMatch(new RegExp(`^${fact.replace(/[()]/g, '\\$&')}\\s.*\\ssame$`, 'm'));
  expect(stdout).not.toContain('DIFFERS');
  expect(stdout).toContain('No difference in the facts that should match.');
  return stdout;
}

describe('kafkasim lesson 01 --broker', () => {
  it('runs the lesson on the broker: exit 0, its claims held, what was skipped said plainly', { timeout: SLOW }, async () => {
    const bootstrap = await freshGateway();
    const { code, stdout, stderr } = await kafkasim('lesson', '01', '--broker', bootstrap);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`(on the broker(s) at ${bootstrap}, in real time:`);
    expect(stdout.match(/^Skipped on a real broker: /gm)).toHaveLength(3);
    expect(stdout).toContain('== What you saw ==');
  });

  it('with --json prints the facts record', { timeout: SLOW }, async () => {
    const bootstrap = await freshGateway();
    const { code, stdout } = await kafkasim('lesson', '01', '--broker', bootstrap, '--json');
    expect(code).toBe(0);
    const facts = JSON.parse(stdout) as { lesson: string; backend: string; facts: Array<{ name: string; value: unknown }> };
    expect(facts.lesson).toBe('01');
    expect(facts.backend).toBe(`broker ${bootstrap}`);
    expect(facts.facts.find((f) => f.name === 'messages consumed (once each)')?.value).toBe(15);
  });

  it('an unreachable broker: exit 1 within the timeout, naming the address and the reason', { timeout: SLOW }, async () => {
    const port = await closedPort();
    const startMs = Date.now();
    const { code, stdout, stderr } = await kafkasim('lesson', '01', '--broker', `127.0.0.1:${port}`);
    expect(Date.now() - startMs).toBeLessThan(30_000);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`lesson 01: cannot reach the broker(s) at 127.0.0.1:${port}: `);
    expect(stderr).toContain('connection refused');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed address: exit 2, quoting it', { timeout: SLOW }, async () => {
    const { code, stderr } = await kafkasim('lesson', '01', '--broker', 'localhost');
    expect(code).toBe(2);
    expect(stderr).toContain('--broker must be host:port[,host:port] (ports 1-65535), got "localhost"');
  });
});

describe('kafkasim compare', () => {
  it('compare 01 against the gateway: the facts side by side, no difference in those that should match, exit 0', { timeout: SLOW }, async () => {
    const stdout = await compareOnFreshGateway('01', 'The partition consumer', ['messages sent', 'messages acknowledged', 'messages per partition', 'offsets written per partition', 'messages consumed (once each)', 'read in offset order']);
    expect(stdout).toMatch(/^fact\s+simulator \(seed 1\)\s+broker 127\.0\.0\.1:/m);
    expect(stdout).toMatch(/^get_message timeout\s+60,000 ms\s+2,000 ms\s+differs \(expected: timing\)$/m);
    expect(stdout).toContain('- timing: ');
  });

  it('compare on a topic that already held messages: the offsets differ, explained as history, still exit 0', { timeout: SLOW }, async () => {
    const bootstrap = await freshGateway();
    expect((await kafkasim('lesson', '01', '--broker', bootstrap)).code).toBe(0);
    const { code, stdout } = await kafkasim('compare', '01', '--broker', bootstrap);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^offsets written per partition\s+0\.\.4 \/ 0\.\.4 \/ 0\.\.4\s+5\.\.9 \/ 5\.\.9 \/ 5\.\.9\s+differs \(expected: history\)$/m);
    expect(stdout).toContain('- history: ');
    expect(stdout).toContain('No difference in the facts that should match.');
  });

  it('compare on the assignment lesson (04) against the gateway reports no difference in the facts that should match, exit 0', { timeout: SLOW }, async () => {
    await compareOnFreshGateway('04', 'The assignment algorithm', ['range after "c3 joins with 1 stream"', 'range over two topics', 'roundrobin over two topics', 'roundrobin after the mismatched member left']);
  });

  it.each([
    [['compare'], 2, 'compare needs a lesson number'],
    [['compare', '01'], 2, 'compare needs --broker host:port[,host:port]'],
    [['compare', '99', '--broker', '127.0.0.1:9'], 2, 'no lesson "99"'],
  ])('rejects %j with exit %i: %s', { timeout: SLOW }, async (args, exit, message) => {
    const { code, stderr } = await kafkasim(...args);
    expect(code).toBe(exit);
    expect(stderr).toContain(message);
  });

  it('an unreachable broker: exit 1, naming the address', { timeout: SLOW }, async () => {
    const port = await closedPort();
    const { code, stderr } = await kafkasim('compare', '01', '--broker', `127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(stderr).toContain(`kafkasim: compare 01: cannot reach the broker(s) at 127.0.0.1:${port}: `);
  });
});
