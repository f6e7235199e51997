import { Alpaca, ApiError } from '@alpacahq/alpaca-trade-api/rest';
import { ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';

/** Alpaca's stock data feeds: `iex` is the free one, `sip` needs a paid plan. */
export type AlpacaFeed = 'iex' | 'sip';

/** What the snapshot client needs; validated by the source before it gets here. */
export type AlpacaClientOptions = {
  /** Sent as `APCA-API-KEY-ID`; non-empty (an empty one would let the library read env vars). */
  readonly keyId: string;
  /** Sent as `APCA-API-SECRET-KEY`; non-empty, never part of a message. */
  readonly secretKey: string;
  /** Origin (plus optional path prefix) that replaces `https://data.alpaca.markets`. */
  readonly baseUrl: string;
  /** Budget for one snapshots request (stock or crypto), body included, ms. */
  readonly timeoutMs: number;
  readonly feed: AlpacaFeed;
};

/** One Alpaca snapshots endpoint, as named in error messages. */
type AlpacaEndpoint = {
  /** Request path, without the query. */
  readonly path: string;
  /** Short name for the timeout message. */
  readonly label: string;
  /** What a usable body looks like, for the unusable-response message. */
  readonly shape: string;
};

const STOCK_SNAPSHOTS: AlpacaEndpoint = {
  path: '/v2/stocks/snapshots',
  label: 'snapshots',
  shape: 'an object keyed by symbol',
};

// `us` is Alpaca's own crypto venue, where orders placed through Alpaca execute.
const CRYPTO_LOC = 'us';

const CRYPTO_SNAPSHOTS: AlpacaEndpoint = {
  path: `/v1beta3/crypto/${CRYPTO_LOC}/snapshots`,
  label: 'crypto snapshots',
  shape: 'an object with snapshots keyed by pair',
};

// Statuses whose Response must not carry a body.
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** The connection failed (refused, reset, redirect refused) before a full response arrived. */
class AlpacaNetworkError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`alpaca ${path}: network error`, { cause });
  }
}

/**
 * The `fetchApi` handed to the library. It sends every request to `baseUrl`
 * (the facade has no host option), fetches through the global fetch looked up
 * per call, and reads the whole body under the request's signal so that a
 * reset mid-body surfaces here as a network error rather than as bad JSON.
 * Redirects stay refused: the library asks for `redirect: 'error'` so the key
 * headers can never follow one.
 */
function adapterFetch(baseUrl: string): (url: string, init: RequestInit) => Promise<Response> {
  const base = baseUrl.replace(/\/+$/, '');
  return async (url, init) => {
    const original = new URL(url);
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await globalThis.fetch(`${base}${original.pathname}${original.search}`, init);
      body = await response.arrayBuffer();
    } catch (err) {
      if (init.signal?.aborted === true) throw err;
      throw new AlpacaNetworkError(original.pathname, err);
    }
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The library wraps what fetchApi throws in its own FetchError; find ours in the chain. */
function networkErrorIn(err: unknown): AlpacaNetworkError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof AlpacaNetworkError) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * Thin wrapper over the `Alpaca` facade of @alpacahq/alpaca-trade-api with
 * retries and client-side rate limiting off (the provider chain decides what to
 * retry) and the deadline owned here: each request gets `timeoutMs`. Maps every
 * failure to TransientError or PermanentError; messages carry the path and
 * status only, never the keys.
 */
export class AlpacaSnapshotClient {
  readonly #alpaca: Alpaca;
  readonly #timeoutMs: number;
  readonly #feed: AlpacaFeed;

  constructor(options: AlpacaClientOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#feed = options.feed;
    // Both keys are non-empty, so the library takes them and never falls back to
    // APCA_API_KEY_ID / APCA_API_SECRET_KEY / APCA_API_OAUTH_TOKEN.
    this.#alpaca = new Alpaca({
      keyId: options.keyId,
      secret: options.secretKey,
      retry: false,
      rateLimit: false,
      // 0 disables the library's own per-attempt timer; the signal in #call bounds the request.
      timeoutMs: 0,
      fetchApi: adapterFetch(options.baseUrl),
      // The generated crypto calls send no key headers (crypto data is public), but
      // authenticated requests get the account's higher rate limit; the stock calls
      // set the same two headers themselves.
      headers: { 'APCA-API-KEY-ID': options.keyId, 'APCA-API-SECRET-KEY': options.secretKey },
    });
  }

  /**
   * One multi-symbol stock snapshots request for `symbols` (Alpaca tickers),
   * returned as the library hands it back (an object keyed by symbol,
   * timestamps already turned into Date), unvalidated: the caller parses it.
   * A caller abort rethrows the caller's abort reason.
   * @see https://docs.alpaca.markets/reference/stocksnapshots-1
   */
  async stockSnapshots(symbols: readonly string[], signal?: AbortSignal): Promise<unknown> {
    return this.#call(STOCK_SNAPSHOTS, signal, (init) =>
      this.#alpaca.marketData.stocks.stockSnapshots({ symbols: symbols.join(','), feed: this.#feed }, init),
    );
  }

  /**
   * One multi-pair crypto snapshots request for `pairs` (Alpaca pairs such as
   * BTC/USD) on Alpaca's own venue, returned as the library hands it back
   * (`{ snapshots }` keyed by pair, timestamps already Date), unvalidated: the
   * caller parses it. A caller abort rethrows the caller's abort reason.
   * @see https://docs.alpaca.markets/reference/cryptosnapshots-1
   */
  async cryptoSnapshots(pairs: readonly string[], signal?: AbortSignal): Promise<unknown> {
    return this.#call(CRYPTO_SNAPSHOTS, signal, (init) =>
      this.#alpaca.marketData.crypto.cryptoSnapshots({ loc: CRYPTO_LOC, symbols: pairs.join(',') }, init),
    );
  }

  async #call(
    endpoint: AlpacaEndpoint,
    signal: AbortSignal | undefined,
    request: (init: RequestInit) => Promise<unknown>,
  ): Promise<unknown> {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    try {
      return await request({ signal: combined });
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw this.#classify(endpoint, err, timeout.aborted);
    }
  }

  #classify(endpoint: AlpacaEndpoint, err: unknown, timedOut: boolean): TransientError | PermanentError {
    if (timedOut) {
      return new TransientError(`alpaca ${endpoint.label}: no answer within ${this.#timeoutMs} ms`, {
        code: ErrorCode.providerTimeout,
        cause: err,
      });
    }
    if (err instanceof ApiError) return httpError(endpoint, err);
    const network = networkErrorIn(err);
    if (network !== undefined) {
      return new TransientError(network.message, { code: ErrorCode.providerHttp, cause: network.cause });
    }
    return new TransientError(`alpaca ${endpoint.path}: unusable response (not JSON, or not ${endpoint.shape})`, {
      code: ErrorCode.providerData,
      cause: err,
    });
  }
}

/** 408/429/5xx may pass; 401/403 (bad key, feed not in the plan) and other 4xx will not. */
function httpError(endpoint: AlpacaEndpoint, err: ApiError): TransientError | PermanentError {
  const { status } = err;
  // The vendor's own message stays in `cause`: it is free text from the server.
  const message = `alpaca ${endpoint.path}: HTTP ${status}, expected 2xx`;
  if (status === 408 || status === 429 || status >= 500 || status < 400) {
    return new TransientError(message, { code: ErrorCode.providerHttp, cause: err });
  }
  return new PermanentError(message, { code: ErrorCode.providerHttp, cause: err });
}
