import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fnv1a, inShard, shardOf } from './shard.js';

describe('sharding', () => {
  it('computes FNV-1a 32 as published (test vectors of the reference implementation)', () => {
    // http://www.isthe.com/chongo/tech/comp/fnv/ : FNV-1a 32 of "" and "a" and "foobar".
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('puts every symbol in exactly one of n shards, for any n', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Z]{1,5}$/), { maxLength: 200 }), fc.integer({ min: 1, max: 16 }), (symbols, n) => {
        for (const symbol of symbols) {
          const owners = Array.from({ length: n }, (_, index) => index).filter((index) => inShard(symbol, { index, count: n }));
          expect(owners).toEqual([shardOf(symbol, n)]);
        }
      }),
      { seed: 20261123, numRuns: 200 },
    );
  });

  it('gives the same shards in another process (stable across restarts)', () => {
    const symbols = ['AAPL', 'MSFT', 'BTC/USDT', 'BRK.B', 'NVDA', 'ETH/USDT', 'TSLA', 'GOOGL'];
    const here = symbols.map((s) => shardOf(s, 5));
    const script = `import('./src/domain/shard.ts').then((m) => console.log(JSON.stringify(${JSON.stringify(symbols)}.map((s) => m.shardOf(s, 5)))))`;
    const there = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' })) as number[];
    expect(there).toEqual(here);
    // Spread: 8 symbols over 5 shards do not all land in one.
    expect(new Set(here).size).toBeGreaterThan(1);
  });
});
