import { isCrypto, type Quote } from '../../../domain/index.js';
import type { YahooQuote } from './schema.js';

// Yahoo lists crypto only against fiat; dollar stablecoins are priced as USD.
const USD_LIKE: ReadonlySet<string> = new Set(['USD', 'USDT', 'USDC', 'BUSD']);

/**
 * The Yahoo ticker for a watched symbol: crypto pairs become BASE-QUOTE
 * (BTC/USDT and BTC/USD both become BTC-USD); equities pass through unchanged,
 * since Yahoo's own suffixes (VOD.L, SAP.DE) use the same dot.
 */
export function toYahooTicker(symbol: string): string {
  if (!isCrypto(symbol)) return symbol;
  const slash = symbol.indexOf('/');
  const base = symbol.slice(0, slash);
  const quoteAsset = symbol.slice(slash + 1);
  return `${base}-${USD_LIKE.has(quoteAsset) ? 'USD' : quoteAsset}`;
}

/** Maps a validated Yahoo entry to a domain Quote carrying the caller's symbol. */
export function toQuote(wire: YahooQuote, symbol: string): Quote {
  const { bid, ask, regularMarketVolume: volume } = wire;
  return {
    symbol,
    price: wire.regularMarketPrice,
    ...(bid != null && bid > 0 ? { bid } : {}),
    ...(ask != null && ask > 0 ? { ask } : {}),
    ...(volume != null ? { volume } : {}),
    tsMs: wire.regularMarketTime.getTime(),
    source: 'yahoo',
  };
}
