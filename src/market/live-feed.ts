import type { Clock } from '../domain/index.js';
import type { MarketDataSource, Tick, TickFeed } from './port.js';

/** Options of a live feed. */
export type LiveFeedOptions = {
  readonly source: MarketDataSource;
  readonly symbols: readonly string[];
  readonly clock: Clock;
};

/**
 * Live quotes: every tick asks the provider for all watched symbols at once
 * and stamps the tick with the wall clock. It never runs out.
 */
export class LiveFeed implements TickFeed {
  readonly kind = 'live';

  constructor(private readonly options: LiveFeedOptions) {}

  get description(): string {
    return `live quotes from ${this.options.source.name} for ${this.options.symbols.join(', ')}`;
  }

  async start(): Promise<void> {}

  async next(signal?: AbortSignal): Promise<Tick> {
    const tsMs = this.options.clock.nowMs();
    const quotes = await this.options.source.fetchQuotes(this.options.symbols, signal);
    return { tsMs, quotes };
  }

  async close(): Promise<void> {
    await this.options.source.close();
  }
}
