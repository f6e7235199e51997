import type { Bar } from '../../../domain/index.js';
import type { Tick } from '../../port.js';

/**
 * Recorded market data ready to replay: one tick per distinct timestamp,
 * ascending by `tsMs`, each tick's quotes sorted by symbol (source `replay`).
 */
export type ReplayData = {
  /** Every symbol with at least one bar, sorted. */
  readonly symbols: readonly string[];
  /** Never empty once loaded; no two ticks share a `tsMs`. */
  readonly ticks: readonly Tick[];
  /** The files the data was read from, in reading order. */
  readonly files: readonly string[];
};

/**
 * The bars behind a replay, before they become ticks: sorted by `tsMs`, then
 * symbol, with at most one bar per (symbol, timestamp).
 */
export type ReplayBars = {
  readonly bars: readonly Bar[];
  readonly files: readonly string[];
};

/** Options of the replay loader. */
export type ReplayOptions = {
  /**
   * The symbols the user asked for (`--symbols`). Only used for formats that
   * carry no symbol (Binance klines), which need exactly one crypto pair here.
   */
  readonly symbolHint?: readonly string[];
};

/** The bars of one file, with where each came from (for duplicate errors). */
export type ParsedBars = {
  readonly bars: readonly Bar[];
  /** Where bar `index` sits: `file.csv:7` or `file.json results[3]`. */
  readonly placeOf: (index: number) => string;
};
