import { getJson } from '../http-json.js';

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
  fng(signal?: AbortSignal): Promise<unknown> {
    return getJson({
      url: this.#url,
      headers: REQUEST_HEADERS,
      timeoutMs: this.#timeoutMs,
      fetch: this.#fetch,
      signal,
      label: `alternative.me ${ALTERNATIVE_ME_FNG_PATH}`,
      shortLabel: 'alternative.me fng',
    });
  }
}
