/**
 * Watched symbols. Equities are exchange tickers (AAPL, BRK.B); crypto pairs
 * are BASE/QUOTE (BTC/USDT), the CCXT convention. The asset class decides
 * which providers may serve a symbol and how a position is sized.
 */

/** Asset class of a symbol. */
export const AssetClass = { equity: 'equity', crypto: 'crypto' } as const;
export type AssetClass = (typeof AssetClass)[keyof typeof AssetClass];

/** A validated, upper-case symbol with its asset class. */
export type WatchedSymbol = {
  readonly symbol: string;
  readonly assetClass: AssetClass;
};

const EQUITY = /^[A-Z][A-Z0-9]{0,9}(?:[.-][A-Z0-9]{1,4})?$/;
const CRYPTO = /^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/;

/** What a symbol may look like, for error messages. */
export const SYMBOL_RULE = 'expected symbols like AAPL, BRK.B or BTC/USDT (letters and digits, crypto as BASE/QUOTE)';

/**
 * Parses one symbol (case-insensitive, surrounding blanks ignored).
 * Returns undefined when it is neither an equity ticker nor a crypto pair.
 */
export function parseSymbol(raw: string): WatchedSymbol | undefined {
  const symbol = raw.trim().toUpperCase();
  if (CRYPTO.test(symbol)) return { symbol, assetClass: AssetClass.crypto };
  if (EQUITY.test(symbol)) return { symbol, assetClass: AssetClass.equity };
  return undefined;
}

/** True for BASE/QUOTE crypto pairs. */
export function isCrypto(symbol: string): boolean {
  return CRYPTO.test(symbol);
}
