/**
 * Lesson 06 on a real broker (kafkasim's gateway, OS-assigned ports, jiketest with 3 partitions):
 * the partition program and the group program (coordinator mode) side by side; the leader crash
 * skipped saying why; the machine crash (the client's own process killed) run: the partition
 * program loses and repeats nothing, the group repeats what it processed since its last commit and
 * loses what was in hand but committed; the facts that should match the simulator's do.
 */
import { describe, expect, it } from 'vitest';
import { compareFacts } from '../../lessons/lib/facts.ts';
import { runLesson } from '../../lessons/lib/lesson-kit.ts';
import { lesson } from '../../lessons/06-comparing-models.ts';
import { gatewayWith, runOnBroker } from './support/broker-lesson.ts';

describe('lesson 06 on a real broker (the gateway)', () => {
  const gateway = gatewayWith(['jiketest']);

  it('the machine crash: the partition program repeats nothing, the group repeats and loses exactly what its commits say', { timeout: 120_000 }, async () => {
    const { report, wallMs } = await runOnBroker(
      lesson,
      gateway.bootstrapServers,
      [
        'the partition program restarted exactly where its file said and processed every message once',
        expect.stringMatching(/^the group resumed at the committed offsets: the \d+ message\(s\) processed since the last auto-commit were processed twice$/) as unknown as string,
        expect.stringMatching(/^the messages in a thread's hands at the crash but already committed \(.+\) were never processed, and nothing else was lost$/) as unknown as string,
      ],
      ['the leader crash and the claims about it'],
    );
    expect(report.output).toMatch(/^The machine dies at [\d,]+ ms \(the process is killed: no LeaveGroup/m);
    const simulated = await runLesson(lesson);
    const comparison = compareFacts(simulated.facts!, report.facts!);
    expect(comparison.unexpected).toEqual([]);
    for (const fact of ['partition program: duplicates / lost', 'group resumed at the committed offsets', 'group duplicates = processed since the last commit', 'group lost = in hand but already committed']) {
      expect(comparison.lines.find((l) => l.startsWith(`${fact}  `))).toMatch(/\ssame$/);
    }
    console.log(`lesson 06 on the gateway: ${wallMs} ms`);
  });
});
