import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, ErrorCode, PermanentError, TransientError } from '../../domain/index.js';
import { AlternativeMeSentimentSource, type AlternativeMeSentimentSourceOptions } from './index.js';
import { listenLocal } from '../../../tests/helpers/net.js';

// Live `curl` output of GET /fng/?limit=N, see tests/fixtures/vendors/PROVENANCE.md (alternative-me/).
const fixture = (name: string): string =>
  readFileSync(new URL(`../../../tests/fixtures/vendors/alternative-me/${name}`, import.meta.url), 'utf8');
const FNG_2026_07_09 = fixture('fng-limit2-2026-07-09.json');
const FNG_2026_07_11 = fixture('fng-limit2-2026-07-11.json');
const FNG_2026_09_15 = fixture('fng-limit8-2026-09-15.json');
const DAY_MS = 86_400_000;

type Route = (req: IncomingMessage, res: ServerResponse) => void;
type Seen = { readonly url: string; readonly headers: IncomingHttpHeaders };
type LocalAltMe = { readonly baseUrl: string; readonly seen: Seen[]; close(): Promise<void> };
type FngBody = { name: string; data: Record<string, unknown>[]; metadata: { error: unknown } };

const json =
  (body: string, status = 200, type = 'application/json'): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

/** The 2026-07-09 body with one change made by the test (not a recording). */
function edited(change: (body: FngBody) => void): string {
  const body = JSON.parse(FNG_2026_07_09) as FngBody;
  change(body);
  return JSON.stringify(body);
}

/** A stand-in for api.alternative.me on 127.0.0.1 that logs every request; only /fng/ exists. */
async function startAltMe(route: Route): Promise<LocalAltMe> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === '/fng/') route(req, res);
    else json('{"error":"not found"}', 404)(req, res);
  });
  return { ...(await listenLocal(server)), seen };
}

const realFetch = globalThis.fetch;
let servers: LocalAltMe[] = [];
let fetched: string[] = [];

/** Stands in for global fetch: records every URL and refuses anything but 127.0.0.1. */
const guardedFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  fetched.push(url);
  if (new URL(url).hostname !== '127.0.0.1') return Promise.reject(new Error(`test tried to leave 127.0.0.1: ${url}`));
  return realFetch(input, init);
};

async function setup(
  route: Route,
  options: AlternativeMeSentimentSourceOptions = {},
): Promise<{ altme: LocalAltMe; source: AlternativeMeSentimentSource }> {
  const altme = await startAltMe(route);
  servers.push(altme);
  return { altme, source: new AlternativeMeSentimentSource({ baseUrl: altme.baseUrl, ...options }) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('AlternativeMeSentimentSource', () => {
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

  it('reads the 2026-07-09 recording: 22 extreme fear, history oldest first', async () => {
    const { altme, source } = await setup(json(FNG_2026_07_09), { limit: 2 });
    // fng-limit2-2026-07-09.json: data[0] {"22", "Extreme Fear", "1783555200"}, data[1] {"20", …, "1783468800"}.
    expect(await source.fetch()).toEqual({
      value: 22,
      label: 'extreme fear',
      tsMs: 1783555200_000,
      source: 'alternative.me',
      market: 'crypto',
      history: [
        { value: 20, label: 'extreme fear', tsMs: 1783468800_000 },
        { value: 22, label: 'extreme fear', tsMs: 1783555200_000 },
      ],
    });
    expect(new Date(1783555200_000).toISOString()).toBe('2026-07-09T00:00:00.000Z');
    expect(altme.seen.map((s) => s.url)).toEqual(['/fng/?limit=2&format=json']);
    expect(altme.seen[0]?.headers.accept).toBe('application/json');
    expect(fetched).toEqual([`${altme.baseUrl}/fng/?limit=2&format=json`]);
    expect([source.name, source.market]).toEqual(['alternative.me', 'crypto']);
  });

  it('reads the 2026-07-11 recording: 26 fear after 23 extreme fear', async () => {
    const { source } = await setup(json(FNG_2026_07_11), { limit: 2 });
    // fng-limit2-2026-07-11.json: data[0] {"26", "Fear", "1783728000"}, data[1] {"23", "Extreme Fear", "1783641600"}.
    const reading = await source.fetch();
    expect(reading).toMatchObject({ value: 26, label: 'fear', tsMs: 1783728000_000 });
    expect(reading.history).toEqual([
      { value: 23, label: 'extreme fear', tsMs: 1783641600_000 },
      { value: 26, label: 'fear', tsMs: 1783728000_000 },
    ]);
  });

  it('reads the 2026-09-15 recording: eight daily values, oldest first', async () => {
    const { altme, source } = await setup(json(FNG_2026_09_15), { limit: 8 });
    const reading = await source.fetch();
    // fng-limit8-2026-09-15.json: data[0] {"69", "Greed", "1789430400"} (2026-09-15); data[7] "1788825600" (2026-09-08).
    expect(reading).toMatchObject({ value: 69, label: 'greed', tsMs: 1789430400_000 });
    // data[7..0]: values "69" "66" "69" "56" "63" "61" "57" "69", all "Greed", one day apart.
    expect(reading.history.map((p) => p.value)).toEqual([69, 66, 69, 56, 63, 61, 57, 69]);
    expect(reading.history.map((p) => p.label)).toEqual(Array(8).fill('greed'));
    expect(reading.history.map((p) => p.tsMs)).toEqual(Array.from({ length: 8 }, (_, i) => 1788825600_000 + i * DAY_MS));
    expect(altme.seen.map((s) => s.url)).toEqual(['/fng/?limit=8&format=json']);
  });

  it('asks for 30 days by default', async () => {
    const { altme, source } = await setup(json(FNG_2026_09_15));
    await source.fetch();
    expect(altme.seen.map((s) => s.url)).toEqual(['/fng/?limit=30&format=json']);
  });

  it('fails transiently with providerData naming the text of a metadata.error sent with HTTP 200', async () => {
    // Test-made body in the API's error form: empty data, the message in metadata.error.
    const body = '{"name":"Fear and Greed Index","data":[],"metadata":{"error":"Limit must be a number"}}';
    const { source } = await setup(json(body));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({
      code: ErrorCode.providerData,
      message: 'alternative.me fng response: metadata.error "Limit must be a number", expected null',
    });
  });

  it('reports a metadata.error even when data is present', async () => {
    const { source } = await setup(json(edited((b) => void (b.metadata.error = 'Rate limited'))));
    const err = await rejection(source.fetch());
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expect((err as Error).message).toContain('"Rate limited"');
  });

  it.each([
    ['a value "abc"', edited((b) => void (b.data[0]!.value = 'abc')), 'data.0.value "abc"'],
    ['a value "NaN"', edited((b) => void (b.data[1]!.value = 'NaN')), 'data.1.value "NaN"'],
    ['an empty value', edited((b) => void (b.data[0]!.value = '')), 'data.0.value ""'],
    ['a value above 100', edited((b) => void (b.data[0]!.value = '101')), 'data.0.value 101'],
    ['a negative value', edited((b) => void (b.data[0]!.value = '-5')), 'data.0.value "-5"'],
    ['an infinite value (1e999)', FNG_2026_07_09.replace('"value": "22"', '"value": 1e999'), 'data.0.value "Infinity"'],
    ['a timestamp "soon"', edited((b) => void (b.data[0]!.timestamp = 'soon')), 'data.0.timestamp "soon"'],
    ['no timestamp', edited((b) => void delete b.data[0]!.timestamp), 'data.0.timestamp missing'],
    ['an empty data list', edited((b) => void (b.data = [])), 'data []'],
    ['no data', '{"name":"Fear and Greed Index","metadata":{"error":null}}', 'data missing'],
  ])('fails transiently with providerData on %s, never NaN', async (_what, body, quoted) => {
    const { source } = await setup(json(body));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expect((err as Error).message.startsWith(`alternative.me fng response: ${quoted} is invalid (`)).toBe(true);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Bad gateway</body></html>', 'text/html', /body is HTML \(content-type "text\/html"\)/],
    ['malformed JSON', FNG_2026_07_09.slice(0, 60), 'application/json', /body is not valid JSON \(.+\), expected JSON$/],
  ])('fails transiently with providerData on %s served with 200', async (_what, body, type, message) => {
    const { source } = await setup(json(body, 200, type));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerData });
    expect((err as Error).message).toMatch(message);
  });

  it("falls back to the value's band when the classification is unknown or absent", async () => {
    const body = edited((b) => {
      b.data[0]!.value_classification = 'Mildly Anxious';
      delete b.data[1]!.value_classification;
      b.data[1]!.value = '50';
    });
    const reading = await (await setup(json(body))).source.fetch();
    // 22 is below 25: extreme fear; 50 is in [45, 55]: neutral.
    expect(reading.label).toBe('extreme fear');
    expect(reading.history.map((p) => p.label)).toEqual(['neutral', 'extreme fear']);
  });

  it.each([
    [404, PermanentError],
    [403, PermanentError],
    [429, TransientError],
    [500, TransientError],
    [503, TransientError],
  ])('maps HTTP %i to %o with providerHttp', async (status, type) => {
    const { source } = await setup(json('{"error":"nope"}', status));
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: `alternative.me /fng/: HTTP ${status}, expected 2xx` });
  });

  it('fails transiently with providerTimeout when the server answers after timeoutMs', async () => {
    const { source } = await setup((req, res) => void setTimeout(() => json(FNG_2026_07_09)(req, res), 3000).unref(), {
      timeoutMs: 300,
    });
    const started = performance.now();
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerTimeout, message: 'alternative.me fng: no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('fails transiently with providerHttp when the connection is reset', async () => {
    const { source } = await setup((req) => req.socket.destroy());
    const err = await rejection(source.fetch());
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: ErrorCode.providerHttp, message: 'alternative.me /fng/: network error' });
  });

  it("rethrows the caller's abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { source } = await setup(() => controller.abort(reason));
    await expect(source.fetch(controller.signal)).rejects.toBe(reason);
  });

  it('asks api.alternative.me by default, through the fetch option', async () => {
    const altme = await startAltMe(json(FNG_2026_07_11));
    servers.push(altme);
    const asked: string[] = [];
    // Sends the request to the local server instead.
    const toLocal: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      asked.push(url.href);
      return realFetch(`${altme.baseUrl}${url.pathname}${url.search}`, init);
    };
    expect((await new AlternativeMeSentimentSource({ fetch: toLocal }).fetch()).value).toBe(26);
    expect(asked).toEqual(['https://api.alternative.me/fng/?limit=30&format=json']);
  });

  it.each([
    ['a non-http baseUrl', { baseUrl: 'file:///tmp' }],
    ['a zero timeoutMs', { timeoutMs: 0 }],
    ['a zero limit (the API would send all history)', { limit: 0 }],
    ['a fractional limit', { limit: 2.5 }],
  ])('refuses %s with a ConfigError', (_what, options) => {
    expect(() => new AlternativeMeSentimentSource(options)).toThrow(ConfigError);
  });
});
