import { AssetClass, type Quote } from '../domain/index.js';
import { isUsEquityMarketOpen } from './market-hours.js';

/** Why a quote was refused at the edge; a stable label for logs and metrics. */
export const RejectReason = {
  invalidPrice: 'invalid_price',
  negativeVolume: 'negative_volume',
  futureTimestamp: 'future_timestamp',
  staleTimestamp: 'stale_timestamp',
  crossedBook: 'crossed_book',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** Limits a quote is judged against. */
export type QuoteLimits = {
  /** Max age against the clock, ms; 0 = no age check. */
  readonly maxAgeMs: number;
  /** Clock skew tolerated for timestamps ahead of the clock, ms. */
  readonly maxFutureMs: number;
};

export const DEFAULT_QUOTE_LIMITS: QuoteLimits = { maxAgeMs: 0, maxFutureMs: 5_000 };

function isPositive(n: number | undefined): boolean {
  return n === undefined || (Number.isFinite(n) && n > 0);
}

/**
 * Judges one quote against the clock: undefined when it may be used, or the
 * reason to refuse it. Replay and live quotes go through the same check.
 */
export function validateQuote(quote: Quote, nowMs: number, limits: QuoteLimits = DEFAULT_QUOTE_LIMITS): RejectReason | undefined {
  if (!Number.isFinite(quote.price) || quote.price <= 0) return RejectReason.invalidPrice;
  if (!isPositive(quote.bid) || !isPositive(quote.ask)) return RejectReason.invalidPrice;
  if (quote.volume !== undefined && !(Number.isFinite(quote.volume) && quote.volume >= 0)) {
    return RejectReason.negativeVolume;
  }
  if (!Number.isFinite(quote.tsMs) || quote.tsMs > nowMs + limits.maxFutureMs) return RejectReason.futureTimestamp;
  if (limits.maxAgeMs > 0 && nowMs - quote.tsMs > limits.maxAgeMs) return RejectReason.staleTimestamp;
  if (quote.bid !== undefined && quote.ask !== undefined && quote.bid > quote.ask) return RejectReason.crossedBook;
  return undefined;
}

/** Default staleness limits: equities during US market hours, crypto always. */
export const DEFAULT_MAX_AGE_MS = { equityInSession: 15 * 60_000, crypto: 2 * 60_000 } as const;

/**
 * The limits a live quote of `assetClass` is judged by at `nowMs`.
 * `maxAgeS` (from --max-quote-age) applies to every class, 0 turning the age
 * check off; unset, equities are held to 15 minutes while the US session is
 * open (outside it the last close is the price) and crypto to 2 minutes.
 */
export function liveQuoteLimits(assetClass: AssetClass, nowMs: number, maxAgeS?: number): QuoteLimits {
  if (maxAgeS !== undefined) return { ...DEFAULT_QUOTE_LIMITS, maxAgeMs: maxAgeS * 1000 };
  if (assetClass === AssetClass.crypto) return { ...DEFAULT_QUOTE_LIMITS, maxAgeMs: DEFAULT_MAX_AGE_MS.crypto };
  const maxAgeMs = isUsEquityMarketOpen(nowMs) ? DEFAULT_MAX_AGE_MS.equityInSession : 0;
  return { ...DEFAULT_QUOTE_LIMITS, maxAgeMs };
}
