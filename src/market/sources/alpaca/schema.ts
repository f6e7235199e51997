import { z } from 'zod';
import { ErrorCode, TransientError } from '../../../domain/index.js';

// The library maps the wire JSON without checking it: numbers pass through as
// sent (a string stays a string), ISO times become Date (Invalid Date when
// garbled), and a missing or null sub-object becomes undefined.
const alpacaTradeSchema = z.object({
  /** Trade price, USD. */
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
  /** Shares traded in the bar. */
  v: z.number().nonnegative(),
});

/**
 * One symbol's snapshot. Only the fields the adapter maps are checked; the
 * rest (minute bar, previous daily bar, sizes, exchanges) is dropped. Every
 * documented snapshot carries a latest trade, so one without it is bad data.
 */
const alpacaSnapshotSchema = z.object({
  latestTrade: alpacaTradeSchema,
  latestQuote: alpacaQuoteSchema.nullish(),
  dailyBar: alpacaBarSchema.nullish(),
});

const alpacaSnapshotsSchema = z.record(z.string(), alpacaSnapshotSchema);

/** A validated Alpaca stock snapshot (vendor wire type: stays inside the adapter). */
export type AlpacaSnapshot = z.infer<typeof alpacaSnapshotSchema>;

/**
 * Validates what the multi-symbol snapshots call returned: an object keyed by
 * symbol. Anything off (wrong type, non-positive price, bad time, no latest
 * trade) rejects the whole batch as a TransientError `providerData`, so the
 * chain can fall over.
 */
export function parseAlpacaSnapshots(raw: unknown): ReadonlyMap<string, AlpacaSnapshot> {
  const parsed = alpacaSnapshotsSchema.safeParse(raw);
  if (parsed.success) return new Map(Object.entries(parsed.data));
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'response' : issue.path.map(String).join('.');
  const why = issue === undefined ? 'invalid' : issue.message;
  throw new TransientError(
    `alpaca snapshots response: ${where} is invalid (${why}); expected an object of snapshots keyed by symbol`,
    { code: ErrorCode.providerData, cause: parsed.error },
  );
}
