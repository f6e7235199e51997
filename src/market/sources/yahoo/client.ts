import YahooFinance from 'yahoo-finance2';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';

/** How to reach Yahoo: real hosts by default, or one local server in tests. */
export type YahooClientOptions = {
  /** When set, every Yahoo URL is rewritten to this origin + path + query. */
  readonly baseUrl?: string;
  /** Budget for one `quote()` call including the cookie/crumb handshake, ms. */
  readonly timeoutMs: number;
  /** The fetch that performs the (rewritten) requests; global fetch by default. */
  readonly fetch?: typeof fetch;
};

type YahooFinanceClient = InstanceType<typeof YahooFinance>;

const noop = (): void => {};
// yahoo-finance2 warns "Unsupported environment" on Node < 22 and prints notices
// through its logger; the adapter must stay silent, failures surface as errors.
const silentLogger = { info: noop, warn: noop, error: noop, debug: noop, dir: noop };

// Statuses whose Response must not carry a body.
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** A non-2xx answer from a Yahoo API host (query1/query2). */
class YahooHttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`yahoo ${path}: HTTP ${status}`);
  }
}

/** The connection failed (refused, reset, DNS) before a full response arrived. */
class YahooNetworkError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`yahoo ${path}: network error`, { cause });
  }
}

/** API hosts answer JSON (and the crumb); the others serve the cookie handshake pages. */
function isApiHost(hostname: string): boolean {
  return /^query\d*\.finance\.yahoo\.com$/.test(hostname);
}

function urlOf(input: string | URL | Request): URL {
  return new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
}

/**
 * The fetch handed to yahoo-finance2. It rewrites every URL to `baseUrl` when
 * set, never follows redirects itself (so a Location can't leave the base URL),
 * reads the whole body under the request's signal so that resets surface here,
 * and turns a non-2xx answer from an API host into YahooHttpStatusError before
 * the library sees it (the library would print the URL, crumb included, to
 * console.error).
 */
function adapterFetch(baseUrl: string | undefined, inner: typeof fetch): typeof fetch {
  const base = baseUrl?.replace(/\/+$/, '');
  return async (input, init) => {
    const original = urlOf(input);
    const target = base === undefined ? original.href : `${base}${original.pathname}${original.search}`;
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await inner(target, { ...init, redirect: 'manual' });
      body = await response.arrayBuffer();
    } catch (err) {
      if (init?.signal?.aborted === true) throw err;
      throw new YahooNetworkError(original.pathname, err);
    }
    if (isApiHost(original.hostname) && !response.ok) {
      throw new YahooHttpStatusError(response.status, original.pathname);
    }
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * Thin wrapper over yahoo-finance2 that owns one cookie/crumb session and maps
 * every failure to TransientError or PermanentError. Messages carry the path and
 * status only: never the query string (it holds the crumb) nor cookies.
 */
export class YahooQuoteClient {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  #yf: YahooFinanceClient;

  constructor(options: YahooClientOptions) {
    this.#fetch = adapterFetch(options.baseUrl, options.fetch ?? globalThis.fetch);
    this.#timeoutMs = options.timeoutMs;
    this.#yf = this.#newSession();
  }

  /**
   * One batched v7 quote request for `tickers` (Yahoo tickers), returned as the
   * library hands it back, unvalidated: the caller parses it.
   * A caller abort rethrows the caller's abort reason.
   * @see https://jsr.io/@gadicc/yahoo-finance2/doc/modules/quote
   */
  async quote(tickers: readonly string[], signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    try {
      const raw: unknown = await this.#yf.quote(
        [...tickers],
        {},
        { validateResult: false, fetchOptions: { signal: combined } },
      );
      return raw;
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw this.#classify(err, timeout.aborted);
    }
  }

  /**
   * A fresh cookie jar per session: the library's default jar is shared by all
   * instances, and the crumb is cached per jar.
   */
  #newSession(): YahooFinanceClient {
    return new YahooFinance({
      fetch: this.#fetch,
      cookieJar: new ExtendedCookieJar(),
      // On a validation failure the library would otherwise query registry.npmjs.org
      // with the global fetch, bypassing the fetch above.
      versionCheck: false,
      suppressNotices: ['yahooSurvey'],
      logger: silentLogger,
      validation: { logErrors: false, logOptionsErrors: false },
    });
  }

  #classify(err: unknown, timedOut: boolean): TransientError | PermanentError {
    if (timedOut) {
      return new TransientError(`yahoo quote: no answer within ${this.#timeoutMs} ms`, {
        code: ErrorCode.providerTimeout,
        cause: err,
      });
    }
    if (err instanceof YahooHttpStatusError) return this.#httpError(err);
    if (err instanceof YahooNetworkError) {
      return new TransientError(err.message, { code: ErrorCode.providerHttp, cause: err.cause });
    }
    return new TransientError(
      'yahoo quote: unusable response (not JSON, not the v7 quote shape, or the cookie/crumb handshake failed)',
      { code: ErrorCode.providerData, cause: err },
    );
  }

  #httpError(err: YahooHttpStatusError): TransientError | PermanentError {
    const { status } = err;
    const message = `${err.message}, expected 2xx`;
    if (status === 401) {
      // "Invalid Crumb": the session expired; the next call handshakes again.
      this.#yf = this.#newSession();
      return new TransientError(message, { code: ErrorCode.providerHttp, cause: err });
    }
    if (status === 408 || status === 429 || status >= 500 || status < 400) {
      return new TransientError(message, { code: ErrorCode.providerHttp, cause: err });
    }
    return new PermanentError(message, { code: ErrorCode.providerHttp, cause: err });
  }
}
