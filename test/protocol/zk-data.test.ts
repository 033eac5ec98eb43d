import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ZkDataError,
  encodeBrokerRegistration,
  encodeConfigChangeNotification,
  encodeConsumerOffset,
  encodeConsumerRegistration,
  encodeController,
  encodeControllerEpoch,
  encodeOwner,
  encodePartitionState,
  encodePreferredReplicaElection,
  encodeTopicAssignment,
  encodeTopicConfig,
  parseBrokerRegistration,
  parseConfigChangeNotification,
  parseConsumerOffset,
  parseConsumerRegistration,
  parseController,
  parseControllerEpoch,
  parseControllerId,
  parseOwner,
  parsePartitionState,
  parsePreferredReplicaElection,
  parseTopicAssignment,
  parseTopicConfig,
} from '../../src/protocol/zk-data.ts';
import { KafkasimError } from '../../src/sim/errors.ts';
import { thrownBy } from '../sim/support.ts';

/**
 * Scala 2.10/2.11 `immutable.HashMap` iteration order for String keys: keys sorted by the 5-bit
 * chunks, lowest first, of `improve(key.hashCode)` (`HashMap.computeHash`). A `Map(...)` literal
 * with five or more entries is such a HashMap, so this is the order `Json.encode` writes.
 */
function scalaHashMapOrder(keys: readonly string[]): string[] {
  const hashCode = (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return h;
  };
  const improve = (hcode: number) => {
    let h = (hcode + ~(hcode << 9)) | 0;
    h ^= h >>> 14;
    h = (h + (h << 4)) | 0;
    return h ^ (h >>> 10);
  };
  const chunks = (h: number) => Array.from({ length: 7 }, (_, level) => (h >>> (5 * level)) & 31);
  return [...keys].sort((a, b) => {
    const ca = chunks(improve(hashCode(a)));
    const cb = chunks(improve(hashCode(b)));
    for (let i = 0; i < 7; i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
    return 0;
  });
}

function malformed(fn: () => unknown): ZkDataError {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(ZkDataError);
  expect(error).toBeInstanceOf(KafkasimError);
  expect((error as ZkDataError).code).toBe('ZK_DATA');
  return error as ZkDataError;
}

describe('key order: what Kafka 0.8.2 really writes', () => {
  it('5-key maps are Scala HashMaps: the partition state order of the reference follows from that rule', () => {
    // ZkUtils.leaderAndIsrZkData lists version, leader, leader_epoch, controller_epoch, isr.
    expect(scalaHashMapOrder(['version', 'leader', 'leader_epoch', 'controller_epoch', 'isr'])).toEqual([
      'controller_epoch',
      'leader',
      'version',
      'leader_epoch',
      'isr',
    ]);
    expect(Object.keys(JSON.parse(encodePartitionState({ leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 })))).toEqual(
      scalaHashMapOrder(['version', 'leader', 'leader_epoch', 'controller_epoch', 'isr']),
    );
  });

  it('the broker registration (5 keys) is written jmx_port, timestamp, host, version, port', () => {
    // ZkUtils.registerBrokerInZk lists version, host, port, jmx_port, timestamp.
    const order = scalaHashMapOrder(['version', 'host', 'port', 'jmx_port', 'timestamp']);
    expect(order).toEqual(['jmx_port', 'timestamp', 'host', 'version', 'port']);
    expect(Object.keys(JSON.parse(encodeBrokerRegistration({ host: 'h', port: 1, jmxPort: -1, timestampMs: 0 })))).toEqual(order);
  });
});

describe('/brokers/ids/<id>: broker registration', () => {
  const registration = { host: 'broker-1', port: 9092, jmxPort: -1, timestampMs: 1400000000000 };

  it('encodes exactly as 0.8.2 does (timestamp as a string, jmx_port -1 when unset)', () => {
    expect(encodeBrokerRegistration(registration)).toBe(
      '{"jmx_port":-1,"timestamp":"1400000000000","host":"broker-1","version":1,"port":9092}',
    );
  });

  it('round-trips, and parses the declaration-order form too (key order carries no meaning to a reader)', () => {
    expect(parseBrokerRegistration(encodeBrokerRegistration(registration))).toEqual(registration);
    expect(
      parseBrokerRegistration('{"version":1,"host":"broker-1","port":9092,"jmx_port":-1,"timestamp":"1400000000000"}'),
    ).toEqual(registration);
  });

  it('names what is malformed', () => {
    expect(malformed(() => parseBrokerRegistration('{"version":1,"host":"h","jmx_port":-1,"timestamp":"1"}')).message).toBe(
      'malformed broker registration: "port" is missing; data: {"version":1,"host":"h","jmx_port":-1,"timestamp":"1"}',
    );
    expect(malformed(() => parseBrokerRegistration('{"version":1,"host":"h","port":"9092","jmx_port":-1,"timestamp":"1"}')).problem).toBe(
      '"port" must be an int, got "9092"',
    );
    expect(malformed(() => parseBrokerRegistration('{"version":1,"host":"h","port":1,"jmx_port":-1,"timestamp":1}')).problem).toBe(
      '"timestamp" must be a string, got 1',
    );
    expect(malformed(() => parseBrokerRegistration('broker-1:9092')).problem).toBe('not valid JSON');
    expect(malformed(() => parseBrokerRegistration('[1]')).problem).toBe('not a JSON object');
    expect(malformed(() => parseBrokerRegistration('{"version":2,"host":"h","port":1,"jmx_port":-1,"timestamp":"1"}')).problem).toBe(
      '"version" must be 1, got 2',
    );
  });
});

describe('/brokers/topics/<topic>: replica assignment', () => {
  it('encodes partition ids as string keys in ascending order', () => {
    const assignment = new Map([
      [1, [2, 3]],
      [0, [1, 2]],
    ]);
    expect(encodeTopicAssignment(assignment)).toBe('{"version":1,"partitions":{"0":[1,2],"1":[2,3]}}');
  });

  it('parses into a map in ascending partition order', () => {
    const parsed = parseTopicAssignment('{"version":1,"partitions":{"10":[3],"2":[1,2],"0":[2]}}');
    expect([...parsed.entries()]).toEqual([
      [0, [2]],
      [2, [1, 2]],
      [10, [3]],
    ]);
  });

  it('rejects a non-numeric partition id or a non-int replica', () => {
    expect(malformed(() => parseTopicAssignment('{"version":1,"partitions":{"a":[1]}}')).problem).toBe(
      'partition id "a" is not a non-negative integer',
    );
    expect(malformed(() => parseTopicAssignment('{"version":1,"partitions":{"0":[1.5]}}')).problem).toBe(
      'replicas of partition 0 must be a list of ints, found 1.5',
    );
    expect(malformed(() => parseTopicAssignment('{"version":1}')).problem).toContain('"partitions" must be an object');
  });

  it('property: round-trips', () => {
    const arb = fc.dictionary(
      fc.nat({ max: 500 }).map(String),
      fc.uniqueArray(fc.nat({ max: 20 }), { minLength: 1, maxLength: 5 }),
    );
    fc.assert(
      fc.property(arb, (record) => {
        const assignment = new Map(Object.entries(record).map(([p, r]) => [Number(p), r] as [number, number[]]));
        const parsed = parseTopicAssignment(encodeTopicAssignment(assignment));
        expect(parsed).toEqual(new Map([...assignment.entries()].sort((a, b) => a[0] - b[0])));
      }),
    );
  });
});

describe('/brokers/topics/<t>/partitions/<p>/state', () => {
  it('encodes exactly as 0.8.2 does', () => {
    expect(encodePartitionState({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: 1 })).toBe(
      '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}',
    );
  });

  it('a leaderless partition has leader -1', () => {
    expect(parsePartitionState('{"controller_epoch":3,"leader":-1,"version":1,"leader_epoch":4,"isr":[2]}')).toEqual({
      leader: -1,
      leaderEpoch: 4,
      isr: [2],
      controllerEpoch: 3,
    });
  });

  it('names the missing or wrong field', () => {
    expect(malformed(() => parsePartitionState('{"controller_epoch":1,"leader":1,"version":1,"isr":[1]}')).problem).toBe(
      '"leader_epoch" is missing',
    );
    expect(malformed(() => parsePartitionState('{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":"1,2"}')).problem).toBe(
      '"isr" must be a list of ints',
    );
  });

  it('property: round-trips', () => {
    const int = fc.integer({ min: -1, max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(fc.record({ leader: int, leaderEpoch: int, isr: fc.array(fc.nat({ max: 100 })), controllerEpoch: int }), (state) => {
        expect(parsePartitionState(encodePartitionState(state))).toEqual(state);
      }),
    );
  });
});

describe('/controller and /controller_epoch', () => {
  it('encodes the controller as {"version":1,"brokerid":..,"timestamp":"<ms>"} (3 keys: insertion order)', () => {
    expect(encodeController(2, 1400000000123)).toBe('{"version":1,"brokerid":2,"timestamp":"1400000000123"}');
    expect(parseController(encodeController(2, 1400000000123))).toEqual({ brokerId: 2, timestampMs: 1400000000123 });
  });

  it('accepts a bare integer, as parseControllerId falls back to the pre-0.8 format', () => {
    expect(parseController('3')).toEqual({ brokerId: 3, timestampMs: undefined });
    expect(parseControllerId('3')).toBe(3);
    expect(parseControllerId(encodeController(7, 0))).toBe(7);
  });

  it('rejects data that is neither form', () => {
    expect(malformed(() => parseController('{"version":1,"timestamp":"1"}')).problem).toBe(
      'neither the JSON form with an integer "brokerid" nor a bare broker id',
    );
    expect(malformed(() => parseController('broker-3')).what).toBe('controller registration');
    expect(malformed(() => parseController('3.5')).what).toBe('controller registration');
  });

  it('the controller epoch is a decimal string', () => {
    expect(encodeControllerEpoch(3)).toBe('3');
    expect(parseControllerEpoch('3')).toBe(3);
    expect(malformed(() => parseControllerEpoch('three')).message).toBe('malformed controller epoch: not a decimal int; data: three');
    expect(malformed(() => parseControllerEpoch('2147483648')).what).toBe('controller epoch');
  });
});

describe('/consumers/<group>/ids/<consumerId>: consumer registration', () => {
  const registration = { subscription: { jiketest: 2 }, pattern: 'static' as const, timestampMs: 1400000000000 };

  it('encodes exactly as 0.8.2 does (4 keys: insertion order)', () => {
    expect(encodeConsumerRegistration(registration)).toBe(
      '{"version":1,"subscription":{"jiketest":2},"pattern":"static","timestamp":"1400000000000"}',
    );
  });

  it('round-trips static and wildcard subscriptions', () => {
    expect(parseConsumerRegistration(encodeConsumerRegistration(registration))).toEqual(registration);
    const wildcard = { subscription: { 'jike.*': 3 }, pattern: 'white_list' as const, timestampMs: 5 };
    expect(parseConsumerRegistration(encodeConsumerRegistration(wildcard))).toEqual(wildcard);
  });

  it('requires pattern and subscription, and stream counts of at least 1', () => {
    expect(malformed(() => parseConsumerRegistration('{"version":1,"subscription":{"t":1},"timestamp":"1"}')).problem).toContain(
      '"pattern" must be one of "static", "white_list", "black_list"',
    );
    expect(malformed(() => parseConsumerRegistration('{"version":1,"pattern":"static","timestamp":"1"}')).problem).toContain(
      '"subscription" must be an object',
    );
    expect(
      malformed(() => parseConsumerRegistration('{"version":1,"subscription":{"t":0},"pattern":"static","timestamp":"1"}')).problem,
    ).toBe('stream count of "t" must be an integer >= 1');
  });
});

describe('/config/topics/<topic> and /config/changes', () => {
  it('topic config values are strings', () => {
    const config = { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' };
    expect(encodeTopicConfig(config)).toBe('{"version":1,"config":{"min.insync.replicas":"2","unclean.leader.election.enable":"false"}}');
    expect(parseTopicConfig(encodeTopicConfig(config))).toEqual(config);
    expect(parseTopicConfig('{"version":1,"config":{}}')).toEqual({});
  });

  it('a number where a string belongs is malformed (Kafka: "Invalid topic config")', () => {
    expect(malformed(() => parseTopicConfig('{"version":1,"config":{"min.insync.replicas":2}}')).problem).toBe(
      'value of "min.insync.replicas" must be a string',
    );
    expect(malformed(() => parseTopicConfig('{"config":{}}')).problem).toBe('"version" must be 1, got undefined');
  });

  it('a config change notification is the topic name as a JSON string', () => {
    expect(encodeConfigChangeNotification('jiketest')).toBe('"jiketest"');
    expect(parseConfigChangeNotification('"jiketest"')).toBe('jiketest');
    expect(malformed(() => parseConfigChangeNotification('jiketest')).what).toBe('config change notification');
  });
});

describe('/admin/preferred_replica_election', () => {
  it('encodes exactly as 0.8.2 does', () => {
    expect(encodePreferredReplicaElection([{ topic: 't', partition: 0 }])).toBe(
      '{"version":1,"partitions":[{"topic":"t","partition":0}]}',
    );
  });

  it('round-trips', () => {
    const partitions = [
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
    ];
    expect(parsePreferredReplicaElection(encodePreferredReplicaElection(partitions))).toEqual(partitions);
  });

  it("uses Kafka's messages for missing and duplicate partitions", () => {
    expect(malformed(() => parsePreferredReplicaElection('{"version":1}')).problem).toBe('Preferred replica election data is empty');
    expect(
      malformed(() =>
        parsePreferredReplicaElection('{"version":1,"partitions":[{"topic":"t","partition":0},{"topic":"t","partition":0}]}'),
      ).problem,
    ).toBe('Preferred replica election data contains duplicate partitions: [t,0]');
  });
});

describe('/consumers/<group>/offsets and owners', () => {
  it('an offset is the next offset to consume as a decimal string', () => {
    expect(encodeConsumerOffset(42)).toBe('42');
    expect(parseConsumerOffset('42')).toBe(42);
    expect(parseConsumerOffset('-1')).toBe(-1);
    expect(malformed(() => parseConsumerOffset('')).what).toBe('consumer offset');
    expect(malformed(() => parseConsumerOffset('4 2')).what).toBe('consumer offset');
  });

  it('property: offsets round-trip', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseConsumerOffset(encodeConsumerOffset(n))).toBe(n);
      }),
    );
  });

  it('an owner is the thread id; the consumer id may contain dashes', () => {
    const owner = { consumerId: 'group1_host-1400000000000-1a2b3c4d', threadId: 1 };
    expect(encodeOwner(owner)).toBe('group1_host-1400000000000-1a2b3c4d-1');
    expect(parseOwner(encodeOwner(owner))).toEqual(owner);
    expect(malformed(() => parseOwner('c1')).what).toBe('partition owner');
    expect(malformed(() => parseOwner('-3')).what).toBe('partition owner');
  });
});
