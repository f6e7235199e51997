import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/errors.js';
import { classifySignal, SimulationEngine, type SimulationStep } from './engine.js';
import { simulationParams } from './params.js';

const SMALL = { numBaseTickers: 4, derivsPerTicker: 2, agentsPerInstrument: 200, crossSampleK: 3 };

async function run(seed: number, steps: number, backend: 'wasm' | 'cpu' = 'wasm'): Promise<SimulationStep[]> {
  const engine = await SimulationEngine.create({ params: { ...SMALL, seed }, backend, symbols: ['AAPL', 'MSFT'] });
  const out: SimulationStep[] = [];
  for (let t = 0; t < steps; t++) out.push(engine.step({ quotes: { AAPL: 100 + (t % 7), MSFT: 50 }, mood: Math.sin(t / 10) }));
  engine.dispose();
  return out;
}

const trace = (steps: SimulationStep[]): unknown[] => steps.map((s) => [s.globalState, s.z3, s.signals.map((g) => [g.action, g.confidence, g.simulatedPrice])]);

describe('parameters', () => {
  it('takes the guide defaults', () => {
    expect(simulationParams()).toMatchObject({ numBaseTickers: 20, derivsPerTicker: 5, crossSampleK: 10, eta: 0.4, phiLadder: [0.3, 0.8, 1.618], updateIntervalS: 0.1, agentsPerInstrument: 1000 });
  });

  it.each([
    [{ numBaseTickers: 0 }, 'NUM_BASE_TICKERS "0": expected an integer from 1 to 100'],
    [{ derivsPerTicker: 1.5 }, 'DERIVS_PER_TICKER "1.5": expected an integer from 0 to 10'],
    [{ crossSampleK: 121 }, 'CROSS_SAMPLE_K "121": expected an integer from 1 to 120'],
    [{ eta: -0.4 }, 'ETA "-0.4": expected a number > 0 and <= 5'],
    [{ eta: Number.NaN }, 'ETA "NaN": expected a number > 0 and <= 5'],
    [{ phiLadder: [] }, 'PHI_LADDER "": expected 1 to 8 comma-separated numbers > 0 and <= 100'],
    [{ phiLadder: [0.3, -1] }, 'PHI_LADDER "0.3,-1": expected 1 to 8 comma-separated numbers > 0 and <= 100'],
    [{ updateIntervalS: 0 }, 'UPDATE_INTERVAL "0": expected seconds > 0 and <= 60'],
    [{ agentsPerInstrument: 10 }, 'SIM_AGENTS "10": expected an integer from 20 to 50000000'],
    [{ agentsPerInstrument: 1_000_000 }, 'SIM_AGENTS "1000000": expected at most 50000000 agents in all (120 instruments)'],
    [{ seed: -1 }, 'SIM_SEED "-1": expected an integer from 0 to 4294967295'],
    [{ signalThreshold: 0 }, 'SIGNAL_THRESHOLD "0": expected a number > 0'],
  ])('rejects %j naming the parameter', (bad, message) => {
    expect(() => simulationParams(bad)).toThrow(ConfigError);
    expect(() => simulationParams(bad)).toThrow(message);
  });
});

describe('classifySignal', () => {
  it('holds inside the threshold and acts outside it, with confidence in [0, 1]', () => {
    expect(classifySignal(0, 2)).toEqual({ action: 'HOLD', confidence: 1 });
    expect(classifySignal(1, 2)).toEqual({ action: 'HOLD', confidence: 0.75 });
    expect(classifySignal(2, 2)).toEqual({ action: 'BUY', confidence: 0.5 });
    expect(classifySignal(-6, 2)).toEqual({ action: 'SELL', confidence: 0.75 });
    expect(classifySignal(Number.NaN, 2)).toEqual({ action: 'HOLD', confidence: 0 });
  });
});

describe('determinism', () => {
  it('gives the same states and signals, bit for bit, for the same seed and inputs (wasm)', async () => {
    const a = await run(7, 300);
    const b = await run(7, 300);
    expect(trace(a)).toEqual(trace(b));
    expect(a.at(-1)?.backend).toBe('wasm');
  });

  it('gives the same run twice on the cpu backend too', async () => {
    expect(trace(await run(7, 120, 'cpu'))).toEqual(trace(await run(7, 120, 'cpu')));
  });

  it('gives a different run for a different seed', async () => {
    const a = await run(7, 100);
    const b = await run(8, 100);
    expect(a.map((s) => s.globalState)).not.toEqual(b.map((s) => s.globalState));
  });
});

describe('memory', () => {
  it('holds the same number of tensors after 1000 steps as after the first', async () => {
    const engine = await SimulationEngine.create({ params: SMALL, backend: 'wasm', symbols: ['AAPL'] });
    engine.step({ quotes: { AAPL: 100 } });
    const first = engine.tensorCount();
    for (let t = 0; t < 1000; t++) engine.step({ quotes: { AAPL: 100 + (t % 3) }, mood: 0.2 });
    expect(engine.tensorCount()).toBe(first);
    engine.dispose();
  });
});

/** Share of BUY minus share of SELL over `steps` steps after the engine warmed up at `start`. */
async function bias(seed: number, inputs: (t: number) => { quotes: Record<string, number>; mood?: number }, steps = 40): Promise<number> {
  const engine = await SimulationEngine.create({ params: { ...SMALL, seed }, backend: 'wasm', symbols: ['AAPL'] });
  for (let t = 0; t < engine.warmupSteps + 20; t++) engine.step({ quotes: { AAPL: 100 } });
  let net = 0;
  for (let t = 0; t < steps; t++) {
    const signal = engine.step(inputs(t)).signals[0];
    net += signal?.action === 'BUY' ? 1 : signal?.action === 'SELL' ? -1 : 0;
  }
  engine.dispose();
  return net / steps;
}

describe('signals react in the right direction', () => {
  it('leans BUY when the real price jumps 10% above the simulated one, SELL when it drops 10%', async () => {
    for (const seed of [1, 2, 3]) {
      expect(await bias(seed, () => ({ quotes: { AAPL: 110 } }))).toBeGreaterThan(0.5);
      expect(await bias(seed, () => ({ quotes: { AAPL: 90 } }))).toBeLessThan(-0.5);
    }
  });

  it('leans BUY in extreme greed and SELL in extreme fear', async () => {
    for (const seed of [1, 2, 3]) {
      expect(await bias(seed, () => ({ quotes: { AAPL: 100 }, mood: 1 }))).toBeGreaterThan(0.5);
      expect(await bias(seed, () => ({ quotes: { AAPL: 100 }, mood: -1 }))).toBeLessThan(-0.5);
    }
  });

  it('says HOLD with confidence 0 until the drift estimate has warmed up', async () => {
    const engine = await SimulationEngine.create({ params: SMALL, backend: 'wasm', symbols: ['AAPL'] });
    const first = engine.step({ quotes: { AAPL: 130 }, mood: 1 });
    expect(first.signals).toEqual([expect.objectContaining({ symbol: 'AAPL', action: 'HOLD', confidence: 0 })]);
    engine.dispose();
  });
});
