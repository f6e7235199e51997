import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../domain/index.js';
import { mulDiv1e10, mulDiv1e6, mulScaleDiv, Rounding, scaledDiv, toPriceMicro } from './money.js';

/** The reference: round(n / d) on BigInt, for n >= 0. */
function roundBig(n: bigint, d: bigint, mode: Rounding): number {
  const q = n / d;
  const r = n % d;
  if (r === 0n || mode === Rounding.floor) return Number(q);
  if (mode === Rounding.ceil) return Number(q + 1n);
  return Number(2n * r > d || (2n * r === d && q % 2n === 1n) ? q + 1n : q);
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const mode = fc.constantFrom(Rounding.floor, Rounding.ceil, Rounding.halfEven);
/** Safe integers, biased to both small values and values near 2^53. */
const safe = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.maxSafeNat());

describe('mulDiv1e10', () => {
  it('matches BigInt for any safe operands whose result is safe (fast-check, seed 7)', () => {
    fc.assert(
      fc.property(safe, safe, mode, (a, b, m) => {
        const exact = (BigInt(a) * BigInt(b)) / 10n ** 10n;
        if (exact >= MAX) return;
        expect(mulDiv1e10(a, b, m)).toBe(roundBig(BigInt(a) * BigInt(b), 10n ** 10n, m));
      }),
      { seed: 7, numRuns: 5000 },
    );
  });

  it('rounds half to even: 66 shares × $150.125 = 9908.25; 1 share × $0.005 → 0, × $0.015 → 2 cents', () => {
    expect(mulDiv1e10(66_000_000, 150_125_000, Rounding.halfEven)).toBe(990_825);
    // 0.5 cent ties: 0.5 → 0 (even), 1.5 → 2 (even).
    expect(mulDiv1e10(1_000_000, 5_000, Rounding.halfEven)).toBe(0);
    expect(mulDiv1e10(1_000_000, 15_000, Rounding.halfEven)).toBe(2);
    expect(mulDiv1e10(1_000_000, 25_000, Rounding.halfEven)).toBe(2);
  });

  it('is exact where floats drift: 0.1 BTC × $0.3 is 3 cents, not 2.9999…', () => {
    expect(mulDiv1e10(100_000, 300_000, Rounding.floor)).toBe(3);
    // 66e6 × 150e6 = 9.9e15 > 2^53: the split path.
    expect(mulDiv1e10(66_000_000, 150_000_000, Rounding.floor)).toBe(990_000);
  });

  it('throws InvariantError when the result passes MAX_SAFE_INTEGER', () => {
    expect(() => mulDiv1e10(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Rounding.floor)).toThrow(InvariantError);
  });
});

describe('mulDiv1e6', () => {
  it('matches BigInt for b <= 9e9 (fast-check, seed 8)', () => {
    fc.assert(
      fc.property(safe, fc.integer({ min: 0, max: 9_000_000_000 }), mode, (a, b, m) => {
        if ((BigInt(a) * BigInt(b)) / 1_000_000n >= MAX) return;
        expect(mulDiv1e6(a, b, m)).toBe(roundBig(BigInt(a) * BigInt(b), 1_000_000n, m));
      }),
      { seed: 8, numRuns: 5000 },
    );
  });

  it('takes a 10 bp fee of $9,904.95 as $9.90 (990495 × 1000 / 1e6 = 990.495 → 990)', () => {
    expect(mulDiv1e6(990_495, 1_000, Rounding.halfEven)).toBe(990);
  });
});

describe('scaledDiv and mulScaleDiv', () => {
  it('match BigInt (fast-check, seed 9)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000_000 }),
        fc.integer({ min: 0, max: 101_000_000 }),
        fc.integer({ min: 1, max: 900_000_000_000_000 }),
        mode,
        (a, b, d, m) => {
          const n1 = BigInt(a) * 10n ** 10n;
          if (n1 / BigInt(d) < MAX) expect(scaledDiv(a, 0, 10, d, m)).toBe(roundBig(n1, BigInt(d), m));
          const n2 = BigInt(a) * BigInt(b) * 10_000n;
          if (n2 / BigInt(d) < MAX) expect(mulScaleDiv(a, b, 4, d, m)).toBe(roundBig(n2, BigInt(d), m));
        },
      ),
      { seed: 9, numRuns: 5000 },
    );
  });

  it('sizes 10% of $100,000 at $150.00: 1,000,000 cents × 1e10 / 150e6 = 66,666,666 micro-units', () => {
    expect(scaledDiv(1_000_000, 0, 10, 150_000_000, Rounding.floor)).toBe(66_666_666);
  });
});

describe('toPriceMicro', () => {
  it('puts prices on the micro-dollar grid and refuses non-finite, zero, negative and out-of-range ones', () => {
    expect(toPriceMicro(150)).toBe(150_000_000);
    expect(toPriceMicro(0.1 + 0.2)).toBe(300_000);
    expect(toPriceMicro(43_210.123456)).toBe(43_210_123_456);
    expect(toPriceMicro(0.0000015)).toBe(2);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.0000004, 100_000_001]) {
      expect(toPriceMicro(bad)).toBeUndefined();
    }
  });
});
