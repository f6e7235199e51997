import { z } from 'zod';
import { ErrorCode, TransientError } from '../../../domain/index.js';

// Nanosecond timestamps (~1.65e18) exceed 2^53: JSON.parse already rounded them to
// the nearest representable double, so they are checked as finite, non-negative
// numbers, not as (safe) integers.
const nanoseconds = z.number().nonnegative();
// Polygon sends 0 for an empty side of the book and for a day without trades yet.
const price = z.number().nonnegative();

/**
 * One entry of the stocks snapshot `tickers[]`. Only the fields the adapter maps
 * are checked; the rest (min, prevDay, todaysChange…) is dropped. Every block is
 * optional: before the first trade of the day Polygon omits or zeroes them.
 */
const polygonSnapshotTickerSchema = z.object({
  ticker: z.string().min(1),
  day: z.object({ c: price.nullish(), v: z.number().nonnegative().nullish() }).nullish(),
  lastTrade: z.object({ p: price, t: nanoseconds }).nullish(),
  lastQuote: z.object({ p: price.nullish(), P: price.nullish() }).nullish(),
  updated: nanoseconds.nullish(),
});

const polygonSnapshotSchema = z.object({
  // DELAYED is what plans with 15-minute delayed data get; an error status
  // arriving with HTTP 200 must not pass for an empty market.
  status: z.enum(['OK', 'DELAYED']),
  // Polygon leaves `tickers` out when none of the asked tickers is known.
  tickers: z.array(polygonSnapshotTickerSchema).nullish(),
});

/** A validated snapshot entry (vendor wire type: stays inside the adapter). */
export type PolygonSnapshotTicker = z.infer<typeof polygonSnapshotTickerSchema>;

/**
 * Validates the body of a stocks snapshot answer (`{status, count, tickers}`).
 * Anything off (not JSON, error status, wrong types, negative or non-finite
 * numbers) rejects the whole batch as a TransientError `providerData`, so the
 * chain can fall over.
 */
export function parsePolygonSnapshot(raw: unknown): readonly PolygonSnapshotTicker[] {
  const parsed = polygonSnapshotSchema.safeParse(raw);
  if (parsed.success) return parsed.data.tickers ?? [];
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
  const why = issue === undefined ? 'invalid' : issue.message;
  throw new TransientError(
    `polygon snapshot response: ${where} is invalid (${why}); expected {status: OK|DELAYED, tickers: [...]}`,
    { code: ErrorCode.providerData, cause: parsed.error },
  );
}
