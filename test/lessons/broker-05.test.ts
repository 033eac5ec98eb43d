/**
 * Lesson 05 on a real broker (kafkasim's gateway, OS-assigned ports, jiketest with 3 partitions):
 * the connector in coordinator mode; consumer-a's process killed on the client side stalls its
 * partitions until the group coordinator expires its session, its uncommitted messages come twice,
 * a clean leave moves partitions at once; the ZooKeeper parts are skipped saying why, and the facts
 * that should match the simulator's do.
 */
import { describe, expect, it } from 'vitest';
import { compareFacts } from '../../lessons/lib/facts.ts';
import { runLesson } from '../../lessons/lib/lesson-kit.ts';
import { lesson } from '../../lessons/05-rebalance-and-session-timeout.ts';
import { gatewayWith, runOnBroker } from './support/broker-lesson.ts';

describe('lesson 05 on a real broker (the gateway)', () => {
  const gateway = gatewayWith(['jiketest']);

  it('a killed member stalls its partitions until its session expires; a clean leave does not; the claims hold', { timeout: 120_000 }, async () => {
    const { report, wallMs } = await runOnBroker(
      lesson,
      gateway.bootstrapServers,
      [
        "the killed consumer's partitions stalled for at least the session timeout less one heartbeat interval (5,000 ms): the coordinator dropped it only when its session expired",
        'the restarted consumer joined without any conflict and owns partitions',
        expect.stringMatching(/^the messages printed twice are exactly the \d+ printed but not committed at the crash$/) as unknown as string,
        'after a clean leave the partitions moved before a session timeout could have passed',
        expect.stringMatching(/^every one of the \d+ acknowledged messages was printed; \d+ were printed twice, the crash's$/) as unknown as string,
      ],
      ["the crash with the article's zookeeper.session.timeout.ms=40000", 'the moment the session expired'],
    );
    expect(report.output).toMatch(/^\[[\d,]+ ms\] consumer-a is killed \(kill -9\): its connections close without a LeaveGroup/m);
    const simulated = await runLesson(lesson);
    const comparison = compareFacts(simulated.facts!, report.facts!);
    expect(comparison.unexpected).toEqual([]);
    expect(comparison.lines.join('\n')).toMatch(/^printed twice = printed but not committed at the crash\s+yes\s+yes\s+same$/m);
    console.log(`lesson 05 on the gateway: ${wallMs} ms`);
  });
});
