/**
 * The cluster id (Kafka 0.10.1+ `/cluster/id`, KIP-78), answered in Metadata v2+. Kafka draws a
 * random UUID once and keeps it in ZooKeeper; here it is drawn from the run's seed (its own
 * random stream), so a run and its replay name the same cluster. Like Kafka's, it is a UUID's
 * 16 bytes in URL-safe base64 without padding (22 characters).
 * Not modelled: the `/cluster/id` znode (0.8.2 has none; nothing reads it back).
 */
import type { Kernel } from '../sim/kernel.ts';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const ids = new WeakMap<Kernel, string>();

export function clusterIdOf(kernel: Kernel): string {
  let id = ids.get(kernel);
  if (id === undefined) ids.set(kernel, (id = draw(kernel)));
  return id;
}

function draw(kernel: Kernel): string {
  const rng = kernel.rng.fork('cluster-id');
  let bits = 0;
  let value = 0;
  let out = '';
  for (let i = 0; i < 16; i++) {
    value = (value << 8) | rng.int(0, 255);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BASE64URL[(value >> bits) & 63];
    }
    value &= (1 << bits) - 1;
  }
  return out + BASE64URL[(value << (6 - bits)) & 63];
}
