import { InvariantError, ErrorCode, type Clock, type WatchedSymbol } from '../domain/index.js';
import type { QuoteFetcher } from './fetcher.js';
import type { Tick, TickFeed } from './port.js';

/** Options of a live feed. */
export type LiveFeedOptions = {
  /** Builds the provider chain at start (vendor clients load then, not at import). */
  readonly connect: () => Promise<QuoteFetcher>;
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
  private fetcher: QuoteFetcher | undefined;

  constructor(private readonly options: LiveFeedOptions) {}

  get description(): string {
    const symbols = this.options.symbols.map((s) => s.symbol).join(', ');
    return `live quotes for ${symbols} from ${this.fetcher?.sourceNames.join(' → ') ?? 'providers'}`;
  }

  async start(): Promise<void> {
    this.fetcher ??= await this.options.connect();
  }

  async next(signal?: AbortSignal): Promise<Tick> {
    if (!this.fetcher) throw new InvariantError('live feed used before start()', { code: ErrorCode.invariant });
    const tsMs = this.options.clock.nowMs();
    const { quotes, failures } = await this.fetcher.fetch(this.options.symbols, signal);
    return { tsMs, quotes, failures };
  }

  async close(): Promise<void> {
    await this.fetcher?.close();
  }
}
