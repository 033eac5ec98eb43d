/**
 * Faults as data. A fault is a plain, serialisable object (`{ kind: 'partition', groups: [...] }`)
 * that can be applied now, at a virtual time, or as part of a schedule; a schedule is an array of
 * `{ atMs, fault }`, which a fast-check arbitrary can generate and shrink.
 *
 * The kernel defines the network and process faults every simulation has; higher layers register
 * their own kinds (a broker crash, a ZooKeeper session expiry) with `FaultInjector.define`.
 * Every fault of a schedule is validated before any is scheduled, so a bad schedule is rejected
 * whole: nothing is half-applied.
 */
import { InvalidArgumentError, UnknownNameError } from './errors.ts';
import type { Kernel } from './kernel.ts';
import type { Network } from './network.ts';
import { requireNonNegativeInteger } from './validate.ts';

export type KernelFault =
  /** Cut every pair of nodes in different groups (nodes in no group keep their links). */
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  /** Cut one node from all others. */
  | { readonly kind: 'isolate'; readonly node: string }
  /** Remove every cut. */
  | { readonly kind: 'heal' }
  /** Lose each message from `from` to `to` (and back unless oneWay) with probability lossRate. */
  | { readonly kind: 'link-loss'; readonly from: string; readonly to: string; readonly lossRate: number; readonly oneWay?: boolean }
  /** Change the latency from `from` to `to` (and back unless oneWay). */
  | {
      readonly kind: 'link-delay';
      readonly from: string;
      readonly to: string;
      readonly latencyMs: number;
      readonly jitterMs?: number;
      readonly oneWay?: boolean;
    }
  /** Freeze a node (a GC pause); with durationMs it resumes by itself. */
  | { readonly kind: 'pause'; readonly node: string; readonly durationMs?: number }
  | { readonly kind: 'resume'; readonly node: string };

/** Any fault: the kernel's kinds or a kind a higher layer defined. */
export interface Fault {
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface ScheduledFault<F extends Fault = Fault> {
  readonly atMs: number;
  readonly fault: F;
}

export interface FaultDefinition<F extends Fault = Fault> {
  /** Throws a typed error if the fault is malformed or names something unknown. */
  validate(fault: F): void;
  /** Carries the fault out (called inside a step). */
  apply(fault: F): void;
  /** One line of plain English: "Broker 2 crashes (its disk keeps what the OS had)." */
  describe(fault: F): string;
}

export class FaultInjector {
  private readonly definitions = new Map<string, FaultDefinition>();

  constructor(
    private readonly kernel: Kernel,
    private readonly network: Network,
  ) {
    for (const [kind, definition] of Object.entries(this.kernelFaults())) this.define(kind, definition);
  }

  /** Registers a fault kind; higher layers add theirs (a broker crash, a session expiry). */
  define<F extends Fault>(kind: string, definition: FaultDefinition<F>): void {
    if (this.definitions.has(kind)) throw new InvalidArgumentError('fault kind', kind, 'a kind not already defined');
    this.definitions.set(kind, definition as unknown as FaultDefinition);
  }

  kinds(): string[] {
    return [...this.definitions.keys()];
  }

  validate(fault: Fault): void {
    this.definition(fault).validate(fault);
  }

  describe(fault: Fault): string {
    return this.definition(fault).describe(fault);
  }

  /** Applies a fault now, as a step of its own (or inside the current one). */
  apply(fault: Fault): void {
    const definition = this.definition(fault);
    definition.validate(fault);
    this.kernel.act(`fault ${fault.kind}`, () => this.carryOut(fault, definition));
  }

  /** Schedules every fault of `schedule` at its time; all are validated first. */
  schedule(schedule: readonly ScheduledFault[]): void {
    if (!Array.isArray(schedule)) throw new InvalidArgumentError('fault schedule', schedule, 'an array of { atMs, fault }');
    const checked = schedule.map((entry, index) => {
      if (typeof entry !== 'object' || entry === null) {
        throw new InvalidArgumentError(`fault schedule[${index}]`, entry, 'an object { atMs, fault }');
      }
      requireNonNegativeInteger(`fault schedule[${index}].atMs`, entry.atMs);
      if (entry.atMs < this.kernel.nowMs) {
        throw new InvalidArgumentError(`fault schedule[${index}].atMs`, entry.atMs, `a time not before now (${this.kernel.nowMs} ms)`);
      }
      const definition = this.definition(entry.fault);
      definition.validate(entry.fault);
      return { entry, definition };
    });
    for (const { entry, definition } of checked) {
      this.kernel.scheduleAt(entry.atMs, () => this.carryOut(entry.fault, definition), { node: null, label: `fault ${entry.fault.kind}` });
    }
  }

  private carryOut(fault: Fault, definition: FaultDefinition): void {
    const text = definition.describe(fault);
    if (this.kernel.trace.enabled) this.kernel.trace.record('faults', `fault.${fault.kind}`, { ...fault }, text);
    definition.apply(fault);
  }

  private definition(fault: Fault): FaultDefinition {
    if (typeof fault !== 'object' || fault === null || typeof fault.kind !== 'string') {
      throw new InvalidArgumentError('fault', fault, 'an object with a string kind');
    }
    const definition = this.definitions.get(fault.kind);
    if (definition === undefined) throw new UnknownNameError('fault kind', fault.kind, this.kinds());
    return definition;
  }

  private requireNode(field: string, name: unknown): void {
    if (typeof name !== 'string' || !this.kernel.hasNode(name)) {
      throw new UnknownNameError(`node (${field})`, String(name), this.kernel.nodeNames());
    }
  }

  private kernelFaults(): Record<KernelFault['kind'], FaultDefinition<never>> {
    const net = this.network;
    const kernel = this.kernel;
    const definitions: { [K in KernelFault['kind']]: FaultDefinition<Extract<KernelFault, { kind: K }>> } = {
      partition: {
        validate: (f) => {
          if (!Array.isArray(f.groups) || f.groups.length < 2 || f.groups.some((g) => !Array.isArray(g) || g.length === 0)) {
            throw new InvalidArgumentError('partition groups', f.groups, 'at least two non-empty arrays of node names');
          }
          const seen = new Set<string>();
          for (const group of f.groups) {
            for (const node of group) {
              this.requireNode('partition groups', node);
              if (seen.has(node)) throw new InvalidArgumentError('partition groups', f.groups, 'disjoint groups (a node appears twice)');
              seen.add(node);
            }
          }
        },
        apply: (f) => net.partition(f.groups),
        describe: (f) => `The network splits into ${f.groups.map((g) => `{${g.join(', ')}}`).join(' | ')}.`,
      },
      isolate: {
        validate: (f) => this.requireNode('node', f.node),
        apply: (f) => net.isolate(f.node),
        describe: (f) => `${f.node} is cut off from every other node.`,
      },
      heal: {
        validate: () => {},
        apply: () => net.heal(),
        describe: () => 'The network heals: every cut is repaired.',
      },
      'link-loss': {
        validate: (f) => {
          this.requireNode('from', f.from);
          this.requireNode('to', f.to);
          if (typeof f.lossRate !== 'number' || !(f.lossRate >= 0 && f.lossRate <= 1)) {
            throw new InvalidArgumentError('lossRate', f.lossRate, 'a probability between 0 and 1');
          }
        },
        apply: (f) => net.setLink(f.from, f.to, { lossRate: f.lossRate }, f.oneWay ?? false),
        describe: (f) =>
          `The link ${f.from} ${f.oneWay ? '→' : '↔'} ${f.to} now loses ${Math.round(f.lossRate * 100)}% of messages.`,
      },
      'link-delay': {
        validate: (f) => {
          this.requireNode('from', f.from);
          this.requireNode('to', f.to);
          requireNonNegativeInteger('latencyMs', f.latencyMs);
          if (f.jitterMs !== undefined) requireNonNegativeInteger('jitterMs', f.jitterMs);
        },
        apply: (f) => net.setLink(f.from, f.to, { latencyMs: f.latencyMs, jitterMs: f.jitterMs ?? 0 }, f.oneWay ?? false),
        describe: (f) => `The link ${f.from} ${f.oneWay ? '→' : '↔'} ${f.to} now takes ${f.latencyMs} ms${f.jitterMs ? ` (+ up to ${f.jitterMs} ms)` : ''}.`,
      },
      pause: {
        validate: (f) => {
          this.requireNode('node', f.node);
          if (f.durationMs !== undefined) requireNonNegativeInteger('durationMs', f.durationMs);
        },
        apply: (f) => {
          kernel.pauseNode(f.node);
          if (f.durationMs !== undefined) {
            kernel.schedule(f.durationMs, () => this.carryOut({ kind: 'resume', node: f.node }, this.definitions.get('resume')!), {
              node: null,
              label: 'fault resume',
            });
          }
        },
        describe: (f) => `${f.node} freezes${f.durationMs === undefined ? '' : ` for ${f.durationMs} ms`} (a long GC pause).`,
      },
      resume: {
        validate: (f) => this.requireNode('node', f.node),
        apply: (f) => kernel.resumeNode(f.node),
        describe: (f) => `${f.node} resumes.`,
      },
    };
    return definitions as unknown as Record<KernelFault['kind'], FaultDefinition<never>>;
  }
}
