import type * as CcxtModule from 'ccxt';
import type { Exchange } from 'ccxt';
import { ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';

/** How to reach the exchange: real hosts by default, or one local server in tests. */
export type CcxtClientOptions = {
  /** ccxt exchange id (`binance`, `kraken`…), checked against ccxt's list on first use. */
  readonly exchangeId: string;
  /** Binance only: origin that replaces the public spot API host (`https://api.binance.com`). */
  readonly baseUrl?: string;
  /** Budget for one round (market load if due, then the ticker call), ms; also ccxt's per-request timeout. */
  readonly timeoutMs: number;
};

/** What one round returns: the requested symbols the exchange lists, and ccxt's answer for them. */
export type CcxtTickersRound = {
  /** The requested symbols found among the exchange's markets, in request order. */
  readonly listed: readonly string[];
  /** `fetchTickers` result as ccxt resolved it, unvalidated (`{}` when nothing was listed). */
  readonly raw: unknown;
};

type Ccxt = typeof CcxtModule;
type Session = { readonly ccxt: Ccxt; readonly exchange: Exchange };
type Operation = 'loadMarkets' | 'fetchTickers';

const noop = (): void => {};

/** Our own deadline for a round passed before ccxt answered. */
class RoundTimeout extends Error {}

/** `id` names an exchange class ccxt ships (own keys only: no `constructor`, `__proto__`). */
function isExchangeId<M extends object>(exchanges: M, id: string): id is Extract<keyof M, string> {
  return Object.hasOwn(exchanges, id);
}

/** ccxt's undici Agent (an untyped field): destroying it drops pooled sockets and abandoned requests. */
function isDestroyable(value: unknown): value is { destroy(): Promise<void> } {
  return typeof value === 'object' && value !== null && 'destroy' in value && typeof value.destroy === 'function';
}

/**
 * Settles like `work`, unless the caller's signal aborts first (rejects with
 * its reason) or `timeoutMs` passes (rejects with RoundTimeout). ccxt takes no
 * AbortSignal, so a lost race leaves the request to ccxt's own timeout and its
 * late outcome is ignored.
 */
function race<T>(work: Promise<T>, signal: AbortSignal | undefined, timeoutMs?: number): Promise<T> {
  work.catch(noop);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      done();
      reject(signal?.reason);
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      done();
      reject(new RoundTimeout());
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}

/**
 * Thin wrapper over one ccxt exchange instance. ccxt is imported on first use
 * (importing it costs most of a second, which a CLI start must not pay), markets
 * load once, and every failure becomes a TransientError or PermanentError.
 * Messages name the exchange, the ccxt operation and ccxt's error class only:
 * ccxt's own messages carry URLs and response bodies and stay in `cause`.
 */
export class CcxtTickerClient {
  readonly #options: CcxtClientOptions;
  readonly #source: string;
  #session: Promise<Session> | undefined;
  #markets: Promise<ReadonlySet<string>> | undefined;
  #marketsFailed = false;
  #closed = false;

  constructor(options: CcxtClientOptions) {
    this.#options = options;
    this.#source = `ccxt:${options.exchangeId}`;
  }

  /**
   * One round for `symbols` (unified BASE/QUOTE): loads the markets if not yet
   * loaded, keeps the symbols the exchange lists, and asks for all of them in
   * one batched call (none when nothing is listed). A caller abort rethrows the
   * caller's abort reason.
   * @see https://docs.ccxt.com/#/README?id=loading-markets
   * @see https://docs.ccxt.com/#/README?id=price-tickers
   * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints#exchange-information
   * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#24hr-ticker-price-change-statistics
   */
  async fetchTickers(symbols: readonly string[], signal?: AbortSignal): Promise<CcxtTickersRound> {
    signal?.throwIfAborted();
    if (this.#closed) {
      throw new PermanentError(`${this.#source}: the source is closed; build a new one`, { code: ErrorCode.sourceUnavailable });
    }
    this.#session ??= this.#openSession();
    const session = await race(this.#session, signal);
    const progress: { op: Operation } = { op: 'loadMarkets' };
    try {
      return await race(this.#round(session, symbols, progress), signal, this.#options.timeoutMs);
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw this.#classify(session.ccxt, err, progress.op);
    }
  }

  /**
   * Releases ccxt's pooled connections, cutting requests still in flight (their
   * callers have moved on or get an error); later calls fail with PermanentError.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const session = await this.#session?.catch(noop);
    if (session === undefined) return;
    await session.exchange.close();
    const dispatcher: unknown = session.exchange.fetchDispatcher;
    if (isDestroyable(dispatcher)) await dispatcher.destroy();
  }

  async #round(session: Session, symbols: readonly string[], progress: { op: Operation }): Promise<CcxtTickersRound> {
    const markets = await this.#loadMarkets(session.exchange);
    const listed = symbols.filter((symbol) => markets.has(symbol));
    if (listed.length === 0) return { listed, raw: {} };
    progress.op = 'fetchTickers';
    const raw: unknown = await session.exchange.fetchTickers([...listed]);
    return { listed, raw };
  }

  /**
   * The exchange's unified symbols, loaded once. ccxt caches a failed load's
   * rejected promise forever, so after a failure the next call forces a reload.
   */
  #loadMarkets(exchange: Exchange): Promise<ReadonlySet<string>> {
    if (this.#markets !== undefined) return this.#markets;
    const loading = exchange.loadMarkets(this.#marketsFailed).then((markets) => new Set(Object.keys(markets)));
    this.#markets = loading;
    loading.catch(() => {
      this.#markets = undefined;
      this.#marketsFailed = true;
    });
    return loading;
  }

  async #openSession(): Promise<Session> {
    const { exchangeId, baseUrl, timeoutMs } = this.#options;
    let ccxt: Ccxt;
    try {
      ccxt = await import('ccxt');
    } catch (err) {
      throw new PermanentError(`${this.#source}: the ccxt package could not be loaded`, {
        code: ErrorCode.sourceUnavailable,
        cause: err,
      });
    }
    if (!isExchangeId(ccxt.exchanges, exchangeId)) {
      throw new PermanentError(
        `ccxt exchange "${exchangeId}": not a ccxt exchange; expected an id from ccxt.exchanges (binance, kraken, coinbase…)`,
        { code: ErrorCode.sourceUnavailable },
      );
    }
    const ExchangeClass: typeof Exchange = ccxt.exchanges[exchangeId];
    const base = baseUrl?.replace(/\/+$/, '');
    const exchange = new ExchangeClass({
      timeout: timeoutMs,
      // ccxt prints through `log` (console.log) when verbose and on its own retries.
      verbose: false,
      log: noop,
      // Watched crypto symbols are spot pairs: loading binance's futures markets
      // would cost two more hosts (fapi, dapi) that may be blocked where spot is not.
      ...(exchangeId === 'binance' ? { options: { fetchMarkets: { types: ['spot'] } } } : {}),
      // ccxt deep-merges `urls.api`: only the public spot keys move; without API
      // keys nothing else (sapi, fapi…) is ever called.
      ...(base === undefined
        ? {}
        : { urls: { api: { public: `${base}/api/v3`, private: `${base}/api/v3`, v1: `${base}/api/v1` } } }),
    });
    return { ccxt, exchange };
  }

  #classify(ccxt: Ccxt, err: unknown, op: Operation): TransientError | PermanentError {
    const where = `${this.#source} ${op}`;
    if (err instanceof RoundTimeout || err instanceof ccxt.RequestTimeout) {
      return new TransientError(`${where}: no answer within ${this.#options.timeoutMs} ms`, {
        code: ErrorCode.providerTimeout,
        cause: err,
      });
    }
    const kind = err instanceof Error ? `ccxt ${err.name}` : 'a non-Error value';
    if (err instanceof ccxt.BadResponse || !(err instanceof ccxt.BaseError)) {
      // Bad JSON or an unexpected shape surfaces as BadResponse or as a TypeError
      // from ccxt's parsers.
      return new TransientError(`${where}: unusable response (${kind}); expected the exchange's JSON shape`, {
        code: ErrorCode.providerData,
        cause: err,
      });
    }
    // A failed market load is retried by the next call, whatever the cause.
    if (err instanceof ccxt.OperationFailed || op === 'loadMarkets') {
      return new TransientError(`${where}: ${kind} (network, rate limit or exchange unavailable)`, {
        code: ErrorCode.providerHttp,
        cause: err,
      });
    }
    return new PermanentError(`${where}: ${kind} (the exchange refused the request)`, {
      code: ErrorCode.providerHttp,
      cause: err,
    });
  }
}
