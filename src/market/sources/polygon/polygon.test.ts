import { readFileSync } from 'node:fs';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AssetClass, ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';
import { freePort } from '../../../../tests/helpers/net.js';
import { PolygonMarketDataSource } from './index.js';

/*
 * The real @polygon.io/client-js (axios) against a node:http server on 127.0.0.1.
 *
 * Fixture: tests/fixtures/vendors/polygon/snapshot-stocks-AAPL.json, a live
 * single-ticker snapshot `{request_id, status, ticker:{...}}` recorded by the
 * polygon client-python maintainers (see tests/fixtures/vendors/PROVENANCE.md).
 * The batched endpoint answers `{status, count, tickers:[...]}`: the server wraps
 * the recorded `ticker` object, unchanged, into that envelope (`envelope()`).
 */
const RECORDED: { request_id: string; ticker: Record<string, unknown> } = JSON.parse(
  readFileSync(new URL('../../../../tests/fixtures/vendors/polygon/snapshot-stocks-AAPL.json', import.meta.url), 'utf8'),
);
const API_KEY = 'fixture-Key_9f3a2c';
const SNAPSHOT_PATH = '/v2/snapshot/locale/us/markets/stocks/tickers';

// Figures from the recording (AAPL, 2022-04-29): lastTrade.p 159.99, lastQuote.p
// 159.98 / lastQuote.P 159.99, day.v 68840127, lastTrade.t 1651251948294080343 ns
// (JSON.parse rounds it to ...080300) = 1651251948294 ms = 2022-04-29T17:05:48.294Z.
const AAPL_QUOTE = {
  symbol: 'AAPL',
  price: 159.99,
  bid: 159.98,
  ask: 159.99,
  volume: 68840127,
  tsMs: 1651251948294,
  source: 'polygon',
};

type Route = (req: IncomingMessage, res: ServerResponse) => void;
type LocalPolygon = { readonly baseUrl: string; readonly requests: string[]; close(): Promise<void> };

const aapl = (): Record<string, unknown> => structuredClone(RECORDED.ticker);

/** A copy of `value` without `keys`. */
function without<T extends object>(value: T, ...keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key))) as Partial<T>;
}

/** The batched answer around recorded (or derived) ticker objects. */
function envelope(...tickers: Record<string, unknown>[]): string {
  return JSON.stringify({ status: 'OK', request_id: RECORDED.request_id, count: tickers.length, tickers });
}

const json =
  (body: string, status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

let servers: LocalPolygon[] = [];
/** Every HTTP request Node's http client started (axios goes through it). */
let outgoing: string[] = [];
let escapedFetch: string[] = [];

function onRequestStart(message: unknown): void {
  const { request } = message as { request: ClientRequest };
  outgoing.push(`${request.host}${request.path}`);
}

async function startPolygon(route: Route): Promise<LocalPolygon> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === SNAPSHOT_PATH && url.searchParams.get('apiKey') === API_KEY) {
      route(req, res);
    } else {
      // What Polygon answers for a missing or unknown key.
      json('{"status":"ERROR","request_id":"x","error":"Unknown API Key"}', 401)(req, res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const local = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(local);
  return local;
}

async function setup(route: Route, timeoutMs = 5000): Promise<{ polygon: LocalPolygon; source: PolygonMarketDataSource }> {
  const polygon = await startPolygon(route);
  return { polygon, source: new PolygonMarketDataSource({ apiKey: API_KEY, baseUrl: polygon.baseUrl, timeoutMs }) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

/** The key is in no message, and nowhere in the error with its cause chain. */
function expectNoKey(err: unknown): void {
  expect((err as Error).message).not.toContain(API_KEY);
  expect(((err as Error).cause as Error | undefined)?.message ?? '').not.toContain(API_KEY);
  expect(inspect(err, { depth: 10, showHidden: true })).not.toContain(API_KEY);
  expect(inspect(err, { depth: 10 })).not.toContain('apiKey=');
}

/** The server saw exactly these query strings on the snapshot path, and nothing else went out. */
function expectOnlyLocalRequests(polygon: LocalPolygon, tickersParams: string[]): void {
  const expected = tickersParams.map((t) => `${SNAPSHOT_PATH}?apiKey=${API_KEY}&tickers=${t}`);
  expect(polygon.requests).toEqual(expected);
  expect(outgoing).toEqual(expected.map((path) => `127.0.0.1${path}`));
}

describe('PolygonMarketDataSource', () => {
  beforeEach(() => {
    servers = [];
    outgoing = [];
    escapedFetch = [];
    diagnosticsChannel.subscribe('http.client.request.start', onRequestStart);
    // axios does not use fetch; anything that would (a version check, telemetry) fails loudly.
    vi.stubGlobal('fetch', (input: unknown) => {
      escapedFetch.push(String(input));
      return Promise.reject(new Error('global fetch used'));
    });
    // axios honours proxy variables: a proxy would take the request off 127.0.0.1.
    for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy']) {
      vi.stubEnv(name, '');
    }
  });

  afterEach(async () => {
    diagnosticsChannel.unsubscribe('http.client.request.start', onRequestStart);
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await Promise.all(servers.map((s) => s.close()));
    expect(escapedFetch).toEqual([]);
    for (const request of outgoing) expect(request.startsWith('127.0.0.1/')).toBe(true);
  });

  it('returns the recorded AAPL snapshot as a quote from one request', async () => {
    const { polygon, source } = await setup(json(envelope(aapl())));
    expect(await source.fetchQuotes(['AAPL'])).toEqual([AAPL_QUOTE]);
    expectOnlyLocalRequests(polygon, ['AAPL']);
    expect(source.name).toBe('polygon');
    expect(source.assetClasses).toEqual([AssetClass.equity]);
  });

  it('asks all symbols as one comma-separated tickers value and leaves out those Polygon does not return', async () => {
    const { polygon, source } = await setup(json(envelope(aapl())));
    expect(await source.fetchQuotes(['MSFT', 'AAPL', 'MSFT'])).toEqual([AAPL_QUOTE]);
    expectOnlyLocalRequests(polygon, ['MSFT%2CAAPL']);
    const query = new URL(polygon.requests[0]!, polygon.baseUrl).searchParams;
    expect(query.get('tickers')).toBe('MSFT,AAPL');
    expect(query.get('apiKey')).toBe(API_KEY);
  });

  it('answers several tickers in the order asked and ignores tickers it did not ask for', async () => {
    // Derived entries: the recorded AAPL object renamed (and, for MSFT, a made-up trade price).
    const msft = { ...aapl(), ticker: 'MSFT', lastTrade: { ...(aapl().lastTrade as object), p: 289.63 } };
    const tsla = { ...aapl(), ticker: 'TSLA' };
    const { source } = await setup(json(envelope(aapl(), tsla, msft)));
    const quotes = await source.fetchQuotes(['MSFT', 'AAPL']);
    expect(quotes).toEqual([{ ...AAPL_QUOTE, symbol: 'MSFT', price: 289.63 }, AAPL_QUOTE]);
  });

  it('answers an empty list when no asked ticker is known (no tickers array)', async () => {
    const { source } = await setup(json('{"status":"OK","count":0}'));
    expect(await source.fetchQuotes(['ZZZZ'])).toEqual([]);
  });

  it("falls back to the day close and the `updated` time when there is no last trade", async () => {
    // A made-up `updated` (1651262400000000000 ns = 2022-04-29T20:00:00Z) so the time source is visible;
    // day.c 160.315 is the recorded day close.
    const { source } = await setup(json(envelope({ ...without(aapl(), 'lastTrade'), updated: 1651262400000000000 })));
    expect(await source.fetchQuotes(['AAPL'])).toEqual([{ ...AAPL_QUOTE, price: 160.315, tsMs: 1651262400000 }]);
  });

  it('leaves out empty sides of the book', async () => {
    const { source } = await setup(json(envelope({ ...aapl(), lastQuote: { P: 0, S: 0, p: 0, s: 0, t: 0 } })));
    expect(await source.fetchQuotes(['AAPL'])).toEqual([without(AAPL_QUOTE, 'bid', 'ask')]);
  });

  it('leaves out a ticker with neither a trade nor a day close (before the open)', async () => {
    const dayBeforeOpen = { c: 0, h: 0, l: 0, o: 0, v: 0, vw: 0 };
    const { source } = await setup(json(envelope({ ...without(aapl(), 'lastTrade'), day: dayBeforeOpen })));
    expect(await source.fetchQuotes(['AAPL'])).toEqual([]);
  });

  it.each([
    [500, TransientError],
    [503, TransientError],
    [429, TransientError],
    [401, PermanentError],
    [403, PermanentError],
    [404, PermanentError],
  ])('maps HTTP %i to %o without the key in the error', async (status, type) => {
    const { polygon, source } = await setup(json('{"status":"ERROR","request_id":"x","error":"nope"}', status));
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp });
    expect((err as Error).message).toBe(`polygon ${SNAPSHOT_PATH}: HTTP ${status}, expected 2xx`);
    expectNoKey(err);
    expectOnlyLocalRequests(polygon, ['AAPL']);
  });

  it('fails permanently when Polygon rejects the key itself', async () => {
    const polygon = await startPolygon(json(envelope(aapl())));
    const source = new PolygonMarketDataSource({ apiKey: 'wrong-key', baseUrl: polygon.baseUrl });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).not.toContain('wrong-key');
    expect(inspect(err, { depth: 10, showHidden: true })).not.toContain('wrong-key');
  });

  it('does not follow a redirect, which could carry the key off the base URL', async () => {
    const { polygon, source } = await setup((_req, res) => {
      res.writeHead(302, { location: `https://api.polygon.io${SNAPSHOT_PATH}?apiKey=${API_KEY}&tickers=AAPL` });
      res.end();
    });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp });
    expectNoKey(err);
    expectOnlyLocalRequests(polygon, ['AAPL']);
  });

  it.each([
    ['malformed JSON', '{"status": "OK", "tickers": [', 'application/json'],
    ['HTML instead of JSON', '<html>sorry</html>', 'text/html'],
    ['no status', '{"tickers": []}', 'application/json'],
    ['an error status with HTTP 200', '{"status":"ERROR","error":"internal"}', 'application/json'],
    ['a non-numeric last trade price', envelope({ ...aapl(), lastTrade: { p: 'n/a', t: 1651251948294080300 } }), 'application/json'],
    ['a negative day volume', envelope({ ...aapl(), day: { c: 160.315, v: -1 } }), 'application/json'],
    ['a ticker without a symbol', envelope({ ...aapl(), ticker: undefined }), 'application/json'],
  ])('fails transiently with providerData on %s', async (_what, body, type) => {
    const { source } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expectNoKey(err);
  });

  it('fails transiently with providerTimeout when the server answers after timeoutMs', async () => {
    const { polygon, source } = await setup((req, res) => {
      setTimeout(() => json(envelope(aapl()))(req, res), 3000).unref();
    }, 300);
    const started = performance.now();
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerTimeout, message: 'polygon snapshot: no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2500);
    expectNoKey(err);
    expectOnlyLocalRequests(polygon, ['AAPL']);
  });

  it('fails transiently with providerHttp when the connection is reset', async () => {
    const { polygon, source } = await setup((req) => req.socket.destroy());
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp });
    expect((err as Error).message).toMatch(new RegExp(`^polygon ${SNAPSHOT_PATH}: network error`));
    expectNoKey(err);
    expectOnlyLocalRequests(polygon, ['AAPL']);
  });

  it('fails transiently with providerHttp when nothing listens', async () => {
    const port = await freePort();
    const source = new PolygonMarketDataSource({ apiKey: API_KEY, baseUrl: `http://127.0.0.1:${port}` });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `polygon ${SNAPSHOT_PATH}: network error (ECONNREFUSED)` });
    expectNoKey(err);
    expect(outgoing).toEqual([`127.0.0.1${SNAPSHOT_PATH}?apiKey=${API_KEY}&tickers=AAPL`]);
  });

  it("rethrows the caller's abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { polygon, source } = await setup(() => controller.abort(reason));
    await expect(source.fetchQuotes(['AAPL'], controller.signal)).rejects.toBe(reason);
    expectOnlyLocalRequests(polygon, ['AAPL']);
  });

  it('sends nothing when the caller already aborted', async () => {
    const reason = new Error('already stopped');
    const { polygon, source } = await setup(json(envelope(aapl())));
    await expect(source.fetchQuotes(['AAPL'], AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(polygon.requests).toEqual([]);
    expect(outgoing).toEqual([]);
  });

  it('prints nothing to the console, even on failures', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'dir', 'trace'] as const).map((m) => vi.spyOn(console, m));
    const failing = await setup(json('{"status":"ERROR"}', 500));
    await rejection(failing.source.fetchQuotes(['AAPL']));
    const bad = await setup(json('{"status": ['));
    await rejection(bad.source.fetchQuotes(['AAPL']));
    const ok = await setup(json(envelope(aapl())));
    await ok.source.fetchQuotes(['AAPL']);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('answers an empty or crypto-only symbol list without a request (an empty filter means the whole market)', async () => {
    const { polygon, source } = await setup(json(envelope(aapl())));
    expect(await source.fetchQuotes([])).toEqual([]);
    expect(await source.fetchQuotes(['BTC/USDT', ' '])).toEqual([]);
    expect(polygon.requests).toEqual([]);
    expect(outgoing).toEqual([]);
    await source.close();
  });
});
