import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdminOperationError, assignReplicasToBrokers } from '../../../src/broker/admin/assign-replicas.ts';
import { InvalidArgumentError, KafkasimError } from '../../../src/sim/errors.ts';
import { Rng, type RandomSource } from '../../../src/sim/rng.ts';
import { thrownBy } from '../../sim/support.ts';

/** A random source that returns scripted draws and records what was asked. */
function scripted(...draws: number[]): RandomSource & { calls: Array<[number, number]> } {
  const calls: Array<[number, number]> = [];
  return {
    calls,
    float: () => {
      throw new Error('float() is never used by the assignment');
    },
    int: (min, max) => {
      calls.push([min, max]);
      const next = draws.shift();
      if (next === undefined) throw new Error('more draws than scripted');
      return next;
    },
  };
}

const asObject = (assignment: Map<number, number[]>) => Object.fromEntries(assignment);

describe('assignReplicasToBrokers: hand-computed examples from AdminUtils', () => {
  it('5 brokers [0..4], 10 partitions, RF 3, fixedStartIndex 0 (Kafka AdminTest.testReplicaAssignment)', () => {
    // startIndex = 0 and nextReplicaShift = 0 (both = fixedStartIndex).
    // replicaIndex(first, shift, j, 5) = (first + 1 + (shift + j) % 4) % 5
    // p0..p4: shift 0; first = p; followers at +1, +2     -> [p, p+1, p+2] mod 5
    //   p0 [0,1,2]  p1 [1,2,3]  p2 [2,3,4]  p3 [3,4,0]  p4 [4,0,1]
    // p5: partition id 5 % 5 == 0 so shift becomes 1; first = 5 % 5 = 0; followers at +2, +3
    //   p5 [0,2,3]  p6 [1,3,4]  p7 [2,4,0]  p8 [3,0,1]  p9 [4,1,2]
    const assignment = assignReplicasToBrokers([0, 1, 2, 3, 4], 10, 3, { fixedStartIndex: 0 });
    expect([...assignment.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(asObject(assignment)).toEqual({
      0: [0, 1, 2],
      1: [1, 2, 3],
      2: [2, 3, 4],
      3: [3, 4, 0],
      4: [4, 0, 1],
      5: [0, 2, 3],
      6: [1, 3, 4],
      7: [2, 4, 0],
      8: [3, 0, 1],
      9: [4, 1, 2],
    });
  });

  it('adding partitions (addPartitions): fixedStartIndex 1, startPartitionId 4 continues the layout', () => {
    // startIndex = shift = 1.
    // p4: 4 % 5 != 0, shift 1; first = (4+1) % 5 = 0; follower at 1 + (1+0) % 4 = +2 -> 2     => [0,2]
    // p5: 5 % 5 == 0, shift 2; first = (5+1) % 5 = 1; follower at 1 + (2+0) % 4 = +3 -> 4     => [1,4]
    // p6: shift 2;            first = (6+1) % 5 = 2; follower at +3 -> 0                       => [2,0]
    const assignment = assignReplicasToBrokers([0, 1, 2, 3, 4], 3, 2, { fixedStartIndex: 1, startPartitionId: 4 });
    expect([...assignment.entries()]).toEqual([
      [4, [0, 2]],
      [5, [1, 4]],
      [6, [2, 0]],
    ]);
  });

  it('broker ids are used through their index in the list, so any ids work', () => {
    // Scripted draws: startIndex 2, then nextReplicaShift 3, both rand.nextInt(3) = rng.int(0, 2).
    // p0: first (0+2)%3 = 2 -> 30; follower at 1 + (3+0)%2 = +2 -> index 1 -> 20
    // p1: first 0 -> 10; follower index 2 -> 30.  p2: first 1 -> 20; follower index 0 -> 10
    const rng = scripted(2, 3);
    expect(asObject(assignReplicasToBrokers([10, 20, 30], 3, 2, { rng }))).toEqual({ 0: [30, 20], 1: [10, 30], 2: [20, 10] });
    expect(rng.calls).toEqual([
      [0, 2],
      [0, 2],
    ]);
  });

  it('a fixed start index draws nothing', () => {
    const rng = scripted();
    assignReplicasToBrokers([1, 2, 3], 6, 3, { rng, fixedStartIndex: 0 });
    expect(rng.calls).toEqual([]);
  });
});

describe("assignReplicasToBrokers: Kafka's AdminOperationException checks", () => {
  const cases: Array<[number, number, number, string, string]> = [
    [2, 0, 1, 'INVALID_PARTITION_COUNT', 'number of partitions must be larger than 0'],
    [2, -3, 1, 'INVALID_PARTITION_COUNT', 'number of partitions must be larger than 0'],
    [2, 10, 0, 'INVALID_REPLICATION_FACTOR', 'replication factor must be larger than 0'],
    [2, 10, 3, 'NOT_ENOUGH_BROKERS', 'replication factor: 3 larger than available brokers: 2'],
    [0, 1, 1, 'NOT_ENOUGH_BROKERS', 'replication factor: 1 larger than available brokers: 0'],
  ];
  for (const [brokers, partitions, rf, reason, message] of cases) {
    it(`${brokers} brokers, ${partitions} partitions, RF ${rf}: "${message}"`, () => {
      const brokerList = Array.from({ length: brokers }, (_, i) => i);
      const error = thrownBy(() => assignReplicasToBrokers(brokerList, partitions, rf, { fixedStartIndex: 0 }));
      expect(error).toBeInstanceOf(AdminOperationError);
      expect(error).toBeInstanceOf(KafkasimError);
      expect(error).toMatchObject({ code: 'ADMIN_OPERATION', reason, message, name: 'AdminOperationError' });
    });
  }

  it('the partition count is checked before the replication factor, as in Kafka', () => {
    expect(thrownBy(() => assignReplicasToBrokers([0], 0, 0, { fixedStartIndex: 0 }))).toMatchObject({
      reason: 'INVALID_PARTITION_COUNT',
    });
  });

  it('a random start needs a random source', () => {
    expect(thrownBy(() => assignReplicasToBrokers([0, 1], 2, 1))).toBeInstanceOf(InvalidArgumentError);
  });

  it('repeated or non-integer broker ids are refused', () => {
    expect(thrownBy(() => assignReplicasToBrokers([1, 1, 2], 2, 2, { fixedStartIndex: 0 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrownBy(() => assignReplicasToBrokers([1.5], 1, 1, { fixedStartIndex: 0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => assignReplicasToBrokers([0, 1], 2.5, 1, { fixedStartIndex: 0 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

/** A broker list of distinct ids, a partition count, a replication factor that fits, and a seed. */
const layoutArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 })
  .chain((brokers) =>
    fc.record({
      brokers: fc.constant(brokers),
      nPartitions: fc.integer({ min: 1, max: 60 }),
      replicationFactor: fc.integer({ min: 1, max: brokers.length }),
      seed: fc.integer(),
      startPartitionId: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 40 })),
    }),
  );

describe('assignReplicasToBrokers: properties', () => {
  it('every partition gets replicationFactor distinct brokers from the list, and the ids are consecutive', () => {
    fc.assert(
      fc.property(layoutArb, ({ brokers, nPartitions, replicationFactor, seed, startPartitionId }) => {
        const rng = Rng.root(seed).fork('assign');
        const assignment = assignReplicasToBrokers(brokers, nPartitions, replicationFactor, { rng, startPartitionId });
        const first = Math.max(startPartitionId, 0);
        expect([...assignment.keys()]).toEqual(Array.from({ length: nPartitions }, (_, i) => first + i));
        const known = new Set(brokers);
        for (const replicas of assignment.values()) {
          expect(replicas.length).toBe(replicationFactor);
          expect(new Set(replicas).size).toBe(replicationFactor);
          expect(replicas.every((r) => known.has(r))).toBe(true);
        }
      }),
    );
  });

  it('leaders (first replicas) go round-robin: leader counts differ by at most one, and equal when n divides the partition count', () => {
    // The first replica of partition p is brokerList[(p + startIndex) % n]: consecutive ids walk
    // the list, so each broker leads floor(P/n) or ceil(P/n) partitions, exactly P % n of them the
    // larger number.
    fc.assert(
      fc.property(layoutArb, ({ brokers, nPartitions, replicationFactor, seed, startPartitionId }) => {
        const rng = Rng.root(seed).fork('assign');
        const assignment = assignReplicasToBrokers(brokers, nPartitions, replicationFactor, { rng, startPartitionId });
        const leads = new Map(brokers.map((b) => [b, 0]));
        for (const replicas of assignment.values()) leads.set(replicas[0]!, leads.get(replicas[0]!)! + 1);
        const counts = [...leads.values()];
        const n = brokers.length;
        const low = Math.floor(nPartitions / n);
        expect(counts.every((c) => c === low || c === low + 1)).toBe(true);
        expect(counts.filter((c) => c === low + 1).length).toBe(nPartitions % n === 0 ? 0 : nPartitions % n);
      }),
    );
  });

  it('starting at partition 0 with a multiple of n partitions, every broker holds the same number of replicas', () => {
    // Within a block of n consecutive partitions the shift is constant, so "first + shift" is a
    // bijection of the broker list: each replica position covers every broker once per block.
    fc.assert(
      fc.property(layoutArb, fc.integer({ min: 1, max: 5 }), ({ brokers, replicationFactor, seed }, blocks) => {
        const n = brokers.length;
        const assignment = assignReplicasToBrokers(brokers, blocks * n, replicationFactor, { rng: Rng.root(seed) });
        const held = new Map(brokers.map((b) => [b, 0]));
        for (const replicas of assignment.values()) for (const r of replicas) held.set(r, held.get(r)! + 1);
        expect(new Set(held.values())).toEqual(new Set([blocks * replicationFactor]));
      }),
    );
  });

  it('is deterministic: the same seed gives the same placement', () => {
    fc.assert(
      fc.property(layoutArb, ({ brokers, nPartitions, replicationFactor, seed }) => {
        const a = assignReplicasToBrokers(brokers, nPartitions, replicationFactor, { rng: Rng.root(seed).fork('x') });
        const b = assignReplicasToBrokers(brokers, nPartitions, replicationFactor, { rng: Rng.root(seed).fork('x') });
        expect(a).toEqual(b);
      }),
    );
  });

  it('with a random source, the result equals the fixed-start layout of the drawn index when both draws agree', () => {
    // Kafka draws the start index and the shift separately; when they happen to be equal the
    // layout is the fixedStartIndex one.
    fc.assert(
      fc.property(layoutArb, fc.nat(), ({ brokers, nPartitions, replicationFactor }, k) => {
        const index = k % brokers.length;
        const drawn = assignReplicasToBrokers(brokers, nPartitions, replicationFactor, { rng: scripted(index, index) });
        const fixed = assignReplicasToBrokers(brokers, nPartitions, replicationFactor, { fixedStartIndex: index });
        expect(drawn).toEqual(fixed);
      }),
    );
  });
});
