/**
 * The model with default parameters must reproduce the stylized facts of
 * real returns (Cont 2001), each as the median over instruments of a
 * 20,000-step run: fat tails that thin out under aggregation, volatility
 * clustering, and no linear predictability.
 */
import { describe, expect, it } from 'vitest';
import { SimulationEngine } from './engine.js';
import { stylizedFacts, type StylizedFacts } from './stats.js';

const STEPS = 20_000;

async function facts(seed: number): Promise<StylizedFacts> {
  const engine = await SimulationEngine.create({ params: { seed }, backend: 'wasm' });
  const series = Array.from({ length: engine.shape.instruments }, () => new Float64Array(STEPS));
  for (let t = 0; t < STEPS; t++) {
    engine.step();
    engine.returns.forEach((r, j) => {
      const s = series[j];
      if (s) s[t] = r;
    });
  }
  engine.dispose();
  return stylizedFacts(series);
}

describe.each([42, 2026])('stylized facts with default parameters, seed %i', (seed) => {
  it('has fat tails, volatility clustering and no lag-1 autocorrelation', { timeout: 180_000 }, async () => {
    const f = await facts(seed);
    expect(f.instruments).toBe(120);
    expect(f.steps).toBe(STEPS);
    // Fat tails at one step, thinner for 50-step sums.
    expect(f.kurtosis).toBeGreaterThan(1);
    expect(f.kurtosis50).toBeLessThan(f.kurtosis);
    // Volatility clustering, decaying slowly: still positive at lag 20, below lag 1.
    expect(f.absAcfMean).toBeGreaterThan(0.05);
    expect(f.absAcf20).toBeGreaterThan(0);
    expect(f.absAcf20).toBeLessThan(f.absAcf1);
    // No linear predictability.
    expect(Math.abs(f.acf1)).toBeLessThan(0.05);
  });
});
