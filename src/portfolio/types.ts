/**
 * What the portfolio manager returns: trades, signal outcomes and the
 * portfolio state. Dollar fields are numbers for display and JSON (cents /
 * 100, the nearest double); the exact integers ride beside them in
 * `exact` / `cents` and are what to compute with.
 */

/** A trading signal. */
export type SignalAction = 'BUY' | 'SELL' | 'HOLD';

/** The side of a fill (long-only: BUY opens or tops up, SELL closes). */
export type TradeSide = 'BUY' | 'SELL';

/** Why a fill happened. */
export const TradeReason = { signal: 'signal', stopLoss: 'stop_loss', takeProfit: 'take_profit' } as const;
export type TradeReason = (typeof TradeReason)[keyof typeof TradeReason];

/** Why a signal was refused: an expected outcome, returned, never thrown. */
export const DenialReason = {
  maxPosition: 'max_position',
  maxExposure: 'max_exposure',
  insufficientCash: 'insufficient_cash',
  dailyLossHalt: 'daily_loss_halt',
  noPosition: 'no_position',
  invalidPrice: 'invalid_price',
} as const;
export type DenialReason = (typeof DenialReason)[keyof typeof DenialReason];

/** The exact integers of a trade. */
export type TradeExact = {
  /** Units traded, in micro-units (1e-6 share or coin). */
  readonly quantityMicro: number;
  /** Fill price in micro-dollars (after slippage). */
  readonly priceMicro: number;
  /** The observed market price the fill was made at, in micro-dollars. */
  readonly marketPriceMicro: number;
  /** round-half-even(quantity × fill price), in cents. */
  readonly notionalCents: number;
  /** round-half-even(notional × feeBps / 10000), in cents. */
  readonly feeCents: number;
  /** What slippage cost: |notional − quantity × market price|, in cents (>= 0). */
  readonly slippageCents: number;
  /** SELL only: proceeds − sell fee − cost basis (which includes the buy fees), in cents. */
  readonly pnlCents?: number;
};

/** One fill, after its ledger record was stored. */
export type Trade = {
  /** The ledger seq of the fill's record, as a string: deterministic across restarts. */
  readonly id: string;
  readonly symbol: string;
  readonly side: TradeSide;
  /** Units (shares or coins). */
  readonly quantity: number;
  /** Fill price in dollars (after slippage). */
  readonly price: number;
  readonly notional: number;
  readonly fee: number;
  readonly slippage: number;
  /** Realized P&L in dollars, fees included (SELL only). */
  readonly pnl?: number;
  readonly reason: TradeReason;
  readonly tsMs: number;
  /** The signal's confidence, when given (not used for sizing). */
  readonly confidence?: number;
  readonly exact: TradeExact;
};

/** What `processSignal` did. */
export type SignalResult =
  | { readonly kind: 'trade'; readonly trade: Trade }
  | { readonly kind: 'denied'; readonly reason: DenialReason }
  | { readonly kind: 'hold' };

/** Options of one signal. */
export type SignalOptions = {
  /** When the signal happened, epoch ms (default: the clock's now). */
  readonly ts?: number;
  /** The signal's confidence, copied onto the trade. */
  readonly confidence?: number;
};

/** One open position, valued at a mark. */
export type PositionView = {
  readonly symbol: string;
  /** Units held. */
  readonly quantity: number;
  /** Average cost per unit in dollars, buy fees included (the "entry"). */
  readonly avgPrice: number;
  readonly marketPrice: number;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
  readonly exact: {
    readonly quantityMicro: number;
    readonly costCents: number;
    readonly marketPriceMicro: number;
    readonly marketValueCents: number;
    readonly unrealizedPnlCents: number;
  };
};

/** The exact amounts of a {@link PortfolioState}, in cents. */
export type PortfolioCents = {
  readonly initialCapital: number;
  readonly cash: number;
  readonly marketValue: number;
  /** cash + marketValue. */
  readonly equity: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  /** realizedPnl + unrealizedPnl = equity − initialCapital. */
  readonly totalPnl: number;
  /** All fees paid (already inside the P&L). */
  readonly fees: number;
  /** The trading day's opening equity (0 before the first event). */
  readonly openingEquity: number;
};

/** The portfolio valued at the given prices (or the last marks). */
export type PortfolioState = {
  readonly cash: number;
  /** Sorted by symbol. */
  readonly positions: readonly PositionView[];
  readonly marketValue: number;
  readonly equity: number;
  /** marketValue / equity (0 when equity is 0). */
  readonly exposure: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly totalPnl: number;
  readonly fees: number;
  /** Share of closed round trips with realized P&L > 0 (0 before the first). */
  readonly winRate: number;
  /** Fills, buys and sells. */
  readonly tradeCount: number;
  /** Closed positions. */
  readonly roundTrips: number;
  readonly wins: number;
  readonly losses: number;
  /** Entries denied for the rest of the trading day (daily loss limit). */
  readonly halted: boolean;
  /** The current trading day, YYYY-MM-DD, undefined before the first event. */
  readonly tradingDay: string | undefined;
  readonly openingEquity: number;
  readonly cents: PortfolioCents;
};

/**
 * Every field of the manager's state that the ledger rebuilds, for
 * comparing a restored manager with its original. Marks are market data,
 * not state: they are left out.
 */
export type PortfolioSnapshot = {
  readonly lastSeq: number;
  readonly initialCapitalCents: number;
  readonly cashCents: number;
  readonly realizedPnlCents: number;
  readonly feesCents: number;
  readonly wins: number;
  readonly roundTrips: number;
  readonly tradeCount: number;
  readonly tradingDay: string | undefined;
  readonly openingEquityCents: number;
  readonly haltBelowCents: number;
  readonly halted: boolean;
  readonly positions: readonly {
    readonly symbol: string;
    readonly quantityMicro: number;
    readonly costCents: number;
    readonly stopMicro: number;
    readonly takeMicro: number;
  }[];
};
