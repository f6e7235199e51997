/**
 * Merging the bars of several files into one timeline: at most one bar per
 * (symbol, timestamp), one tick per distinct timestamp.
 */
import type { Bar, Quote } from '../../../domain/index.js';
import { ErrorCode, InputError, quoteFromBar } from '../../../domain/index.js';
import type { Tick } from '../../port.js';
import type { ParsedBars } from './types.js';
import { isoFromMs } from './values.js';

/** Source name carried by every replayed quote. */
export const REPLAY_SOURCE = 'replay';

function byTimeThenSymbol(a: Bar, b: Bar): number {
  if (a.tsMs !== b.tsMs) return a.tsMs - b.tsMs;
  if (a.symbol === b.symbol) return 0;
  return a.symbol < b.symbol ? -1 : 1;
}

/**
 * Concatenates the bars of every part, sorted by timestamp then symbol.
 * Throws InputError (`replayRow`) naming both places when two bars share a
 * symbol and timestamp, within one file or across files.
 */
export function mergeBars(parts: readonly ParsedBars[]): Bar[] {
  const seen = new Map<string, { readonly part: ParsedBars; readonly index: number }>();
  const merged: Bar[] = [];
  for (const part of parts) {
    part.bars.forEach((bar, index) => {
      const key = `${bar.symbol} ${bar.tsMs}`;
      const first = seen.get(key);
      if (first !== undefined) {
        const places = `${first.part.placeOf(first.index)} and ${part.placeOf(index)}`;
        throw new InputError(
          `duplicate bar for ${bar.symbol} at ${isoFromMs(bar.tsMs)}: ${places} (expected one bar per symbol and timestamp)`,
          { code: ErrorCode.replayRow },
        );
      }
      seen.set(key, { part, index });
      merged.push(bar);
    });
  }
  return merged.sort(byTimeThenSymbol);
}

/**
 * Groups bars sorted by mergeBars into ticks: one per distinct timestamp,
 * holding the quote of every symbol with a bar at that instant.
 */
export function ticksFromBars(sorted: readonly Bar[]): Tick[] {
  const ticks: Tick[] = [];
  let tsMs = Number.NaN;
  let quotes: Quote[] = [];
  for (const bar of sorted) {
    if (bar.tsMs !== tsMs) {
      tsMs = bar.tsMs;
      quotes = [];
      ticks.push({ tsMs, quotes });
    }
    quotes.push(quoteFromBar(bar, REPLAY_SOURCE));
  }
  return ticks;
}

/** Every symbol of the bars, sorted. */
export function symbolsOf(bars: readonly Bar[]): string[] {
  return [...new Set(bars.map((b) => b.symbol))].sort();
}
