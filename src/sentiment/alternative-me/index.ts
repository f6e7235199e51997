import { z } from 'zod';
import { ConfigError, ErrorCode, SentimentMarket, type SentimentReading } from '../../domain/index.js';
import type { SentimentSource } from '../port.js';
import { AlternativeMeFngClient } from './client.js';
import { toSentimentReading } from './mapper.js';
import { parseAlternativeMeFng } from './schema.js';

/** Construction options of the alternative.me source; all optional. */
export type AlternativeMeSentimentSourceOptions = {
  /**
   * Origin (plus optional path prefix) of alternative.me's API, e.g.
   * `http://127.0.0.1:8080` for a recorded-response server.
   * Default `https://api.alternative.me`.
   */
  readonly baseUrl?: string;
  /** Budget per `fetch` call, body included, ms (integer > 0). Default 5000. */
  readonly timeoutMs?: number;
  /** How many daily values to fetch, i.e. the history length (integer > 0). Default 30. */
  readonly limit?: number;
  /** The fetch that performs the request. Default: the global fetch. */
  readonly fetch?: typeof fetch;
};

// limit=0 would mean "all history" to the API: refused, the history length must be explicit.
const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.alternative.me'),
  timeoutMs: z.number().int().positive().default(5000),
  limit: z.number().int().positive().default(30),
});

function parseOptions(options: AlternativeMeSentimentSourceOptions): z.infer<typeof optionsSchema> {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
  throw new ConfigError(`alternative.me source options are invalid: ${problems.join('; ')}`, {
    code: ErrorCode.config,
    cause: parsed.error,
  });
}

/**
 * alternative.me's Fear & Greed index for crypto (Bitcoin-led): one /fng/
 * request per call gives the latest daily value and the last `limit` days.
 * Throws ConfigError on bad options, then TransientError (HTTP 408/418/429/5xx,
 * network: `providerHttp`; timeout: `providerTimeout`; HTML, malformed JSON,
 * `metadata.error`, a value that is not a number in 0-100: `providerData`)
 * or PermanentError (other 4xx).
 */
export class AlternativeMeSentimentSource implements SentimentSource {
  readonly name = 'alternative.me';
  readonly market = SentimentMarket.crypto;
  readonly #client: AlternativeMeFngClient;

  constructor(options: AlternativeMeSentimentSourceOptions = {}) {
    this.#client = new AlternativeMeFngClient({
      ...parseOptions(options),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  async fetch(signal?: AbortSignal): Promise<SentimentReading> {
    return toSentimentReading(parseAlternativeMeFng(await this.#client.fng(signal)));
  }
}
