import type { SentimentMarket, SentimentReading } from '../domain/index.js';

/**
 * A published Fear & Greed index (CNN for equities, alternative.me for
 * crypto). Vendor wire types never leave the adapter.
 */
export interface SentimentSource {
  /** `cnn` or `alternative.me`: carried on every reading as its source. */
  readonly name: string;
  readonly market: SentimentMarket;
  /**
   * The latest value with its daily history (oldest first).
   * Throws TransientError (down, 5xx, 418, HTML, malformed, `metadata.error`)
   * or PermanentError (other 4xx).
   */
  fetch(signal?: AbortSignal): Promise<SentimentReading>;
}
