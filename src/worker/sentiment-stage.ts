import type { Config } from '../config/index.js';
import type { Clock, Quote } from '../domain/index.js';
import { topics, type MessagePublisher } from '../bus/index.js';
import type { MarketMood, SentimentEngine, SentimentSnapshot } from '../sentiment/engine.js';
import type { Component } from './component.js';
import type { Metrics } from '../telemetry/metrics.js';

/** Identity of a snapshot's content: values and sources, not timestamps. */
function sentimentKey(snapshot: SentimentSnapshot): string {
  const part = (m: MarketMood | null) => (m ? `${m.value}|${m.source}` : '-');
  return `${part(snapshot.equity)};${part(snapshot.crypto)}`;
}

function entry(mood: MarketMood | null) {
  return mood ? { value: mood.value, label: mood.label, source: mood.source, ts: new Date(mood.tsMs).toISOString() } : undefined;
}

/**
 * The sentiment part of a run: fetches the indices on the engine's own
 * cadence, outside the tick (a slow index never delays a tick), feeds the
 * proxy with each tick's accepted quotes, and publishes `sentiment` when a
 * market's value or source changed.
 */
export class SentimentStage implements Component {
  readonly name = 'sentiment';
  private timer: NodeJS.Timeout | undefined;
  private lastKey = '';

  constructor(
    private readonly config: Config,
    private readonly engine: SentimentEngine,
    private readonly bus: MessagePublisher,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  async start(): Promise<string> {
    if (this.config.source.kind === 'replay') return 'proxy from the replayed prices';
    void this.engine.refresh();
    this.timer = setInterval(() => void this.engine.refresh(), this.config.sentiment.intervalS * 1000);
    this.timer.unref();
    return `CNN (equities) and alternative.me (crypto) every ${this.config.sentiment.intervalS} s; the price proxy when down or stale`;
  }

  /** Feeds the proxy without publishing (a resumed replay catching up). */
  observe(quotes: readonly Quote[]): void {
    for (const quote of quotes) this.engine.observe(quote.symbol, quote.price);
  }

  /** One tick: feed the proxy, publish if the mood changed. */
  onQuotes(quotes: readonly Quote[]): void {
    for (const quote of quotes) this.engine.observe(quote.symbol, quote.price);
    const snapshot = this.engine.snapshot();
    const key = sentimentKey(snapshot);
    if (key === this.lastKey || snapshot.combined === null) return;
    this.lastKey = key;
    const { equity, crypto, combined } = snapshot;
    if (equity) this.metrics.sentiment('equity', equity.source, equity.value);
    if (crypto) this.metrics.sentiment('crypto', crypto.source, crypto.value);
    this.bus.publish(topics.sentiment(), 'sentiment', { equity: entry(equity), crypto: entry(crypto), combined }, this.clock.nowMs());
  }

  /** The combined index as a mood in [-1, 1] (0 neutral, also when there is none yet). */
  mood(): number {
    const combined = this.engine.snapshot().combined;
    return combined === null ? 0 : Math.max(-1, Math.min(1, (combined.value - 50) / 50));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
