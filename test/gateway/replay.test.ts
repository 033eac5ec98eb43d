/**
 * A recorded gateway run replays without clients, sockets or a clock to the same trace digest:
 * real kcat traffic (metadata, produce with acks=all, fetch) and a fault from the control
 * interface, recorded in memory and to a file. A recording edited so an arrival comes at another
 * step is not the same run, and the replay says so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRecordingText, readRecording, replayRecording, ReplayDivergedError, type Gateway, type GatewayOptions } from '../../src/gateway/index.ts';
import { gatewayPerTest } from './support/gateway-per-test.ts';
import { kcat } from './support/kcat-runner.ts';
import { collectingErrors, describeFailure, describeGateway, KCAT_CONSUMER_DEBUG, noteErrorsOf } from './support/kcat-diagnosis.ts';
import { skipWithout } from '../support/real-clients.ts';

const TOPIC = { name: 'jiketest', partitions: 3, replicationFactor: 2 };
const dir = mkdtempSync(join(tmpdir(), 'kafkasim-gateway-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gateways = gatewayPerTest();

/** A gateway whose errors the failure message of `traffic` reports. */
async function start(options: GatewayOptions): Promise<Gateway> {
  const { options: withErrors, errors } = collectingErrors(options);
  const gateway = await gateways.start(withErrors);
  noteErrorsOf(gateway, errors);
  return gateway;
}

/**
 * Produces and consumes with kcat, with a follower pause in between. The consumer logs what it
 * fetches (`-d`, on stderr): if it does not end, the failure says what it waited for and what the
 * gateway's partitions and connections looked like.
 */
async function traffic(g: Gateway): Promise<void> {
  const lines = Array.from({ length: 200 }, (_, i) => `k${i}:v${i}`).join('\n');
  const produced = await kcat(['-b', g.bootstrapServers, '-P', '-t', TOPIC.name, '-K:', '-X', 'acks=all'], { input: `${lines}\n` });
  expect(produced.code, produced.code === 0 ? '' : describeFailure('kcat -P', produced, g)).toBe(0);
  await g.applyFault({ kind: 'pause', node: 'broker-3', durationMs: 50 });
  let atTimeout: string | undefined;
  const consumed = await kcat(['-b', g.bootstrapServers, '-C', '-t', TOPIC.name, '-e', '-q', '-d', KCAT_CONSUMER_DEBUG], {
    onTimeout: () => (atTimeout = describeGateway(g)),
  });
  const records = consumed.stdout.trim().split('\n');
  const why = consumed.code === 0 && records.length === 200 ? '' : describeFailure('kcat -C -e', consumed, g, atTimeout);
  expect(consumed.code, why).toBe(0);
  expect(records, why).toHaveLength(200);
}

describe.skipIf(skipWithout('kcat'))('replayRecording', () => {
  it('replays a run recorded in memory to the same trace digest', async () => {
    const gateway = await start({ brokers: 3, topics: [TOPIC], seed: 7, record: true });
    await traffic(gateway);
    await gateway.stop();
    const recording = gateway.recording!;
    expect(recording.arrivals.filter((a) => a.kind === 'frame').length).toBeGreaterThan(5);
    expect(recording.arrivals.some((a) => a.kind === 'fault')).toBe(true);

    const replay = await replayRecording(recording);
    expect(replay.expected).toBe(recording.end!.digest);
    expect(replay.digest).toBe(recording.end!.digest);
    expect(replay.matches).toBe(true);
    expect(replay.simulation.kernel.currentStep).toBe(recording.end!.step);
  });

  it('replays a run recorded to a file, with a scheduled fault, whose trace is the replayed trace', async () => {
    const file = join(dir, 'run.jsonl');
    const gateway = await start({ brokers: 3, topics: [TOPIC], seed: 8, record: file, schedule: [{ atMs: 30, fault: { kind: 'pause', node: 'broker-2', durationMs: 20 } }] });
    await traffic(gateway);
    await gateway.stop();
    const text = readFileSync(file, 'utf8');
    expect(isRecordingText(text)).toBe(true);

    const loaded = readRecording(file);
    expect(loaded.header.schedule).toEqual([{ atMs: loaded.header.start.timeMs + 30, fault: { kind: 'pause', node: 'broker-2', durationMs: 20 } }]);
    expect(loaded.trace.some((r) => r.kind === 'fault.pause')).toBe(true);
    const replay = await replayRecording(file);
    expect(replay.matches).toBe(true);
    expect(replay.digest).toBe(loaded.end!.digest);
    const replayed = replay.simulation.kernel.trace.records.filter((r) => r.step > loaded.header.start.step);
    expect(replayed).toEqual(loaded.trace);
  });

  it('does not pass off a recording whose arrival was moved to another step as the recorded run', async () => {
    const file = join(dir, 'moved.jsonl');
    const gateway = await start({ brokers: 3, topics: [TOPIC], seed: 9, record: file });
    await traffic(gateway);
    await gateway.stop();
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith('{"kind":"frame"'));
    const frame = JSON.parse(lines[at]!) as { step: number };
    lines[at] = JSON.stringify({ ...frame, step: frame.step - 1 });
    const edited = join(dir, 'moved-edited.jsonl');
    writeFileSync(edited, lines.join('\n'));
    // Either the replay cannot reach the moved stamp, or it injects there and makes another trace.
    const outcome = await replayRecording(edited).then(
      (replay) => (replay.matches ? 'the same digest' : 'another digest'),
      (error: unknown) => (error instanceof ReplayDivergedError ? 'diverged' : error),
    );
    expect(['another digest', 'diverged']).toContain(outcome);
  });
});
