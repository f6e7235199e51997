import { ErrorCode, PermanentError, TransientError } from '../../domain/index.js';

/** How to reach alternative.me's API; validated by the source before it gets here. */
export type AlternativeMeClientOptions = {
  /** Origin (plus optional path prefix) of the API, e.g. `https://api.alternative.me`. */
  readonly baseUrl: string;
  /** Budget for one request, body included, ms. */
  readonly timeoutMs: number;
  /** How many daily values to ask for, newest first (integer > 0). */
  readonly limit: number;
  /** The fetch that performs the request. Default: the global fetch, looked up per call. */
  readonly fetch?: typeof fetch;
};

/** The crypto Fear & Greed index endpoint (the trailing slash is part of it). */
export const ALTERNATIVE_ME_FNG_PATH = '/fng/';

const REQUEST_HEADERS: Readonly<Record<string, string>> = { accept: 'application/json' };

/**
 * Plain-fetch client of alternative.me's Fear & Greed API. Maps transport and
 * HTTP failures to TransientError or PermanentError; messages carry the path,
 * the status and what was expected.
 */
export class AlternativeMeFngClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(options: AlternativeMeClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.#url = `${base}${ALTERNATIVE_ME_FNG_PATH}?limit=${options.limit}&format=json`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch;
  }

  /**
   * GET the latest `limit` daily values and return the JSON body, unvalidated:
   * the caller parses it (API errors arrive there, in `metadata.error`, with
   * HTTP 200). Redirects are not followed; a caller abort rethrows the
   * caller's abort reason.
   * @see https://alternative.me/crypto/fear-and-greed-index/#api
   */
  async fng(signal?: AbortSignal): Promise<unknown> {
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
      return new TransientError(`alternative.me fng: no answer within ${this.#timeoutMs} ms`, {
        code: ErrorCode.providerTimeout,
        cause: err,
      });
    }
    return new TransientError(`alternative.me ${ALTERNATIVE_ME_FNG_PATH}: network error`, {
      code: ErrorCode.providerHttp,
      cause: err,
    });
  }
}

/** 408, 418, 429, 5xx and unfollowed 3xx may pass; other 4xx will not. */
function httpError(status: number): TransientError | PermanentError {
  const message = `alternative.me ${ALTERNATIVE_ME_FNG_PATH}: HTTP ${status}, expected 2xx`;
  if (status === 408 || status === 418 || status === 429 || status >= 500 || status < 400) {
    return new TransientError(message, { code: ErrorCode.providerHttp });
  }
  return new PermanentError(message, { code: ErrorCode.providerHttp });
}

/** The body as JSON; an HTML page (a proxy or error page served as 200) or broken JSON is bad data. */
function parseJsonBody(body: string, contentType: string | null): unknown {
  if (body.trimStart().startsWith('<')) {
    throw new TransientError(
      `alternative.me ${ALTERNATIVE_ME_FNG_PATH}: body is HTML (content-type "${contentType ?? 'none'}"), expected JSON`,
      { code: ErrorCode.providerData },
    );
  }
  try {
    const value: unknown = JSON.parse(body);
    return value;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new TransientError(`alternative.me ${ALTERNATIVE_ME_FNG_PATH}: body is not valid JSON (${why}), expected JSON`, {
      code: ErrorCode.providerData,
      cause: err,
    });
  }
}
