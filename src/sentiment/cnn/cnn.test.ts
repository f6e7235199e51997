import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, ErrorCode, PermanentError, TransientError } from '../../domain/index.js';
import { CnnSentimentSource, type CnnSentimentSourceOptions } from './index.js';
import { listenLocal } from '../../../tests/helpers/net.js';

// Live graphdata bodies, see tests/fixtures/vendors/PROVENANCE.md (cnn/).
const fixture = (name: string): string =>
  readFileSync(new URL(`../../../tests/fixtures/vendors/cnn/${name}`, import.meta.url), 'utf8');
const GRAPHDATA_2022 = fixture('graphdata-2022-04-25.json');
const GRAPHDATA_2024 = fixture('graphdata-2024-02-09.json');
const PATH = '/index/fearandgreed/graphdata';
const TEAPOT = "I'm a teapot. You're a bot.";

type Route = (req: IncomingMessage, res: ServerResponse) => void;
type Seen = { readonly url: string; readonly headers: IncomingHttpHeaders };
type LocalCnn = { readonly baseUrl: string; readonly seen: Seen[]; close(): Promise<void> };
type CnnBody = Record<string, Record<string, unknown>> & {
  fear_and_greed: Record<string, unknown>;
  fear_and_greed_historical: { data: Record<string, unknown>[] };
};

const json =
  (body: string, status = 200, type = 'application/json'): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

/** The 2022-04-25 body with one change made by the test (not a recording). */
function edited(change: (body: CnnBody) => void): string {
  const body = JSON.parse(GRAPHDATA_2022) as CnnBody;
  change(body);
  return JSON.stringify(body);
}

/**
 * A stand-in for production.dataviz.cnn.io on 127.0.0.1. Like CNN's edge, it
 * answers 418 to any User-Agent that is not a desktop browser's, before routing.
 */
async function startCnn(route: Route): Promise<LocalCnn> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (!/^Mozilla\/5\.0 \(.+\) .*(Chrome|Firefox|Safari)\//.test(req.headers['user-agent'] ?? '')) {
      json(TEAPOT, 418, 'text/plain')(req, res);
    } else if (req.url !== PATH) {
      json('{"message":"not found"}', 404)(req, res);
    } else {
      route(req, res);
    }
  });
  return { ...(await listenLocal(server)), seen };
}

const realFetch = globalThis.fetch;
let servers: LocalCnn[] = [];
let fetched: string[] = [];

/** Stands in for global fetch: records every URL and refuses anything but 127.0.0.1. */
const guardedFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  fetched.push(url);
  if (new URL(url).hostname !== '127.0.0.1') return Promise.reject(new Error(`test tried to leave 127.0.0.1: ${url}`));
  return realFetch(input, init);
};

async function setup(route: Route, options: CnnSentimentSourceOptions = {}): Promise<{ cnn: LocalCnn; source: CnnSentimentSource }> {
  const cnn = await startCnn(route);
  servers.push(cnn);
  return { cnn, source: new CnnSentimentSource({ baseUrl: cnn.baseUrl, ...options }) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('CnnSentimentSource', () => {
  beforeEach(() => {
    servers = [];
    fetched = [];
    vi.stubGlobal('fetch', guardedFetch);
  });

  afterEach(async () => {
    vi.unstubAllGlobals();
    await Promise.all(servers.map((s) => s.close()));
    const bases = servers.map((s) => s.baseUrl);
    for (const url of fetched) expect(bases.some((base) => url.startsWith(`${base}/`))).toBe(true);
  });

  it('reads the 2022-04-25 recording: 30.8254 fear, 269 daily points and nine sub-indicators', async () => {
    const { cnn, source } = await setup(json(GRAPHDATA_2022));
    const reading = await source.fetch();
    // graphdata-2022-04-25.json: fear_and_greed {score 30.8254, rating "fear",
    // timestamp "2022-04-25T16:21:09.254000+00:00" = 1650903669254 ms}.
    expect(reading).toMatchObject({ value: 30.8254, label: 'fear', tsMs: 1650903669254, source: 'cnn', market: 'equity' });
    expect(reading.history).toHaveLength(269);
    // fear_and_greed_historical.data[0] and data[268].
    expect(reading.history[0]).toEqual({ value: 51.03333333333334, label: 'neutral', tsMs: 1619395200000 });
    expect(reading.history[268]).toEqual({ value: 30.8254, label: 'fear', tsMs: 1650903669254 });
    // Each series' top-level `score`.
    expect(reading.indicators).toEqual({
      market_momentum_sp500: 1.2,
      market_momentum_sp125: 1.2,
      stock_price_strength: 36.4729,
      stock_price_breadth: 60.1202,
      put_call_options: 16.4329,
      market_volatility_vix: 28.2051,
      market_volatility_vix_50: 28.2051,
      junk_bond_demand: 19.2385,
      safe_haven_demand: 55.9118,
    });
    expect(cnn.seen.map((s) => s.url)).toEqual([PATH]);
    // It got past the stand-in's bot filter with a desktop browser's User-Agent.
    expect(cnn.seen[0]?.headers['user-agent']).toMatch(/^Mozilla\/5\.0 \(Windows NT 10\.0; Win64; x64\) .*Chrome\//);
    expect(cnn.seen[0]?.headers.accept).toBe('application/json');
    expect(fetched).toEqual([`${cnn.baseUrl}${PATH}`]);
    expect([source.name, source.market]).toEqual(['cnn', 'equity']);
  });

  it('reads the 2024-02-09 recording: 77.8 extreme greed and 252 daily points', async () => {
    const { source } = await setup(json(GRAPHDATA_2024));
    const reading = await source.fetch();
    // graphdata-2024-02-09.json: score 77.8, "extreme greed", "2024-02-09T23:59:52+00:00".
    expect(reading).toMatchObject({ value: 77.8, label: 'extreme greed', tsMs: 1707523192000 });
    expect(reading.history).toHaveLength(252);
    expect(reading.history[0]).toEqual({ value: 72.4857142857143, label: 'greed', tsMs: 1675987200000 });
    expect(reading.history[251]).toEqual({ value: 77.8, label: 'extreme greed', tsMs: 1707523192000 });
    expect(reading.indicators?.put_call_options).toBe(95);
    expect(reading.indicators?.safe_haven_demand).toBe(99.2);
  });

  it('keeps the history oldest first, one point per served day', async () => {
    const { source } = await setup(json(GRAPHDATA_2022));
    const times = (await source.fetch()).history.map((p) => p.tsMs);
    for (let i = 1; i < times.length; i += 1) expect(times[i]).toBeGreaterThan(times[i - 1] ?? Infinity);
    // 2021-04-26 first; the last two are 2022-04-25 00:00 UTC and that day's latest value.
    expect(new Date(times[0] ?? 0).toISOString()).toBe('2021-04-26T00:00:00.000Z');
    expect(times.slice(-2)).toEqual([1650844800000, 1650903669254]);
  });

  it('gets 418 from the local CNN stand-in without a browser User-Agent, so the header check is real', async () => {
    const { cnn } = await setup(json(GRAPHDATA_2022));
    const variants: Record<string, string>[] = [{}, { 'user-agent': 'curl/8.5.0' }, { 'user-agent': 'python-requests/2.31.0' }];
    for (const headers of variants) {
      const response = await fetch(`${cnn.baseUrl}${PATH}`, { headers });
      expect(response.status).toBe(418);
      expect(await response.text()).toBe(TEAPOT);
    }
  });

  it.each([
    [418, TransientError],
    [429, TransientError],
    [500, TransientError],
    [503, TransientError],
    [403, PermanentError],
    [404, PermanentError],
  ])('maps HTTP %i to %o with providerHttp', async (status, type) => {
    const { source } = await setup(json(status === 418 ? TEAPOT : '{"message":"error"}', status));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `cnn ${PATH}: HTTP ${status}, expected 2xx` });
  });

  it('fails transiently with providerData on an HTML page served with 200', async () => {
    const { source } = await setup(json('<!DOCTYPE html><html><body>Access denied</body></html>', 200, 'text/html'));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerData,
      message: `cnn ${PATH}: body is HTML (content-type "text/html"), expected JSON`,
    });
  });

  it.each([
    ['malformed JSON', GRAPHDATA_2022.slice(0, 500)],
    ['a NaN literal', GRAPHDATA_2022.replace('"score": 30.8254', '"score": NaN')],
  ])('fails transiently with providerData on %s', async (_what, body) => {
    const { source } = await setup(json(body));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expect((err as Error).message).toMatch(new RegExp(`^cnn ${PATH}: body is not valid JSON \\(.+\\), expected JSON$`));
  });

  it.each([
    ['an infinite score (1e999)', GRAPHDATA_2022.replace('"score": 30.8254', '"score": 1e999'), 'fear_and_greed.score Infinity'],
    ['a score above 100', edited((b) => void (b.fear_and_greed.score = 100.5)), 'fear_and_greed.score 100.5'],
    ['a negative score', edited((b) => void (b.fear_and_greed.score = -0.1)), 'fear_and_greed.score -0.1'],
    ['a score as text', edited((b) => void (b.fear_and_greed.score = 'NaN')), 'fear_and_greed.score "NaN"'],
    ['no score', edited((b) => void delete b.fear_and_greed.score), 'fear_and_greed.score missing'],
    ['a garbled timestamp', edited((b) => void (b.fear_and_greed.timestamp = 'soon')), 'fear_and_greed.timestamp "soon"'],
    ['no current value', edited((b) => void delete (b as Partial<CnnBody>).fear_and_greed), 'fear_and_greed missing'],
    ['a history value above 100', edited((b) => void (b.fear_and_greed_historical.data[3]!.y = 150)), 'fear_and_greed_historical.data.3.y 150'],
    ['a history value as text', edited((b) => void (b.fear_and_greed_historical.data[0]!.y = 'abc')), 'fear_and_greed_historical.data.0.y "abc"'],
    ['a history time as text', edited((b) => void (b.fear_and_greed_historical.data[0]!.x = 'today')), 'fear_and_greed_historical.data.0.x "today"'],
    ['a sub-indicator score above 100', edited((b) => void (b.put_call_options!.score = 120)), 'put_call_options.score 120'],
    ['JSON null', 'null', 'body null'],
  ])('fails transiently with providerData on %s, quoting the field and value', async (_what, body, quoted) => {
    const { source } = await setup(json(body));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expect((err as Error).message.startsWith(`cnn graphdata response: ${quoted} is invalid (`)).toBe(true);
  });

  it("falls back to the score's band when CNN's rating is unknown or absent", async () => {
    const body = edited((b) => {
      b.fear_and_greed.rating = 'Panic';
      delete b.fear_and_greed_historical.data[0]!.rating;
    });
    const reading = await (await setup(json(body))).source.fetch();
    // 30.8254 is in [25, 45): fear; data[0].y 51.0333 is in [45, 55]: neutral.
    expect(reading.label).toBe('fear');
    expect(reading.history[0]?.label).toBe('neutral');
  });

  it("keeps CNN's rating when it names one of the five bands", async () => {
    const body = edited((b) => void (b.fear_and_greed.rating = 'Extreme Greed'));
    expect((await (await setup(json(body))).source.fetch()).label).toBe('extreme greed');
  });

  it('leaves out sub-indicators without a score', async () => {
    const body = edited((b) => {
      b.junk_bond_demand!.score = null;
      delete b.safe_haven_demand;
    });
    const indicators = (await (await setup(json(body))).source.fetch()).indicators ?? {};
    expect(Object.keys(indicators)).toHaveLength(7);
    expect(indicators).not.toHaveProperty('junk_bond_demand');
    expect(indicators).not.toHaveProperty('safe_haven_demand');
  });

  it('fails transiently with providerTimeout when the server answers after timeoutMs', async () => {
    const { source } = await setup((req, res) => void setTimeout(() => json(GRAPHDATA_2022)(req, res), 3000).unref(), {
      timeoutMs: 300,
    });
    const started = performance.now();
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerTimeout, message: 'cnn graphdata: no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('fails transiently with providerTimeout when the body stalls after the headers', async () => {
    const { source } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(GRAPHDATA_2022.slice(0, 1000));
    }, { timeoutMs: 300 });
    expect(await rejection(source.fetch())).toMatchObject({ code: ErrorCode.providerTimeout });
  });

  it('fails transiently with providerHttp when the connection is reset', async () => {
    const { source } = await setup((req) => req.socket.destroy());
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `cnn ${PATH}: network error` });
  });

  it('does not follow a redirect away from the base URL', async () => {
    const { cnn, source } = await setup((_req, res) => {
      res.writeHead(302, { location: 'https://edition.cnn.com/markets/fear-and-greed' });
      res.end();
    });
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `cnn ${PATH}: HTTP 302, expected 2xx` });
    expect(cnn.seen).toHaveLength(1);
  });

  it("rethrows the caller's abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { source } = await setup(() => controller.abort(reason));
    await expect(source.fetch(controller.signal)).rejects.toBe(reason);
  });

  it('asks production.dataviz.cnn.io by default, through the fetch option', async () => {
    const cnn = await startCnn(json(GRAPHDATA_2024));
    servers.push(cnn);
    const asked: string[] = [];
    // Sends the request to the local server instead; the adapter's headers go along.
    const toLocal: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      asked.push(url.href);
      return realFetch(`${cnn.baseUrl}${url.pathname}${url.search}`, init);
    };
    expect((await new CnnSentimentSource({ fetch: toLocal }).fetch()).value).toBe(77.8);
    expect(asked).toEqual(['https://production.dataviz.cnn.io/index/fearandgreed/graphdata']);
  });

  it('accepts a base URL with a trailing slash', async () => {
    const { cnn } = await setup(json(GRAPHDATA_2024));
    await new CnnSentimentSource({ baseUrl: `${cnn.baseUrl}/` }).fetch();
    expect(cnn.seen.map((s) => s.url)).toEqual([PATH]);
  });

  it.each([
    ['a non-http baseUrl', { baseUrl: 'ftp://127.0.0.1' }],
    ['a zero timeoutMs', { timeoutMs: 0 }],
    ['a fractional timeoutMs', { timeoutMs: 1.5 }],
  ])('refuses %s with a ConfigError', (_what, options) => {
    expect(() => new CnnSentimentSource(options)).toThrow(ConfigError);
  });
});
