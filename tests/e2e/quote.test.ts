import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { QUOTE_AAPL, json, startYahoo } from '../helpers/local-yahoo.js';

describe('market-intel quote', () => {
  it('prints each quote with the provider that served it, as JSON', async () => {
    const yahoo = await startYahoo(json(QUOTE_AAPL));
    try {
      const cli = spawnCli(['quote', 'AAPL', '--sources', 'yahoo', '--max-quote-age', '0', '--json'], { YAHOO_BASE_URL: yahoo.baseUrl });
      const { code } = await cli.exited;
      expect(code).toBe(0);
      const out = JSON.parse(cli.stdout()) as { quotes: Record<string, unknown>[]; failures: unknown[] };
      // tests/fixtures/vendors/yahoo/quote-AAPL.json: 244.6 at 2025-02-14T21:00:00Z, bid 244.44, ask 253.37.
      expect(out.quotes).toEqual([
        expect.objectContaining({ symbol: 'AAPL', price: 244.6, bid: 244.44, ask: 253.37, source: 'yahoo', ts: '2025-02-14T21:00:00.000Z' }),
      ]);
      expect(out.quotes[0]?.['ageS']).toBeGreaterThan(0);
      expect(out.failures).toEqual([]);
    } finally {
      await yahoo.close();
    }
  });

  it('prints a readable line per quote', async () => {
    const yahoo = await startYahoo(json(QUOTE_AAPL));
    try {
      const cli = spawnCli(['quote', 'aapl', '--sources', 'yahoo', '--max-quote-age', '0'], { YAHOO_BASE_URL: yahoo.baseUrl });
      expect((await cli.exited).code).toBe(0);
      expect(cli.stdout()).toMatch(/^AAPL\s+244\.6\s+yahoo\s+age \d+d\s+bid 244\.44 ask 253\.37\n$/);
    } finally {
      await yahoo.close();
    }
  });

  it('exits 1 naming each provider that failed when none could serve a symbol', async () => {
    const yahoo = await startYahoo(json('{"error":"boom"}', 500));
    try {
      const cli = spawnCli(['quote', 'AAPL', '--sources', 'yahoo,polygon', '--max-quote-age', '0'], { YAHOO_BASE_URL: yahoo.baseUrl });
      expect((await cli.exited).code).toBe(1);
      expect(cli.stderr()).toContain('polygon skipped: POLYGON_API_KEY is not set');
      expect(cli.stderr()).toContain('market-intel: no provider could serve AAPL (yahoo: http_error)');
      expect(cli.stdout()).toBe('');
    } finally {
      await yahoo.close();
    }
  });

  it('refuses a bad symbol with exit 2', async () => {
    const cli = spawnCli(['quote', 'AAPL,$$']);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe('market-intel: --symbols "AAPL,$$": expected symbols like AAPL, BRK.B or BTC/USDT (letters and digits, crypto as BASE/QUOTE), separated by commas\n');
  });
});
