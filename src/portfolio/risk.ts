/**
 * Risk rules of the portfolio as pure functions: each reads a snapshot of
 * the portfolio and returns accept/deny with a reason, or a price level.
 * Nothing here changes a position; the manager applies what it returns.
 */
import { MAX_QUANTITY_MICRO, MICRO, mulDiv1e10, mulDiv1e6, mulScaleDiv, Rounding, scaledDiv } from './money.js';
import type { ResolvedPortfolioOptions } from './options.js';
import { DenialReason, TradeReason } from './types.js';

/** The limits the rules read, in parts per million. */
export type RiskLimits = Pick<
  ResolvedPortfolioOptions,
  'positionPpm' | 'exposurePpm' | 'stopLossPpm' | 'takeProfitPpm' | 'dailyLossPpm' | 'feePpm'
>;

/** What a BUY decision reads. Amounts in cents, quantities in micro-units, prices in micro-dollars. */
export type EntrySnapshot = {
  /** The daily loss limit was hit today. */
  readonly halted: boolean;
  readonly cashCents: number;
  /** cash + every position at its mark (this symbol at the signal's price). */
  readonly equityCents: number;
  /** Market value of the positions in other symbols, at their marks. */
  readonly otherMarketValueCents: number;
  /** What is already held of this symbol (0 when none). */
  readonly heldQuantityMicro: number;
  /** The buy's fill price, slippage included. */
  readonly fillMicro: number;
  /** Smallest tradable step: 1e6 (one share) for equities, 1 (1e-6) for crypto. */
  readonly unitMicro: number;
};

/** A BUY decision: how much to buy, or why not. */
export type EntryDecision =
  | { readonly kind: 'accept'; readonly quantityMicro: number }
  | { readonly kind: 'deny'; readonly reason: DenialReason };

const FITS = 0;
const TOO_EXPOSED = 1;
const TOO_EXPENSIVE = 2;

/**
 * Whether buying `quantityMicro` more keeps cash >= 0 (checked first: with
 * maxTotalExposure = 1 both fail together) and exposure within the limit.
 * Exposure is measured right after the fill with this symbol marked at the
 * fill price: (others + held and bought at fill) / (cash − notional − fee +
 * that market value) <= maxTotalExposure, exactly.
 */
function entryFits(s: EntrySnapshot, quantityMicro: number, limits: RiskLimits): number {
  const notional = mulDiv1e10(quantityMicro, s.fillMicro, Rounding.halfEven);
  const spend = notional + mulDiv1e6(notional, limits.feePpm, Rounding.halfEven);
  if (spend > s.cashCents) return TOO_EXPENSIVE;
  const marketValue =
    s.otherMarketValueCents + mulDiv1e10(s.heldQuantityMicro + quantityMicro, s.fillMicro, Rounding.halfEven);
  const equity = s.cashCents - spend + marketValue;
  return equity > 0 && marketValue <= mulDiv1e6(equity, limits.exposurePpm, Rounding.floor) ? FITS : TOO_EXPOSED;
}

/** Units of the whole position worth at most maxPositionSize × equity at the fill price. */
function targetUnits(s: EntrySnapshot, limits: RiskLimits): number {
  const targetCents = mulDiv1e6(s.equityCents, limits.positionPpm, Rounding.floor);
  // micro-units = cents × 1e10 / micro-dollars; the estimate only avoids an overflow.
  const estimate = (targetCents * 1e10) / s.fillMicro;
  const micro =
    estimate >= 2 * MAX_QUANTITY_MICRO
      ? MAX_QUANTITY_MICRO
      : Math.min(MAX_QUANTITY_MICRO, scaledDiv(targetCents, 0, 10, s.fillMicro, Rounding.floor));
  return (micro - (micro % s.unitMicro)) / s.unitMicro;
}

/**
 * Sizes a BUY: the position goes to maxPositionSize × equity (whole shares,
 * or 1e-6 of a coin, rounded down), a held one is topped up to it and never
 * beyond; then it is cut down to the largest size that keeps exposure and
 * cash within bounds. Denied when halted or when less than one unit fits.
 */
export function decideEntry(s: EntrySnapshot, limits: RiskLimits): EntryDecision {
  if (s.halted) return { kind: 'deny', reason: DenialReason.dailyLossHalt };
  const wanted = targetUnits(s, limits) - s.heldQuantityMicro / s.unitMicro;
  if (wanted < 1) return { kind: 'deny', reason: DenialReason.maxPosition };
  const unit = s.unitMicro;
  if (entryFits(s, wanted * unit, limits) === FITS) return { kind: 'accept', quantityMicro: wanted * unit };
  const one = entryFits(s, unit, limits);
  if (one !== FITS) {
    return { kind: 'deny', reason: one === TOO_EXPOSED ? DenialReason.maxExposure : DenialReason.insufficientCash };
  }
  // Both limits grow monotonically with the quantity: binary search.
  let fits = 1;
  let fails = wanted;
  while (fails - fits > 1) {
    const mid = fits + Math.floor((fails - fits) / 2);
    if (entryFits(s, mid * unit, limits) === FITS) fits = mid;
    else fails = mid;
  }
  return { kind: 'accept', quantityMicro: fits * unit };
}

/** Exit levels of a position, in micro-dollars on the price grid. */
export type ExitLevels = {
  /** Highest price that stops out: floor(entry × (1 − stopLossPct)). */
  readonly stopMicro: number;
  /** Lowest price that takes profit: ceil(entry × (1 + takeProfitPct)). */
  readonly takeMicro: number;
};

/**
 * The stop-loss and take-profit levels of a position whose cost basis
 * (buy fees included) is `costCents` for `quantityMicro`: entry = average
 * cost per unit = cost × 1e10 / quantity micro-dollars.
 */
export function exitLevels(costCents: number, quantityMicro: number, limits: RiskLimits): ExitLevels {
  return {
    stopMicro: mulScaleDiv(costCents, MICRO - limits.stopLossPpm, 4, quantityMicro, Rounding.floor),
    takeMicro: mulScaleDiv(costCents, MICRO + limits.takeProfitPpm, 4, quantityMicro, Rounding.ceil),
  };
}

/** Whether a price closes a position: at or below the stop, or at or above the take-profit. */
export function exitReason(priceMicro: number, levels: ExitLevels): TradeReason | undefined {
  if (priceMicro <= levels.stopMicro) return TradeReason.stopLoss;
  if (priceMicro >= levels.takeMicro) return TradeReason.takeProfit;
  return undefined;
}

/**
 * The daily loss limit: entries halt when equity < opening × (1 −
 * maxDailyLoss). For whole cents that is equity < the ceiling returned.
 */
export function haltBelowCents(openingEquityCents: number, limits: RiskLimits): number {
  return mulDiv1e6(openingEquityCents, MICRO - limits.dailyLossPpm, Rounding.ceil);
}
