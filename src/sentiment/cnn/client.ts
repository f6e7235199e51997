import { ErrorCode, PermanentError, TransientError } from '../../domain/index.js';

/** How to reach CNN's Fear & Greed data service; validated by the source before it gets here. */
export type CnnClientOptions = {
  /** Origin (plus optional path prefix) of the data service, e.g. `https://production.dataviz.cnn.io`. */
  readonly baseUrl: string;
  /** Budget for one request, body included, ms. */
  readonly timeoutMs: number;
  /** The fetch that performs the request. Default: the global fetch, looked up per call. */
  readonly fetch?: typeof fetch;
};

/** The current index with its one-year daily history and the sub-indicator series. */
export const CNN_GRAPHDATA_PATH = '/index/fearandgreed/graphdata';

/**
 * CNN's edge answers 418 "I'm a teapot. You're a bot." to agents that do not
 * look like a browser, so the request presents itself as desktop Chrome.
 */
export const CNN_BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': CNN_BROWSER_USER_AGENT,
  accept: 'application/json',
};

/**
 * Plain-fetch client of CNN's undocumented Fear & Greed data service. Maps
 * every failure to TransientError or PermanentError; messages carry the path,
 * the status and what was expected.
 */
export class CnnGraphdataClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(options: CnnClientOptions) {
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}${CNN_GRAPHDATA_PATH}`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch;
  }

  /**
   * GET graphdata and return its JSON body, unvalidated: the caller parses it.
   * Redirects are not followed (a Location could lead off the base URL); a
   * caller abort rethrows the caller's abort reason.
   * @see https://www.cnn.com/markets/fear-and-greed (the page this service feeds; no public API docs)
   */
  async graphdata(signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    const fetchFn = this.#fetch ?? globalThis.fetch;
    let response: Response;
    let body: string;
    try {
      response = await fetchFn(this.#url, { headers: REQUEST_HEADERS, redirect: 'manual', signal: combined });
      // Read under the same signal, so a stalled or reset body surfaces here.
      body = await response.text();
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw this.#transportError(err, timeout.aborted);
    }
    if (!response.ok) throw httpError(response.status);
    return parseJsonBody(body, response.headers.get('content-type'));
  }

  #transportError(err: unknown, timedOut: boolean): TransientError {
    if (timedOut) {
      return new TransientError(`cnn graphdata: no answer within ${this.#timeoutMs} ms`, {
        code: ErrorCode.providerTimeout,
        cause: err,
      });
    }
    return new TransientError(`cnn ${CNN_GRAPHDATA_PATH}: network error`, { code: ErrorCode.providerHttp, cause: err });
  }
}

/**
 * 418 (bot filter), 408, 429, 5xx and unfollowed 3xx may pass; other 4xx
 * (the path is gone, access refused) will not.
 */
function httpError(status: number): TransientError | PermanentError {
  const message = `cnn ${CNN_GRAPHDATA_PATH}: HTTP ${status}, expected 2xx`;
  if (status === 408 || status === 418 || status === 429 || status >= 500 || status < 400) {
    return new TransientError(message, { code: ErrorCode.providerHttp });
  }
  return new PermanentError(message, { code: ErrorCode.providerHttp });
}

/** The body as JSON; an HTML page (an edge or error page served as 200) or broken JSON is bad data. */
function parseJsonBody(body: string, contentType: string | null): unknown {
  if (body.trimStart().startsWith('<')) {
    throw new TransientError(
      `cnn ${CNN_GRAPHDATA_PATH}: body is HTML (content-type "${contentType ?? 'none'}"), expected JSON`,
      { code: ErrorCode.providerData },
    );
  }
  try {
    const value: unknown = JSON.parse(body);
    return value;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new TransientError(`cnn ${CNN_GRAPHDATA_PATH}: body is not valid JSON (${why}), expected JSON`, {
      code: ErrorCode.providerData,
      cause: err,
    });
  }
}
