/**
 * Scenarios as data: `validateScenario` checks a whole scenario before anything runs and rejects
 * a bad one with a typed error naming the bad value and what is allowed; `runScenario` validates
 * first, so a bad scenario never starts a workload.
 */
import { describe, expect, it } from 'vitest';
import { memberNode, runScenario, validateScenario, type ScenarioSpec } from 'kafkasim/testing';
import { AdminOperationError } from '../../src/broker/admin/assign-replicas.ts';
import { ConfigError } from '../../src/client/errors.ts';
import { InvalidArgumentError, UnknownNameError } from '../../src/sim/errors.ts';
import { group, producer, SLOW, smallScenario } from './support.ts';

/** A scenario with a value TypeScript would refuse (as a JSON file or a JavaScript caller could hold). */
function untyped(spec: unknown): ScenarioSpec {
  return spec as ScenarioSpec;
}

function rejection(spec: ScenarioSpec): unknown {
  try {
    validateScenario(spec);
  } catch (error) {
    return error;
  }
  throw new Error('validateScenario accepted the scenario');
}

describe('validateScenario', () => {
  it('accepts a well-formed scenario (the baseline every rejection below differs from in one value)', () => {
    expect(() => validateScenario(smallScenario())).not.toThrow();
    expect(() =>
      validateScenario(
        smallScenario({
          consumers: [group({ members: 2 })],
          faults: [
            { atMs: 0, fault: { kind: 'consumer-crash', group: 'readers', member: 1 } },
            { atMs: 10, fault: { kind: 'broker-crash', broker: 2 } },
          ],
        }),
      ),
    ).not.toThrow();
  });

  describe('topics', () => {
    it('rejects a producer of a topic the cluster does not have, naming the topic and the known topics', () => {
      const error = rejection(smallScenario({ producers: [producer({ topic: 'nope' })] }));
      expect(error).toBeInstanceOf(UnknownNameError);
      const e = error as UnknownNameError;
      expect(e.value).toBe('nope');
      expect(e.known).toEqual(['events']);
      expect(e.kind).toContain('workload.producers[0].topic');
      expect(e.message).toContain('"nope"');
      expect(e.message).toContain('"events"');
    });

    it('rejects a consumer group on a topic the cluster does not have', () => {
      const error = rejection(smallScenario({ consumers: [group({ topic: 'elsewhere' })] }));
      expect(error).toBeInstanceOf(UnknownNameError);
      expect((error as UnknownNameError).value).toBe('elsewhere');
      expect((error as UnknownNameError).kind).toContain('workload.consumers[0].topic');
      expect((error as UnknownNameError).known).toEqual(['events']);
    });
  });

  describe('consumer groups', () => {
    it.each([0, 101, 1.5])('rejects %s members (a group has 1 to 100 members)', (members) => {
      const error = rejection(smallScenario({ consumers: [group({ members })] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      const e = error as InvalidArgumentError;
      expect(e.argument).toBe('workload.consumers[0].members');
      expect(e.value).toBe(members);
      expect(e.allowed).toBe('an integer from 1 to 100');
    });

    it('rejects auto.commit.enable=true with a pattern that commits by hand, and says how to fix it', () => {
      for (const semantics of ['at-most-once', 'at-least-once', 'exactly-once'] as const) {
        const error = rejection(smallScenario({ consumers: [group({ semantics, config: { 'auto.commit.enable': true } })] }));
        expect(error).toBeInstanceOf(InvalidArgumentError);
        const e = error as InvalidArgumentError;
        expect(e.argument).toContain('auto.commit.enable');
        expect(e.value).toBe(true);
        expect(e.allowed).toContain(semantics);
        expect(e.allowed).toContain("'auto-commit'");
      }
    });

    it('accepts auto.commit.enable=true with the auto-commit pattern', () => {
      expect(() => validateScenario(smallScenario({ consumers: [group({ semantics: 'auto-commit', config: { 'auto.commit.enable': true } })] }))).not.toThrow();
    });

    it('rejects a delivery pattern it does not know, listing the four it does', () => {
      const error = rejection(smallScenario({ consumers: [untyped(group({ semantics: 'twice' as never }))] as never }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      const e = error as InvalidArgumentError;
      expect(e.argument).toBe('workload.consumers[0].semantics');
      for (const known of ['auto-commit', 'at-most-once', 'at-least-once', 'exactly-once']) expect(e.allowed).toContain(known);
    });

    it('rejects a bad consumer property with a ConfigError naming the property', () => {
      const error = rejection(smallScenario({ consumers: [group({ config: { 'auto.offset.reset': 'earliest' as never } })] }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe('auto.offset.reset');
      expect((error as ConfigError).value).toBe('earliest');
      expect((error as ConfigError).allowed).toContain('smallest');
    });
  });

  describe('producers', () => {
    it("rejects request.required.acks '2' with a ConfigError naming the property and the allowed values", () => {
      const error = rejection(smallScenario({ producers: [producer({ config: { 'request.required.acks': '2' as never } })] }));
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.key).toBe('request.required.acks');
      expect(String(e.value)).toBe('2');
      expect(e.allowed).toContain('-1');
      expect(e.allowed).toContain('0');
      expect(e.allowed).toContain('1');
    });

    it('rejects a producer property Kafka does not have', () => {
      const error = rejection(smallScenario({ producers: [producer({ config: untyped({ 'acks': 'all' }) as never })] }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe('acks');
      expect((error as ConfigError).allowed).toContain('request.required.acks');
    });

    it('rejects a negative message count and unknown key modes', () => {
      const negative = rejection(smallScenario({ producers: [producer({ messages: -1 })] }));
      expect(negative).toBeInstanceOf(InvalidArgumentError);
      expect((negative as InvalidArgumentError).argument).toBe('workload.producers[0].messages');
      const keys = rejection(smallScenario({ producers: [producer({ keys: 'random' as never })] }));
      expect(keys).toBeInstanceOf(InvalidArgumentError);
      expect((keys as InvalidArgumentError).argument).toBe('workload.producers[0].keys');
      expect((keys as InvalidArgumentError).allowed).toContain('"distinct"');
    });
  });

  describe('node names', () => {
    it.each(['broker-1', 'broker-12', 'zookeeper', 'admin'])('rejects a producer named %s (a node the cluster uses)', (name) => {
      const error = rejection(smallScenario({ producers: [producer({ name })] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      const e = error as InvalidArgumentError;
      expect(e.argument).toBe('workload.producers[0].name');
      expect(e.value).toBe(name);
      expect(e.allowed).toContain('node name');
    });

    it('rejects two producers with one name', () => {
      const error = rejection(smallScenario({ producers: [producer({ name: 'p' }), producer({ name: 'p' })] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('workload.producers[1].name');
    });

    it('rejects a producer named like a group member node (<group>-<i>)', () => {
      const clash = memberNode('readers', 1);
      const error = rejection(smallScenario({ producers: [producer({ name: clash })], consumers: [group({ members: 2 })] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).value).toBe(clash);
    });

    it('rejects two groups with one name (their members would share nodes)', () => {
      const error = rejection(smallScenario({ consumers: [group(), group()] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('workload.consumers[1].group');
    });
  });

  describe('faults', () => {
    it('rejects a negative fault time, naming the fault', () => {
      const error = rejection(smallScenario({ faults: [{ atMs: 0, fault: { kind: 'heal' } }, { atMs: -5, fault: { kind: 'heal' } }] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      const e = error as InvalidArgumentError;
      expect(e.argument).toBe('faults[1].atMs');
      expect(e.value).toBe(-5);
      expect(e.allowed).toBe('a non-negative integer');
    });

    it('rejects a consumer fault naming a group the workload does not have, listing the groups it has', () => {
      const error = rejection(smallScenario({ faults: [{ atMs: 0, fault: { kind: 'consumer-crash', group: 'writers', member: 0 } }] }));
      expect(error).toBeInstanceOf(UnknownNameError);
      const e = error as UnknownNameError;
      expect(e.value).toBe('writers');
      expect(e.known).toEqual(['readers']);
      expect(e.kind).toContain('faults[0].fault.group');
    });

    it('rejects a consumer fault naming a member the group does not have, saying which members exist', () => {
      const error = rejection(
        smallScenario({ consumers: [group({ members: 2 })], faults: [{ atMs: 0, fault: { kind: 'consumer-restart', group: 'readers', member: 2 } }] }),
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      const e = error as InvalidArgumentError;
      expect(e.argument).toBe('faults[0].fault.member');
      expect(e.value).toBe(2);
      expect(e.allowed).toBe('an integer from 0 to 1');
    });

    it('rejects a fault without a kind', () => {
      const error = rejection(smallScenario({ faults: untyped([{ atMs: 0, fault: { broker: 1 } }]) as never }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('faults[0].fault');
    });
  });

  describe('the scenario as a whole', () => {
    it.each([-1, 2 ** 32, 0.5])('rejects seed %s (seeds are 32-bit unsigned integers)', (seed) => {
      const error = rejection(smallScenario({ seed }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('seed');
    });

    it('rejects a negative fault window and a drain timeout below 1 ms', () => {
      expect((rejection(smallScenario({ faultWindowMs: -1 })) as InvalidArgumentError).argument).toBe('faultWindowMs');
      expect((rejection(smallScenario({ drainTimeoutMs: 0 })) as InvalidArgumentError).argument).toBe('drainTimeoutMs');
    });

    it('rejects a cluster of 0 brokers and a scenario that is not an object', () => {
      const noBrokers = rejection(untyped({ ...smallScenario(), cluster: { brokers: 0, topics: [] } }));
      expect(noBrokers).toBeInstanceOf(InvalidArgumentError);
      expect((noBrokers as InvalidArgumentError).argument).toBe('cluster.brokers');
      expect(rejection(untyped(null))).toBeInstanceOf(InvalidArgumentError);
    });

    it('does not change the scenario it checks', () => {
      const spec = smallScenario({ faults: [{ atMs: 3, fault: { kind: 'broker-crash', broker: 1 } }] });
      const copy = structuredClone(spec);
      validateScenario(spec);
      expect(spec).toEqual(copy);
    });
  });
});

describe('runScenario rejects a bad scenario before running anything', () => {
  /** Runs `spec` and says whether the workload ever started (onStart is called just before it). */
  async function attempt(spec: ScenarioSpec): Promise<{ error: unknown; started: boolean }> {
    let started = false;
    try {
      await runScenario(spec, { onStart: () => (started = true) });
    } catch (error) {
      return { error, started };
    }
    return { error: undefined, started };
  }

  it('with the error validateScenario gives', async () => {
    const spec = smallScenario({ producers: [producer({ name: 'broker-1' })] });
    const { error, started } = await attempt(spec);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe((rejection(spec) as Error).message);
    expect(started).toBe(false);
  });

  it('rejects a replication factor above the broker count when it creates the cluster, before the workload starts', { timeout: SLOW }, async () => {
    const spec: ScenarioSpec = { ...smallScenario(), cluster: { brokers: 2, topics: [{ name: 'events', partitions: 1, replicationFactor: 3 }] } };
    const { error, started } = await attempt(spec);
    expect(error).toBeInstanceOf(AdminOperationError);
    expect((error as AdminOperationError).reason).toBe('NOT_ENOUGH_BROKERS');
    expect((error as Error).message).toContain('replication factor: 3 larger than available brokers: 2');
    expect(started).toBe(false);
  });

  it('rejects a simulator fault of an unknown kind or on a broker that does not exist, before the workload starts', { timeout: SLOW }, async () => {
    const unknownKind = await attempt(smallScenario({ faults: [{ atMs: 1, fault: { kind: 'meteor-strike' } }] }));
    expect(unknownKind.error).toBeInstanceOf(UnknownNameError);
    expect((unknownKind.error as UnknownNameError).value).toBe('meteor-strike');
    expect((unknownKind.error as UnknownNameError).known).toContain('broker-crash');
    expect(unknownKind.started).toBe(false);

    const noSuchBroker = await attempt(smallScenario({ faults: [{ atMs: 1, fault: { kind: 'broker-crash', broker: 9 } }] }));
    expect(noSuchBroker.error).toBeInstanceOf(UnknownNameError);
    expect((noSuchBroker.error as UnknownNameError).value).toBe('9');
    expect(noSuchBroker.started).toBe(false);
  });
});
