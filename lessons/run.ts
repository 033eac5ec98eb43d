/**
 * `npm run lesson -- NN [--seed N] [--step] [--json]`: runs lesson NN (`lessons/NN-*.ts`).
 * Without a number, lists the lessons.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { lessonMain, type Lesson } from './lib/lesson-kit.ts';

const directory = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(directory)
  .filter((name) => /^\d\d-.+\.ts$/.test(name))
  .sort();

async function load(file: string): Promise<Lesson> {
  const module = (await import(pathToFileURL(join(directory, file)).href)) as { lesson: Lesson };
  return module.lesson;
}

const [id, ...rest] = process.argv.slice(2);
if (id === undefined || id.startsWith('-')) {
  console.log('Lessons (npm run lesson -- NN [--seed N] [--step] [--json]):');
  for (const file of files) {
    const lesson = await load(file);
    console.log(`  ${lesson.id}  ${lesson.title}: ${lesson.summary}`);
  }
} else {
  const wanted = id.padStart(2, '0');
  const file = files.find((name) => name.startsWith(`${wanted}-`));
  if (file === undefined) {
    console.error(`no lesson ${JSON.stringify(id)}; lessons: ${files.map((f) => f.slice(0, 2)).join(', ')}`);
    process.exitCode = 2;
  } else {
    await lessonMain(await load(file), rest);
  }
}
