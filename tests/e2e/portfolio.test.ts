/**
 * The paper portfolio in a run, through the built binary and a subscriber
 * in another process: every trade the book in the archive holds goes out on
 * `trade.<SYM>`, and every `portfolio` snapshot reconciles to the cent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, spawnCli } from '../helpers/cli.js';
import { spawnSubscriber, waitUntil } from '../helpers/zmq.js';

const cents = (usd: number): number => Math.round(usd * 100);

describe('market-intel run trades the simulation signals on the paper portfolio', () => {
  it('publishes each ledger trade once and portfolio snapshots that reconcile', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'mi-pf-'));
    const archive = join(dataDir, 'market_memory.sqlite');
    const subscriber = await spawnSubscriber(`tcp://127.0.0.1:${port}`, ['trade.', 'portfolio']);
    const worker = spawnCli(
      ['run', '--source', 'replay:sample', '--interval', '0', '--zmq-warmup-ms', '500', '--no-metrics', '--zmq-port', String(port)],
      { SIM_AGENTS: '200', DATA_DIR: dataDir },
    );
    expect((await worker.exited).code).toBe(0);
    await waitUntil(() => subscriber.lines.filter((l) => l.topic === 'portfolio').length >= 301, 10_000, 'every portfolio snapshot');
    await subscriber.stop();

    const db = new Database(archive, { readonly: true });
    const stored = db.prepare<[], { seq: number; payload: string }>("SELECT seq, payload FROM ledger_records WHERE book = 'replay' AND kind = 'trade' ORDER BY seq").all();
    db.close();
    expect(stored.length).toBeGreaterThan(3);
    const published = subscriber.lines.filter((l) => l.topic?.startsWith('trade.')).map((l) => l.body ?? {});
    expect(published.map((t) => t['id'])).toEqual(stored.map((r) => String(r.seq)));
    stored.forEach((record, i) => {
      const p = JSON.parse(record.payload) as { symbol: string; side: string; reason: string; quantityMicro: number; priceMicro: number; feeCents: number; pnlCents?: number };
      expect(published[i]).toMatchObject({
        type: 'trade',
        symbol: p.symbol,
        side: p.side,
        reason: p.reason,
        qty: p.quantityMicro / 1e6,
        price: p.priceMicro / 1e6,
        fee: p.feeCents / 100,
        ...(p.pnlCents === undefined ? {} : { pnl: p.pnlCents / 100 }),
      });
    });

    const snapshots = subscriber.lines.filter((l) => l.topic === 'portfolio').map((l) => l.body ?? {});
    expect(snapshots).toHaveLength(301);
    for (const s of snapshots) {
      const positions = s['positions'] as { marketValue: number; unrealizedPnl: number }[];
      const marketValue = positions.reduce((sum, p) => sum + cents(p.marketValue), 0);
      expect(cents(Number(s['cash'])) + marketValue).toBe(cents(Number(s['equity'])));
      expect(cents(Number(s['realizedPnl'])) + cents(Number(s['unrealizedPnl']))).toBe(cents(Number(s['equity'])) - 10_000_000);
      expect(cents(Number(s['totalPnl']))).toBe(cents(Number(s['equity'])) - 10_000_000);
      expect(positions.reduce((sum, p) => sum + cents(p.unrealizedPnl), 0)).toBe(cents(Number(s['unrealizedPnl'])));
    }
    const started = jsonLines(worker.stdout()).find((l) => l['component'] === 'portfolio' && l['msg'] === 'started');
    expect(started?.['detail']).toBe(`new portfolio: equity 100000, 0 positions, 0 trades, book replay in ${archive}`);
  });
});
