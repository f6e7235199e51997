import { isCrypto, type Quote } from '../../../domain/index.js';
import type { AlpacaSnapshot } from './schema.js';

/**
 * The symbols to ask the stock snapshots endpoint for: equities only (a crypto
 * pair there would fail the whole batch), each once, in the caller's order.
 */
export function toAlpacaStockSymbols(symbols: readonly string[]): readonly string[] {
  return [...new Set(symbols.filter((symbol) => !isCrypto(symbol)))];
}

/**
 * The pairs to ask the crypto snapshots endpoint for, each once, in the
 * caller's order. Alpaca names pairs BASE/QUOTE as we do and lists USD and
 * stablecoin quotes natively (BTC/USD, BTC/USDT, BTC/USDC), so a pair is asked
 * as given and its answer comes back under the same name; a pair Alpaca does
 * not list is simply not answered.
 */
export function toAlpacaCryptoPairs(symbols: readonly string[]): readonly string[] {
  return [...new Set(symbols.filter((symbol) => isCrypto(symbol)))];
}

/**
 * Maps a validated snapshot to a domain Quote under the caller's symbol: the
 * latest trade gives price and time, the latest quote the bid/ask (an empty
 * side, sent as 0, is left out), the daily bar the day's volume.
 */
export function toQuote(wire: AlpacaSnapshot, symbol: string): Quote {
  const { latestTrade: trade, latestQuote: book, dailyBar: day } = wire;
  return {
    symbol,
    price: trade.p,
    ...(book != null && book.bp > 0 ? { bid: book.bp } : {}),
    ...(book != null && book.ap > 0 ? { ask: book.ap } : {}),
    ...(day != null ? { volume: day.v } : {}),
    tsMs: trade.t.getTime(),
    source: 'alpaca',
  };
}
