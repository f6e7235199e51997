/**
 * `market-intel history` reads back what a run archived (here the embedded
 * SQLite archive of a replay), and refuses bad input in one line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT, spawnCli } from '../helpers/cli.js';

describe('market-intel history', () => {
  it('prints the quotes a replay archived, from the CSV to the archive and back', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mi-history-'));
    const run = spawnCli(['run', '--source', 'replay:sample', '--interval', '0', '--no-metrics', '--zmq-port', String(await freePort())], { DATA_DIR: dataDir, SIM_AGENTS: '200' });
    expect((await run.exited).code).toBe(0);

    const [, ...rows] = readFileSync(join(ROOT, 'assets/replay/sample.csv'), 'utf8').trim().split('\n');
    const expected = rows
      .map((r) => r.split(','))
      .filter(([ts, symbol]) => symbol === 'MSFT' && Date.parse(ts ?? '') >= Date.parse('2022-01-20T00:00:00Z'))
      .map(([ts, , , , , close]) => ({ tsMs: Date.parse(ts ?? ''), price: Number(close) }));
    expect(expected).toHaveLength(7);

    const history = spawnCli(['history', '--symbol', 'msft', '--since', '2022-01-20', '--kinds', 'quote', '--json'], { DATA_DIR: dataDir });
    expect((await history.exited).code).toBe(0);
    const out = JSON.parse(history.stdout()) as { store: string; count: number; events: { kind: string; symbol: string; tsMs: number; price: number }[] };
    expect(out.store).toBe('sqlite');
    expect(out.count).toBe(7);
    // The archive keeps prices to 10 decimals (DECIMAL(24,10) in MySQL, the same text in SQLite).
    out.events.forEach((e, i) => {
      expect(e).toMatchObject({ kind: 'quote', symbol: 'MSFT', tsMs: expected[i]?.tsMs });
      expect(e.price).toBeCloseTo(expected[i]?.price ?? 0, 10);
    });

    const text = spawnCli(['history', '--symbol', 'MSFT', '--since', '2022-01-27', '--kinds', 'quote'], { DATA_DIR: dataDir });
    expect((await text.exited).code).toBe(0);
    expect(text.stdout()).toBe(
      '2022-01-27T14:30:00.000Z  quote      MSFT       299.8399963379  replay\n2022-01-28T14:30:00.000Z  quote      MSFT       308.2600097656  replay\n',
    );
  });

  it.each([
    [['--since', 'yesterday'], '--since "yesterday": expected a duration such as 90s, 15m, 1h, 7d or an ISO-8601 time'],
    [['--kinds', 'quote,tweet'], '--kinds "quote,tweet": expected a comma list of quote, sentiment, signal, sim_state, trade, portfolio'],
    [['--limit', '0'], '--limit "0": expected an integer from 1 to 1000000'],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const cli = spawnCli(['history', ...args]);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe(`market-intel: ${message}\n`);
  });
});
