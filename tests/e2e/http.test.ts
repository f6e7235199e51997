import { spawnSync } from 'node:child_process';
import { createConnection, type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema } from '../../src/storage/apply-schema.js';
import { freePort, spawnCli } from '../helpers/cli.js';

const SECRETS = {
  POLYGON_API_KEY: 'marker-polygon-7c1f',
  ALPACA_KEY: 'marker-alpaca-key-51e2',
  ALPACA_SECRET: 'marker-alpaca-secret-9ad0',
  MYSQL_PASSWORD: 'marker-mysql-pw-33b8',
  REDIS_PASSWORD: 'marker-redis-pw-0e4c',
  INFLUXDB_TOKEN: 'marker-influx-token-a7d5',
};

/**
 * The archive is a real MariaDB (127.0.0.1:3306, CI starts it) that the
 * worker logs into with MYSQL_PASSWORD: a user made for this file, with its
 * own database, both dropped afterwards. The portfolio's book lives there.
 */
const database = `mi_http_${process.pid}_${Date.now()}`;
const mysqlUser = `mi_http_${process.pid}_${Date.now() % 1e6}`;
let admin: Connection | undefined;

beforeAll(async () => {
  await applySchema({ host: '127.0.0.1', port: 3306, user: 'root', database });
  admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [mysqlUser, '%', SECRETS.MYSQL_PASSWORD]);
  await admin.query(`GRANT SELECT, INSERT, UPDATE ON \`${database}\`.* TO ?@?`, [mysqlUser, '%']);
});

afterAll(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.query('DROP USER IF EXISTS ?@?', [mysqlUser, '%']);
  await admin?.end();
});

/** A counter or gauge sample's value from exposition text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const PUBLISHED = /^market_system_data_points_published_total\{topic="([^"]+)"\} (\d+)$/gm;

/** Messages published, all types together, as the metrics count them. */
function totalPublished(text: string): number {
  return [...text.matchAll(PUBLISHED)].reduce((total, m) => total + Number(m[2]), 0);
}

function publishedTypes(text: string): string[] {
  return [...text.matchAll(PUBLISHED)].map((m) => m[1] ?? '').sort();
}

/** Every metric issue 8 names; each must be declared in the running worker's output. */
const ISSUE_METRICS = [
  'service_up', 'circuit_breaker_state', 'errors_total', 'data_fetch_duration_seconds', 'data_fetch_total',
  'data_points_published_total', 'data_age_seconds', 'quote_rejections_total', 'portfolio_value_dollars',
  'portfolio_pnl_dollars', 'portfolio_exposure_ratio', 'win_rate', 'trade_pnl_dollars', 'trades_total',
  'simulation_global_state', 'simulation_signals_total', 'simulation_step_duration_seconds', 'sentiment_index',
  'store_backlog', 'tick_duration_seconds', 'event_loop_delay_seconds',
].map((name) => `market_system_${name}`);

describe('market-intel run serves metrics and health over HTTP', () => {
  it('reports what it published, never a configured secret, in text promtool accepts', async () => {
    const port = await freePort();
    const worker = spawnCli(
      ['run', '--source', 'replay:sample', '--interval', '0.5', '--metrics-port', String(port), '--zmq-port', String(await freePort())],
      { ...SECRETS, MYSQL_HOST: '127.0.0.1', MYSQL_USER: mysqlUser, MYSQL_DB: database, REDIS_HOST: '127.0.0.1', INFLUXDB_URL: 'http://127.0.0.1:1' },
    );
    try {
      await worker.waitFor('"component":"http"');
      const base = `http://127.0.0.1:${port}`;
      // Wait for a few ticks, then read metrics, status, metrics: if both metric reads agree, no tick fell between.
      let metrics = '';
      let status: { counts: { quotesPublished: number }; bus: { published: number }; portfolio: { equity: number; totalPnl: number } } | undefined;
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await new Promise((r) => setTimeout(r, 300));
        const first = await (await fetch(`${base}/metrics`)).text();
        const body = (await (await fetch(`${base}/status`)).json()) as typeof status;
        const second = await (await fetch(`${base}/metrics`)).text();
        const published = sample(second, 'market_system_data_points_published_total{topic="quote"}') ?? 0;
        if (published >= 3 && totalPublished(first) === totalPublished(second)) {
          metrics = second;
          status = body;
          break;
        }
      }
      expect(status).toBeDefined();
      expect(sample(metrics, 'market_system_data_points_published_total{topic="quote"}')).toBe(status?.counts.quotesPublished);
      // A trade may or may not have happened in the first ticks; everything else is published every tick.
      expect(publishedTypes(metrics).filter((t) => t !== 'trade')).toEqual(['portfolio', 'quote', 'signal', 'sim.state']);
      expect(totalPublished(metrics)).toBe(status?.bus.published);
      for (const name of ISSUE_METRICS) expect(metrics, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      expect(sample(metrics, 'market_system_portfolio_value_dollars')).toBe(status?.portfolio.equity);
      expect(sample(metrics, 'market_system_simulation_signals_total{action="HOLD"}') ?? 0).toBeGreaterThan(0);
      expect(sample(metrics, 'market_system_portfolio_pnl_dollars{type="total"}')).toBe(status?.portfolio.totalPnl);
      for (const service of ['market', 'bus', 'sentiment', 'simulation', 'portfolio', 'http']) expect(sample(metrics, `market_system_service_up{service="${service}"}`)).toBe(1);

      const responses = await Promise.all(['/health', '/ready', '/live', '/status', '/metrics'].map(async (path) => [path, await fetch(`${base}${path}`)] as const));
      for (const [path, response] of responses) expect(response.status, path).toBe(200);
      const texts = await Promise.all(responses.map(([, r]) => r.text()));
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405);

      const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      expect(promtool.error, 'promtool (Debian package "prometheus") must be installed').toBeUndefined();
      expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
      expect(promtool.status).toBe(0);

      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
      const everything = [...texts, metrics, worker.stdout(), worker.stderr()].join('\n');
      for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
