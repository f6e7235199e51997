import { z } from 'zod';
import { ConfigError, ErrorCode, SentimentMarket, type SentimentReading } from '../../domain/index.js';
import type { SentimentSource } from '../port.js';
import { CnnGraphdataClient } from './client.js';
import { toSentimentReading } from './mapper.js';
import { parseCnnGraphdata } from './schema.js';

/** Construction options of the CNN source; all optional. */
export type CnnSentimentSourceOptions = {
  /**
   * Origin (plus optional path prefix) of CNN's data service, e.g.
   * `http://127.0.0.1:8080` for a recorded-response server.
   * Default `https://production.dataviz.cnn.io`.
   */
  readonly baseUrl?: string;
  /** Budget per `fetch` call, body included, ms (integer > 0). Default 5000. */
  readonly timeoutMs?: number;
  /** The fetch that performs the request. Default: the global fetch. */
  readonly fetch?: typeof fetch;
};

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://production.dataviz.cnn.io'),
  timeoutMs: z.number().int().positive().default(5000),
});

function parseOptions(options: CnnSentimentSourceOptions): z.infer<typeof optionsSchema> {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
  throw new ConfigError(`cnn source options are invalid: ${problems.join('; ')}`, {
    code: ErrorCode.config,
    cause: parsed.error,
  });
}

/**
 * CNN's Fear & Greed index for US equities: one graphdata request per call
 * gives the current value, about a year of daily history and the seven
 * sub-indicators' scores (nine series: momentum and VIX come in two variants).
 * Throws ConfigError on bad options, then TransientError (HTTP 418 bot filter,
 * 408/429/5xx, network: `providerHttp`; timeout: `providerTimeout`; HTML,
 * malformed JSON, a score outside 0-100: `providerData`) or PermanentError
 * (other 4xx).
 */
export class CnnSentimentSource implements SentimentSource {
  readonly name = 'cnn';
  readonly market = SentimentMarket.equity;
  readonly #client: CnnGraphdataClient;

  constructor(options: CnnSentimentSourceOptions = {}) {
    this.#client = new CnnGraphdataClient({
      ...parseOptions(options),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  async fetch(signal?: AbortSignal): Promise<SentimentReading> {
    return toSentimentReading(parseCnnGraphdata(await this.#client.graphdata(signal)));
  }
}
