/**
 * Prometheus metrics of the worker (issue 8, items 1 and 2). One `Metrics`
 * owns one prom-client `Registry`; nothing here touches prom-client's global
 * registry, so two instances (two workers in one test process) never share a
 * series. Callers see typed methods only, never a prom-client type.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Options of {@link Metrics}. */
export type MetricsOptions = {
  /** Register prom-client's Node process metrics (CPU, memory, GC, handles…). Default true. */
  readonly defaultMetrics?: boolean;
};

/** A circuit breaker's state; exported as 0 closed, 1 half-open, 2 open. */
export type BreakerState = 'closed' | 'half_open' | 'open';

/** Portfolio figures in dollars, except `exposure` and `winRate`, which are ratios in [0, 1]. */
export type PortfolioFigures = {
  readonly equity: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly totalPnl: number;
  /** Gross position value divided by equity. */
  readonly exposure: number;
  /** Winning closed trades divided by closed trades. */
  readonly winRate: number;
};

/** Simulation figures of one step. */
export type SimulationFigures = {
  /** The simulation's global state as a number (its market regime). */
  readonly globalState: number;
  /** How long the last step took, in seconds. */
  readonly stepSeconds: number;
};

/**
 * The `topic` label of `data_points_published_total`: the message type, not
 * the per-symbol topic, so the series count stays fixed whatever the watchlist.
 */
export const PUBLISHED_TOPICS = ['quote', 'sentiment', 'signal', 'trade', 'portfolio', 'health', 'sim.state'] as const;

/** One value of the published `topic` label; `other` for a topic outside the bus vocabulary. */
export type PublishedTopic = (typeof PUBLISHED_TOPICS)[number] | 'other';

/** Maps a full topic (`quote.AAPL`, `sim.state`, `health`) to its type. */
export function topicType(topic: string): PublishedTopic {
  const exact = PUBLISHED_TOPICS.find((t) => t === topic);
  if (exact !== undefined) return exact;
  const head = topic.slice(0, topic.indexOf('.'));
  return PUBLISHED_TOPICS.find((t) => t === head) ?? 'other';
}

const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** Fetch latency buckets in seconds, 5 ms to 10 s: a cached hit to a provider's timeout. */
const FETCH_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Closed-trade P&L buckets in dollars, symmetric around 0. Observations may
 * be negative, so `_sum` can fall: use `_count` and `_bucket` for rates.
 */
const TRADE_PNL_BUCKETS_USD = [-1000, -500, -250, -100, -50, -10, 0, 10, 50, 100, 250, 500, 1000];

/**
 * prom-client's default gauges `nodejs_active_{handles,requests,resources}_total`
 * fail `promtool check metrics` (a gauge must not end in `_total`), and
 * `collectDefaultMetrics` has no option to omit one. They are removed from
 * the registry right after registration (`Registry.removeSingleMetric`); the
 * per-type gauges without the suffix stay, and `sum(nodejs_active_handles)`
 * gives the same total.
 */
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const P = 'market_system_';
const NS_PER_S = 1e9;

function defineInstruments(registers: Registry[], eventLoopCollect: () => void) {
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: P + name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: P + name, help, labelNames, registers });
  return {
    serviceUp: gauge('service_up', 'Whether a service of the worker is up (1) or down (0).', ['service']),
    breaker: gauge('circuit_breaker_state', 'Circuit breaker state of a data source: 0 closed, 1 half-open, 2 open.', ['source']),
    errors: counter('errors_total', 'Errors handled, by component.', ['component']),
    fetchSeconds: new Histogram<'source'>({
      name: `${P}data_fetch_duration_seconds`,
      help: 'Duration of a quote fetch from a data source, in seconds.',
      labelNames: ['source'],
      buckets: FETCH_BUCKETS_S,
      registers,
    }),
    fetches: counter('data_fetch_total', 'Quote fetches from a data source, by outcome (ok or error).', ['source', 'status']),
    published: counter('data_points_published_total', 'Messages published on the bus, by message type.', ['topic']),
    dataAge: gauge('data_age_seconds', 'Seconds since the last good quote of a symbol.', ['symbol']),
    rejections: counter('quote_rejections_total', 'Quotes rejected by validation, by source and reason.', ['source', 'reason']),
    portfolioValue: gauge('portfolio_value_dollars', 'Portfolio equity (cash plus positions) in dollars.'),
    portfolioPnl: gauge('portfolio_pnl_dollars', 'Portfolio profit and loss in dollars: realized, unrealized or total.', ['type']),
    exposure: gauge('portfolio_exposure_ratio', 'Gross position value divided by equity.'),
    winRate: gauge('win_rate', 'Winning closed trades divided by closed trades (0 to 1).'),
    tradePnl: new Histogram({
      name: `${P}trade_pnl_dollars`,
      help: 'Realized profit or loss of a closed trade, in dollars.',
      buckets: TRADE_PNL_BUCKETS_USD,
      registers,
    }),
    trades: counter('trades_total', 'Paper trades executed, by side and reason.', ['side', 'reason']),
    simState: gauge('simulation_global_state', 'Global state (market regime) of the agent-based simulation.'),
    simSignals: counter('simulation_signals_total', 'Signals emitted by the simulation, by action.', ['action']),
    simStepSeconds: gauge('simulation_step_duration_seconds', 'Duration of the last simulation step, in seconds.'),
    sentiment: gauge('sentiment_index', 'Sentiment index of a market (0 fear to 100 greed) and the source that gave it.', ['market', 'source']),
    backlog: gauge('store_backlog', 'Records waiting to be written to a store.', ['store']),
    tickSeconds: gauge('tick_duration_seconds', 'Duration of the last worker tick, in seconds.'),
    eventLoopDelay: new Gauge({
      name: `${P}event_loop_delay_seconds`,
      help: 'p99 event loop delay over the last scrape window, in seconds.',
      registers,
      collect: eventLoopCollect,
    }),
  };
}

/**
 * The worker's metrics: the series of issue 8 item 1 plus (by default)
 * prom-client's Node process metrics, on one registry this instance owns.
 * Label values are the caller's; pass bounded sets (sources, services,
 * symbols of the watchlist), never free text.
 */
export class Metrics {
  private readonly registry = new Registry();
  private readonly m: ReturnType<typeof defineInstruments>;
  /** The source whose sentiment series is present, per market. */
  private readonly sentimentSource = new Map<string, string>();
  private loopMonitor: IntervalHistogram | undefined;

  constructor(options: MetricsOptions = {}) {
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
    this.m = defineInstruments([this.registry], () => this.collectEventLoop());
  }

  /** Content-Type header of {@link Metrics.render}'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every series, as served on `/metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Marks a service up or down. */
  serviceUp(service: string, up: boolean): void {
    this.m.serviceUp.set({ service }, up ? 1 : 0);
  }

  /** Records a source's breaker state. */
  breakerState(source: string, state: BreakerState): void {
    this.m.breaker.set({ source }, BREAKER_VALUE[state]);
  }

  /** Counts one handled error of a component. */
  error(component: string): void {
    this.m.errors.inc({ component });
  }

  /** Records one fetch from a source: its duration in seconds and its outcome. */
  dataFetch(source: string, seconds: number, ok: boolean): void {
    this.m.fetchSeconds.observe({ source }, seconds);
    this.m.fetches.inc({ source, status: ok ? 'ok' : 'error' });
  }

  /**
   * Counts `n` messages published on `topic`. The label is the topic's type
   * (`quote.AAPL` counts as `quote`), which bounds the series to eight.
   */
  published(topic: string, n = 1): void {
    this.m.published.inc({ topic: topicType(topic) }, n);
  }

  /** Sets how old, in seconds, the newest good quote of a symbol is. */
  dataAge(symbol: string, seconds: number): void {
    this.m.dataAge.set({ symbol }, seconds);
  }

  /** Counts one quote of a source rejected for `reason`. */
  quoteRejected(source: string, reason: string): void {
    this.m.rejections.inc({ source, reason });
  }

  /** Sets the portfolio gauges from one snapshot. */
  portfolio(figures: PortfolioFigures): void {
    this.m.portfolioValue.set(figures.equity);
    this.m.portfolioPnl.set({ type: 'realized' }, figures.realizedPnl);
    this.m.portfolioPnl.set({ type: 'unrealized' }, figures.unrealizedPnl);
    this.m.portfolioPnl.set({ type: 'total' }, figures.totalPnl);
    this.m.exposure.set(figures.exposure);
    this.m.winRate.set(figures.winRate);
  }

  /** Counts one trade; `pnlUsd`, given when the trade closes a position, feeds the P&L histogram. */
  trade(side: string, reason: string, pnlUsd?: number): void {
    this.m.trades.inc({ side, reason });
    if (pnlUsd !== undefined) this.m.tradePnl.observe(pnlUsd);
  }

  /** Sets the simulation gauges after one step. */
  simulation(figures: SimulationFigures): void {
    this.m.simState.set(figures.globalState);
    this.m.simStepSeconds.set(figures.stepSeconds);
  }

  /** Counts one simulation signal with `action` (BUY, SELL, HOLD). */
  simulationSignal(action: string): void {
    this.m.simSignals.inc({ action });
  }

  /**
   * Sets a market's sentiment index as given by `source`. A market has one
   * series: when its source changes (fallback), the old source's series goes.
   */
  sentiment(market: string, source: string, value: number): void {
    const previous = this.sentimentSource.get(market);
    if (previous !== undefined && previous !== source) this.m.sentiment.remove({ market, source: previous });
    this.sentimentSource.set(market, source);
    this.m.sentiment.set({ market, source }, value);
  }

  /** Sets how many records wait to be written to a store. */
  storeBacklog(store: string, n: number): void {
    this.m.backlog.set({ store }, n);
  }

  /** Sets the duration of the last tick, in seconds. */
  tickDuration(seconds: number): void {
    this.m.tickSeconds.set(seconds);
  }

  /** Sets the event loop delay gauge directly, in seconds (the monitor overwrites it on scrape). */
  eventLoopDelay(seconds: number): void {
    this.m.eventLoopDelay.set(seconds);
  }

  /**
   * Samples event loop delay (every 10 ms) until {@link Metrics.stop}; each
   * scrape sets the gauge to the p99 since the previous scrape. A window with
   * no sample keeps the previous value. Idempotent.
   */
  startEventLoopMonitor(): void {
    if (this.loopMonitor !== undefined) return;
    this.loopMonitor = monitorEventLoopDelay({ resolution: 10 });
    this.loopMonitor.enable();
  }

  /** Stops the event loop monitor. prom-client's default collectors cannot be stopped and hold no handle. */
  stop(): void {
    this.loopMonitor?.disable();
    this.loopMonitor = undefined;
  }

  private collectEventLoop(): void {
    const monitor = this.loopMonitor;
    if (monitor === undefined || monitor.count === 0) return;
    this.m.eventLoopDelay.set(monitor.percentile(99) / NS_PER_S);
    monitor.reset();
  }
}

/** The seed's library API over one {@link Metrics}; the worker adds `initializeMetrics({ port })`. */
export type MetricsApi = {
  /** The text exposition, as `/metrics` serves it. */
  readonly getMetrics: () => Promise<string>;
  readonly setServiceHealth: (service: string, up: boolean) => void;
  /** Records a fetch; a good one also resets the symbol's data age to 0. */
  readonly recordDataFetch: (source: string, symbol: string, seconds: number, ok: boolean) => void;
  /**
   * Counts a trade with reason `api` and observes its P&L in dollars. The
   * symbol is accepted for the seed's signature but is not a label.
   */
  readonly recordTrade: (side: string, symbol: string, pnlUsd: number) => void;
};

/** Builds the seed's library API over `metrics`. */
export function createMetricsApi(metrics: Metrics): MetricsApi {
  return {
    getMetrics: () => metrics.render(),
    setServiceHealth: (service, up) => metrics.serviceUp(service, up),
    recordDataFetch: (source, symbol, seconds, ok) => {
      metrics.dataFetch(source, seconds, ok);
      if (ok) metrics.dataAge(symbol, 0);
    },
    recordTrade: (side, _symbol, pnlUsd) => metrics.trade(side, 'api', pnlUsd),
  };
}
