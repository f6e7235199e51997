/**
 * The simulation's settings: `--backend` (SIM_BACKEND) and the model
 * parameters from the environment under ARCHITECTURE.md's names
 * (NUM_BASE_TICKERS, DERIVS_PER_TICKER, CROSS_SAMPLE_K, ETA, PHI_LADDER,
 * UPDATE_INTERVAL) plus SIM_AGENTS, SIM_SEED and SIGNAL_THRESHOLD.
 * Flags win over the environment. A bad value is a ConfigError naming it.
 */
import {
  BACKEND_CHOICES,
  ConfigError,
  ErrorCode,
  PARAM_NAMES,
  simulationParams,
  type BackendChoice,
  type SimulationParams,
} from '../domain/index.js';

/** What `run` and `simulate` hand the simulation. */
export type SimulationSettings = {
  readonly backend: BackendChoice;
  readonly params: SimulationParams;
};

/** Flags that set simulation parameters (each overrides its env variable). */
export type SimulationFlags = {
  readonly backend?: string;
  readonly agents?: string;
  readonly seed?: string;
};

type NumericKey = Exclude<keyof SimulationParams, 'phiLadder'>;

const NUMERIC_KEYS: readonly NumericKey[] = [
  'numBaseTickers',
  'derivsPerTicker',
  'crossSampleK',
  'eta',
  'updateIntervalS',
  'agentsPerInstrument',
  'seed',
  'signalThreshold',
];

const FLAG_OF: Partial<Record<NumericKey, keyof SimulationFlags>> = { agentsPerInstrument: 'agents', seed: 'seed' };

function bad(label: string, value: string, allowed: string): ConfigError {
  return new ConfigError(`${label} "${value}": ${allowed}`, { code: ErrorCode.config });
}

function number(label: string, value: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) throw bad(label, value, 'expected a number');
  return n;
}

/** Reads and validates the simulation settings. */
export function readSimulationSettings(flags: SimulationFlags, env: Readonly<Record<string, string | undefined>>): SimulationSettings {
  const overrides: { -readonly [K in keyof SimulationParams]?: SimulationParams[K] } = {};
  for (const key of NUMERIC_KEYS) {
    const flag = FLAG_OF[key];
    const flagValue = flag === undefined ? undefined : flags[flag];
    const envName = PARAM_NAMES[key];
    const raw = flagValue ?? env[envName];
    if (raw === undefined) continue;
    const label = flagValue !== undefined ? `--${flag ?? key}` : envName;
    try {
      overrides[key] = number(label, raw);
      simulationParams(overrides);
    } catch (err) {
      if (err instanceof ConfigError && flagValue !== undefined) throw new ConfigError(err.message.replace(envName, label), { code: ErrorCode.config, cause: err });
      throw err;
    }
  }
  const ladder = env[PARAM_NAMES.phiLadder];
  if (ladder !== undefined) {
    overrides.phiLadder = ladder.split(',').map((part) => {
      const n = part.trim() === '' ? Number.NaN : Number(part);
      if (!Number.isFinite(n)) throw bad(PARAM_NAMES.phiLadder, ladder, 'expected 1 to 8 comma-separated numbers > 0 and <= 100');
      return n;
    });
  }
  const backendText = flags.backend ?? env['SIM_BACKEND'];
  const backend = BACKEND_CHOICES.find((choice) => choice === backendText);
  if (backendText !== undefined && backend === undefined) {
    throw bad(flags.backend !== undefined ? '--backend' : 'SIM_BACKEND', backendText, `expected one of ${BACKEND_CHOICES.join('|')}`);
  }
  return { backend: backend ?? 'auto', params: simulationParams(overrides) };
}
