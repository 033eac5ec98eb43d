/**
 * The determinism guard's scanner: finds wall-clock, real-timer and ambient-randomness calls in
 * TypeScript source, outside comments (DESIGN.md §3). Strings are scanned too (a forbidden name
 * in a string is rare and cheap to move), but string and regex contents never start a comment.
 */

export interface ForbiddenToken {
  /** The token as reported. */
  readonly token: string;
  readonly pattern: RegExp;
}

export const FORBIDDEN: readonly ForbiddenToken[] = [
  { token: 'Math.random', pattern: /\bMath\s*\.\s*random\b/g },
  { token: 'Date.now', pattern: /\bDate\s*\.\s*now\b/g },
  { token: 'new Date(', pattern: /\bnew\s+Date\s*\(/g },
  { token: 'Date(', pattern: /(?<!\bnew\s+)(?<![\w$])Date\s*\(/g },
  { token: 'performance.now', pattern: /\bperformance\s*\.\s*now\b/g },
  { token: 'setTimeout(', pattern: /(?<![\w$])setTimeout\s*\(/g },
  { token: 'setInterval(', pattern: /(?<![\w$])setInterval\s*\(/g },
  { token: 'setImmediate(', pattern: /(?<![\w$])setImmediate\s*\(/g },
  { token: 'crypto.random', pattern: /\bcrypto\s*\.\s*random/g },
  { token: 'randomBytes', pattern: /(?<![\w$])randomBytes\b/g },
  { token: 'randomUUID', pattern: /(?<![\w$])randomUUID\b/g },
  { token: 'getRandomValues', pattern: /(?<![\w$])getRandomValues\b/g },
];

export interface Finding {
  readonly file: string;
  readonly line: number;
  /** 1-based column, to order findings as they appear. */
  readonly column: number;
  readonly token: string;
}

/**
 * Which tokens a file may use: the named exceptions of DESIGN.md §3, each in its own module.
 * Paths are relative to the repository root, with forward slashes.
 */
export function allowedTokens(file: string): ReadonlySet<string> {
  if (file === 'src/sim/macrotask.ts') return new Set(['setImmediate(']);
  if (file === 'src/cli/wall-clock.ts') return new Set(['performance.now']);
  // The real runtime and the gateway's pacing live on real time and sockets, but even they draw
  // from seeded streams: no ambient randomness anywhere.
  if (file.startsWith('src/real/') || file === 'src/gateway/pacing.ts') return REAL_TIME;
  return new Set();
}

const AMBIENT_RANDOMNESS = new Set(['Math.random', 'crypto.random', 'randomBytes', 'randomUUID', 'getRandomValues']);
const REAL_TIME: ReadonlySet<string> = new Set(FORBIDDEN.map((f) => f.token).filter((token) => !AMBIENT_RANDOMNESS.has(token)));

/**
 * The source with every comment replaced by spaces (newlines kept, so line numbers and columns
 * stay as they were). Understands strings, template literals with `${}` nesting and regex literals
 * well enough that `//` or quotes inside them do not confuse it.
 */
export function stripComments(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  // Template literal nesting: each entry is the brace depth at which a `${` was opened.
  const templateStack: number[] = [];
  let braceDepth = 0;
  let lastSignificant = '';
  let i = 0;
  const n = source.length;

  const skipString = (quote: string): void => {
    i++;
    while (i < n && source[i] !== quote && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
    i++;
  };

  /** Scans template text from i (just after ` or }) to its end or to a `${`. */
  const skipTemplateText = (): void => {
    while (i < n) {
      const c = source[i];
      if (c === '\\') {
        i += 2;
      } else if (c === '`') {
        i++;
        return;
      } else if (c === '$' && source[i + 1] === '{') {
        i += 2;
        templateStack.push(braceDepth);
        braceDepth++;
        return;
      } else {
        i++;
      }
    }
  };

  const regexCanStart = (): boolean => lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant) || /\b(?:return|typeof|case|in|of|void|delete|throw|new|yield|await)$/.test(source.slice(Math.max(0, i - 8), i).trimEnd());

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      skipString(c);
      lastSignificant = c;
      continue;
    }
    if (c === '`') {
      i++;
      skipTemplateText();
      lastSignificant = '`';
      continue;
    }
    if (c === '/' && regexCanStart()) {
      i++;
      let inClass = false;
      while (i < n && source[i] !== '\n') {
        const r = source[i];
        if (r === '\\') {
          i += 2;
          continue;
        }
        if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        i++;
      }
      i++;
      lastSignificant = '/';
      continue;
    }
    if (c === '{') braceDepth++;
    if (c === '}') {
      braceDepth--;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
        templateStack.pop();
        i++;
        skipTemplateText();
        lastSignificant = '`';
        continue;
      }
    }
    if (!/\s/.test(c)) lastSignificant = /[\w$]/.test(c) ? 'w' : c;
    i++;
  }
  return out.join('');
}

/** Every forbidden token in `source` outside comments, minus what `file` is allowed. */
export function scanSource(file: string, source: string): Finding[] {
  const allowed = allowedTokens(file);
  const findings: Finding[] = [];
  const lines = stripComments(source).split('\n');
  lines.forEach((text, index) => {
    const onLine: Finding[] = [];
    for (const { token, pattern } of FORBIDDEN) {
      if (allowed.has(token)) continue;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        onLine.push({ file, line: index + 1, column: match.index + 1, token });
      }
    }
    findings.push(...onLine.sort((a, b) => a.column - b.column));
  });
  return findings;
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.token}`).join('\n');
}
