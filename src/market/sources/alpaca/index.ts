import { z } from 'zod';
import { AssetClass, ConfigError, ErrorCode, isCrypto, type Quote } from '../../../domain/index.js';
import type { MarketDataSource } from '../../port.js';
import { AlpacaSnapshotClient, type AlpacaFeed } from './client.js';
import { toAlpacaCryptoPairs, toAlpacaStockSymbols, toQuote } from './mapper.js';
import { parseAlpacaCryptoSnapshots, parseAlpacaSnapshots, type AlpacaSnapshot } from './schema.js';

export type { AlpacaFeed } from './client.js';

/** Construction options of the Alpaca source. */
export type AlpacaMarketDataSourceOptions = {
  /** Alpaca API key id (`APCA-API-KEY-ID`); non-empty. */
  readonly keyId: string;
  /** Alpaca API secret (`APCA-API-SECRET-KEY`); non-empty, never logged or put in errors. */
  readonly secretKey: string;
  /**
   * Origin that replaces `https://data.alpaca.markets`, e.g.
   * `http://127.0.0.1:8080` for a recorded-response server. Default: the real host.
   */
  readonly baseUrl?: string;
  /**
   * Budget per `fetchQuotes` call, ms (integer > 0). Default 5000. The stock and
   * crypto requests of one call run side by side, each within this budget.
   */
  readonly timeoutMs?: number;
  /** Stock feed: `iex` (free, the default) or `sip` (paid plan; 403 without it). Crypto has no feed choice. */
  readonly feed?: AlpacaFeed;
};

// Empty keys are refused here: the library would silently fill them from APCA_* env vars.
const optionsSchema = z.object({
  keyId: z.string().min(1),
  secretKey: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://data.alpaca.markets'),
  timeoutMs: z.number().int().positive().default(5000),
  feed: z.enum(['iex', 'sip']).default('iex'),
});

function parseOptions(options: AlpacaMarketDataSourceOptions): z.infer<typeof optionsSchema> {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  // Issues name the field and the rule only, never the value (the secret may be in it).
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
  throw new ConfigError(`alpaca source options are invalid: ${problems.join('; ')}`, {
    code: ErrorCode.config,
    cause: parsed.error,
  });
}

type Answers = ReadonlyMap<string, AlpacaSnapshot>;

/** Runs one asset class's request, none when it has no symbols; a failure aborts `sibling` first. */
async function askUnlessEmpty(
  wanted: readonly string[],
  sibling: AbortController,
  request: () => Promise<Answers>,
): Promise<Answers> {
  if (wanted.length === 0) return new Map();
  try {
    return await request();
  } catch (err) {
    sibling.abort(err);
    throw err;
  }
}

/**
 * Live quotes from Alpaca Market Data through @alpacahq/alpaca-trade-api, for
 * US equities and crypto pairs. Each call makes at most two requests, both
 * batched and sent side by side: the stock snapshots for its equities (on the
 * configured feed) and the crypto snapshots for its pairs (Alpaca's own venue,
 * pairs asked as given: BTC/USD, BTC/USDT). A class with no symbols in the call
 * costs no request. Quotes carry the caller's symbols in the caller's order;
 * symbols Alpaca does not answer are absent. If either request fails the whole
 * call fails (the other is cancelled), so the chain falls over for all of it.
 * Throws ConfigError on bad options, then TransientError (HTTP 408/429/5xx,
 * network, timeout `providerTimeout`, bad data `providerData`) or
 * PermanentError (401/403 and other 4xx).
 */
export class AlpacaMarketDataSource implements MarketDataSource {
  readonly name = 'alpaca';
  readonly assetClasses = [AssetClass.equity, AssetClass.crypto] as const;
  readonly #client: AlpacaSnapshotClient;

  constructor(options: AlpacaMarketDataSourceOptions) {
    this.#client = new AlpacaSnapshotClient(parseOptions(options));
  }

  async fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]> {
    const stocks = toAlpacaStockSymbols(symbols);
    const pairs = toAlpacaCryptoPairs(symbols);
    // The first failure decides the call, so it cancels the other request rather than awaiting it.
    const sibling = new AbortController();
    const shared = signal === undefined ? sibling.signal : AbortSignal.any([signal, sibling.signal]);
    const [stockAnswers, cryptoAnswers] = await Promise.all([
      askUnlessEmpty(stocks, sibling, async () => parseAlpacaSnapshots(await this.#client.stockSnapshots(stocks, shared))),
      askUnlessEmpty(pairs, sibling, async () => parseAlpacaCryptoSnapshots(await this.#client.cryptoSnapshots(pairs, shared))),
    ]);
    const quotes: Quote[] = [];
    for (const symbol of new Set(symbols)) {
      const snapshot = (isCrypto(symbol) ? cryptoAnswers : stockAnswers).get(symbol);
      if (snapshot !== undefined) quotes.push(toQuote(snapshot, symbol));
    }
    return quotes;
  }

  /** Nothing to release: no pooled connection or timer outlives a call. */
  async close(): Promise<void> {}
}
