import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/index.js';
import { InvariantError, inShard, type Clock, type Quote } from '../domain/index.js';
import type { Tick, TickFeed } from '../market/port.js';
import { validateQuote } from '../market/validate.js';
import { topics, type MessagePublisher, type ZmqPublisher } from '../bus/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Component } from './component.js';
import { buildBus, buildMarket, buildSentiment } from './build.js';
import type { SentimentEngine } from '../sentiment/engine.js';
import type { SimulationSignal } from '../simulation/index.js';
import { SentimentStage } from './sentiment-stage.js';
import { Metrics } from '../telemetry/metrics.js';
import { CountingPublisher } from './counting-publisher.js';
import { WorkerHealth } from './health.js';
import { HttpServer } from '../http/index.js';
import { secretValues } from '../config/index.js';
import { packageVersion } from '../telemetry/version.js';
import { MarketMonitor, type MarketCounts } from './market-monitor.js';
import { SimulationStage } from './simulation-stage.js';
import { PortfolioStage } from './portfolio-stage.js';
import { StoreStage, StoringPublisher } from './store-stage.js';

/** How long an in-flight fetch may go on after stop() before it is cut off. */
const STOP_GRACE_MS = 3_000;

/** Why a run ended. */
export type StopReason = 'exhausted' | 'ticks' | 'duration' | 'signal';

/** What a run did, for the closing log line and for callers of the API. */
export type RunSummary = {
  readonly reason: StopReason;
  readonly ticks: number;
  readonly quotesPublished: number;
  readonly quotesRejected: Readonly<Record<string, number>>;
  /** Provider failures, unserved symbols and divergences (live). */
  readonly market: Omit<MarketCounts, 'rejected'>;
  /** Errors thrown by components during ticks, by component. */
  readonly errors: Readonly<Record<string, number>>;
  readonly bus: { readonly published: number; readonly sent: number; readonly dropped: number };
};

/** Parts a caller may inject (tests, embedding); the rest is built from config. */
export type WorkerDeps = {
  readonly logger: Logger;
  readonly feed?: TickFeed;
  readonly clock?: Clock;
  readonly bus?: ZmqPublisher;
  readonly sentiment?: SentimentEngine;
  readonly metrics?: Metrics;
};

/** A market-intel worker: start it, run its tick loop, stop it, close it. */
export interface Worker {
  /** Starts every component in dependency order; throws if one fails. */
  start(): Promise<void>;
  /** Runs the tick loop until the data ends, a limit is reached or stop() is called. */
  run(): Promise<RunSummary>;
  /** Asks the loop to finish its current tick and return; safe to call twice. */
  stop(): void;
  /** Flushes and closes every started component, in reverse start order. */
  close(): Promise<void>;
}

/** Builds a worker from a validated config. Only this module wires parts together. */
export function createWorker(config: Config, deps: WorkerDeps): Worker {
  // The chain reports to the monitor, which needs the clock the market builds: bind it late.
  const late: { monitor?: MarketMonitor } = {};
  const market =
    deps.feed && deps.clock
      ? { feed: deps.feed, clock: deps.clock }
      : buildMarket(
          config,
          (event) => late.monitor?.onEvent(event),
          (skipped) => late.monitor?.skippedSources(skipped),
        );
  const bus = deps.bus ?? buildBus(config);
  const metrics = deps.metrics ?? new Metrics();
  const counted = new CountingPublisher(bus, metrics);
  const monitor = new MarketMonitor(deps.logger, counted, market.clock, metrics);
  late.monitor = monitor;
  const sentiment = deps.sentiment ?? buildSentiment(config, market.clock, config.source.kind !== 'replay', (problem) => monitor.sentimentProblem(problem));
  return new TickLoopWorker(config, deps.logger, { feed: market.feed, clock: market.clock, bus, counted, monitor, sentiment, metrics });
}

function describeSummary(summary: RunSummary, seconds: number): string {
  const count = (counts: Readonly<Record<string, number>>): number => Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    `(${summary.reason}) ${summary.ticks} ticks in ${seconds.toFixed(1)} s, ${summary.quotesPublished} quotes published, ` +
    `${count(summary.quotesRejected)} rejected, ${count(summary.errors)} errors, ${summary.bus.dropped} dropped on the bus`
  );
}

/** What the worker is built from (createWorker assembles it). */
type WorkerParts = {
  readonly feed: TickFeed;
  readonly clock: Clock;
  readonly bus: ZmqPublisher;
  readonly counted: MessagePublisher;
  readonly monitor: MarketMonitor;
  readonly sentiment: SentimentEngine;
  readonly metrics: Metrics;
};

class TickLoopWorker implements Worker {
  private readonly started: Component[] = [];
  private readonly stopController = new AbortController();
  /** Aborts the current tick's I/O; only fired if stop()'s grace runs out. */
  private readonly tickController = new AbortController();
  private readonly errorCounts: Record<string, number> = {};
  private readonly reported = new Set<string>();
  private quotesPublished = 0;
  private readonly sentiment: SentimentStage;
  private readonly simulation: SimulationStage | undefined;
  private readonly portfolio: PortfolioStage | undefined;
  private readonly stores: StoreStage;
  /** A resumed replay re-feeds ticks up to here to the models, without trading or publishing. */
  private catchUpThroughMs: number | undefined;
  private caughtUp = 0;

  private readonly feed: TickFeed;
  private readonly clock: Clock;
  private readonly bus: ZmqPublisher;
  /** The bus as stages publish to it: counted in the metrics. */
  private readonly counted: MessagePublisher;
  private readonly monitor: MarketMonitor;
  private readonly metrics: Metrics;
  private readonly health: WorkerHealth;
  /** Exchange time of each symbol's newest published quote, for data age. */
  private readonly lastQuoteMs = new Map<string, number>();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    parts: WorkerParts,
  ) {
    ({ feed: this.feed, clock: this.clock, bus: this.bus, monitor: this.monitor, metrics: this.metrics } = parts);
    this.stores = new StoreStage(config, this.metrics, log.child({ component: 'stores' }));
    // Everything the stages publish is also kept by the stores.
    this.counted = new StoringPublisher(parts.counted, this.stores);
    this.sentiment = new SentimentStage(config, parts.sentiment, this.counted, this.clock, this.metrics);
    this.health = new WorkerHealth(config, {
      version: packageVersion(),
      breakers: () => this.monitor.breakerStates(),
      dataAgeS: () => Object.fromEntries([...this.lastQuoteMs].map(([s, ts]) => [s, (this.clock.nowMs() - ts) / 1000])),
      bus: () => this.bus.stats(),
      counts: () => ({ quotesPublished: this.quotesPublished, errors: { ...this.errorCounts }, ...this.monitor.counts() }),
      portfolio: () => this.portfolio?.summary(),
      stores: () => this.stores.stats(),
    });
    this.simulation = config.simulation
      ? new SimulationStage(config, this.counted, this.clock, this.metrics, this.health, log.child({ component: 'simulation' }))
      : undefined;
    this.portfolio = config.portfolio
      ? new PortfolioStage(config, this.counted, this.clock, this.metrics, this.health, log.child({ component: 'portfolio' }))
      : undefined;
  }

  private components(): Component[] {
    const { feed, bus } = this;
    return [
      // The feed first: a replay is read and validated before anything binds.
      { name: 'market', start: async () => (await feed.start(), feed.description), close: () => feed.close() },
      {
        name: 'bus',
        start: async () => (await bus.start(), `publishing on ${bus.endpoints.join(', ')}`),
        close: () => bus.close(),
      },
      this.stores,
      this.sentiment,
      ...(this.simulation ? [this.simulation] : []),
      ...(this.portfolio ? [this.portfolio] : []),
      ...(this.config.metrics.enabled ? [this.httpServer()] : []),
    ];
  }

  /** /metrics and the health endpoints; started last, so a failed start never holds the port. */
  private httpServer(): Component {
    return new HttpServer({
      port: this.config.metrics.port,
      probe: this.health,
      metrics: this.metrics,
      secrets: secretValues(this.config),
      logger: this.log.child({ component: 'http' }),
    });
  }

  async start(): Promise<void> {
    const components = this.components();
    for (const component of components) this.health.set(component.name, 'starting');
    for (const component of components) {
      const detail = await component.start().catch((err: unknown) => {
        this.health.set(component.name, 'failed', err instanceof Error ? err.message : String(err));
        throw err;
      });
      this.started.push(component);
      this.health.set(component.name, 'ready');
      this.metrics.serviceUp(component.name, true);
      this.log.info({ component: component.name, detail }, 'started');
    }
    this.metrics.startEventLoopMonitor();
    if (!this.config.simulation) this.log.info({ component: 'simulation' }, 'off (--no-simulation): no signals');
    if (!this.config.portfolio) this.log.info({ component: 'portfolio' }, 'off (--no-portfolio): no trades');
    this.catchUpThroughMs = this.portfolio?.resumeAfterMs();
  }

  async run(): Promise<RunSummary> {
    const startedAt = performance.now();
    const deadline = this.config.durationS === undefined ? Infinity : startedAt + this.config.durationS * 1000;
    const maxTicks = this.config.maxTicks ?? Infinity;
    if (this.config.zmq.warmupMs > 0) await this.pause(this.config.zmq.warmupMs);
    let ticks = 0;
    let reason: StopReason = 'signal';
    while (true) {
      if (this.stopController.signal.aborted) break;
      if (ticks >= maxTicks) { reason = 'ticks'; break; }
      if (performance.now() >= deadline) { reason = 'duration'; break; }
      const tickStart = performance.now();
      const outcome = await this.tick();
      if (outcome === 'exhausted') { reason = 'exhausted'; break; }
      if (outcome === 'caught-up') continue;
      ticks += 1;
      this.health.ticked();
      this.metrics.tickDuration((performance.now() - tickStart) / 1000);
      await this.pace(tickStart, deadline);
    }
    if (reason === 'exhausted') await this.guardAsync('portfolio', async () => this.portfolio?.finish());
    if (this.caughtUp > 0) this.log.info({ ticks: this.caughtUp }, 'resumed replay: re-fed the ticks the book already held to the models, without trading');
    const summary = this.summary(reason, ticks);
    const seconds = (performance.now() - startedAt) / 1000;
    this.log.info({ ...summary, seconds, detail: describeSummary(summary, seconds) }, 'run finished');
    return summary;
  }

  stop(): void {
    if (this.stopController.signal.aborted) return;
    this.stopController.abort();
    setTimeout(() => this.tickController.abort(), STOP_GRACE_MS).unref();
  }

  async close(): Promise<void> {
    this.metrics.stop();
    for (const component of this.started.splice(0).reverse()) {
      this.metrics.serviceUp(component.name, false);
      try {
        await component.close();
        this.log.debug({ component: component.name }, 'closed');
      } catch (err) {
        this.log.error({ component: component.name, err }, 'close failed');
      }
    }
  }

  /** One pass of the pipeline; each stage is guarded so one failure never ends the loop. */
  private async tick(): Promise<'done' | 'exhausted' | 'caught-up'> {
    let tick: Tick | undefined;
    try {
      tick = await this.feed.next(this.tickController.signal);
    } catch (err) {
      this.recordError('market', err);
      return 'done';
    }
    if (tick === undefined) return 'exhausted';
    // A sharded worker keeps only its symbols (a replay without --symbols holds them all).
    if (this.config.shard.count > 1) tick = { ...tick, quotes: tick.quotes.filter((q) => inShard(q.symbol, this.config.shard)) };
    if (this.catchUpThroughMs !== undefined && tick.tsMs <= this.catchUpThroughMs) {
      await this.catchUp(tick);
      return 'caught-up';
    }
    if (tick.failures?.length) this.monitor.unservedSymbols(tick.failures);
    const unserved = tick.failures?.map((f) => f.symbol) ?? [];
    this.health.set('market', unserved.length ? 'degraded' : 'ready', unserved.length ? `no quote for ${unserved.join(', ')}` : undefined);
    let accepted: readonly Quote[] = [];
    this.guard('bus', () => (accepted = this.publishQuotes(tick.quotes)));
    this.guard('sentiment', () => this.sentiment.onQuotes(accepted));
    let signals: readonly SimulationSignal[] = [];
    const simulation = this.simulation;
    if (simulation) await this.guardAsync('simulation', async () => (signals = await simulation.onTick(accepted, this.sentiment.mood())));
    const portfolio = this.portfolio;
    if (portfolio) await this.guardAsync('portfolio', () => portfolio.onTick(tick.tsMs, accepted, signals));
    return 'done';
  }

  /** A tick a resumed replay already processed: the models see it again, nothing is traded or published. */
  private async catchUp(tick: Tick): Promise<void> {
    const nowMs = this.clock.nowMs();
    const accepted = tick.quotes.filter((quote) => validateQuote(quote, nowMs) === undefined);
    this.sentiment.observe(accepted);
    await this.simulation?.onTick(accepted, this.sentiment.mood(), { publish: false });
    this.caughtUp += 1;
  }

  /** Publishes every quote that passes the edge checks; returns those. */
  private publishQuotes(quotes: readonly Quote[]): readonly Quote[] {
    const nowMs = this.clock.nowMs();
    const accepted: Quote[] = [];
    for (const quote of quotes) {
      const reason = validateQuote(quote, nowMs);
      if (reason !== undefined) {
        this.monitor.rejectQuote(quote.source, quote.symbol, reason);
        continue;
      }
      const { symbol, price, bid, ask, volume, source } = quote;
      this.counted.publish(topics.quote(symbol), 'quote', { symbol, price, bid, ask, volume, source }, quote.tsMs);
      this.metrics.dataAge(symbol, Math.max(0, nowMs - quote.tsMs) / 1000);
      this.lastQuoteMs.set(symbol, quote.tsMs);
      this.quotesPublished += 1;
      accepted.push(quote);
    }
    return accepted;
  }

  private async guardAsync(component: string, stage: () => Promise<unknown>): Promise<void> {
    try {
      await stage();
    } catch (err) {
      this.recordError(component, err);
    }
  }

  private guard(component: string, stage: () => void): void {
    try {
      stage();
    } catch (err) {
      this.recordError(component, err);
    }
  }

  /** Counts every failure and logs the first of each kind; a bug (InvariantError) crashes. */
  private recordError(component: string, err: unknown): void {
    if (err instanceof InvariantError) throw err;
    this.errorCounts[component] = (this.errorCounts[component] ?? 0) + 1;
    this.metrics.error(component);
    const code = err instanceof Error ? ('code' in err ? String(err.code) : err.name) : typeof err;
    const key = `${component}:${code}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log.error({ component, err }, 'component failed during a tick; the loop goes on');
  }

  /** Waits out the rest of the interval (interval 0: just lets I/O run). */
  private async pace(tickStart: number, deadline: number): Promise<void> {
    const target = Math.min(tickStart + this.config.intervalS * 1000, deadline);
    if (target <= performance.now()) return void (await yieldToLoop());
    // Timers count from libuv's cached loop time, which lags by the current
    // turn's work: a wait can end early, so wait again until the instant is really past.
    while (!this.stopController.signal.aborted && performance.now() < target) {
      await this.pause(target - performance.now());
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopController.signal });
    } catch {
      // stop() cut the wait short; the loop sees the abort at its next check.
    }
  }

  private summary(reason: StopReason, ticks: number): RunSummary {
    const { published, sent, dropped } = this.bus.stats();
    const { rejected, ...market } = this.monitor.counts();
    return {
      reason,
      ticks,
      quotesPublished: this.quotesPublished,
      quotesRejected: rejected,
      market,
      errors: { ...this.errorCounts },
      bus: { published, sent, dropped },
    };
  }
}
