import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, ErrorCode, PermanentError, TransientError } from '../../../domain/index.js';
import { AlpacaMarketDataSource, type AlpacaMarketDataSourceOptions } from './index.js';

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

const KEY_ID = 'PKFIXTUREKEYID0000001';
const SECRET = 'fixtureSecretKey-never-in-messages-42';
const SNAPSHOTS_PATH = '/v2/stocks/snapshots';

type Route = (req: IncomingMessage, res: ServerResponse) => void;
type Seen = { readonly url: string; readonly headers: IncomingHttpHeaders };
type LocalAlpaca = { readonly baseUrl: string; readonly seen: Seen[]; close(): Promise<void> };

const json =
  (body: string, status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

/** A stand-in for data.alpaca.markets on 127.0.0.1 that logs every request. */
async function startAlpaca(route: Route): Promise<LocalAlpaca> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
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
    expect(source.assetClasses).toEqual(['equity']);
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

  it('answers an empty or crypto-only symbol list without a request', async () => {
    const { alpaca, source } = await setup(json(SNAPSHOTS_AAPL));
    expect(await source.fetchQuotes([])).toEqual([]);
    expect(await source.fetchQuotes(['BTC/USD'])).toEqual([]);
    expect(alpaca.seen).toEqual([]);
    await source.close();
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
