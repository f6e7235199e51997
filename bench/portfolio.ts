/**
 * Portfolio benchmark: the two hot paths of PortfolioManager, on one core,
 * with the in-memory ledger.
 *
 *   node --import tsx bench/portfolio.ts [priceCalls] [signals]     (default 200000, 1000000)
 *
 * Figures, one JSON line each:
 * - portfolio.priceUpdates: updatePrices() with 100 open positions (90
 *   equities, 10 crypto pairs), each call a map of all 100 symbols; one call
 *   counts as 100 price updates. Prices stay within ±2% of entry (1,000
 *   precomputed maps, cycled), so no stop, take-profit or halt fires: the
 *   figure is marking, exit checks and the day check.
 * - portfolio.signals: processSignal() over 20 symbols (18 equities, 2
 *   crypto pairs), a seeded mix of 35% BUY, 25% SELL, 40% HOLD at prices
 *   within ±1% of each symbol's level, fee 10 bp, slippage 5 bp, default
 *   limits but maxDailyLoss 1 (off: fees would halt entries within hours
 *   and the mix would turn into cheap denials), 1 s apart (so the trading
 *   day turns about every 86,400 signals). About 7% of the signals fill
 *   (most BUYs meet a position already at its target); every fill is a
 *   ledger record. The outcome counts are printed.
 * - portfolio.fills: the worst case, the same symbols and price levels with
 *   BUY and SELL in turn on each symbol (the SELL 0.3% higher, which pays
 *   fees and slippage and keeps equity level), so every signal is a fill
 *   and a ledger record.
 *
 * Each figure is measured after a warm-up run of a tenth of its size on a
 * separate manager. Seeded (mulberry32), so every run does the same work.
 */
import { performance } from 'node:perf_hooks';
import { PortfolioManager, type SignalAction, type SignalResult } from '../src/portfolio/index.js';
import { mulberry32 } from '../src/domain/index.js';

const priceCalls = Number(process.argv[2] ?? 200_000);
const signalCount = Number(process.argv[3] ?? 1_000_000);
const START_MS = Date.parse('2026-11-23T14:30:00Z');


function symbols(count: number, cryptoCount: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i < count - cryptoCount ? `S${String(i).padStart(3, '0')}` : `C${i}/USDT`,
  );
}

/** A manager holding all 100 symbols, and 1,000 price maps within ±2% of entry. */
function priceSetup(): { m: PortfolioManager; maps: Record<string, number>[] } {
  const random = mulberry32(7);
  const syms = symbols(100, 10);
  const m = new PortfolioManager({ maxPositionSize: 0.005 }, undefined, { nowMs: () => START_MS });
  const level = (s: string): number => (s.startsWith('C') ? 1_000 + random() * 50_000 : 20 + random() * 480);
  const base = syms.map((s) => Math.round(level(s) * 100) / 100);
  syms.forEach((s, i) => {
    const r = m.processSignal(s, 'BUY', base[i] ?? 1, { ts: START_MS });
    if (r.kind !== 'trade') throw new Error(`setup buy of ${s} was ${JSON.stringify(r)}`);
  });
  const maps = Array.from({ length: 1_000 }, () => {
    const map: Record<string, number> = {};
    syms.forEach((s, i) => {
      map[s] = Math.round((base[i] ?? 1) * (1 + (random() - 0.5) * 0.04) * 100) / 100;
    });
    return map;
  });
  return { m, maps };
}

function runPrices(calls: number): { seconds: number; positions: number } {
  const { m, maps } = priceSetup();
  let exits = 0;
  const t0 = performance.now();
  for (let i = 0; i < calls; i += 1) exits += m.updatePrices(maps[i % maps.length] ?? {}, START_MS + i * 1_000).length;
  const seconds = (performance.now() - t0) / 1_000;
  if (exits !== 0) throw new Error(`${exits} exits: the price maps must stay inside the exit levels`);
  return { seconds, positions: m.getPortfolioState().positions.length };
}

type SignalPlan = {
  readonly syms: string[];
  readonly which: Uint8Array;
  readonly actions: SignalAction[];
  readonly prices: Float64Array;
};

function signalPlan(count: number): SignalPlan {
  const random = mulberry32(11);
  const syms = symbols(20, 2);
  const base = syms.map((s) => (s.startsWith('C') ? 1_000 + random() * 50_000 : 20 + random() * 480));
  const which = new Uint8Array(count);
  const actions: SignalAction[] = new Array<SignalAction>(count);
  const prices = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const k = Math.floor(random() * syms.length);
    which[i] = k;
    prices[i] = Math.round((base[k] ?? 1) * (1 + (random() - 0.5) * 0.02) * 100) / 100;
    const a = random();
    actions[i] = a < 0.35 ? 'BUY' : a < 0.6 ? 'SELL' : 'HOLD';
  }
  return { syms, which, actions, prices };
}

/** The same symbols and price levels, but BUY then SELL in turn on each symbol: every signal fills. */
function fillPlan(count: number): SignalPlan {
  const plan = signalPlan(count);
  const random = mulberry32(13);
  const level = new Map<number, number>();
  plan.which.forEach((k, i) => level.set(k, plan.prices[i] ?? 1));
  const which = new Uint8Array(count);
  const actions: SignalAction[] = new Array<SignalAction>(count);
  const prices = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const k = Math.floor(i / 2) % plan.syms.length;
    which[i] = k;
    actions[i] = i % 2 === 0 ? 'BUY' : 'SELL';
    // The SELL 0.3% above the BUY pays both fees and slippages, so equity stays level.
    const buyPrice = (level.get(k) ?? 1) * (1 + (random() - 0.5) * 0.02);
    prices[i] = i % 2 === 0 ? Math.round(buyPrice * 100) / 100 : Math.round((prices[i - 1] ?? 1) * 1.003 * 100) / 100;
  }
  return { syms: plan.syms, which, actions, prices };
}

function outcomeOf(r: SignalResult): string {
  return r.kind === 'trade' ? `trade.${r.trade.side}` : r.kind === 'denied' ? r.reason : 'hold';
}

function runSignals(plan: SignalPlan, count: number): { seconds: number; outcomes: Record<string, number> } {
  const options = { feeBps: 10, slippageBps: 5, maxDailyLoss: 1 };
  const m = new PortfolioManager(options, undefined, { nowMs: () => START_MS });
  const outcomes: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < count; i += 1) {
    const symbol = plan.syms[plan.which[i] ?? 0] ?? '';
    const r = m.processSignal(symbol, plan.actions[i] ?? 'HOLD', plan.prices[i] ?? 1, { ts: START_MS + i * 1_000 });
    const key = outcomeOf(r);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return { seconds: (performance.now() - t0) / 1_000, outcomes };
}

function reportSignals(figure: string, plan: SignalPlan): void {
  runSignals(plan, Math.max(1, Math.floor(signalCount / 10)));
  const run = runSignals(plan, signalCount);
  console.log(
    JSON.stringify({
      figure,
      signalsPerSec: Math.round(signalCount / run.seconds),
      signals: signalCount,
      seconds: Number(run.seconds.toFixed(3)),
      outcomes: run.outcomes,
    }),
  );
}

runPrices(Math.max(1, Math.floor(priceCalls / 10)));
const prices = runPrices(priceCalls);
console.log(
  JSON.stringify({
    figure: 'portfolio.priceUpdates',
    updatesPerSec: Math.round((priceCalls * 100) / prices.seconds),
    callsPerSec: Math.round(priceCalls / prices.seconds),
    positions: prices.positions,
    calls: priceCalls,
    updates: priceCalls * 100,
    seconds: Number(prices.seconds.toFixed(3)),
  }),
);

const plan = signalPlan(signalCount);
reportSignals('portfolio.signals', plan);
reportSignals('portfolio.fills', fillPlan(signalCount));
