import { AssetClass, ErrorCode, PermanentError, isCrypto, type Quote } from '../../../domain/index.js';
import type { MarketDataSource } from '../../port.js';
import { CcxtTickerClient } from './client.js';
import { toQuote } from './mapper.js';
import { parseCcxtTickers } from './schema.js';

/** Construction options of the ccxt source; all optional. */
export type CcxtMarketDataSourceOptions = {
  /** ccxt exchange id (any of `ccxt.exchanges`, checked on the first fetch). Default `binance`. */
  readonly exchange?: string;
  /**
   * Origin that replaces Binance's public spot API host, e.g.
   * `http://127.0.0.1:8080` for a recorded-response server (requests go to
   * `<baseUrl>/api/v3/...`). Binance only. Default: the real exchange.
   */
  readonly baseUrl?: string;
  /** Budget per `fetchQuotes` call (market load included when due), ms (> 0). Default 5000. */
  readonly timeoutMs?: number;
};

const DEFAULT_EXCHANGE = 'binance';
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Live crypto quotes from one exchange through ccxt: markets load once (on the
 * first fetch, retried by the next one after a failure), then one batched
 * `fetchTickers` call per fetch for the pairs the exchange lists; pairs it does
 * not list are absent without a request. Named `ccxt:<exchange>`.
 * Throws TransientError (network, 429/418 rate limits, 5xx, timeout
 * `providerTimeout`, bad data `providerData`) or PermanentError (an unknown
 * exchange id, or the exchange refusing the request: bad symbol, auth).
 * The constructor does no I/O and does not import ccxt.
 */
export class CcxtMarketDataSource implements MarketDataSource {
  readonly name: string;
  readonly assetClasses = [AssetClass.crypto] as const;
  readonly #client: CcxtTickerClient;

  /** Throws PermanentError when `baseUrl` is given for an exchange other than binance. */
  constructor(options: CcxtMarketDataSourceOptions = {}) {
    const exchangeId = options.exchange ?? DEFAULT_EXCHANGE;
    this.name = `ccxt:${exchangeId}`;
    if (options.baseUrl !== undefined && exchangeId !== 'binance') {
      throw new PermanentError(
        `ccxt exchange "${exchangeId}" with a baseUrl: baseUrl override is supported for binance only`,
        { code: ErrorCode.sourceUnavailable },
      );
    }
    this.#client = new CcxtTickerClient({
      exchangeId,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  async fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]> {
    const pairs = [...new Set(symbols.filter(isCrypto))];
    if (pairs.length === 0) return [];
    const { listed, raw } = await this.#client.fetchTickers(pairs, signal);
    const tickers = parseCcxtTickers(raw, this.name);
    const quotes: Quote[] = [];
    for (const symbol of listed) {
      const ticker = tickers[symbol];
      if (ticker !== undefined) quotes.push(toQuote(ticker, symbol, this.name));
    }
    return quotes;
  }

  /** Releases the exchange's pooled connections; later fetches fail with PermanentError. */
  async close(): Promise<void> {
    await this.#client.close();
  }
}
