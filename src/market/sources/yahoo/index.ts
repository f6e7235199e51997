import { AssetClass, type Quote } from '../../../domain/index.js';
import type { MarketDataSource } from '../../port.js';
import { YahooQuoteClient } from './client.js';
import { toQuote, toYahooTicker } from './mapper.js';
import { parseYahooQuotes } from './schema.js';

/** Construction options of the Yahoo source; all optional. */
export type YahooMarketDataSourceOptions = {
  /**
   * Origin that replaces every Yahoo host (finance, query1/query2, guce…),
   * e.g. `http://127.0.0.1:8080` for a recorded-response server. Default: real Yahoo.
   */
  readonly baseUrl?: string;
  /** Budget per `fetchQuotes` call, cookie/crumb handshake included, ms (> 0). Default 5000. */
  readonly timeoutMs?: number;
  /** The fetch that performs the requests. Default: global fetch. */
  readonly fetch?: typeof fetch;
};

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Live quotes from Yahoo Finance through yahoo-finance2: one batched v7 quote
 * request per call, crypto pairs asked as Yahoo tickers (BTC/USDT → BTC-USD)
 * and answered under the caller's symbol. Throws TransientError (HTTP 429/5xx,
 * network, timeout `providerTimeout`, bad data `providerData`) or
 * PermanentError (other 4xx).
 */
export class YahooMarketDataSource implements MarketDataSource {
  readonly name = 'yahoo';
  readonly assetClasses = [AssetClass.equity, AssetClass.crypto] as const;
  readonly #client: YahooQuoteClient;

  constructor(options: YahooMarketDataSourceOptions = {}) {
    this.#client = new YahooQuoteClient({
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  async fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]> {
    if (symbols.length === 0) return [];
    // Several watched symbols may share one Yahoo ticker (BTC/USDT, BTC/USD).
    const byTicker = new Map<string, string[]>();
    for (const symbol of symbols) {
      const ticker = toYahooTicker(symbol);
      const originals = byTicker.get(ticker) ?? [];
      if (!originals.includes(symbol)) originals.push(symbol);
      byTicker.set(ticker, originals);
    }
    const wire = parseYahooQuotes(await this.#client.quote([...byTicker.keys()], signal));
    const quotes: Quote[] = [];
    for (const entry of wire) {
      for (const symbol of byTicker.get(entry.symbol) ?? []) quotes.push(toQuote(entry, symbol));
      byTicker.delete(entry.symbol);
    }
    return quotes;
  }

  /** Nothing to release: no pooled connection or timer outlives a call. */
  async close(): Promise<void> {}
}
