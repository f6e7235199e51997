/**
 * The stylized facts of returns (Cont 2001) as numbers: excess kurtosis at
 * one step and over 50-step sums, autocorrelation of returns at lag 1, and
 * of absolute returns over lags 1-20. Each is the median over instruments.
 */

/** The statistics `simulate` prints and the realism test checks. */
export type StylizedFacts = {
  readonly instruments: number;
  readonly steps: number;
  /** Excess kurtosis of one-step returns (0 for a normal distribution). */
  readonly kurtosis: number;
  /** Excess kurtosis of returns summed over 50 steps. */
  readonly kurtosis50: number;
  /** Autocorrelation of returns at lag 1. */
  readonly acf1: number;
  /** Mean autocorrelation of |returns| over lags 1-20. */
  readonly absAcfMean: number;
  /** Autocorrelation of |returns| at lag 1, 5 and 20 (its decay). */
  readonly absAcf1: number;
  readonly absAcf5: number;
  readonly absAcf20: number;
};

/** Excess kurtosis of a sample. */
export function excessKurtosis(values: ArrayLike<number>): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] ?? 0;
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] ?? 0) - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return m2 === 0 ? 0 : m4 / (m2 * m2) - 3;
}

/** Sample autocorrelation at each lag in `lags`. */
export function autocorrelation(values: ArrayLike<number>, lags: readonly number[]): number[] {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] ?? 0;
  mean /= n;
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += ((values[i] ?? 0) - mean) ** 2;
  return lags.map((lag) => {
    let c = 0;
    for (let i = lag; i < n; i++) c += ((values[i] ?? 0) - mean) * ((values[i - lag] ?? 0) - mean);
    return c0 === 0 ? 0 : c / c0;
  });
}

function sums(values: ArrayLike<number>, window: number): Float64Array {
  const out = new Float64Array(Math.floor(values.length / window));
  for (let w = 0; w < out.length; w++) {
    let s = 0;
    for (let i = 0; i < window; i++) s += values[w * window + i] ?? 0;
    out[w] = s;
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const ABS_LAGS = Array.from({ length: 20 }, (_, i) => i + 1);

/** The stylized facts of each instrument's return series, as medians over instruments. */
export function stylizedFacts(series: readonly ArrayLike<number>[]): StylizedFacts {
  const per = series.map((returns) => {
    const abs = Float64Array.from({ length: returns.length }, (_, i) => Math.abs(returns[i] ?? 0));
    const absAcf = autocorrelation(abs, ABS_LAGS);
    return {
      kurtosis: excessKurtosis(returns),
      kurtosis50: excessKurtosis(sums(returns, 50)),
      acf1: autocorrelation(returns, [1])[0] ?? 0,
      absAcfMean: absAcf.reduce((a, b) => a + b, 0) / absAcf.length,
      absAcf1: absAcf[0] ?? 0,
      absAcf5: absAcf[4] ?? 0,
      absAcf20: absAcf[19] ?? 0,
    };
  });
  const pick = (key: keyof (typeof per)[number]): number => median(per.map((p) => p[key]));
  return {
    instruments: series.length,
    steps: series[0]?.length ?? 0,
    kurtosis: pick('kurtosis'),
    kurtosis50: pick('kurtosis50'),
    acf1: pick('acf1'),
    absAcfMean: pick('absAcfMean'),
    absAcf1: pick('absAcf1'),
    absAcf5: pick('absAcf5'),
    absAcf20: pick('absAcf20'),
  };
}
