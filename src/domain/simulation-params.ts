/**
 * The simulation's parameters: the ones users set (ARCHITECTURE.md's names,
 * with its defaults) and their validation. The model's calibration constants
 * live in calibration.ts; they are not user settings.
 */
import { ConfigError, ErrorCode } from './errors.js';

/** The compute backends a simulation can run on; `auto` picks the fastest present. */
export const BACKEND_CHOICES = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;

/** A backend choice. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Agents are grouped in this many herd clusters per instrument. */
export const CLUSTERS_PER_INSTRUMENT = 20;

/** User-settable parameters of the agent model. */
export type SimulationParams = {
  /** NUM_BASE_TICKERS: base instruments (the watched symbols fill the first ones). */
  readonly numBaseTickers: number;
  /** DERIVS_PER_TICKER: derivative instruments per base instrument. */
  readonly derivsPerTicker: number;
  /** CROSS_SAMPLE_K: instruments sampled afresh each step for herding. */
  readonly crossSampleK: number;
  /** ETA: the weight of each agent's private noise. */
  readonly eta: number;
  /** PHI_LADDER: trend horizons, as multiples of the trend base (10 steps). */
  readonly phiLadder: readonly number[];
  /** UPDATE_INTERVAL: seconds between steps in the live worker. */
  readonly updateIntervalS: number;
  /** Agents per instrument (rounded up to fill the herd clusters evenly). */
  readonly agentsPerInstrument: number;
  /** Seed of every random draw; same seed and inputs give the same run. */
  readonly seed: number;
  /** |drift / volatility| a signal must pass to be BUY or SELL rather than HOLD. */
  readonly signalThreshold: number;
};

/** ARCHITECTURE.md's defaults. */
export const DEFAULT_SIMULATION_PARAMS: SimulationParams = {
  numBaseTickers: 20,
  derivsPerTicker: 5,
  crossSampleK: 10,
  eta: 0.4,
  phiLadder: [0.3, 0.8, 1.618],
  updateIntervalS: 0.1,
  agentsPerInstrument: 1000,
  seed: 42,
  signalThreshold: 2,
};

/** The environment variable and flag of each parameter, for messages and help. */
export const PARAM_NAMES: Readonly<Record<keyof SimulationParams, string>> = {
  numBaseTickers: 'NUM_BASE_TICKERS',
  derivsPerTicker: 'DERIVS_PER_TICKER',
  crossSampleK: 'CROSS_SAMPLE_K',
  eta: 'ETA',
  phiLadder: 'PHI_LADDER',
  updateIntervalS: 'UPDATE_INTERVAL',
  agentsPerInstrument: 'SIM_AGENTS',
  seed: 'SIM_SEED',
  signalThreshold: 'SIGNAL_THRESHOLD',
};

const MAX_AGENTS_TOTAL = 50_000_000;

function fail(key: keyof SimulationParams, value: unknown, allowed: string): never {
  const shown = Array.isArray(value) ? value.join(',') : String(value);
  throw new ConfigError(`${PARAM_NAMES[key]} "${shown}": expected ${allowed}`, { code: ErrorCode.config });
}

function checkInt(key: keyof SimulationParams, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) fail(key, value, `an integer from ${min} to ${max}`);
}

function checkNumber(key: keyof SimulationParams, value: number, allowed: string, ok: (v: number) => boolean): void {
  if (!Number.isFinite(value) || !ok(value)) fail(key, value, allowed);
}

/** Instruments of a parameter set: every base with its derivatives. */
export function instrumentCount(params: Pick<SimulationParams, 'numBaseTickers' | 'derivsPerTicker'>): number {
  return params.numBaseTickers * (1 + params.derivsPerTicker);
}

/** Merges `overrides` over the defaults and checks every value; throws a ConfigError naming the first bad one. */
export function simulationParams(overrides: Partial<SimulationParams> = {}): SimulationParams {
  const params: SimulationParams = { ...DEFAULT_SIMULATION_PARAMS, ...overrides };
  checkInt('numBaseTickers', params.numBaseTickers, 1, 100);
  checkInt('derivsPerTicker', params.derivsPerTicker, 0, 10);
  const instruments = instrumentCount(params);
  checkInt('crossSampleK', params.crossSampleK, 1, instruments);
  checkNumber('eta', params.eta, 'a number > 0 and <= 5', (v) => v > 0 && v <= 5);
  const ladder = params.phiLadder;
  if (ladder.length < 1 || ladder.length > 8 || ladder.some((v) => !Number.isFinite(v) || v <= 0 || v > 100)) {
    fail('phiLadder', ladder, '1 to 8 comma-separated numbers > 0 and <= 100');
  }
  checkNumber('updateIntervalS', params.updateIntervalS, 'seconds > 0 and <= 60', (v) => v > 0 && v <= 60);
  checkInt('agentsPerInstrument', params.agentsPerInstrument, CLUSTERS_PER_INSTRUMENT, MAX_AGENTS_TOTAL);
  if (params.agentsPerInstrument * instruments > MAX_AGENTS_TOTAL) {
    fail('agentsPerInstrument', params.agentsPerInstrument, `at most ${MAX_AGENTS_TOTAL} agents in all (${instruments} instruments)`);
  }
  checkInt('seed', params.seed, 0, 0xffffffff);
  checkNumber('signalThreshold', params.signalThreshold, 'a number > 0', (v) => v > 0);
  return params;
}
