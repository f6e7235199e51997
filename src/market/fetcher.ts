import { performance } from 'node:perf_hooks';
import type { Clock, Quote, WatchedSymbol } from '../domain/index.js';
import { CrossCheck, type Divergence } from './cross-check.js';
import type { Cause, MarketDataSource, SymbolFailure } from './port.js';
import {
  DEFAULT_RESILIENCE,
  SourceCallError,
  SourceSlot,
  type BreakerState,
  type RateBudget,
  type Resilience,
} from './source-slot.js';
import { liveQuoteLimits, validateQuote } from './validate.js';

/** What the chain reports as it works, for logs, metrics and `health` messages. */
export type FetchEvent =
  | { readonly kind: 'fetch'; readonly source: string; readonly symbols: number; readonly seconds: number; readonly ok: boolean }
  | { readonly kind: 'breaker'; readonly source: string; readonly from: BreakerState; readonly to: BreakerState }
  | { readonly kind: 'failure'; readonly source: string; readonly reason: string; readonly error?: unknown }
  | { readonly kind: 'reject'; readonly source: string; readonly symbol: string; readonly reason: string }
  | ({ readonly kind: 'divergence' } & Divergence);

/** What one pass of the chain produced. */
export type FetchResult = { readonly quotes: readonly Quote[]; readonly failures: readonly SymbolFailure[] };

/** Options of the chain; only `sources` and `clock` are required. */
export type FetcherOptions = {
  /** Providers in the order they are tried. */
  readonly sources: readonly MarketDataSource[];
  readonly clock: Clock;
  /** --max-quote-age in seconds; undefined = per-asset-class defaults. */
  readonly maxQuoteAgeS?: number;
  readonly resilience?: Partial<Resilience>;
  /** Request budgets by source name. */
  readonly budgets?: Readonly<Record<string, RateBudget>>;
  /** Ask two providers per symbol (--verify). */
  readonly verify?: boolean;
  /** Price divergence between providers that is flagged; default 0.02 (2%). */
  readonly divergenceThreshold?: number;
  readonly onEvent?: (event: FetchEvent) => void;
};

type Pending = { readonly symbol: WatchedSymbol; readonly causes: Cause[]; answers: number };

/**
 * The provider chain: per symbol, providers are tried in order until one
 * serves a quote that passes the edge checks; each provider is asked once
 * per pass, for all the symbols still waiting that it serves (one batched
 * request). Provider failures and refused quotes are values here, never
 * throws: the tick loop gets the quotes it can have and the reasons for
 * the rest.
 */
export class QuoteFetcher {
  private readonly slots: readonly SourceSlot[];
  private readonly crossCheck: CrossCheck;
  private readonly lastAcceptedMs = new Map<string, number>();
  private readonly emit: (event: FetchEvent) => void;

  constructor(private readonly options: FetcherOptions) {
    this.emit = options.onEvent ?? (() => undefined);
    const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
    this.slots = options.sources.map(
      (source) =>
        new SourceSlot(source, resilience, options.budgets?.[source.name], (from, to) =>
          this.emit({ kind: 'breaker', source: source.name, from, to }),
        ),
    );
    this.crossCheck = new CrossCheck(options.divergenceThreshold ?? 0.02);
  }

  /** Names of the providers in chain order. */
  get sourceNames(): readonly string[] {
    return this.slots.map((s) => s.source.name);
  }

  /** Breaker state of each provider. */
  breakerStates(): Readonly<Record<string, BreakerState>> {
    return Object.fromEntries(this.slots.map((s) => [s.source.name, s.state]));
  }

  /** Age of the newest accepted quote of `symbol` (exchange time) at the clock's now, ms; undefined if none yet. */
  dataAgeMs(symbol: string): number | undefined {
    const ts = this.lastAcceptedMs.get(symbol);
    return ts === undefined ? undefined : this.options.clock.nowMs() - ts;
  }

  /** One pass of the chain over `symbols`. */
  async fetch(symbols: readonly WatchedSymbol[], signal?: AbortSignal): Promise<FetchResult> {
    const needed = this.options.verify ? 2 : 1;
    const pending = new Map<string, Pending>(symbols.map((s) => [s.symbol, { symbol: s, causes: [], answers: 0 }]));
    const accepted = new Map<string, Quote>();
    for (const slot of this.slots) {
      const asked = [...pending.values()].filter((p) => p.answers < needed && slot.source.assetClasses.includes(p.symbol.assetClass));
      if (asked.length === 0) continue;
      const quotes = await this.ask(slot, asked, signal);
      if (quotes === undefined) continue;
      this.take(slot.source.name, asked, quotes, accepted);
    }
    const failures = [...pending.values()]
      .filter((p) => !accepted.has(p.symbol.symbol))
      .map((p) => ({ symbol: p.symbol.symbol, causes: p.causes }));
    return { quotes: [...accepted.values()], failures };
  }

  /** Calls one provider; on failure records the reason against every symbol asked. */
  private async ask(slot: SourceSlot, asked: readonly Pending[], signal?: AbortSignal): Promise<readonly Quote[] | undefined> {
    const started = performance.now();
    const source = slot.source.name;
    try {
      const quotes = await slot.call(asked.map((p) => p.symbol.symbol), signal);
      this.emit({ kind: 'fetch', source, symbols: asked.length, seconds: (performance.now() - started) / 1000, ok: true });
      return quotes;
    } catch (err) {
      const reason = err instanceof SourceCallError ? err.reason : 'bad_data';
      const error = err instanceof Error && err.cause !== undefined ? err.cause : err;
      this.emit({ kind: 'fetch', source, symbols: asked.length, seconds: (performance.now() - started) / 1000, ok: false });
      this.emit({ kind: 'failure', source, reason, error });
      for (const p of asked) p.causes.push({ source, reason });
      return undefined;
    }
  }

  /** Validates a provider's answer; the first good quote per symbol wins. */
  private take(source: string, asked: readonly Pending[], quotes: readonly Quote[], accepted: Map<string, Quote>): void {
    const nowMs = this.options.clock.nowMs();
    const bySymbol = new Map(quotes.map((q) => [q.symbol, q]));
    for (const p of asked) {
      const quote = bySymbol.get(p.symbol.symbol);
      const reason =
        quote === undefined
          ? 'unknown_symbol'
          : validateQuote(quote, nowMs, liveQuoteLimits(p.symbol.assetClass, nowMs, this.options.maxQuoteAgeS));
      if (quote === undefined || reason !== undefined) {
        p.causes.push({ source, reason: reason ?? 'unknown_symbol' });
        this.emit({ kind: 'reject', source, symbol: p.symbol.symbol, reason: reason ?? 'unknown_symbol' });
        continue;
      }
      p.answers += 1;
      for (const d of this.crossCheck.observe(quote, nowMs)) this.emit({ kind: 'divergence', ...d });
      if (!accepted.has(quote.symbol)) {
        accepted.set(quote.symbol, quote);
        this.lastAcceptedMs.set(quote.symbol, quote.tsMs);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}
