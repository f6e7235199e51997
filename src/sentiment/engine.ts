import {
  SentimentMarket,
  isCrypto,
  sentimentLabel,
  type Clock,
  type SentimentLabel,
  type SentimentPoint,
  type SentimentReading,
} from '../domain/index.js';
import type { SentimentSource } from './port.js';
import { ProxyHistory, computeProxyIndex } from './proxy.js';

/** One market's mood in a snapshot. */
export type MarketMood = {
  /** 0-100. */
  readonly value: number;
  readonly label: SentimentLabel;
  /** `cnn`, `alternative.me` or `proxy`. */
  readonly source: string;
  /** When the index had this value, epoch ms UTC. */
  readonly tsMs: number;
};

/** What `snapshot()` returns; a market with neither an index nor enough prices for a proxy is null. */
export type SentimentSnapshot = {
  readonly equity: MarketMood | null;
  readonly crypto: MarketMood | null;
  /** The mean of the markets present; null when neither is. */
  readonly combined: { readonly value: number; readonly label: SentimentLabel } | null;
  /** The last N daily values each source published (oldest first), when asked for. */
  readonly history?: { readonly equity: readonly SentimentPoint[]; readonly crypto: readonly SentimentPoint[] };
};

/** Told about every failed fetch; the engine has already fallen back. */
export type SentimentProblem = { readonly source: string; readonly market: SentimentMarket; readonly error: unknown };

/** Options of the engine; defaults in SENTIMENT_DEFAULTS. */
export type SentimentEngineOptions = {
  /** At most one source per market. */
  readonly sources: readonly SentimentSource[];
  readonly clock: Clock;
  /** How long a fetched value is reused before the next fetch, ms. */
  readonly ttlMs?: number;
  /** A value older than this (by its own timestamp) gives way to the proxy, ms; 0 = never. */
  readonly maxAgeMs?: number;
  readonly onProblem?: (problem: SentimentProblem) => void;
};

export const SENTIMENT_DEFAULTS = { ttlMs: 5 * 60_000, maxAgeMs: 2 * 86_400_000 } as const;

type Cached = { readonly reading: SentimentReading; readonly fetchedAtMs: number };

/**
 * Market mood for equities and crypto. Published indices (CNN,
 * alternative.me) are fetched on the engine's own cadence (one request per
 * source per TTL, never per tick) and used while fresh; when a source is
 * down or its value is older than its normal update period, the engine falls
 * back to a proxy computed from the watched symbols' prices (see proxy.ts),
 * marked `source: "proxy"`.
 */
export class SentimentEngine {
  private readonly cache = new Map<SentimentMarket, Cached>();
  private readonly prices = new ProxyHistory();
  /** Symbols seen so far, by market: the proxy of a market uses its own symbols only. */
  private readonly symbolsOf = { equity: new Set<string>(), crypto: new Set<string>() };
  private readonly ttlMs: number;
  private readonly maxAgeMs: number;
  private lastAttemptMs = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: SentimentEngineOptions) {
    this.ttlMs = options.ttlMs ?? SENTIMENT_DEFAULTS.ttlMs;
    this.maxAgeMs = options.maxAgeMs ?? SENTIMENT_DEFAULTS.maxAgeMs;
  }

  /** Feeds one observed price (the proxy's input); BASE/QUOTE pairs count as crypto. */
  observe(symbol: string, price: number): void {
    this.symbolsOf[isCrypto(symbol) ? SentimentMarket.crypto : SentimentMarket.equity].add(symbol);
    this.prices.add(symbol, price);
  }

  /**
   * Fetches every source whose cached value is older than the TTL; failures
   * are reported to onProblem and leave the previous value (or the proxy) in
   * place. Concurrent calls share one fetch.
   */
  refresh(signal?: AbortSignal): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const nowMs = this.options.clock.nowMs();
    // One attempt per TTL, failed or not: a source that is down is not hammered.
    if (nowMs - this.lastAttemptMs < this.ttlMs) return Promise.resolve();
    this.lastAttemptMs = nowMs;
    this.inFlight = Promise.all(this.options.sources.map((source) => this.fetchOne(source, signal)))
      .then(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetchOne(source: SentimentSource, signal?: AbortSignal): Promise<void> {
    try {
      const reading = await source.fetch(signal);
      this.cache.set(source.market, { reading, fetchedAtMs: this.options.clock.nowMs() });
    } catch (error) {
      this.options.onProblem?.({ source: source.name, market: source.market, error });
    }
  }

  /** The last value a market's source published, fresh or not. */
  latest(market: SentimentMarket): SentimentReading | undefined {
    return this.cache.get(market)?.reading;
  }

  /** The mood of each market now, and optionally the last `historyDays` published daily values. */
  snapshot(options: { readonly historyDays?: number } = {}): SentimentSnapshot {
    const equity = this.mood(SentimentMarket.equity);
    const crypto = this.mood(SentimentMarket.crypto);
    const present = [equity, crypto].filter((m): m is MarketMood => m !== null);
    const mean = present.length === 0 ? undefined : Math.round((present.reduce((a, m) => a + m.value, 0) / present.length) * 10) / 10;
    const combined = mean === undefined ? null : { value: mean, label: sentimentLabel(mean) };
    if (options.historyDays === undefined) return { equity, crypto, combined };
    const days = Math.max(0, Math.floor(options.historyDays));
    const history = (market: SentimentMarket) => (days === 0 ? [] : (this.cache.get(market)?.reading.history.slice(-days) ?? []));
    return { equity, crypto, combined, history: { equity: history(SentimentMarket.equity), crypto: history(SentimentMarket.crypto) } };
  }

  private mood(market: SentimentMarket): MarketMood | null {
    const nowMs = this.options.clock.nowMs();
    const cached = this.cache.get(market)?.reading;
    if (cached && (this.maxAgeMs === 0 || nowMs - cached.tsMs <= this.maxAgeMs)) {
      return { value: cached.value, label: cached.label, source: cached.source, tsMs: cached.tsMs };
    }
    const proxy = computeProxyIndex(this.prices.series([...this.symbolsOf[market]]));
    return proxy ? { value: proxy.value, label: proxy.label, source: 'proxy', tsMs: nowMs } : null;
  }
}
