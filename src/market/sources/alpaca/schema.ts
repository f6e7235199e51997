import { z } from 'zod';
import { ErrorCode, TransientError } from '../../../domain/index.js';

// The library maps the wire JSON without checking it: numbers pass through as
// sent (a string stays a string), ISO times become Date (Invalid Date when
// garbled), and a missing or null sub-object becomes undefined.
const alpacaTradeSchema = z.object({
  /** Trade price in the quote currency: USD for stocks, the quote asset for a pair. */
  p: z.number().positive(),
  /** Trade time; the wire's nanoseconds are already cut to milliseconds. */
  t: z.date(),
});

const alpacaQuoteSchema = z.object({
  // Alpaca sends 0 for an empty side of the book.
  bp: z.number().nonnegative(),
  ap: z.number().nonnegative(),
});

const alpacaBarSchema = z.object({
  /** Volume traded in the bar: shares, or base-asset units for a pair. */
  v: z.number().nonnegative(),
});

/**
 * One symbol's or pair's snapshot; stocks and crypto share the fields used
 * here (crypto sizes and volumes are fractional units of the base asset).
 * Only the fields the adapter maps are checked; the rest (minute bar, previous
 * daily bar, sizes, exchanges, taker side) is dropped. Every documented
 * snapshot carries a latest trade, so one without it is bad data.
 */
const alpacaSnapshotSchema = z.object({
  latestTrade: alpacaTradeSchema,
  latestQuote: alpacaQuoteSchema.nullish(),
  dailyBar: alpacaBarSchema.nullish(),
});

// Stocks answer a bare object keyed by symbol; crypto wraps its pairs in `snapshots`.
const alpacaStockSnapshotsSchema = z.record(z.string(), alpacaSnapshotSchema);
const alpacaCryptoSnapshotsSchema = z.object({ snapshots: z.record(z.string(), alpacaSnapshotSchema) });

/** A validated Alpaca snapshot (vendor wire type: stays inside the adapter). */
export type AlpacaSnapshot = z.infer<typeof alpacaSnapshotSchema>;

/**
 * Validates what the multi-symbol stock snapshots call returned: an object
 * keyed by symbol. Anything off (wrong type, non-positive price, bad time, no
 * latest trade) rejects the whole batch as a TransientError `providerData`, so
 * the chain can fall over.
 */
export function parseAlpacaSnapshots(raw: unknown): ReadonlyMap<string, AlpacaSnapshot> {
  const parsed = alpacaStockSnapshotsSchema.safeParse(raw);
  if (parsed.success) return new Map(Object.entries(parsed.data));
  throw invalid('snapshots', 'an object of snapshots keyed by symbol', parsed.error);
}

/**
 * Validates what the crypto snapshots call returned: `{ snapshots }` keyed by
 * pair (BTC/USD). Same rules and failure as the stock batch.
 */
export function parseAlpacaCryptoSnapshots(raw: unknown): ReadonlyMap<string, AlpacaSnapshot> {
  const parsed = alpacaCryptoSnapshotsSchema.safeParse(raw);
  if (parsed.success) return new Map(Object.entries(parsed.data.snapshots));
  throw invalid('crypto snapshots', 'snapshots keyed by pair', parsed.error);
}

function invalid(what: string, expected: string, error: z.ZodError): TransientError {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'response' : issue.path.map(String).join('.');
  const why = issue === undefined ? 'invalid' : issue.message;
  return new TransientError(`alpaca ${what} response: ${where} is invalid (${why}); expected ${expected}`, {
    code: ErrorCode.providerData,
    cause: error,
  });
}
