/**
 * The portfolio capability: a risk-controlled, exact, restart-proof paper
 * portfolio, and the Ledger port it records every change to.
 */
export { PortfolioManager, type RestoreOptions } from './manager.js';
export { MemoryLedger } from './memory-ledger.js';
export type { Ledger, LedgerRecord } from './ledger.js';
export { PortfolioOptionError, type PortfolioOptions } from './options.js';
export type { PriceMap } from './portfolio-view.js';
export {
  DenialReason,
  TradeReason,
  type PortfolioCents,
  type PortfolioSnapshot,
  type PortfolioState,
  type PositionView,
  type SignalAction,
  type SignalOptions,
  type SignalResult,
  type Trade,
  type TradeExact,
  type TradeSide,
} from './types.js';
