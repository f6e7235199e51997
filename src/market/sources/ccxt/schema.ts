import { z } from 'zod';
import { ErrorCode, TransientError } from '../../../domain/index.js';

/**
 * One entry of what ccxt's `fetchTickers` resolves to: ccxt's unified ticker,
 * already parsed from the exchange's wire format (strings turned into numbers,
 * missing fields as undefined). Only the fields the adapter maps are checked;
 * the rest (`info`, vwap, change…) is dropped. zod 4 numbers reject NaN and
 * ±Infinity.
 */
const ccxtTickerSchema = z.object({
  symbol: z.string().min(1),
  last: z.number().positive(),
  // Epoch ms of the exchange's last update; a quote without it can't be ordered.
  timestamp: z.number().int().positive(),
  // Some exchanges send 0 (or nothing) for an empty side of the book.
  bid: z.number().nonnegative().nullish(),
  ask: z.number().nonnegative().nullish(),
  baseVolume: z.number().nonnegative().nullish(),
});

const ccxtTickersSchema = z.record(z.string(), ccxtTickerSchema);

/** A validated ccxt unified ticker (vendor type: stays inside the adapter). */
export type CcxtTicker = z.infer<typeof ccxtTickerSchema>;

/**
 * Validates the `fetchTickers` result, a dictionary keyed by unified symbol.
 * Anything off (not a dictionary, no positive `last`, no timestamp) rejects the
 * whole batch as a TransientError `providerData`, so the chain can fall over.
 * `source` (`ccxt:binance`) names the provider in the message.
 */
export function parseCcxtTickers(raw: unknown, source: string): Readonly<Record<string, CcxtTicker>> {
  const parsed = ccxtTickersSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined ? 'response' : ['tickers', ...issue.path.map(String)].join('.');
  const why = issue === undefined ? 'invalid' : issue.message;
  throw new TransientError(
    `${source} fetchTickers: ${where} is invalid (${why}); expected ccxt unified tickers with last > 0 and a timestamp`,
    { code: ErrorCode.providerData, cause: parsed.error },
  );
}
