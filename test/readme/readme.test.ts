/**
 * The README is the front door: its TypeScript examples must run as written. Each ```ts block is
 * written to a file inside the package (so `import ... from 'kafkasim'` resolves to this package) and
 * imported; the quick start's commands must name scripts package.json has.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const generated = join(root, 'test', 'readme', '.generated');

afterAll(() => rmSync(generated, { recursive: true, force: true }));

describe('README', () => {
  it('starts with the two commands of the quick start, and they exist', () => {
    expect(readme).toContain('npm install && npm run lesson -- 01\nnpm test');
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['lesson']).toBeDefined();
    expect(scripts['test']).toBeDefined();
  });

  it('lists every lesson in its table', async () => {
    const { lessonFiles, loadLesson } = await import('../../lessons/lib/catalog.ts');
    for (const file of lessonFiles()) {
      const lesson = await loadLesson(file);
      expect(readme).toContain(`| ${lesson.id} | ${lesson.title} |`);
      expect(readme).toContain(`npm run lesson -- ${lesson.id}`);
    }
  });

  it.each(blocks.map((code, index) => [index + 1, code] as const))('runs its TypeScript example %i as written', { timeout: 300_000 }, async (index, code) => {
    mkdirSync(generated, { recursive: true });
    const file = join(generated, `example-${index}.ts`);
    writeFileSync(file, code);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(pathToFileURL(file).href);
    } finally {
      log.mockRestore();
    }
  });
});
