import { describe, expect, it } from 'vitest';
import { chooseBackend } from './backend.js';
import { SeededRandom } from './gaussian.js';
import { NoisePool } from './noise-pool.js';
import { autocorrelation, excessKurtosis } from './stats.js';

describe('NoisePool', () => {
  it('gives standard-normal values, uncorrelated from step to step, that mix across the pool', async () => {
    const { tf } = await chooseBackend('wasm');
    const size = 4000;
    const steps = 400;
    const pool = new NoisePool(tf, size, new SeededRandom(5));
    const history: Float32Array[] = [];
    for (let t = 0; t < steps; t++) history.push(Float32Array.from(pool.next().dataSync()));
    pool.dispose();

    const all = history.flatMap((h) => Array.from(h));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const variance = all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(excessKurtosis(all))).toBeLessThan(0.1);

    // One agent's noise over time: no lag-1 correlation, in level or in size.
    const lag1 = [];
    const absLag1 = [];
    for (let agent = 0; agent < size; agent += 97) {
      const path = history.map((h) => h[agent] ?? 0);
      lag1.push(autocorrelation(path, [1])[0] ?? 0);
      absLag1.push(autocorrelation(path.map(Math.abs), [1])[0] ?? 0);
    }
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(avg(lag1))).toBeLessThan(0.02);
    expect(Math.abs(avg(absLag1))).toBeLessThan(0.05);

    // Energy is not trapped in a block: the first 64 values' sum of squares moves.
    const energy = history.map((h) => h.slice(0, 64).reduce((a, b) => a + b * b, 0));
    const spread = Math.max(...energy) - Math.min(...energy);
    expect(spread).toBeGreaterThan(30);
  });
});
