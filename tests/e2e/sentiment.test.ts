import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, spawnCli } from '../helpers/cli.js';
import { QUOTE_AAPL, json, startYahoo } from '../helpers/local-yahoo.js';
import { recorded, startSentimentServer } from '../helpers/local-sentiment.js';

const CNN_2024 = { status: 200, body: recorded('cnn/graphdata-2024-02-09.json') };
const ALTME_0711 = { status: 200, body: recorded('alternative-me/fng-limit2-2026-07-11.json') };
const HTML = { status: 200, body: '<html><body>Access denied</body></html>', type: 'text/html' };
const ALTME_ERROR = { status: 200, body: '{"name":"Fear and Greed Index","data":[],"metadata":{"error":"Limit must be a number"}}' };

describe('market-intel sentiment', () => {
  it('prints both indices from the recorded responses as JSON', async () => {
    const server = await startSentimentServer({ cnn: CNN_2024, altme: ALTME_0711 });
    try {
      // SENTIMENT_MAX_AGE_S=0: the recordings are older than the 2-day update period.
      const cli = spawnCli(['sentiment', '--json', '--history', '2'], { CNN_FNG_BASE_URL: server.baseUrl, ALTME_FNG_BASE_URL: server.baseUrl, SENTIMENT_MAX_AGE_S: '0' });
      expect((await cli.exited).code).toBe(0);
      const out = JSON.parse(cli.stdout()) as Record<string, unknown>;
      // cnn/graphdata-2024-02-09.json: 77.8 "extreme greed" at 2024-02-09T23:59:52Z.
      // alternative-me/fng-limit2-2026-07-11.json: 26 "Fear" at 1783728000 s, then 23 "Extreme Fear" at 1783641600 s.
      expect(out).toMatchObject({
        equity: { value: 77.8, label: 'extreme greed', source: 'cnn', tsMs: Date.parse('2024-02-09T23:59:52Z') },
        crypto: { value: 26, label: 'fear', source: 'alternative.me', tsMs: 1_783_728_000_000 },
        // (77.8 + 26) / 2 = 51.9
        combined: { value: 51.9, label: 'neutral' },
        errors: [],
      });
      expect(out['history']).toMatchObject({ crypto: [{ value: 23, tsMs: 1_783_641_600_000 }, { value: 26, tsMs: 1_783_728_000_000 }] });
      expect(server.requests).toEqual({ cnn: 1, altme: 1 });
    } finally {
      await server.close();
    }
  });

  it('exits 1 naming the cause when an index is unreadable, and still prints the other', async () => {
    const server = await startSentimentServer({ cnn: HTML, altme: ALTME_0711 });
    try {
      const cli = spawnCli(['sentiment'], { CNN_FNG_BASE_URL: server.baseUrl, ALTME_FNG_BASE_URL: server.baseUrl, SENTIMENT_MAX_AGE_S: '0' });
      expect((await cli.exited).code).toBe(1);
      const [equity, crypto] = cli.stdout().split('\n');
      expect(equity).toMatch(/^equity\s+n\/a\s+unavailable\s+cnn: /);
      expect(crypto).toMatch(/^crypto\s+26\.0\s+fear\s+alternative\.me/);
      expect(cli.stdout()).not.toContain('NaN');
    } finally {
      await server.close();
    }
  });

  it('calls an index older than its update period stale, with its last value', async () => {
    const server = await startSentimentServer({ cnn: CNN_2024, altme: ALTME_0711 });
    try {
      const cli = spawnCli(['sentiment'], { CNN_FNG_BASE_URL: server.baseUrl, ALTME_FNG_BASE_URL: server.baseUrl });
      expect((await cli.exited).code).toBe(1);
      expect(cli.stdout()).toContain('cnn: stale, last value 77.8 at 2024-02-09T23:59:52.000Z (SENTIMENT_MAX_AGE_S)');
    } finally {
      await server.close();
    }
  });
});

describe('market-intel run with sentiment sources down', () => {
  it('logs each failure once, never crashes, and publishes the price proxy', async () => {
    const yahoo = await startYahoo(json(QUOTE_AAPL));
    const indices = await startSentimentServer({ cnn: HTML, altme: ALTME_ERROR });
    try {
      const port = await freePort();
      const subscriber = spawnCli(['subscribe', '--endpoint', `tcp://127.0.0.1:${port}`, '--topics', 'sentiment', '--count', '1']);
      await subscriber.waitFor('subscribed to');
      // The proxy needs 51 prices (a 50-price average plus one): 55 ticks give it a few.
      const worker = spawnCli(
        ['run', '--symbols', 'AAPL', '--source', 'yahoo', '--max-quote-age', '0', '--ticks', '55', '--interval', '0.02', '--zmq-warmup-ms', '500', '--no-metrics', '--zmq-port', String(port)],
        { YAHOO_BASE_URL: yahoo.baseUrl, CNN_FNG_BASE_URL: indices.baseUrl, ALTME_FNG_BASE_URL: indices.baseUrl },
      );
      const [workerExit, subscriberExit] = await Promise.all([worker.exited, subscriber.exited]);
      expect(workerExit.code).toBe(0);
      expect(subscriberExit.code).toBe(0);
      const logs = jsonLines(worker.stdout());
      const failures = logs.filter((l) => l['msg'] === 'sentiment source failed, using the fallback').map((l) => l['source']);
      expect(failures.sort()).toEqual(['alternative.me', 'cnn']);
      // Every tick sees the recorded 244.6: a flat series. The proxy then reads momentum 0,
      // volatility 0 and breadth -1 (no symbol above its average): 50 + 50 × (0.3 × -1) = 35, "fear".
      const [message] = jsonLines(subscriber.stdout());
      expect(message).toMatchObject({ topic: 'sentiment', type: 'sentiment', equity: { value: 35, label: 'fear', source: 'proxy' }, combined: { value: 35, label: 'fear' } });
      expect(message).not.toHaveProperty('crypto');
      // Fetched once at start (TTL 300 s), not per tick.
      expect(indices.requests).toEqual({ cnn: 1, altme: 1 });
    } finally {
      await Promise.all([yahoo.close(), indices.close()]);
    }
  });
});
