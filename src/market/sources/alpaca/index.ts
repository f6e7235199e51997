import { z } from 'zod';
import { AssetClass, ConfigError, ErrorCode, type Quote } from '../../../domain/index.js';
import type { MarketDataSource } from '../../port.js';
import { AlpacaSnapshotClient, type AlpacaFeed } from './client.js';
import { toAlpacaStockSymbols, toQuote } from './mapper.js';
import { parseAlpacaSnapshots } from './schema.js';

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
  /** Budget per `fetchQuotes` call, ms (integer > 0). Default 5000. */
  readonly timeoutMs?: number;
  /** Stock feed: `iex` (free, the default) or `sip` (paid plan; 403 without it). */
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

/**
 * Live US-equity quotes from Alpaca Market Data through
 * @alpacahq/alpaca-trade-api: one multi-symbol snapshots request per call.
 * Crypto is not served (no recorded crypto answer to test against); symbols
 * Alpaca does not answer are absent. Throws ConfigError on bad options, then
 * TransientError (HTTP 408/429/5xx, network, timeout `providerTimeout`, bad
 * data `providerData`) or PermanentError (401/403 and other 4xx).
 */
export class AlpacaMarketDataSource implements MarketDataSource {
  readonly name = 'alpaca';
  readonly assetClasses = [AssetClass.equity] as const;
  readonly #client: AlpacaSnapshotClient;

  constructor(options: AlpacaMarketDataSourceOptions) {
    this.#client = new AlpacaSnapshotClient(parseOptions(options));
  }

  async fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]> {
    const wanted = toAlpacaStockSymbols(symbols);
    if (wanted.length === 0) return [];
    const snapshots = parseAlpacaSnapshots(await this.#client.snapshots(wanted, signal));
    const quotes: Quote[] = [];
    for (const symbol of wanted) {
      const snapshot = snapshots.get(symbol);
      if (snapshot !== undefined) quotes.push(toQuote(snapshot, symbol));
    }
    return quotes;
  }

  /** Nothing to release: no pooled connection or timer outlives a call. */
  async close(): Promise<void> {}
}
