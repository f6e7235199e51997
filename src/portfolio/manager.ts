/**
 * The paper portfolio: turns signals into fills under the risk rules, marks
 * positions, exits on stop-loss and take-profit, halts entries on the daily
 * loss limit. Every change is appended to the ledger before it is applied,
 * and the same code applies it when the manager is rebuilt from the ledger.
 */
import { isCrypto, systemClock, type Clock } from '../domain/index.js';
import { type Book, type Holding, newBook, newHolding } from './holding.js';
import type { Ledger } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { addCents, MAX_QUANTITY_MICRO, MICRO, mulDiv1e10, Rounding, toPriceMicro } from './money.js';
import {
  type PortfolioOptions,
  PortfolioOptionError,
  type ResolvedPortfolioOptions,
  resolvePortfolioOptions,
} from './options.js';
import { portfolioSnapshot, portfolioState, type PriceMap } from './portfolio-view.js';
import { brokenRecord, type OpenPayload, parseRecord, type PortfolioRecord, type TradePayload } from './records.js';
import { decideEntry, exitLevels, exitReason, haltBelowCents } from './risk.js';
import { fillPriceMicro, tradePayload, toTrade } from './fills.js';
import { TradingCalendar } from './trading-day.js';
import {
  DenialReason,
  TradeReason,
  type PortfolioSnapshot,
  type PortfolioState,
  type SignalAction,
  type SignalOptions,
  type SignalResult,
  type Trade,
} from './types.js';

const HOLD: SignalResult = Object.freeze({ kind: 'hold' });
const NO_TRADES: readonly Trade[] = Object.freeze([]);

/** How {@link PortfolioManager.restore} rebuilds: the clock, and the marks to restart from. */
export type RestoreOptions = {
  /** The clock for signals and updates without a ts (default: the system clock). */
  readonly clock?: Clock;
  /** The last prices seen before the restart, dollars by symbol (e.g. saved in the ledger's meta). */
  readonly marks?: PriceMap;
};

function denied(reason: DenialReason): SignalResult {
  return { kind: 'denied', reason };
}

/**
 * A long-only paper portfolio in exact integers (cents, micro-units,
 * micro-dollars; see money.ts). Constructing it on a ledger that already
 * has records rebuilds it from them (start and restart share one path);
 * on an empty ledger it starts with the initial capital.
 */
export class PortfolioManager {
  private readonly options: ResolvedPortfolioOptions;
  private readonly calendar: TradingCalendar;
  private readonly book: Book;
  private seq = 0;

  /** Throws PortfolioOptionError for a bad option, InvariantError for a ledger that does not replay. */
  constructor(
    options: PortfolioOptions = {},
    private readonly ledger: Ledger = new MemoryLedger(),
    private readonly clock: Clock = systemClock,
  ) {
    this.options = resolvePortfolioOptions(options);
    this.calendar = new TradingCalendar(this.options.tradingDayTimeZone);
    this.book = newBook(this.options.initialCapitalCents);
    const records = ledger.records();
    if (records.length === 0) {
      const open: OpenPayload = { v: 1, initialCapitalCents: this.options.initialCapitalCents };
      this.record({ kind: 'open', payload: open }, clock.nowMs());
    }
    for (const record of records) {
      if (record.seq !== this.seq + 1) throw brokenRecord(record.seq, `expected seq ${this.seq + 1}`);
      this.apply(parseRecord(record), record.seq);
      this.seq = record.seq;
    }
  }

  /**
   * Rebuilds a manager from `ledger` by replaying its records; it then
   * equals the manager that wrote them (see snapshotState). Marks are market
   * data, not in the ledger: each position is marked at its last fill's
   * market price, then at `restore.marks` (dollars by symbol) when given,
   * without any exit, halt or ledger record; later prices mark it as usual.
   */
  static restore(options: PortfolioOptions, ledger: Ledger, restore: RestoreOptions = {}): PortfolioManager {
    const manager = new PortfolioManager(options, ledger, restore.clock);
    for (const h of manager.book.holdings.values()) {
      const priceMicro = toPriceMicro(restore.marks?.[h.symbol] ?? 0);
      if (priceMicro !== undefined) manager.mark(h, priceMicro);
    }
    return manager;
  }

  /**
   * Acts on one signal at the observed `price` (dollars). The price marks
   * the symbol first (and may open the trading day or halt entries), but
   * exits on stop-loss and take-profit are left to updatePrices. BUY opens
   * or tops up to the target size, SELL closes the whole position, HOLD does
   * nothing. An invalid price (not finite, <= 0) is denied whatever the
   * action, with no other effect.
   */
  processSignal(symbol: string, action: SignalAction, price: number, options: SignalOptions = {}): SignalResult {
    const tsMs = options.ts ?? this.clock.nowMs();
    const priceMicro = toPriceMicro(price);
    if (priceMicro === undefined) return denied(DenialReason.invalidPrice);
    const day = this.calendar.dayOf(tsMs);
    const held = this.book.holdings.get(symbol);
    if (held !== undefined && held.markMicro !== priceMicro) this.mark(held, priceMicro);
    this.openDay(day, tsMs);
    this.checkHalt(tsMs);
    if (action === 'HOLD') return HOLD;
    let result: SignalResult;
    if (action === 'SELL') {
      if (held === undefined) return denied(DenialReason.noPosition);
      result = { kind: 'trade', trade: this.sell(held, priceMicro, TradeReason.signal, tsMs, options.confidence) };
    } else {
      result = this.buy(symbol, held, priceMicro, tsMs, options.confidence);
    }
    if (result.kind === 'trade') this.checkHalt(tsMs);
    return result;
  }

  /**
   * Marks positions at `prices` (dollars by symbol; invalid ones are
   * ignored) and closes each whose price reached its stop-loss or
   * take-profit, at that observed price. Returns the exits.
   */
  updatePrices(prices: PriceMap, tsMs: number = this.clock.nowMs()): readonly Trade[] {
    const day = this.calendar.dayOf(tsMs);
    let exits: Holding[] | undefined;
    for (const h of this.book.holdings.values()) {
      const price = prices[h.symbol];
      if (price === undefined) continue;
      const priceMicro = toPriceMicro(price);
      if (priceMicro === undefined) continue;
      if (priceMicro !== h.markMicro) this.mark(h, priceMicro);
      if (priceMicro <= h.stopMicro || priceMicro >= h.takeMicro) (exits ??= []).push(h);
    }
    this.openDay(day, tsMs);
    let trades: readonly Trade[] = NO_TRADES;
    if (exits !== undefined) {
      trades = exits.map((h) => this.sell(h, h.markMicro, exitReason(h.markMicro, h) ?? TradeReason.stopLoss, tsMs));
    }
    this.checkHalt(tsMs);
    return trades;
  }

  /** The portfolio valued at `prices` (dollars by symbol), or at the last marks. */
  getPortfolioState(prices?: PriceMap): PortfolioState {
    return portfolioState(this.book, prices);
  }

  /** Every field the ledger rebuilds, in exact integers, positions sorted by symbol. */
  snapshotState(): PortfolioSnapshot {
    return portfolioSnapshot(this.book, this.seq);
  }

  private buy(
    symbol: string,
    held: Holding | undefined,
    priceMicro: number,
    tsMs: number,
    confidence?: number,
  ): SignalResult {
    const b = this.book;
    const decision = decideEntry(
      {
        halted: b.halted,
        cashCents: b.cashCents,
        equityCents: b.cashCents + b.marketValueCents,
        otherMarketValueCents: b.marketValueCents - (held?.marketValueCents ?? 0),
        heldQuantityMicro: held?.quantityMicro ?? 0,
        fillMicro: fillPriceMicro('BUY', priceMicro, this.options.slippagePpm),
        unitMicro: isCrypto(symbol) ? 1 : MICRO,
      },
      this.options,
    );
    if (decision.kind === 'deny') return denied(decision.reason);
    const { quantityMicro } = decision;
    const payload = tradePayload(
      { symbol, side: 'BUY', reason: TradeReason.signal, quantityMicro, marketPriceMicro: priceMicro },
      this.options,
    );
    const seq = this.record({ kind: 'trade', payload }, tsMs);
    return { kind: 'trade', trade: toTrade(seq, payload, tsMs, confidence) };
  }

  private sell(h: Holding, priceMicro: number, reason: TradeReason, tsMs: number, confidence?: number): Trade {
    const { symbol, quantityMicro, costCents } = h;
    const payload = tradePayload(
      { symbol, side: 'SELL', reason, quantityMicro, marketPriceMicro: priceMicro, costCents },
      this.options,
    );
    const seq = this.record({ kind: 'trade', payload }, tsMs);
    return toTrade(seq, payload, tsMs, confidence);
  }

  /**
   * The first event of a new trading day records the day's opening equity,
   * valued with the prices that event brings and the last marks otherwise.
   * An event dated before the current day counts in the current day.
   */
  private openDay(day: string, tsMs: number): void {
    const current = this.book.tradingDay;
    if (day === current || (current !== undefined && day < current)) return;
    const openingEquityCents = this.book.cashCents + this.book.marketValueCents;
    this.record({ kind: 'day', payload: { day, openingEquityCents } }, tsMs);
  }

  private checkHalt(tsMs: number): void {
    const b = this.book;
    const equityCents = b.cashCents + b.marketValueCents;
    if (b.halted || b.tradingDay === undefined || equityCents >= b.haltBelowCents) return;
    this.record({ kind: 'halt', payload: { day: b.tradingDay, equityCents, haltBelowCents: b.haltBelowCents } }, tsMs);
  }

  /** Appends the change to the ledger, then applies it; returns its seq. */
  private record(change: PortfolioRecord, tsMs: number): number {
    const seq = this.seq + 1;
    this.ledger.append({ seq, kind: change.kind, tsMs, payload: JSON.stringify(change.payload) });
    this.seq = seq;
    this.apply(change, seq);
    return seq;
  }

  private apply(change: PortfolioRecord, seq: number): void {
    if ((change.kind === 'open') !== (seq === 1)) {
      throw brokenRecord(seq, 'the ledger must open with its one open record');
    }
    const b = this.book;
    switch (change.kind) {
      case 'open':
        if (change.payload.initialCapitalCents !== b.initialCapitalCents) {
          const opened = `the ledger was opened with ${change.payload.initialCapitalCents / 100}`;
          throw new PortfolioOptionError('initialCapital', b.initialCapitalCents / 100, opened);
        }
        return;
      case 'day':
        if (b.tradingDay !== undefined && change.payload.day <= b.tradingDay) {
          throw brokenRecord(seq, 'trading day goes back');
        }
        b.tradingDay = change.payload.day;
        b.openingEquityCents = change.payload.openingEquityCents;
        b.haltBelowCents = haltBelowCents(b.openingEquityCents, this.options);
        b.halted = false;
        return;
      case 'halt':
        if (change.payload.day !== b.tradingDay) throw brokenRecord(seq, 'halt outside the current trading day');
        b.halted = true;
        return;
      case 'trade':
        if (change.payload.side === 'BUY') this.applyBuy(change.payload, seq);
        else this.applySell(change.payload, seq);
    }
  }

  private applyBuy(p: TradePayload, seq: number): void {
    const b = this.book;
    const spend = p.notionalCents + p.feeCents;
    if (spend > b.cashCents) throw brokenRecord(seq, `buy of ${spend} cents exceeds the cash ${b.cashCents}`);
    if (p.notionalCents !== mulDiv1e10(p.quantityMicro, p.priceMicro, Rounding.halfEven)) {
      throw brokenRecord(seq, 'notional is not quantity × price');
    }
    let h = b.holdings.get(p.symbol);
    const quantityMicro = (h?.quantityMicro ?? 0) + p.quantityMicro;
    if (quantityMicro > MAX_QUANTITY_MICRO || quantityMicro % (isCrypto(p.symbol) ? 1 : MICRO) !== 0) {
      throw brokenRecord(seq, `quantity ${p.quantityMicro} is not allowed for ${p.symbol}`);
    }
    if (h === undefined) {
      h = newHolding(p.symbol);
      b.holdings.set(p.symbol, h);
    }
    b.cashCents -= spend;
    b.feesCents += p.feeCents;
    b.tradeCount += 1;
    h.quantityMicro += p.quantityMicro;
    h.costCents = addCents(h.costCents, spend);
    this.mark(h, p.marketPriceMicro);
    const levels = exitLevels(h.costCents, h.quantityMicro, this.options);
    h.stopMicro = levels.stopMicro;
    h.takeMicro = levels.takeMicro;
  }

  private applySell(p: TradePayload, seq: number): void {
    const b = this.book;
    const h = b.holdings.get(p.symbol);
    if (h === undefined || h.quantityMicro !== p.quantityMicro) {
      throw brokenRecord(seq, `sell of ${p.symbol} does not close its position`);
    }
    const notionalCents = mulDiv1e10(p.quantityMicro, p.priceMicro, Rounding.halfEven);
    if (p.notionalCents !== notionalCents || p.feeCents > p.notionalCents) {
      throw brokenRecord(seq, 'sell amounts do not add up');
    }
    const pnlCents = p.notionalCents - p.feeCents - h.costCents;
    if (p.pnlCents !== pnlCents) throw brokenRecord(seq, `pnl ${p.pnlCents} recorded, ${pnlCents} computed`);
    b.cashCents = addCents(b.cashCents, p.notionalCents - p.feeCents);
    b.realizedPnlCents = addCents(b.realizedPnlCents, pnlCents);
    b.feesCents += p.feeCents;
    b.tradeCount += 1;
    b.roundTrips += 1;
    if (pnlCents > 0) b.wins += 1;
    b.marketValueCents -= h.marketValueCents;
    b.holdings.delete(p.symbol);
  }

  private mark(h: Holding, priceMicro: number): void {
    const value = mulDiv1e10(h.quantityMicro, priceMicro, Rounding.halfEven);
    this.book.marketValueCents = addCents(this.book.marketValueCents, value - h.marketValueCents);
    h.marketValueCents = value;
    h.markMicro = priceMicro;
  }
}
