import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, spawnCli } from '../helpers/cli.js';
import { QUOTE_AAPL, json, startYahoo } from '../helpers/local-yahoo.js';

describe('market-intel run on live Yahoo data (recorded, served on 127.0.0.1)', () => {
  it('publishes the quote Yahoo serves, through the same validation and bus as a replay', async () => {
    const yahoo = await startYahoo(json(QUOTE_AAPL));
    try {
      const port = await freePort();
      const subscriber = spawnCli(['subscribe', '--endpoint', `tcp://127.0.0.1:${port}`, '--topics', 'quote.', '--count', '2']);
      await subscriber.waitFor('subscribed to');
      const worker = spawnCli(
        ['run', '--symbols', 'AAPL', '--source', 'yahoo', '--max-quote-age', '0', '--ticks', '2', '--interval', '0.2', '--zmq-warmup-ms', '500', '--no-metrics', '--no-simulation', '--zmq-port', String(port)],
        { YAHOO_BASE_URL: yahoo.baseUrl },
      );
      const [workerExit, subscriberExit] = await Promise.all([worker.exited, subscriber.exited]);
      expect(workerExit.code).toBe(0);
      expect(subscriberExit.code).toBe(0);
      // tests/fixtures/vendors/yahoo/quote-AAPL.json: regularMarketPrice 244.6,
      // regularMarketTime 1739566800 (2025-02-14T21:00:00Z), regularMarketVolume 40896227,
      // bid 244.44, ask 253.37.
      const quote = { topic: 'quote.AAPL', v: 1, type: 'quote', ts: '2025-02-14T21:00:00.000Z', symbol: 'AAPL', price: 244.6, bid: 244.44, ask: 253.37, volume: 40_896_227, source: 'yahoo' };
      expect(jsonLines(subscriber.stdout())).toEqual([
        { ...quote, seq: 1 },
        { ...quote, seq: 2 },
      ]);
      // One cookie/crumb handshake, then one batched quote request per tick.
      expect(yahoo.paths.filter((p) => p.startsWith('/v7/finance/quote'))).toHaveLength(2);
      expect(yahoo.paths.filter((p) => p === '/v1/test/getcrumb')).toHaveLength(1);
      expect(jsonLines(worker.stdout()).find((l) => l['msg'] === 'run finished')).toMatchObject({ reason: 'ticks', ticks: 2, quotesPublished: 2 });
    } finally {
      await yahoo.close();
    }
  });
});

describe('market-intel run when its only provider fails and comes back', () => {
  it('keeps ticking, says so once, and publishes again once the provider recovers', async () => {
    let quoteRequests = 0;
    // The first three quote requests fail with 500: tick 1 and its one retry fail, tick 2 fails once
    // and its retry is served; every tick after that is served.
    const yahoo = await startYahoo((req, res) => (++quoteRequests <= 3 ? json('{"error":"down"}', 500)(req, res) : json(QUOTE_AAPL)(req, res)));
    try {
      const worker = spawnCli(
        ['run', '--symbols', 'AAPL', '--source', 'yahoo', '--max-quote-age', '0', '--ticks', '6', '--interval', '0.1', '--no-metrics', '--zmq-port', String(await freePort())],
        { YAHOO_BASE_URL: yahoo.baseUrl },
      );
      const { code } = await worker.exited;
      expect(code).toBe(0);
      const lines = jsonLines(worker.stdout());
      expect(lines.filter((l) => l['msg'] === 'no provider could serve a symbol')).toHaveLength(1);
      expect(lines.filter((l) => l['msg'] === 'source failed, falling back')).toHaveLength(1);
      const finished = lines.find((l) => l['msg'] === 'run finished');
      expect(finished).toMatchObject({ reason: 'ticks', ticks: 6, quotesPublished: 5, market: { unserved: { AAPL: 1 }, failedCalls: { 'yahoo:http_error': 1 } } });
    } finally {
      await yahoo.close();
    }
  });
});
