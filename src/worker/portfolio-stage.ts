import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/index.js';
import { ConfigError, ErrorCode, type Clock, type Quote } from '../domain/index.js';
import { topics, type MessagePublisher } from '../bus/index.js';
import { MemoryLedger, PortfolioManager, PortfolioOptionError, type PortfolioState, type Trade } from '../portfolio/index.js';
import type { SimulationSignal } from '../simulation/index.js';
import { StoreError } from '../storage/errors.js';
import type { LedgerArchive, LedgerBook } from '../storage/ledger-archive.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Component } from './component.js';
import type { WorkerHealth } from './health.js';
import { BookKeeper, buildLedgerArchive, META, parseMarks } from './portfolio-book.js';

/** How long a replay tick waits for the archive to take its commit: a replay's time is its own, so it waits rather than skip. */
const REPLAY_PATIENCE_MS = 60_000;
/** A live run pauses trading after a failed commit, for this long at first, doubling up to the max. */
const PAUSE_MIN_MS = 1_000;
const PAUSE_MAX_MS = 30_000;

/** A short view of the portfolio for logs and /status. */
export type PortfolioSummary = {
  readonly equity: number;
  readonly cash: number;
  readonly exposure: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly totalPnl: number;
  readonly positions: number;
  readonly trades: number;
  readonly winRate: number;
  readonly halted: boolean;
};

function summarize(state: PortfolioState): PortfolioSummary {
  const { equity, cash, exposure, realizedPnl, unrealizedPnl, totalPnl, winRate, halted } = state;
  return { equity, cash, exposure, realizedPnl, unrealizedPnl, totalPnl, positions: state.positions.length, trades: state.tradeCount, winRate, halted };
}

/**
 * The paper portfolio in a run. Its book in the archive (the ledger tables,
 * MySQL or the embedded SQLite file) is the durable state: at start the book
 * is loaded and the portfolio rebuilt from it (with the last marks); each
 * tick marks positions (stop-loss and take-profit exits) and acts on the
 * signals of the symbols quoted in that tick on the book in memory, then
 * commits the tick's records, the marks and, in a replay, the tick's
 * timestamp to the archive in ONE transaction; only then do the trades count
 * (published, in the metrics). A crash leaves either the whole tick or none
 * of it. If the commit fails, the tick is undone in memory: a replay waits
 * for the archive (its time is its own); a live run pauses trading, with
 * backoff, and says so on /status until a commit goes through. A replay that
 * stopped before its end resumes after its last stored tick; a finished one
 * (or another replay's) is renamed aside and the run starts a fresh book.
 */
export class PortfolioStage implements Component {
  readonly name = 'portfolio';
  private archive: LedgerArchive | undefined;
  /** The book in memory: what the archive holds, plus the tick being made. */
  private ledger: MemoryLedger | undefined;
  private manager: PortfolioManager | undefined;
  private marks: Record<string, number> = {};
  private resumeAfter: number | undefined;
  private readonly replay: boolean;
  /** Wall-clock ms (performance.now) before which a live run does not trade, after a failed commit. */
  private pausedUntil = 0;
  private pauseMs = 0;
  /** A replay's commit had to wait for the archive (health says so until one goes through). */
  private waited = false;
  /** The archive refused a commit as not continuing the book: load it again before trading. */
  private reload = false;
  /** Why the book could not be loaded at start (the portfolio does not trade until it is). */
  private unloaded: string | undefined;
  private closing = false;
  private readonly books: BookKeeper;

  constructor(
    private readonly config: Config,
    private readonly bus: MessagePublisher,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly health: WorkerHealth,
    private readonly log: Logger,
  ) {
    this.replay = config.source.kind === 'replay';
    this.books = new BookKeeper(config, log);
  }

  async start(): Promise<string> {
    const archive = buildLedgerArchive(this.config);
    this.archive = archive;
    const book = this.config.book;
    let stored: LedgerBook;
    try {
      stored = await this.books.loadAtStart(archive, book);
    } catch (err) {
      if (!(err instanceof StoreError) || !err.transient) throw err;
      // The rest of the worker runs (quotes, signals, the stores' spool); the portfolio waits for its book.
      this.unloaded = err.message;
      const what = this.replay ? 'this replay runs without the portfolio' : 'trading waits until it answers';
      this.log.error({ book, archive: archive.where, err: err.message }, `ledger archive unreachable: ${what}`);
      return `portfolio without its book ${book}: ${archive.where} unreachable, ${what}`;
    }
    return this.open(archive, book, stored);
  }

  /** Rebuilds the portfolio from the stored book (a new book gets its opening records and run kind). */
  private async open(archive: LedgerArchive, book: string, found: LedgerBook): Promise<string> {
    const stored = await this.books.prepare(archive, book, found);
    const ledger = MemoryLedger.of(stored.records, stored.meta);
    const fresh = ledger.lastSeq() === 0;
    const marks = parseMarks(ledger.getMeta(META.marks));
    let manager: PortfolioManager;
    try {
      manager = PortfolioManager.restore({ initialCapital: this.config.capitalUsd }, ledger, { clock: this.clock, marks });
    } catch (err) {
      if (err instanceof PortfolioOptionError && err.option === 'initialCapital') {
        throw new ConfigError(`--capital "${this.config.capitalUsd}": book "${book}" in ${archive.where} holds a portfolio opened with other capital; pass --book <new name> for a new portfolio`, { code: ErrorCode.config, cause: err });
      }
      throw err;
    }
    if (fresh) {
      // A new book: its first records (the manager's opening) and what kind of run it belongs to.
      const meta: Record<string, string> = { [META.mode]: this.replay ? 'replay' : 'live' };
      if (this.config.source.kind === 'replay') meta[META.replaySource] = this.config.source.path;
      for (const [key, value] of Object.entries(meta)) ledger.setMeta(key, value);
      await archive.commit(book, ledger.recordsAfter(0), meta);
    }
    this.ledger = ledger;
    this.manager = manager;
    this.marks = marks;
    const last = ledger.getMeta(META.lastTickMs);
    this.resumeAfter = this.replay && last !== undefined ? Number(last) : undefined;
    const s = summarize(manager.getPortfolioState());
    if (!fresh) {
      this.log.info({ book, archive: archive.where, ...s, resumeAfter: this.resumeAfter === undefined ? undefined : new Date(this.resumeAfter).toISOString() }, 'portfolio restored from the archive');
    }
    return `${fresh ? 'new' : 'restored'} portfolio: equity ${s.equity}, ${s.positions} positions, ${s.trades} trades, book ${book} in ${archive.where}`;
  }

  /** The replay timestamp through which the book already holds every tick (resume after it). */
  resumeAfterMs(): number | undefined {
    return this.resumeAfter;
  }

  /**
   * One tick: exits at the new marks, then the signals of the quoted symbols,
   * committed to the archive as one unit before the trades are published.
   * @throws the archive's StoreError when the commit failed (the tick made no trades).
   */
  async onTick(tsMs: number, quotes: readonly Quote[], signals: readonly SimulationSignal[]): Promise<readonly Trade[]> {
    if (this.unloaded !== undefined && !(await this.loadLate())) return [];
    const { ledger, archive } = this;
    if (this.manager === undefined || ledger === undefined || archive === undefined) return [];
    if (performance.now() < this.pausedUntil) return [];
    if (this.reload) await this.reloadBook(archive);
    const manager = this.manager;
    const prices = Object.fromEntries(quotes.map((q) => [q.symbol, q.price]));
    const seqBefore = ledger.lastSeq();
    const marksBefore = { ...this.marks };
    const lastTickBefore = ledger.getMeta(META.lastTickMs);
    const undo = (): void => {
      ledger.truncate(seqBefore);
      this.marks = marksBefore;
      ledger.setMeta(META.marks, JSON.stringify(marksBefore));
      if (lastTickBefore === undefined) ledger.deleteMeta(META.lastTickMs);
      else ledger.setMeta(META.lastTickMs, lastTickBefore);
      this.manager = PortfolioManager.restore({ initialCapital: this.config.capitalUsd }, ledger, { clock: this.clock, marks: this.marks });
    };
    let trades: Trade[];
    try {
      trades = this.tickInMemory(manager, ledger, tsMs, prices, signals);
    } catch (err) {
      // The manager in memory may be ahead of its ledger: rebuild it.
      undo();
      throw err;
    }
    // The marks as the tick stored them in memory (stringified once).
    const meta: Record<string, string> = { [META.marks]: ledger.getMeta(META.marks) ?? '{}' };
    if (this.replay) meta[META.lastTickMs] = String(tsMs);
    try {
      await this.commit(archive, ledger.recordsAfter(seqBefore), meta);
    } catch (err) {
      undo();
      this.pause(archive, err);
      throw err;
    }
    if (this.pauseMs > 0 || this.waited) {
      this.pauseMs = 0;
      this.waited = false;
      this.health.set(this.name, 'ready');
      this.log.info({ book: this.config.book, archive: archive.where }, 'ledger archive reachable again: trading resumed');
    }
    this.publish(tsMs, trades);
    return trades;
  }

  private tickInMemory(manager: PortfolioManager, ledger: MemoryLedger, tsMs: number, prices: Record<string, number>, signals: readonly SimulationSignal[]): Trade[] {
    return ledger.atomically(() => {
      const done: Trade[] = [...manager.updatePrices(prices, tsMs)];
      for (const signal of signals) {
        const price = prices[signal.symbol];
        if (price === undefined) continue;
        const result = manager.processSignal(signal.symbol, signal.action, price, { ts: tsMs, confidence: signal.confidence });
        if (result.kind === 'trade') done.push(result.trade);
      }
      Object.assign(this.marks, prices);
      ledger.setMeta(META.marks, JSON.stringify(this.marks));
      if (this.replay) ledger.setMeta(META.lastTickMs, String(tsMs));
      return done;
    });
  }

  /** Commits once (live) or until it goes through (replay: transient failures retried for a while). */
  private async commit(archive: LedgerArchive, records: Parameters<LedgerArchive['commit']>[1], meta: Record<string, string>): Promise<void> {
    const giveUpAt = performance.now() + REPLAY_PATIENCE_MS;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        await archive.commit(this.config.book, records, meta);
        return;
      } catch (err) {
        const retry = this.replay && !this.closing && err instanceof StoreError && err.transient && performance.now() + wait < giveUpAt;
        if (!retry) throw err;
        this.waited = true;
        this.health.set(this.name, 'degraded', `ledger archive ${archive.where} unreachable: replay waiting`);
        this.log.warn({ book: this.config.book, archive: archive.where, err: err.message, retryInMs: wait }, 'ledger commit failed: the replay waits for the archive');
        await sleep(wait);
      }
    }
  }

  /** After a failed commit or load: no trading for a while (doubling), /status says why. */
  private pause(archive: LedgerArchive, err: unknown): void {
    if (err instanceof StoreError && !err.transient) this.reload = true;
    this.pauseMs = Math.min(Math.max(this.pauseMs * 2, PAUSE_MIN_MS), PAUSE_MAX_MS);
    this.pausedUntil = performance.now() + this.pauseMs;
    const reason = err instanceof Error ? err.message : String(err);
    this.health.set(this.name, 'degraded', `ledger archive ${archive.where} failed; trading paused ${this.pauseMs} ms (${reason})`);
  }

  /**
   * A book that could not be loaded at start: a replay goes on without it; a
   * live run tries again after each pause and starts trading once it loads.
   * @returns whether the portfolio is open now.
   */
  private async loadLate(): Promise<boolean> {
    const archive = this.archive;
    if (archive === undefined) return false;
    const what = this.replay ? 'this replay runs without the portfolio' : 'trading waits until it answers';
    this.health.set(this.name, 'degraded', `book ${this.config.book} in ${archive.where} not loaded: ${what} (${this.unloaded ?? ''})`);
    if (this.replay || performance.now() < this.pausedUntil) return false;
    try {
      const detail = await this.open(archive, this.config.book, await archive.load(this.config.book));
      this.unloaded = undefined;
      this.pauseMs = 0;
      this.health.set(this.name, 'ready');
      this.log.info({ book: this.config.book, archive: archive.where, detail }, 'ledger archive reachable: portfolio loaded, trading starts');
      return true;
    } catch (err) {
      this.unloaded = err instanceof Error ? err.message : String(err);
      // A book this run may not use (other capital, a replay's) will not change by waiting: stop trying.
      if (!(err instanceof StoreError)) this.pausedUntil = Infinity;
      else this.pause(archive, err);
      throw err;
    }
  }

  /** Rebuilds the book and the portfolio from the archive (after it refused a commit as not continuing the book). */
  private async reloadBook(archive: LedgerArchive): Promise<void> {
    const stored = await archive.load(this.config.book);
    const ledger = MemoryLedger.of(stored.records, stored.meta);
    this.marks = parseMarks(ledger.getMeta(META.marks));
    this.manager = PortfolioManager.restore({ initialCapital: this.config.capitalUsd }, ledger, { clock: this.clock, marks: this.marks });
    this.ledger = ledger;
    this.reload = false;
    this.log.warn({ book: this.config.book, archive: archive.where, records: stored.records.length }, 'portfolio reloaded from the archive');
  }

  private publish(tsMs: number, trades: readonly Trade[]): void {
    for (const t of trades) {
      const pnl = t.pnl;
      this.bus.publish(topics.trade(t.symbol), 'trade', { id: t.id, symbol: t.symbol, side: t.side, qty: t.quantity, price: t.price, fee: t.fee, pnl, reason: t.reason }, tsMs);
      this.metrics.trade(t.side, t.reason, pnl);
    }
    const state = this.state();
    if (state === undefined) return;
    const positions = state.positions.map((p) => ({
      symbol: p.symbol,
      qty: p.quantity,
      avgPrice: p.avgPrice,
      marketPrice: p.marketPrice,
      marketValue: p.marketValue,
      unrealizedPnl: p.unrealizedPnl,
    }));
    const { equity, cash, exposure, realizedPnl, unrealizedPnl, totalPnl, winRate } = state;
    this.bus.publish(topics.portfolio(), 'portfolio', { equity, cash, exposure, realizedPnl, unrealizedPnl, totalPnl, positions }, tsMs);
    this.metrics.portfolio({ equity, realizedPnl, unrealizedPnl, totalPnl, exposure, winRate });
  }

  /** The portfolio at its last marks. */
  state(): PortfolioState | undefined {
    return this.manager?.getPortfolioState();
  }

  /** For /status and the closing log line. */
  summary(): PortfolioSummary | undefined {
    const state = this.state();
    return state === undefined ? undefined : summarize(state);
  }

  /** The replay reached its end: the next run of it starts a fresh book. */
  async finish(): Promise<void> {
    if (!this.replay || this.archive === undefined || this.ledger === undefined) return;
    this.ledger.setMeta(META.finished, '1');
    await this.commit(this.archive, [], { [META.finished]: '1' });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.archive?.close();
    this.archive = undefined;
    this.ledger = undefined;
  }
}
