/**
 * The one contract every {@link Archive} adapter passes (STYLE.md: each port
 * has one contract suite). From the port's TSDoc in src/storage/ports.ts:
 * `write` is batched and idempotent by event id, `query` returns events
 * oldest first filtered by symbol, kinds, sinceMs and limit, `startRun` is
 * idempotent by run id. From init-db.sql: amounts are DECIMAL (USD to the
 * cent, prices and quantities to 10 decimals, confidence and exposure to 6,
 * a sentiment index to 2) and instants DATETIME(3) from 1000 to 9999, so
 * every adapter stores exactly those values.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, StoreErrorCode } from '../../src/storage/errors.js';
import type { Archive, EventBody, EventKind, RunRecord, StoredEvent } from '../../src/storage/ports.js';

/** A run as an archive's `runs()` reports it (not part of the port: for tests and reports). */
export type RunRow = RunRecord & { readonly endedMs?: number; readonly stopReason?: string };

/** A fresh, empty archive for one test. */
export type ArchiveFixture = {
  readonly archive: Archive & { runs(): Promise<readonly RunRow[]> };
  /** Releases everything the fixture made (the suite may have closed the archive already). */
  cleanup(): Promise<void>;
};

/** 2026-01-02T14:30:00Z, a Friday session; sample instants are seconds after it. */
export const BASE_MS = Date.UTC(2026, 0, 2, 14, 30);
const at = (seconds: number): number => BASE_MS + seconds * 1_000;

/** MySQL DATETIME's range, which both stores keep: 1000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. */
const MIN_TS_MS = -30_610_224_000_000;
const MAX_TS_MS = 253_402_300_799_999;

/** `body` with its envelope; the id follows the port's `${runId}:${kind}:${seq}`. */
export function storedEvent(runId: string, seq: number, tsMs: number, body: EventBody): StoredEvent {
  return { ...body, id: `${runId}:${body.kind}:${seq}`, runId, tsMs };
}

/**
 * Every kind, with optional fields present and absent, listed in the order
 * `query` must return them: by instant, then quote, sentiment, sim_state,
 * signal, trade, portfolio, then write order. Values are at the columns'
 * scales, so they come back exactly.
 */
export function sampleEvents(runId = 'run1'): StoredEvent[] {
  return [
    storedEvent(runId, 1, at(0), { kind: 'quote', symbol: 'AAPL', price: 189.12, bid: 189.11, ask: 189.13, volume: 51_234_567, source: 'yahoo' }),
    storedEvent(runId, 2, at(0), { kind: 'quote', symbol: 'BTC/USDT', price: 43_250.5, source: 'ccxt' }),
    storedEvent(runId, 3, at(1), { kind: 'quote', symbol: 'SHIB/USDT', price: 0.0000123456, ask: 0.0000123457, volume: 987_654.3210987654, source: 'ccxt' }),
    storedEvent(runId, 1, at(1), { kind: 'sentiment', market: 'equity', value: 43.29, label: 'fear', source: 'cnn' }),
    storedEvent(runId, 2, at(2), { kind: 'sentiment', market: 'crypto', value: 71, label: 'greed', source: 'alternative.me' }),
    storedEvent(runId, 1, at(2), { kind: 'sim_state', step: 0, globalState: -0.123456789012345, z3: (-0.123456789012345) ** 3, backend: 'wasm' }),
    storedEvent(runId, 2, at(3), { kind: 'sim_state', step: 1, globalState: 1 / 3, z3: 1 / 27, backend: 'cpu' }),
    storedEvent(runId, 1, at(3), { kind: 'signal', symbol: 'AAPL', action: 'BUY', confidence: 0.731059, source: 'simulation' }),
    storedEvent(runId, 2, at(3), { kind: 'signal', symbol: 'BTC/USDT', action: 'HOLD', confidence: 0, source: 'simulation' }),
    storedEvent(runId, 1, at(4), { kind: 'trade', tradeId: '1', symbol: 'AAPL', side: 'BUY', qty: 3.5, price: 189.123456, fee: 0.66, reason: 'signal' }),
    storedEvent(runId, 1, at(4), {
      kind: 'portfolio',
      equity: 100_012.34,
      cash: 99_350.77,
      exposure: 0.006618,
      realizedPnl: 0,
      unrealizedPnl: 12.34,
      totalPnl: 12.34,
      positions: [{ symbol: 'AAPL', qty: 3.5, avgPrice: 189.123456, marketValue: 661.93, note: 'Zürich "open" \\ 🚀' }],
    }),
    storedEvent(runId, 2, at(5), { kind: 'trade', tradeId: '2', symbol: 'AAPL', side: 'SELL', qty: 3.5, price: 185.5, fee: 0.65, pnl: -12.69, reason: 'stop_loss' }),
    storedEvent(runId, 2, at(5), { kind: 'portfolio', equity: 99_987.31, cash: 99_987.31, exposure: 0, realizedPnl: -12.69, unrealizedPnl: 0, totalPnl: -12.69, positions: [] }),
  ];
}

/** The same events grouped by kind, last kind first: write order must not be what orders a query. */
function scrambled(events: readonly StoredEvent[]): StoredEvent[] {
  const order: readonly EventKind[] = ['portfolio', 'trade', 'signal', 'sim_state', 'sentiment', 'quote'];
  return order.flatMap((kind) => events.filter((e) => e.kind === kind));
}

const ids = (events: readonly StoredEvent[]): string[] => events.map((e) => e.id);

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  if (!(err instanceof StoreError)) throw new Error('unreachable: not a StoreError');
  return err;
}

/** Registers the Archive contract for one adapter; `make` is called once per test. */
export function archiveContract(name: string, make: () => Promise<ArchiveFixture>): void {
  describe(`${name} satisfies the Archive contract`, () => {
    let fixture: ArchiveFixture;
    let archive: ArchiveFixture['archive'];
    beforeEach(async () => {
      fixture = await make();
      archive = fixture.archive;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('is empty when new', async () => {
      expect(await archive.query({ sinceMs: MIN_TS_MS })).toEqual([]);
      expect(await archive.runs()).toEqual([]);
    });

    it('round-trips every event kind exactly, optional fields present or absent, oldest first', async () => {
      await archive.write(scrambled(sampleEvents()));
      expect(await archive.query({ sinceMs: 0 })).toStrictEqual(sampleEvents());
    });

    it('keeps USD to the cent and prices and quantities to 10 decimals exactly (300 trades, fast-check seed 20260102)', async () => {
      // Ranges from src/portfolio/money.ts: prices to $1e8 on a 1e-6 grid, quantities to 9e8 in 1e-6 units.
      const spec = fc.record({
        priceMicro: fc.integer({ min: 1, max: 100_000_000_000_000 }),
        qtyMicro: fc.integer({ min: 1, max: 900_000_000_000_000 }),
        feeCents: fc.integer({ min: 0, max: 1_000_000_000_000 }),
        pnlCents: fc.option(fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }), { nil: undefined }),
        side: fc.constantFrom('BUY' as const, 'SELL' as const),
      });
      const trades = fc.sample(spec, { seed: 20260102, numRuns: 300 }).map((s, i) =>
        storedEvent('run1', i + 1, at(i), {
          kind: 'trade',
          tradeId: String(i + 1),
          symbol: 'BRK.B',
          side: s.side,
          qty: s.qtyMicro / 1e6,
          price: s.priceMicro / 1e6,
          fee: s.feeCents / 100,
          ...(s.pnlCents === undefined ? {} : { pnl: s.pnlCents / 100 }),
          reason: 'signal',
        }),
      );
      await archive.write(trades);
      expect(await archive.query({ sinceMs: 0 })).toStrictEqual(trades);
    });

    it("stores values at the column's scale: prices 10 decimals, USD cents, confidence and exposure 6, sentiment 2", async () => {
      const written = [
        storedEvent('run1', 1, at(0), { kind: 'quote', symbol: 'AAPL', price: 0.1 + 0.2, bid: 1.23456789016, source: 'yahoo' }),
        storedEvent('run1', 1, at(1), { kind: 'sentiment', market: 'equity', value: 43.2857142857, label: 'fear', source: 'cnn' }),
        storedEvent('run1', 1, at(2), { kind: 'signal', symbol: 'AAPL', action: 'SELL', confidence: 0.7310585786300049, source: 'simulation' }),
        storedEvent('run1', 1, at(3), { kind: 'trade', tradeId: '1', symbol: 'AAPL', side: 'SELL', qty: 1, price: 2, fee: 0.666, pnl: -0.004, reason: 'signal' }),
        storedEvent('run1', 1, at(4), { kind: 'portfolio', equity: 10.0051, cash: 10, exposure: 0.0065734521, realizedPnl: 0, unrealizedPnl: 0, totalPnl: 0, positions: [] }),
      ];
      await archive.write(written);
      const [quote, sentiment, signal, trade, portfolio] = await archive.query({ sinceMs: 0 });
      expect(quote).toMatchObject({ price: 0.3, bid: 1.2345678902 });
      expect(sentiment).toMatchObject({ value: 43.29 });
      expect(signal).toMatchObject({ confidence: 0.731059 });
      // -0.004 rounds to -0.00, stored as zero: +0, not -0.
      expect(trade).toMatchObject({ fee: 0.67, pnl: 0 });
      expect(portfolio).toMatchObject({ equity: 10.01, exposure: 0.006573 });
    });

    it('stores a batch written twice, and an event repeated within a batch, once', async () => {
      const batch = sampleEvents();
      await archive.write(batch);
      await archive.write(batch);
      await archive.write([batch[3], batch[3], batch[12]].filter((e) => e !== undefined));
      expect(await archive.query({ sinceMs: 0 })).toStrictEqual(batch);
    });

    it('keeps distinct events that share run, symbol, instant and source', async () => {
      const events = [
        storedEvent('run1', 1, at(0), { kind: 'quote', symbol: 'AAPL', price: 189.12, source: 'yahoo' }),
        storedEvent('run1', 2, at(0), { kind: 'quote', symbol: 'AAPL', price: 189.13, source: 'yahoo' }),
        storedEvent('run1', 1, at(0), { kind: 'signal', symbol: 'AAPL', action: 'BUY', confidence: 0.6, source: 'simulation' }),
        storedEvent('run1', 2, at(0), { kind: 'signal', symbol: 'AAPL', action: 'SELL', confidence: 0.7, source: 'momentum' }),
        storedEvent('run1', 1, at(0), { kind: 'portfolio', equity: 1, cash: 1, exposure: 0, realizedPnl: 0, unrealizedPnl: 0, totalPnl: 0, positions: [] }),
        storedEvent('run1', 2, at(0), { kind: 'portfolio', equity: 2, cash: 2, exposure: 0, realizedPnl: 0, unrealizedPnl: 0, totalPnl: 1, positions: [] }),
      ];
      await archive.write(events);
      expect(await archive.query({ sinceMs: 0 })).toStrictEqual(events);
    });

    it('stores a trade once per run and trade id, and a simulation state once per run and step', async () => {
      const trade = (runId: string, seq: number, fee: number): StoredEvent =>
        storedEvent(runId, seq, at(seq), { kind: 'trade', tradeId: '7', symbol: 'AAPL', side: 'BUY', qty: 1, price: 190, fee, reason: 'signal' });
      const step = (seq: number, globalState: number): StoredEvent =>
        storedEvent('run1', seq, at(seq), { kind: 'sim_state', step: 5, globalState, z3: globalState ** 3, backend: 'cpu' });
      // A restarted run that numbered its events afresh re-sends trade 7 and step 5 under new event ids.
      await archive.write([trade('run1', 1, 0.19), step(1, 0.5)]);
      await archive.write([trade('run1', 9, 0.2), step(9, 0.25), trade('run2', 2, 0.21)]);
      expect(ids(await archive.query({ sinceMs: 0 }))).toEqual(['run1:sim_state:1', 'run1:trade:1', 'run2:trade:2']);
    });

    it('filters by symbol, kinds and sinceMs (inclusive), oldest first, and stops at limit', async () => {
      const events = [
        storedEvent('run1', 1, at(0), { kind: 'quote', symbol: 'AAPL', price: 1, source: 'yahoo' }),
        storedEvent('run1', 1, at(0), { kind: 'sentiment', market: 'equity', value: 50, label: 'neutral', source: 'cnn' }),
        storedEvent('run1', 1, at(1), { kind: 'signal', symbol: 'AAPL', action: 'BUY', confidence: 0.9, source: 'simulation' }),
        storedEvent('run1', 2, at(1), { kind: 'quote', symbol: 'MSFT', price: 2, source: 'yahoo' }),
        storedEvent('run1', 1, at(2), { kind: 'trade', tradeId: '1', symbol: 'AAPL', side: 'BUY', qty: 1, price: 1, fee: 0, reason: 'signal' }),
        storedEvent('run1', 1, at(2), { kind: 'sim_state', step: 1, globalState: 0.1, z3: 0.001, backend: 'cpu' }),
        storedEvent('run1', 1, at(3), { kind: 'portfolio', equity: 1, cash: 0, exposure: 1, realizedPnl: 0, unrealizedPnl: 0, totalPnl: 0, positions: [] }),
        storedEvent('run1', 3, at(3), { kind: 'quote', symbol: 'AAPL', price: 3, source: 'yahoo' }),
      ];
      await archive.write(events);
      const q = async (query: Parameters<Archive['query']>[0]): Promise<string[]> => ids(await archive.query(query));
      expect(await q({ sinceMs: 0 })).toEqual([
        'run1:quote:1', 'run1:sentiment:1', 'run1:quote:2', 'run1:signal:1', 'run1:sim_state:1', 'run1:trade:1', 'run1:quote:3', 'run1:portfolio:1',
      ]);
      expect(await q({ sinceMs: 0, symbol: 'AAPL' })).toEqual(['run1:quote:1', 'run1:signal:1', 'run1:trade:1', 'run1:quote:3']);
      expect(await q({ sinceMs: 0, symbol: 'aapl' })).toEqual([]);
      expect(await q({ sinceMs: 0, kinds: ['quote'] })).toEqual(['run1:quote:1', 'run1:quote:2', 'run1:quote:3']);
      expect(await q({ sinceMs: 0, kinds: ['trade', 'quote'], symbol: 'AAPL' })).toEqual(['run1:quote:1', 'run1:trade:1', 'run1:quote:3']);
      expect(await q({ sinceMs: 0, kinds: ['sentiment', 'portfolio'], symbol: 'AAPL' })).toEqual([]);
      expect(await q({ sinceMs: at(2) })).toEqual(['run1:sim_state:1', 'run1:trade:1', 'run1:quote:3', 'run1:portfolio:1']);
      expect(await q({ sinceMs: at(2) - 0.5 })).toEqual(['run1:sim_state:1', 'run1:trade:1', 'run1:quote:3', 'run1:portfolio:1']);
      expect(await q({ sinceMs: at(2) + 1 })).toEqual(['run1:quote:3', 'run1:portfolio:1']);
      expect(await q({ sinceMs: 0, limit: 3 })).toEqual(['run1:quote:1', 'run1:sentiment:1', 'run1:quote:2']);
      expect(await q({ sinceMs: at(1), symbol: 'AAPL', limit: 2 })).toEqual(['run1:signal:1', 'run1:trade:1']);
      expect(await q({ sinceMs: 0, limit: 0 })).toEqual([]);
      expect(await q({ sinceMs: 0, kinds: [] })).toEqual([]);
      expect(await q({ sinceMs: at(4) })).toEqual([]);
      expect(await q({ sinceMs: Number.NEGATIVE_INFINITY, kinds: ['portfolio'] })).toEqual(['run1:portfolio:1']);
      expect(await q({ sinceMs: Number.POSITIVE_INFINITY })).toEqual([]);
    });

    it('orders events at one instant quote, sentiment, sim_state, signal, trade, portfolio, then in write order', async () => {
      const tick = scrambled(sampleEvents().map((e) => ({ ...e, tsMs: at(0) })));
      await archive.write(tick.slice(0, 5));
      await archive.write(tick.slice(5));
      const tickOrder: readonly EventKind[] = ['quote', 'sentiment', 'sim_state', 'signal', 'trade', 'portfolio'];
      const expected = tickOrder.flatMap((kind) => sampleEvents().filter((e) => e.kind === kind));
      expect(ids(await archive.query({ sinceMs: 0 }))).toEqual(ids(expected));
    });

    it('takes 5,000 quotes in one write call', async ({ annotate }) => {
      const symbols = ['AAPL', 'MSFT', 'BTC/USDT', 'BRK.B'];
      const quotes = Array.from({ length: 5_000 }, (_, i) =>
        storedEvent('run1', i + 1, BASE_MS + i * 250, { kind: 'quote', symbol: symbols[i % 4] ?? 'AAPL', price: (10_000 + i) / 100, volume: i, source: 'replay' }),
      );
      const started = performance.now();
      await archive.write(quotes);
      const elapsedMs = performance.now() - started;
      expect(await archive.query({ sinceMs: 0 })).toStrictEqual(quotes);
      expect(ids(await archive.query({ sinceMs: 0, symbol: 'BRK.B', limit: 2 }))).toEqual(['run1:quote:4', 'run1:quote:8']);
      await annotate(`${Math.round(elapsedMs)} ms for one write of 5,000 quotes`);
    });

    it('records a run once by run id, and its end', async () => {
      const first: RunRecord = { runId: 'run1', startedMs: at(0), source: 'replay:tests/fixtures/data/aapl.csv', symbols: ['AAPL', 'BTC/USDT'], capitalUsd: 100_000 };
      const second: RunRecord = { runId: '0f8e3c52-6b1d-4a7e-9a51-2f0c9d7e4b11', startedMs: at(60), source: 'yahoo', symbols: [], capitalUsd: 2_500.55 };
      await archive.startRun(second);
      await archive.startRun(first);
      await archive.startRun({ ...first, startedMs: at(90), source: 'restarted', capitalUsd: 1 });
      expect(await archive.runs()).toStrictEqual([first, second]);
      await archive.endRun('run1', at(30), 'sigterm');
      expect(await archive.runs()).toStrictEqual([{ ...first, endedMs: at(30), stopReason: 'sigterm' }, second]);
      const err = await rejection(archive.endRun('never-started', at(31), 'sigint'));
      expect(err).toMatchObject({ code: StoreErrorCode.rejected, transient: false, store: archive.name, operation: 'endRun' });
      expect(err.message).toContain('"never-started"');
    });

    it.each([
      ['a symbol longer than its 32-character column', { kind: 'quote', symbol: 'X'.repeat(33), price: 1, source: 'yahoo' }, 'symbol'],
      ['a NaN price', { kind: 'quote', symbol: 'AAPL', price: Number.NaN, source: 'yahoo' }, 'price'],
      ['a price of 1e14 (DECIMAL(24,10) holds 14 integer digits)', { kind: 'quote', symbol: 'AAPL', price: 1e14, source: 'yahoo' }, 'price'],
      ['an infinite fee', { kind: 'trade', tradeId: '1', symbol: 'AAPL', side: 'BUY', qty: 1, price: 1, fee: Infinity, reason: 'signal' }, 'fee'],
      ['an unknown action', { kind: 'signal', symbol: 'AAPL', action: 'SHORT', confidence: 1, source: 'simulation' }, 'action'],
      ['a fractional step', { kind: 'sim_state', step: 1.5, globalState: 0, z3: 0, backend: 'cpu' }, 'step'],
      ['an unknown kind', { kind: 'bogus' }, 'kind'],
    ])('rejects a batch holding %s as a whole, naming the event and field', async (_title, body, field) => {
      // From the writer's JSON journal anything can come back, so the bodies are built untyped.
      const bad: StoredEvent = JSON.parse(JSON.stringify({ ...body, id: 'run1:bad:99', runId: 'run1', tsMs: at(9) }));
      const err = await rejection(archive.write([...sampleEvents(), bad]));
      expect(err).toMatchObject({ code: StoreErrorCode.rejected, transient: false, store: archive.name, operation: 'write' });
      expect(err.message).toContain('"run1:bad:99"');
      expect(err.message).toContain(field);
      expect(await archive.query({ sinceMs: MIN_TS_MS })).toEqual([]);
    });

    it('keeps instants from 1000-01-01 to 9999-12-31 to the millisecond and rejects any outside', async () => {
      const quote = (seq: number, tsMs: number): StoredEvent => storedEvent('run1', seq, tsMs, { kind: 'quote', symbol: 'AAPL', price: 1, source: 'yahoo' });
      const kept = [quote(1, MIN_TS_MS), quote(2, -1), quote(3, 0), quote(4, at(0) + 7), quote(5, MAX_TS_MS)];
      await archive.write(kept);
      expect(await archive.query({ sinceMs: MIN_TS_MS })).toStrictEqual(kept);
      expect(ids(await archive.query({ sinceMs: MAX_TS_MS }))).toEqual(['run1:quote:5']);
      for (const tsMs of [MIN_TS_MS - 1, MAX_TS_MS + 1, at(0) + 0.5]) {
        expect(await rejection(archive.write([quote(9, tsMs)]))).toMatchObject({ code: StoreErrorCode.rejected });
      }
    });

    it('rejects a limit that is not an integer >= 0', async () => {
      for (const limit of [-1, 1.5, Number.NaN]) {
        expect(await rejection(archive.query({ sinceMs: 0, limit }))).toMatchObject({ code: StoreErrorCode.rejected, operation: 'query' });
      }
    });

    it('closes idempotently and then rejects every call as closed', async () => {
      await archive.close();
      await archive.close();
      const calls = [
        () => archive.write(sampleEvents()),
        () => archive.query({ sinceMs: 0 }),
        () => archive.startRun({ runId: 'run1', startedMs: 0, source: 'yahoo', symbols: [], capitalUsd: 1 }),
        () => archive.endRun('run1', 0, 'sigterm'),
        () => archive.runs(),
      ];
      for (const call of calls) {
        expect(await rejection(call())).toMatchObject({ code: StoreErrorCode.rejected, transient: false, store: archive.name });
      }
    });
  });
}
