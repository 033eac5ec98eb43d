/**
 * Seeded randomness with named, independent streams.
 *
 * A run has one root seed. Every component asks for its own stream by name (`network`,
 * `broker-1`, `producer-3/partitioner`); a stream's state is derived only from the root seed and
 * its full name, never from draws made elsewhere, so adding randomness to one component cannot
 * change what another one does (TigerBeetle's "one root seed forked per subsystem").
 *
 * The generator is xoroshiro128+ from pure-rand (the generator under fast-check): fast, tiny
 * state, and its 128-bit state is seeded here from a SplitMix32-style hash of (seed, name).
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { InvalidArgumentError } from './errors.ts';
import { requireInteger, requireProbability } from './validate.ts';

type Generator = ReturnType<typeof xoroshiro128plusFromState>;

/** The subset of a random stream that client code receives through the runtime seam. */
export interface RandomSource {
  /** A uniform float in [0, 1). */
  float(): number;
  /** A uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
}

export class Rng implements RandomSource {
  private readonly generator: Generator;

  private constructor(
    readonly seed: number,
    readonly name: string,
  ) {
    this.generator = xoroshiro128plusFromState(deriveState(seed, name));
  }

  /** The root stream of a run. `seed` is any safe integer. */
  static root(seed: number): Rng {
    requireInteger('seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return new Rng(seed, '');
  }

  /**
   * A child stream whose draws depend only on the root seed and the child's full name (its
   * path: `fork('a').fork('b')` is the stream `a/b`).
   */
  fork(name: string): Rng {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError('stream name', name, 'a non-empty string');
    }
    return new Rng(this.seed, this.name === '' ? name : `${this.name}/${name}`);
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    return this.generator.next() >>> 0;
  }

  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min || max - min >= 0x1_0000_0000) {
      requireInteger('min', min, -0x8000_0000, 0x7fff_ffff);
      requireInteger('max', max, min, min + 0xffff_ffff);
    }
    const range = max - min + 1;
    if (range === 1) return min;
    // Rejection sampling on 32-bit draws: unbiased for any range up to 2^32.
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % range);
    for (;;) {
      const draw = this.generator.next() >>> 0;
      if (draw < limit) return min + (draw % range);
    }
  }

  /** True with probability `p`. Draws nothing when p is 0 or 1, so a disabled fault costs no draw. */
  chance(p: number): boolean {
    requireProbability('p', p);
    if (p === 0) return false;
    if (p === 1) return true;
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidArgumentError('items', items, 'a non-empty array');
    return items[items.length === 1 ? 0 : this.int(0, items.length - 1)]!;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}

/** FNV-1a over the UTF-16 code units of a string. */
function fnv1a(text: string, hash = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** SplitMix32 finaliser: spreads every input bit over the output. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function deriveState(seed: number, name: string): number[] {
  // Both 32-bit halves of the seed and two independent hashes of the name feed the state, so
  // seeds that differ only above bit 32 get different streams.
  const low = seed >>> 0;
  const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
  const nameA = fnv1a(name);
  const nameB = fnv1a(name, 0x9747b28c);
  const state = [mix32(low ^ nameA), mix32(high ^ nameB), mix32(low + 0x6d2b79f5), mix32(nameA ^ mix32(high + 0x632be5ab))];
  for (let i = 0; i < 4; i++) state[i] = mix32(state[i]! ^ state[(i + 3) % 4]!) | 0;
  // xoroshiro's all-zero state is a fixed point; the mixer makes it practically impossible,
  // but keep the generator well-defined whatever the input.
  if (!state.some((word) => word !== 0)) state[0] = 1;
  return state;
}
