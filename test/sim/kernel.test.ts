import { describe, expect, it } from 'vitest';
import {
  DeadlockError,
  EventFailedError,
  IdleBeforeConditionError,
  InvalidArgumentError,
  Kernel,
  StepLimitError,
  TaskFailedError,
  UnknownNameError,
  type Task,
  type TaskOutcome,
} from '../../src/sim/index.ts';
import { rejectionOf, thrownBy } from './support.ts';

function kernel(): Kernel {
  return new Kernel({ seed: 1, trace: 'full' });
}

/** What a task waits on, as text (a future's label or a description). */
function waitLabel(task: Task): string | undefined {
  const on: unknown = task.waitingOn;
  if (on === undefined || typeof on === 'string') return on;
  return (on as { label: string }).label;
}

/** A timer that fires every `periodMs` forever, counting its firings. */
function ticker(k: Kernel, periodMs: number): { count: number } {
  const state = { count: 0 };
  const tick = () => {
    state.count++;
    k.schedule(periodMs, tick);
  };
  k.schedule(periodMs, tick);
  return state;
}

describe('Kernel scheduler', () => {
  it('runs events in order of virtual time, and events due at the same time in the order they were scheduled', async () => {
    const k = kernel();
    const log: string[] = [];
    const at = (t: number, name: string) => k.schedule(t, () => log.push(`${name}@${k.nowMs}`));
    at(5, 'a');
    at(1, 'b');
    at(5, 'c');
    at(0, 'd');
    at(1, 'e');
    await k.runUntilIdle();
    expect(log).toEqual(['d@0', 'b@1', 'e@1', 'a@5', 'c@5']);
  });

  it('runs an event scheduled for "now" from inside an event after the events already due at that time', async () => {
    const k = kernel();
    const log: string[] = [];
    k.schedule(5, () => {
      log.push('first');
      k.schedule(0, () => log.push(`nested@${k.nowMs}`));
    });
    k.schedule(5, () => log.push('second'));
    await k.runUntilIdle();
    expect(log).toEqual(['first', 'second', 'nested@5']);
  });

  it('scheduleAt runs the event at the given absolute virtual time', async () => {
    const k = kernel();
    const times: number[] = [];
    await k.runFor(7);
    const timer = k.scheduleAt(12, () => times.push(k.nowMs));
    expect(timer.timeMs).toBe(12);
    k.scheduleAt(7, () => times.push(k.nowMs)); // "now" is allowed
    await k.runUntilIdle();
    expect(times).toEqual([7, 12]);
  });

  it('a cancelled timer never runs, and cancelling a timer that already ran has no effect', async () => {
    const k = kernel();
    const log: string[] = [];
    const cancelled = k.schedule(10, () => log.push('cancelled'));
    const ran = k.schedule(5, () => log.push('ran'));
    k.schedule(20, () => log.push('last'));
    cancelled.cancel();
    await k.runFor(5);
    ran.cancel();
    await k.runUntilIdle();
    expect(log).toEqual(['ran', 'last']);
    expect(k.nowMs).toBe(20);
  });

  it('skipping a cancelled timer costs no step', async () => {
    const k = kernel();
    k.schedule(10, () => {}).cancel();
    k.schedule(20, () => {});
    await k.runUntilIdle();
    expect(k.currentStep).toBe(1);
  });

  it('step() runs exactly one event, moves the clock to its due time, and returns false once nothing is scheduled', async () => {
    const k = kernel();
    const log: number[] = [];
    k.schedule(3, () => log.push(3));
    k.schedule(8, () => log.push(8));
    expect(await k.step()).toBe(true);
    expect(log).toEqual([3]);
    expect(k.nowMs).toBe(3);
    expect(k.currentStep).toBe(1);
    expect(await k.step()).toBe(true);
    expect(log).toEqual([3, 8]);
    expect(k.nowMs).toBe(8);
    expect(await k.step()).toBe(false);
    expect(k.nowMs).toBe(8);
    expect(k.currentStep).toBe(2);
  });

  it('runFor(ms) runs every event due up to and including now+ms, leaves later ones queued, and ends with the clock at exactly now+ms', async () => {
    const k = kernel();
    const log: number[] = [];
    for (const t of [10, 20, 21]) k.schedule(t, () => log.push(k.nowMs));
    await k.runFor(20);
    expect(log).toEqual([10, 20]);
    expect(k.nowMs).toBe(20);
    expect(k.pendingEvents).toBe(1);
    await k.runFor(5);
    expect(log).toEqual([10, 20, 21]);
    expect(k.nowMs).toBe(25);
  });

  it('runFor on an empty queue only moves the clock', async () => {
    const k = kernel();
    await k.runFor(1234);
    expect(k.nowMs).toBe(1234);
    expect(k.currentStep).toBe(0);
    await k.runFor(0);
    expect(k.nowMs).toBe(1234);
  });

  it('runFor runs events that events scheduled for the end time itself', async () => {
    const k = kernel();
    const log: number[] = [];
    k.schedule(10, () => k.schedule(0, () => log.push(k.nowMs)));
    await k.runFor(10);
    expect(log).toEqual([10]);
  });

  it('runUntil checks the predicate before the first step: no step runs if it already holds', async () => {
    const k = kernel();
    const t = ticker(k, 10);
    await k.runUntil(() => true);
    expect(t.count).toBe(0);
    expect(k.currentStep).toBe(0);
  });

  it('runUntil stops right after the first step after which the predicate holds', async () => {
    const k = kernel();
    const t = ticker(k, 10);
    await k.runUntil(() => t.count === 3);
    expect(k.nowMs).toBe(30);
    expect(k.currentStep).toBe(3);
  });

  it('runUntil succeeds when the predicate holds after exactly maxSteps steps', async () => {
    const k = kernel();
    const t = ticker(k, 10);
    await k.runUntil(() => t.count === 4, { maxSteps: 4 });
    expect(k.currentStep).toBe(4);
  });

  it('runUntil rejects with StepLimitError after maxSteps steps without the predicate holding', async () => {
    const k = kernel();
    const t = ticker(k, 10);
    const error = await rejectionOf(k.runUntil(() => false, { maxSteps: 5, description: 'the leader election' }));
    expect(error).toBeInstanceOf(StepLimitError);
    expect((error as StepLimitError).maxSteps).toBe(5);
    expect((error as StepLimitError).timeMs).toBe(50);
    expect((error as Error).message).toBe('the leader election did not happen within 5 steps (virtual time 50 ms)');
    expect(t.count).toBe(5);
  });

  it('runUntil without a description names "the condition" in its StepLimitError', async () => {
    const k = kernel();
    ticker(k, 1);
    const error = await rejectionOf(k.runUntil(() => false, { maxSteps: 2 }));
    expect((error as Error).message).toBe('the condition did not happen within 2 steps (virtual time 2 ms)');
  });

  it('runUntil rejects with IdleBeforeConditionError when the queue empties before the predicate holds', async () => {
    const k = kernel();
    k.schedule(7, () => {});
    const error = await rejectionOf(k.runUntil(() => false));
    expect(error).toBeInstanceOf(IdleBeforeConditionError);
    expect((error as IdleBeforeConditionError).timeMs).toBe(7);
    expect((error as Error).message).toBe('the simulation became idle at 7 ms before the condition held');
  });

  it('runUntilIdle runs every event and leaves the clock at the last one', async () => {
    const k = kernel();
    let n = 0;
    const chain = () => {
      if (++n < 5) k.schedule(3, chain);
    };
    k.schedule(3, chain);
    await k.runUntilIdle();
    expect(n).toBe(5);
    expect(k.nowMs).toBe(15);
    expect(k.pendingEvents).toBe(0);
  });

  it('runUntilIdle rejects with StepLimitError when a timer reschedules itself forever', async () => {
    const k = kernel();
    ticker(k, 10);
    const error = await rejectionOf(k.runUntilIdle({ maxSteps: 100 }));
    expect(error).toBeInstanceOf(StepLimitError);
    expect((error as Error).message).toBe('idleness did not happen within 100 steps (virtual time 1000 ms)');
  });

  // BUG (kernel.ts runUntilIdle): the step budget is checked before the idle check, so a run that
  // becomes idle after exactly maxSteps steps is reported as over budget. runUntil gets this right.
  it('runUntilIdle({ maxSteps: n }) succeeds when exactly n steps empty the queue', async () => {
    const k = kernel();
    k.schedule(1, () => {});
    k.schedule(2, () => {});
    await k.runUntilIdle({ maxSteps: 2 });
    expect(k.currentStep).toBe(2);
    expect(k.nowMs).toBe(2);
  });

  it('a run call made while a step is running is refused', async () => {
    const k = kernel();
    const errors: unknown[] = [];
    k.spawn('nested', async () => {
      errors.push(await rejectionOf(k.runFor(1)));
    });
    await k.runUntilIdle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(InvalidArgumentError);
    expect((errors[0] as Error).message).toBe(
      'run call must be made from outside the simulation (not from a task or an event), got "a run call inside a step"',
    );
  });
});

describe('Kernel tasks', () => {
  it('a spawned task first runs at the next step, at the current virtual time', async () => {
    const k = kernel();
    await k.runFor(40);
    const log: string[] = [];
    const task = k.spawn('starter', async () => {
      log.push(`start@${k.nowMs} current=${k.current?.name}`);
    });
    expect(log).toEqual([]);
    expect(task.state).toBe('ready');
    expect(await k.step()).toBe(true);
    expect(log).toEqual(['start@40 current=starter']);
    expect(task.state).toBe('done');
    expect(k.current).toBeUndefined();
    expect(k.currentStep).toBe(1);
  });

  it('sleep(ms) resumes the task after exactly ms of virtual time', async () => {
    const k = kernel();
    const log: number[] = [];
    k.spawn('sleeper', async () => {
      await k.sleep(25);
      log.push(k.nowMs);
      await k.sleep(0);
      log.push(k.nowMs);
      await k.sleep(1);
      log.push(k.nowMs);
    });
    await k.runUntilIdle();
    expect(log).toEqual([25, 25, 26]);
  });

  it('a waiting task reports what it waits on', async () => {
    const k = kernel();
    const task = k.spawn('sleeper', async () => {
      await k.sleep(25);
    });
    await k.step();
    expect(task.state).toBe('waiting');
    expect(waitLabel(task)).toBe('sleep 25 ms');
    expect(k.liveTasks()).toEqual([task]);
    await k.runUntilIdle();
    expect(task.state).toBe('done');
    expect(waitLabel(task)).toBeUndefined();
    expect(k.liveTasks()).toEqual([]);
  });

  it('several tasks interleave deterministically: wake-ups due at the same time run in the order they were scheduled', async () => {
    const run = async () => {
      const k = kernel();
      const log: string[] = [];
      k.spawn('t1', async () => {
        for (let i = 0; i < 3; i++) {
          await k.sleep(10);
          log.push(`t1@${k.nowMs}`);
        }
      });
      k.spawn('t2', async () => {
        for (let i = 0; i < 2; i++) {
          await k.sleep(15);
          log.push(`t2@${k.nowMs}`);
        }
      });
      await k.runUntilIdle();
      return log;
    };
    // At 30 ms t2's sleep (scheduled at 15 ms) comes before t1's (scheduled at 20 ms).
    const expected = ['t1@10', 't2@15', 't1@20', 't2@30', 't1@30'];
    expect(await run()).toEqual(expected);
    expect(await run()).toEqual(expected);
  });

  it('runs one task at a time: each runs until it waits before the next one starts', async () => {
    const k = kernel();
    const log: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      k.spawn(name, async () => {
        log.push(`${name}1`);
        await k.sleep(0);
        log.push(`${name}2`);
        await Promise.resolve(); // a plain microtask hop does not let another task in
        log.push(`${name}3`);
      });
    }
    await k.runUntilIdle();
    expect(log).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'b2', 'b3', 'c2', 'c3']);
  });

  it('a task awaiting a kernel future resumes in the step of the event that resolves it, with its value', async () => {
    const k = kernel();
    const f = k.future<number>('the answer');
    const log: string[] = [];
    k.spawn('waiter', async () => {
      const value = await f;
      log.push(`got ${value} at ${k.nowMs} in step ${k.currentStep}`);
    });
    k.schedule(30, () => {
      log.push(`resolve in step ${k.currentStep}`);
      f.resolve(42);
    });
    await k.runUntilIdle();
    expect(log).toEqual(['resolve in step 2', 'got 42 at 30 in step 2']);
  });

  it('a rejected kernel future throws its error into the awaiting task', async () => {
    const k = kernel();
    const f = k.future<number>('a reply');
    const caught: unknown[] = [];
    k.spawn('waiter', async () => {
      try {
        await f;
      } catch (error) {
        caught.push(error);
      }
    });
    const cause = new Error('no reply');
    k.schedule(5, () => f.reject(cause));
    await k.runUntilIdle();
    expect(caught).toEqual([cause]);
  });

  it('awaiting an already resolved future continues in the same step', async () => {
    const k = kernel();
    const f = k.future<string>();
    f.resolve('ready');
    const log: string[] = [];
    k.spawn('waiter', async () => {
      log.push(`${await f} in step ${k.currentStep}`);
    });
    await k.runUntilIdle();
    expect(log).toEqual(['ready in step 1']);
  });

  it('Promise.all over kernel futures resumes once the last one resolves, at its virtual time', async () => {
    const k = kernel();
    const reply = k.future<string>('reply');
    k.schedule(5, () => reply.resolve('pong'));
    const log: string[] = [];
    k.spawn('gather', async () => {
      const [, value] = await Promise.all([k.sleep(3), reply, k.sleep(7)]);
      log.push(`${value}@${k.nowMs}`);
      await k.sleep(1); // still a kernel task afterwards
      log.push(`after@${k.nowMs}`);
    });
    await k.runUntilIdle();
    expect(log).toEqual(['pong@7', 'after@8']);
  });

  it('a task awaiting a plain Promise resolved by an event resumes at that virtual time (the watchdog path)', async () => {
    const k = kernel();
    const log: string[] = [];
    let release!: (value: string) => void;
    const plain = new Promise<string>((resolve) => (release = resolve));
    const task = k.spawn('foreign', async () => {
      log.push(`got ${await plain}@${k.nowMs}`);
    });
    k.schedule(10, () => release('x'));
    await k.step(); // the task runs and waits on a promise the kernel does not drive
    expect(task.state).toBe('waiting');
    expect(waitLabel(task)).toBe('a promise the kernel does not drive');
    await k.runFor(20);
    expect(log).toEqual(['got x@10']);
    expect(task.state).toBe('done');
  });

  it('after a plain Promise resumes it, the task is still a kernel task: it sleeps in virtual time and finishes', async () => {
    const k = kernel();
    const log: string[] = [];
    let release!: () => void;
    const plain = new Promise<void>((resolve) => (release = resolve));
    k.spawn('foreign', async () => {
      await plain;
      log.push(`resumed@${k.nowMs} as ${k.current?.name}`);
      await k.sleep(5);
      log.push(`slept@${k.nowMs} as ${k.current?.name}`);
    });
    k.schedule(10, () => release());
    await k.runUntilIdle();
    expect(log).toEqual(['resumed@10 as foreign', 'slept@15 as foreign']);
  });

  it('after a plain Promise resumes it, a task keeps its node: a pause of that node delays its next sleep', async () => {
    const k = kernel();
    k.addNode('a');
    const log: string[] = [];
    let release!: () => void;
    const plain = new Promise<void>((resolve) => (release = resolve));
    k.spawn('foreign', async () => {
      await plain;
      await k.sleep(5);
      log.push(`slept@${k.nowMs}`);
    }, { node: 'a' });
    k.schedule(10, () => release());
    k.schedule(12, () => k.pauseNode('a'));
    k.schedule(40, () => k.resumeNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual(['slept@40']);
  });

  // Documented limitation (kernel.ts, drainForeign): the kernel knows which task runs by the
  // future it woke. Two tasks blocked on plain promises that one event releases resume in the same
  // microtask turns, so the kernel cannot tell them apart: both still run to completion, in a
  // deterministic order, but their next waits are not attributed to them (a pause of their node
  // does not delay them). Tasks that hand work to each other should use kernel futures.
  it('two tasks released from plain promises by one event both complete, deterministically, without task identity', async () => {
    const run = async () => {
      const k = kernel();
      const log: string[] = [];
      const releases: Array<() => void> = [];
      for (const name of ['T0', 'T1']) {
        k.addNode(name);
        const plain = new Promise<void>((resolve) => releases.push(resolve));
        k.spawn(name, async () => {
          await plain;
          log.push(`${name} resumed@${k.nowMs}`);
          await k.sleep(5);
          log.push(`${name} slept@${k.nowMs}`);
        }, { node: name });
      }
      k.schedule(10, () => releases.forEach((release) => release()));
      await k.runUntilIdle();
      return log;
    };
    const first = await run();
    expect(first).toEqual(['T0 resumed@10', 'T1 resumed@10', 'T0 slept@15', 'T1 slept@15']);
    expect(await run()).toEqual(first);
  });

  it('one task released from a plain promise by an event keeps its identity and its node', async () => {
    const k = kernel();
    k.addNode('T0');
    const log: string[] = [];
    let release!: () => void;
    const plain = new Promise<void>((resolve) => (release = resolve));
    k.spawn('T0', async () => {
      await plain;
      log.push(`resumed@${k.nowMs} as ${k.current?.name}`);
      await k.sleep(5);
      log.push(`slept@${k.nowMs} as ${k.current?.name}`);
    }, { node: 'T0' });
    k.schedule(10, () => release());
    k.schedule(12, () => k.pauseNode('T0'));
    k.schedule(40, () => k.resumeNode('T0'));
    await k.runUntilIdle();
    expect(log).toEqual(['resumed@10 as T0', 'slept@40 as T0']);
  });

  // BUG (kernel.ts drainWakes, QUIET_TICKS): the kernel waits at most 16 microtask turns for a
  // woken task to wait again, then assumes it was not resumed and moves on. A task whose code
  // between two kernel waits takes more turns (a chain of ordinary async helpers) is overtaken by
  // the next task, loses `kernel.current`, and its next wait is adopted by a synthetic task that
  // does not belong to its node (so a pause of its node no longer delays it).
  it('a task that takes many microtask turns before it waits again still runs alone and keeps its node', async () => {
    const k = kernel();
    k.addNode('a');
    k.addNode('b');
    const log: string[] = [];
    const helpers = async (depth: number): Promise<void> => {
      if (depth === 0) return;
      await Promise.resolve();
      await helpers(depth - 1);
    };
    k.spawn('busy', async () => {
      await k.sleep(0);
      await helpers(40);
      log.push(`busy done as ${k.current?.name}`);
      await k.sleep(10);
      log.push(`busy woke@${k.nowMs}`);
    }, { node: 'a' });
    k.spawn('other', async () => {
      await k.sleep(0);
      log.push('other ran');
    }, { node: 'b' });
    k.schedule(5, () => k.pauseNode('a'));
    k.schedule(50, () => k.resumeNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual(['busy done as busy', 'other ran', 'busy woke@50']);
  });

  it('a task that throws makes the run call reject with TaskFailedError naming the task', async () => {
    const k = kernel();
    const cause = new Error('boom');
    const task = k.spawn('worker', async () => {
      await k.sleep(10);
      throw cause;
    });
    const error = await rejectionOf(k.runUntilIdle());
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).task).toBe('worker');
    expect((error as TaskFailedError).timeMs).toBe(10);
    expect((error as Error).message).toBe('task "worker" failed at 10 ms: boom');
    expect((error as Error).cause).toBe(cause);
    expect(task.state).toBe('failed');
    expect(task.done.outcome).toEqual({ ok: true, value: { status: 'failed', error: cause } });
    expect(k.trace.records.filter((r) => r.kind === 'task.failed')).toEqual([
      { step: 2, timeMs: 10, node: 'kernel', kind: 'task.failed', data: { task: 'worker', error: 'task "worker" failed at 10 ms: boom' }, text: 'task "worker" failed at 10 ms: boom' },
    ]);
  });

  it('a task body that throws synchronously fails the same way', async () => {
    const k = kernel();
    k.spawn('sync', () => {
      throw new Error('at once');
    });
    const error = await rejectionOf(k.runFor(5));
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as Error).message).toBe('task "sync" failed at 0 ms: at once');
  });

  it("with onError 'record' a failing task does not fail the run; its done future reports the error", async () => {
    const k = kernel();
    const other: number[] = [];
    const failing = k.spawn(
      'fragile',
      async () => {
        await k.sleep(1);
        throw new Error('recorded');
      },
      { onError: 'record' },
    );
    k.spawn('steady', async () => {
      await k.sleep(5);
      other.push(k.nowMs);
    });
    await k.runUntilIdle();
    expect(other).toEqual([5]);
    const outcome = failing.done.outcome;
    expect(outcome?.ok).toBe(true);
    const value = (outcome as { value: TaskOutcome }).value;
    expect(value.status).toBe('failed');
    expect(((value as { error: Error }).error).message).toBe('recorded');
    expect(k.trace.records.map((r) => r.kind)).toEqual(['task.failed']);
  });

  it('done resolves with status done when the task returns, and other tasks can await it', async () => {
    const k = kernel();
    const child = k.spawn('child', async () => {
      await k.sleep(12);
    });
    const log: string[] = [];
    k.spawn('parent', async () => {
      const outcome = await child.done;
      log.push(`${outcome.status}@${k.nowMs}`);
    });
    await k.runUntilIdle();
    expect(log).toEqual(['done@12']);
  });

  it('a task spawned from a task runs on its parent node by default', async () => {
    const k = kernel();
    k.addNode('a');
    const nodes: Array<string | undefined> = [];
    k.spawn(
      'parent',
      async () => {
        k.spawn('child', async () => {
          nodes.push(k.current?.node?.name);
        });
      },
      { node: 'a' },
    );
    await k.runUntilIdle();
    expect(nodes).toEqual(['a']);
  });
});

describe('Kernel deadlock detection', () => {
  it('when every task waits and nothing is scheduled, runUntilIdle rejects with DeadlockError naming the waiting tasks', async () => {
    const k = kernel();
    k.spawn('alpha', async () => {
      await k.future('the leader');
    });
    k.spawn('beta', async () => {
      await k.sleep(4);
      await k.future('a reply from alpha');
    });
    const error = await rejectionOf(k.runUntilIdle());
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waitingTasks).toEqual(['alpha (the leader)', 'beta (a reply from alpha)']);
    expect((error as DeadlockError).timeMs).toBe(4);
    expect((error as Error).message).toBe(
      'deadlock at 4 ms: every task waits and no event is scheduled; waiting: alpha (the leader), beta (a reply from alpha)',
    );
  });

  it('runFor reports a deadlock once the queue is empty and a task still waits', async () => {
    const k = kernel();
    k.spawn('stuck', async () => {
      await k.future('never');
    });
    const error = await rejectionOf(k.runFor(100));
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waitingTasks).toEqual(['stuck (never)']);
  });

  it('runUntil reports a deadlock (not idleness) when a task still waits', async () => {
    const k = kernel();
    k.spawn('stuck', async () => {
      await k.future('never');
    });
    const error = await rejectionOf(k.runUntil(() => false));
    expect(error).toBeInstanceOf(DeadlockError);
  });

  it('a task waiting while events remain scheduled beyond the run window is not a deadlock', async () => {
    const k = kernel();
    const task = k.spawn('patient', async () => {
      await k.sleep(1000);
    });
    await k.runFor(100);
    expect(task.state).toBe('waiting');
    expect(k.nowMs).toBe(100);
  });

  it('a task waiting on a plain promise nobody resolves is reported as a deadlock', async () => {
    const k = kernel();
    k.spawn('foreign', async () => {
      await new Promise<void>(() => {});
    });
    const error = await rejectionOf(k.runUntilIdle());
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waitingTasks).toEqual(['foreign (a promise the kernel does not drive)']);
  });
});

describe('Kernel nodes: pause, resume, kill', () => {
  it('events of a paused node wait until it resumes, then run in due order at the resume time', async () => {
    const k = kernel();
    k.addNode('a');
    k.addNode('b');
    const log: string[] = [];
    k.pauseNode('a');
    k.schedule(10, () => log.push(`a1@${k.nowMs}`), { node: 'a' });
    k.schedule(20, () => log.push(`a2@${k.nowMs}`), { node: 'a' });
    k.schedule(15, () => log.push(`b@${k.nowMs}`), { node: 'b' });
    k.schedule(30, () => k.resumeNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual(['b@15', 'a1@30', 'a2@30']);
    expect(k.node('a').paused).toBe(false);
  });

  it('an event set aside on a paused node can still be cancelled, before and after the resume requeues it', async () => {
    const k = kernel();
    k.addNode('a');
    const log: string[] = [];
    k.pauseNode('a');
    const whilePaused = k.schedule(10, () => log.push('cancelled while paused'), { node: 'a' });
    const afterResume = k.schedule(10, () => log.push('cancelled after the resume'), { node: 'a' });
    k.schedule(10, () => log.push(`kept@${k.nowMs}`), { node: 'a' });
    await k.runFor(20);
    whilePaused.cancel();
    k.resumeNode('a');
    afterResume.cancel();
    await k.runUntilIdle();
    expect(log).toEqual(['kept@20']);
  });

  it('a task of a paused node wakes from its sleep only once the node resumes', async () => {
    const k = kernel();
    k.addNode('a');
    const log: number[] = [];
    k.spawn(
      'sleeper',
      async () => {
        await k.sleep(10);
        log.push(k.nowMs);
      },
      { node: 'a' },
    );
    k.schedule(5, () => k.pauseNode('a'));
    k.schedule(25, () => k.resumeNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual([25]);
  });

  it('a task of a paused node whose future another node resolves wakes only once its node resumes', async () => {
    const k = kernel();
    k.addNode('a');
    const f = k.future<string>('a message');
    const log: string[] = [];
    k.spawn(
      'reader',
      async () => {
        log.push(`${await f}@${k.nowMs}`);
      },
      { node: 'a' },
    );
    await k.step();
    k.pauseNode('a');
    k.schedule(10, () => f.resolve('hi'));
    k.schedule(40, () => k.resumeNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual(['hi@40']);
  });

  // BUG (kernel.ts resumeNode + drainWakes/nextLiveEvent): a deferred event is re-enqueued at the
  // resume time, but a deferred task wake-up is pushed straight onto the ready list, so it runs in
  // the resume step, before events of the same node that came due earlier.
  it('an event and a task wake-up that came due while the node was paused run in due order after resume', async () => {
    const k = kernel();
    k.addNode('a');
    const f = k.future<void>('a signal');
    const log: string[] = [];
    k.spawn('reader', async () => {
      await f;
      log.push(`task@${k.nowMs}`);
    }, { node: 'a' });
    await k.step();
    k.pauseNode('a');
    k.schedule(10, () => log.push(`event@${k.nowMs}`), { node: 'a' }); // due first
    k.schedule(20, () => f.resolve()); // wakes the task second
    k.schedule(30, () => k.resumeNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual(['event@30', 'task@30']);
  });

  it('resumeNode on a node that is not paused does nothing', async () => {
    const k = kernel();
    k.addNode('a');
    const log: number[] = [];
    k.schedule(5, () => log.push(k.nowMs), { node: 'a' });
    k.resumeNode('a');
    await k.runUntilIdle();
    expect(log).toEqual([5]);
  });

  it("killNode drops the old incarnation's events for good, even after the node is revived", async () => {
    const k = kernel();
    k.addNode('a');
    const log: string[] = [];
    k.schedule(10, () => log.push('old'), { node: 'a' });
    k.schedule(5, () => k.killNode('a'));
    k.schedule(7, () => {
      k.reviveNode('a');
      k.schedule(10, () => log.push(`new@${k.nowMs}`), { node: 'a' });
    });
    await k.runUntilIdle();
    expect(log).toEqual(['new@17']);
    expect(k.node('a').incarnation).toBe(1);
    expect(k.node('a').alive).toBe(true);
  });

  it("killNode kills the node's tasks: they never resume, done reports killed, other nodes' tasks go on", async () => {
    const k = kernel();
    k.addNode('a');
    k.addNode('b');
    const log: string[] = [];
    const loop = (name: string) => async () => {
      for (;;) {
        await k.sleep(10);
        log.push(`${name}@${k.nowMs}`);
        if (k.nowMs >= 40) return;
      }
    };
    const victim = k.spawn('victim', loop('victim'), { node: 'a' });
    const survivor = k.spawn('survivor', loop('survivor'), { node: 'b' });
    k.schedule(25, () => k.killNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual(['victim@10', 'survivor@10', 'victim@20', 'survivor@20', 'survivor@30', 'survivor@40']);
    expect(victim.state).toBe('killed');
    expect(victim.done.outcome).toEqual({ ok: true, value: { status: 'killed' } });
    expect(survivor.done.outcome).toEqual({ ok: true, value: { status: 'done' } });
  });

  it('killing a paused node discards what it had deferred', async () => {
    const k = kernel();
    k.addNode('a');
    const log: string[] = [];
    k.pauseNode('a');
    k.schedule(5, () => log.push('deferred'), { node: 'a' });
    k.schedule(10, () => k.killNode('a'));
    k.schedule(11, () => k.reviveNode('a'));
    await k.runUntilIdle();
    expect(log).toEqual([]);
    expect(k.node('a').paused).toBe(false);
  });

  it('a task spawned on a revived node runs in the new incarnation', async () => {
    const k = kernel();
    k.addNode('a');
    k.killNode('a');
    k.reviveNode('a');
    const task = k.spawn('fresh', async () => {
      await k.sleep(3);
    }, { node: 'a' });
    expect(task.incarnation).toBe(1);
    await k.runUntilIdle();
    expect(task.state).toBe('done');
  });

  it('nodeNames lists nodes in the order they were added; hasNode tells whether a name is known', () => {
    const k = kernel();
    k.addNode('zk');
    k.addNode('broker-1');
    expect(k.nodeNames()).toEqual(['zk', 'broker-1']);
    expect(k.hasNode('zk')).toBe(true);
    expect(k.hasNode('broker-2')).toBe(false);
  });
});

describe('Kernel steps: act and onStep', () => {
  it('act() runs the mutation now as a step of its own and returns its result', () => {
    const k = kernel();
    const steps: number[] = [];
    k.onStep((step) => steps.push(step));
    const result = k.act('set up', () => {
      k.trace.record('kernel', 'test.act', {}, 'inside act');
      return 7;
    });
    expect(result).toBe(7);
    expect(k.currentStep).toBe(1);
    expect(steps).toEqual([1]);
    expect(k.trace.records[0]?.step).toBe(1);
    expect(k.world.history?.lastStep).toBe(1);
  });

  it('act() inside an event runs the mutation in that step without creating another', async () => {
    const k = kernel();
    const steps: number[] = [];
    k.onStep((step) => steps.push(step));
    k.schedule(1, () => {
      k.act('inner', () => {});
    });
    await k.runUntilIdle();
    expect(steps).toEqual([1]);
  });

  it('act() wraps an error thrown by the mutation in EventFailedError naming the label', () => {
    const k = kernel();
    const error = thrownBy(() =>
      k.act('apply fault', () => {
        throw new Error('broken');
      }),
    );
    expect(error).toBeInstanceOf(EventFailedError);
    expect((error as Error).message).toBe('event "apply fault" on kernel failed at step 1 (0 ms): broken');
  });

  it('an event that throws makes the run call reject with EventFailedError saying where and when', async () => {
    const k = kernel();
    k.addNode('a');
    k.schedule(1, () => {});
    k.schedule(5, () => {
      throw new Error('kaput');
    }, { node: 'a', label: 'handle request' });
    const error = await rejectionOf(k.runUntilIdle());
    expect(error).toBeInstanceOf(EventFailedError);
    expect(error).toMatchObject({ step: 2, timeMs: 5, node: 'a', label: 'handle request' });
    expect((error as Error).message).toBe('event "handle request" on a failed at step 2 (5 ms): kaput');
    expect(k.trace.records.map((r) => [r.kind, r.node, r.step])).toEqual([['kernel.event.failed', 'a', 2]]);
  });

  it('onStep listeners are called after every step with its number, and stop after unsubscribing', async () => {
    const k = kernel();
    const seen: Array<[number, number]> = [];
    const unsubscribe = k.onStep((step) => seen.push([step, k.nowMs]));
    k.spawn('t', async () => {
      await k.sleep(5);
    });
    k.schedule(20, () => {});
    k.schedule(30, () => {});
    await k.runFor(20);
    unsubscribe();
    await k.runUntilIdle();
    expect(seen).toEqual([
      [1, 0],
      [2, 5],
      [3, 20],
    ]);
    expect(k.currentStep).toBe(4);
  });

  it('an onStep listener sees the state the step left (invariant checkers sit here)', async () => {
    const k = kernel();
    let counter = 0;
    const observed: number[] = [];
    k.onStep(() => observed.push(counter));
    k.schedule(1, () => (counter += 1));
    k.schedule(2, () => (counter += 10));
    await k.runUntilIdle();
    expect(observed).toEqual([1, 11]);
  });
});

describe('Kernel input checks', () => {
  const k = kernel();
  k.addNode('a');
  k.addNode('b');

  const cases: Array<[string, () => unknown, typeof InvalidArgumentError | typeof UnknownNameError, string]> = [
    ['a negative delay', () => k.schedule(-1, () => {}), InvalidArgumentError, 'delayMs must be a non-negative integer, got -1'],
    ['a fractional delay', () => k.schedule(1.5, () => {}), InvalidArgumentError, 'delayMs must be a non-negative integer, got 1.5'],
    ['a non-integer time', () => k.scheduleAt(2.25, () => {}), InvalidArgumentError, 'timeMs must be a non-negative integer, got 2.25'],
    ['a missing callback', () => k.schedule(1, undefined as unknown as () => void), InvalidArgumentError, 'run must be a function, got undefined'],
    ['an unknown node for an event', () => k.schedule(1, () => {}, { node: 'c' }), UnknownNameError, 'unknown node "c"; known: "a", "b"'],
    ['an unknown node', () => k.node('zk'), UnknownNameError, 'unknown node "zk"; known: "a", "b"'],
    ['pausing an unknown node', () => k.pauseNode('zk'), UnknownNameError, 'unknown node "zk"; known: "a", "b"'],
    ['killing an unknown node', () => k.killNode('zk'), UnknownNameError, 'unknown node "zk"; known: "a", "b"'],
    ['an empty node name', () => k.addNode(''), InvalidArgumentError, 'node name must be a non-empty string, got ""'],
    ['a node name already in use', () => k.addNode('a'), InvalidArgumentError, 'node name must be a name not already in use, got "a"'],
    ['an empty task name', () => k.spawn('', async () => {}), InvalidArgumentError, 'task name must be a non-empty string, got ""'],
    ['a task body that is not a function', () => k.spawn('t', 5 as unknown as () => void), InvalidArgumentError, 'task body must be a function, got 5'],
    ['a task on an unknown node', () => k.spawn('t', async () => {}, { node: 'x' }), UnknownNameError, 'unknown node "x"; known: "a", "b"'],
    ['a negative sleep', () => k.sleep(-5), InvalidArgumentError, 'sleep ms must be a non-negative integer, got -5'],
    ['a fractional seed', () => new Kernel({ seed: 0.5 }), InvalidArgumentError, `seed must be an integer from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, got 0.5`],
    ['an unknown trace mode', () => new Kernel({ seed: 1, trace: 'loud' as never }), InvalidArgumentError, 'trace must be one of "full", "digest", "off", got "loud"'],
  ];

  for (const [what, call, type, message] of cases) {
    it(`rejects ${what} with ${type.name}: "${message}"`, () => {
      const error = thrownBy(call);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toBe(message);
    });
  }

  // BUG (errors.ts describeValue): non-finite numbers go through JSON.stringify, which writes
  // NaN and ±Infinity as "null", so the message names a value the caller never passed.
  it('names NaN and Infinity as such in InvalidArgumentError messages (not as null)', () => {
    const nan = thrownBy(() => k.schedule(Number.NaN, () => {}));
    expect(nan).toBeInstanceOf(InvalidArgumentError);
    expect((nan as Error).message).toBe('delayMs must be a non-negative integer, got NaN');
    const inf = thrownBy(() => k.sleep(Number.POSITIVE_INFINITY));
    expect((inf as Error).message).toBe('sleep ms must be a non-negative integer, got Infinity');
  });

  it('rejects a time in the past with InvalidArgumentError naming the earliest allowed time', async () => {
    const k2 = kernel();
    await k2.runFor(5);
    const error = thrownBy(() => k2.scheduleAt(3, () => {}));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe('timeMs must be an integer ≥ 5, got 3');
  });

  it('rejects bad run-call arguments with InvalidArgumentError', async () => {
    const k2 = kernel();
    expect((await rejectionOf(k2.runFor(-1)) as Error).message).toBe('runFor ms must be a non-negative integer, got -1');
    expect((await rejectionOf(k2.runFor(0.5)) as Error).message).toBe('runFor ms must be a non-negative integer, got 0.5');
    expect((await rejectionOf(k2.runUntil(() => true, { maxSteps: 0 })) as Error).message).toBe('maxSteps must be an integer ≥ 1, got 0');
    expect((await rejectionOf(k2.runUntil('yes' as never)) as Error).message).toBe('predicate must be a function, got "yes"');
    expect((await rejectionOf(k2.runUntilIdle({ maxSteps: -3 })) as Error).message).toBe('maxSteps must be an integer ≥ 1, got -3');
    const typed = await rejectionOf(k2.runFor(-1));
    expect(typed).toBeInstanceOf(InvalidArgumentError);
    expect(typed).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'runFor ms', value: -1, allowed: 'a non-negative integer' });
  });
});
