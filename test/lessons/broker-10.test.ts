/**
 * Lesson 10 on a real broker (kafkasim's gateway): the article's loop, the burst and the full
 * queue run and hold their claims, the timing claims and the leader crash are skipped, saying
 * why, and the facts that should match the simulator's do on a fresh gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBrokers } from '../../lessons/lib/backend.ts';
import { compareFacts } from '../../lessons/lib/facts.ts';
import { runLesson } from '../../lessons/lib/lesson-kit.ts';
import { lesson } from '../../lessons/10-async-producer.ts';
import { startGateway, type Gateway } from '../../src/gateway/index.ts';

describe('lesson 10 on a real broker (the gateway)', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway({ brokers: 3, topics: [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }] });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it("holds its claims, says what it skipped and why, and its facts match the simulator's", { timeout: 60_000 }, async () => {
    const startMs = Date.now();
    const real = await runLesson(lesson, { backend: await connectBrokers(gateway.bootstrapServers, lesson.defaultSeed) });
    expect(Date.now() - startMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual([
      'every send() returned with its message still in the queue: the caller never waited for a broker',
      'the 12 messages left in fewer requests than messages: the send thread batches what is queued',
      'with acks=0 the producer learned nothing of its 12 messages, and all of them are in the logs',
      'two full batches of batch.num.messages (200) left at once; the remainder waited in the queue',
      'with queue.enqueue.timeout.ms=0 messages were dropped, each with a QueueFullException, and every other message was acknowledged',
      'with queue.enqueue.timeout.ms=-1 nothing was dropped and every message was acknowledged: the caller waited for room instead',
    ]);
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expect(real.run.skips).toHaveLength(4);
    for (const skipped of [
      'the claim that messages waited in the queue up to queue.buffering.max.ms',
      'the claim that the remainder left queue.buffering.max.ms',
      'the slow network of step 4',
      'the leader crash of step 5',
    ]) {
      expect(real.output).toMatch(new RegExp(`^Skipped on a real broker: ${skipped.replace(/[.()]/g, '\\$&')}[^:]*: \\S`, 'm'));
    }
    expect(real.output).toContain('== What you saw ==');

    const simulated = await runLesson(lesson);
    const { unexpected, lines } = compareFacts(simulated.facts!, real.facts!);
    expect(unexpected).toEqual([]);
    const verdict = (name: string) => lines.find((l) => l.startsWith(`${name}  `))!.trimEnd().split(/\s{2,}/).at(-1);
    expect(verdict('burst: left at once (2 x batch.num.messages)')).toBe('same');
    expect(verdict('article loop: messages in the logs')).toBe('same');
    expect(verdict('acks=0 through a leader crash: lost silently')).toBe('not compared');
  });
});
