import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_API_VERSIONS, WIRE_APIS, isSupportedVersion, wireApiByKey } from '../../../src/protocol/wire/index.ts';
import { PYTHON, skipWithout } from '../../support/real-clients.ts';


describe('the registry', () => {
  it('lists every API once, by key, with the range its module implements', () => {
    expect(SUPPORTED_API_VERSIONS.map((r) => r.apiKey)).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19]);
    for (const api of Object.values(WIRE_APIS)) {
      expect(SUPPORTED_API_VERSIONS).toContainEqual({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion });
      expect(wireApiByKey(api.key)).toBe(api);
    }
  });

  it('offers only non-flexible versions, every range from 0', () => {
    // The first flexible version of each API (KIP-482), which the codec does not implement.
    const firstFlexible: Record<string, number> = {
      Produce: 9, Fetch: 12, ListOffsets: 6, Metadata: 9, OffsetCommit: 8, OffsetFetch: 6, FindCoordinator: 3, JoinGroup: 6,
      Heartbeat: 4, LeaveGroup: 4, SyncGroup: 4, DescribeGroups: 5, ListGroups: 3, ApiVersions: 3, CreateTopics: 5,
    };
    for (const api of Object.values(WIRE_APIS)) {
      expect(api.minVersion, api.name).toBe(0);
      expect(api.maxVersion, api.name).toBeLessThan(firstFlexible[api.name]!);
    }
  });

  it('isSupportedVersion follows the ranges', () => {
    expect(isSupportedVersion(3, 6)).toBe(true);
    expect(isSupportedVersion(3, 7)).toBe(false);
    expect(isSupportedVersion(3, -1)).toBe(false);
    expect(isSupportedVersion(22, 0)).toBe(false); // InitProducerId: not registered
  });
});

describe('what the default clients pick from these ranges', () => {
  it('kafkajs 2.2.4 (its own `lookup`: min(its highest, our highest))', () => {
    const require = createRequire(import.meta.url);
    const { requests, lookup } = require('kafkajs/src/protocol/requests/index.js') as {
      requests: Record<string, { versions: string[] }>;
      lookup: (versions: object) => (apiKey: number, definition: { versions: string[]; protocol: (arg: { version: number }) => unknown }) => unknown;
    };
    const apiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;
    const ours = Object.fromEntries(SUPPORTED_API_VERSIONS.map((r) => [r.apiKey, { minVersion: r.minVersion, maxVersion: r.maxVersion }]));
    const pick = lookup(ours);
    const chosen: Record<string, unknown> = {};
    for (const name of ['ApiVersions', 'Metadata', 'Produce', 'Fetch', 'ListOffsets', 'GroupCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'OffsetCommit', 'OffsetFetch', 'CreateTopics', 'DescribeGroups', 'ListGroups']) {
      chosen[name] = pick(apiKeys[name]!, { versions: requests[name]!.versions, protocol: ({ version }) => version });
    }
    expect(chosen).toEqual({
      ApiVersions: 2, Metadata: 6, Produce: 7, Fetch: 11, ListOffsets: 3, GroupCoordinator: 2, JoinGroup: 5, SyncGroup: 3,
      Heartbeat: 3, LeaveGroup: 3, OffsetCommit: 5, OffsetFetch: 4, CreateTopics: 3, DescribeGroups: 2, ListGroups: 2,
    });
    for (const [name, version] of Object.entries(chosen)) expect(isSupportedVersion(apiKeys[name]!, version as number), name).toBe(true);
  });

  it.skipIf(skipWithout('kafka-python'))('kafka-python 2.0.2 infers Kafka 2.3 (Fetch v11 without Produce v8), whose requests are all implemented', () => {
    const ranges = Object.fromEntries(SUPPORTED_API_VERSIONS.map((r) => [r.apiKey, [r.minVersion, r.maxVersion]]));
    const script = [
      'import json, sys',
      'from kafka.conn import BrokerConnection',
      'ranges = {int(k): tuple(v) for k, v in json.loads(sys.argv[1]).items()}',
      'print(json.dumps(BrokerConnection._infer_broker_version_from_api_versions(None, ranges)))',
    ].join('\n');
    const inferred = JSON.parse(execFileSync(PYTHON, ['-c', script, JSON.stringify(ranges)], { encoding: 'utf8' })) as number[];
    expect(inferred).toEqual([2, 3, 0]);
    // What kafka-python sends to a 2.3 broker (kafka/producer/sender.py, consumer/fetcher.py,
    // coordinator/*.py, client_async.py), as captured in fixtures/client-frames.ts.
    const sends: Array<[number, number]> = [[0, 7], [1, 4], [2, 1], [3, 0], [3, 1], [8, 2], [9, 1], [10, 0], [11, 2], [12, 1], [13, 1], [14, 1], [18, 0]];
    for (const [key, version] of sends) expect(isSupportedVersion(key, version), `key ${key} v${version}`).toBe(true);
  });
});
