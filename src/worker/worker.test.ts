import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Context } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type ConfigInput } from '../config/index.js';
import { ReplayClock, TransientError, type Quote } from '../domain/index.js';
import type { Tick, TickFeed } from '../market/port.js';
import { subscribe, ZmqPublisher } from '../bus/index.js';
import { createWorker, type Worker } from './worker.js';

/** A feed over ticks given in the test; `failAt` ticks throw a TransientError. */
class ScriptedFeed implements TickFeed {
  readonly kind = 'replay';
  readonly description = 'scripted';
  private position = 0;
  constructor(
    private readonly ticks: readonly Tick[],
    private readonly clock: ReplayClock,
    private readonly failAt: ReadonlySet<number> = new Set(),
  ) {}
  async start(): Promise<void> {}
  async next(): Promise<Tick | undefined> {
    const index = this.position++;
    if (this.failAt.has(index)) throw new TransientError('provider down', { code: 'MI_TEST_DOWN' });
    const tick = this.ticks[index];
    if (tick) this.clock.set(tick.tsMs);
    return tick;
  }
  async close(): Promise<void> {}
}

function quote(symbol: string, price: number, tsMs: number, extra: Partial<Quote> = {}): Quote {
  return { symbol, price, volume: 10, tsMs, source: 'test', ...extra };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

const T0 = Date.UTC(2024, 0, 2, 21);
const running: Worker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.close()));
});

function makeWorker(flags: ConfigInput['flags'], ticks: readonly Tick[], failAt?: ReadonlySet<number>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mi-worker-'));
  const config = loadConfig({ env: {}, envFile: false, flags: { source: 'replay:sample', interval: '0', metrics: false, simulation: false, dataDir, ...flags } });
  const context = new Context();
  const endpoint = `inproc://worker-test-${Math.random()}`;
  const bus = new ZmqPublisher({ endpoints: [endpoint], context });
  const clock = new ReplayClock();
  const log = capture();
  const worker = createWorker(config, { logger: log.logger, feed: new ScriptedFeed(ticks, clock, failAt), clock, bus });
  running.push(worker);
  return { worker, log, context, endpoint };
}

describe('the tick loop', () => {
  it('counts a failing component, logs it once and keeps ticking', async () => {
    const ticks = [0, 1, 2, 3, 4].map((i) => ({ tsMs: T0 + i * 60_000, quotes: [quote('AAPL', 100 + i, T0 + i * 60_000)] }));
    const { worker, log } = makeWorker({}, ticks, new Set([1, 2]));
    await worker.start();
    const summary = await worker.run();
    // Five ticks ran: 0, 3 and 4 published; 1 and 2 failed in the feed, and the loop went on.
    expect(summary.errors).toEqual({ market: 2 });
    expect(summary.ticks).toBe(5);
    expect(summary.quotesPublished).toBe(3);
    expect(summary.reason).toBe('exhausted');
    const failures = log.lines.filter((l) => l['msg'] === 'component failed during a tick; the loop goes on');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ component: 'market', err: { code: 'MI_TEST_DOWN' } });
  });

  it('refuses invalid quotes at the edge, counts them by reason and publishes the rest', async () => {
    const ts = T0;
    const ticks = [
      {
        tsMs: ts,
        quotes: [
          quote('AAPL', 101, ts),
          quote('MSFT', Number.NaN, ts),
          quote('IBM', -1, ts),
          quote('TSLA', 200, ts, { volume: -5 }),
          quote('NVDA', 50, ts + 60_000),
          quote('AMD', 10, ts, { bid: 10.5, ask: 10.4 }),
        ],
      },
    ];
    const { worker, log, context, endpoint } = makeWorker({ zmqWarmupMs: '200' }, ticks);
    await worker.start();
    const received: unknown[] = [];
    const subscription = subscribe({ endpoint, context, topics: ['quote.'], count: 1, onMessage: (m) => void received.push(m) });
    const summary = await worker.run();
    await subscription;
    expect(summary.quotesPublished).toBe(1);
    expect(summary.quotesRejected).toEqual({ invalid_price: 2, negative_volume: 1, future_timestamp: 1, crossed_book: 1 });
    expect(received).toEqual([
      { topic: 'quote.AAPL', body: { v: 1, type: 'quote', ts: new Date(ts).toISOString(), seq: 1, symbol: 'AAPL', price: 101, volume: 10, source: 'test' } },
    ]);
    expect(log.lines.filter((l) => l['msg'] === 'quote rejected')).toHaveLength(4);
  });

  it('stops at --ticks and at --duration', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ tsMs: T0 + i, quotes: [quote('AAPL', 100, T0 + i)] }));
    const byTicks = makeWorker({ ticks: '7' }, many);
    await byTicks.worker.start();
    expect(await byTicks.worker.run()).toMatchObject({ reason: 'ticks', ticks: 7 });

    const byTime = makeWorker({ duration: '0.5', interval: '0.1' }, many);
    await byTime.worker.start();
    const started = performance.now();
    const summary = await byTime.worker.run();
    const elapsed = performance.now() - started;
    expect(summary.reason).toBe('duration');
    // 0.5 s at one tick per 0.1 s: 5 ticks (a slow machine may fit fewer).
    expect(summary.ticks).toBeGreaterThanOrEqual(3);
    expect(summary.ticks).toBeLessThanOrEqual(6);
    expect(elapsed).toBeGreaterThanOrEqual(450);
  });

  it('returns at once when stopped during a long wait', async () => {
    const ticks = [0, 1, 2].map((i) => ({ tsMs: T0 + i, quotes: [quote('AAPL', 100, T0 + i)] }));
    const { worker } = makeWorker({ interval: '60' }, ticks);
    await worker.start();
    const run = worker.run();
    setTimeout(() => worker.stop(), 100);
    const started = performance.now();
    expect(await run).toMatchObject({ reason: 'signal', ticks: 1 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
