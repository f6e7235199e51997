import { restClient } from '@polygon.io/client-js';
import { z } from 'zod';
import { ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';

/** How to reach Polygon and how long to wait. */
export type PolygonClientOptions = {
  /** Polygon API key; it travels as `?apiKey=` and must never reach a message. */
  readonly apiKey: string;
  /** Origin of the REST API, e.g. `https://api.polygon.io` or a local test server. */
  readonly baseUrl: string;
  /** Budget for one snapshot request, body included, ms (> 0). */
  readonly timeoutMs: number;
};

type PolygonRest = ReturnType<typeof restClient>;

/** Path of the stocks snapshot endpoint; messages name it instead of the URL. */
const SNAPSHOT_PATH = '/v2/snapshot/locale/us/markets/stocks/tickers';

/**
 * What the adapter reads from a rejection of the client (an AxiosError: axios is
 * the client's transport, not a dependency of ours, so it is narrowed by shape).
 */
const axiosFailureSchema = z.object({
  isAxiosError: z.literal(true),
  code: z.string().optional(),
  message: z.string(),
  response: z.object({ status: z.number().int() }).optional(),
});

/**
 * The cause attached to our errors in place of the AxiosError, which keeps the
 * full request URL (and so the API key) in `config.url` and `request`.
 */
export class PolygonRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status of the answer, when one arrived. */
    readonly status: number | undefined,
    /** Transport error code (ECONNRESET, ERR_BAD_RESPONSE…), when known. */
    readonly transportCode: string | undefined,
  ) {
    super(message);
    this.name = 'PolygonRequestError';
  }
}

/** Drops query strings (where the key travels) and any literal copy of the key. */
function redact(text: string, apiKey: string): string {
  let out = text.replace(/\?[^\s'"]*/g, '');
  for (const secret of new Set([apiKey, encodeURIComponent(apiKey)])) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * Thin wrapper over @polygon.io/client-js (axios underneath) that makes the one
 * batched snapshot call and maps every failure to TransientError or
 * PermanentError. Messages carry the path and status only, never the URL's
 * query string (it holds the API key). The client itself never logs.
 */
export class PolygonSnapshotClient {
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #rest: PolygonRest;

  constructor(options: PolygonClientOptions) {
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs;
    // Pagination stays off: it would follow an absolute `next_url` from the body.
    this.#rest = restClient(options.apiKey, options.baseUrl.replace(/\/+$/, ''));
  }

  /**
   * One full-market snapshot request filtered to `tickers`, returned as the
   * client hands it back (the body), unvalidated: the caller parses it.
   * A caller abort rethrows the caller's abort reason.
   * @see https://massive.com/docs/rest/stocks/snapshots/full-market-snapshot (Polygon.io, renamed Massive)
   */
  async snapshot(tickers: readonly string[], signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    try {
      // The client would send an array as repeated `tickers=` parameters; Polygon
      // documents one comma-separated value.
      const body: unknown = await this.#rest.getStocksSnapshotTickers([tickers.join(',')], undefined, {
        signal: combined,
        // A redirect could lead away from baseUrl with the key in the query.
        maxRedirects: 0,
      });
      return body;
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      throw this.#classify(err, timeout.aborted);
    }
  }

  #classify(err: unknown, timedOut: boolean): TransientError | PermanentError {
    const failure = axiosFailureSchema.safeParse(err);
    const status = failure.success ? failure.data.response?.status : undefined;
    const transportCode = failure.success ? failure.data.code : undefined;
    const detail = failure.success ? failure.data.message : err instanceof Error ? err.message : String(err);
    const cause = new PolygonRequestError(redact(detail, this.#apiKey), status, transportCode);
    if (timedOut) {
      return new TransientError(`polygon snapshot: no answer within ${this.#timeoutMs} ms`, {
        code: ErrorCode.providerTimeout,
        cause,
      });
    }
    if (status === undefined) {
      const code = transportCode === undefined ? '' : ` (${redact(transportCode, this.#apiKey)})`;
      return new TransientError(`polygon ${SNAPSHOT_PATH}: network error${code}`, {
        code: ErrorCode.providerHttp,
        cause,
      });
    }
    const message = `polygon ${SNAPSHOT_PATH}: HTTP ${status}, expected 2xx`;
    if (status === 408 || status === 429 || status >= 500 || status < 400) {
      return new TransientError(message, { code: ErrorCode.providerHttp, cause });
    }
    // 401 unknown key, 403 not entitled, other 4xx: retrying will not help.
    return new PermanentError(message, { code: ErrorCode.providerHttp, cause });
  }
}
