import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/index.js';
import { SimulationEngine } from './engine.js';
import { simulationParams } from './params.js';
import { SimulationThread, type ThreadStep } from './simulation-thread.js';

const params = simulationParams({ numBaseTickers: 3, derivsPerTicker: 1, agentsPerInstrument: 100, crossSampleK: 2, seed: 11 });

describe('SimulationThread', () => {
  it('steps in another thread exactly as the engine does in this one', async () => {
    const thread = await SimulationThread.start({ params, backend: 'wasm', symbols: ['AAPL'] });
    const engine = await SimulationEngine.create({ params, backend: 'wasm', symbols: ['AAPL'] });
    try {
      expect(thread.backend).toBe('wasm');
      expect(thread.shape.instruments).toBe(6);
      for (const [steps, price] of [[1, 100], [4, 103], [2, 99]] as const) {
        const remote = await thread.step(steps, { quotes: { AAPL: price }, mood: 0.3 });
        let local = engine.step({ quotes: { AAPL: price }, mood: 0.3 });
        for (let i = 1; i < steps; i++) local = engine.step({ mood: 0.3 });
        expect({ ...remote.result, durationMs: 0 }).toEqual({ ...local, durationMs: 0 });
      }
    } finally {
      engine.dispose();
      await thread.close();
    }
  });

  it('steps on its own clock and reports each step', async () => {
    const thread = await SimulationThread.start({ params, backend: 'cpu', symbols: ['AAPL'] });
    const seen: ThreadStep[] = [];
    thread.setInputs({ quotes: { AAPL: 100 }, mood: 0 });
    thread.run(10, (step) => seen.push(step), (err) => { throw err; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await thread.close();
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.map((s) => s.result.step)).toEqual(seen.map((_, i) => i + 1));
    expect(seen[0]?.result.signals[0]?.symbol).toBe('AAPL');
  });

  it('rejects a backend that cannot start with a ConfigError naming it', async () => {
    const start = SimulationThread.start({ params, backend: 'node', symbols: [] });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(SimulationThread.start({ params, backend: 'node', symbols: [] })).rejects.toThrow(
      '--backend "node": @tensorflow/tfjs-node is not installed; allowed: auto|node-gpu|node|wasm|cpu',
    );
  });
});
