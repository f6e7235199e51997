import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/index.js';
import { readSimulationSettings } from './simulation.js';

describe('readSimulationSettings', () => {
  it('takes the defaults with nothing set', () => {
    const s = readSimulationSettings({}, {});
    expect(s.backend).toBe('auto');
    expect(s.params).toMatchObject({ numBaseTickers: 20, derivsPerTicker: 5, crossSampleK: 10, eta: 0.4, agentsPerInstrument: 1000, seed: 42 });
  });

  it('reads every parameter from the environment, flags winning', () => {
    const env = {
      NUM_BASE_TICKERS: '4',
      DERIVS_PER_TICKER: '2',
      CROSS_SAMPLE_K: '3',
      ETA: '0.5',
      PHI_LADDER: '0.5, 1, 2',
      UPDATE_INTERVAL: '0.25',
      SIM_AGENTS: '500',
      SIM_SEED: '9',
      SIGNAL_THRESHOLD: '1.5',
      SIM_BACKEND: 'cpu',
    };
    const s = readSimulationSettings({ agents: '300', backend: 'wasm' }, env);
    expect(s).toEqual({
      backend: 'wasm',
      params: { numBaseTickers: 4, derivsPerTicker: 2, crossSampleK: 3, eta: 0.5, phiLadder: [0.5, 1, 2], updateIntervalS: 0.25, agentsPerInstrument: 300, seed: 9, signalThreshold: 1.5 },
    });
  });

  it.each([
    [{}, { ETA: 'x' }, 'ETA "x": expected a number'],
    [{}, { ETA: '9' }, 'ETA "9": expected a number > 0 and <= 5'],
    [{}, { PHI_LADDER: '0.3,,1' }, 'PHI_LADDER "0.3,,1": expected 1 to 8 comma-separated numbers > 0 and <= 100'],
    [{ agents: '5' }, {}, '--agents "5": expected an integer from 20 to 50000000'],
    [{ seed: '1.5' }, {}, '--seed "1.5": expected an integer from 0 to 4294967295'],
    [{ backend: 'gpu' }, {}, '--backend "gpu": expected one of auto|node-gpu|node|wasm|cpu'],
    [{}, { SIM_BACKEND: 'tpu' }, 'SIM_BACKEND "tpu": expected one of auto|node-gpu|node|wasm|cpu'],
  ])('rejects flags %j env %j with one line naming the value', (flags, env, message) => {
    expect(() => readSimulationSettings(flags, env)).toThrow(ConfigError);
    expect(() => readSimulationSettings(flags, env)).toThrow(message);
  });
});
