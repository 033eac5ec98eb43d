/**
 * `npm run bench [-- <suite>...]`: runs the benchmark suites, each in a process of its own,
 * prints one table, writes bench/results.json. Each issue adds its suite here.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatNumber, type BenchSuite, type Figure } from './harness.ts';
import { brokerSuite } from './broker.bench.ts';
import { clientSuite } from './client.bench.ts';
import { gatewaySuite } from './gateway.bench.ts';
import { kernelSuite } from './kernel.bench.ts';
import { testingSuite } from './testing.bench.ts';
import { wireSuite } from './wire.bench.ts';

const suites: BenchSuite[] = [kernelSuite, brokerSuite, clientSuite, testingSuite, gatewaySuite, wireSuite];

const CHILD_FLAG = '--suite-in-this-process';
const args = process.argv.slice(2);
const child = args[0] === CHILD_FLAG;
const wanted = child ? args.slice(1) : args;
const unknown = wanted.filter((name) => !suites.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

if (child) {
  // One suite, in a process of its own: its figures as JSON on stdout for the parent.
  const suite = suites.find((s) => s.name === wanted[0])!;
  process.stdout.write(JSON.stringify(await suite.run()));
  process.exit(0);
}

/**
 * Each suite runs in a fresh process (same node flags): a suite's heap, JIT state and loaded
 * modules would otherwise shape the figures of the suites after it (the e2e figure measured after
 * the broker suite's million-record logs varied from ~0.7M to ~1.2M records/s).
 */
function runInOwnProcess(suite: BenchSuite): Figure[] {
  const result = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, CHILD_FLAG, suite.name], {
    env: { ...suite.env, ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`the ${suite.name} suite failed (exit ${result.status ?? result.signal})`);
  return JSON.parse(result.stdout) as Figure[];
}

const figures: Figure[] = [];
for (const suite of suites) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  process.stderr.write(`running ${suite.name}...\n`);
  figures.push(...runInOwnProcess(suite));
}

const rows = figures.map((f) => [f.name, formatNumber(f.value), f.unit, f.target ?? '', f.mode]);
const header = ['figure', 'value', 'unit', 'target', 'mode'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));

const results = Object.fromEntries(figures.map((f) => [f.name, { value: Number(f.value.toFixed(3)), unit: f.unit }]));
writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
