/**
 * The portfolio state callers see: the book valued at given prices, in
 * dollars for display plus the exact cents. Reads only.
 */
import type { BookView } from './holding.js';
import { centsToDollars, microToUnits, mulDiv1e10, Rounding, toPriceMicro } from './money.js';
import type { PortfolioSnapshot, PortfolioState, PositionView } from './types.js';

/** Prices by symbol, in dollars. */
export type PriceMap = Readonly<Record<string, number>>;

function bySymbol(a: { readonly symbol: string }, b: { readonly symbol: string }): number {
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

function positionsAt(book: BookView, prices: PriceMap | undefined): PositionView[] {
  const views: PositionView[] = [];
  for (const h of book.holdings.values()) {
    const given = prices?.[h.symbol];
    const markMicro = (given === undefined ? undefined : toPriceMicro(given)) ?? h.markMicro;
    const valueCents =
      markMicro === h.markMicro ? h.marketValueCents : mulDiv1e10(h.quantityMicro, markMicro, Rounding.halfEven);
    const unrealizedCents = valueCents - h.costCents;
    views.push({
      symbol: h.symbol,
      quantity: microToUnits(h.quantityMicro),
      // Display only: cost per unit in dollars, the nearest double.
      avgPrice: h.costCents / 100 / microToUnits(h.quantityMicro),
      marketPrice: microToUnits(markMicro),
      marketValue: centsToDollars(valueCents),
      unrealizedPnl: centsToDollars(unrealizedCents),
      exact: {
        quantityMicro: h.quantityMicro,
        costCents: h.costCents,
        marketPriceMicro: markMicro,
        marketValueCents: valueCents,
        unrealizedPnlCents: unrealizedCents,
      },
    });
  }
  return views.sort(bySymbol);
}

/**
 * The state at `prices` (dollars by symbol); a position without a valid
 * price there is valued at its last mark. Invariants, exact in cents:
 * cash + marketValue = equity; realizedPnl + unrealizedPnl = totalPnl =
 * equity − initialCapital.
 */
export function portfolioState(book: BookView, prices?: PriceMap): PortfolioState {
  const positions = positionsAt(book, prices);
  const marketValueCents = positions.reduce((sum, p) => sum + p.exact.marketValueCents, 0);
  const unrealizedCents = positions.reduce((sum, p) => sum + p.exact.unrealizedPnlCents, 0);
  const equityCents = book.cashCents + marketValueCents;
  const totalCents = book.realizedPnlCents + unrealizedCents;
  const cents = {
    initialCapital: book.initialCapitalCents,
    cash: book.cashCents,
    marketValue: marketValueCents,
    equity: equityCents,
    realizedPnl: book.realizedPnlCents,
    unrealizedPnl: unrealizedCents,
    totalPnl: totalCents,
    fees: book.feesCents,
    openingEquity: book.openingEquityCents,
  };
  return {
    cash: centsToDollars(cents.cash),
    positions,
    marketValue: centsToDollars(marketValueCents),
    equity: centsToDollars(equityCents),
    exposure: equityCents > 0 ? marketValueCents / equityCents : 0,
    realizedPnl: centsToDollars(cents.realizedPnl),
    unrealizedPnl: centsToDollars(unrealizedCents),
    totalPnl: centsToDollars(totalCents),
    fees: centsToDollars(cents.fees),
    winRate: book.roundTrips > 0 ? book.wins / book.roundTrips : 0,
    tradeCount: book.tradeCount,
    roundTrips: book.roundTrips,
    wins: book.wins,
    losses: book.roundTrips - book.wins,
    halted: book.halted,
    tradingDay: book.tradingDay,
    openingEquity: centsToDollars(book.openingEquityCents),
    cents,
  };
}

/** Every field of `book` the ledger rebuilds (marks left out), positions sorted by symbol. */
export function portfolioSnapshot(book: BookView, lastSeq: number): PortfolioSnapshot {
  const positions = [...book.holdings.values()]
    .map((h) => ({
      symbol: h.symbol,
      quantityMicro: h.quantityMicro,
      costCents: h.costCents,
      stopMicro: h.stopMicro,
      takeMicro: h.takeMicro,
    }))
    .sort(bySymbol);
  return {
    lastSeq,
    initialCapitalCents: book.initialCapitalCents,
    cashCents: book.cashCents,
    realizedPnlCents: book.realizedPnlCents,
    feesCents: book.feesCents,
    wins: book.wins,
    roundTrips: book.roundTrips,
    tradeCount: book.tradeCount,
    tradingDay: book.tradingDay,
    openingEquityCents: book.openingEquityCents,
    haltBelowCents: book.haltBelowCents,
    halted: book.halted,
    positions,
  };
}
