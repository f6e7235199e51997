import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './net.js';

// Recorded live v7 quote for AAPL (2025-02-14 close), see tests/fixtures/vendors/PROVENANCE.md.
export const QUOTE_AAPL = readFileSync(
  new URL('../fixtures/vendors/yahoo/quote-AAPL.json', import.meta.url),
  'utf8',
);
export const CRUMB = 'fixtureCrumb';
const COOKIE = 'A3=d=fixtureCookie';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;
export type LocalYahoo = { readonly baseUrl: string; readonly paths: string[]; close(): Promise<void> };

export const json =
  (body: string, status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

/**
 * A local stand-in for every Yahoo host: the cookie page, the crumb endpoint
 * (both checked like Yahoo would) and `/v7/finance/quote` answered by `quote`.
 */
export async function startYahoo(quote: Route): Promise<LocalYahoo> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hasCookie = (req.headers.cookie ?? '').includes(COOKIE);
    paths.push(req.url ?? '');
    if (url.pathname === '/quote/AAPL') {
      res.writeHead(200, {
        'content-type': 'text/html',
        'set-cookie': `${COOKIE}; Max-Age=31557600; Domain=.yahoo.com; Path=/; Secure`,
      });
      res.end('<html></html>');
    } else if (url.pathname === '/v1/test/getcrumb' && hasCookie) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(CRUMB);
    } else if (url.pathname === '/v7/finance/quote' && hasCookie && url.searchParams.get('crumb') === CRUMB) {
      quote(req, res);
    } else {
      json('{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}', 401)(req, res);
    }
  });
  return { ...(await listenLocal(server)), paths };
}

