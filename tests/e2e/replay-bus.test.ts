import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, ROOT, spawnCli } from '../helpers/cli.js';

type Expected = { symbol: string; tsMs: number; close: number; volume: number };

/** Reads the replay CSV independently of the code under test. */
function expectedFromCsv(path: string): Expected[] {
  const [, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  return rows
    .map((row) => {
      const [ts = '', symbol = '', , , , close = '', volume = ''] = row.split(',');
      return { symbol, tsMs: Date.parse(ts), close: Number(close), volume: Number(volume) };
    })
    .sort((a, b) => a.tsMs - b.tsMs || a.symbol.localeCompare(b.symbol));
}

/** Reads a recorded Yahoo chart independently of the code under test. */
function expectedFromYahooChart(path: string): Expected[] {
  const chart = JSON.parse(readFileSync(path, 'utf8')) as {
    chart: { result: [{ meta: { symbol: string }; timestamp: number[]; indicators: { quote: [{ close: (number | null)[]; volume: (number | null)[] }] } }] };
  };
  const [result] = chart.chart.result;
  const [quote] = result.indicators.quote;
  return result.timestamp.flatMap((t, i) => {
    const close = quote.close[i];
    return close === null || close === undefined ? [] : [{ symbol: result.meta.symbol, tsMs: t * 1000, close, volume: quote.volume[i] ?? 0 }];
  });
}

/** Runs a subscriber process, then the worker, and returns both outcomes. */
async function replayThroughBus(source: string, ticks: number, expectedCount: number) {
  const port = await freePort();
  const subscriber = spawnCli(['subscribe', '--endpoint', `tcp://127.0.0.1:${port}`, '--topics', 'quote.', '--count', String(expectedCount)]);
  await subscriber.waitFor('subscribed to');
  const worker = spawnCli([
    'run', '--source', source, '--ticks', String(ticks), '--interval', '0.05', '--zmq-warmup-ms', '500',
    '--no-metrics', '--no-simulation', '--zmq-port', String(port),
  ]);
  const [workerExit, subscriberExit] = await Promise.all([worker.exited, subscriber.exited]);
  return { worker, workerExit, subscriber, subscriberExit };
}

function expectQuotes(messages: Record<string, unknown>[], expected: readonly Expected[]): void {
  expect(messages).toHaveLength(expected.length);
  const seqBySymbol = new Map<string, number>();
  messages.forEach((message, i) => {
    const want = expected[i];
    if (!want) throw new Error(`unexpected message ${i}`);
    const seq = (seqBySymbol.get(want.symbol) ?? 0) + 1;
    seqBySymbol.set(want.symbol, seq);
    expect(message).toEqual({
      topic: `quote.${want.symbol}`, v: 1, type: 'quote', ts: new Date(want.tsMs).toISOString(), seq,
      symbol: want.symbol, price: want.close, volume: want.volume, source: 'replay',
    });
  });
}

describe('market-intel run → ZeroMQ → market-intel subscribe (two processes)', () => {
  it('delivers every quote of the bundled sample, in timestamp order, and exits 0', async () => {
    // 60 ticks cross from the AAPL chart (49 bars, 2020) into the MSFT one (2021).
    const expected = expectedFromCsv(join(ROOT, 'assets/replay/sample.csv')).slice(0, 60);
    expect(new Set(expected.map((e) => e.symbol))).toEqual(new Set(['AAPL', 'MSFT']));
    const run = await replayThroughBus('replay:sample', 60, expected.length);
    expect(run.workerExit.code).toBe(0);
    expect(run.subscriberExit.code).toBe(0);
    expectQuotes(jsonLines(run.subscriber.stdout()), expected);
    const finished = jsonLines(run.worker.stdout()).find((l) => l['msg'] === 'run finished');
    expect(finished).toMatchObject({ reason: 'ticks', ticks: 60, quotesPublished: 60, bus: { dropped: 0 } });
  });

  it('replays a recorded vendor response (Yahoo chart JSON) the same way', async () => {
    const path = 'tests/fixtures/vendors/yahoo/chart-MSFT-1d-div-2021-02-01_2022-01-31.json';
    const expected = expectedFromYahooChart(join(ROOT, path)).slice(0, 20);
    // Cited from the recording: MSFT closed at 239.64999389648438 on 2021-02-01.
    expect(expected[0]).toMatchObject({ symbol: 'MSFT', close: 239.64999389648438 });
    const run = await replayThroughBus(`replay:${path}`, 20, expected.length);
    expect(run.workerExit.code).toBe(0);
    expectQuotes(jsonLines(run.subscriber.stdout()), expected);
  });

  it('ends by itself when the data is exhausted', async () => {
    const port = await freePort();
    const path = 'tests/fixtures/vendors/polygon/aggs-AAPL-1day-2005-04-01_2005-04-04.json';
    const worker = spawnCli(['run', '--source', `replay:${path}`, '--interval', '0', '--no-metrics', '--zmq-port', String(port)]);
    const { code } = await worker.exited;
    expect(code).toBe(0);
    const finished = jsonLines(worker.stdout()).find((l) => l['msg'] === 'run finished');
    // The polygon recording holds two daily bars (2005-04-01 and 2005-04-04).
    expect(finished).toMatchObject({ reason: 'exhausted', ticks: 2, quotesPublished: 2 });
  });
});
