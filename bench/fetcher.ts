/**
 * Fetcher benchmark: what the provider chain (edge validation, breaker,
 * retry and timeout policies, events) costs on top of the raw HTTP call.
 *
 *   node --import tsx bench/fetcher.ts [rounds]     (default 200)
 *
 * A local server answers Yahoo's v7 quote endpoint for 500 symbols at once
 * (the recorded AAPL entry cloned per symbol, timestamps near now), so one
 * round = one batched request for 500 symbols. Figures, one JSON line each:
 * - fetcher.raw: YahooMarketDataSource.fetchQuotes alone (HTTP + parse);
 * - fetcher.chain: the same through QuoteFetcher; overheadMsPerSymbol =
 *   (chain − raw) / 500 per round. Target: < 1 ms per symbol;
 * - fetcher.oneDown: Polygon first in the chain, answering 500 at once, then
 *   Yahoo, with the default policies (one retry, breaker after 5 failures):
 *   the first rounds pay the failed calls, then the open breaker skips it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseSymbol, type WatchedSymbol } from '../src/domain/index.js';
import { QuoteFetcher } from '../src/market/fetcher.js';
import { PolygonMarketDataSource } from '../src/market/sources/polygon/index.js';
import { YahooMarketDataSource } from '../src/market/sources/yahoo/index.js';
import { QUOTE_AAPL, startYahoo } from '../tests/helpers/local-yahoo.js';

const SYMBOLS = 500;
const rounds = Number(process.argv[2] ?? process.env['BENCH_FETCHER_ROUNDS'] ?? 200);
const watched = Array.from({ length: SYMBOLS }, (_, i) => parseSymbol(`S${i}`)).filter((s): s is WatchedSymbol => s !== undefined);
const names = watched.map((s) => s.symbol);

/** 500 quote entries: the recorded AAPL one, renamed and stamped a second ago. */
function quoteBody(): string {
  const recorded = JSON.parse(QUOTE_AAPL) as { quoteResponse: { result: Record<string, unknown>[] } };
  const [entry] = recorded.quoteResponse.result;
  const nowS = Math.floor(Date.now() / 1000) - 1;
  const result = names.map((symbol) => ({ ...entry, symbol, regularMarketTime: nowS }));
  return JSON.stringify({ quoteResponse: { result, error: null } });
}

function serveQuotes(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(quoteBody());
}

async function timeRounds(label: string, once: () => Promise<number>): Promise<number> {
  for (let i = 0; i < 5; i += 1) await once();
  let quotes = 0;
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) quotes += await once();
  const ms = performance.now() - started;
  const msPerRound = ms / rounds;
  console.log(JSON.stringify({ bench: label, symbols: SYMBOLS, rounds, quotes, quotesPerSec: Math.round(quotes / (ms / 1000)), msPerRound: +msPerRound.toFixed(3) }));
  return msPerRound;
}

async function startDown(): Promise<{ baseUrl: string; close(): void }> {
  const server = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"status":"ERROR"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => (server.closeAllConnections(), server.close()) };
}

const yahoo = await startYahoo(serveQuotes);
const down = await startDown();
const clock = { nowMs: () => Date.now() };
try {
  const raw = new YahooMarketDataSource({ baseUrl: yahoo.baseUrl });
  const rawMs = await timeRounds('fetcher.raw', async () => (await raw.fetchQuotes(names)).length);
  const chain = new QuoteFetcher({ sources: [new YahooMarketDataSource({ baseUrl: yahoo.baseUrl })], clock });
  const chainMs = await timeRounds('fetcher.chain', async () => (await chain.fetch(watched)).quotes.length);
  console.log(JSON.stringify({ bench: 'fetcher.overhead', symbols: SYMBOLS, overheadMsPerSymbol: +((chainMs - rawMs) / SYMBOLS).toFixed(4) }));
  const oneDown = new QuoteFetcher({
    sources: [new PolygonMarketDataSource({ apiKey: 'BENCH', baseUrl: down.baseUrl }), new YahooMarketDataSource({ baseUrl: yahoo.baseUrl })],
    clock,
  });
  await timeRounds('fetcher.oneDown', async () => (await oneDown.fetch(watched)).quotes.length);
  await Promise.all([chain.close(), oneDown.close()]);
} finally {
  await yahoo.close();
  down.close();
}
