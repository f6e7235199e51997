import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AssetClass, ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';
import { CcxtMarketDataSource } from './index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../../tests/fixtures/vendors/ccxt/${name}`, import.meta.url), 'utf8');

// Recorded live Binance spot answers, see tests/fixtures/vendors/PROVENANCE.md (ccxt/).
const TICKER_BTCUSDT = fixture('binance-ticker24hr-BTCUSDT.json');
const SYMBOL_BTCUSDT = fixture('binance-exchangeInfo-symbol-BTCUSDT.json');
// Wrappers of the recordings, not recordings themselves: the real exchangeInfo is
// MBs, and one `symbols[]` entry is all ccxt's loadMarkets reads; with a symbols
// list `/ticker/24hr?symbols=[...]` answers an array of the single-symbol objects.
const EXCHANGE_INFO = `{"symbols":[${SYMBOL_BTCUSDT}]}`;
const TICKERS = `[${TICKER_BTCUSDT}]`;
const TICKER_PATH = '/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22%5D'; // symbols=["BTCUSDT"]

type Route = (req: IncomingMessage, res: ServerResponse) => void;
type LocalBinance = { readonly baseUrl: string; readonly paths: string[]; close(): Promise<void> };

const json =
  (body: string, status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

let servers: LocalBinance[] = [];
let sources: CcxtMarketDataSource[] = [];
let sent: string[] = [];
let escaped: string[] = [];

/** ccxt sends through its own undici, whose requests all pass this process-wide channel. */
const onUndiciRequest = (message: unknown): void => {
  const { request } = message as { request: { origin: string; path: string } };
  sent.push(`${request.origin}${request.path}`);
};

/** A local Binance spot API: `/api/v3/exchangeInfo` and `/api/v3/ticker/24hr`, logging every path. */
async function startBinance(ticker: Route, exchangeInfo: Route = json(EXCHANGE_INFO)): Promise<LocalBinance> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    const { pathname } = new URL(path, 'http://127.0.0.1');
    if (pathname === '/api/v3/exchangeInfo') return exchangeInfo(req, res);
    if (pathname === '/api/v3/ticker/24hr') return ticker(req, res);
    return json('{"code":-1,"msg":"not served by the test"}', 404)(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

async function setup(ticker: Route = json(TICKERS), timeoutMs = 5000, exchangeInfo?: Route) {
  const binance = await startBinance(ticker, exchangeInfo);
  const source = new CcxtMarketDataSource({ baseUrl: binance.baseUrl, timeoutMs });
  sources.push(source);
  return { binance, source };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

const tickerWith = (changes: Record<string, unknown>): string =>
  JSON.stringify([{ ...(JSON.parse(TICKER_BTCUSDT) as Record<string, unknown>), ...changes }]);

// From tests/fixtures/vendors/ccxt/binance-ticker24hr-BTCUSDT.json as ccxt parses it:
// lastPrice 73369.84 (CLIENTS.md), bidPrice 73369.83, askPrice 73369.84,
// volume (base) 72140.348628, closeTime 1710328245391 (2024-03-13T11:10:45.391Z).
const BTC_QUOTE = {
  symbol: 'BTC/USDT',
  price: 73369.84,
  bid: 73369.83,
  ask: 73369.84,
  volume: 72140.348628,
  tsMs: 1710328245391,
  source: 'ccxt:binance',
};

describe('CcxtMarketDataSource', () => {
  beforeEach(() => {
    servers = [];
    sources = [];
    sent = [];
    escaped = [];
    subscribe('undici:request:create', onUndiciRequest);
    // Safety net: a fallback to the global fetch fails loudly instead of going out.
    vi.stubGlobal('fetch', (input: unknown) => {
      escaped.push(String(input));
      return Promise.reject(new Error('global fetch used'));
    });
  });

  afterEach(async () => {
    await Promise.all(sources.map((s) => s.close()));
    unsubscribe('undici:request:create', onUndiciRequest);
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    await Promise.all(servers.map((s) => s.close()));
    expect(escaped).toEqual([]);
    // Every request ccxt sent arrived at a local server, and nothing else was sent.
    const arrived = servers.flatMap((s) => s.paths.map((p) => s.baseUrl + p));
    expect([...sent].sort()).toEqual([...arrived].sort());
  });

  it('returns the recorded BTC/USDT ticker after loading the markets', async () => {
    const { binance, source } = await setup();
    expect(await source.fetchQuotes(['BTC/USDT'])).toEqual([BTC_QUOTE]);
    expect(binance.paths).toEqual(['/api/v3/exchangeInfo', TICKER_PATH]);
    expect(sent).toEqual(binance.paths.map((p) => binance.baseUrl + p));
  });

  it('loads the markets once and makes one ticker call per fetch', async () => {
    const { binance, source } = await setup();
    await source.fetchQuotes(['BTC/USDT']);
    expect(await source.fetchQuotes(['BTC/USDT'])).toEqual([BTC_QUOTE]);
    expect(binance.paths).toEqual(['/api/v3/exchangeInfo', TICKER_PATH, TICKER_PATH]);
  });

  it('leaves out pairs the exchange does not list, without asking for them', async () => {
    const { binance, source } = await setup();
    expect(await source.fetchQuotes(['ETH/USDT', 'BTC/USDT', 'AAPL', 'BTC/USDT'])).toEqual([BTC_QUOTE]);
    expect(await source.fetchQuotes(['ETH/USDT'])).toEqual([]);
    expect(binance.paths).toEqual(['/api/v3/exchangeInfo', TICKER_PATH]);
  });

  it.each([
    // Binance error bodies as documented (errors.md): -1001 DISCONNECTED, -1003 TOO_MANY_REQUESTS.
    [500, '{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}', 'OperationFailed'],
    [500, 'Internal Server Error', 'ExchangeNotAvailable'],
    [503, 'Service Unavailable', 'ExchangeNotAvailable'],
    [429, '{"code":-1003,"msg":"Too many requests."}', 'DDoSProtection'],
    [418, '{"code":-1003,"msg":"Way too many requests; IP banned."}', 'DDoSProtection'],
  ])('fails transiently with providerHttp on HTTP %i (%s)', async (status, body, ccxtError) => {
    const { source } = await setup(json(body, status));
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerHttp,
      message: `ccxt:binance fetchTickers: ccxt ${ccxtError} (network, rate limit or exchange unavailable)`,
    });
  });

  it('leaves out an empty side of the book', async () => {
    const { source } = await setup(json(tickerWith({ bidPrice: '0.00000000', askPrice: '0.00000000' })));
    const { symbol, price, volume, tsMs, source: name } = BTC_QUOTE;
    expect(await source.fetchQuotes(['BTC/USDT'])).toEqual([{ symbol, price, volume, tsMs, source: name }]);
  });

  it('fails permanently when the exchange rejects the symbol', async () => {
    const { source } = await setup(json('{"code":-1121,"msg":"Invalid symbol."}', 400));
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({
      code: ErrorCode.providerHttp,
      message: 'ccxt:binance fetchTickers: ccxt BadSymbol (the exchange refused the request)',
    });
  });

  it.each([
    ['malformed JSON', '[{"symbol": "BTCUSDT", "lastPrice": '],
    ['HTML instead of JSON', '<html>sorry</html>'],
    ['a single object instead of an array', TICKER_BTCUSDT],
    ['a negative last price', tickerWith({ lastPrice: '-5.00000000' })],
    // ccxt's decimal helper throws a SyntaxError on it.
    ['a non-numeric last price', tickerWith({ lastPrice: 'n/a' })],
    ['no closeTime', tickerWith({ closeTime: undefined })],
  ])('fails transiently with providerData on %s', async (_what, body) => {
    const { source } = await setup(json(body));
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expect((err as Error).message).toMatch(/^ccxt:binance fetchTickers: /);
  });

  it('fails transiently with providerTimeout when the ticker answers after timeoutMs', async () => {
    const { source } = await setup((req, res) => void setTimeout(() => json(TICKERS)(req, res), 3000).unref(), 300);
    await import('ccxt'); // importing ccxt is local work outside the budget: keep it out of the timing
    const started = performance.now();
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerTimeout,
      message: 'ccxt:binance fetchTickers: no answer within 300 ms',
    });
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('fails transiently with providerHttp when the connection is reset', async () => {
    const { source } = await setup((req) => req.socket.destroy());
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerHttp,
      message: 'ccxt:binance fetchTickers: ccxt NetworkError (network, rate limit or exchange unavailable)',
    });
  });

  it('fails transiently when the markets do not load and loads them again on the next fetch', async () => {
    let infoCalls = 0;
    const exchangeInfo: Route = (req, res) => {
      infoCalls += 1;
      json(infoCalls === 1 ? 'Service Unavailable' : EXCHANGE_INFO, infoCalls === 1 ? 503 : 200)(req, res);
    };
    const { binance, source } = await setup(json(TICKERS), 5000, exchangeInfo);
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerHttp,
      message: 'ccxt:binance loadMarkets: ccxt ExchangeNotAvailable (network, rate limit or exchange unavailable)',
    });
    expect(await source.fetchQuotes(['BTC/USDT'])).toEqual([BTC_QUOTE]);
    expect(binance.paths).toEqual(['/api/v3/exchangeInfo', '/api/v3/exchangeInfo', TICKER_PATH]);
  });

  it.each(['nope', 'constructor', 'Binance'])('fails permanently for "%s", which is not a ccxt exchange', async (id) => {
    const source = new CcxtMarketDataSource({ exchange: id });
    sources.push(source);
    expect(source.name).toBe(`ccxt:${id}`);
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({
      code: ErrorCode.sourceUnavailable,
      message: `ccxt exchange "${id}": not a ccxt exchange; expected an id from ccxt.exchanges (binance, kraken, coinbase…)`,
    });
    expect(sent).toEqual([]);
  });

  it('refuses a baseUrl for an exchange other than binance', () => {
    expect(() => new CcxtMarketDataSource({ exchange: 'kraken', baseUrl: 'http://127.0.0.1:1' })).toThrow(
      new PermanentError('ccxt exchange "kraken" with a baseUrl: baseUrl override is supported for binance only', {
        code: ErrorCode.sourceUnavailable,
      }),
    );
  });

  it("rethrows the caller's abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { source } = await setup(() => controller.abort(reason));
    await expect(source.fetchQuotes(['BTC/USDT'], controller.signal)).rejects.toBe(reason);
  });

  it('prints nothing to the console, even on failures', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((m) => vi.spyOn(console, m));
    const failing = await setup(json('Internal Server Error', 500));
    await rejection(failing.source.fetchQuotes(['BTC/USDT']));
    const ok = await setup();
    await ok.source.fetchQuotes(['BTC/USDT']);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('serves crypto only, answers an empty list without a request and refuses fetches once closed', async () => {
    const { binance, source } = await setup();
    expect(source.name).toBe('ccxt:binance');
    expect(source.assetClasses).toEqual([AssetClass.crypto]);
    expect(await source.fetchQuotes([])).toEqual([]);
    expect(await source.fetchQuotes(['AAPL'])).toEqual([]);
    expect(binance.paths).toEqual([]);
    await source.close();
    const err = await rejection(source.fetchQuotes(['BTC/USDT']));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: ErrorCode.sourceUnavailable });
  });
});
