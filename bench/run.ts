/**
 * `npm run bench [-- <suite>...]`: runs the benchmark suites, prints one table, writes
 * bench/results.json. Each issue adds its suite here.
 */
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

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !suites.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const figures: Figure[] = [];
for (const suite of suites) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  process.stderr.write(`running ${suite.name}...\n`);
  figures.push(...(await suite.run()));
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
