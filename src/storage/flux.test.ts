/**
 * queryRecentPrices against a local HTTP server playing InfluxDB 2.x's
 * `POST /api/v2/query`: it records each request and answers with
 * tests/fixtures/influx/flux-recent-prices.csv (annotated CSV written to the
 * documented format, not captured: see PROVENANCE.md beside it). The real
 * client (@influxdata/influxdb-client) does the HTTP and the CSV parsing.
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { InfluxDB } from '@influxdata/influxdb-client';
import { afterEach, describe, expect, it } from 'vitest';
import { listenLocal } from '../../tests/helpers/net.js';
import { StoreError } from './errors.js';
import { queryRecentPrices } from './flux.js';

const TOKEN = 'tok-8d0e4b2a91f3c657';
const ORG = 'market-intel';
const CSV = readFileSync(new URL('../../tests/fixtures/influx/flux-recent-prices.csv', import.meta.url), 'utf8');

/** The fixture's five rows, both tables merged oldest first (`_time` parsed to epoch ms, `_value` as is). */
const FIXTURE_PRICES = [
  { tsMs: Date.UTC(2023, 10, 14, 22, 13, 20, 123), price: 189.71 },
  { tsMs: Date.UTC(2023, 10, 14, 22, 13, 20, 124), price: 189.69 },
  { tsMs: Date.UTC(2023, 10, 14, 22, 13, 50, 500), price: 189.75 },
  { tsMs: Date.UTC(2023, 10, 14, 22, 14, 0, 0), price: 189.8 },
  { tsMs: Date.UTC(2023, 10, 14, 22, 14, 20, 1), price: 189.9 },
];

/** The Flux sent for `symbolLiteral` (already a Flux string literal) over the last hour of bucket "market". */
function fluxFor(symbolLiteral: string, bucketLiteral = '"market"'): string {
  return [
    `from(bucket: ${bucketLiteral})`,
    '  |> range(start: -1h)',
    `  |> filter(fn: (r) => r._measurement == "market_data" and r.symbol == ${symbolLiteral} and r._field == "price")`,
  ].join('\n');
}

type Recorded = { method: string; url: string; auth: string; contentType: string; body: unknown };

async function influxServer(reply: (res: ServerResponse) => void) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: req.headers.authorization ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(body) as unknown,
      });
      reply(res);
    });
  });
  return { ...(await listenLocal(server)), requests };
}

const answerCsv = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(CSV);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function started(reply: (res: ServerResponse) => void) {
  const server = await influxServer(reply);
  cleanups.push(server.close);
  return server;
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  if (!(err instanceof StoreError)) throw new Error('unreachable');
  return err;
}

describe('queryRecentPrices', () => {
  it('posts the Flux for the symbol price to /api/v2/query with the org and token, and returns both tables oldest first', async () => {
    const server = await started(answerCsv);
    const prices = await queryRecentPrices({ url: server.baseUrl, token: TOKEN, org: ORG }, 'market', 'AAPL', '1h');
    expect(prices).toEqual(FIXTURE_PRICES);
    expect(server.requests).toEqual([
      {
        method: 'POST',
        url: `/api/v2/query?org=${ORG}`,
        auth: `Token ${TOKEN}`,
        contentType: 'application/json; encoding=utf-8',
        // The client's request body: the query, its default CSV dialect and the query type.
        body: {
          query: fluxFor('"AAPL"'),
          dialect: { header: true, delimiter: ',', quoteChar: '"', commentPrefix: '#', annotations: ['datatype', 'group', 'default'] },
          type: 'flux',
        },
      },
    ]);
  });

  it('escapes quotes, backslashes and ${ in the symbol and bucket as Flux string literals', async () => {
    const server = await started(answerCsv);
    await queryRecentPrices({ url: server.baseUrl, token: TOKEN, org: ORG }, 'mar"ket', 'AA" or true or "\\${x}', '1h');
    expect(server.requests.map((r) => (r.body as { query: string }).query)).toEqual([
      fluxFor('"AA\\" or true or \\"\\\\\\${x}"', '"mar\\"ket"'),
    ]);
  });

  it("takes the caller's QueryApi", async () => {
    const server = await started(answerCsv);
    const queryApi = new InfluxDB({ url: server.baseUrl, token: TOKEN }).getQueryApi('other-org');
    expect(await queryRecentPrices(queryApi, 'market', 'AAPL', '1h')).toEqual(FIXTURE_PRICES);
    expect(server.requests.map((r) => [r.url, r.auth])).toEqual([['/api/v2/query?org=other-org', `Token ${TOKEN}`]]);
  });

  it('rejects a window that is not one Flux duration before sending anything', async () => {
    const server = await started(answerCsv);
    const err = await rejection(queryRecentPrices({ url: server.baseUrl, org: ORG }, 'market', 'AAPL', '1h) |> drop(columns: ["x"]'));
    expect(err).toMatchObject({ code: 'MI_STORE_REJECTED', transient: false });
    expect(err.message).toBe(
      'influx query failed: window "1h) |> drop(columns: ["x"]": expected a positive whole number and one unit of ms, s, m, h, d, w, mo or y, like 1h',
    );
    expect(server.requests).toEqual([]);
  });

  it('rejects a 400 as not transient with the server message', async () => {
    // InfluxDB's documented error body for /api/v2/query: {"code","message"}.
    const server = await started((res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"invalid","message":"compilation failed: error at @1:1-1:5"}'));
    const err = await rejection(queryRecentPrices({ url: server.baseUrl, token: TOKEN, org: ORG }, 'market', 'AAPL', '1h'));
    expect(err).toMatchObject({ code: 'MI_STORE_REJECTED', transient: false, message: 'influx query failed: HTTP 400: compilation failed: error at @1:1-1:5' });
  });

  it('rejects as unavailable (transient) when nothing listens, without the token', async () => {
    const err = await rejection(queryRecentPrices({ url: 'http://127.0.0.1:1', token: TOKEN, org: ORG }, 'market', 'AAPL', '1h'));
    expect(err).toMatchObject({ code: 'MI_STORE_UNAVAILABLE', transient: true, message: 'influx query failed: no answer from the server (ECONNREFUSED)' });
    expect(err.message).not.toContain(TOKEN);
  });
});
