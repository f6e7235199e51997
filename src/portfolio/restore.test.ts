import { describe, expect, it } from 'vitest';
import { ErrorCode, InvariantError } from '../domain/index.js';
import type { Ledger, LedgerRecord } from './ledger.js';
import { PortfolioManager } from './manager.js';
import { MemoryLedger } from './memory-ledger.js';
import { PortfolioOptionError } from './options.js';

const T0 = Date.parse('2026-01-14T15:00:00Z');
const clock = { nowMs: () => T0 };
const OPTIONS = { maxPositionSize: 0.5, stopLossPct: 0.1, feeBps: 10, slippageBps: 5 };

/** A ledger over fixed records, for damaged ledgers the port itself would refuse to write. */
class FixedLedger implements Ledger {
  constructor(private readonly stored: readonly LedgerRecord[]) {}
  append(): void {}
  records(): readonly LedgerRecord[] {
    return this.stored;
  }
  lastSeq(): number {
    return this.stored.length;
  }
  getMeta(): string | undefined {
    return undefined;
  }
  setMeta(): void {}
  atomically<T>(work: () => T): T {
    return work();
  }
  close(): void {}
}

/** A memory ledger that fails its appends while `full` is set, like a full disk. */
class FullableLedger extends MemoryLedger {
  full = false;
  override append(record: LedgerRecord): void {
    if (this.full) throw new Error('disk full');
    super.append(record);
  }
}

/** Two positions, a halt, an exit and a second day. */
function busyLedger(): { ledger: MemoryLedger; m: PortfolioManager } {
  const ledger = new MemoryLedger();
  const m = new PortfolioManager(OPTIONS, ledger, clock);
  m.processSignal('A', 'BUY', 100, { ts: T0 });
  m.processSignal('ETH/USD', 'BUY', 3210.987654, { ts: T0 + 1 });
  m.updatePrices({ A: 93, 'ETH/USD': 3000 }, T0 + 2);
  m.updatePrices({ A: 89 }, T0 + 3);
  m.processSignal('B', 'BUY', 20, { ts: Date.parse('2026-01-15T05:00:00Z') });
  return { ledger, m };
}

function withRecord(records: readonly LedgerRecord[], seq: number, change: Partial<LedgerRecord>): LedgerRecord[] {
  return records.map((r) => (r.seq === seq ? { ...r, ...change } : r));
}

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('restore from the ledger', () => {
  it('rebuilds the same cash, positions, P&L, counts, day and halt', () => {
    const { ledger, m } = busyLedger();
    const kinds = ledger.records().map((r) => r.kind);
    expect(kinds).toEqual(['open', 'day', 'trade', 'trade', 'halt', 'trade', 'day', 'trade']);
    const restored = PortfolioManager.restore(OPTIONS, ledger, { clock });
    expect(restored.snapshotState()).toEqual(m.snapshotState());
    const prices = { A: 90, B: 21, 'ETH/USD': 3100.5 };
    expect(restored.getPortfolioState(prices)).toEqual(m.getPortfolioState(prices));
    // Construction on a non-empty ledger is the same path.
    expect(new PortfolioManager(OPTIONS, ledger, clock).snapshotState()).toEqual(m.snapshotState());
  });

  it('marks at the last fill prices, or at the marks it is given, without writing anything', () => {
    const { ledger, m } = busyLedger();
    m.updatePrices({ B: 20.5 }, Date.parse('2026-01-15T05:01:00Z'));
    const bare = PortfolioManager.restore(OPTIONS, ledger, { clock });
    // B was bought at a market price of 20.00, ETH/USD at 3210.987654 (and marked at 3000 since).
    const bareMarks = bare.getPortfolioState().positions.map((p) => [p.symbol, p.marketPrice]);
    expect(bareMarks).toEqual([['B', 20], ['ETH/USD', 3210.987654]]);
    // A is no longer held: its mark is ignored.
    const marks = { B: 20.5, 'ETH/USD': 3000, A: 1 };
    const marked = PortfolioManager.restore(OPTIONS, ledger, { clock, marks });
    expect(marked.getPortfolioState()).toEqual(m.getPortfolioState());
    expect(ledger.lastSeq()).toBe(8);
  });

  it('continues the ids after the last record', () => {
    const { ledger } = busyLedger();
    const restored = PortfolioManager.restore(OPTIONS, ledger, { clock });
    const sell = restored.processSignal('B', 'SELL', 20, { ts: Date.parse('2026-01-15T06:00:00Z') });
    expect(sell).toMatchObject({ kind: 'trade', trade: { id: '9' } });
  });

  it('keeps the halt across a restart', () => {
    const ledger = new MemoryLedger();
    const m = new PortfolioManager(OPTIONS, ledger, clock);
    m.processSignal('A', 'BUY', 100, { ts: T0 });
    m.updatePrices({ A: 93 }, T0 + 1);
    expect(m.getPortfolioState().halted).toBe(true);
    const restored = PortfolioManager.restore(OPTIONS, ledger, { clock });
    const entry = restored.processSignal('C', 'BUY', 10, { ts: T0 + 2 });
    expect(entry).toEqual({ kind: 'denied', reason: 'daily_loss_halt' });
  });

  it('applies nothing when the ledger append fails', () => {
    const ledger = new FullableLedger();
    const m = new PortfolioManager(OPTIONS, ledger, clock);
    m.processSignal('A', 'BUY', 100, { ts: T0 });
    const before = m.snapshotState();
    ledger.full = true;
    expect(() => m.processSignal('A', 'SELL', 101, { ts: T0 + 1 })).toThrow('disk full');
    expect(m.snapshotState()).toEqual(before);
    ledger.full = false;
    expect(m.processSignal('A', 'SELL', 101, { ts: T0 + 1 })).toMatchObject({ kind: 'trade', trade: { id: '4' } });
  });

  it.each<[string, number, Partial<LedgerRecord>]>([
    ['a payload that is not JSON', 3, { payload: '{"symbol":"A",' }],
    ['a payload that fails the schema', 3, { payload: '{"symbol":"A","side":"BUY"}' }],
    ['an unknown kind', 4, { kind: 'dividend' }],
    ['a second open record', 2, { kind: 'open', payload: '{"v":1,"initialCapitalCents":10000000}' }],
    ['a gap in seq', 5, { seq: 6 }],
  ])('throws InvariantError naming the seq for %s', (_what, seq, change) => {
    const records = withRecord(busyLedger().ledger.records(), seq, change);
    const err = thrownBy(() => PortfolioManager.restore(OPTIONS, new FixedLedger(records), { clock }));
    expect(err).toBeInstanceOf(InvariantError);
    expect(err).toMatchObject({ code: ErrorCode.invariant });
    expect(err instanceof Error ? err.message : '').toMatch(new RegExp(`^ledger record ${change.seq ?? seq}: `));
  });

  it('throws InvariantError when a sell does not match its recorded P&L', () => {
    const records = busyLedger().ledger.records();
    const sell = records.find((r) => r.kind === 'trade' && r.payload.includes('"SELL"'));
    if (sell === undefined) throw new Error('busyLedger has a sell');
    // One cent more P&L than the sell's amounts give.
    const payload = sell.payload.replace(/"pnlCents":(-?\d+)/, (_m, pnl: string) => `"pnlCents":${Number(pnl) + 1}`);
    expect(payload).not.toBe(sell.payload);
    const tampered = withRecord(records, sell.seq, { payload });
    expect(() => PortfolioManager.restore(OPTIONS, new FixedLedger(tampered), { clock })).toThrow(
      new RegExp(`^ledger record ${sell.seq}: pnl`),
    );
  });

  it('refuses a ledger opened with another initial capital', () => {
    const { ledger } = busyLedger();
    const err = thrownBy(() => PortfolioManager.restore({ ...OPTIONS, initialCapital: 50_000 }, ledger, { clock }));
    expect(err).toBeInstanceOf(PortfolioOptionError);
    expect(err).toMatchObject({ option: 'initialCapital' });
  });
});
