import { afterEach, describe, expect, it, vi } from 'vitest';
import { AssetClass, ErrorCode, PermanentError, TransientError, parseSymbol, type Quote, type WatchedSymbol } from '../domain/index.js';
import { QuoteFetcher, type FetchEvent, type FetcherOptions } from './fetcher.js';
import type { MarketDataSource } from './port.js';

const NOW = Date.UTC(2024, 0, 2, 15, 0); // a Tuesday, 10:00 in New York: the US session is open

/** A provider implementing the port whose answers the test scripts, call by call. */
class ScriptedSource implements MarketDataSource {
  readonly calls: (readonly string[])[] = [];
  constructor(
    readonly name: string,
    readonly assetClasses: readonly AssetClass[],
    public answer: (symbols: readonly string[]) => Promise<readonly Quote[]>,
  ) {}
  fetchQuotes(symbols: readonly string[]): Promise<readonly Quote[]> {
    this.calls.push(symbols);
    return this.answer(symbols);
  }
  async close(): Promise<void> {}
}

const serves = (price: number, tsMs = NOW - 1_000) => (symbols: readonly string[]) =>
  Promise.resolve(symbols.map((symbol) => ({ symbol, price, tsMs, source: 'x' })));
const http500 = () => Promise.reject(new TransientError('HTTP 500', { code: ErrorCode.providerHttp }));

function sym(...raw: string[]): WatchedSymbol[] {
  return raw.map((r) => parseSymbol(r)).filter((s): s is WatchedSymbol => s !== undefined);
}

function fetcher(sources: MarketDataSource[], extra: Partial<FetcherOptions> = {}) {
  const events: FetchEvent[] = [];
  const chain = new QuoteFetcher({
    sources,
    clock: { nowMs: () => Date.now() },
    resilience: { retries: 0, timeoutMs: 200 },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { chain, events };
}

/** Quotes a scripted source returns carry its name as their source. */
function named(source: ScriptedSource): ScriptedSource {
  const inner = source.answer;
  source.answer = async (symbols) => (await inner(symbols)).map((q) => ({ ...q, source: source.name }));
  return source;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('QuoteFetcher', () => {
  it('falls over to the next provider with the reason recorded', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const first = named(new ScriptedSource('first', [AssetClass.equity], http500));
    const second = named(new ScriptedSource('second', [AssetClass.equity], serves(101)));
    const { chain, events } = fetcher([first, second]);
    const result = await chain.fetch(sym('AAPL', 'MSFT'));
    expect(result.quotes.map((q) => [q.symbol, q.price, q.source])).toEqual([
      ['AAPL', 101, 'second'],
      ['MSFT', 101, 'second'],
    ]);
    expect(result.failures).toEqual([]);
    expect(first.calls).toEqual([['AAPL', 'MSFT']]);
    expect(events).toContainEqual({ kind: 'failure', source: 'first', reason: 'http_error', error: expect.any(TransientError) });
  });

  it('routes crypto pairs only to sources that serve crypto, and equities never to crypto-only ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const equities = named(new ScriptedSource('equities', [AssetClass.equity], serves(10)));
    const crypto = named(new ScriptedSource('crypto', [AssetClass.crypto], serves(20)));
    const { chain } = fetcher([equities, crypto]);
    const result = await chain.fetch(sym('AAPL', 'BTC/USDT'));
    expect(equities.calls).toEqual([['AAPL']]);
    expect(crypto.calls).toEqual([['BTC/USDT']]);
    expect(result.quotes.map((q) => q.source)).toEqual(['equities', 'crypto']);
  });

  it('refuses stale, future, crossed and unknown answers and asks the next provider', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const bad = named(
      new ScriptedSource('bad', [AssetClass.equity], async () => [
        { symbol: 'OLD', price: 1, tsMs: NOW - 16 * 60_000, source: 'bad' },
        { symbol: 'NEXT', price: 1, tsMs: NOW + 60_000, source: 'bad' },
        { symbol: 'CROSS', price: 1, bid: 1.2, ask: 1.1, tsMs: NOW, source: 'bad' },
      ]),
    );
    const good = named(new ScriptedSource('good', [AssetClass.equity], serves(5)));
    const { chain, events } = fetcher([bad, good]);
    const result = await chain.fetch(sym('OLD', 'NEXT', 'CROSS', 'GONE'));
    expect(result.quotes.map((q) => q.source)).toEqual(['good', 'good', 'good', 'good']);
    expect(good.calls).toEqual([['OLD', 'NEXT', 'CROSS', 'GONE']]);
    const rejects = events.filter((e) => e.kind === 'reject').map((e) => (e.kind === 'reject' ? [e.symbol, e.reason] : []));
    expect(rejects).toEqual([
      ['OLD', 'stale_timestamp'],
      ['NEXT', 'future_timestamp'],
      ['CROSS', 'crossed_book'],
      ['GONE', 'unknown_symbol'],
    ]);
  });

  it('lists every cause when all providers fail, and recovers when one comes back', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const a = named(new ScriptedSource('a', [AssetClass.equity], http500));
    const b = named(new ScriptedSource('b', [AssetClass.equity], () => Promise.reject(new TransientError('bad json', { code: ErrorCode.providerData }))));
    const { chain } = fetcher([a, b]);
    const down = await chain.fetch(sym('AAPL'));
    expect(down.quotes).toEqual([]);
    expect(down.failures).toEqual([{ symbol: 'AAPL', causes: [{ source: 'a', reason: 'http_error' }, { source: 'b', reason: 'bad_data' }] }]);
    b.answer = async (symbols) => symbols.map((symbol) => ({ symbol, price: 7, tsMs: NOW, source: 'b' }));
    const back = await chain.fetch(sym('AAPL'));
    expect(back.quotes).toEqual([{ symbol: 'AAPL', price: 7, tsMs: NOW, source: 'b' }]);
    expect(chain.dataAgeMs('AAPL')).toBe(0);
  });

  it('opens the breaker after 5 consecutive failures and half-opens after the cool-down', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const flaky = named(new ScriptedSource('flaky', [AssetClass.equity], http500));
    const backup = named(new ScriptedSource('backup', [AssetClass.equity], serves(3)));
    const { chain, events } = fetcher([flaky, backup], { resilience: { retries: 0, halfOpenAfterMs: 60_000, breakerThreshold: 5 } });
    for (let i = 0; i < 5; i += 1) await chain.fetch(sym('AAPL'));
    expect(flaky.calls).toHaveLength(5);
    expect(chain.breakerStates()).toEqual({ flaky: 'open', backup: 'closed' });
    const skipped = await chain.fetch(sym('AAPL'));
    expect(flaky.calls).toHaveLength(5);
    expect(skipped.quotes[0]?.source).toBe('backup');
    vi.setSystemTime(NOW + 60_001);
    flaky.answer = serves(4);
    named(flaky);
    const trial = await chain.fetch(sym('AAPL'));
    expect(flaky.calls).toHaveLength(6);
    expect(trial.quotes[0]?.source).toBe('flaky');
    expect(chain.breakerStates()).toEqual({ flaky: 'closed', backup: 'closed' });
    expect(events.filter((e) => e.kind === 'breaker')).toEqual([
      { kind: 'breaker', source: 'flaky', from: 'closed', to: 'open' },
      { kind: 'breaker', source: 'flaky', from: 'open', to: 'half_open' },
      { kind: 'breaker', source: 'flaky', from: 'half_open', to: 'closed' },
    ]);
  });

  it('retries transient HTTP errors but not bad data', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    let httpCalls = 0;
    const recovering = named(
      new ScriptedSource('recovering', [AssetClass.equity], (symbols) => (++httpCalls === 1 ? http500() : serves(9)(symbols))),
    );
    const { chain } = fetcher([recovering], { resilience: { retries: 2, retryInitialDelayMs: 1, retryMaxDelayMs: 2, timeoutMs: 200 } });
    expect((await chain.fetch(sym('AAPL'))).quotes[0]?.price).toBe(9);
    expect(recovering.calls).toHaveLength(2);
    const malformed = named(new ScriptedSource('malformed', [AssetClass.equity], () => Promise.reject(new TransientError('x', { code: ErrorCode.providerData }))));
    const second = fetcher([malformed], { resilience: { retries: 2, retryInitialDelayMs: 1, retryMaxDelayMs: 2, timeoutMs: 200 } });
    await second.chain.fetch(sym('AAPL'));
    expect(malformed.calls).toHaveLength(1);
  });

  it('times out a provider that does not answer and moves on', async () => {
    const hanging = named(new ScriptedSource('hanging', [AssetClass.equity], () => new Promise(() => undefined)));
    const backup = named(new ScriptedSource('backup', [AssetClass.equity], serves(2, Date.now())));
    const { chain } = fetcher([hanging, backup], { resilience: { retries: 0, timeoutMs: 50 }, maxQuoteAgeS: 0 });
    const result = await chain.fetch(sym('AAPL'));
    expect(result.quotes[0]?.source).toBe('backup');
  });

  it('disables a provider for the run after a permanent error', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const revoked = named(new ScriptedSource('revoked', [AssetClass.equity], () => Promise.reject(new PermanentError('HTTP 403', { code: ErrorCode.providerHttp }))));
    const backup = named(new ScriptedSource('backup', [AssetClass.equity], serves(2)));
    const { chain } = fetcher([revoked, backup]);
    await chain.fetch(sym('AAPL'));
    const second = await chain.fetch(sym('AAPL'));
    expect(revoked.calls).toHaveLength(1);
    expect(second.quotes[0]?.source).toBe('backup');
  });

  it('skips a provider whose rate budget is spent until it refills', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const limited = named(new ScriptedSource('limited', [AssetClass.equity], serves(1)));
    const backup = named(new ScriptedSource('backup', [AssetClass.equity], serves(2)));
    const { chain } = fetcher([limited, backup], { budgets: { limited: { requests: 2, perMs: 60_000 } } });
    const sources = [];
    for (let i = 0; i < 4; i += 1) sources.push((await chain.fetch(sym('AAPL'))).quotes[0]?.source);
    expect(sources).toEqual(['limited', 'limited', 'backup', 'backup']);
    expect(limited.calls).toHaveLength(2);
    await chain.close();
  });

  it('with --verify asks two providers and flags a divergence above 2%', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const a = named(new ScriptedSource('a', [AssetClass.equity], serves(100)));
    const b = named(new ScriptedSource('b', [AssetClass.equity], serves(103)));
    const { chain, events } = fetcher([a, b], { verify: true });
    const result = await chain.fetch(sym('AAPL'));
    expect(result.quotes).toHaveLength(1);
    expect(result.quotes[0]?.source).toBe('a');
    expect(b.calls).toEqual([['AAPL']]);
    expect(events.filter((e) => e.kind === 'divergence')).toEqual([
      { kind: 'divergence', symbol: 'AAPL', sources: ['a', 'b'], prices: [100, 103], ratio: expect.closeTo(0.03, 10) },
    ]);
  });
});
