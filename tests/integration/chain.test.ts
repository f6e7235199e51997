import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSymbol, type WatchedSymbol } from '../../src/domain/index.js';
import { QuoteFetcher, type FetchEvent } from '../../src/market/fetcher.js';
import { PolygonMarketDataSource } from '../../src/market/sources/polygon/index.js';
import { YahooMarketDataSource } from '../../src/market/sources/yahoo/index.js';
import { POLYGON_AAPL, startPolygon } from '../helpers/local-polygon.js';
import { QUOTE_AAPL, json, startYahoo, type LocalYahoo, type Route } from '../helpers/local-yahoo.js';

/** The chain's clock: one minute after Polygon's recorded AAPL trade, so that quote is fresh. */
const NOW = POLYGON_AAPL.tsMs + 60_000;
const AAPL = [parseSymbol('AAPL')].filter((s): s is WatchedSymbol => s !== undefined);

/** The recorded Yahoo AAPL quote with some fields changed (the fault under test). */
function yahooQuote(changes: Record<string, unknown>): string {
  const body = JSON.parse(QUOTE_AAPL) as { quoteResponse: { result: Record<string, unknown>[] } };
  const [entry] = body.quoteResponse.result;
  Object.assign(entry ?? {}, changes);
  return JSON.stringify(body);
}

const hang: Route = () => undefined;

const faults: readonly (readonly [string, Route, string])[] = [
  ['returns 500', json('{"finance":{"error":"boom"}}', 500), 'http_error'],
  ['times out', hang, 'timeout'],
  ['returns malformed JSON', json('{"quoteResponse":{"result":[{"symbol":'), 'bad_data'],
  ['returns an empty result', json('{"quoteResponse":{"result":[],"error":null}}'), 'unknown_symbol'],
  ['returns a stale quote', json(yahooQuote({ regularMarketTime: (NOW - 86_400_000) / 1000 })), 'stale_timestamp'],
  ['returns a crossed book', json(yahooQuote({ regularMarketTime: (NOW - 10_000) / 1000, bid: 160.5, ask: 160.1 })), 'crossed_book'],
];

let servers: { close(): Promise<void> }[] = [];
const realFetch = globalThis.fetch;
const escaped: string[] = [];

beforeEach(() => {
  // Any request that is not for 127.0.0.1 fails the test (polygon's axios is checked by its server log).
  vi.stubGlobal('fetch', (input: unknown, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).hostname !== '127.0.0.1') {
      escaped.push(url);
      return Promise.reject(new Error(`left 127.0.0.1: ${url}`));
    }
    return realFetch(url, init);
  });
});

afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  expect(escaped).toEqual([]);
});

async function chainWith(yahooRoute: Route): Promise<{ fetcher: QuoteFetcher; events: FetchEvent[]; yahoo: LocalYahoo; polygonPaths: string[] }> {
  const yahoo = await startYahoo(yahooRoute);
  const polygon = await startPolygon();
  servers.push(yahoo, polygon);
  const events: FetchEvent[] = [];
  const fetcher = new QuoteFetcher({
    sources: [
      new YahooMarketDataSource({ baseUrl: yahoo.baseUrl, fetch: (u, i) => globalThis.fetch(u, i) }),
      new PolygonMarketDataSource({ apiKey: 'TESTKEY', baseUrl: polygon.baseUrl }),
    ],
    clock: { nowMs: () => NOW },
    maxQuoteAgeS: 900,
    resilience: { retries: 0, timeoutMs: 400 },
    onEvent: (e) => events.push(e),
  });
  return { fetcher, events, yahoo, polygonPaths: polygon.paths };
}

describe('the provider chain with real clients on 127.0.0.1', () => {
  it.each(faults)('when Yahoo %s, Polygon serves and the reason is recorded', async (_name, route, reason) => {
    const { fetcher, events, polygonPaths } = await chainWith(route);
    const result = await fetcher.fetch(AAPL);
    expect(result.quotes).toEqual([{ symbol: 'AAPL', price: 159.99, bid: 159.98, ask: 159.99, volume: 68_840_127, tsMs: POLYGON_AAPL.tsMs, source: 'polygon' }]);
    expect(result.failures).toEqual([]);
    const recorded = events.filter((e) => (e.kind === 'failure' || e.kind === 'reject') && e.source === 'yahoo');
    expect(recorded.map((e) => (e.kind === 'failure' || e.kind === 'reject' ? e.reason : ''))).toEqual([reason]);
    expect(polygonPaths).toEqual(['/v2/snapshot/locale/us/markets/stocks/tickers?apiKey=<key>&tickers=AAPL']);
    await fetcher.close();
  });

  it('takes Yahoo when it serves a fresh quote, and never asks Polygon', async () => {
    const { fetcher, polygonPaths } = await chainWith(json(yahooQuote({ regularMarketTime: (NOW - 5_000) / 1000 })));
    const result = await fetcher.fetch(AAPL);
    // The recorded Yahoo price, 244.6, with the time moved next to the clock.
    expect(result.quotes.map((q) => [q.price, q.source, q.tsMs])).toEqual([[244.6, 'yahoo', NOW - 5_000]]);
    expect(polygonPaths).toEqual([]);
    await fetcher.close();
  });
});
