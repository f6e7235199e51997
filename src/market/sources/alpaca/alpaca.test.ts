import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';
import { AlpacaMarketDataSource, type AlpacaMarketDataSourceOptions } from './index.js';
import { listenLocal } from '../../../../tests/helpers/net.js';

// Alpaca's documented single-symbol snapshot ("Example of a snapshot response for one
// ticker", alpacahq/alpaca-docs), see tests/fixtures/vendors/PROVENANCE.md.
const SNAPSHOT_AAPL: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../../../tests/fixtures/vendors/alpaca/snapshot-AAPL-doc-example.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/**
 * The multi-symbol endpoint answers an object keyed by symbol. No recorded multi-symbol
 * answer exists, so this envelope is a test-made wrapper around the documented snapshot
 * object, kept verbatim (its extra `"symbol": "AAPL"` field is ignored by the library).
 */
const snapshots = (entries: Record<string, unknown>): string => JSON.stringify(entries);
const SNAPSHOTS_AAPL = snapshots({ AAPL: SNAPSHOT_AAPL });

// The fixture's AAPL values: latestTrade.p, latestQuote.bp / .ap, dailyBar.v, and
// latestTrade.t "2021-05-11T20:00:00.435997104Z" cut to ms (Date.UTC(2021, 4, 11, 20, 0, 0, 435)).
const AAPL_QUOTE = {
  symbol: 'AAPL',
  price: 125.91,
  bid: 125.6,
  ask: 125.68,
  volume: 125863164,
  tsMs: 1620763200435,
  source: 'alpaca',
};

// Alpaca's documented crypto snapshots answer for BTC/USD (docs.alpaca.markets, the
// CryptoSnapshots 200 example), see tests/fixtures/vendors/PROVENANCE.md. It is the whole
// `{"snapshots": {...}}` body of GET /v1beta3/crypto/us/snapshots, served byte for byte.
const CRYPTO_SNAPSHOTS_BTC = readFileSync(
  new URL('../../../../tests/fixtures/vendors/alpaca/crypto-snapshots-BTC-USD-doc-example.json', import.meta.url),
  'utf8',
);
const BTC_SNAPSHOT = (JSON.parse(CRYPTO_SNAPSHOTS_BTC) as { snapshots: Record<string, Record<string, unknown>> })
  .snapshots['BTC/USD'] as Record<string, unknown>;
const cryptoSnapshots = (entries: Record<string, unknown>): string => JSON.stringify({ snapshots: entries });

// The fixture's BTC/USD values: latestTrade.p, latestQuote.bp / .ap, dailyBar.v (BTC), and
// latestTrade.t "2022-05-31T11:53:45.027481Z" cut to ms (Date.UTC(2022, 4, 31, 11, 53, 45, 27)).
const BTC_QUOTE = {
  symbol: 'BTC/USD',
  price: 31744,
  bid: 31741,
  ask: 31742,
  volume: 67.3518,
  tsMs: 1653998025027,
  source: 'alpaca',
};

const KEY_ID = 'PKFIXTUREKEYID0000001';
const SECRET = 'fixtureSecretKey-never-in-messages-42';
const SNAPSHOTS_PATH = '/v2/stocks/snapshots';
const CRYPTO_PATH = '/v1beta3/crypto/us/snapshots';

type Route = (req: IncomingMessage, res: ServerResponse) => void;
type Seen = { readonly url: string; readonly headers: IncomingHttpHeaders };
type LocalAlpaca = { readonly baseUrl: string; readonly seen: Seen[]; close(): Promise<void> };

const json =
  (body: string, status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

/** Answers each path with its own route, and anything else with a 404. */
const byPath =
  (routes: Readonly<Record<string, Route>>): Route =>
  (req, res) => {
    const route = routes[new URL(req.url ?? '', 'http://127.0.0.1').pathname];
    (route ?? json('{"message":"Not Found"}', 404))(req, res);
  };

/** A stand-in for data.alpaca.markets on 127.0.0.1 that logs every request. */
async function startAlpaca(route: Route): Promise<LocalAlpaca> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    route(req, res);
  });
  return { ...(await listenLocal(server)), seen };
}

const realFetch = globalThis.fetch;
let servers: LocalAlpaca[] = [];
let fetched: string[] = [];
let escaped: string[] = [];

/** Stands in for global fetch: records every URL and refuses anything but 127.0.0.1. */
const guardedFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  fetched.push(url);
  if (new URL(url).hostname !== '127.0.0.1') {
    escaped.push(url);
    return Promise.reject(new Error(`test tried to leave 127.0.0.1: ${url}`));
  }
  return realFetch(input, init);
};

async function setup(
  route: Route,
  options: Partial<AlpacaMarketDataSourceOptions> = {},
): Promise<{ alpaca: LocalAlpaca; source: AlpacaMarketDataSource }> {
  const alpaca = await startAlpaca(route);
  servers.push(alpaca);
  const source = new AlpacaMarketDataSource({ keyId: KEY_ID, secretKey: SECRET, baseUrl: alpaca.baseUrl, ...options });
  return { alpaca, source };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

/** Neither the error's message nor any message down its cause chain holds a key. */
function expectNoSecrets(err: unknown): void {
  let current: unknown = err;
  expect(current).toBeInstanceOf(Error);
  while (current instanceof Error) {
    expect(current.message).not.toContain(KEY_ID);
    expect(current.message).not.toContain(SECRET);
    current = current.cause;
  }
}

describe('AlpacaMarketDataSource', () => {
  beforeEach(() => {
    servers = [];
    fetched = [];
    escaped = [];
    vi.stubGlobal('fetch', guardedFetch);
  });

  afterEach(async () => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await Promise.all(servers.map((s) => s.close()));
    expect(escaped).toEqual([]);
    const bases = servers.map((s) => s.baseUrl);
    for (const url of fetched) expect(bases.some((base) => url.startsWith(`${base}/`))).toBe(true);
  });

  it('returns the documented AAPL snapshot as a quote from one snapshots request with both key headers', async () => {
    const { alpaca, source } = await setup(json(SNAPSHOTS_AAPL));
    expect(await source.fetchQuotes(['AAPL'])).toEqual([AAPL_QUOTE]);
    expect(alpaca.seen.map((s) => s.url)).toEqual([`${SNAPSHOTS_PATH}?symbols=AAPL&feed=iex`]);
    expect(alpaca.seen[0]?.headers['apca-api-key-id']).toBe(KEY_ID);
    expect(alpaca.seen[0]?.headers['apca-api-secret-key']).toBe(SECRET);
    expect(fetched).toEqual([`${alpaca.baseUrl}${SNAPSHOTS_PATH}?symbols=AAPL&feed=iex`]);
    expect(source.name).toBe('alpaca');
    expect(source.assetClasses).toEqual(['equity', 'crypto']);
  });

  it('asks for all symbols in one request and leaves out those Alpaca does not answer', async () => {
    const { alpaca, source } = await setup(json(SNAPSHOTS_AAPL));
    expect(await source.fetchQuotes(['MSFT', 'AAPL', 'MSFT'])).toEqual([AAPL_QUOTE]);
    expect(alpaca.seen).toHaveLength(1);
    const url = new URL(alpaca.seen[0]?.url ?? '', alpaca.baseUrl);
    expect(url.pathname).toBe(SNAPSHOTS_PATH);
    expect(url.searchParams.get('symbols')).toBe('MSFT,AAPL');
    expect(url.searchParams.get('feed')).toBe('iex');
  });

  it('asks the sip feed when configured', async () => {
    const { alpaca, source } = await setup(json(SNAPSHOTS_AAPL), { feed: 'sip' });
    await source.fetchQuotes(['AAPL']);
    expect(alpaca.seen.map((s) => s.url)).toEqual([`${SNAPSHOTS_PATH}?symbols=AAPL&feed=sip`]);
  });

  it('sends the explicit keys even when APCA_* environment variables are set', async () => {
    vi.stubEnv('APCA_API_KEY_ID', 'envKeyId');
    vi.stubEnv('APCA_API_SECRET_KEY', 'envSecret');
    vi.stubEnv('APCA_API_OAUTH_TOKEN', 'envOauthToken');
    const { alpaca, source } = await setup(json(SNAPSHOTS_AAPL));
    await source.fetchQuotes(['AAPL']);
    const headers = alpaca.seen[0]?.headers;
    expect(headers?.['apca-api-key-id']).toBe(KEY_ID);
    expect(headers?.['apca-api-secret-key']).toBe(SECRET);
    expect(headers?.authorization).toBeUndefined();
  });

  it('leaves out an empty side of the book and a missing daily bar', async () => {
    const entry = { ...SNAPSHOT_AAPL, latestQuote: { ...(SNAPSHOT_AAPL.latestQuote as object), bp: 0 }, dailyBar: null };
    const { source } = await setup(json(snapshots({ AAPL: entry })));
    expect(await source.fetchQuotes(['AAPL'])).toEqual([
      { symbol: 'AAPL', price: 125.91, ask: 125.68, tsMs: 1620763200435, source: 'alpaca' },
    ]);
  });

  it.each([
    [500, TransientError],
    [503, TransientError],
    [429, TransientError],
    [401, PermanentError],
    [403, PermanentError],
    [404, PermanentError],
    [422, PermanentError],
  ])('maps HTTP %i to %o after a single attempt', async (status, type) => {
    const { alpaca, source } = await setup(json('{"code":40310000,"message":"request is not authorized"}', status));
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alpaca ${SNAPSHOTS_PATH}: HTTP ${status}, expected 2xx` });
    expect(alpaca.seen).toHaveLength(1);
    expectNoSecrets(err);
  });

  const trade = SNAPSHOT_AAPL.latestTrade as Record<string, unknown>;
  it.each([
    ['malformed JSON', '{"AAPL": {"latestTrade": '],
    ['HTML instead of JSON', '<html>sorry</html>'],
    ['null', 'null'],
    ['an entry that is not a snapshot', snapshots({ AAPL: true })],
    ['a snapshot without a latest trade', snapshots({ AAPL: { ...SNAPSHOT_AAPL, latestTrade: null } })],
    ['a non-numeric price', snapshots({ AAPL: { ...SNAPSHOT_AAPL, latestTrade: { ...trade, p: 'n/a' } } })],
    ['a zero price', snapshots({ AAPL: { ...SNAPSHOT_AAPL, latestTrade: { ...trade, p: 0 } } })],
    ['a garbled trade time', snapshots({ AAPL: { ...SNAPSHOT_AAPL, latestTrade: { ...trade, t: 'soon' } } })],
    ['a negative volume', snapshots({ AAPL: { ...SNAPSHOT_AAPL, dailyBar: { v: -1 } } })],
  ])('fails transiently with providerData on %s', async (_what, body) => {
    const { source } = await setup(json(body));
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expectNoSecrets(err);
  });

  it('names the offending field when a snapshot is off', async () => {
    const { source } = await setup(json(snapshots({ AAPL: { ...SNAPSHOT_AAPL, latestTrade: { ...trade, p: 'n/a' } } })));
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect((err as Error).message).toMatch(/^alpaca snapshots response: AAPL\.latestTrade\.p is invalid \(.+\); expected/);
  });

  it('fails transiently with providerTimeout when the server answers after timeoutMs', async () => {
    const { source } = await setup((req, res) => {
      setTimeout(() => json(SNAPSHOTS_AAPL)(req, res), 3000).unref();
    }, { timeoutMs: 300 });
    const started = performance.now();
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerTimeout, message: 'alpaca snapshots: no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2500);
    expectNoSecrets(err);
  });

  it('fails transiently with providerTimeout when the body stalls after the headers', async () => {
    const { source } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"AAPL":');
    }, { timeoutMs: 300 });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toMatchObject({ code: ErrorCode.providerTimeout });
  });

  it('fails transiently with providerHttp when the connection is reset', async () => {
    const { source } = await setup((req) => req.socket.destroy());
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alpaca ${SNAPSHOTS_PATH}: network error` });
    expectNoSecrets(err);
  });

  it('refuses to follow a redirect, so the key headers go nowhere else', async () => {
    const { alpaca, source } = await setup((_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/v2/stocks/snapshots' });
      res.end();
    });
    const err = await rejection(source.fetchQuotes(['AAPL']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alpaca ${SNAPSHOTS_PATH}: network error` });
    expect(alpaca.seen).toHaveLength(1);
  });

  it("rethrows the caller's abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { source } = await setup(() => controller.abort(reason));
    await expect(source.fetchQuotes(['AAPL'], controller.signal)).rejects.toBe(reason);
  });

  it('prints nothing to the console, even on failures', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((m) => vi.spyOn(console, m));
    const failing = await setup(json('{"message":"internal server error"}', 500));
    await rejection(failing.source.fetchQuotes(['AAPL']));
    const ok = await setup(json(SNAPSHOTS_AAPL));
    await ok.source.fetchQuotes(['AAPL']);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('answers an empty symbol list without a request', async () => {
    const { alpaca, source } = await setup(json(SNAPSHOTS_AAPL));
    expect(await source.fetchQuotes([])).toEqual([]);
    expect(alpaca.seen).toEqual([]);
    await source.close();
  });

  it('returns the documented BTC/USD snapshot from the crypto request alone, with both key headers', async () => {
    const { alpaca, source } = await setup(json(CRYPTO_SNAPSHOTS_BTC));
    expect(await source.fetchQuotes(['BTC/USD'])).toEqual([BTC_QUOTE]);
    expect(alpaca.seen.map((s) => s.url)).toEqual([`${CRYPTO_PATH}?symbols=BTC%2FUSD`]);
    expect(alpaca.seen[0]?.headers['apca-api-key-id']).toBe(KEY_ID);
    expect(alpaca.seen[0]?.headers['apca-api-secret-key']).toBe(SECRET);
  });

  it("asks stocks and pairs in exactly two requests and returns both quotes in the caller's order", async () => {
    const { alpaca, source } = await setup(
      byPath({ [SNAPSHOTS_PATH]: json(SNAPSHOTS_AAPL), [CRYPTO_PATH]: json(CRYPTO_SNAPSHOTS_BTC) }),
    );
    expect(await source.fetchQuotes(['BTC/USD', 'AAPL'])).toEqual([BTC_QUOTE, AAPL_QUOTE]);
    expect(alpaca.seen.map((s) => s.url).sort()).toEqual(
      [`${CRYPTO_PATH}?symbols=BTC%2FUSD`, `${SNAPSHOTS_PATH}?symbols=AAPL&feed=iex`].sort(),
    );
  });

  it('asks pairs as given, each once, and leaves out pairs Alpaca does not answer', async () => {
    const { alpaca, source } = await setup(json(CRYPTO_SNAPSHOTS_BTC));
    expect(await source.fetchQuotes(['BTC/USDT', 'BTC/USD', 'BTC/USDT'])).toEqual([BTC_QUOTE]);
    expect(alpaca.seen).toHaveLength(1);
    const url = new URL(alpaca.seen[0]?.url ?? '', alpaca.baseUrl);
    expect(url.pathname).toBe(CRYPTO_PATH);
    expect(url.searchParams.get('symbols')).toBe('BTC/USDT,BTC/USD');
  });

  it.each([
    [503, TransientError],
    [429, TransientError],
    [400, PermanentError],
    [401, PermanentError],
    [403, PermanentError],
  ])('maps HTTP %i from the crypto request to %o', async (status, type) => {
    const { alpaca, source } = await setup(json('{"message":"forbidden."}', status));
    const err = await rejection(source.fetchQuotes(['BTC/USD']));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alpaca ${CRYPTO_PATH}: HTTP ${status}, expected 2xx` });
    expect(alpaca.seen).toHaveLength(1);
    expectNoSecrets(err);
  });

  it.each([
    ['stock', SNAPSHOTS_PATH, PermanentError, 403],
    ['crypto', CRYPTO_PATH, TransientError, 503],
  ])('fails the whole mixed call when the %s request fails', async (_which, failing, type, status) => {
    const ok = { [SNAPSHOTS_PATH]: json(SNAPSHOTS_AAPL), [CRYPTO_PATH]: json(CRYPTO_SNAPSHOTS_BTC) };
    const { source } = await setup(byPath({ ...ok, [failing]: json('{"message":"nope"}', status) }));
    const err = await rejection(source.fetchQuotes(['AAPL', 'BTC/USD']));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alpaca ${failing}: HTTP ${status}, expected 2xx` });
  });

  it('cancels the other request as soon as one fails', async () => {
    let cancelled = (): void => {};
    const hangUp = new Promise<void>((resolve) => (cancelled = resolve));
    const { source } = await setup(
      byPath({
        [SNAPSHOTS_PATH]: json('{"message":"internal server error"}', 500),
        [CRYPTO_PATH]: (_req, res) => res.on('close', cancelled),
      }),
      { timeoutMs: 20_000 },
    );
    const err = await rejection(source.fetchQuotes(['AAPL', 'BTC/USD']));
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alpaca ${SNAPSHOTS_PATH}: HTTP 500, expected 2xx` });
    const waited = await Promise.race([
      hangUp.then(() => 'cancelled'),
      new Promise((resolve) => setTimeout(resolve, 5000, 'still open').unref()),
    ]);
    expect(waited).toBe('cancelled');
  });

  const btcTrade = BTC_SNAPSHOT.latestTrade as Record<string, unknown>;
  it.each([
    ['the stock-shaped body without a snapshots envelope', JSON.stringify({ 'BTC/USD': BTC_SNAPSHOT })],
    ['null', 'null'],
    ['a pair without a latest trade', cryptoSnapshots({ 'BTC/USD': { ...BTC_SNAPSHOT, latestTrade: null } })],
    ['a zero price', cryptoSnapshots({ 'BTC/USD': { ...BTC_SNAPSHOT, latestTrade: { ...btcTrade, p: 0 } } })],
    ['a garbled trade time', cryptoSnapshots({ 'BTC/USD': { ...BTC_SNAPSHOT, latestTrade: { ...btcTrade, t: 'soon' } } })],
  ])('fails transiently with providerData on a crypto answer with %s', async (_what, body) => {
    const { source } = await setup(json(body));
    const err = await rejection(source.fetchQuotes(['BTC/USD']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expectNoSecrets(err);
  });

  it('names the offending pair and field when a crypto snapshot is off', async () => {
    const body = cryptoSnapshots({ 'BTC/USD': { ...BTC_SNAPSHOT, latestTrade: { ...btcTrade, p: 'n/a' } } });
    const { source } = await setup(json(body));
    const err = await rejection(source.fetchQuotes(['BTC/USD']));
    expect((err as Error).message).toMatch(
      /^alpaca crypto snapshots response: snapshots\.BTC\/USD\.latestTrade\.p is invalid \(.+\); expected snapshots keyed by pair$/,
    );
  });

  it('fails transiently with providerTimeout when the crypto request answers after timeoutMs', async () => {
    const { source } = await setup((req, res) => {
      setTimeout(() => json(CRYPTO_SNAPSHOTS_BTC)(req, res), 3000).unref();
    }, { timeoutMs: 300 });
    const err = await rejection(source.fetchQuotes(['BTC/USD']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerTimeout,
      message: 'alpaca crypto snapshots: no answer within 300 ms',
    });
    expectNoSecrets(err);
  });

  it.each([
    ['an empty keyId', { keyId: '' }],
    ['an empty secretKey', { secretKey: '' }],
    ['a non-http baseUrl', { baseUrl: 'ftp://127.0.0.1' }],
    ['a zero timeoutMs', { timeoutMs: 0 }],
  ])('refuses %s with a ConfigError that holds no key', (_what, override) => {
    vi.stubEnv('APCA_API_KEY_ID', 'envKeyId');
    vi.stubEnv('APCA_API_SECRET_KEY', 'envSecret');
    const build = (): AlpacaMarketDataSource =>
      new AlpacaMarketDataSource({ keyId: KEY_ID, secretKey: SECRET, ...override });
    expect(build).toThrow(ConfigError);
    try {
      build();
    } catch (err) {
      expect(err).toMatchObject({ code: ErrorCode.config });
      expectNoSecrets(err);
    }
  });
});
