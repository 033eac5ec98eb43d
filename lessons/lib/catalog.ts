/**
 * The lessons on disk (`lessons/NN-*.ts`) and the command that lists or runs them:
 * `npm run lesson -- NN [--seed N] [--step] [--json] [--broker host:port[,host:port]]` and
 * `npx kafkasim lesson NN ...`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { lessonMain, type Lesson } from './lesson-kit.ts';

const directory = fileURLToPath(new URL('..', import.meta.url));

/** Lesson files in order: `00-...ts`, `01-...ts`, ... */
export function lessonFiles(): string[] {
  return readdirSync(directory)
    .filter((name) => /^\d\d-.+\.ts$/.test(name))
    .sort();
}

export async function loadLesson(file: string): Promise<Lesson> {
  const module = (await import(pathToFileURL(join(directory, file)).href)) as { lesson: Lesson };
  return module.lesson;
}

/** The file of lesson `id` ("1" or "01"), if there is one. */
export function findLessonFile(id: string): string | undefined {
  const wanted = id.padStart(2, '0');
  return lessonFiles().find((name) => name.startsWith(`${wanted}-`));
}

/** Without a lesson number: the list. With one: runs that lesson with the remaining options. */
export async function lessonCommand(argv: readonly string[], write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const files = lessonFiles();
  const [id, ...rest] = argv;
  if (id === undefined || id.startsWith('-')) {
    write('Lessons (npm run lesson -- NN [--seed N] [--step] [--json] [--broker host:port[,host:port]]):');
    for (const file of files) {
      const lesson = await loadLesson(file);
      write(`  ${lesson.id}  ${lesson.title}: ${lesson.summary}`);
    }
    return;
  }
  const file = findLessonFile(id);
  if (file === undefined) {
    process.stderr.write(`no lesson ${JSON.stringify(id)}; lessons: ${files.map((f) => f.slice(0, 2)).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  await lessonMain(await loadLesson(file), rest);
}
