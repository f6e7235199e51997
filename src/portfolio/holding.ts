/**
 * The manager's mutable state, in exact integers. Only manager.ts writes
 * it; the state view and the risk rules read it.
 */

/** One open position. Quantities in micro-units, prices in micro-dollars, money in cents. */
export type Holding = {
  readonly symbol: string;
  quantityMicro: number;
  /** Cost basis: notional + fee of every buy since the position opened. */
  costCents: number;
  /** The last observed price. Market data, not rebuilt from the ledger exactly. */
  markMicro: number;
  /** round-half-even(quantity × mark). */
  marketValueCents: number;
  stopMicro: number;
  takeMicro: number;
};

/** Everything the manager tracks. */
export type Book = {
  readonly initialCapitalCents: number;
  cashCents: number;
  realizedPnlCents: number;
  feesCents: number;
  wins: number;
  roundTrips: number;
  tradeCount: number;
  /** Σ market value of the holdings, kept in step with them. */
  marketValueCents: number;
  tradingDay: string | undefined;
  openingEquityCents: number;
  haltBelowCents: number;
  halted: boolean;
  readonly holdings: Map<string, Holding>;
};

/** A read-only view of a {@link Book}. */
export type BookView = Readonly<Omit<Book, 'holdings'>> & {
  readonly holdings: ReadonlyMap<string, Readonly<Holding>>;
};

/** The book of a portfolio that has only its initial capital. */
export function newBook(initialCapitalCents: number): Book {
  return {
    initialCapitalCents,
    cashCents: initialCapitalCents,
    realizedPnlCents: 0,
    feesCents: 0,
    wins: 0,
    roundTrips: 0,
    tradeCount: 0,
    marketValueCents: 0,
    tradingDay: undefined,
    openingEquityCents: 0,
    haltBelowCents: 0,
    halted: false,
    holdings: new Map(),
  };
}

/** An empty position in `symbol`, before its first buy is applied. */
export function newHolding(symbol: string): Holding {
  return { symbol, quantityMicro: 0, costCents: 0, markMicro: 0, marketValueCents: 0, stopMicro: 0, takeMicro: 0 };
}
