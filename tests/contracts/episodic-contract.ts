/**
 * The one contract every {@link EpisodicMemory} adapter passes (STYLE.md:
 * each port has one contract suite). The expectations come from the port's
 * TSDoc in src/storage/ports.ts and issue #7 item 1: `latest` returns the
 * newest event written to its slot (quote and signal per symbol, sentiment
 * per market, portfolio and sim_state once), `recent` returns the newest
 * events oldest-first, at most `count`, each event id once; every event
 * comes back exactly as written; and nothing outlives the TTL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EpisodicMemory, EventBody, StoredEvent } from '../../src/storage/ports.js';
import { StoreError, StoreErrorCode } from '../../src/storage/errors.js';

/** A fresh, empty episodic memory for one test. */
export type EpisodicFixture = {
  readonly memory: EpisodicMemory;
  /** Lets everything written so far expire: advances the injected clock past the TTL, or waits it out. */
  expireAll(): Promise<void>;
  /** Remaining TTL (seconds) of every key the adapter created; only stores with server-side keys have it. */
  readonly keyTtlsS?: () => Promise<ReadonlyMap<string, number>>;
  /** Releases everything the fixture made (the memory may already be closed). */
  cleanup(): Promise<void>;
};

/** What the suite asks of a fixture. */
export type EpisodicFixtureOptions = {
  /** Lifetime of every entry, seconds. */
  readonly ttlS: number;
};

/** The TTL of every case but the expiry one: long enough that nothing expires mid-test. */
const TTL_S = 60;
/** The TTL of the expiry case: short, so a real store can be waited out (~1 s). */
const SHORT_TTL_S = 1;

/** 2026-01-02T14:30:00Z, the sample events' first timestamp. */
const BASE_MS = Date.UTC(2026, 0, 2, 14, 30);

/** Wraps a body in the envelope of run `run1`: id `run1:<kind>:<seq>`, one second apart per seq. */
function stored(body: EventBody, seq: number): StoredEvent {
  return { ...body, id: `run1:${body.kind}:${seq}`, runId: 'run1', tsMs: BASE_MS + seq * 1_000 };
}

function quote(seq: number, symbol: string, price: number): StoredEvent {
  return stored({ kind: 'quote', symbol, price, source: 'yahoo' }, seq);
}

/**
 * One of each kind, with optional fields both present and absent, awkward
 * text and numbers that must survive exactly (fractions, negatives, tiny,
 * MAX_SAFE_INTEGER).
 */
function everyKind(): StoredEvent[] {
  return [
    stored({ kind: 'quote', symbol: 'AAPL', price: 187.125, bid: 187.12, ask: 187.13, volume: 52_300_000, source: 'yahoo' }, 1),
    stored({ kind: 'quote', symbol: 'BTC/USD', price: 97_512.5, source: 'ccxt:kraken' }, 2),
    stored({ kind: 'sentiment', market: 'equity', value: 0.42, label: 'Greed', source: 'cnn' }, 1),
    stored({ kind: 'sentiment', market: 'crypto', value: -0.155, label: 'Extreme "Fear" \\ Zürich 🚀', source: 'alternative.me' }, 2),
    stored({ kind: 'signal', symbol: 'AAPL', action: 'BUY', confidence: 0.8125, source: 'simulation' }, 1),
    stored({ kind: 'sim_state', step: Number.MAX_SAFE_INTEGER, globalState: 0.123456789, z3: -1.5e-7, backend: 'cpu' }, 1),
    stored({ kind: 'trade', tradeId: '7', symbol: 'AAPL', side: 'SELL', qty: 3, price: 187.13, fee: 0.01, pnl: -12.34, reason: 'stop-loss' }, 1),
    stored({ kind: 'trade', tradeId: '8', symbol: 'BTC/USD', side: 'BUY', qty: 0.0125, price: 97_512.5, fee: 1.22, reason: 'signal BUY 0.81' }, 2),
    stored(
      {
        kind: 'portfolio',
        equity: 100_012.34,
        cash: 98_793.21,
        exposure: 0.0122,
        realizedPnl: -12.34,
        unrealizedPnl: 24.68,
        totalPnl: 12.34,
        positions: [
          { symbol: 'BTC/USD', qty: 0.0125, avgPriceUsd: 97_512.5, note: 'Société Générale ¥' },
          { symbol: 'AAPL', qty: 0 },
        ],
      },
      1,
    ),
  ];
}

function mustFind(events: readonly StoredEvent[], id: string): StoredEvent {
  const event = events.find((e) => e.id === id);
  if (event === undefined) throw new Error(`everyKind() has ${id}`);
  return event;
}

/** Asserts `run` rejects with the port's StoreError for a closed store. */
async function expectClosed(memory: EpisodicMemory, operation: string, run: () => Promise<unknown>): Promise<void> {
  const error: unknown = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toMatchObject({ code: StoreErrorCode.rejected, store: memory.name, operation, transient: false });
  expect(error instanceof Error ? error.message : '').toBe(`${memory.name} ${operation} failed: the store is closed`);
}

/** Registers the EpisodicMemory contract for one adapter; `make` is called once per test. */
/**
 * Registers the contract for one adapter. `serverKeys`: the adapter keeps
 * keys on a server whose TTLs the fixture can read (`keyTtlsS`); the
 * key-expiry case is registered only then (no skipped tests).
 */
export function episodicContract(
  name: string,
  make: (options: EpisodicFixtureOptions) => Promise<EpisodicFixture>,
  { serverKeys = false }: { readonly serverKeys?: boolean } = {},
): void {
  describe(`${name} satisfies the EpisodicMemory contract`, () => {
    const fixtures: EpisodicFixture[] = [];
    async function open(ttlS = TTL_S): Promise<EpisodicFixture> {
      const fixture = await make({ ttlS });
      fixtures.push(fixture);
      return fixture;
    }
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((fixture) => fixture.cleanup()));
    });

    it('is empty when new: no latest of any kind, no recent events', async () => {
      const { memory } = await open();
      expect(await memory.latest('quote', 'AAPL')).toBeUndefined();
      expect(await memory.latest('portfolio')).toBeUndefined();
      expect(await memory.recent(10)).toStrictEqual([]);
    });

    it('returns the newest quote per symbol, across batches and within one', async () => {
      const { memory } = await open();
      await memory.write([quote(1, 'AAPL', 187.1), quote(2, 'MSFT', 411.5)]);
      await memory.write([quote(3, 'AAPL', 187.2), quote(4, 'AAPL', 187.3)]);
      expect(await memory.latest('quote', 'AAPL')).toStrictEqual(quote(4, 'AAPL', 187.3));
      expect(await memory.latest('quote', 'MSFT')).toStrictEqual(quote(2, 'MSFT', 411.5));
      expect(await memory.latest('quote', 'TSLA')).toBeUndefined();
      expect(await memory.latest('quote', 'aapl')).toBeUndefined();
      // A per-symbol kind has no latest without a symbol, and kinds do not share slots.
      expect(await memory.latest('quote')).toBeUndefined();
      expect(await memory.latest('signal', 'AAPL')).toBeUndefined();
    });

    it('keeps signals per symbol and sentiment per market (the market passed as the symbol)', async () => {
      const { memory } = await open();
      const events = everyKind();
      const equity = stored({ kind: 'sentiment', market: 'equity', value: 0.5, label: 'Greed', source: 'cnn' }, 3);
      const sell = stored({ kind: 'signal', symbol: 'AAPL', action: 'SELL', confidence: 0.55, source: 'simulation' }, 2);
      await memory.write([...events, equity, sell]);
      expect(await memory.latest('sentiment', 'equity')).toStrictEqual(equity);
      expect(await memory.latest('sentiment', 'crypto')).toStrictEqual(mustFind(events, 'run1:sentiment:2'));
      expect(await memory.latest('signal', 'AAPL')).toStrictEqual(sell);
      expect(await memory.latest('signal', 'BTC/USD')).toBeUndefined();
    });

    it('keeps one latest portfolio and sim_state, whatever symbol is asked for', async () => {
      const { memory } = await open();
      const events = everyKind();
      const later = stored({ kind: 'sim_state', step: 2, globalState: 0.5, z3: 0.25, backend: 'wasm' }, 2);
      await memory.write(events);
      await memory.write([later]);
      const portfolio = mustFind(events, 'run1:portfolio:1');
      expect(await memory.latest('sim_state')).toStrictEqual(later);
      expect(await memory.latest('portfolio')).toStrictEqual(portfolio);
      expect(await memory.latest('portfolio', 'AAPL')).toStrictEqual(portfolio);
    });

    it('keeps trades in the recent stream only, not as a latest', async () => {
      const { memory } = await open();
      const events = everyKind();
      await memory.write(events);
      expect(await memory.latest('trade', 'AAPL')).toBeUndefined();
      expect(await memory.latest('trade')).toBeUndefined();
      expect((await memory.recent(100)).filter((e) => e.kind === 'trade')).toStrictEqual([
        mustFind(events, 'run1:trade:1'),
        mustFind(events, 'run1:trade:2'),
      ]);
    });

    it('returns recent events oldest first, newest last, at most count', async () => {
      const { memory } = await open();
      const quotes = [1, 2, 3, 4, 5].map((seq) => quote(seq, 'AAPL', 180 + seq));
      await memory.write(quotes.slice(0, 2));
      await memory.write(quotes.slice(2));
      expect(await memory.recent(3)).toStrictEqual(quotes.slice(2));
      expect(await memory.recent(1)).toStrictEqual(quotes.slice(4));
      expect(await memory.recent(5)).toStrictEqual(quotes);
      expect(await memory.recent(100)).toStrictEqual(quotes);
      expect(await memory.recent(0)).toStrictEqual([]);
    });

    it('returns a re-written batch once, and a re-written event once at its newest position', async () => {
      const { memory } = await open();
      const [a, b, c] = [1, 2, 3].map((seq) => quote(seq, 'AAPL', 180 + seq));
      if (!a || !b || !c) throw new Error('three quotes');
      await memory.write([a, b, c]);
      await memory.write([a, b, c]); // a replayed spool
      expect(await memory.recent(10)).toStrictEqual([a, b, c]);
      expect(await memory.recent(2)).toStrictEqual([b, c]);
      await memory.write([b]);
      expect(await memory.recent(10)).toStrictEqual([a, c, b]);
      expect(await memory.latest('quote', 'AAPL')).toStrictEqual(b);
    });

    it('fills count with distinct events even when the newest entries are all one event', async () => {
      const { memory } = await open();
      const [a, b, c] = [1, 2, 3].map((seq) => quote(seq, 'MSFT', 410 + seq));
      if (!a || !b || !c) throw new Error('three quotes');
      await memory.write([a, b]);
      for (let i = 0; i < 5; i += 1) await memory.write([c]);
      expect(await memory.recent(2)).toStrictEqual([b, c]);
      expect(await memory.recent(3)).toStrictEqual([a, b, c]);
      expect(await memory.recent(4)).toStrictEqual([a, b, c]);
    });

    it('round-trips a batch of every kind exactly: numbers, text, optional fields absent and present', async () => {
      const { memory } = await open();
      const events = everyKind();
      await memory.write(events);
      expect(await memory.recent(events.length)).toStrictEqual(events);
      expect(await memory.latest('quote', 'AAPL')).toStrictEqual(mustFind(events, 'run1:quote:1'));
      const btc = await memory.latest('quote', 'BTC/USD');
      expect(btc).toStrictEqual(mustFind(events, 'run1:quote:2'));
      expect(btc === undefined ? [] : Object.keys(btc).sort()).toStrictEqual(['id', 'kind', 'price', 'runId', 'source', 'symbol', 'tsMs']);
      expect(await memory.latest('sim_state')).toMatchObject({ step: 9_007_199_254_740_991, z3: -1.5e-7 });
      expect(await memory.latest('portfolio')).toStrictEqual(mustFind(events, 'run1:portfolio:1'));
    });

    it('stores nothing for an empty batch', async () => {
      const { memory } = await open();
      await memory.write([]);
      expect(await memory.recent(10)).toStrictEqual([]);
      expect((await memorySlots(memory)).every((event) => event === undefined)).toBe(true);
    });

    it('forgets every entry after the TTL and takes new writes afterwards', async () => {
      const fixture = await open(SHORT_TTL_S);
      const { memory } = fixture;
      const events = everyKind();
      await memory.write(events);
      expect(await memory.recent(100)).toHaveLength(events.length);
      expect(await memorySlots(memory)).not.toContain(undefined);
      await fixture.expireAll();
      expect(await memory.recent(100)).toStrictEqual([]);
      expect(await memorySlots(memory)).toStrictEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
      const fresh = quote(9, 'AAPL', 190);
      await memory.write([fresh]);
      expect(await memory.recent(100)).toStrictEqual([fresh]);
      expect(await memory.latest('quote', 'AAPL')).toStrictEqual(fresh);
    });

    if (serverKeys) {
      it('leaves no key without an expiry: each has a TTL in (0, ttl] right after a write', async () => {
        const fixture = await open();
        const readTtls = fixture.keyTtlsS;
        if (readTtls === undefined) throw new Error('serverKeys is set but the fixture gives no keyTtlsS');
        await fixture.memory.write(everyKind());
        const ttls = await readTtls();
        expect(ttls.size).toBeGreaterThan(0);
        for (const [key, ttlS] of ttls) {
          expect({ key, ttlS, live: ttlS > 0 && ttlS <= TTL_S }).toStrictEqual({ key, ttlS, live: true });
        }
      });
    }

    it('closes idempotently, then rejects every call with a non-transient StoreError', async () => {
      const { memory } = await open();
      await memory.write([quote(1, 'AAPL', 187)]);
      await memory.close();
      await memory.close();
      await expectClosed(memory, 'write', () => memory.write([quote(2, 'AAPL', 188)]));
      await expectClosed(memory, 'latest', () => memory.latest('quote', 'AAPL'));
      await expectClosed(memory, 'recent', () => memory.recent(1));
    });
  });
}

/** The latest of every slot everyKind() fills, in a fixed order. */
async function memorySlots(memory: EpisodicMemory): Promise<(StoredEvent | undefined)[]> {
  return Promise.all([
    memory.latest('quote', 'AAPL'),
    memory.latest('quote', 'BTC/USD'),
    memory.latest('sentiment', 'equity'),
    memory.latest('sentiment', 'crypto'),
    memory.latest('signal', 'AAPL'),
    memory.latest('sim_state'),
    memory.latest('portfolio'),
  ]);
}
