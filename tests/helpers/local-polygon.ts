import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { listenLocal } from './net.js';

/**
 * Recorded Polygon single-ticker snapshot for AAPL (2022-04-29), see
 * tests/fixtures/vendors/PROVENANCE.md. The batched endpoint answers
 * `{status, count, tickers:[…]}`: this stand-in wraps the recorded `ticker`
 * object in that envelope.
 */
const SNAPSHOT: { ticker: unknown } = JSON.parse(
  readFileSync(new URL('../fixtures/vendors/polygon/snapshot-stocks-AAPL.json', import.meta.url), 'utf8'),
);

/** AAPL's last trade in the recording: 159.99 at 1651251948294 ms (2022-04-29T17:05:48.294Z). */
export const POLYGON_AAPL = { price: 159.99, tsMs: 1_651_251_948_294 } as const;

/** A local stand-in for api.polygon.io serving the recorded snapshot for the batched endpoint. */
export async function startPolygon(): Promise<{ baseUrl: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push((req.url ?? '').replace(/apiKey=[^&]*/, 'apiKey=<key>'));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/v2/snapshot/locale/us/markets/stocks/tickers') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'OK', count: 1, tickers: [SNAPSHOT.ticker] }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"status":"NOT_FOUND"}');
    }
  });
  return { ...(await listenLocal(server)), paths };
}
