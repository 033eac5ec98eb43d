/**
 * What a client-side translation module is: the mirror image of the gateway's
 * (src/gateway/translate/translator.ts). For one internal request type (`src/protocol/api.ts`),
 * which wire API carries it, which wire versions keep its meaning, how to write the wire request
 * for the version negotiated, and how the wire response becomes the internal response the client
 * code expects.
 */
import type { KafkaRequest, ResponseFor } from '../../protocol/api.ts';
import type { WireApiName, WireRequestOf, WireResponseOf } from '../../protocol/wire/registry.ts';
import type { VersionRange } from '../errors.ts';

export interface ClientTranslation<R extends KafkaRequest, N extends WireApiName> {
  readonly wireApi: N;
  /**
   * The wire versions that carry `request`'s meaning (intersected with the codec's range and the
   * broker's; the highest left is sent). `why` says what narrows it, for error messages.
   */
  versions(request: R): VersionRange & { readonly why?: string };
  /** False when the broker sends no response (a produce with acks = 0). */
  expectsResponse(request: R): boolean;
  toWire(request: R, version: number): WireRequestOf<N>;
  fromWire(response: WireResponseOf<N>, request: R, version: number): ResponseFor<R>;
}

/** Every version of the codec's range. */
export const ANY_VERSION: VersionRange = { min: 0, max: Number.MAX_SAFE_INTEGER };

/** Topic-major grouping in order of first appearance (wire requests nest partitions under topics). */
export function groupByTopic<T extends { readonly topic: string }>(items: readonly T[]): Array<{ topic: string; items: T[] }> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.topic);
    if (list === undefined) groups.set(item.topic, [item]);
    else list.push(item);
  }
  return [...groups].map(([topic, list]) => ({ topic, items: list }));
}

/** Wire answers keyed by `topic/partition`. */
export function byPartition<T>(topics: readonly { readonly name: string; readonly partitions: readonly T[] }[], index: (p: T) => number): Map<string, T> {
  const map = new Map<string, T>();
  for (const topic of topics) for (const p of topic.partitions) map.set(`${topic.name}/${index(p)}`, p);
  return map;
}
