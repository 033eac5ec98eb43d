/**
 * Shared fixtures of the `kafkasim/testing` specifications: a small scenario (3 brokers, one
 * topic, one producer, one at-least-once group, no faults), temporary directories for
 * counterexample files, and a way to let a finished simulation run on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Simulation } from '../../src/broker/simulation.ts';
import type { ConsumerSpec, ProducerSpec, ScenarioFault, ScenarioSpec } from 'kafkasim/testing';

/** Simulated runs are slow on a loaded machine: every test that runs one gets this budget. */
export const SLOW = 120_000;

export const TOPIC = 'events';

export function producer(overrides: Partial<ProducerSpec> = {}): ProducerSpec {
  return { name: 'producer', topic: TOPIC, messages: 30, config: { 'request.required.acks': '-1' }, ...overrides };
}

export function group(overrides: Partial<ConsumerSpec> = {}): ConsumerSpec {
  return { group: 'readers', topic: TOPIC, members: 2, semantics: 'at-least-once', ...overrides };
}

/** 3 brokers, `events` with `partitions` partitions of 3 replicas, one producer, one group. */
export function smallScenario(
  options: {
    readonly seed?: number;
    readonly partitions?: number;
    readonly producers?: readonly ProducerSpec[];
    readonly consumers?: readonly ConsumerSpec[];
    readonly faults?: readonly ScenarioFault[];
    readonly faultWindowMs?: number;
    readonly drainTimeoutMs?: number;
  } = {},
): ScenarioSpec {
  return {
    seed: options.seed ?? 7,
    cluster: { brokers: 3, topics: [{ name: TOPIC, partitions: options.partitions ?? 3, replicationFactor: 3 }] },
    workload: { producers: options.producers ?? [producer()], consumers: options.consumers ?? [group()] },
    faults: options.faults ?? [],
    ...(options.faultWindowMs === undefined ? {} : { faultWindowMs: options.faultWindowMs }),
    ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
  };
}

/** Every pair of the 3 brokers loses every message from `atMs` on: followers stop replicating. */
export function cutBrokersApart(atMs = 0): ScenarioFault[] {
  return [
    [1, 2],
    [1, 3],
    [2, 3],
  ].map(([a, b]) => ({ atMs, fault: { kind: 'link-loss', from: `broker-${a}`, to: `broker-${b}`, lossRate: 1 } }));
}

/** A fresh directory under the OS temp dir; `cleanup` removes every directory made so far. */
export function tempDirs(prefix: string): { make: () => string; cleanup: () => void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), `kafkasim-${prefix}-`));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lets a finished run's simulation go on for `ms` more of virtual time. */
export async function runOn(sim: Simulation, ms: number): Promise<void> {
  const until = sim.kernel.nowMs + ms;
  await sim.runUntil(() => sim.kernel.nowMs >= until, { maxSteps: 10_000_000, description: `${ms} ms more` });
}
