/**
 * The portfolio manager's options: what callers pass (dollars, fractions,
 * basis points) and the exact integer form the manager works with.
 */
import { ConfigError, ErrorCode } from '../domain/index.js';
import { MICRO } from './money.js';

/**
 * Options of {@link PortfolioManager}; every one has a default. Fractions
 * are taken to the nearest 1e-6, basis points to the nearest 0.01 bp.
 */
export type PortfolioOptions = {
  /** Starting cash in dollars, > 0, at most 2 decimals (default 100000). */
  readonly initialCapital?: number;
  /** Target value of one position as a fraction of equity, in (0, 1] (default 0.10). */
  readonly maxPositionSize?: number;
  /** Highest market value of all positions / equity after an entry, in (0, 1] (default 0.80). */
  readonly maxTotalExposure?: number;
  /** Exit when the price falls this fraction below the average cost, in (0, 1) (default 0.05). */
  readonly stopLossPct?: number;
  /** Exit when the price rises this fraction above the average cost, in (0, 100] (default 0.15). */
  readonly takeProfitPct?: number;
  /** Halt entries when equity falls this fraction below the day's opening, in (0, 1] (default 0.03). */
  readonly maxDailyLoss?: number;
  /** Fee in basis points of notional on every fill, in [0, 10000) (default 0). */
  readonly feeBps?: number;
  /** Slippage in basis points against the trader on every fill, in [0, 10000) (default 0). */
  readonly slippageBps?: number;
  /** IANA time zone whose calendar day is the trading day (default America/New_York). */
  readonly tradingDayTimeZone?: string;
};

/** The options in integer units (cents and parts per million). Frozen. */
export type ResolvedPortfolioOptions = {
  readonly initialCapitalCents: number;
  readonly positionPpm: number;
  readonly exposurePpm: number;
  readonly stopLossPpm: number;
  readonly takeProfitPpm: number;
  readonly dailyLossPpm: number;
  readonly feePpm: number;
  readonly slippagePpm: number;
  readonly tradingDayTimeZone: string;
};

/** A portfolio option is out of range; `option` names it. Code MI_CONFIG. */
export class PortfolioOptionError extends ConfigError {
  /** The option's name, as in {@link PortfolioOptions}. */
  readonly option: string;

  constructor(option: string, value: unknown, allowed: string, cause?: unknown) {
    super(`${option} "${String(value)}": ${allowed}`, { code: ErrorCode.config, cause });
    this.option = option;
  }
}

/** Largest initial capital accepted, in dollars. */
const MAX_CAPITAL = 1_000_000_000_000;

type Range = { readonly min: number; readonly minOpen: boolean; readonly max: number; readonly maxOpen: boolean };

function inRange(value: number, range: Range): boolean {
  if (range.minOpen ? value <= range.min : value < range.min) return false;
  return range.maxOpen ? value < range.max : value <= range.max;
}

/** `value` (default `fallback`) × scale, rounded, after checking the range. */
function scaled(option: string, value: number | undefined, fallback: number, range: Range, scale: number): number {
  const v = value ?? fallback;
  const lower = `${range.minOpen ? '>' : '>='} ${range.min}`;
  const upper = `${range.maxOpen ? '<' : '<='} ${range.max}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, range)) {
    throw new PortfolioOptionError(option, v, `expected a number ${lower} and ${upper}`);
  }
  const units = Math.round(v * scale);
  if (units <= 0 && range.minOpen) {
    throw new PortfolioOptionError(option, v, `expected a number ${lower} (at least ${1 / scale})`);
  }
  if (units >= range.max * scale && range.maxOpen) {
    throw new PortfolioOptionError(option, v, `expected a number ${upper} (at most ${range.max - 1 / scale})`);
  }
  return units;
}

const fraction: Range = { min: 0, minOpen: true, max: 1, maxOpen: false };

function capitalCents(value: number | undefined): number {
  const v = value ?? 100_000;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_CAPITAL || Number(v.toFixed(2)) !== v) {
    const allowed = `expected dollars > 0 and <= ${MAX_CAPITAL}, at most 2 decimals`;
    throw new PortfolioOptionError('initialCapital', v, allowed);
  }
  return Math.round(v * 100);
}

function timeZone(value: string | undefined): string {
  const zone = value ?? 'America/New_York';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch (err) {
    throw new PortfolioOptionError('tradingDayTimeZone', zone, 'expected an IANA time zone like America/New_York', err);
  }
}

/** Checks `options` and converts them; throws PortfolioOptionError naming the first bad one. */
export function resolvePortfolioOptions(options: PortfolioOptions): ResolvedPortfolioOptions {
  const bps: Range = { min: 0, minOpen: false, max: 10_000, maxOpen: true };
  return Object.freeze({
    initialCapitalCents: capitalCents(options.initialCapital),
    positionPpm: scaled('maxPositionSize', options.maxPositionSize, 0.1, fraction, MICRO),
    exposurePpm: scaled('maxTotalExposure', options.maxTotalExposure, 0.8, fraction, MICRO),
    stopLossPpm: scaled('stopLossPct', options.stopLossPct, 0.05, { ...fraction, maxOpen: true }, MICRO),
    takeProfitPpm: scaled('takeProfitPct', options.takeProfitPct, 0.15, { ...fraction, max: 100 }, MICRO),
    dailyLossPpm: scaled('maxDailyLoss', options.maxDailyLoss, 0.03, fraction, MICRO),
    feePpm: scaled('feeBps', options.feeBps, 0, bps, 100),
    slippagePpm: scaled('slippageBps', options.slippageBps, 0, bps, 100),
    tradingDayTimeZone: timeZone(options.tradingDayTimeZone),
  });
}
