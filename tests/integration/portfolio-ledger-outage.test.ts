/**
 * The portfolio stage of a live run with its book in a real MariaDB that is
 * cut off mid-run (a TCP proxy that drops every connection): the tick in
 * which the commit fails makes no trade and publishes nothing, trading
 * pauses and /status says so, and once the server is back the stage trades
 * on from the book as committed, so the book in MariaDB rebuilds exactly the
 * portfolio the stage holds. Trades go out on a real ZeroMQ socket.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection, type Connection } from 'mysql2/promise';
import { pino } from 'pino';
import { Context } from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe, ZmqPublisher } from '../../src/bus/index.js';
import { loadConfig } from '../../src/config/index.js';
import { ReplayClock, type Quote } from '../../src/domain/index.js';
import { MemoryLedger, PortfolioManager } from '../../src/portfolio/index.js';
import type { SimulationSignal } from '../../src/simulation/index.js';
import { applySchema } from '../../src/storage/apply-schema.js';
import { StoreError } from '../../src/storage/errors.js';
import { MysqlLedgerArchive } from '../../src/storage/mysql-ledger-archive.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { WorkerHealth } from '../../src/worker/health.js';
import { PortfolioStage } from '../../src/worker/portfolio-stage.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const server = { host: '127.0.0.1', port: 3306, user: 'root' } as const;
const database = `mi_outage_${process.pid}_${Date.now()}`;
let admin: Connection;

beforeAll(async () => {
  await applySchema({ ...server, database });
  admin = await createConnection({ ...server, database });
});

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();
});

const T0 = Date.UTC(2026, 11, 7, 15, 0);

function quotes(tsMs: number, aapl: number, msft: number): Quote[] {
  return [
    { symbol: 'AAPL', price: aapl, volume: 100, tsMs, source: 'test' },
    { symbol: 'MSFT', price: msft, volume: 100, tsMs, source: 'test' },
  ];
}

function signal(symbol: string, action: SimulationSignal['action']): SimulationSignal {
  return { symbol, action, confidence: 0.9, score: action === 'BUY' ? 3 : -3, simulatedPrice: 0 };
}

/** A portfolio stage on MariaDB through `proxyPort`, publishing on an in-process ZeroMQ socket, with the health it reports to. */
async function stageOn(proxyPort: number, flags: { readonly book: string; readonly symbols?: string; readonly source?: string }) {
  const config = loadConfig({
    env: { MYSQL_HOST: '127.0.0.1', MYSQL_PORT: String(proxyPort), MYSQL_DB: database },
    envFile: false,
    flags: { metrics: false, dataDir: mkdtempSync(join(tmpdir(), 'mi-outage-')), ...flags },
  });
  const clock = new ReplayClock();
  clock.set(T0);
  const context = new Context();
  const endpoint = `inproc://outage-${Math.random()}`;
  const bus = new ZmqPublisher({ endpoints: [endpoint], context });
  await bus.start();
  const health = new WorkerHealth(config, {
    version: 'test', breakers: () => ({}), dataAgeS: () => ({}), bus: () => bus.stats(), counts: () => ({}), portfolio: () => undefined, stores: () => ({}),
  });
  const stage = new PortfolioStage(config, bus, clock, new Metrics({ defaultMetrics: false }), health, pino({ level: 'silent' }));
  return { stage, bus, health, context, endpoint };
}

describe('a live portfolio whose MariaDB archive is cut off mid-run', () => {
  it('makes no trade while commits fail, says so on /status, then trades on from the committed book', { timeout: 60_000 }, async () => {
    const proxy = await startTcpProxy(server.port);
    const { stage, bus, health, context, endpoint } = await stageOn(proxy.port, { symbols: 'AAPL,MSFT', book: 'desk' });
    const received: { topic: string; body: Record<string, unknown> }[] = [];
    const trades = subscribe({ endpoint, context, topics: ['trade.'], count: 3, onMessage: (m) => void received.push(m) });
    await sleep(100);
    try {
      expect(await stage.start()).toMatch(/^new portfolio: equity 100000, 0 positions, 0 trades, book desk in 127\.0\.0\.1:\d+\//);
      const first = await stage.onTick(T0, quotes(T0, 190, 410), [signal('AAPL', 'BUY')]);
      expect(first.map((t) => [t.symbol, t.side])).toEqual([['AAPL', 'BUY']]);

      await proxy.cut();
      const failed = await stage.onTick(T0 + 1_000, quotes(T0 + 1_000, 191, 411), [signal('MSFT', 'BUY')]).then(
        () => 'committed',
        (err: unknown) => err,
      );
      expect(failed).toBeInstanceOf(StoreError);
      expect(failed instanceof StoreError && failed.transient).toBe(true);
      const portfolio = health.components().find((c) => c.name === 'portfolio');
      expect(portfolio?.state).toBe('degraded');
      expect(portfolio?.detail).toMatch(/^ledger archive 127\.0\.0\.1:\d+\/mi_outage_\S+ failed; trading paused 1000 ms/);
      // The failed tick was undone: one position, as before it.
      expect(stage.state()?.positions.map((p) => p.symbol)).toEqual(['AAPL']);
      // Paused: a tick within the pause does not touch the archive at all.
      expect(await stage.onTick(T0 + 2_000, quotes(T0 + 2_000, 192, 412), [signal('MSFT', 'BUY')])).toEqual([]);

      await proxy.restore();
      await sleep(1_100);
      const resumed = await stage.onTick(T0 + 3_000, quotes(T0 + 3_000, 193, 413), [signal('MSFT', 'BUY'), signal('AAPL', 'SELL')]);
      expect(resumed.map((t) => [t.symbol, t.side])).toEqual([['MSFT', 'BUY'], ['AAPL', 'SELL']]);
      expect(health.components().find((c) => c.name === 'portfolio')?.state).toBe('ready');
      await trades;
      expect(received.map((m) => [m.topic, m.body['side']])).toEqual([['trade.AAPL', 'BUY'], ['trade.MSFT', 'BUY'], ['trade.AAPL', 'SELL']]);

      // The book in MariaDB, read by a new adapter, rebuilds what the stage holds, to the cent.
      const archive = MysqlLedgerArchive.open({ ...server, database });
      const book = await archive.load('desk');
      await archive.close();
      const marks = JSON.parse(book.meta['marks'] ?? '{}') as Record<string, number>;
      expect(marks).toEqual({ AAPL: 193, MSFT: 413 });
      const rebuilt = PortfolioManager.restore({ initialCapital: 100_000 }, MemoryLedger.of(book.records), { marks }).getPortfolioState();
      const held = stage.state();
      expect(rebuilt.cash).toBe(held?.cash);
      expect(rebuilt.equity).toBe(held?.equity);
      expect(rebuilt.positions).toEqual(held?.positions);
      expect(rebuilt.tradeCount).toBe(3);
    } finally {
      await stage.close();
      await bus.close();
      await proxy.close();
    }
  });
  it('in a replay, waits for the archive instead of skipping the tick, then says ready again', { timeout: 60_000 }, async () => {
    const proxy = await startTcpProxy(server.port);
    const { stage, bus, health } = await stageOn(proxy.port, { source: 'replay:sample', book: 'replay-wait' });
    try {
      await stage.start();
      expect(await stage.onTick(T0, quotes(T0, 190, 410), [signal('AAPL', 'BUY')])).toHaveLength(1);
      await proxy.cut();
      const waiting = stage.onTick(T0 + 1_000, quotes(T0 + 1_000, 191, 411), [signal('MSFT', 'BUY')]);
      await sleep(800);
      const during = health.components().find((c) => c.name === 'portfolio');
      expect(during?.state).toBe('degraded');
      expect(during?.detail).toMatch(/unreachable: replay waiting$/);
      await proxy.restore();
      expect((await waiting).map((t) => [t.symbol, t.side])).toEqual([['MSFT', 'BUY']]);
      expect(health.components().find((c) => c.name === 'portfolio')?.state).toBe('ready');
      const archive = MysqlLedgerArchive.open({ ...server, database });
      const book = await archive.load('replay-wait');
      await archive.close();
      expect(book.meta['replay.lastTickMs']).toBe(String(T0 + 1_000));
      expect(book.records.filter((r) => r.kind === 'trade')).toHaveLength(2);
    } finally {
      await stage.close();
      await bus.close();
      await proxy.close();
    }
  });
});
