import type { AssetClass, Quote } from '../domain/index.js';

/** One provider's reason for not serving a symbol (`http_error`, `stale_timestamp`, …). */
export type Cause = { readonly source: string; readonly reason: string };

/** A symbol no provider could serve this time, with every provider's reason. */
export type SymbolFailure = { readonly symbol: string; readonly causes: readonly Cause[] };

/** One tick's worth of market data: every quote observed at one instant. */
export type Tick = {
  /** The tick's instant, epoch ms UTC (the replay clock is set to it). */
  readonly tsMs: number;
  readonly quotes: readonly Quote[];
  /** Watched symbols left without a quote this tick, and why (live only). */
  readonly failures?: readonly SymbolFailure[];
};

/**
 * A live market-data provider (Yahoo, Polygon, Alpaca, CCXT). One adapter per
 * vendor; vendor wire types never leave the adapter.
 */
export interface MarketDataSource {
  /** Stable name carried on every quote it serves (`yahoo`, `ccxt:binance`). */
  readonly name: string;
  /** Asset classes it serves; the chain never asks it for others. */
  readonly assetClasses: readonly AssetClass[];
  /**
   * Latest quotes for the symbols it can serve, in one batched request where
   * the vendor allows it. Symbols it does not return are simply absent.
   * Throws TransientError (retry / fall over) or PermanentError.
   */
  fetchQuotes(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]>;
  close(): Promise<void>;
}

/**
 * What the tick loop pulls from: live (a provider chain at wall-clock time)
 * or replay (recorded bars, one timestamp per tick).
 */
export interface TickFeed {
  readonly kind: 'live' | 'replay';
  /** Human description for the start-up line (`replay 301 ticks from …`). */
  readonly description: string;
  start(): Promise<void>;
  /** The next tick, or undefined once the data is exhausted (replay only). */
  next(signal?: AbortSignal): Promise<Tick | undefined>;
  close(): Promise<void>;
}
