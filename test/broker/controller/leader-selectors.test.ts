import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controlledShutdownLeader,
  formatLeaderAndIsr,
  offlinePartitionLeader,
  preferredReplicaLeader,
  topicAndPartitionString,
  type LeaderElected,
  type LeaderSelection,
  type LeaderSelectionFailed,
} from '../../../src/broker/controller/leader-selectors.ts';

const base = { topic: 't', partition: 0 };

function elected(result: LeaderSelection): LeaderElected {
  if (!result.ok) throw new Error(`expected an election, got ${result.error}: ${result.message}`);
  return result;
}

function refused(result: LeaderSelection): LeaderSelectionFailed {
  if (result.ok) throw new Error(`expected a failure, got leader ${result.leaderAndIsr.leader}`);
  return result;
}

describe('OfflinePartitionLeaderSelector (0.8.2)', () => {
  it('the leader dies: the first live ISR member becomes leader, the ISR shrinks to the live members, epoch and zkVersion + 1', () => {
    const result = elected(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 4, isr: [1, 2, 3], zkVersion: 7 },
        liveBrokerIds: [2, 3],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.leaderAndIsr).toEqual({ leader: 2, leaderEpoch: 5, isr: [2, 3], zkVersion: 8 });
    expect(result.receivers).toEqual([2, 3]);
    expect(result.unclean).toBe(false);
    expect(result.log).toEqual([
      { level: 'debug', logger: 'OfflinePartitionLeaderSelector', message: 'Some broker in ISR is alive for [t,0]. Select 2 from ISR 2,3 to be the leader.' },
      {
        level: 'info',
        logger: 'OfflinePartitionLeaderSelector',
        message: 'Selected new leader and ISR {"leader":2,"leader_epoch":5,"isr":[2,3]} for offline partition [t,0]',
      },
    ]);
  });

  it('0.8.2 picks the first live ISR member in AR order, not in ISR order', () => {
    // AR = [1,2,3], ISR as stored = [3,2,1], broker 1 dead.
    // 0.8.2: liveAssignedReplicas.filter(liveIsr.contains).head = [2,3].head = 2.
    // 0.8.0/0.8.1: liveBrokersInIsr.head = [3,2].head = 3 (first live broker in ISR order).
    // The new ISR keeps ISR order in both versions: [3,2].
    const result = elected(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 0, isr: [3, 2, 1], zkVersion: 0 },
        liveBrokerIds: [2, 3],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.leaderAndIsr.leader).toBe(2);
    expect(result.leaderAndIsr.isr).toEqual([3, 2]);
  });

  it('a live broker that is not in the ISR is passed over while an ISR member is alive', () => {
    const result = elected(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 0, isr: [1, 3], zkVersion: 0 },
        liveBrokerIds: [2, 3],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.leaderAndIsr.leader).toBe(3);
    expect(result.receivers).toEqual([2, 3]);
  });

  it('no ISR member alive, unclean election on: the first live assigned replica leads alone, with a data-loss warning', () => {
    const result = elected(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 2, isr: [1, 2], zkVersion: 3 },
        liveBrokerIds: [3],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.unclean).toBe(true);
    expect(result.leaderAndIsr).toEqual({ leader: 3, leaderEpoch: 3, isr: [3], zkVersion: 4 });
    expect(result.log.map((l) => `${l.level} ${l.message}`)).toEqual([
      'debug No broker in ISR is alive for [t,0]. Pick the leader from the alive assigned replicas: 3',
      "warn No broker in ISR is alive for [t,0]. Elect leader 3 from live brokers 3. There's potential data loss.",
      'info Selected new leader and ISR {"leader":3,"leader_epoch":3,"isr":[3]} for offline partition [t,0]',
    ]);
  });

  it('no ISR member alive, unclean election off: NoReplicaOnline, the partition stays offline', () => {
    const result = refused(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 2, isr: [1, 2], zkVersion: 3 },
        liveBrokerIds: [3],
        uncleanLeaderElectionEnable: false,
      }),
    );
    expect(result).toMatchObject({ error: 'NoReplicaOnline', exception: 'NoReplicaOnlineException' });
    expect(result.message).toBe('No broker in ISR for partition [t,0] is alive. Live brokers are: [Set(3)], ISR brokers are: [1,2]');
  });

  it('no assigned replica alive: NoReplicaOnline even with unclean election on', () => {
    const result = refused(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 2, isr: [1], zkVersion: 3 },
        liveBrokerIds: [4, 5],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.error).toBe('NoReplicaOnline');
    expect(result.message).toBe(
      'No replica for partition [t,0] is alive. Live brokers are: [Set(4, 5)], Assigned replicas are: [List(1, 2, 3)]',
    );
  });

  it('a broker in controlled shutdown is not in liveBrokerIds, so it cannot be elected', () => {
    // The controller passes liveBrokerIds without the shutting-down broker 2.
    const result = elected(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0 },
        liveBrokerIds: [3],
        shuttingDownBrokerIds: [2],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.leaderAndIsr.leader).toBe(3);
    expect(result.leaderAndIsr.isr).toEqual([3]);
  });

  it('no assigned replicas at all', () => {
    const result = refused(
      offlinePartitionLeader({
        ...base,
        assignedReplicas: [],
        current: { leader: -1, leaderEpoch: 0, isr: [], zkVersion: 0 },
        liveBrokerIds: [1],
        uncleanLeaderElectionEnable: true,
      }),
    );
    expect(result.message).toBe("Partition [t,0] doesn't have replicas assigned to it");
  });
});

describe('ControlledShutdownLeaderSelector (0.8.2)', () => {
  it('removes the shutting-down brokers from the ISR and elects the first remaining member', () => {
    const result = elected(
      controlledShutdownLeader({
        ...base,
        assignedReplicas: [1, 2, 3],
        current: { leader: 1, leaderEpoch: 6, isr: [1, 3, 2], zkVersion: 9 },
        liveBrokerIds: [2, 3],
        shuttingDownBrokerIds: [1],
      }),
    );
    expect(result.leaderAndIsr).toEqual({ leader: 3, leaderEpoch: 7, isr: [3, 2], zkVersion: 10 });
    // Receivers include the shutting-down broker: it must learn it is no longer the leader.
    expect(result.receivers).toEqual([1, 2, 3]);
    expect(result.log).toEqual([
      { level: 'debug', logger: 'ControlledShutdownLeaderSelector', message: 'Partition [t,0] : current leader = 1, new leader = 3' },
    ]);
  });

  it('fails when only shutting-down brokers are in the ISR', () => {
    const result = refused(
      controlledShutdownLeader({
        ...base,
        assignedReplicas: [1, 2],
        current: { leader: 1, leaderEpoch: 0, isr: [1], zkVersion: 0 },
        liveBrokerIds: [2],
        shuttingDownBrokerIds: [1],
      }),
    );
    expect(result).toMatchObject({
      error: 'StateChangeFailed',
      exception: 'StateChangeFailedException',
      message: 'No other replicas in ISR 1 for [t,0] besides shutting down brokers 1',
    });
  });
});

describe('PreferredReplicaPartitionLeaderSelector', () => {
  const input = {
    ...base,
    assignedReplicas: [1, 2, 3],
    current: { leader: 2, leaderEpoch: 3, isr: [2, 3, 1], zkVersion: 5 },
    liveBrokerIds: [1, 2, 3],
  };

  it('moves leadership to the preferred replica (AR head), ISR unchanged, all AR receive it', () => {
    const result = elected(preferredReplicaLeader(input));
    expect(result.leaderAndIsr).toEqual({ leader: 1, leaderEpoch: 4, isr: [2, 3, 1], zkVersion: 6 });
    expect(result.receivers).toEqual([1, 2, 3]);
    expect(result.log[0]!.message).toBe(
      'Current leader 2 for partition [t,0] is not the preferred replica. Trigerring preferred replica leader election',
    );
  });

  it('is not needed when the preferred replica already leads', () => {
    const result = refused(preferredReplicaLeader({ ...input, current: { ...input.current, leader: 1 } }));
    expect(result).toMatchObject({
      error: 'LeaderElectionNotNeeded',
      message: 'Preferred replica 1 is already the current leader for partition [t,0]',
    });
  });

  it('fails when the preferred replica is dead or out of the ISR', () => {
    const dead = refused(preferredReplicaLeader({ ...input, liveBrokerIds: [2, 3] }));
    expect(dead.error).toBe('StateChangeFailed');
    expect(dead.message).toBe(
      'Preferred replica 1 for partition [t,0] is either not alive or not in the isr. ' +
        'Current leader and ISR: [{"leader":2,"leader_epoch":3,"isr":[2,3,1]}]',
    );
    expect(refused(preferredReplicaLeader({ ...input, current: { ...input.current, isr: [2, 3] } })).error).toBe('StateChangeFailed');
  });
});

describe('formatting as Kafka prints it', () => {
  it('TopicAndPartition and LeaderAndIsr', () => {
    expect(topicAndPartitionString('jiketest', 2)).toBe('[jiketest,2]');
    expect(formatLeaderAndIsr({ leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 9 })).toBe('{"leader":1,"leader_epoch":0,"isr":[1,2]}');
  });
});

/** A partition: AR (distinct brokers 1..6), an ISR drawn from AR in any order, a live set, the unclean flag. */
const scenarioArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 })
  .chain((ar) =>
    fc.record({
      ar: fc.constant(ar),
      isr: fc.shuffledSubarray(ar),
      live: fc.subarray([1, 2, 3, 4, 5, 6]),
      shuttingDown: fc.subarray(ar),
      unclean: fc.boolean(),
      leaderEpoch: fc.nat({ max: 100 }),
      zkVersion: fc.nat({ max: 100 }),
    }),
  );

describe('properties', () => {
  it('offline election: the leader is live and assigned, and in the ISR unless the election is unclean', () => {
    fc.assert(
      fc.property(scenarioArb, ({ ar, isr, live, unclean, leaderEpoch, zkVersion }) => {
        const result = offlinePartitionLeader({
          ...base,
          assignedReplicas: ar,
          current: { leader: -1, leaderEpoch, isr, zkVersion },
          liveBrokerIds: live,
          uncleanLeaderElectionEnable: unclean,
        });
        const liveIsr = isr.filter((b) => live.includes(b));
        const liveAr = ar.filter((b) => live.includes(b));
        if (result.ok) {
          const { leader } = result.leaderAndIsr;
          expect(live).toContain(leader);
          expect(ar).toContain(leader);
          if (!result.unclean) expect(isr).toContain(leader);
          expect(result.unclean).toBe(liveIsr.length === 0);
          if (result.unclean) expect(unclean).toBe(true);
          expect(result.leaderAndIsr.leaderEpoch).toBe(leaderEpoch + 1);
          expect(result.leaderAndIsr.zkVersion).toBe(zkVersion + 1);
          expect(result.receivers).toEqual(liveAr);
          // The new ISR contains the leader and only live brokers.
          expect(result.leaderAndIsr.isr).toContain(leader);
          for (const b of result.leaderAndIsr.isr) expect(live).toContain(b);
        } else {
          expect(result.error).toBe('NoReplicaOnline');
          expect(liveIsr).toEqual([]);
          expect(!unclean || liveAr.length === 0).toBe(true);
        }
      }),
    );
  });

  it('controlled shutdown: the new leader and ISR never include a shutting-down broker', () => {
    fc.assert(
      fc.property(scenarioArb, ({ ar, isr, live, shuttingDown }) => {
        const result = controlledShutdownLeader({
          ...base,
          assignedReplicas: ar,
          current: { leader: ar[0]!, leaderEpoch: 0, isr, zkVersion: 0 },
          liveBrokerIds: live.filter((b) => !shuttingDown.includes(b)),
          shuttingDownBrokerIds: shuttingDown,
        });
        const remaining = isr.filter((b) => !shuttingDown.includes(b));
        if (result.ok) {
          expect(result.leaderAndIsr.isr).toEqual(remaining);
          expect(result.leaderAndIsr.leader).toBe(remaining[0]);
          expect(shuttingDown).not.toContain(result.leaderAndIsr.leader);
        } else {
          expect(result.error).toBe('StateChangeFailed');
          expect(remaining).toEqual([]);
        }
      }),
    );
  });

  it('preferred election succeeds exactly when AR head is live, in the ISR and not already leader', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 6 }), ({ ar, isr, live }, leader) => {
        const result = preferredReplicaLeader({
          ...base,
          assignedReplicas: ar,
          current: { leader, leaderEpoch: 0, isr, zkVersion: 0 },
          liveBrokerIds: live,
        });
        const preferred = ar[0]!;
        if (leader === preferred) expect(result).toMatchObject({ ok: false, error: 'LeaderElectionNotNeeded' });
        else if (live.includes(preferred) && isr.includes(preferred)) {
          expect(elected(result).leaderAndIsr).toMatchObject({ leader: preferred, isr });
        } else expect(result).toMatchObject({ ok: false, error: 'StateChangeFailed' });
      }),
    );
  });
});
