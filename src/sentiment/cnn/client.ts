import { getJson } from '../http-json.js';

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
  graphdata(signal?: AbortSignal): Promise<unknown> {
    return getJson({
      url: this.#url,
      headers: REQUEST_HEADERS,
      timeoutMs: this.#timeoutMs,
      fetch: this.#fetch,
      signal,
      label: `cnn ${CNN_GRAPHDATA_PATH}`,
      shortLabel: 'cnn graphdata',
    });
  }
}
