import { AssetClass, isCrypto, type Quote } from '../../../domain/index.js';
import type { MarketDataSource } from '../../port.js';
import { PolygonSnapshotClient } from './client.js';
import { toQuote } from './mapper.js';
import { parsePolygonSnapshot } from './schema.js';

/** Construction options of the Polygon source. */
export type PolygonMarketDataSourceOptions = {
  /** Polygon API key (sent as `?apiKey=`, never put in a message). */
  readonly apiKey: string;
  /** Origin of the REST API. Default `https://api.polygon.io`. */
  readonly baseUrl?: string;
  /** Budget per `fetchQuotes` call, ms (> 0). Default 5000. */
  readonly timeoutMs?: number;
};

const DEFAULT_BASE_URL = 'https://api.polygon.io';
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Live US equity quotes from Polygon.io through @polygon.io/client-js: one
 * full-market snapshot request filtered to the asked tickers per call. Tickers
 * Polygon does not return (or returns without a price) are absent. Throws
 * TransientError (HTTP 429/5xx, network, timeout `providerTimeout`, bad data
 * `providerData`) or PermanentError (401/403/other 4xx).
 */
export class PolygonMarketDataSource implements MarketDataSource {
  readonly name = 'polygon';
  readonly assetClasses = [AssetClass.equity] as const;
  readonly #client: PolygonSnapshotClient;

  constructor(options: PolygonMarketDataSourceOptions) {
    this.#client = new PolygonSnapshotClient({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  async fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]> {
    // An empty `tickers` asks Polygon for the whole market (10,000+ entries).
    const tickers = [...new Set(symbols.filter((s) => s.trim() !== '' && !isCrypto(s)))];
    if (tickers.length === 0) return [];
    const wire = parsePolygonSnapshot(await this.#client.snapshot(tickers, signal));
    const byTicker = new Map<string, Quote>();
    for (const entry of wire) {
      const quote = toQuote(entry);
      if (quote !== undefined && !byTicker.has(quote.symbol)) byTicker.set(quote.symbol, quote);
    }
    // In the caller's order; anything Polygon added that was not asked is ignored.
    return tickers.flatMap((ticker) => {
      const quote = byTicker.get(ticker);
      return quote === undefined ? [] : [quote];
    });
  }

  /**
   * Nothing to release: no timer outlives a call, and idle keep-alive sockets
   * belong to Node's global agent, which does not hold the process open.
   */
  async close(): Promise<void> {}
}
