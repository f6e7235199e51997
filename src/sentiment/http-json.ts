import { ErrorCode, PermanentError, TransientError } from '../domain/index.js';

/** One JSON GET, and the names its error messages use. */
export type JsonGet = {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Budget for the request, body included, ms. */
  readonly timeoutMs: number;
  /** The fetch to use; default the global fetch, looked up per call. */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** How messages name the endpoint, e.g. `cnn /index/fearandgreed/graphdata`. */
  readonly label: string;
  /** How the timeout message names it, e.g. `cnn graphdata`. */
  readonly shortLabel: string;
};

/**
 * GETs a JSON body for the sentiment adapters and returns it unvalidated
 * (the caller parses it with its schema). Every failure becomes a
 * TransientError or PermanentError whose message names the endpoint, the
 * status and what was expected. Redirects are not followed (a Location could
 * lead off the base URL); a caller abort rethrows the caller's reason.
 */
export async function getJson(get: JsonGet): Promise<unknown> {
  get.signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(get.timeoutMs);
  const combined = get.signal === undefined ? timeout : AbortSignal.any([get.signal, timeout]);
  const fetchFn = get.fetch ?? globalThis.fetch;
  let response: Response;
  let body: string;
  try {
    response = await fetchFn(get.url, { headers: get.headers, redirect: 'manual', signal: combined });
    // Read under the same signal, so a stalled or reset body surfaces here.
    body = await response.text();
  } catch (err) {
    if (get.signal?.aborted === true) throw get.signal.reason;
    if (timeout.aborted) {
      throw new TransientError(`${get.shortLabel}: no answer within ${get.timeoutMs} ms`, { code: ErrorCode.providerTimeout, cause: err });
    }
    throw new TransientError(`${get.label}: network error`, { code: ErrorCode.providerHttp, cause: err });
  }
  if (!response.ok) throw httpError(get.label, response.status);
  return parseJsonBody(get.label, body, response.headers.get('content-type'));
}

/** 408, 418 (CNN's bot filter), 429, 5xx and unfollowed 3xx may pass; other 4xx will not. */
function httpError(label: string, status: number): TransientError | PermanentError {
  const message = `${label}: HTTP ${status}, expected 2xx`;
  if (status === 408 || status === 418 || status === 429 || status >= 500 || status < 400) {
    return new TransientError(message, { code: ErrorCode.providerHttp });
  }
  return new PermanentError(message, { code: ErrorCode.providerHttp });
}

/** The body as JSON; an HTML page (an edge, proxy or error page served as 200) or broken JSON is bad data. */
function parseJsonBody(label: string, body: string, contentType: string | null): unknown {
  if (body.trimStart().startsWith('<')) {
    throw new TransientError(`${label}: body is HTML (content-type "${contentType ?? 'none'}"), expected JSON`, {
      code: ErrorCode.providerData,
    });
  }
  try {
    const value: unknown = JSON.parse(body);
    return value;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new TransientError(`${label}: body is not valid JSON (${why}), expected JSON`, { code: ErrorCode.providerData, cause: err });
  }
}
