import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedTokens, formatFindings, scanSource, stripComments, type Finding } from './scanner.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function tsFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...tsFilesUnder(path));
    else if (entry.endsWith('.ts')) files.push(path);
  }
  return files;
}

function repoPath(path: string): string {
  return relative(REPO_ROOT, path).split(sep).join('/');
}

describe('determinism guard', () => {
  it('no file under src/ or lessons/ uses the wall clock, real timers or ambient randomness outside the named exceptions', () => {
    const files = [...tsFilesUnder(join(REPO_ROOT, 'src')), ...tsFilesUnder(join(REPO_ROOT, 'lessons'))];
    expect(files.length).toBeGreaterThan(10); // the scan really looked at the sources
    const findings: Finding[] = [];
    for (const file of files) findings.push(...scanSource(repoPath(file), readFileSync(file, 'utf8')));
    expect(formatFindings(findings), 'forbidden tokens (file:line: token); see DESIGN.md §3').toBe('');
  });

  it('the kernel macrotask helper is scanned and really uses its one exception', () => {
    const file = join(REPO_ROOT, 'src/sim/macrotask.ts');
    const source = readFileSync(file, 'utf8');
    expect(scanSource('src/sim/macrotask.ts', source)).toEqual([]);
    expect(scanSource('src/sim/not-macrotask.ts', source)).toEqual([
      { file: 'src/sim/not-macrotask.ts', line: expect.any(Number), column: expect.any(Number), token: 'setImmediate(' },
    ]);
  });
});

describe('determinism guard scanner', () => {
  const scan = (source: string, file = 'src/sim/example.ts') => scanSource(file, source).map((f) => `${f.line}: ${f.token}`);

  it('finds each forbidden token and reports its line', () => {
    const source = [
      'const a = Math.random();',
      'const b = Date.now();',
      'const c = new Date();',
      'const d = Date();',
      'const e = performance.now();',
      'setTimeout(() => {}, 1);',
      'setInterval(() => {}, 1);',
      'setImmediate(() => {});',
      'crypto.randomInt(3);',
      "import { randomBytes, randomUUID } from 'node:crypto';",
      'globalThis.crypto.getRandomValues(buf);',
    ].join('\n');
    expect(scan(source)).toEqual([
      '1: Math.random',
      '2: Date.now',
      '3: new Date(',
      '4: Date(',
      '5: performance.now',
      '6: setTimeout(',
      '7: setInterval(',
      '8: setImmediate(',
      '9: crypto.random',
      '10: randomBytes',
      '10: randomUUID',
      '11: getRandomValues',
    ]);
  });

  it('reports every occurrence, including several on one line', () => {
    expect(scan('const t = [Date.now(), Date.now()];')).toEqual(['1: Date.now', '1: Date.now']);
  });

  it('ignores tokens inside line, block and doc comments', () => {
    const source = [
      '// never use Math.random() here',
      '/* nor Date.now() */ const x = 1;',
      '/**',
      ' * setTimeout(...) would break determinism; performance.now() too.',
      ' */',
      'const y = 2; // new Date() is forbidden',
    ].join('\n');
    expect(scan(source)).toEqual([]);
  });

  it('still finds a token after a block comment on the same line, and keeps line numbers across multi-line comments', () => {
    const source = ['/* a', ' * comment', ' */ const t = Date.now();', 'Math.random();'].join('\n');
    expect(scan(source)).toEqual(['3: Date.now', '4: Math.random']);
  });

  it('does not take // or /* inside strings, templates or regexes for a comment', () => {
    const source = [
      "const url = 'http://example.com'; const t = Date.now();",
      'const s = "/* not a comment"; setTimeout(f, 1);',
      'const tpl = `//${x}`; Math.random();',
      "const re = /'\\/\\//; performance.now();",
      'const nested = `a ${`b ${Date.now()}`}`;',
    ].join('\n');
    expect(scan(source)).toEqual(['1: Date.now', '2: setTimeout(', '3: Math.random', '4: performance.now', '5: Date.now']);
  });

  it('does not flag look-alike names', () => {
    const source = [
      'const d = toDate(x);',
      'kernel.setTimeoutMs(5);',
      'mySetTimeout(() => {});',
      'const randomBytesCount = 3;',
      'rng.random();',
      'const updated = lastUpdate(3);',
    ].join('\n');
    expect(scan(source)).toEqual([]);
  });

  it('stripComments keeps code, line breaks and columns as they were', () => {
    const source = 'a(); // x\n/* y\n z */b();';
    const stripped = stripComments(source);
    expect(stripped.length).toBe(source.length);
    expect(stripped.split('\n')).toEqual(['a();     ', '    ', '     b();']);
  });

  it('allows setImmediate (and only setImmediate) in src/sim/macrotask.ts', () => {
    expect(scan('setImmediate(cb);', 'src/sim/macrotask.ts')).toEqual([]);
    expect(scan('setImmediate(cb); setTimeout(cb, 0);', 'src/sim/macrotask.ts')).toEqual(['1: setTimeout(']);
    expect(scan('setImmediate(cb);', 'src/sim/kernel.ts')).toEqual(['1: setImmediate(']);
  });

  it('allows performance.now (and only that) in src/cli/wall-clock.ts, for the progress rate of a sweep', () => {
    expect(scan('performance.now();', 'src/cli/wall-clock.ts')).toEqual([]);
    expect(scan('performance.now(); Date.now();', 'src/cli/wall-clock.ts')).toEqual(['1: Date.now']);
    expect(scan('performance.now();', 'src/cli/main.ts')).toEqual(['1: performance.now']);
  });

  it('allows real time (not ambient randomness) under src/real/ and in src/gateway/pacing.ts, and nothing elsewhere in src/gateway/', () => {
    const source = 'Date.now(); setTimeout(f, 1); Math.random();';
    expect(scan(source, 'src/real/socket.ts')).toEqual(['1: Math.random']);
    expect(scan(source, 'src/real/nested/clock.ts')).toEqual(['1: Math.random']);
    expect(scan(source, 'src/gateway/pacing.ts')).toEqual(['1: Math.random']);
    expect(scan('crypto.randomUUID();', 'src/real/ids.ts')).not.toEqual([]);
    expect(scan(source, 'src/gateway/server.ts')).toEqual(['1: Date.now', '1: setTimeout(', '1: Math.random']);
    expect(scan(source, 'lessons/01-intro.ts')).toHaveLength(3);
    expect(allowedTokens('src/realistic.ts')).toEqual(new Set());
  });

  it('formats findings as file:line: token, one a line', () => {
    const findings = scanSource('lessons/02-x.ts', 'const a = 1;\nconst t = Date.now();');
    expect(formatFindings(findings)).toBe('lessons/02-x.ts:2: Date.now');
  });
});
