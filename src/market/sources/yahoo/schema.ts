import { z } from 'zod';
import { ErrorCode, TransientError } from '../../../domain/index.js';

/**
 * One entry of Yahoo's v7 quote response as yahoo-finance2 hands it back with
 * `validateResult: false`: the library still coerces what it can (epoch seconds
 * to Date, numeric strings to numbers) but no longer throws on the fields we
 * don't use. Only the fields the adapter maps are checked; the rest is dropped.
 */
const yahooQuoteSchema = z.object({
  symbol: z.string().min(1),
  regularMarketPrice: z.number().positive(),
  regularMarketTime: z.date(),
  regularMarketVolume: z.number().nonnegative().nullish(),
  // Yahoo sends 0 for an empty side of the book (e.g. market closed).
  bid: z.number().nonnegative().nullish(),
  ask: z.number().nonnegative().nullish(),
});

const yahooQuoteListSchema = z.array(yahooQuoteSchema);

/** A validated Yahoo quote entry (vendor wire type: stays inside the adapter). */
export type YahooQuote = z.infer<typeof yahooQuoteSchema>;

/**
 * Validates what `quote()` returned for a batch of symbols.
 * Anything off (wrong type, non-positive price, missing time) rejects the whole
 * batch as a TransientError `providerData`, so the chain can fall over.
 */
export function parseYahooQuotes(raw: unknown): readonly YahooQuote[] {
  const parsed = yahooQuoteListSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined ? 'response' : ['result', ...issue.path.map(String)].join('.');
  const why = issue === undefined ? 'invalid' : issue.message;
  throw new TransientError(`yahoo quote response: ${where} is invalid (${why}); expected the v7 quote shape`, {
    code: ErrorCode.providerData,
    cause: parsed.error,
  });
}
