import type { Quote } from '../../../domain/index.js';
import type { CcxtTicker } from './schema.js';

/**
 * Maps a validated ccxt unified ticker to a domain Quote carrying the caller's
 * symbol: the last trade is the price, a book side of 0 means "empty" and is
 * left out, and the volume is the 24 h base-asset volume (units of the pair's
 * base asset, as a Quote's volume is in units of the instrument).
 */
export function toQuote(ticker: CcxtTicker, symbol: string, source: string): Quote {
  const { bid, ask, baseVolume } = ticker;
  return {
    symbol,
    price: ticker.last,
    ...(bid != null && bid > 0 ? { bid } : {}),
    ...(ask != null && ask > 0 ? { ask } : {}),
    ...(baseVolume != null ? { volume: baseVolume } : {}),
    tsMs: ticker.timestamp,
    source,
  };
}
