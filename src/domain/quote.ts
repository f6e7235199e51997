/**
 * Market data as the rest of the system sees it, whatever vendor served it.
 * Prices are in the instrument's quote currency (USD for US equities, the
 * quote asset for crypto pairs); timestamps are epoch milliseconds, UTC.
 */

/** A price observation for one symbol. */
export type Quote = {
  readonly symbol: string;
  /** Last trade or close price; finite and > 0 once validated. */
  readonly price: number;
  readonly bid?: number;
  readonly ask?: number;
  /** Traded volume in units of the instrument; >= 0 once validated. */
  readonly volume?: number;
  /** Exchange timestamp of the observation, epoch ms UTC. */
  readonly tsMs: number;
  /** Which provider served it: yahoo, polygon, alpaca, ccxt:<exchange> or replay. */
  readonly source: string;
};

/** An OHLCV bar; `tsMs` is the bar's timestamp as the vendor stamps it. */
export type Bar = {
  readonly symbol: string;
  readonly tsMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
};

/** Turns a bar into the quote it stands for: the close at the bar's time. */
export function quoteFromBar(bar: Bar, source: string): Quote {
  return { symbol: bar.symbol, price: bar.close, volume: bar.volume, tsMs: bar.tsMs, source };
}
