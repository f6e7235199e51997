import { describe, expect, it } from 'vitest';
import { autocorrelation, excessKurtosis, stylizedFacts } from './stats.js';

describe('excessKurtosis', () => {
  it('is -2 for a symmetric two-point distribution and 0 for a constant', () => {
    expect(excessKurtosis([1, -1, 1, -1])).toBeCloseTo(-2, 12);
    expect(excessKurtosis([3, 3, 3])).toBe(0);
  });

  it('matches a hand computation on a skewed sample', () => {
    // mean 1; deviations -1,-1,-1,3; m2 = 12/4 = 3; m4 = 84/4 = 21; 21/9 - 3
    expect(excessKurtosis([0, 0, 0, 4])).toBeCloseTo(21 / 9 - 3, 12);
  });
});

describe('autocorrelation', () => {
  it('is -1 at lag 1 for an alternating series (up to the n-1/n edge) and 1 at lag 2', () => {
    const alternating = [1, -1, 1, -1, 1, -1];
    const [lag1, lag2] = autocorrelation(alternating, [1, 2]);
    expect(lag1).toBeCloseTo(-5 / 6, 12);
    expect(lag2).toBeCloseTo(4 / 6, 12);
  });
});

describe('stylizedFacts', () => {
  it('takes the median over instruments', () => {
    const n = 200;
    const flat = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const f = stylizedFacts([flat, flat, flat]);
    expect(f.instruments).toBe(3);
    expect(f.steps).toBe(n);
    expect(f.acf1).toBeCloseTo(-(n - 1) / n, 12);
  });
});
