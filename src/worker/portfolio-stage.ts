import { existsSync, renameSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { ConfigError, ErrorCode, type Clock, type Quote } from '../domain/index.js';
import { topics, type MessagePublisher } from '../bus/index.js';
import { PortfolioManager, PortfolioOptionError, type PortfolioState, type Trade } from '../portfolio/index.js';
import type { SimulationSignal } from '../simulation/index.js';
import { SqliteLedger } from '../storage/sqlite-ledger.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Component } from './component.js';

/** Keys of the run state kept in the ledger's meta, beside the records. */
const META = {
  mode: 'run.mode',
  replaySource: 'replay.source',
  lastTickMs: 'replay.lastTickMs',
  finished: 'replay.finished',
  marks: 'marks',
} as const;

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
 * The paper portfolio in a run. Its SQLite ledger is the durable state: at
 * start the portfolio is rebuilt from it (with the last marks); each tick
 * marks positions (stop-loss and take-profit exits), acts on the signals of
 * the symbols quoted in that tick, and stores the trades, the marks and, in
 * a replay, the tick's timestamp in ONE ledger transaction, so a crash
 * leaves either the whole tick or none of it. A replay that stopped before
 * its end resumes after its last stored tick; a finished one (or another
 * replay's) is moved aside and the run starts fresh.
 */
export class PortfolioStage implements Component {
  readonly name = 'portfolio';
  private ledger: SqliteLedger | undefined;
  private manager: PortfolioManager | undefined;
  private marks: Record<string, number> = {};
  private resumeAfter: number | undefined;
  private readonly replay: boolean;

  constructor(
    private readonly config: Config,
    private readonly bus: MessagePublisher,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.replay = config.source.kind === 'replay';
  }

  async start(): Promise<string> {
    const path = this.config.ledgerPath;
    const ledger = this.openLedger(path);
    this.ledger = ledger;
    const fresh = ledger.lastSeq() === 0;
    this.marks = fresh ? {} : (JSON.parse(ledger.getMeta(META.marks) ?? '{}') as Record<string, number>);
    try {
      this.manager = ledger.atomically(() => {
        if (fresh) {
          ledger.setMeta(META.mode, this.replay ? 'replay' : 'live');
          if (this.config.source.kind === 'replay') ledger.setMeta(META.replaySource, this.config.source.path);
        }
        return PortfolioManager.restore({ initialCapital: this.config.capitalUsd }, ledger, { clock: this.clock, marks: this.marks });
      });
    } catch (err) {
      if (err instanceof PortfolioOptionError && err.option === 'initialCapital') {
        throw new ConfigError(`--capital "${this.config.capitalUsd}": the ledger "${path}" holds a portfolio opened with other capital; pass --ledger <new file> for a new portfolio`, { code: ErrorCode.config, cause: err });
      }
      throw err;
    }
    const last = ledger.getMeta(META.lastTickMs);
    this.resumeAfter = this.replay && last !== undefined ? Number(last) : undefined;
    const s = summarize(this.manager.getPortfolioState());
    if (!fresh) {
      this.log.info({ ledger: path, ...s, resumeAfter: this.resumeAfter === undefined ? undefined : new Date(this.resumeAfter).toISOString() }, 'portfolio restored from the ledger');
    }
    return `${fresh ? 'new' : 'restored'} portfolio: equity ${s.equity}, ${s.positions} positions, ${s.trades} trades, ledger ${path}`;
  }

  /** Opens the ledger; moves aside a replay ledger that cannot be resumed. */
  private openLedger(path: string): SqliteLedger {
    let ledger = SqliteLedger.open(path);
    if (ledger.lastSeq() === 0) return ledger;
    const mode = ledger.getMeta(META.mode) ?? 'live';
    if (mode !== (this.replay ? 'replay' : 'live')) {
      ledger.close();
      const other = mode === 'live' ? 'a live portfolio' : "a replay's portfolio";
      throw new ConfigError(`--ledger "${path}": holds ${other}; give this ${this.replay ? 'replay' : 'live run'} its own ledger file`, { code: ErrorCode.config });
    }
    if (this.config.source.kind !== 'replay') return ledger;
    const sameReplay = ledger.getMeta(META.replaySource) === this.config.source.path;
    if (sameReplay && ledger.getMeta(META.finished) !== '1') return ledger;
    ledger.close();
    const aside = `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}.done`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
    this.log.info({ ledger: path, movedTo: aside, reason: sameReplay ? 'that replay had finished' : 'it held another replay' }, 'starting a fresh replay portfolio');
    ledger = SqliteLedger.open(path);
    return ledger;
  }

  /** The replay timestamp through which the ledger already holds every tick (resume after it). */
  resumeAfterMs(): number | undefined {
    return this.resumeAfter;
  }

  /** One tick: exits at the new marks, then the signals of the quoted symbols; durable as one unit. */
  onTick(tsMs: number, quotes: readonly Quote[], signals: readonly SimulationSignal[]): readonly Trade[] {
    const { manager, ledger } = this;
    if (manager === undefined || ledger === undefined) return [];
    const prices = Object.fromEntries(quotes.map((q) => [q.symbol, q.price]));
    const marksBefore = { ...this.marks };
    let trades: Trade[];
    try {
      trades = this.tickAtomically(manager, ledger, tsMs, prices, signals);
    } catch (err) {
      // The ledger rolled the tick back; the manager in memory may be ahead of it: rebuild it from the ledger.
      this.marks = marksBefore;
      this.manager = PortfolioManager.restore({ initialCapital: this.config.capitalUsd }, ledger, { clock: this.clock, marks: this.marks });
      throw err;
    }
    this.publish(tsMs, trades);
    return trades;
  }

  private tickAtomically(manager: PortfolioManager, ledger: SqliteLedger, tsMs: number, prices: Record<string, number>, signals: readonly SimulationSignal[]): Trade[] {
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

  /** The replay reached its end: the next run of it starts fresh. */
  finish(): void {
    if (this.replay) this.ledger?.setMeta(META.finished, '1');
  }

  async close(): Promise<void> {
    this.ledger?.close();
    this.ledger = undefined;
  }
}
