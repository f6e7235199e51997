import type { Clock } from '../domain/index.js';
import type { FetchEvent } from '../market/fetcher.js';
import type { SymbolFailure } from '../market/port.js';
import { topics, type MessagePublisher } from '../bus/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { SkippedSource } from './chain.js';
import type { SentimentProblem } from '../sentiment/engine.js';

/** Counts the monitor keeps, for the run summary (and the metrics issue). */
export type MarketCounts = {
  /** Refused quotes by reason, all providers together. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Failed provider calls by `source:reason`. */
  readonly failedCalls: Readonly<Record<string, number>>;
  /** Ticks a symbol got no quote from any provider, by symbol. */
  readonly unserved: Readonly<Record<string, number>>;
  readonly divergences: number;
};

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Turns what the provider chain reports into logs (each kind once per
 * source and reason, never per tick), counts, and `health` messages on
 * breaker changes and price divergences.
 */
export class MarketMonitor {
  private readonly rejected: Record<string, number> = {};
  private readonly failedCalls: Record<string, number> = {};
  private readonly unserved: Record<string, number> = {};
  private readonly said = new Set<string>();
  private divergences = 0;
  private readonly breakers: Record<string, string> = {};

  constructor(
    private readonly log: Logger,
    private readonly bus: MessagePublisher,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Logs `message` the first time `key` is seen. */
  private once(key: string, log: () => void): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    log();
  }

  /** Providers left out of the chain: said once, at start. */
  skippedSources(skipped: readonly SkippedSource[]): void {
    for (const { source, reason } of skipped) {
      this.log.info({ component: 'market', source, detail: `${source}: ${reason}` }, 'source skipped');
    }
  }

  /** A quote refused at the edge (replay and live alike). */
  rejectQuote(source: string, symbol: string, reason: string): void {
    bump(this.rejected, reason);
    this.metrics.quoteRejected(source, reason);
    this.once(`reject:${source}:${reason}`, () => this.log.warn({ component: 'market', source, symbol, reason }, 'quote rejected'));
  }

  onEvent(event: FetchEvent): void {
    switch (event.kind) {
      case 'reject':
        return this.rejectQuote(event.source, event.symbol, event.reason);
      case 'failure':
        bump(this.failedCalls, `${event.source}:${event.reason}`);
        this.metrics.error(`market:${event.source}`);
        return this.once(`failure:${event.source}:${event.reason}`, () =>
          this.log.warn({ component: 'market', source: event.source, reason: event.reason, err: event.error }, 'source failed, falling back'),
        );
      case 'breaker':
        this.breakers[event.source] = event.to;
        this.metrics.breakerState(event.source, event.to);
        this.metrics.serviceUp(event.source, event.to !== 'open');
        this.log.warn({ component: 'market', source: event.source, from: event.from, to: event.to }, 'circuit breaker changed');
        this.bus.publish(topics.health(), 'health', { service: event.source, up: event.to !== 'open', breaker: { from: event.from, to: event.to } }, this.clock.nowMs());
        return;
      case 'divergence': {
        this.divergences += 1;
        const { symbol, sources, prices, ratio } = event;
        this.once(`divergence:${symbol}:${sources.join(',')}`, () =>
          this.log.warn({ component: 'market', symbol, sources, prices, ratio }, 'providers disagree on a price'),
        );
        this.bus.publish(topics.health(), 'health', { service: 'market', up: true, divergence: { symbol, sources, prices, ratio } }, this.clock.nowMs());
        return;
      }
      case 'fetch':
        this.metrics.dataFetch(event.source, event.seconds, event.ok);
        return;
    }
  }

  /** A sentiment index that could not be read: said once per source and error code. */
  sentimentProblem({ source, market, error }: SentimentProblem): void {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown';
    bump(this.failedCalls, `${source}:${code}`);
    this.metrics.error(`sentiment:${source}`);
    this.once(`sentiment:${source}:${code}`, () =>
      this.log.warn({ component: 'sentiment', source, market, err: error }, 'sentiment source failed, using the fallback'),
    );
  }

  /** Symbols no provider served this tick: one error per symbol and set of causes. */
  unservedSymbols(failures: readonly SymbolFailure[]): void {
    for (const { symbol, causes } of failures) {
      bump(this.unserved, symbol);
      const summary = causes.map((c) => `${c.source}: ${c.reason}`).join('; ');
      this.once(`unserved:${symbol}:${summary}`, () =>
        this.log.error({ component: 'market', symbol, causes, detail: `${symbol}: ${summary || 'no provider serves it'}` }, 'no provider could serve a symbol'),
      );
    }
  }

  /** Breaker state of every provider whose breaker has ever changed (others are closed). */
  breakerStates(): Readonly<Record<string, string>> {
    return { ...this.breakers };
  }

  counts(): MarketCounts {
    return { rejected: { ...this.rejected }, failedCalls: { ...this.failedCalls }, unserved: { ...this.unserved }, divergences: this.divergences };
  }
}
