import type { Clock, WatchedSymbol } from '../domain/index.js';
import type { QuoteFetcher } from './fetcher.js';
import type { Tick, TickFeed } from './port.js';

/** Options of a live feed. */
export type LiveFeedOptions = {
  readonly fetcher: QuoteFetcher;
  readonly symbols: readonly WatchedSymbol[];
  readonly clock: Clock;
};

/**
 * Live quotes: every tick runs the provider chain for all watched symbols
 * and stamps the tick with the wall clock. It never runs out; symbols no
 * provider could serve come back as failures with each provider's reason.
 */
export class LiveFeed implements TickFeed {
  readonly kind = 'live';

  constructor(private readonly options: LiveFeedOptions) {}

  get description(): string {
    const symbols = this.options.symbols.map((s) => s.symbol).join(', ');
    return `live quotes for ${symbols} from ${this.options.fetcher.sourceNames.join(' → ')}`;
  }

  async start(): Promise<void> {}

  async next(signal?: AbortSignal): Promise<Tick> {
    const tsMs = this.options.clock.nowMs();
    const { quotes, failures } = await this.options.fetcher.fetch(this.options.symbols, signal);
    return { tsMs, quotes, failures };
  }

  async close(): Promise<void> {
    await this.options.fetcher.close();
  }
}
