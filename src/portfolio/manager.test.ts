import { describe, expect, it } from 'vitest';
import type { Clock } from '../domain/index.js';
import { PortfolioManager } from './manager.js';
import { MemoryLedger } from './memory-ledger.js';
import type { PortfolioOptions } from './options.js';
import type { SignalResult, Trade } from './types.js';

/** 2026-01-15 10:00 in New York (EST, UTC−5). */
const T0 = Date.parse('2026-01-15T15:00:00Z');

function fixedClock(ms: number): Clock {
  return { nowMs: () => ms };
}

function manager(options: PortfolioOptions = {}, ledger = new MemoryLedger()): PortfolioManager {
  return new PortfolioManager(options, ledger, fixedClock(T0));
}

function traded(result: SignalResult): Trade {
  if (result.kind !== 'trade') throw new Error(`expected a trade, got ${JSON.stringify(result)}`);
  return result.trade;
}

describe('BUY sizing', () => {
  it('buys 66 shares for 10% of $100,000 at $150.00 (10000 / 150 = 66.67, whole shares)', () => {
    const m = manager();
    const trade = traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    // Records: 1 open, 2 day, 3 this trade.
    expect(trade).toMatchObject({ id: '3', side: 'BUY', quantity: 66, price: 150, notional: 9900, fee: 0 });
    expect(trade.slippage).toBe(0);
    expect(trade.reason).toBe('signal');
    const state = m.getPortfolioState();
    // cash 100000 − 9900 = 90100; market value 66 × 150 = 9900.
    expect(state.cents).toMatchObject({ cash: 9_010_000, marketValue: 990_000, equity: 10_000_000, totalPnl: 0 });
    expect(state.exposure).toBeCloseTo(0.099, 12);
  });

  it('sizes a crypto pair to 1e-6: 10000 / 43210.50 = 0.2314252… → 0.231425 BTC, notional 9999.99', () => {
    const m = manager();
    const trade = traded(m.processSignal('BTC/USDT', 'BUY', 43_210.5, { ts: T0 }));
    // 0.231425 × 43210.50 = 9999.9899625 → 9999.99 (half-even to the cent).
    expect(trade.exact).toMatchObject({ quantityMicro: 231_425, notionalCents: 999_999 });
    expect(trade.quantity).toBe(0.231425);
    expect(m.getPortfolioState().cents.cash).toBe(10_000_000 - 999_999);
  });

  it('tops a held position up to the target and never beyond', () => {
    const m = manager();
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    // At 145: equity = 90100 + 66 × 145 = 99670, target 9967 / 145 = 68.7 → 68 shares, so 2 more.
    const topUp = traded(m.processSignal('AAPL', 'BUY', 145, { ts: T0 + 1 }));
    expect(topUp).toMatchObject({ quantity: 2, notional: 290 });
    const [position] = m.getPortfolioState().positions;
    expect(position?.exact).toMatchObject({ quantityMicro: 68_000_000, costCents: 1_019_000 });
    // Again at 145: equity still 99670 → 68 shares already held.
    expect(m.processSignal('AAPL', 'BUY', 145, { ts: T0 + 2 })).toEqual({ kind: 'denied', reason: 'max_position' });
    // At 155: equity = 89810 + 68 × 155 = 100350, target 10035 / 155 = 64.7 → 64 < 68: no sale, no buy.
    expect(m.processSignal('AAPL', 'BUY', 155, { ts: T0 + 3 })).toEqual({ kind: 'denied', reason: 'max_position' });
    expect(m.getPortfolioState().positions[0]?.quantity).toBe(68);
  });

  it('cuts a buy down to the exposure limit, then denies when not one share fits', () => {
    const m = manager({ maxPositionSize: 0.5, maxTotalExposure: 0.8 });
    // A: 50000 / 100 = 500 shares, exposure 50000 / 100000 = 0.5.
    expect(traded(m.processSignal('A', 'BUY', 100, { ts: T0 })).quantity).toBe(500);
    // B wants 500, but (50000 + 100 n) <= 0.8 × 100000 allows n = 300.
    expect(traded(m.processSignal('B', 'BUY', 100, { ts: T0 })).quantity).toBe(300);
    const state = m.getPortfolioState();
    expect(state.cents).toMatchObject({ cash: 2_000_000, marketValue: 8_000_000, equity: 10_000_000 });
    expect(state.exposure).toBe(0.8);
    // C: one share makes 80100 > 80000.
    expect(m.processSignal('C', 'BUY', 100, { ts: T0 })).toEqual({ kind: 'denied', reason: 'max_exposure' });
  });

  it('cuts a buy down to the cash, fee included, then denies with insufficient_cash', () => {
    const m = manager({ maxPositionSize: 1, maxTotalExposure: 1, feeBps: 100 });
    // 1000 shares at 100 would cost 100000 + 1% fee; 101 n <= 100000 allows n = 990.
    const trade = traded(m.processSignal('A', 'BUY', 100, { ts: T0 }));
    expect(trade).toMatchObject({ quantity: 990, notional: 99_000, fee: 990 });
    expect(m.getPortfolioState().cash).toBe(10);
    // One share of B costs 101 > 10.
    expect(m.processSignal('B', 'BUY', 100, { ts: T0 })).toEqual({ kind: 'denied', reason: 'insufficient_cash' });
  });
});

describe('SELL, HOLD and invalid prices', () => {
  it('closes the whole position on SELL and denies a SELL with nothing held', () => {
    const m = manager();
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    // 66 × 151.25 = 9982.50; P&L 9982.50 − 9900 = 82.50.
    const sell = traded(m.processSignal('AAPL', 'SELL', 151.25, { ts: T0 + 1 }));
    expect(sell).toMatchObject({ id: '4', side: 'SELL', quantity: 66, notional: 9982.5, pnl: 82.5 });
    expect(m.processSignal('AAPL', 'SELL', 151.25, { ts: T0 + 2 })).toEqual({ kind: 'denied', reason: 'no_position' });
    const state = m.getPortfolioState();
    expect(state).toMatchObject({ positions: [], realizedPnl: 82.5, winRate: 1, roundTrips: 1, tradeCount: 2 });
  });

  it('counts a round trip with zero P&L as a loss in the win rate', () => {
    const m = manager();
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    // 66 × 150 − 9900 = 0.
    expect(traded(m.processSignal('AAPL', 'SELL', 150, { ts: T0 + 1 })).pnl).toBe(0);
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 + 2 }));
    // 66 × 151 − 9900 = 66.
    expect(traded(m.processSignal('AAPL', 'SELL', 151, { ts: T0 + 3 })).pnl).toBe(66);
    expect(m.getPortfolioState()).toMatchObject({ winRate: 0.5, wins: 1, losses: 1, roundTrips: 2, tradeCount: 4 });
  });

  it('does nothing on HOLD', () => {
    const ledger = new MemoryLedger();
    const m = manager({}, ledger);
    expect(m.processSignal('AAPL', 'HOLD', 150, { ts: T0 })).toEqual({ kind: 'hold' });
    expect(ledger.records().map((r) => r.kind)).toEqual(['open', 'day']);
    expect(m.getPortfolioState().cents.cash).toBe(10_000_000);
  });

  it('denies non-finite, zero and negative prices and ignores them when marking', () => {
    const ledger = new MemoryLedger();
    const m = manager({}, ledger);
    for (const price of [Number.NaN, Number.POSITIVE_INFINITY, 0, -150]) {
      expect(m.processSignal('AAPL', 'BUY', price, { ts: T0 })).toEqual({ kind: 'denied', reason: 'invalid_price' });
    }
    expect(ledger.lastSeq()).toBe(1);
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    expect(m.updatePrices({ AAPL: Number.NaN }, T0 + 1)).toEqual([]);
    expect(m.updatePrices({ AAPL: -1 }, T0 + 1)).toEqual([]);
    expect(m.getPortfolioState().positions[0]?.marketPrice).toBe(150);
  });
});

describe('stop-loss and take-profit', () => {
  it('stops out at the observed price when the price gaps through the stop', () => {
    const m = manager();
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    // Entry 150.00, stop at 150 × 0.95 = 142.50.
    expect(m.updatePrices({ AAPL: 142.51 }, T0 + 1)).toEqual([]);
    const [exit] = m.updatePrices({ AAPL: 130 }, T0 + 2);
    // Fills at 130, not 142.50: 66 × 130 = 8580, P&L 8580 − 9900 = −1320.
    expect(exit).toMatchObject({ side: 'SELL', reason: 'stop_loss', price: 130, notional: 8580, pnl: -1320 });
    expect(m.getPortfolioState()).toMatchObject({ positions: [], cash: 98_680, realizedPnl: -1320, winRate: 0 });
  });

  it('stops out exactly at the stop level (at or below)', () => {
    const m = manager();
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    expect(m.updatePrices({ AAPL: 142.5 }, T0 + 1)).toMatchObject([{ reason: 'stop_loss', price: 142.5 }]);
  });

  it('takes profit at or above entry × 1.15', () => {
    const m = manager();
    traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    // Take-profit at 150 × 1.15 = 172.50.
    expect(m.updatePrices({ AAPL: 172.49 }, T0 + 1)).toEqual([]);
    const [exit] = m.updatePrices({ AAPL: 172.5, MSFT: 400 }, T0 + 2);
    // 66 × 172.50 = 11385, P&L 11385 − 9900 = 1485.
    expect(exit).toMatchObject({ reason: 'take_profit', price: 172.5, notional: 11_385, pnl: 1485 });
    expect(m.getPortfolioState()).toMatchObject({ cash: 101_485, totalPnl: 1485, winRate: 1 });
  });
});

describe('fees and slippage', () => {
  it('charges both on both sides and keeps them inside the P&L', () => {
    const m = manager({ feeBps: 10, slippageBps: 5 });
    // Buy fill 150 × 1.0005 = 150.075; 10000 / 150.075 = 66.6 → 66 shares.
    // Notional 66 × 150.075 = 9904.95, fee 9.90495 → 9.90, slippage 9904.95 − 9900 = 4.95.
    const buy = traded(m.processSignal('AAPL', 'BUY', 150, { ts: T0 }));
    expect(buy).toMatchObject({ quantity: 66, price: 150.075, notional: 9904.95, fee: 9.9, slippage: 4.95 });
    // Cash 100000 − 9904.95 − 9.90 = 90085.15; cost basis 9914.85.
    expect(m.getPortfolioState().positions[0]?.exact.costCents).toBe(991_485);
    // Sell fill 160 × 0.9995 = 159.92; notional 66 × 159.92 = 10554.72, fee 10.55472 → 10.55,
    // slippage 66 × 160 − 10554.72 = 5.28; P&L 10554.72 − 10.55 − 9914.85 = 629.32.
    const sell = traded(m.processSignal('AAPL', 'SELL', 160, { ts: T0 + 1 }));
    expect(sell).toMatchObject({ price: 159.92, notional: 10_554.72, fee: 10.55, slippage: 5.28, pnl: 629.32 });
    // Cash 90085.15 + 10554.72 − 10.55 = 100629.32; fees 9.90 + 10.55 = 20.45.
    const cents = m.getPortfolioState().cents;
    expect(cents).toMatchObject({ cash: 10_062_932, realizedPnl: 62_932, totalPnl: 62_932, fees: 2045 });
  });

  it('rounds slippage against the trader on the micro-dollar grid', () => {
    const m = manager({ slippageBps: 3 });
    // 0.123457 × 1.0003 = 0.1234940371 → buy at 0.123495 (up); × 0.9997 = 0.1234199629 → sell at 0.123419 (down).
    expect(traded(m.processSignal('DOGE/USDT', 'BUY', 0.123457, { ts: T0 })).exact.priceMicro).toBe(123_495);
    expect(traded(m.processSignal('DOGE/USDT', 'SELL', 0.123457, { ts: T0 })).exact.priceMicro).toBe(123_419);
  });
});
