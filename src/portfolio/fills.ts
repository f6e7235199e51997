/**
 * The amounts of a fill: price after slippage, notional, fee and what the
 * slippage cost, all exact integers; and the Trade handed to callers.
 */
import { centsToDollars, MICRO, microToUnits, mulDiv1e10, mulDiv1e6, Rounding } from './money.js';
import type { TradePayload } from './records.js';
import type { Trade, TradeReason, TradeSide } from './types.js';

/** A fill to make: what, which way, why, how much, at which observed price. */
export type FillOrder = {
  readonly symbol: string;
  readonly side: TradeSide;
  readonly reason: TradeReason;
  readonly quantityMicro: number;
  readonly marketPriceMicro: number;
  /** SELL: the cost basis of the position it closes, for the realized P&L. */
  readonly costCents?: number;
};

/** Fees and slippage in parts per million of notional and price. */
export type FillCosts = { readonly feePpm: number; readonly slippagePpm: number };

/**
 * The fill price: slippage moves the observed price against the trader and
 * rounds on the micro-dollar grid against them too, so a buy fills at
 * ceil(price × (1 + bps/1e4)) and a sell at floor(price × (1 − bps/1e4)).
 */
export function fillPriceMicro(side: TradeSide, marketPriceMicro: number, slippagePpm: number): number {
  return side === 'BUY'
    ? mulDiv1e6(marketPriceMicro, MICRO + slippagePpm, Rounding.ceil)
    : mulDiv1e6(marketPriceMicro, MICRO - slippagePpm, Rounding.floor);
}

/**
 * The exact record of a fill: notional = round-half-even(quantity × fill)
 * in cents; fee = round-half-even(notional × feeBps / 1e4); slippage =
 * |notional − round-half-even(quantity × market price)|; on a SELL, P&L =
 * notional − fee − cost basis.
 */
export function tradePayload(order: FillOrder, costs: FillCosts): TradePayload {
  const { symbol, side, reason, quantityMicro, marketPriceMicro } = order;
  const priceMicro = fillPriceMicro(side, marketPriceMicro, costs.slippagePpm);
  const notionalCents = mulDiv1e10(quantityMicro, priceMicro, Rounding.halfEven);
  const atMarket =
    priceMicro === marketPriceMicro ? notionalCents : mulDiv1e10(quantityMicro, marketPriceMicro, Rounding.halfEven);
  const feeCents = mulDiv1e6(notionalCents, costs.feePpm, Rounding.halfEven);
  const slippageCents = side === 'BUY' ? notionalCents - atMarket : atMarket - notionalCents;
  const payload: TradePayload = {
    symbol,
    side,
    reason,
    quantityMicro,
    priceMicro,
    marketPriceMicro,
    notionalCents,
    feeCents,
    slippageCents,
  };
  if (side === 'SELL') payload.pnlCents = notionalCents - feeCents - (order.costCents ?? 0);
  return payload;
}

/** The Trade of a stored fill; its id is the ledger seq. */
export function toTrade(seq: number, p: TradePayload, tsMs: number, confidence: number | undefined): Trade {
  const trade: Trade = {
    id: String(seq),
    symbol: p.symbol,
    side: p.side,
    quantity: microToUnits(p.quantityMicro),
    price: microToUnits(p.priceMicro),
    notional: centsToDollars(p.notionalCents),
    fee: centsToDollars(p.feeCents),
    slippage: centsToDollars(p.slippageCents),
    reason: p.reason,
    tsMs,
    exact: {
      quantityMicro: p.quantityMicro,
      priceMicro: p.priceMicro,
      marketPriceMicro: p.marketPriceMicro,
      notionalCents: p.notionalCents,
      feeCents: p.feeCents,
      slippageCents: p.slippageCents,
      ...(p.pnlCents === undefined ? {} : { pnlCents: p.pnlCents }),
    },
    ...(p.pnlCents === undefined ? {} : { pnl: centsToDollars(p.pnlCents) }),
    ...(confidence === undefined ? {} : { confidence }),
  };
  return trade;
}
