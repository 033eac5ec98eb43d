/**
 * Determinism of broker runs: the same (seed, configuration, fault schedule, workload) gives the
 * same trace, step by step, in any trace mode, with or without history, in this process or
 * another; the pinned digests say the fixed runs still behave exactly as they did.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PINNED_RUNS, acks1LeaderCrash, clusterStart, faultSchedule } from './fixtures/pinned-runs.ts';

/**
 * Pinned trace digests. A change means the brokers behave differently for the same run (every
 * recorded trace and every lesson's narration changes with it): update only on purpose.
 */
const PINNED: Record<keyof typeof PINNED_RUNS, { digest: string; records: number; steps: number; nowMs: number }> = {
  clusterStart: { digest: '68d632706da91fb8e61ca0acabfc879c82f0c2694f5e56e6466b51861ec79057', records: 62, steps: 755, nowMs: 10_143 },
  acks1LeaderCrash: { digest: 'd17762f76298e3e9aa118c548753732712ef6794cefb23b9a1ab7369ddb71b9c', records: 84, steps: 889, nowMs: 31_137 },
  faultSchedule: { digest: '639b6004a63f968c56e4fb8e6908bd7f26f3a5b1c34b8c733e8d0cfe5b99aed7', records: 454, steps: 2131, nowMs: 40_167 },
};

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('./fixtures/pinned-runs-cli.ts', import.meta.url));

describe('determinism of broker runs', () => {
  it('the fixed runs give the pinned digests, record counts, steps and end times', async () => {
    expect(await clusterStart()).toEqual(PINNED.clusterStart);
    expect(await acks1LeaderCrash()).toEqual(PINNED.acks1LeaderCrash);
    expect(await faultSchedule()).toEqual(PINNED.faultSchedule);
  });

  it('full and digest trace modes, with and without history, give the same digest', async () => {
    const full = await faultSchedule({ trace: 'full', history: true });
    expect(full).toEqual(PINNED.faultSchedule);
  });

  it('another seed gives another run', async () => {
    const other = await acks1LeaderCrash({ seed: 5 });
    expect(other.digest).not.toBe(PINNED.acks1LeaderCrash.digest);
    expect((await clusterStart({ seed: 2 })).digest).not.toBe(PINNED.clusterStart.digest);
  });

  it('a separate process computes the pinned digests too', () => {
    const output = execFileSync(process.execPath, [TSX_CLI, CLI], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(output.trim())).toEqual({
      clusterStart: PINNED.clusterStart.digest,
      acks1LeaderCrash: PINNED.acks1LeaderCrash.digest,
      faultSchedule: PINNED.faultSchedule.digest,
    });
  });
});
