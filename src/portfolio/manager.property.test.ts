/**
 * Property-based tests (fast-check, seeded): random sequences of about 100
 * BUY/SELL/HOLD signals and price moves over 3-5 symbols (always one crypto
 * pair), prices with 2-6 decimals, random limits, fees and slippage, days
 * crossing New York midnight. After every step the manager is checked
 * against an independent model computed with BigInt.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCrypto } from '../domain/index.js';
import { PortfolioManager } from './manager.js';
import { MemoryLedger } from './memory-ledger.js';
import type { PortfolioOptions } from './options.js';
import type { PortfolioState, SignalAction, SignalResult, Trade } from './types.js';

type Instrument = {
  readonly symbol: string;
  readonly decimals: number;
  readonly minTicks: number;
  readonly maxTicks: number;
};

/** Realistic ranges: [min, max] dollars, as integer ticks of 10^-decimals. */
const INSTRUMENTS: readonly Instrument[] = [
  { symbol: 'BTC/USDT', decimals: 2, minTicks: 1_500_000, maxTicks: 12_000_000 },
  { symbol: 'AAPL', decimals: 2, minTicks: 5_000, maxTicks: 50_000 },
  { symbol: 'MSFT', decimals: 4, minTicks: 1_000_000, maxTicks: 6_000_000 },
  { symbol: 'BRK.B', decimals: 3, minTicks: 300_000, maxTicks: 600_000 },
  { symbol: 'DOGE/USDT', decimals: 6, minTicks: 50_000, maxTicks: 500_000 },
];

type Step =
  | {
      readonly kind: 'signal';
      readonly which: number;
      readonly action: SignalAction;
      readonly moveBps: number;
      readonly dtMin: number;
    }
  | { readonly kind: 'prices'; readonly movesBps: readonly number[]; readonly dtMin: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    kind: fc.constant('signal' as const),
    which: fc.nat(4),
    action: fc.constantFrom<SignalAction>('BUY', 'BUY', 'SELL', 'HOLD'),
    moveBps: fc.integer({ min: -300, max: 300 }),
    dtMin: fc.integer({ min: 0, max: 240 }),
  }) },
  { weight: 2, arbitrary: fc.record({
    kind: fc.constant('prices' as const),
    movesBps: fc.array(fc.integer({ min: -1200, max: 1200 }), { minLength: 5, maxLength: 5 }),
    dtMin: fc.integer({ min: 0, max: 600 }),
  }) },
);

const optionsArb: fc.Arbitrary<PortfolioOptions> = fc.record({
  initialCapital: fc.constantFrom(100_000, 12_345.67, 2_500_000),
  maxPositionSize: fc.constantFrom(0.05, 0.1, 0.25, 0.5),
  maxTotalExposure: fc.constantFrom(0.3, 0.5, 0.8, 1),
  stopLossPct: fc.constantFrom(0.02, 0.05, 0.1),
  takeProfitPct: fc.constantFrom(0.03, 0.15, 0.5),
  maxDailyLoss: fc.constantFrom(0.01, 0.03, 0.1),
  feeBps: fc.constantFrom(0, 1, 7.5, 10, 25),
  slippageBps: fc.constantFrom(0, 2, 5.25, 10),
});

type Scenario = {
  readonly options: PortfolioOptions;
  readonly symbolCount: number;
  readonly startTicks: readonly number[];
  readonly steps: readonly Step[];
  readonly twinAt: number;
};

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  options: optionsArb,
  symbolCount: fc.integer({ min: 3, max: 5 }),
  startTicks: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
  steps: fc.array(stepArb, { minLength: 80, maxLength: 120 }),
  twinAt: fc.nat(119),
});

function roundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  return 2n * r > d || (2n * r === d && q % 2n === 1n) ? q + 1n : q;
}

const ppm = (fraction: number | undefined): bigint => BigInt(Math.round((fraction ?? 0) * 1e6));
const bpsPpm = (bps: number | undefined): bigint => BigInt(Math.round((bps ?? 0) * 100));
const micro = (price: number): bigint => BigInt(Math.round(price * 1e6));

/** The independent model: prices, cash and positions from the trades alone, in BigInt. */
class Model {
  readonly prices = new Map<string, number>();
  cash: bigint;
  fees = 0n;
  realized = 0n;
  readonly positions = new Map<string, { qty: bigint; cost: bigint }>();

  constructor(readonly options: PortfolioOptions, readonly symbols: readonly Instrument[]) {
    this.cash = BigInt(Math.round((options.initialCapital ?? 0) * 100));
  }

  priceMap(): Record<string, number> {
    return Object.fromEntries(this.prices);
  }

  /** Checks a fill's amounts from first principles and books it. */
  book(trade: Trade): void {
    const x = trade.exact;
    const slip = bpsPpm(this.options.slippageBps);
    const up = trade.side === 'BUY';
    const raw = BigInt(x.marketPriceMicro) * (up ? 1_000_000n + slip : 1_000_000n - slip);
    // Buys fill at the ceiling, sells at the floor of price × (1 ± slippage) on the micro-dollar grid.
    const fill = up ? (raw + 999_999n) / 1_000_000n : raw / 1_000_000n;
    expect(BigInt(x.priceMicro)).toBe(fill);
    const notional = roundHalfEven(BigInt(x.quantityMicro) * fill, 10_000_000_000n);
    expect(BigInt(x.notionalCents)).toBe(notional);
    const fee = roundHalfEven(notional * bpsPpm(this.options.feeBps), 1_000_000n);
    expect(BigInt(x.feeCents)).toBe(fee);
    this.fees += fee;
    const held = this.positions.get(trade.symbol) ?? { qty: 0n, cost: 0n };
    if (up) {
      this.cash -= notional + fee;
      this.positions.set(trade.symbol, { qty: held.qty + BigInt(x.quantityMicro), cost: held.cost + notional + fee });
      return;
    }
    expect(BigInt(x.quantityMicro)).toBe(held.qty);
    expect(BigInt(x.pnlCents ?? Number.NaN)).toBe(notional - fee - held.cost);
    this.cash += notional - fee;
    this.realized += notional - fee - held.cost;
    this.positions.delete(trade.symbol);
  }
}

/** The invariants of item 7 and the model's books, exactly. */
function checkState(m: PortfolioManager, model: Model): PortfolioState {
  const state = m.getPortfolioState(model.priceMap());
  const c = state.cents;
  expect(c.cash + c.marketValue).toBe(c.equity);
  expect(c.realizedPnl + c.unrealizedPnl).toBe(c.totalPnl);
  expect(c.totalPnl).toBe(c.equity - c.initialCapital);
  expect(c.cash).toBeGreaterThanOrEqual(0);
  expect(BigInt(c.cash)).toBe(model.cash);
  expect(BigInt(c.fees)).toBe(model.fees);
  expect(BigInt(c.realizedPnl)).toBe(model.realized);
  let marketValue = 0n;
  for (const p of state.positions) {
    const held = model.positions.get(p.symbol);
    expect(p.exact.quantityMicro).toBeGreaterThan(0);
    if (!isCrypto(p.symbol)) expect(p.exact.quantityMicro % 1_000_000).toBe(0);
    expect(BigInt(p.exact.quantityMicro)).toBe(held?.qty);
    expect(BigInt(p.exact.costCents)).toBe(held?.cost);
    const price = micro(model.prices.get(p.symbol) ?? 0);
    marketValue += roundHalfEven(BigInt(p.exact.quantityMicro) * price, 10_000_000_000n);
  }
  expect(state.positions.length).toBe(model.positions.size);
  expect(BigInt(c.marketValue)).toBe(marketValue);
  return state;
}

/** After an entry: exposure (this symbol marked at its fill price) within the limit, size within the target. */
function checkEntry(m: PortfolioManager, model: Model, trade: Trade, equityBefore: number, heldBefore: number): void {
  const after = m.getPortfolioState({ ...model.priceMap(), [trade.symbol]: trade.price }).cents;
  const limit = ppm(model.options.maxTotalExposure) * BigInt(after.equity);
  expect(BigInt(after.marketValue) * 1_000_000n).toBeLessThanOrEqual(limit);
  const target = (BigInt(equityBefore) * ppm(model.options.maxPositionSize)) / 1_000_000n;
  const total = BigInt(heldBefore + trade.exact.quantityMicro);
  expect(total * BigInt(trade.exact.priceMicro)).toBeLessThanOrEqual(target * 10_000_000_000n);
}

type SignalStep = Extract<Step, { kind: 'signal' }>;

function runSignal(m: PortfolioManager, model: Model, step: SignalStep, tsMs: number): SignalResult {
  const inst = model.symbols[step.which % model.symbols.length];
  if (inst === undefined) throw new Error('no instrument');
  const before = m.getPortfolioState(model.priceMap());
  const heldBefore = before.positions.find((p) => p.symbol === inst.symbol)?.exact.quantityMicro ?? 0;
  const result = m.processSignal(inst.symbol, step.action, model.prices.get(inst.symbol) ?? 0, { ts: tsMs });
  if (result.kind === 'trade') {
    model.book(result.trade);
    if (result.trade.side === 'BUY') checkEntry(m, model, result.trade, before.cents.equity, heldBefore);
  } else if (result.kind === 'denied') {
    expect(result.reason).not.toBe('invalid_price');
    if (result.reason === 'daily_loss_halt') expect(step.action).toBe('BUY');
  }
  return result;
}

function movePrice(inst: Instrument, ticks: Map<string, number>, bps: number): number {
  const old = ticks.get(inst.symbol) ?? inst.minTicks;
  const moved = Math.round((old * (10_000 + bps)) / 10_000);
  const next = Math.min(inst.maxTicks * 2, Math.max(Math.ceil(inst.minTicks / 2), moved));
  ticks.set(inst.symbol, next);
  return next / 10 ** inst.decimals;
}

function runScenario(s: Scenario): void {
  const start = Date.parse('2026-01-14T14:30:00Z');
  const symbols = INSTRUMENTS.slice(0, s.symbolCount);
  const ledger = new MemoryLedger();
  const m = new PortfolioManager({ ...s.options }, ledger, { nowMs: () => start });
  const model = new Model(s.options, symbols);
  const ticks = new Map<string, number>();
  symbols.forEach((inst, i) => {
    const t = Math.round(inst.minTicks + (s.startTicks[i] ?? 0) * (inst.maxTicks - inst.minTicks));
    ticks.set(inst.symbol, t);
    model.prices.set(inst.symbol, t / 10 ** inst.decimals);
  });
  let tsMs = start;
  let twin: PortfolioManager | undefined;
  s.steps.forEach((step, index) => {
    if (index === s.twinAt) twin = startTwin(s.options, ledger, model, m);
    tsMs += step.dtMin * 60_000 + 1;
    let outcome: unknown;
    if (step.kind === 'signal') {
      const inst = symbols[step.which % symbols.length];
      if (inst !== undefined) model.prices.set(inst.symbol, movePrice(inst, ticks, step.moveBps));
      outcome = runSignal(m, model, step, tsMs);
    } else {
      symbols.forEach((inst, i) => model.prices.set(inst.symbol, movePrice(inst, ticks, step.movesBps[i] ?? 0)));
      const exits = m.updatePrices(model.priceMap(), tsMs);
      exits.forEach((t) => model.book(t));
      checkNoExitMissed(m, model);
      outcome = exits;
    }
    checkState(m, model);
    if (twin !== undefined) expect(replayOn(twin, step, model, tsMs)).toEqual(outcome);
  });
  const restored = PortfolioManager.restore({ ...s.options }, ledger);
  expect(restored.snapshotState()).toEqual(m.snapshotState());
  expect(restored.getPortfolioState(model.priceMap())).toEqual(m.getPortfolioState(model.priceMap()));
  if (twin !== undefined) expect(twin.snapshotState()).toEqual(m.snapshotState());
}

/** Every position left after a price update is strictly between its stop and take-profit levels. */
function checkNoExitMissed(m: PortfolioManager, model: Model): void {
  const levels = new Map(m.snapshotState().positions.map((p) => [p.symbol, p]));
  for (const p of m.getPortfolioState(model.priceMap()).positions) {
    const l = levels.get(p.symbol);
    expect(p.exact.marketPriceMicro).toBeGreaterThan(l?.stopMicro ?? Number.NaN);
    expect(p.exact.marketPriceMicro).toBeLessThan(l?.takeMicro ?? Number.NaN);
  }
}

/**
 * A manager restored from a copy of the ledger so far and the last prices
 * seen, as after a crash: it must equal the original, marks included.
 */
function startTwin(options: PortfolioOptions, ledger: MemoryLedger, model: Model, m: PortfolioManager): PortfolioManager {
  const copy = new MemoryLedger();
  ledger.records().forEach((r) => copy.append(r));
  const twin = PortfolioManager.restore({ ...options }, copy, { marks: model.priceMap() });
  expect(twin.snapshotState()).toEqual(m.snapshotState());
  expect(twin.getPortfolioState()).toEqual(m.getPortfolioState());
  return twin;
}

function replayOn(twin: PortfolioManager, step: Step, model: Model, tsMs: number): unknown {
  if (step.kind === 'prices') return twin.updatePrices(model.priceMap(), tsMs);
  const inst = model.symbols[step.which % model.symbols.length];
  return twin.processSignal(inst?.symbol ?? '', step.action, model.prices.get(inst?.symbol ?? '') ?? 0, { ts: tsMs });
}

describe('PortfolioManager properties', () => {
  it('keeps exact invariants, limits and the books of an independent model; a restored twin acts identically', () => {
    fc.assert(fc.property(scenarioArb, runScenario), { seed: 20261123, numRuns: 200 });
  });
});
