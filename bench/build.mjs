// Compiles the benchmarks (and the library they measure) to one JavaScript file, as a user's
// build would, then runs it. Running the TypeScript through tsx instead would measure tsx's
// transform too (it keeps every function's name with a helper call per closure made).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const outfile = fileURLToPath(new URL('./run.bundle.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('./run.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  packages: 'external',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
