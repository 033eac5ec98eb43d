/**
 * Lesson 10 on a real broker (kafkasim's gateway): the article's loop, the burst and the full
 * queue run and hold their claims, the timing claims and the leader crash are skipped, saying
 * why, and the facts that should match the simulator's do on a fresh gateway.
 */
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/10-async-producer.ts';
import { expectSkipped, runOnFreshGateway } from './support/broker-lesson.ts';

describe('lesson 10 on a real broker (the gateway)', () => {
  it("holds its claims, says what it skipped and why, and its facts match the simulator's", { timeout: 60_000 }, async () => {
    const { real, wallMs, unexpected, verdict } = await runOnFreshGateway(lesson, [{ name: 'jiketest', partitions: 3, replicationFactor: 2 }]);
    expect(wallMs).toBeLessThan(15_000);
    expect(real.claims.map((c) => c.statement)).toEqual([
      'every send() returned with its message still in the queue: the caller never waited for a broker',
      'the 12 messages left in fewer requests than messages: the send thread batches what is queued',
      'with acks=0 the producer learned nothing of its 12 messages, and all of them are in the logs',
      'two full batches of batch.num.messages (200) left at once; the remainder waited in the queue',
      'with queue.enqueue.timeout.ms=0 messages were dropped, each with a QueueFullException, and every other message was acknowledged',
      'with queue.enqueue.timeout.ms=-1 nothing was dropped and every message was acknowledged: the caller waited for room instead',
    ]);
    expect(real.claims.every((c) => c.holds)).toBe(true);
    expectSkipped(real, [
      'the claim that messages waited in the queue up to queue.buffering.max.ms',
      'the claim that the remainder left queue.buffering.max.ms',
      'the slow network of step 4',
      'the leader crash of step 5',
    ]);
    expect(real.output).toContain('== What you saw ==');
    expect(unexpected).toEqual([]);
    expect(verdict('burst: left at once (2 x batch.num.messages)')).toBe('same');
    expect(verdict('article loop: messages in the logs')).toBe('same');
    expect(verdict('acks=0 through a leader crash: lost silently')).toBe('not compared');
  });
});
