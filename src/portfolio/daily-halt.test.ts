import { describe, expect, it } from 'vitest';
import { PortfolioManager } from './manager.js';
import { MemoryLedger } from './memory-ledger.js';
import type { PortfolioOptions } from './options.js';

/** Winter: New York is UTC−5, so 04:59 UTC is 23:59 the day before and 05:00 UTC is midnight. */
const JAN14_1000_NY = Date.parse('2026-01-14T15:00:00Z');
const JAN14_2359_NY = Date.parse('2026-01-15T04:59:00Z');
const JAN14_LAST_MS_NY = Date.parse('2026-01-15T04:59:59.999Z');
const JAN15_0000_NY = Date.parse('2026-01-15T05:00:00Z');

const HALTED = { kind: 'denied', reason: 'daily_loss_halt' };

/** 50% in A at 100, stop at 10% so the halt comes before the stop. */
const OPTIONS: PortfolioOptions = { maxPositionSize: 0.5, stopLossPct: 0.1 };

function halfInA(ledger = new MemoryLedger()): PortfolioManager {
  const m = new PortfolioManager(OPTIONS, ledger, { nowMs: () => JAN14_1000_NY });
  // Opening equity 100000 (the day's first event); halt below 100000 × 0.97 = 97000.
  const buy = m.processSignal('A', 'BUY', 100, { ts: JAN14_1000_NY });
  expect(buy).toMatchObject({ kind: 'trade', trade: { quantity: 500 } });
  return m;
}

describe('daily loss limit', () => {
  it('does not halt at exactly opening × (1 − maxDailyLoss), only below it', () => {
    const m = halfInA();
    // 500 × 94 = 47000: equity 50000 + 47000 = 97000, not below 97000.
    m.updatePrices({ A: 94 }, JAN14_2359_NY);
    expect(m.getPortfolioState().halted).toBe(false);
    // 500 × 93.998 = 46999: equity 96999 < 97000.
    m.updatePrices({ A: 93.998 }, JAN14_2359_NY);
    expect(m.getPortfolioState()).toMatchObject({ halted: true, equity: 96_999, openingEquity: 100_000 });
  });

  it('denies entries and top-ups while halted, still lets SELL and stops exit', () => {
    const m = halfInA();
    m.updatePrices({ A: 93.98 }, JAN14_2359_NY);
    expect(m.processSignal('B', 'BUY', 50, { ts: JAN14_2359_NY })).toEqual(HALTED);
    expect(m.processSignal('A', 'BUY', 93.98, { ts: JAN14_2359_NY })).toEqual(HALTED);
    // Stop at 100 × 0.9 = 90: a stop-loss exit still fills, at 89.5 (500 × 89.5 = 44750, P&L −5250).
    const [exit] = m.updatePrices({ A: 89.5 }, JAN14_LAST_MS_NY);
    expect(exit).toMatchObject({ reason: 'stop_loss', notional: 44_750, pnl: -5250 });
    expect(m.getPortfolioState().halted).toBe(true);
  });

  it('lets a SELL signal exit while halted', () => {
    const m = halfInA();
    m.updatePrices({ A: 93.98 }, JAN14_2359_NY);
    const sell = m.processSignal('A', 'SELL', 93.98, { ts: JAN14_2359_NY });
    // 500 × 93.98 = 46990, P&L −3010.
    expect(sell).toMatchObject({ kind: 'trade', trade: { notional: 46_990, pnl: -3010 } });
  });

  it('resets at midnight New York and opens the new day at the equity then', () => {
    const ledger = new MemoryLedger();
    const m = halfInA(ledger);
    // 500 × 93.98 = 46990: equity 96990 < 97000 at 23:59 New York.
    m.updatePrices({ A: 93.98 }, JAN14_2359_NY);
    expect(m.processSignal('B', 'BUY', 50, { ts: JAN14_LAST_MS_NY })).toEqual(HALTED);
    expect(m.getPortfolioState()).toMatchObject({ halted: true, tradingDay: '2026-01-14' });
    // 00:00 New York: a new trading day opening at 96990, halt below 96990 × 0.97 = 94080.30.
    const buy = m.processSignal('B', 'BUY', 50, { ts: JAN15_0000_NY });
    // Target 50% of 96990 = 48495 / 50 = 969.9 → 969, cut to exposure: (46990 + 50 n) <= 0.8 × 96990 = 77592 → n = 612.
    expect(buy).toMatchObject({ kind: 'trade', trade: { quantity: 612 } });
    expect(m.getPortfolioState()).toMatchObject({ halted: false, tradingDay: '2026-01-15', openingEquity: 96_990 });
    expect(m.snapshotState().haltBelowCents).toBe(9_408_030);
    expect(ledger.records().map((r) => r.kind)).toEqual(['open', 'day', 'trade', 'halt', 'day', 'trade']);
  });

  it('keeps the day of an event that arrives late (earlier ts) and does not reopen it', () => {
    const ledger = new MemoryLedger();
    const m = halfInA(ledger);
    // The day opens at the prices its first event brings: 50000 cash + 500 × 99 = 99500.
    m.updatePrices({ A: 99 }, JAN15_0000_NY);
    m.updatePrices({ A: 98 }, JAN14_2359_NY);
    expect(m.getPortfolioState()).toMatchObject({ tradingDay: '2026-01-15', openingEquity: 99_500 });
    expect(ledger.records().map((r) => r.kind)).toEqual(['open', 'day', 'trade', 'day']);
  });
});
