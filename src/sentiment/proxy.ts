/**
 * A Fear & Greed proxy computed from prices, for when CNN's (equities) or
 * alternative.me's (crypto) index is unavailable or stale. Pure and
 * deterministic: the same price histories always give the same reading.
 */
import { sentimentLabel, type SentimentLabel } from '../domain/sentiment.js';

/** How much each component counts in the score. Each >= 0; together they sum to 1 (± 1e-9). */
export type ProxyWeights = {
  readonly momentum: number;
  readonly volatility: number;
  readonly breadth: number;
};

/** Tuning of {@link computeProxyIndex}. Windows count prices (ticks or bars), not time. */
export type ProxyOptions = {
  /** Returns in the recent volatility window: an integer, 2 <= shortWindow < longWindow. */
  readonly shortWindow: number;
  /** Prices in the moving average and returns in the baseline volatility window: an integer > shortWindow. */
  readonly longWindow: number;
  readonly weights: ProxyWeights;
};

/** The defaults: a 10-return recent window against a 50-price baseline, momentum weighted highest. */
export const defaultProxyOptions: ProxyOptions = Object.freeze({
  shortWindow: 10,
  longWindow: 50,
  weights: Object.freeze({ momentum: 0.4, volatility: 0.3, breadth: 0.3 }),
});

/** The three components, each in [-1, 1]; positive means greed, negative fear. */
export type ProxyComponents = {
  readonly momentum: number;
  readonly volatility: number;
  readonly breadth: number;
};

/** One proxy reading for one asset class. */
export type ProxyIndex = {
  /** 0 (extreme fear) to 100 (extreme greed), rounded to 1 decimal. */
  readonly value: number;
  /** The band of `value` on CNN's cut-offs. */
  readonly label: SentimentLabel;
  readonly components: ProxyComponents;
  /** How many of the given series were usable (enough valid prices). */
  readonly symbols: number;
};

/**
 * A deviation or volatility at or below one part per billion is float
 * rounding, not market movement: it counts as exactly zero, so a flat or
 * constant-growth series gives exact components instead of noise.
 */
const FLAT_TOLERANCE = 1e-9;
/** A 5% gap to the long average is a strong trend: it maps to tanh(1) ≈ 0.76. */
const MOMENTUM_SCALE = 0.05;
/** Recent volatility 1.5× (or 0.5×) its baseline maps to tanh(∓1) ≈ ∓0.76. */
const VOLATILITY_SCALE = 0.5;
const WEIGHT_SUM_TOLERANCE = 1e-9;
const WEIGHT_NAMES: readonly (keyof ProxyWeights)[] = ['momentum', 'volatility', 'breadth'];

type SymbolSignals = { readonly momentum: number; readonly volatility: number; readonly above: boolean };

/**
 * The Fear & Greed proxy of one asset class from its symbols' price histories.
 *
 * `series` holds one array of prices per symbol, oldest first, one per tick or
 * bar. Only each symbol's last L + 1 prices are read (L = longWindow,
 * S = shortWindow); a symbol with fewer, or with a price in them that is not
 * finite and > 0, is ignored. With no usable symbol the result is undefined.
 *
 * For each usable symbol i, with those prices named P_0 … P_L (P_L the last):
 * - SMA_i = (P_1 + … + P_L) / L, the mean of the last L prices;
 * - d_i = P_L / SMA_i − 1, taken as 0 when |d_i| <= 1e-9;
 * - r_k = ln(P_k / P_(k−1)) for k = 1 … L, the L log returns;
 * - σ(x_1 … x_n) = sqrt( Σ (x_k − x̄)² / (n − 1) ), the sample standard deviation;
 * - ratio_i = σ(r_(L−S+1) … r_L) / σ(r_1 … r_L), recent over baseline volatility;
 * - momentum_i = tanh( d_i / 0.05 );
 * - volatility_i = tanh( (1 − ratio_i) / 0.5 ), or 0 when σ(r_1 … r_L) <= 1e-9;
 * - above_i = 1 when d_i > 0, else 0.
 *
 * Over the n usable symbols:
 * - momentum = Σ momentum_i / n;  volatility = Σ volatility_i / n;
 * - breadth = 2 × (Σ above_i / n) − 1;
 * - score = w_m × momentum + w_v × volatility + w_b × breadth, in [−1, 1];
 * - value = 50 + 50 × score, clamped to [0, 100], rounded to 1 decimal;
 *   label = sentimentLabel(value).
 *
 * The sample deviation (n − 1) makes steady noise give ratio ≈ 1 whatever the
 * two window sizes, so the volatility component has no built-in tilt.
 *
 * @throws RangeError naming the option when `options` breaks the rules of
 * {@link ProxyOptions} or {@link ProxyWeights}.
 */
export function computeProxyIndex(
  series: readonly (readonly number[])[],
  options?: Partial<ProxyOptions>,
): ProxyIndex | undefined {
  const resolved = resolveProxyOptions(options);
  const signals: SymbolSignals[] = [];
  for (const prices of series) {
    const window = usableWindow(prices, resolved.longWindow);
    if (window !== undefined) signals.push(symbolSignals(window, resolved.shortWindow));
  }
  if (signals.length === 0) return undefined;
  const components: ProxyComponents = {
    momentum: mean(signals.map((s) => s.momentum)),
    volatility: mean(signals.map((s) => s.volatility)),
    breadth: (2 * signals.filter((s) => s.above).length) / signals.length - 1,
  };
  const { weights } = resolved;
  const score =
    weights.momentum * components.momentum +
    weights.volatility * components.volatility +
    weights.breadth * components.breadth;
  const value = Math.round(Math.min(100, Math.max(0, 50 + 50 * score)) * 10) / 10;
  return { value, label: sentimentLabel(value), components, symbols: signals.length };
}

/** The defaults overlaid with `options`; throws a RangeError naming the first option that breaks its rule. */
function resolveProxyOptions(options: Partial<ProxyOptions> = {}): ProxyOptions {
  const shortWindow = options.shortWindow ?? defaultProxyOptions.shortWindow;
  const longWindow = options.longWindow ?? defaultProxyOptions.longWindow;
  const weights = options.weights ?? defaultProxyOptions.weights;
  if (!Number.isInteger(shortWindow) || shortWindow < 2) {
    throw new RangeError(`shortWindow "${shortWindow}": expected an integer >= 2`);
  }
  if (!Number.isInteger(longWindow) || longWindow <= shortWindow) {
    throw new RangeError(`longWindow "${longWindow}": expected an integer > shortWindow (${shortWindow})`);
  }
  for (const name of WEIGHT_NAMES) {
    const weight = weights[name];
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weights.${name} "${weight}": expected a finite number >= 0`);
    }
  }
  const sum = weights.momentum + weights.volatility + weights.breadth;
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
    throw new RangeError(`weights "${sum}": expected momentum + volatility + breadth = 1 (± 1e-9)`);
  }
  return { shortWindow, longWindow, weights };
}

/** The last longWindow + 1 prices, or undefined when there are fewer or one is not finite and > 0. */
function usableWindow(prices: readonly number[], longWindow: number): readonly number[] | undefined {
  if (prices.length < longWindow + 1) return undefined;
  const window = prices.slice(prices.length - (longWindow + 1));
  return window.every((p) => Number.isFinite(p) && p > 0) ? window : undefined;
}

/** One symbol's momentum, volatility and above-average flag from its window P_0 … P_L. */
function symbolSignals(window: readonly number[], shortWindow: number): SymbolSignals {
  const last = window[window.length - 1] ?? Number.NaN;
  const rawDeviation = last / mean(window.slice(1)) - 1;
  const deviation = Math.abs(rawDeviation) <= FLAT_TOLERANCE ? 0 : rawDeviation;
  const returns: number[] = [];
  for (let k = 1; k < window.length; k += 1) {
    returns.push(Math.log((window[k] ?? Number.NaN) / (window[k - 1] ?? Number.NaN)));
  }
  const baseline = sampleStdDev(returns);
  const volatility =
    baseline <= FLAT_TOLERANCE
      ? 0
      : Math.tanh((1 - sampleStdDev(returns.slice(returns.length - shortWindow)) / baseline) / VOLATILITY_SCALE);
  return { momentum: Math.tanh(deviation / MOMENTUM_SCALE), volatility, above: deviation > 0 };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Σ (x − x̄)² / (n − 1), square-rooted; two passes, so a constant input gives exactly 0. */
function sampleStdDev(values: readonly number[]): number {
  const centre = mean(values);
  const squares = values.reduce((sum, v) => sum + (v - centre) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * The last `capacity` prices of each symbol, in a fixed ring buffer per
 * symbol, so the engine can feed {@link computeProxyIndex} every tick without
 * growing memory. Keep capacity >= longWindow + 1 or no symbol is ever usable.
 */
export class ProxyHistory {
  readonly capacity: number;
  readonly #rings = new Map<string, { readonly prices: Float64Array; next: number; count: number }>();

  /** @throws RangeError when capacity is not an integer >= 1. */
  constructor(capacity = 500) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity "${capacity}": expected an integer >= 1`);
    }
    this.capacity = capacity;
  }

  /**
   * Appends one price, evicting the symbol's oldest once it holds `capacity`.
   * A price that is not finite and > 0 is not stored: returns false.
   */
  add(symbol: string, price: number): boolean {
    if (!Number.isFinite(price) || price <= 0) return false;
    let ring = this.#rings.get(symbol);
    if (ring === undefined) {
      ring = { prices: new Float64Array(this.capacity), next: 0, count: 0 };
      this.#rings.set(symbol, ring);
    }
    ring.prices[ring.next] = price;
    ring.next = (ring.next + 1) % this.capacity;
    ring.count = Math.min(ring.count + 1, this.capacity);
    return true;
  }

  /** One fresh array per requested symbol, in that order, oldest price first; empty for an unknown symbol. */
  series(symbols: readonly string[]): number[][] {
    return symbols.map((symbol) => {
      const ring = this.#rings.get(symbol);
      if (ring === undefined) return [];
      // Until the ring fills, the oldest price sits at 0; after, at the next slot to overwrite.
      const oldest = ring.count < this.capacity ? 0 : ring.next;
      const out = new Array<number>(ring.count);
      for (let i = 0; i < ring.count; i += 1) out[i] = ring.prices[(oldest + i) % this.capacity] ?? Number.NaN;
      return out;
    });
  }
}
