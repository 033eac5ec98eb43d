/**
 * The facts a lesson establishes, as data: what `kafkasim compare` puts side by side for the
 * simulator and a real broker. A lesson that runs on a broker records one `LessonFacts` per run
 * (`run.recordFacts`) on either backend, with the same fact names; nothing is parsed from text.
 *
 * Each fact says how the two runs should relate: `match` facts must be equal (the client's
 * behaviour and the protocol's guarantees), the others may differ for a known reason, which
 * `compareFacts` prints once per kind.
 */
export type FactKind = 'match' | 'placement' | 'history' | 'timing';

export interface Fact {
  /** Short, stable name: the key the two runs are aligned on. */
  readonly name: string;
  /** null: not observable on this backend (say why in `note`). */
  readonly value: string | number | null;
  readonly kind: FactKind;
  readonly note?: string;
}

export interface LessonFacts {
  readonly lesson: string;
  /** 'simulator (seed N)' or 'broker host:port,...'. */
  readonly backend: string;
  readonly facts: readonly Fact[];
}

/** Why facts of each kind may differ between the simulator and a broker. */
export const EXPECTED_DIFFERENCES: Readonly<Record<Exclude<FactKind, 'match'>, string>> = {
  placement:
    'partition placement: the partition count and the leaders are the broker\'s (a broker that creates the topic on\n' +
    '  first use picks its own count); with the same count kafkasim\'s partitioner puts every key in the same partition.',
  history: 'history: a topic that already held messages on the broker shifts the offsets; the simulator starts empty.',
  timing: 'timing: the simulator\'s clock is virtual and repeats exactly; a broker runs on the wall clock over a real network.',
};

export interface FactComparison {
  readonly lines: readonly string[];
  /** `match` facts whose values differ (or that only one run observed). */
  readonly unexpected: readonly string[];
}

/** The two runs' facts side by side: one row per fact, each marked same, differs (expected: why) or DIFFERS. */
export function compareFacts(simulator: LessonFacts, broker: LessonFacts): FactComparison {
  const names = [...new Set([...simulator.facts.map((f) => f.name), ...broker.facts.map((f) => f.name)])];
  const unexpected: string[] = [];
  const kindsDiffering = new Set<Exclude<FactKind, 'match'>>();
  const notes: string[] = [];
  const rows = names.map((name) => {
    const a = simulator.facts.find((f) => f.name === name);
    const b = broker.facts.find((f) => f.name === name);
    // A fact must match only when both runs say so: a broker's run may know its conditions differ (another partition count).
    const kind = a !== undefined && b !== undefined && a.kind === 'match' ? b.kind : (a?.kind ?? b!.kind);
    const left = show(a);
    const right = show(b);
    for (const fact of [a, b]) if (fact?.value === null && fact.note !== undefined) notes.push(`${name}: ${fact.note}`);
    let verdict: string;
    if (a?.value === null || b?.value === null) verdict = 'not compared';
    else if (a !== undefined && b !== undefined && a.value === b.value) verdict = 'same';
    else if (kind === 'match') {
      verdict = 'DIFFERS';
      unexpected.push(name);
    } else {
      verdict = `differs (expected: ${kind})`;
      kindsDiffering.add(kind);
    }
    return [name, left, right, verdict];
  });
  const lines = [...renderTable(['fact', simulator.backend, broker.backend, ''], rows)];
  if (kindsDiffering.size > 0) {
    lines.push('', 'Expected differences:');
    for (const kind of ['placement', 'history', 'timing'] as const) if (kindsDiffering.has(kind)) lines.push(`- ${EXPECTED_DIFFERENCES[kind]}`);
  }
  if (notes.length > 0) {
    lines.push('', 'Not compared:');
    for (const note of notes) lines.push(`- ${note}`);
  }
  lines.push('');
  lines.push(
    unexpected.length === 0
      ? 'No difference in the facts that should match.'
      : `${unexpected.length} fact(s) that should match differ: ${unexpected.join(', ')}.`,
  );
  return { lines, unexpected };
}

function show(fact: Fact | undefined): string {
  if (fact === undefined) return '(not recorded)';
  if (fact.value === null) return '(not observed)';
  return typeof fact.value === 'number' ? fact.value.toLocaleString('en-US') : fact.value;
}

function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: readonly string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
