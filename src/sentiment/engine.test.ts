import { describe, expect, it } from 'vitest';
import { ErrorCode, SentimentMarket, TransientError, sentimentLabel, type SentimentReading } from '../domain/index.js';
import { SentimentEngine, type SentimentProblem } from './engine.js';
import type { SentimentSource } from './port.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 1, 9, 23, 59);

/** A source implementing the port whose answer the test sets. */
class FixedSource implements SentimentSource {
  calls = 0;
  constructor(
    readonly name: string,
    readonly market: SentimentMarket,
    public answer: () => Promise<SentimentReading>,
  ) {}
  fetch(): Promise<SentimentReading> {
    this.calls += 1;
    return this.answer();
  }
}

function reading(market: SentimentMarket, source: string, value: number, tsMs: number): SentimentReading {
  const history = [0, 1, 2].map((i) => ({ value: value - 2 + i, label: sentimentLabel(value - 2 + i), tsMs: tsMs - (2 - i) * DAY }));
  return { value, label: sentimentLabel(value), tsMs, source, market, history };
}

function setup(options: { maxAgeMs?: number } = {}) {
  let now = T0;
  const cnn = new FixedSource('cnn', SentimentMarket.equity, async () => reading(SentimentMarket.equity, 'cnn', 77.8, T0 - 60_000));
  const alt = new FixedSource('alternative.me', SentimentMarket.crypto, async () => reading(SentimentMarket.crypto, 'alternative.me', 20, T0 - DAY / 2));
  const problems: SentimentProblem[] = [];
  const engine = new SentimentEngine({
    sources: [cnn, alt],
    clock: { nowMs: () => now },
    ttlMs: 300_000,
    ...options,
    onProblem: (p) => problems.push(p),
  });
  return { engine, cnn, alt, problems, advance: (ms: number) => (now += ms) };
}

/** 60 prices rising 1% a step: a steady rise, greed by the proxy. */
function feedRise(engine: SentimentEngine, symbol: string): void {
  for (let i = 0; i < 60; i += 1) engine.observe(symbol, 100 * 1.01 ** i);
}

describe('SentimentEngine', () => {
  it('uses fresh published indices, and their mean as the combined mood', async () => {
    const { engine } = setup();
    await engine.refresh();
    expect(engine.snapshot()).toEqual({
      equity: { value: 77.8, label: 'extreme greed', source: 'cnn', tsMs: T0 - 60_000 },
      crypto: { value: 20, label: 'extreme fear', source: 'alternative.me', tsMs: T0 - DAY / 2 },
      // (77.8 + 20) / 2 = 48.9
      combined: { value: 48.9, label: 'neutral' },
    });
  });

  it('fetches once per TTL, even when asked every tick', async () => {
    const { engine, cnn, alt, advance } = setup();
    for (let i = 0; i < 10; i += 1) {
      await engine.refresh();
      advance(1_000);
    }
    expect([cnn.calls, alt.calls]).toEqual([1, 1]);
    advance(300_000);
    await engine.refresh();
    expect([cnn.calls, alt.calls]).toEqual([2, 2]);
  });

  it('falls back to the proxy of that market when its source is down', async () => {
    const { engine, cnn, problems } = setup();
    cnn.answer = () => Promise.reject(new TransientError('HTTP 418', { code: ErrorCode.providerHttp }));
    feedRise(engine, 'AAPL');
    feedRise(engine, 'BTC/USDT');
    await engine.refresh();
    const snapshot = engine.snapshot();
    expect(snapshot.equity?.source).toBe('proxy');
    expect(snapshot.equity?.label).toMatch(/greed/);
    expect(snapshot.crypto?.source).toBe('alternative.me');
    expect(problems).toEqual([{ source: 'cnn', market: 'equity', error: expect.any(TransientError) }]);
  });

  it('gives way to the proxy when the index is older than its update period, unless the check is off', async () => {
    const stale = setup({ maxAgeMs: 2 * DAY });
    await stale.engine.refresh();
    stale.advance(3 * DAY);
    expect(stale.engine.snapshot().equity).toBeNull(); // no prices observed: no proxy either
    feedRise(stale.engine, 'AAPL');
    expect(stale.engine.snapshot().equity?.source).toBe('proxy');

    const off = setup({ maxAgeMs: 0 });
    await off.engine.refresh();
    off.advance(300 * DAY);
    expect(off.engine.snapshot().equity?.source).toBe('cnn');
  });

  it('keeps the proxy of each market to its own symbols', async () => {
    const { engine, cnn, alt } = setup();
    cnn.answer = alt.answer = () => Promise.reject(new TransientError('down', { code: ErrorCode.providerHttp }));
    feedRise(engine, 'BTC/USDT');
    await engine.refresh();
    const snapshot = engine.snapshot();
    expect(snapshot.equity).toBeNull();
    expect(snapshot.crypto?.source).toBe('proxy');
    expect(snapshot.combined?.value).toBe(snapshot.crypto?.value);
  });

  it('gives the last N published daily values on request', async () => {
    const { engine } = setup();
    await engine.refresh();
    const { history } = engine.snapshot({ historyDays: 2 });
    expect(history?.equity.map((p) => p.value)).toEqual([76.8, 77.8]);
    expect(history?.crypto.map((p) => p.tsMs)).toEqual([T0 - DAY / 2 - DAY, T0 - DAY / 2]);
  });
});
