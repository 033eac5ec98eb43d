/**
 * `npm run lesson -- NN [--seed N] [--step] [--json] [--broker host:port[,...]]`: runs lesson NN (`lessons/NN-*.ts`).
 * Without a number, lists the lessons.
 */
import { lessonCommand } from './lib/catalog.ts';

await lessonCommand(process.argv.slice(2));
