/**
 * Sharding: several workers split a watchlist so that no two trade the same
 * symbol. A symbol's shard is FNV-1a (32-bit) of its name modulo the shard
 * count: stable across restarts, machines and Node versions.
 */

/** This worker's part: shard `index` of `count` (0 ≤ index < count). */
export type Shard = { readonly index: number; readonly count: number };

/** FNV-1a, 32-bit, over the UTF-16 code units of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard index `symbol` belongs to among `count`. */
export function shardOf(symbol: string, count: number): number {
  return fnv1a(symbol) % count;
}

/** Whether `symbol` is this worker's. */
export function inShard(symbol: string, shard: Shard): boolean {
  return shard.count <= 1 || shardOf(symbol, shard.count) === shard.index;
}
