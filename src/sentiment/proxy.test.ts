import { describe, expect, it } from 'vitest';
import { sentimentLabel } from '../domain/sentiment.js';
import { computeProxyIndex, ProxyHistory, type ProxyIndex } from './proxy.js';
import { mulberry32 } from '../domain/index.js';

/** n copies of one price. */
function constant(price: number, n: number): number[] {
  return Array.from({ length: n }, () => price);
}

/** start × growth^k for k = 0 … n − 1. */
function geometric(start: number, growth: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => start * growth ** k);
}

/** Prices 100 × e^(r_1 + … + r_k), k = 0 … returns.length: the path with exactly these log returns. */
function fromLogReturns(returns: readonly number[]): number[] {
  const prices = [100];
  let logPrice = 0;
  for (const r of returns) {
    logPrice += r;
    prices.push(100 * Math.exp(logPrice));
  }
  return prices;
}

/** 50 prices of 100 then one of 101: a single +1% step at the very end. */
function lateStep(): number[] {
  return [...constant(100, 50), 101];
}


function defined(index: ProxyIndex | undefined): ProxyIndex {
  expect(index).toBeDefined();
  return index as ProxyIndex;
}

describe('computeProxyIndex', () => {
  it('reads a flat series as no momentum, no volatility signal and nobody above average: 35, fear', () => {
    // SMA = 100 so d = 0 → momentum tanh(0) = 0; every log return is ln 1 = 0, so σ_long = 0 → volatility 0;
    // 100 is not above 100 → breadth 2 × 0 − 1 = −1. score = 0.4·0 + 0.3·0 + 0.3·(−1) = −0.3 → 50 − 15 = 35.
    expect(computeProxyIndex([constant(100, 51)])).toEqual({
      value: 35,
      label: 'fear',
      components: { momentum: 0, volatility: 0, breadth: -1 },
      symbols: 1,
    });
  });

  it('reads a steady +1% per step rise as extreme greed: momentum from the closed form, 85', () => {
    // P_k = 100 × 1.01^k, k = 0 … 60. The last 50 prices are P_11 … P_60, a geometric sum:
    // SMA = 100 × 1.01^11 × (1.01^50 − 1) / (50 × 0.01), so P_60 / SMA = 0.5 × 1.01^49 / (1.01^50 − 1) ≈ 1.26260
    // → momentum = tanh(0.26260 / 0.05) ≈ 0.999946. All 50 log returns are ln 1.01, so σ_long ≈ 0 (float
    // rounding, < 1e-9) → volatility 0. Above average → breadth 1.
    // score = 0.4 × 0.999946 + 0 + 0.3 × 1 = 0.699978 → 50 + 50 × 0.699978 = 84.9989 → 85.0.
    const index = defined(computeProxyIndex([geometric(100, 1.01, 61)]));
    const momentum = Math.tanh((0.5 * 1.01 ** 49 / (1.01 ** 50 - 1) - 1) / 0.05);
    expect(index.components.momentum).toBeCloseTo(momentum, 12);
    expect(index.components.momentum).toBeCloseTo(0.999946033067872, 12); // mpmath, 30 digits
    expect(index.components.volatility).toBe(0);
    expect(index.components.breadth).toBe(1);
    expect(index.value).toBe(85);
    expect(index.label).toBe('extreme greed');
  });

  it('reads a gentle +0.1% per step rise as greed: 74.1', () => {
    // Same closed form with g = 1.001: P_60 / SMA = 50 × 1.001^49 × 0.001 / (1.001^50 − 1) ≈ 1.024549
    // → momentum = tanh(0.024549 / 0.05) ≈ 0.457124; volatility 0; breadth 1.
    // score = 0.4 × 0.457124 + 0.3 = 0.482849 → 74.142 → 74.1.
    const index = defined(computeProxyIndex([geometric(100, 1.001, 61)]));
    // 1.001^50 − 1 is taken as expm1(50 × log1p(0.001)): the plain subtraction loses ~3 digits to cancellation.
    const momentum = Math.tanh((50 * 1.001 ** 49 * 0.001 / Math.expm1(50 * Math.log1p(0.001)) - 1) / 0.05);
    expect(index.components.momentum).toBeCloseTo(momentum, 12);
    expect(index.components.momentum).toBeCloseTo(0.457123674441053, 12); // mpmath, 30 digits
    expect(index.value).toBe(74.1);
    expect(index.label).toBe('greed');
  });

  it('reads a crash with rising volatility after a calm stretch as extreme fear: 5.1', () => {
    // Log returns: 40 calm ones, +0.001 and −0.001 alternating; then 10 drops, −0.10 and −0.02 alternating.
    const calm = Array.from({ length: 40 }, (_, k) => (k % 2 === 0 ? 0.001 : -0.001));
    const crash = Array.from({ length: 10 }, (_, k) => (k % 2 === 0 ? -0.1 : -0.02));
    const index = defined(computeProxyIndex([fromLogReturns([...calm, ...crash])]));
    // Short window (last 10): mean −0.06, every deviation ±0.04 → Σdev² = 0.016, σ_S = √(0.016 / 9).
    // Long window (all 50): mean = (−0.5 − 0.1) / 50 = −0.012; Σr² = 40 × 1e-6 + 5 × 0.01 + 5 × 0.0004 = 0.05204;
    // Σdev² = 0.05204 − 50 × 0.012² = 0.04484, σ_L = √(0.04484 / 49). ratio ≈ 1.39383 → tanh(−0.78766) ≈ −0.657060.
    const volatility = Math.tanh((1 - Math.sqrt(0.016 / 9) / Math.sqrt(0.04484 / 49)) / 0.5);
    // Prices P_1 … P_40 alternate 100·e^0.001 (odd k) and 100 (even k); P_41 … P_50 are 100·e^c for the
    // cumulative drops c below; P_50 = 100·e^−0.6. momentum = tanh((P_50 / SMA − 1) / 0.05) ≈ −0.99999989.
    const drops = [-0.1, -0.12, -0.22, -0.24, -0.34, -0.36, -0.46, -0.48, -0.58, -0.6];
    const sma = (20 * 100 * Math.exp(0.001) + 20 * 100 + drops.reduce((s, c) => s + 100 * Math.exp(c), 0)) / 50;
    const momentum = Math.tanh((100 * Math.exp(-0.6) / sma - 1) / 0.05);
    expect(index.components.volatility).toBeCloseTo(volatility, 12);
    expect(index.components.volatility).toBeCloseTo(-0.657060112176036, 12); // mpmath, 30 digits
    expect(index.components.momentum).toBeCloseTo(momentum, 12);
    expect(index.components.momentum).toBeCloseTo(-0.999999891542499, 12); // mpmath, 30 digits
    expect(index.components.breadth).toBe(-1);
    // score = 0.4 × (−0.99999989) + 0.3 × (−0.657060) + 0.3 × (−1) = −0.897118 → 50 − 44.8559 = 5.144 → 5.1.
    expect(index.value).toBe(5.1);
    expect(index.label).toBe('extreme fear');
  });

  it('gives breadth 0.5 when 3 of 4 symbols are above their average, averaging the other components', () => {
    const index = defined(computeProxyIndex([lateStep(), lateStep(), constant(100, 51), lateStep()]));
    // Breadth: 2 × 3/4 − 1 = 0.5.
    expect(index.components.breadth).toBe(0.5);
    // Late step: SMA = (49 × 100 + 101) / 50 = 100.02 → momentum_i = tanh((101 / 100.02 − 1) / 0.05) ≈ 0.193490.
    // Returns: 49 zeros then x = ln 1.01. Short: mean x/10, Σdev² = 9(x/10)² + (9x/10)² = 0.9x², σ_S² = x²/10.
    // Long: mean x/50, Σdev² = 49(x/50)² + (49x/50)² = 49x²/50, σ_L² = x²/50. ratio = √5 whatever x,
    // so volatility_i = tanh((1 − √5) / 0.5) ≈ −0.985853. The flat symbol contributes 0 to both.
    const stepMomentum = Math.tanh((101 / 100.02 - 1) / 0.05);
    const stepVolatility = Math.tanh((1 - Math.sqrt(5)) / 0.5);
    expect(index.components.momentum).toBeCloseTo((3 * stepMomentum) / 4, 12);
    expect(index.components.momentum).toBeCloseTo(0.145117805154476, 12); // mpmath, 30 digits
    expect(index.components.volatility).toBeCloseTo((3 * stepVolatility) / 4, 12);
    expect(index.components.volatility).toBeCloseTo(-0.739389441037537, 12); // mpmath, 30 digits
    // score = 0.4 × 0.145118 + 0.3 × (−0.739389) + 0.3 × 0.5 = −0.013770 → 49.3115 → 49.3.
    expect(index.value).toBe(49.3);
    expect(index.label).toBe('neutral');
    expect(index.symbols).toBe(4);
  });

  it('ignores a symbol with fewer than longWindow + 1 prices, and returns undefined when none has enough', () => {
    expect(computeProxyIndex([constant(100, 50)])).toBeUndefined();
    expect(computeProxyIndex([])).toBeUndefined();
    // The short one is dropped, so the reading is the lone flat symbol's: 35 (see the flat-series test).
    expect(computeProxyIndex([lateStep().slice(1), constant(100, 51)])).toMatchObject({ value: 35, symbols: 1 });
    expect(computeProxyIndex([constant(100, 3)], { shortWindow: 2, longWindow: 3 })).toBeUndefined();
    expect(computeProxyIndex([constant(100, 4)], { shortWindow: 2, longWindow: 3 })).toMatchObject({ value: 35 });
  });

  it('ignores a symbol with a NaN, infinite, zero or negative price in its window', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1]) {
      const broken = constant(100, 60);
      broken[30] = bad;
      expect(computeProxyIndex([broken])).toBeUndefined();
      // Only the flat symbol counts → 35 with 1 symbol, not the late step's 3-of-4 mix.
      expect(computeProxyIndex([broken, constant(100, 51)])).toMatchObject({ value: 35, symbols: 1 });
    }
  });

  it('reads only the last longWindow + 1 prices, so an older bad price does not matter', () => {
    const series = [Number.NaN, -5, 0, ...constant(100, 51)];
    expect(computeProxyIndex([series])).toMatchObject({ value: 35, symbols: 1 });
  });

  it('applies the given weights: momentum alone on a flat series gives 50', () => {
    // score = 1 × 0 + 0 × 0 + 0 × (−1) = 0 → 50, neutral.
    const weights = { momentum: 1, volatility: 0, breadth: 0 };
    expect(computeProxyIndex([constant(100, 51)], { weights })).toMatchObject({ value: 50, label: 'neutral' });
    // Breadth alone: score = −1 → 0, extreme fear.
    const breadthOnly = { momentum: 0, volatility: 0, breadth: 1 };
    expect(computeProxyIndex([constant(100, 51)], { weights: breadthOnly })).toMatchObject({ value: 0 });
  });

  it('stays within [0, 100] with consistent label and components over 300 seeded random cases', () => {
    const random = mulberry32(20240601);
    for (let run = 0; run < 300; run += 1) {
      const series = Array.from({ length: 1 + Math.floor(random() * 5) }, () => {
        const sigma = random() < 0.2 ? 0 : random() * 0.3;
        const drift = (random() - 0.5) * 0.05;
        const returns = Array.from({ length: 50 + Math.floor(random() * 100) }, () => {
          const jump = random() < 0.02 ? (random() - 0.5) * 6 : 0;
          return drift + sigma * (random() - 0.5) + jump;
        });
        return fromLogReturns(returns);
      });
      const index = defined(computeProxyIndex(series, { shortWindow: 2 + Math.floor(random() * 20), longWindow: 50 }));
      expect(index.value).toBeGreaterThanOrEqual(0);
      expect(index.value).toBeLessThanOrEqual(100);
      expect(Math.round(index.value * 10) / 10).toBe(index.value);
      expect(index.label).toBe(sentimentLabel(index.value));
      expect(index.symbols).toBe(series.length);
      for (const component of Object.values(index.components)) {
        expect(Math.abs(component)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('rejects windows that are not integers with 2 <= short < long, naming the option', () => {
    const flat = [constant(100, 51)];
    expect(() => computeProxyIndex(flat, { shortWindow: 1 })).toThrow(new RangeError('shortWindow "1": expected an integer >= 2'));
    expect(() => computeProxyIndex(flat, { shortWindow: 2.5 })).toThrow(/^shortWindow "2.5"/);
    expect(() => computeProxyIndex(flat, { shortWindow: Number.NaN })).toThrow(/^shortWindow "NaN"/);
    expect(() => computeProxyIndex(flat, { longWindow: 10 })).toThrow(
      new RangeError('longWindow "10": expected an integer > shortWindow (10)'),
    );
    expect(() => computeProxyIndex(flat, { longWindow: 50.5 })).toThrow(/^longWindow "50.5"/);
    expect(() => computeProxyIndex(flat, { longWindow: 50.5 })).toThrow(RangeError);
  });

  it('rejects weights that are negative, not finite or do not sum to 1 within 1e-9, naming the option', () => {
    const flat = [constant(100, 51)];
    expect(() => computeProxyIndex(flat, { weights: { momentum: 1.2, volatility: -0.2, breadth: 0 } })).toThrow(
      new RangeError('weights.volatility "-0.2": expected a finite number >= 0'),
    );
    expect(() => computeProxyIndex(flat, { weights: { momentum: Number.NaN, volatility: 0.5, breadth: 0.5 } })).toThrow(
      /^weights\.momentum "NaN"/,
    );
    expect(() => computeProxyIndex(flat, { weights: { momentum: 0.4, volatility: 0.4, breadth: 0.4 } })).toThrow(
      /^weights "1\.2000000000000002": expected momentum \+ volatility \+ breadth = 1/,
    );
    // 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floats: inside the tolerance, so accepted.
    expect(computeProxyIndex(flat, { weights: { momentum: 0.1, volatility: 0.2, breadth: 0.7 } })).toBeDefined();
    expect(() => computeProxyIndex(flat, { weights: { momentum: 0.4, volatility: 0.3, breadth: 0.3 + 2e-9 } })).toThrow(
      RangeError,
    );
  });
});

describe('ProxyHistory', () => {
  it('returns prices oldest first before the ring fills', () => {
    const history = new ProxyHistory(3);
    history.add('AAPL', 1);
    history.add('AAPL', 2);
    expect(history.series(['AAPL'])).toEqual([[1, 2]]);
  });

  it('keeps the last capacity prices in order across wrap-arounds', () => {
    const history = new ProxyHistory(3);
    for (const price of [1, 2, 3]) history.add('AAPL', price);
    expect(history.series(['AAPL'])).toEqual([[1, 2, 3]]);
    for (const price of [4, 5]) history.add('AAPL', price);
    // 4 overwrote 1, 5 overwrote 2: the oldest kept is 3.
    expect(history.series(['AAPL'])).toEqual([[3, 4, 5]]);
    for (const price of [6, 7, 8]) history.add('AAPL', price);
    expect(history.series(['AAPL'])).toEqual([[6, 7, 8]]);
  });

  it('keeps symbols apart, answers in the order asked and gives an empty array for an unknown symbol', () => {
    const history = new ProxyHistory(2);
    history.add('BTC', 10);
    history.add('ETH', 20);
    history.add('BTC', 11);
    history.add('BTC', 12);
    expect(history.series(['ETH', 'SOL', 'BTC'])).toEqual([[20], [], [11, 12]]);
  });

  it('refuses a price that is not finite and > 0 without storing it', () => {
    const history = new ProxyHistory(3);
    expect(history.add('AAPL', 5)).toBe(true);
    for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY, 0, -2]) expect(history.add('AAPL', bad)).toBe(false);
    expect(history.series(['AAPL'])).toEqual([[5]]);
  });

  it('hands out copies, so changing a returned series leaves the history intact', () => {
    const history = new ProxyHistory(3);
    history.add('AAPL', 5);
    const [series] = history.series(['AAPL']);
    series?.push(6);
    expect(history.series(['AAPL'])).toEqual([[5]]);
  });

  it('feeds computeProxyIndex with exactly its last capacity prices', () => {
    // 49 rising prices 1 … 49 then 51 × 100; capacity 51 keeps only the flat tail → the flat reading, 35.
    const history = new ProxyHistory(51);
    for (let p = 1; p <= 49; p += 1) history.add('AAPL', p);
    for (let i = 0; i < 51; i += 1) history.add('AAPL', 100);
    expect(computeProxyIndex(history.series(['AAPL']))).toMatchObject({ value: 35, symbols: 1 });
    expect(new ProxyHistory().capacity).toBe(500);
  });

  it('rejects a capacity that is not an integer >= 1', () => {
    expect(() => new ProxyHistory(0)).toThrow(new RangeError('capacity "0": expected an integer >= 1'));
    expect(() => new ProxyHistory(2.5)).toThrow(RangeError);
  });
});
