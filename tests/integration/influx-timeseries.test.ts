/**
 * InfluxTimeSeries against a real server that takes the InfluxDB v2 write
 * API: a private VictoriaMetrics 1.79 (Debian `victoria-metrics`), read back
 * through its export API, where field `f` of measurement `m` is the series
 * `m_f` and tags are labels (../shared/SERVICES.md section 1). Failures are
 * played by a closed port and by local HTTP servers answering with the
 * statuses and JSON error body (`{"code","message"}`) InfluxDB 2.x documents
 * for /api/v2/write (https://docs.influxdata.com/influxdb/v2/api/#operation/PostWrite).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/storage/errors.js';
import { queryRecentPrices } from '../../src/storage/flux.js';
import { InfluxTimeSeries } from '../../src/storage/influx-timeseries.js';
import type { StoredEvent } from '../../src/storage/ports.js';
import { listenLocal } from '../helpers/net.js';
import { pollFor } from '../helpers/server-process.js';
import { startVictoria, type Victoria, type VictoriaSeries } from '../helpers/victoria.js';

const TOKEN = 'tok-3f9a1c77e2b54d08';
/** 2023-11-14T22:13:20.123Z: a fixed past instant (the helper's 100-year retention keeps it). */
const T0 = 1_700_000_000_123;
const RUN = 'run-1';
const ALL = '{__name__=~"(market_data|portfolio|sentiment|simulation|signal|trade)_.*"}';

/** One event of every kind (two quotes: with and without the optional fields; two trades: with and without pnl). */
const EVENTS: readonly StoredEvent[] = [
  { id: `${RUN}:quote:1`, runId: RUN, tsMs: T0, kind: 'quote', symbol: 'AAPL', price: 189.71, bid: 189.7, ask: 189.72, volume: 1200, source: 'yahoo' },
  { id: `${RUN}:quote:2`, runId: RUN, tsMs: T0 + 1, kind: 'quote', symbol: 'BTC/USDT', price: 37000.5, source: 'ccxt' },
  { id: `${RUN}:sentiment:1`, runId: RUN, tsMs: T0 + 2, kind: 'sentiment', market: 'equity', value: 63.2, label: 'Greed', source: 'cnn' },
  { id: `${RUN}:signal:1`, runId: RUN, tsMs: T0 + 3, kind: 'signal', symbol: 'AAPL', action: 'BUY', confidence: 0.82, source: 'simulation' },
  { id: `${RUN}:sim_state:1`, runId: RUN, tsMs: T0 + 4, kind: 'sim_state', step: 7, globalState: 0.125, z3: -0.5, backend: 'wasm' },
  { id: `${RUN}:trade:1`, runId: RUN, tsMs: T0 + 5, kind: 'trade', tradeId: '1', symbol: 'AAPL', side: 'BUY', qty: 10, price: 189.72, fee: 1, reason: 'signal' },
  { id: `${RUN}:trade:2`, runId: RUN, tsMs: T0 + 6, kind: 'trade', tradeId: '2', symbol: 'AAPL', side: 'SELL', qty: 10, price: 190.1, fee: 1, pnl: 1.8, reason: 'stop loss' },
  {
    id: `${RUN}:portfolio:1`, runId: RUN, tsMs: T0 + 7, kind: 'portfolio',
    equity: 100_003.8, cash: 98_105, exposure: 1_898.8, realizedPnl: 1.8, unrealizedPnl: 2, totalPnl: 3.8, positions: [{ symbol: 'AAPL', qty: 10 }],
  },
];

/** What VictoriaMetrics must hold after EVENTS: `series{labels}` → [timestamp ms, value] samples. Values are EVENTS' own. */
const STORED: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  'market_data_ask{source="yahoo",symbol="AAPL"}': [[T0, 189.72]],
  'market_data_bid{source="yahoo",symbol="AAPL"}': [[T0, 189.7]],
  'market_data_price{source="ccxt",symbol="BTC/USDT"}': [[T0 + 1, 37000.5]],
  'market_data_price{source="yahoo",symbol="AAPL"}': [[T0, 189.71]],
  'market_data_volume{source="yahoo",symbol="AAPL"}': [[T0, 1200]],
  'portfolio_cash{}': [[T0 + 7, 98_105]],
  'portfolio_equity{}': [[T0 + 7, 100_003.8]],
  'portfolio_exposure{}': [[T0 + 7, 1_898.8]],
  'portfolio_realized_pnl{}': [[T0 + 7, 1.8]],
  'portfolio_total_pnl{}': [[T0 + 7, 3.8]],
  'portfolio_unrealized_pnl{}': [[T0 + 7, 2]],
  'sentiment_value{market="equity",source="cnn"}': [[T0 + 2, 63.2]],
  'signal_confidence{action="BUY",symbol="AAPL"}': [[T0 + 3, 0.82]],
  'simulation_global_state{backend="wasm"}': [[T0 + 4, 0.125]],
  'simulation_z3{backend="wasm"}': [[T0 + 4, -0.5]],
  'trade_fee{reason="signal",side="BUY",symbol="AAPL"}': [[T0 + 5, 1]],
  'trade_fee{reason="stop loss",side="SELL",symbol="AAPL"}': [[T0 + 6, 1]],
  'trade_pnl{reason="stop loss",side="SELL",symbol="AAPL"}': [[T0 + 6, 1.8]],
  'trade_price{reason="signal",side="BUY",symbol="AAPL"}': [[T0 + 5, 189.72]],
  'trade_price{reason="stop loss",side="SELL",symbol="AAPL"}': [[T0 + 6, 190.1]],
  'trade_qty{reason="signal",side="BUY",symbol="AAPL"}': [[T0 + 5, 10]],
  'trade_qty{reason="stop loss",side="SELL",symbol="AAPL"}': [[T0 + 6, 10]],
};
const SAMPLE_COUNT = Object.values(STORED).reduce((n, samples) => n + samples.length, 0);

/** The export as `name{k="v",…}` (labels sorted) → [timestamp, value] pairs. */
function flatten(series: readonly VictoriaSeries[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const { metric, values, timestamps } of series) {
    const { __name__: name, ...labels } = metric;
    const key = `${name}{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`).join(',')}}`;
    out[key] = timestamps.map((ts, i) => [ts, values[i] ?? Number.NaN]);
  }
  return out;
}

/** Polls the export (flushed first, a sample may still take about 1 s to show) until it holds `count` samples. */
async function exported(vm: Victoria, count: number): Promise<Record<string, [number, number][]>> {
  return pollFor(async () => {
    const all = flatten(await vm.exportSeries(ALL));
    return Object.values(all).reduce((n, samples) => n + samples.length, 0) >= count ? all : undefined;
  }, 15_000, `${count} samples in victoria-metrics`);
}

/** A local server that records each request and answers with `reply`. */
async function recordingServer(reply: (res: ServerResponse) => void) {
  const requests: { method: string; url: string; auth: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization ?? '', body });
      reply(res);
    });
  });
  return { ...(await listenLocal(server)), requests };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function timeSeries(url: string, batchSize?: number): InfluxTimeSeries {
  const ts = new InfluxTimeSeries({ url, token: TOKEN, org: 'market-intel', bucket: 'market', batchSize });
  cleanups.push(() => ts.close());
  return ts;
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  if (!(err instanceof StoreError)) throw new Error('unreachable');
  return err;
}

describe('InfluxTimeSeries with VictoriaMetrics', () => {
  it('stores every event kind as <measurement>_<field> series with its tags, values and ms timestamps', async () => {
    const vm = await startVictoria();
    cleanups.push(vm.close);
    await timeSeries(vm.url).write(EVENTS);
    expect(await exported(vm, SAMPLE_COUNT)).toEqual(STORED);
  });

  it('keeps one sample per timestamp when the same events are written twice', async () => {
    const vm = await startVictoria();
    cleanups.push(vm.close);
    const ts = timeSeries(vm.url);
    await ts.write(EVENTS);
    await exported(vm, SAMPLE_COUNT);
    // The marker rides in the second request: once it shows, so have the repeats.
    const marker: StoredEvent = { id: `${RUN}:sentiment:2`, runId: RUN, tsMs: T0 + 60_000, kind: 'sentiment', market: 'crypto', value: 40, label: 'Fear', source: 'alternative.me' };
    await ts.write([...EVENTS, marker]);
    expect(await exported(vm, SAMPLE_COUNT + 1)).toEqual({
      ...STORED,
      'sentiment_value{market="crypto",source="alternative.me"}': [[T0 + 60_000, 40]],
    });
  });

  it('has no Flux: a price query is rejected (not transient) with its 400 message', async () => {
    const vm = await startVictoria();
    cleanups.push(vm.close);
    const err = await rejection(queryRecentPrices({ url: vm.url, token: TOKEN, org: 'market-intel' }, 'market', 'AAPL', '1h'));
    expect(err).toMatchObject({ code: 'MI_STORE_REJECTED', transient: false });
    // The body also names the client's address and port, which vary: match its fixed end.
    expect(err.message).toMatch(/^influx query failed: HTTP 400: .*unsupported path requested: "\/api\/v2\/query"$/);
  });
});

describe('InfluxTimeSeries requests and failures', () => {
  it('sends line protocol to /api/v2/write with the org, bucket, ms precision and token', async () => {
    const server = await recordingServer((res) => res.writeHead(204).end());
    cleanups.push(server.close);
    await timeSeries(server.baseUrl).write(EVENTS.slice(0, 7));
    expect(server.requests).toEqual([
      {
        method: 'POST',
        url: '/api/v2/write?org=market-intel&bucket=market&precision=ms',
        auth: `Token ${TOKEN}`,
        // Tags and fields in name order; the space in "stop loss" escaped (line protocol).
        body: [
          `market_data,source=yahoo,symbol=AAPL ask=189.72,bid=189.7,price=189.71,volume=1200 ${T0}`,
          `market_data,source=ccxt,symbol=BTC/USDT price=37000.5 ${T0 + 1}`,
          `sentiment,market=equity,source=cnn value=63.2 ${T0 + 2}`,
          `signal,action=BUY,symbol=AAPL confidence=0.82 ${T0 + 3}`,
          `simulation,backend=wasm global_state=0.125,z3=-0.5 ${T0 + 4}`,
          `trade,reason=signal,side=BUY,symbol=AAPL fee=1,price=189.72,qty=10 ${T0 + 5}`,
          `trade,reason=stop\\ loss,side=SELL,symbol=AAPL fee=1,pnl=1.8,price=190.1,qty=10 ${T0 + 6}`,
        ].join('\n'),
      },
    ]);
  });

  it('splits a write into requests of batchSize points, in order', async () => {
    const server = await recordingServer((res) => res.writeHead(204).end());
    cleanups.push(server.close);
    await timeSeries(server.baseUrl, 3).write(EVENTS);
    expect(server.requests.map((r) => r.body.split('\n').length)).toEqual([3, 3, 2]);
    expect(server.requests.map((r) => r.body.split('\n')[0])).toEqual([
      `market_data,source=yahoo,symbol=AAPL ask=189.72,bid=189.7,price=189.71,volume=1200 ${T0}`,
      `signal,action=BUY,symbol=AAPL confidence=0.82 ${T0 + 3}`,
      `trade,reason=stop\\ loss,side=SELL,symbol=AAPL fee=1,pnl=1.8,price=190.1,qty=10 ${T0 + 6}`,
    ]);
  });

  it('rejects when one request of a split write fails, and sends no further request', async () => {
    const statuses = [204, 503, 204];
    const server = await recordingServer((res) => res.writeHead(statuses[server.requests.length - 1] ?? 204).end());
    cleanups.push(server.close);
    const err = await rejection(timeSeries(server.baseUrl, 3).write(EVENTS));
    expect(err).toMatchObject({ code: 'MI_STORE_UNAVAILABLE', message: 'influx write failed: HTTP 503' });
    expect(server.requests.map((r) => r.body.split('\n').length)).toEqual([3, 3]);
  });

  it('rejects as unavailable (transient) within seconds when nothing listens, without the token', async () => {
    const started = Date.now();
    const err = await rejection(timeSeries('http://127.0.0.1:1').write(EVENTS));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toMatchObject({ code: 'MI_STORE_UNAVAILABLE', transient: true, store: 'influx', operation: 'write' });
    expect(err.message).toBe('influx write failed: no answer from the server (ECONNREFUSED)');
    expect(err.message).not.toContain(TOKEN);
  });

  it('rejects a 503 as unavailable (transient) with the server message', async () => {
    const server = await recordingServer((res) =>
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"unavailable","message":"service unavailable"}'));
    cleanups.push(server.close);
    const err = await rejection(timeSeries(server.baseUrl).write(EVENTS));
    expect(err).toMatchObject({ code: 'MI_STORE_UNAVAILABLE', transient: true, message: 'influx write failed: HTTP 503: service unavailable' });
    expect(server.requests).toHaveLength(1); // the client itself does not retry
  });

  it('rejects a 401 as not transient and cuts the token out of an echoing body', async () => {
    const server = await recordingServer((res) =>
      res.writeHead(401, { 'content-type': 'application/json' }).end(`{"code":"unauthorized","message":"token ${TOKEN} is invalid"}`));
    cleanups.push(server.close);
    const err = await rejection(timeSeries(server.baseUrl).write(EVENTS));
    expect(err).toMatchObject({ code: 'MI_STORE_REJECTED', transient: false, message: 'influx write failed: HTTP 401: token [redacted] is invalid' });
    expect(err.cause).toBeUndefined();
    expect(JSON.stringify(err)).not.toContain(TOKEN);
  });

  it('rejects a non-finite value before sending anything', async () => {
    const server = await recordingServer((res) => res.writeHead(204).end());
    cleanups.push(server.close);
    const bad: StoredEvent = { id: `${RUN}:quote:9`, runId: RUN, tsMs: T0, kind: 'quote', symbol: 'AAPL', price: Number.NaN, source: 'yahoo' };
    const err = await rejection(timeSeries(server.baseUrl).write([EVENTS[0] ?? bad, bad]));
    expect(err).toMatchObject({ code: 'MI_STORE_REJECTED', message: 'influx write failed: event "run-1:quote:9" field price is NaN: expected a finite number' });
    expect(server.requests).toEqual([]);
  });

  it('waits for a write in flight on close, then refuses writes', async () => {
    const server = await recordingServer((res) => setTimeout(() => res.writeHead(204).end(), 100));
    cleanups.push(server.close);
    const ts = timeSeries(server.baseUrl);
    const inFlight = ts.write(EVENTS.slice(0, 1));
    await ts.close();
    expect(server.requests).toHaveLength(1);
    await inFlight;
    const err = await rejection(ts.write(EVENTS.slice(1, 2)));
    expect(err).toMatchObject({ code: 'MI_STORE_REJECTED', message: 'influx write failed: the time series is closed' });
  });

  it('refuses a batchSize below 1, which would never end a write', () => {
    expect(() => new InfluxTimeSeries({ url: 'http://127.0.0.1:1', org: 'o', bucket: 'b', batchSize: 0 })).toThrow(
      'influx batchSize "0": expected a whole number >= 1',
    );
  });

  it('writes again after a failed write', async () => {
    let status = 503;
    const server = await recordingServer((res) => res.writeHead(status).end());
    cleanups.push(server.close);
    const ts = timeSeries(server.baseUrl);
    await rejection(ts.write(EVENTS.slice(0, 1)));
    status = 204;
    await ts.write(EVENTS.slice(1, 2));
    expect(server.requests.map((r) => r.body)).toEqual([
      `market_data,source=yahoo,symbol=AAPL ask=189.72,bid=189.7,price=189.71,volume=1200 ${T0}`,
      `market_data,source=ccxt,symbol=BTC/USDT price=37000.5 ${T0 + 1}`,
    ]);
  });
});
