/**
 * Fuzzing the gateway over real sockets: whatever bytes a connection sends (random, or valid
 * request frames with bytes flipped, cut or appended), the process keeps running, the simulation
 * does not fail, and a connection that behaved keeps being answered. What happens to the fuzzed
 * connection itself is free (answered, closed, or waiting for more bytes) as long as nothing else
 * is disturbed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../../src/gateway/index.ts';
import { WireWriter } from '../../../src/protocol/wire/index.ts';
import { encodeRecordBatch } from '../../../src/protocol/wire/records.ts';
import { apiVersionsAnswered, RawConnection, requestFrame } from './raw-connection.ts';

let gateway: Gateway;
let witness: RawConnection;
let probes = 100;

beforeAll(async () => {
  gateway = await startGateway({ brokers: 2, topics: [{ name: 't', partitions: 2, replicationFactor: 2 }] });
  witness = await RawConnection.open(gateway.listeners[0]!.port);
});

afterAll(async () => {
  witness?.destroy();
  // Rejects if the simulation failed (a translation threw, a response did not encode).
  await gateway?.stop();
});

function recordBatch(): Uint8Array {
  const writer = new WireWriter(256);
  encodeRecordBatch(writer, { baseOffset: 0, records: [{ key: Buffer.from('k'), value: Buffer.from('value') }, { key: null, value: Buffer.from('v2') }] });
  return writer.toBytes();
}

/** Valid requests of several APIs and versions: the seeds the mutations start from. */
const SEEDS: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['ApiVersions v0', requestFrame('ApiVersions', 0, 1, {})],
  ['ApiVersions v2', requestFrame('ApiVersions', 2, 2, {})],
  ['Metadata v0', requestFrame('Metadata', 0, 3, { topics: ['t'] })],
  ['Metadata v4', requestFrame('Metadata', 4, 4, { topics: null, allowAutoTopicCreation: false })],
  ['ListOffsets v1', requestFrame('ListOffsets', 1, 5, { replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] })],
  ['Produce v3', requestFrame('Produce', 3, 6, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: recordBatch() }] }] })],
  ['Fetch v4', requestFrame('Fetch', 4, 7, { replicaId: -1, maxWaitMs: 10, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] })],
  ['FindCoordinator v0', requestFrame('FindCoordinator', 0, 8, { key: 'g' })],
];

type Mutation = { kind: 'set'; at: number; byte: number } | { kind: 'cut'; at: number } | { kind: 'append'; bytes: Uint8Array } | { kind: 'resize'; delta: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('resize' as const), delta: fc.integer({ min: -16, max: 16 }) }),
);

function mutate(seed: Uint8Array, mutations: readonly Mutation[], keepSize: boolean): Uint8Array {
  let bytes = Buffer.from(seed);
  for (const m of mutations) {
    if (m.kind === 'set' && bytes.length > 0) bytes[m.at % bytes.length] = m.byte;
    else if (m.kind === 'cut') bytes = bytes.subarray(0, m.at % (bytes.length + 1));
    else if (m.kind === 'append') bytes = Buffer.concat([bytes, m.bytes]);
    else if (m.kind === 'resize' && bytes.length >= 4) bytes.writeInt32BE(bytes.readInt32BE(0) + m.delta, 0);
  }
  // Mostly keep the size prefix consistent, so the mutation reaches the header and body decoders.
  if (keepSize && bytes.length >= 4) bytes.writeInt32BE(bytes.length - 4, 0);
  return bytes;
}

/** What happened to the fuzzed connections: answered at least once, closed by the gateway, or neither (yet). */
const outcomes = { answered: 0, closed: 0, waiting: 0 };

/** Sends `bytes` on a fresh connection, gives the gateway a moment, then checks it still serves. */
async function sendAndCheck(bytes: Uint8Array): Promise<void> {
  const fuzzed = await RawConnection.open(gateway.listeners[probes % 2]!.port);
  try {
    fuzzed.write(bytes);
    const closed = await fuzzed.closesWithin(20);
    if (fuzzed.frames.length > 0) outcomes.answered++;
    else if (closed) outcomes.closed++;
    else outcomes.waiting++;
  } finally {
    fuzzed.destroy();
  }
  expect(await apiVersionsAnswered(witness, probes++)).toBe(true);
}

describe('fuzzed frames over real sockets', () => {
  it('random bytes never crash the gateway and never disturb another connection', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), sendAndCheck), { numRuns: 150, seed: 7 });
    expect(await apiVersionsAnswered(await RawConnection.open(gateway.listeners[1]!.port), 1)).toBe(true);
  });

  it('random bytes behind a plausible size prefix (they reach the header and body decoders) never crash it', async () => {
    const framed = fc.uint8Array({ maxLength: 512 }).map((body) => {
      const frame = Buffer.alloc(4 + body.length);
      frame.writeInt32BE(body.length, 0);
      Buffer.from(body).copy(frame, 4);
      return frame;
    });
    await fc.assert(fc.asyncProperty(framed, sendAndCheck), { numRuns: 150, seed: 8 });
  });

  it('mutated valid frames of every seeded API never crash it', async () => {
    const mutated = fc
      .tuple(fc.constantFrom(...SEEDS.map(([, frame]) => frame)), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean())
      .map(([seed, mutations, keepSize]) => mutate(seed, mutations, keepSize));
    Object.assign(outcomes, { answered: 0, closed: 0, waiting: 0 });
    await fc.assert(fc.asyncProperty(mutated, sendAndCheck), { numRuns: 300, seed: 9 });
    // The mutations reached the decoders: some frames were still answered, some were refused.
    expect(outcomes.answered, JSON.stringify(outcomes)).toBeGreaterThan(0);
    expect(outcomes.closed, JSON.stringify(outcomes)).toBeGreaterThan(0);
  });

  it('the seeds themselves are valid requests the gateway answers (so the mutations start from real frames)', async () => {
    const connection = await RawConnection.open(gateway.listeners[0]!.port);
    const answered: string[] = [];
    try {
      for (const [i, [name, seed]] of SEEDS.entries()) {
        connection.write(seed);
        const frame = await connection.frame(i).catch((error: Error) => {
          throw new Error(`${name}: ${error.message}`);
        });
        expect(Buffer.from(frame).readInt32BE(0), name).toBe(i + 1);
        answered.push(name);
      }
      expect(connection.open).toBe(true);
    } finally {
      connection.destroy();
    }
    expect(answered).toEqual(SEEDS.map(([name]) => name));
  });
});
