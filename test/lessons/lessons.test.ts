/**
 * Every lesson, headless: its claims hold (a false claim throws), the same seed prints the same
 * bytes, and another seed still satisfies the claims unless the lesson says which outcomes vary.
 */
import { describe, expect, it } from 'vitest';
import { lessonFiles, loadLesson as load } from '../../lessons/lib/catalog.ts';
import { runLesson } from '../../lessons/lib/lesson-kit.ts';

const files = lessonFiles();

describe('lessons', () => {
  it('are numbered from 00 without gaps, and their ids match their file names', async () => {
    const ids = files.map((file) => file.slice(0, 2));
    expect(ids).toEqual(ids.map((_, i) => String(i).padStart(2, '0')));
    for (const file of files) expect((await load(file)).id).toBe(file.slice(0, 2));
  });

  for (const file of files) {
    describe(file, () => {
      it('makes claims that hold, ends with "What you saw", and prints the same bytes for the same seed', async () => {
        const lesson = await load(file);
        const first = await runLesson(lesson);
        expect(first.claims.length).toBeGreaterThan(0);
        expect(first.claims.every((claim) => claim.holds)).toBe(true);
        const closing = first.output.slice(first.output.lastIndexOf('== What you saw =='));
        const points = closing.split('\n').filter((line) => line.startsWith('- '));
        expect(points.length).toBeGreaterThanOrEqual(3);
        expect(points.length).toBeLessThanOrEqual(6);
        const second = await runLesson(lesson);
        expect(second.output).toBe(first.output);
        expect(second.digest).toBe(first.digest);
      });

      it('holds its claims with another seed, or declares what varies', async () => {
        const lesson = await load(file);
        for (const seed of [lesson.defaultSeed + 1, lesson.defaultSeed + 1000]) {
          try {
            const report = await runLesson(lesson, { seed });
            expect(report.claims.every((claim) => claim.holds)).toBe(true);
          } catch (error) {
            // A lesson whose outcome depends on the seed says so; its claims may then fail.
            if (lesson.seedSpecific === undefined) throw error;
          }
        }
      });
    });
  }
});
