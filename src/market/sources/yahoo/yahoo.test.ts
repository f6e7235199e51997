import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';
import { YahooMarketDataSource } from './index.js';
import { CRUMB, QUOTE_AAPL, json, startYahoo, type LocalYahoo, type Route } from '../../../../tests/helpers/local-yahoo.js';

const realFetch = globalThis.fetch;
let servers: LocalYahoo[] = [];
let fetched: string[] = [];
let escaped: string[] = [];

/** Every request the adapter makes goes through here; only 127.0.0.1 is reachable. */
const recordingFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  fetched.push(url);
  if (new URL(url).hostname !== '127.0.0.1') {
    escaped.push(url);
    return Promise.reject(new Error(`test tried to leave 127.0.0.1: ${url}`));
  }
  return realFetch(input, init);
};

async function setup(quote: Route, timeoutMs = 5000): Promise<{ yahoo: LocalYahoo; source: YahooMarketDataSource }> {
  const yahoo = await startYahoo(quote);
  servers.push(yahoo);
  return { yahoo, source: new YahooMarketDataSource({ baseUrl: yahoo.baseUrl, fetch: recordingFetch, timeoutMs }) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

function expectNoSecrets(err: unknown): void {
  const message = (err as Error).message;
  expect(message).not.toContain(CRUMB);
  expect(message).not.toContain('fixtureCookie');
}

function quoteEntries(...entries: Record<string, unknown>[]): string {
  return JSON.stringify({ quoteResponse: { result: entries, error: null } });
}

const aaplEntry = (): Record<string, unknown> =>
  (JSON.parse(QUOTE_AAPL) as { quoteResponse: { result: Record<string, unknown>[] } }).quoteResponse.result[0]!;

describe('YahooMarketDataSource', () => {
  beforeEach(() => {
    servers = [];
    fetched = [];
    escaped = [];
    // Safety net: anything that bypasses the fetch option (e.g. a version check) fails loudly.
    vi.stubGlobal('fetch', (input: unknown) => {
      escaped.push(String(input));
      return Promise.reject(new Error('global fetch used'));
    });
  });

  afterEach(async () => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    await Promise.all(servers.map((s) => s.close()));
    expect(escaped).toEqual([]);
    const bases = servers.map((s) => s.baseUrl);
    for (const url of fetched) expect(bases.some((base) => url.startsWith(`${base}/`))).toBe(true);
  });

  it('returns the recorded AAPL quote after the cookie and crumb handshake', async () => {
    const { yahoo, source } = await setup(json(QUOTE_AAPL));
    const quotes = await source.fetchQuotes(['AAPL']);
    // Values from tests/fixtures/vendors/yahoo/quote-AAPL.json.
    expect(quotes).toEqual([
      { symbol: 'AAPL', price: 244.6, bid: 244.44, ask: 253.37, volume: 40896227, tsMs: 1739566800000, source: 'yahoo' },
    ]);
    expect(yahoo.paths).toEqual(['/quote/AAPL', '/v1/test/getcrumb', `/v7/finance/quote?symbols=AAPL&crumb=${CRUMB}`]);
    expect(fetched).toEqual(yahoo.paths.map((p) => yahoo.baseUrl + p));
    expect(source.name).toBe('yahoo');
  });

  it('reuses the cookie and crumb on later calls', async () => {
    const { yahoo, source } = await setup(json(QUOTE_AAPL));
    await source.fetchQuotes(['AAPL']);
    await source.fetchQuotes(['AAPL']);
    expect(yahoo.paths.filter((p) => p.startsWith('/v1/test/getcrumb'))).toHaveLength(1);
    expect(yahoo.paths.filter((p) => p.startsWith('/v7/finance/quote'))).toHaveLength(2);
  });

  it('keeps a separate cookie session per instance', async () => {
    const { yahoo, source } = await setup(json(QUOTE_AAPL));
    const other = new YahooMarketDataSource({ baseUrl: yahoo.baseUrl, fetch: recordingFetch });
    await source.fetchQuotes(['AAPL']);
    await other.fetchQuotes(['AAPL']);
    expect(yahoo.paths.filter((p) => p === '/quote/AAPL')).toHaveLength(2);
  });

  it('asks crypto pairs as Yahoo tickers in one batch and answers with the original symbols', async () => {
    const btc = { ...aaplEntry(), symbol: 'BTC-USD', regularMarketPrice: 97500.5, bid: 0, ask: 0 };
    const { yahoo, source } = await setup(json(quoteEntries(btc, aaplEntry())));
    const quotes = await source.fetchQuotes(['BTC/USDT', 'AAPL', 'BTC/USD']);
    const quoteCalls = yahoo.paths.filter((p) => p.startsWith('/v7/finance/quote'));
    expect(quoteCalls).toEqual([`/v7/finance/quote?symbols=BTC-USD%2CAAPL&crumb=${CRUMB}`]);
    const btcQuote = { price: 97500.5, volume: 40896227, tsMs: 1739566800000, source: 'yahoo' };
    expect(quotes).toEqual([
      { symbol: 'BTC/USDT', ...btcQuote },
      { symbol: 'BTC/USD', ...btcQuote },
      { symbol: 'AAPL', price: 244.6, bid: 244.44, ask: 253.37, volume: 40896227, tsMs: 1739566800000, source: 'yahoo' },
    ]);
  });

  it('leaves out symbols Yahoo does not return', async () => {
    const { source } = await setup(json(QUOTE_AAPL));
    const quotes = await source.fetchQuotes(['AAPL', 'MSFT']);
    expect(quotes.map((q) => q.symbol)).toEqual(['AAPL']);
  });

  it.each([
    [500, TransientError],
    [503, TransientError],
    [429, TransientError],
    [404, PermanentError],
    [403, PermanentError],
  ])('maps HTTP %i from the quote endpoint to %o', async (status, type) => {
    const { source } = await setup(json('{"finance":{"result":null,"error":null}}', status));
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp });
    expect((err as Error).message).toBe(`yahoo /v7/finance/quote: HTTP ${status}, expected 2xx`);
    expectNoSecrets(err);
  });

  it('does not follow a redirect away from the base URL and fails transiently', async () => {
    const { source } = await setup((_req, res) => {
      res.writeHead(302, { location: 'https://finance.yahoo.com/elsewhere' });
      res.end();
    });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp });
  });

  it('fails transiently on an expired crumb and handshakes again on the next call', async () => {
    let calls = 0;
    const { yahoo, source } = await setup((req, res) => {
      calls += 1;
      json(calls === 1 ? '{"finance":{"result":null,"error":{"code":"Unauthorized"}}}' : QUOTE_AAPL, calls === 1 ? 401 : 200)(
        req,
        res,
      );
    });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp });
    expect((await source.fetchQuotes(['AAPL'])).map((q) => q.price)).toEqual([244.6]);
    expect(yahoo.paths.filter((p) => p.startsWith('/v1/test/getcrumb'))).toHaveLength(2);
  });

  it.each([
    ['malformed JSON', '{"quoteResponse": {"result": [', 'application/json'],
    ['HTML instead of JSON', '<html>sorry</html>', 'text/html'],
    ['no quoteResponse', '{"unexpected": true}', 'application/json'],
    // The library turns numeric strings into numbers; a non-numeric one stays a string.
    ['a non-numeric price', quoteEntries({ ...aaplEntry(), regularMarketPrice: 'n/a' }), 'application/json'],
    ['a non-numeric time', quoteEntries({ ...aaplEntry(), regularMarketTime: 'soon' }), 'application/json'],
    ['a zero price', quoteEntries({ ...aaplEntry(), regularMarketPrice: 0 }), 'application/json'],
    ['no regularMarketTime', quoteEntries({ ...aaplEntry(), regularMarketTime: undefined }), 'application/json'],
  ])('fails transiently with providerData on %s', async (_what, body, type) => {
    const { source } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expectNoSecrets(err);
  });

  it('fails transiently with providerTimeout when the server answers after timeoutMs', async () => {
    const { source } = await setup((_req, res) => {
      setTimeout(() => json(QUOTE_AAPL)(_req, res), 3000).unref();
    }, 300);
    const started = performance.now();
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerTimeout, message: 'yahoo quote: no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('fails transiently with providerHttp when the connection is reset', async () => {
    const { source } = await setup((req) => req.socket.destroy());
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: 'yahoo /v7/finance/quote: network error' });
  });

  it("rethrows the caller's abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { source } = await setup(() => controller.abort(reason));
    await expect(source.fetchQuotes(['AAPL'], controller.signal)).rejects.toBe(reason);
  });

  it('prints nothing to the console, even on failures', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((m) => vi.spyOn(console, m));
    const { source } = await setup(json('{"finance":{"result":null,"error":null}}', 500));
    await rejection(source.fetchQuotes(['AAPL']));
    const ok = await setup(json(QUOTE_AAPL));
    await ok.source.fetchQuotes(['AAPL']);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('answers an empty symbol list without a request', async () => {
    const { yahoo, source } = await setup(json(QUOTE_AAPL));
    expect(await source.fetchQuotes([])).toEqual([]);
    expect(yahoo.paths).toEqual([]);
    await source.close();
  });
});
