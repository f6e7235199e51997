import type { Quote } from '../domain/index.js';

/** Two providers disagreeing on a symbol's price. */
export type Divergence = {
  readonly symbol: string;
  readonly sources: readonly [string, string];
  readonly prices: readonly [number, number];
  /** |b − a| / a. */
  readonly ratio: number;
};

/** How close in time two answers must be to be compared, ms. */
const WINDOW_MS = 60_000;

/**
 * Compares each accepted quote with the latest one another provider gave
 * for the same symbol within the last minute (a fallback, or --verify asking
 * two) and reports a divergence above the threshold.
 */
export class CrossCheck {
  private readonly latest = new Map<string, Map<string, { price: number; atMs: number }>>();

  constructor(private readonly threshold: number) {}

  /** Records `quote` seen at `nowMs`; returns the divergences it reveals. */
  observe(quote: Quote, nowMs: number): Divergence[] {
    const bySource = this.latest.get(quote.symbol) ?? new Map<string, { price: number; atMs: number }>();
    this.latest.set(quote.symbol, bySource);
    const found: Divergence[] = [];
    for (const [source, seen] of bySource) {
      if (source === quote.source || nowMs - seen.atMs > WINDOW_MS) continue;
      const ratio = Math.abs(quote.price - seen.price) / seen.price;
      if (ratio > this.threshold) {
        found.push({ symbol: quote.symbol, sources: [source, quote.source], prices: [seen.price, quote.price], ratio });
      }
    }
    bySource.set(quote.source, { price: quote.price, atMs: nowMs });
    return found;
  }
}
