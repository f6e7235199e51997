/**
 * The stores end to end, through the built binary: a replay with Redis,
 * MariaDB and a time-series server (VictoriaMetrics, InfluxDB v2 write API)
 * keeps every event the worker published; with Redis and MariaDB cut off
 * mid-run the worker keeps ticking and, once they are back, every event of
 * the run is there, none twice; a restart delivers what an earlier run left
 * in its spool.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, jsonLines, spawnCli } from '../helpers/cli.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { startVictoria } from '../helpers/victoria.js';
import { spawnSubscriber, waitUntil, type SubLine } from '../helpers/zmq.js';

const databases: string[] = [];
afterAll(async () => {
  const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await admin.end();
});

/** A fresh archive database, created by `market-intel db init`. */
async function freshDatabase(): Promise<string> {
  const name = `mi_e2e_${process.pid}_${Date.now()}_${databases.length}`;
  databases.push(name);
  const init = spawnCli(['db', 'init'], { MYSQL_HOST: '127.0.0.1', MYSQL_DB: name });
  expect((await init.exited).code, init.stderr()).toBe(0);
  expect(init.stdout()).toMatch(new RegExp(`^applied init-db.sql to root@127.0.0.1:3306/${name} \\(schema version \\d+\\)\\n$`));
  return name;
}

const TABLE_OF: Readonly<Record<string, string>> = { quote: 'quotes', signal: 'signals', 'sim.state': 'sim_states', trade: 'trades', portfolio: 'portfolio_snapshots' };

/** Messages by type, as a subscriber in another process received them. */
function countByType(lines: readonly SubLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of lines) {
    const type = String(l.body?.['type'] ?? '');
    if (type in TABLE_OF) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

async function tableCounts(database: string): Promise<Record<string, number>> {
  const db = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database });
  const out: Record<string, number> = {};
  for (const [type, table] of Object.entries(TABLE_OF)) {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    out[type] = Number(rows[0]?.['n'] ?? -1);
  }
  await db.end();
  return out;
}

async function replayWithSubscriber(interval: string, env: Record<string, string>, during?: () => Promise<void>, portfolios = 301) {
  const port = await freePort();
  const subscriber = await spawnSubscriber(`tcp://127.0.0.1:${port}`, Object.keys(TABLE_OF).map((t) => (t === 'portfolio' || t === 'sim.state' ? t : `${t}.`)));
  const worker = spawnCli(['run', '--source', 'replay:sample', '--interval', interval, '--zmq-warmup-ms', '500', '--no-metrics', '--zmq-port', String(port)], { SIM_AGENTS: '200', ...env });
  await during?.();
  const exit = await worker.exited;
  await waitUntil(() => subscriber.lines.filter((l) => l.body?.['type'] === 'portfolio').length >= portfolios, 10_000, 'every portfolio message');
  await subscriber.stop();
  return { exit, worker, counts: countByType(subscriber.lines) };
}

describe('market-intel run with Redis, MariaDB and a time-series server', () => {
  it('keeps every published event: exact counts in MariaDB, expiring keys in Redis, the prices in the time series', { timeout: 120_000 }, async () => {
    const database = await freshDatabase();
    const victoria = await startVictoria();
    const redis = new Redis({ host: '127.0.0.1', port: 6379, db: 9 });
    try {
      await redis.flushdb();
      const run = await replayWithSubscriber('0', {
        MYSQL_HOST: '127.0.0.1',
        MYSQL_DB: database,
        REDIS_URL: 'redis://127.0.0.1:6379/9',
        INFLUXDB_URL: victoria.url,
        INFLUXDB_ORG: 'e2e',
        INFLUXDB_BUCKET: 'e2e',
        INFLUXDB_TOKEN: 'e2e-token',
      });
      expect(run.exit.code, run.worker.stderr()).toBe(0);
      expect(run.counts['quote']).toBe(301);
      expect(await tableCounts(database)).toEqual(run.counts);

      const keys = (await redis.keys('mi:*')).sort();
      expect(keys).toEqual(expect.arrayContaining(['mi:events', 'mi:latest:quote:AAPL', 'mi:latest:quote:MSFT', 'mi:latest:portfolio', 'mi:latest:sim_state']));
      for (const key of keys) {
        const ttl = await redis.ttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(3600);
      }
      const latest = JSON.parse((await redis.get('mi:latest:quote:MSFT')) ?? '{}') as Record<string, unknown>;
      expect(latest).toMatchObject({ kind: 'quote', symbol: 'MSFT', price: 308.260009765625, tsMs: Date.parse('2022-01-28T14:30:00Z') });

      const aapl = await victoria.exportSeries('{__name__="market_data_price",symbol="AAPL"}');
      expect(aapl).toHaveLength(1);
      expect(aapl[0]?.values).toHaveLength(49);
      expect(aapl[0]?.timestamps[0]).toBe(Date.parse('2020-08-31T13:30:00Z'));
      // VictoriaMetrics keeps about 12 significant digits of a float.
      expect(aapl[0]?.values[0]).toBeCloseTo(129.0399932861328, 9);
    } finally {
      redis.disconnect();
      await victoria.close();
    }
  });

  it('keeps ticking while Redis and MariaDB are cut off, and has every event, once, after they are back', { timeout: 120_000 }, async () => {
    const database = await freshDatabase();
    const mysqlProxy = await startTcpProxy(3306);
    const redisProxy = await startTcpProxy(6379);
    const redis = new Redis({ host: '127.0.0.1', port: 6379, db: 10 });
    try {
      await redis.flushdb();
      const outage = async (): Promise<void> => {
        await new Promise((r) => setTimeout(r, 1_500));
        await mysqlProxy.cut();
        await redisProxy.cut();
        await new Promise((r) => setTimeout(r, 2_000));
        await mysqlProxy.restore();
        await redisProxy.restore();
      };
      const run = await replayWithSubscriber(
        '0.02',
        { MYSQL_HOST: '127.0.0.1', MYSQL_PORT: String(mysqlProxy.port), MYSQL_DB: database, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}/10` },
        outage,
      );
      expect(run.exit.code, run.worker.stderr()).toBe(0);
      const finished = jsonLines(run.worker.stdout()).find((l) => l['msg'] === 'run finished');
      expect(finished).toMatchObject({ reason: 'exhausted', ticks: 301 });
      expect(jsonLines(run.worker.stdout()).some((l) => l['msg'] === 'store write failed; events wait in the writer')).toBe(true);
      expect(await tableCounts(database)).toEqual(run.counts);
      expect(await redis.ttl('mi:latest:portfolio')).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
      await mysqlProxy.close();
      await redisProxy.close();
    }
  });

  it('keeps ticking while the time-series server is killed, and has every price once it is back', { timeout: 120_000 }, async () => {
    let victoria = await startVictoria();
    const { url, dir } = victoria;
    try {
      const outage = async (): Promise<void> => {
        await new Promise((r) => setTimeout(r, 1_500));
        await victoria.kill();
        await new Promise((r) => setTimeout(r, 2_000));
        victoria = await startVictoria(10_000, { url, dir });
      };
      const run = await replayWithSubscriber('0.02', { INFLUXDB_URL: url, INFLUXDB_ORG: 'e2e', INFLUXDB_BUCKET: 'e2e' }, outage);
      expect(run.exit.code, run.worker.stderr()).toBe(0);
      expect(jsonLines(run.worker.stdout()).find((l) => l['msg'] === 'run finished')).toMatchObject({ reason: 'exhausted', ticks: 301 });
      expect(jsonLines(run.worker.stdout()).some((l) => l['msg'] === 'store write failed; events wait in the writer' && l['store'] === 'influx')).toBe(true);
      const prices = await victoria.exportSeries('{__name__="market_data_price"}');
      const bySymbol = Object.fromEntries(prices.map((s) => [s.metric['symbol'], s.values.length]));
      // Every quote of the replay, once: 49 AAPL bars (2020), 252 MSFT bars (2021).
      expect(bySymbol).toEqual({ AAPL: 49, MSFT: 252 });
    } finally {
      await victoria.close();
    }
  });

  it('delivers at the next start what a run left in its spool while MariaDB was unreachable', { timeout: 120_000 }, async () => {
    const database = await freshDatabase();
    const proxy = await startTcpProxy(3306);
    await proxy.cut();
    const dataDir = mkdtempSync(join(tmpdir(), 'mi-spool-e2e-'));
    const env = { MYSQL_HOST: '127.0.0.1', MYSQL_PORT: String(proxy.port), MYSQL_DB: database, DATA_DIR: dataDir };
    try {
      // The portfolio's book is in the unreachable archive too: this replay runs without the portfolio.
      const first = await replayWithSubscriber('0', env, undefined, 0);
      expect(first.exit.code).toBe(0);
      const firstLogs = jsonLines(first.worker.stdout());
      expect(firstLogs.find((l) => l['msg'] === 'events kept in the spool for the next run')).toBeDefined();
      expect(firstLogs.find((l) => l['msg'] === 'ledger archive unreachable: this replay runs without the portfolio')).toBeDefined();
      expect(first.counts['quote']).toBe(301);
      expect(first.counts['portfolio'] ?? 0).toBe(0);
      expect(await tableCounts(database)).toEqual({ quote: 0, signal: 0, 'sim.state': 0, trade: 0, portfolio: 0 });
      await proxy.restore();
      // The next start, on the same data folder, empties the spool first (here: a second, fresh replay run).
      const second = await replayWithSubscriber('0', env);
      expect(second.exit.code).toBe(0);
      const both = Object.fromEntries(Object.keys(TABLE_OF).map((t) => [t, (first.counts[t] ?? 0) + (second.counts[t] ?? 0)]));
      expect(await tableCounts(database)).toEqual(both);
    } finally {
      await proxy.close();
    }
  });
  it('will not start when MariaDB refuses the login: one line on stderr naming the store, never the password, exit 1', { timeout: 60_000 }, async () => {
    const cli = spawnCli(['run', '--source', 'replay:sample', '--interval', '0', '--no-metrics', '--zmq-port', String(await freePort())], {
      MYSQL_HOST: '127.0.0.1',
      MYSQL_USER: 'root',
      MYSQL_PASSWORD: 'Wrong-pw-never-shown-5d1',
    });
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderr()).toMatch(/^market-intel: start failed: mysql ledger\.load failed: ER_ACCESS_DENIED_ERROR: Access denied for user 'root'@'[^']+' \(using password: YES\)\n$/);
    expect(cli.stdout() + cli.stderr()).not.toContain('Wrong-pw-never-shown-5d1');
  });
});
